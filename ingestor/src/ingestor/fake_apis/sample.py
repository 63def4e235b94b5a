"""The fake APIs the sample profile runs the production taps against."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ingestor.fake_apis.server import running

TapSettings = Callable[[str, Mapping[str, str]], dict[str, str]]
"""``(system, source) -> settings``: where the tap finds the fake API and how it signs in.
``source`` is what the connection names (``mailbox``, ``form_id``, ``spreadsheet_id``...)."""
# What the connection decides, not the fake: the session table is the practice's setting.
_CONNECTION_SETTINGS = frozenset({"session_table", "session_entity_set"})


@contextmanager
def sample_apis(*, revision: int = 1, log_path: Path | None = None) -> Iterator[TapSettings]:
    """Start fake Google (Gmail, Forms, Sheets), Microsoft Graph and Dataverse servers
    serving the practice story at ``revision`` on loopback for the block; every request
    goes to ``log_path``."""
    from ingestor.fake_apis.dataverse import fake_dataverse
    from ingestor.fake_apis.google import fake_google
    from ingestor.fake_apis.microsoft import fake_microsoft

    google = fake_google(revision=revision, log_path=log_path)
    microsoft = fake_microsoft(revision=revision, log_path=log_path)
    dataverse = fake_dataverse(revision=revision, log_path=log_path)
    with running(google, microsoft, dataverse):

        def settings(system: str, source: Mapping[str, str]) -> dict[str, str]:
            if system == "gmail":
                return google.tap_settings(source["mailbox"])
            if system == "exchange":
                return microsoft.tap_settings(source["mailbox"])
            if system == "google_forms":
                return google.forms_settings()
            if system == "google_sheets":
                return google.sheets_settings()
            if system == "dataverse":
                return {k: v for k, v in dataverse.tap_settings().items() if k not in _CONNECTION_SETTINGS}
            raise ValueError(f"no fake API for system {system!r}")

        yield settings
