"""A PHI home on the production profile whose mailboxes are fake APIs on loopback.

Everything a practice writes is written the practice's way: ``config.yaml`` names the
connections (with ``settings`` pointing at the fake servers) and ``.env`` holds their
secrets under the connections' names. Benchmarks and end-to-end tests use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import yaml

from lorchestra.connect import store_connection_secrets
from lorchestra.connections import ENDPOINT_SETTINGS
from lorchestra.home import PhiHome

SECRET_SETTINGS = ("tenant_id", "client_id", "client_secret", "refresh_token")


def point_at_fakes(home: PhiHome, connections: Sequence[Mapping[str, Any]],
                   settings_of: Callable[[str, str], Mapping[str, str]], *,
                   extraction: Mapping[str, Any] | None = None) -> None:
    """Make ``home`` (initialised) read ``connections`` (``{name, system, mailbox, ...}``) on
    the production profile; ``settings_of(system, mailbox)`` gives the fake's tap settings."""
    config = yaml.safe_load(home.config_path.read_text())
    config["profile"] = "production"
    entries = []
    for connection in connections:
        settings = settings_of(str(connection["system"]), str(connection["mailbox"]))
        entries.append({**connection, "settings": {k: v for k, v in settings.items() if k in ENDPOINT_SETTINGS}})
        store_connection_secrets(home, str(connection["name"]),
                                 {k.upper(): v for k, v in settings.items() if k in SECRET_SETTINGS})
    config["connections"]["email"] = entries
    if extraction:
        config["extraction"] = dict(extraction)
    home.config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
