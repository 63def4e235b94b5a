"""A connection as lorc runs it: config entry, tap, settings and the secrets it needs.

A user writes only what names the source (``{name, system, mailbox}``, ``{…, form_id}``,
``{…, spreadsheet_id, sheet}``, ``{…, environment_url, publisher_prefix}``) and optionally
``start_date``, limits and endpoints; everything else is derived here. Secrets come from the
environment or ``$LORC_HOME/.env`` under the connection's own names
(``GMAIL_PRAXIS_REFRESH_TOKEN``), falling back to one name shared by every connection of a
vendor (``GOOGLE_CLIENT_ID``), because a practice usually has one OAuth client or app
registration — and one Google account for its forms and sheets — for everything.
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
# Connections wait mostly on their APIs and each `meltano run` holds about 150 MB: four at
# once keep a small practice's two-core machine busy without crowding its memory.
DEFAULT_MAX_PARALLEL_CONNECTIONS = 4
DEFAULT_PUBLISHER_PREFIX = "cr7a2_"
ENDPOINT_SETTINGS = ("api_url", "token_url", "authority_url", "ca_bundle", "auth_url")
SIGN_IN_ONLY = frozenset({"auth_url"})  # used by `lorc connect`, never by the tap
KINDS = ("email", "forms", "crm")


@dataclass(frozen=True)
class System:
    """What lorc knows about one kind of source."""

    tap: str
    kind: str  # the config section: email, forms, crm
    source_keys: tuple[str, ...]  # the entry's keys that name the source; passed to the tap as they are
    secret_keys: tuple[str, ...]  # the tap settings that are secrets, in the order to ask for them
    vendor: str  # prefix of the secret names shared by every connection of this vendor
    connect: str  # the `lorc connect` subcommand that signs it in
    per_connection_only: frozenset[str] = frozenset()  # keys never shared (a mailbox's own token)


_GOOGLE_SECRETS = ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN")
_MICROSOFT_SECRETS = ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET")
SYSTEMS: Mapping[str, System] = {
    "gmail": System(
        "tap-lorc-gmail", "email", ("mailbox",), _GOOGLE_SECRETS, "GOOGLE", "gmail", frozenset({"REFRESH_TOKEN"})
    ),
    "exchange": System("tap-lorc-graph", "email", ("mailbox",), _MICROSOFT_SECRETS, "MICROSOFT", "exchange"),
    "google_forms": System("tap-lorc-forms", "forms", ("form_id",), _GOOGLE_SECRETS, "GOOGLE", "google"),
    "google_sheets": System(
        "tap-lorc-sheets", "forms", ("spreadsheet_id", "sheet"), _GOOGLE_SECRETS, "GOOGLE", "google"
    ),
    "dataverse": System(
        "tap-lorc-dataverse", "crm", ("environment_url",), _MICROSOFT_SECRETS, "MICROSOFT", "dataverse"
    ),
}


@dataclass(frozen=True)
class Connection:
    name: str
    system: str
    source: Mapping[str, str]  # what names the source: mailbox, form_id, spreadsheet_id + sheet, environment_url
    start_date: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_messages_per_run: int = 0  # mail only: the chunk of a backfill
    endpoints: Mapping[str, str] = field(default_factory=dict)  # api_url, token_url, ...
    entry: Mapping[str, Any] = field(default_factory=dict)  # the config entry as written

    @property
    def spec(self) -> System:
        return SYSTEMS[self.system]

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def tap(self) -> str:
        return self.spec.tap

    @property
    def mailbox(self) -> str:
        return str(self.source.get("mailbox", ""))

    @property
    def described(self) -> str:
        """What it reads, for messages: ``gmail mailbox x@y``, ``google_forms form 1abc``."""
        what = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in self.source.items())
        return f"{self.system} {what}"

    @property
    def connect_command(self) -> str:
        return f"lorc connect {self.spec.connect} {self.name}"

    # --- the Dataverse session table ------------------------------------------------------------
    @property
    def publisher_prefix(self) -> str:
        return str(self.entry.get("publisher_prefix") or DEFAULT_PUBLISHER_PREFIX)

    @property
    def session_table(self) -> str:
        """The session table's logical name (``cr7a2_session``)."""
        return str(self.entry.get("session_table") or f"{self.publisher_prefix}session")

    @property
    def session_entity_set(self) -> str:
        """The session table's entity set, the Web API's collection name (``cr7a2_sessions``)."""
        return str(self.entry.get("session_entity_set") or f"{self.session_table}s")

    # --- secrets and settings ---------------------------------------------------------------------
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
        """The settings that are not secrets: the source, the first day, the chunk, endpoints."""
        settings: dict[str, Any] = {**self.source, **{k: v for k, v in self.endpoints.items() if k not in SIGN_IN_ONLY}}
        if self.start_date:
            settings["start_date"] = self.start_date
        if self.max_messages_per_run:
            settings["max_messages_per_run"] = self.max_messages_per_run
        if self.system == "dataverse":
            settings.update(session_table=self.session_table, session_entity_set=self.session_entity_set)
        return settings


