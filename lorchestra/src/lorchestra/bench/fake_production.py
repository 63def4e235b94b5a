"""A PHI home on the production profile whose sources are fake APIs on loopback.

Everything a practice writes is written the practice's way: ``config.yaml`` names the
connections (with ``settings`` pointing at the fake servers) and ``.env`` holds their
secrets under the connections' names. Benchmarks and end-to-end tests use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import yaml

from lorchestra.connect import store_connection_secrets
from lorchestra.connections import ENDPOINT_SETTINGS, SYSTEMS
from lorchestra.home import PhiHome

SECRET_SETTINGS = ("tenant_id", "client_id", "client_secret", "refresh_token")
SettingsOf = Callable[[str, Mapping[str, str]], Mapping[str, str]]


def point_at_fakes(
    home: PhiHome,
    connections: Sequence[Mapping[str, Any]],
    settings_of: SettingsOf,
    *,
    extraction: Mapping[str, Any] | None = None,
) -> None:
    """Make ``home`` (initialised) read ``connections`` (config entries: ``{name, system,
    mailbox | form_id | ..., ...}``) on the production profile, in place of the configured
    connections of their kinds; ``settings_of(system, source)`` gives the fake's tap
    settings (``source``: the entry's keys that name the source)."""
    config = yaml.safe_load(home.config_path.read_text())
    config["profile"] = "production"
    entries: dict[str, list[dict[str, Any]]] = {}
    for connection in connections:
        spec = SYSTEMS[str(connection["system"])]
        settings = settings_of(
            str(connection["system"]), {k: str(connection[k]) for k in spec.source_keys if k in connection}
        )
        entry = {
            **connection,
            **{k: v for k, v in settings.items() if k in spec.source_keys},
            "settings": {k: v for k, v in settings.items() if k in ENDPOINT_SETTINGS},
        }
        entries.setdefault(spec.kind, []).append(entry)
        store_connection_secrets(
            home, str(connection["name"]), {k.upper(): v for k, v in settings.items() if k in SECRET_SETTINGS}
        )
    config["connections"].update(entries)
    if extraction:
        config["extraction"] = dict(extraction)
    home.config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
