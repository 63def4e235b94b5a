"""Fixtures: an isolated environment per test, a sample warehouse made once per session
(`lorc init`, the weekly pipeline and a failing job, as a practice's machine has it),
a real `lorc serve` over it, and a headless Chromium signed in through the start URL."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, SampleHome, Server, make_sample_home, open_browser, started_server


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


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> SampleHome:
    return make_sample_home(tmp_path_factory.mktemp("console-sample"))


@pytest.fixture(scope="session")
def server(sample_home: SampleHome) -> Iterator[Server]:
    with started_server(sample_home) as running:
        yield running


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Browser]:
    """A Chromium signed in through the server's start URL (which is then spent)."""
    with open_browser(server) as signed_in:
        yield signed_in


LORCHESTRA_TESTS = Path(__file__).resolve().parents[2] / "lorchestra" / "tests"


def _lorchestra_test_module(name: str) -> Any:
    """A helper of lorchestra's tests (the BigQuery emulator and its environment), not copied."""
    if str(LORCHESTRA_TESTS) not in sys.path:
        sys.path.append(str(LORCHESTRA_TESTS))
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def bq_emulator() -> Iterator[object]:
    handle = _lorchestra_test_module("bq_emulator").start_emulator(project="lorc-test-project")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def bigquery_environ() -> Any:
    return _lorchestra_test_module("cli_support").bigquery_environ
