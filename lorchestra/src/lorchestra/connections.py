"""A mail connection as lorc runs it: config entry, tap, settings and the secrets it needs.

A user writes only ``{name, system, mailbox}`` (and optionally ``start_date``, limits and
endpoints); everything else is derived here. Secrets come from the environment or
``$LORC_HOME/.env`` under the connection's own names (``GMAIL_PRAXIS_REFRESH_TOKEN``),
falling back to one name shared by every connection of a vendor (``GOOGLE_CLIENT_ID``),
because a practice usually has one OAuth client or app registration for all mailboxes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lorchestra.config import Config, Secrets

DEFAULT_TIMEOUT_SECONDS = 900.0
DEFAULT_MAX_MESSAGES_PER_RUN = 2000
DEFAULT_MAX_REJECT_RATE = 0.01
ENDPOINT_SETTINGS = ("api_url", "token_url", "authority_url", "ca_bundle", "auth_url")
SIGN_IN_ONLY = frozenset({"auth_url"})  # used by `lorc connect`, never by the tap


@dataclass(frozen=True)
class MailSystem:
    """What lorc knows about one kind of mailbox."""

    tap: str
    secret_keys: tuple[str, ...]  # the tap settings that are secrets, in the order to ask for them
    vendor: str  # prefix of the secret names shared by every connection of this vendor
    per_connection_only: frozenset[str] = frozenset()  # keys never shared (a mailbox's own token)

    def connect_command(self, system: str, name: str) -> str:
        return f"lorc connect {system} {name}"


MAIL_SYSTEMS: Mapping[str, MailSystem] = {
    "gmail": MailSystem("tap-lorc-gmail", ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"), "GOOGLE",
                        frozenset({"REFRESH_TOKEN"})),
    "exchange": MailSystem("tap-lorc-graph", ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET"), "MICROSOFT"),
}


@dataclass(frozen=True)
class MailConnection:
    name: str
    system: str
    mailbox: str
    start_date: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_messages_per_run: int = DEFAULT_MAX_MESSAGES_PER_RUN
    endpoints: Mapping[str, str] = field(default_factory=dict)  # api_url, token_url, ...

    @property
    def spec(self) -> MailSystem:
        return MAIL_SYSTEMS[self.system]

    @property
    def tap(self) -> str:
        return self.spec.tap

    @property
    def connect_command(self) -> str:
        return self.spec.connect_command(self.system, self.name)

    def secret_names(self, key: str) -> tuple[str, ...]:
        """Where the secret ``key`` is looked up, first match wins."""
        own = f"{env_name(self.name)}_{key}"
        if key in self.spec.per_connection_only:
            return (own,)
        return (own, f"{self.spec.vendor}_{key}")

    def secrets(self, secrets: Secrets) -> tuple[dict[str, str], list[str]]:
        """The tap settings that are secrets (``client_id`` ...), and the names of those missing."""
        found: dict[str, str] = {}
        missing: list[str] = []
        for key in self.spec.secret_keys:
            names = self.secret_names(key)
            value = next((v for n in names if (v := secrets.get(n))), None)
            if value is None:
                missing.append(names[0])
            else:
                found[key.lower()] = value
        return found, missing

    def tap_settings(self) -> dict[str, Any]:
        """The settings that are not secrets: the mailbox, the first day, the chunk, endpoints."""
        settings: dict[str, Any] = {"mailbox": self.mailbox,
                                    **{k: v for k, v in self.endpoints.items() if k not in SIGN_IN_ONLY}}
        if self.start_date:
            settings["start_date"] = self.start_date
        if self.max_messages_per_run:
            settings["max_messages_per_run"] = self.max_messages_per_run
        return settings


def env_name(connection_name: str) -> str:
    """``gmail-praxis`` -> ``GMAIL_PRAXIS`` (the prefix of its secrets' names)."""
    return re.sub(r"[^A-Z0-9]", "_", connection_name.upper())


def mail_connections(config: Config) -> list[MailConnection]:
    """Every configured mailbox, with the extraction defaults filled in."""
    defaults = config.section("extraction")
    timeout = float(defaults.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS))
    chunk = int(defaults.get("max_messages_per_run", DEFAULT_MAX_MESSAGES_PER_RUN))
    return [
        MailConnection(
            name=str(entry["name"]), system=str(entry["system"]), mailbox=str(entry["mailbox"]),
            start_date=entry.get("start_date"),
            timeout_seconds=float(entry.get("timeout_seconds", timeout)),
            max_messages_per_run=int(entry.get("max_messages_per_run", chunk)),
            endpoints=dict(entry.get("settings") or {}),
        )
        for entry in config.connections("email")
    ]


def find_mail_connection(config: Config, name: str) -> MailConnection:
    """The connection called ``name``; a ``ValueError`` that lists the configured ones otherwise."""
    connections = mail_connections(config)
    for connection in connections:
        if connection.name == name:
            return connection
    known = ", ".join(c.name for c in connections) or "none"
    raise ValueError(f"no e-mail connection named {name!r} in {config.home.config_path} "
                     f"(configured: {known}); add it under connections.email first")


def withheld_variables(connections: list[MailConnection], environ: Mapping[str, str]) -> tuple[str, ...]:
    """What a tap must not inherit from lorc's environment: every mailbox secret (a tap gets
    its own as settings), lorc's own settings and the warehouse's credentials."""
    names = {name for c in connections for key in c.spec.secret_keys for name in c.secret_names(key)}
    names |= {name for name in environ if name.startswith("LORC_")}
    names.add("GOOGLE_APPLICATION_CREDENTIALS")
    return tuple(sorted(names))


def max_reject_rate(config: Config) -> float:
    return float(config.section("extraction").get("max_reject_rate", DEFAULT_MAX_REJECT_RATE))
