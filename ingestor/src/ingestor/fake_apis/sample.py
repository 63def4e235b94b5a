"""The fake mail APIs the sample profile runs the production taps against."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestor.fake_apis.server import running

TapSettings = Callable[[str, str], dict[str, str]]
"""``(system, mailbox) -> settings``: where the tap finds the fake API and how it signs in."""


@contextmanager
def sample_mail_apis(*, revision: int = 1, log_path: Path | None = None) -> Iterator[TapSettings]:
    """Start fake Gmail and Microsoft Graph servers serving the practice story at
    ``revision`` on loopback for the block; every request goes to ``log_path``."""
    from ingestor.fake_apis.google import fake_google
    from ingestor.fake_apis.microsoft import fake_microsoft

    google = fake_google(revision=revision, log_path=log_path)
    microsoft = fake_microsoft(revision=revision, log_path=log_path)
    with running(google, microsoft):
        servers = {"gmail": google, "exchange": microsoft}
        yield lambda system, mailbox: servers[system].tap_settings(mailbox)
