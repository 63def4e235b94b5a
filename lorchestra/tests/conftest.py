"""Fixtures: an isolated PHI home per test, and the store contract run on both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from cli_support import bigquery_environ
from lorchestra import faults
from lorchestra.config import Config, load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.stack_clients import EventClient, Store, open_store
from production_fakes import Fakes, started_fakes

BACKENDS = ["duckdb", "bigquery"]


# What lorc reads from a user's environment besides LORC_*: connection secrets (the vendor's or
# a connection's <NAME>_<KEY>) and the warehouse's Google credentials.
SECRET_SUFFIXES = ("_CLIENT_ID", "_CLIENT_SECRET", "_REFRESH_TOKEN", "_TENANT_ID")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's real home, credentials or leftover LORC_* settings:
    LORC_HOME and HOME point into the test's temporary directory."""
    for name in list(os.environ):
        if name.startswith("LORC_") or name.endswith(SECRET_SUFFIXES) or name == "GOOGLE_APPLICATION_CREDENTIALS":
            monkeypatch.delenv(name)
    monkeypatch.setenv("LORC_HOME", str(tmp_path / "lorc-home"))
    user_home = tmp_path / "user-home"
    user_home.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(user_home))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``example_plugin`` fails, never skips, when the plugin is not installed."""
    if item.get_closest_marker("example_plugin") is None:
        return
    try:
        metadata.distribution("lorc-example-plugin")
    except metadata.PackageNotFoundError:
        pytest.fail(
            "this test needs the example job plugin: run ./dev test, or "
            "pip install -e lorchestra/tests/plugins/lorc_example_plugin",
            pytrace=False,
        )


@pytest.fixture
def home(tmp_path: Path) -> PhiHome:
    phi_home = PhiHome(tmp_path / "lorc-home")
    init_home(phi_home)
    return phi_home


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    """Every source's fake API on loopback (production-profile tests)."""
    yield from started_fakes()


@pytest.fixture(scope="session")
def bq_emulator() -> Iterator[object]:
    from bq_emulator import start_emulator  # type: ignore[import-not-found]

    handle = start_emulator(project="lorc-test-project")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(params=BACKENDS)
def backend_config(request: pytest.FixtureRequest, home: PhiHome, monkeypatch: pytest.MonkeyPatch) -> Config:
    """The config of a fresh warehouse on each backend (a new BigQuery dataset per test)."""
    if request.param == "bigquery":
        emulator = request.getfixturevalue("bq_emulator")
        for key, value in bigquery_environ(emulator, f"t_{uuid.uuid4().hex[:12]}").items():
            monkeypatch.setenv(key, value)
    return load_config(home)


@pytest.fixture
def store(backend_config: Config) -> Iterator[Store]:
    opened = open_store(backend_config)
    opened.ensure_schema(create_dataset=True)  # a fresh dataset per test on BigQuery
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def events(store: Store, backend_config: Config) -> EventClient:
    return EventClient(
        store, run_id="run-test", job_name="extract_test", tmp_dir=backend_config.home.tmp_dir, batch_rows=1000
    )


@pytest.fixture(params=BACKENDS)
def lane_env(request: pytest.FixtureRequest, home: PhiHome) -> dict[str, str]:
    """Extra environment for `lorc` subprocesses: none for DuckDB, an initialised fresh
    dataset on the emulator for BigQuery."""
    if request.param == "duckdb":
        return {}
    from cli_support import lorc

    env = bigquery_environ(request.getfixturevalue("bq_emulator"), f"lane_{uuid.uuid4().hex[:10]}")
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    return env


@pytest.fixture(autouse=True)
def _no_fault_armed_from_an_earlier_test() -> None:
    """Fault points read the environment once per process (lorchestra.faults): a test that
    armed one in this process must not leave it armed for the next."""
    faults.reset()