def env_name(connection_name: str) -> str:
    """``gmail-praxis`` -> ``GMAIL_PRAXIS`` (the prefix of its secrets' names)."""
    return re.sub(r"[^A-Z0-9]", "_", connection_name.upper())


def connections(config: Config, *kinds: str) -> list[Connection]:
    """Every configured connection of ``kinds`` (default: all), with the extraction defaults
    filled in, in config order."""
    defaults = config.section("extraction")
    timeout = float(defaults.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS))
    chunk = int(defaults.get("max_messages_per_run", DEFAULT_MAX_MESSAGES_PER_RUN))
    found = []
    for kind in kinds or KINDS:
        for entry in config.connections(kind):
            spec = SYSTEMS[str(entry["system"])]
            found.append(
                Connection(
                    name=str(entry["name"]),
                    system=str(entry["system"]),
                    source={key: str(entry[key]) for key in spec.source_keys if entry.get(key)},
                    start_date=entry.get("start_date"),
                    timeout_seconds=float(entry.get("timeout_seconds", timeout)),
                    max_messages_per_run=int(entry.get("max_messages_per_run", chunk)) if kind == "email" else 0,
                    endpoints=dict(entry.get("settings") or {}),
                    entry=dict(entry),
                )
            )
    return found


def mail_connections(config: Config) -> list[Connection]:
    return connections(config, "email")


def find_connection(config: Config, name: str, *kinds: str) -> Connection:
    """The connection called ``name``; a ``ValueError`` that lists the configured ones otherwise."""
    candidates = connections(config, *kinds)
    for connection in candidates:
        if connection.name == name:
            return connection
    known = ", ".join(c.name for c in candidates) or "none"
    sections = " or ".join(f"connections.{kind}" for kind in kinds or KINDS)
    raise ValueError(
        f"no connection named {name!r} in {config.home.config_path} "
        f"(configured: {known}); add it under {sections} first"
    )


def withheld_variables(config: Config, environ: Mapping[str, str]) -> tuple[str, ...]:
    """What a tap must not inherit from lorc's environment: every connection's secrets (a tap
    gets its own as settings), lorc's own settings and the warehouse's credentials."""
    names = {name for c in connections(config) for key in c.spec.secret_keys for name in c.secret_names(key)}
    names |= {name for name in environ if name.startswith("LORC_")}
    names.add("GOOGLE_APPLICATION_CREDENTIALS")
    return tuple(sorted(names))


def max_reject_rate(config: Config) -> float:
    return float(config.section("extraction").get("max_reject_rate", DEFAULT_MAX_REJECT_RATE))


def max_parallel_connections(config: Config) -> int:
    """How many connections of a job extract at the same time."""
    return int(config.section("extraction").get("max_parallel_connections", DEFAULT_MAX_PARALLEL_CONNECTIONS))
