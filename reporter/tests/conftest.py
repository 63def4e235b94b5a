"""Shared fixtures: a real SMTP server on loopback (aiosmtpd) that records what it gets,
an environment without the developer's home, LORC_* settings or credentials, and the
practice report of the hand-made 2026-W46 data set."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from assemble_week46 import CLIENTS, INBOX, PAIRED, TIMESERIES, WEEK
from reporter import assemble_practice_report
from smtp_sink import Sink


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As lorchestra's tests: LORC_HOME and HOME in the test's temporary directory."""
    for name in list(os.environ):
        if (
            name.startswith("LORC_")
            or name.endswith(("_CLIENT_ID", "_CLIENT_SECRET", "_REFRESH_TOKEN", "_TENANT_ID"))
            or name == "GOOGLE_APPLICATION_CREDENTIALS"
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LORC_HOME", str(tmp_path / "lorc-home"))
    user_home = tmp_path / "user-home"
    user_home.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(user_home))


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A server on loopback that accepts connections and never says a word (a hung MTA)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return assemble_practice_report(WEEK, INBOX, TIMESERIES, PAIRED, CLIENTS)
