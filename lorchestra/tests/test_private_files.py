"""Every file the library creates is private whatever the caller's umask (issue 11, item 6).

A notebook or script uses ``lorchestra`` under its own umask (typically 022); the CLI's
``umask 077`` does not help it. These tests run the real measurement lane through
``lorchestra.runner.run_jobs`` on a real DuckDB warehouse under umask 022, look at every
file in the PHI home while the warehouse is open (the WAL, DuckDB's temporary files,
Meltano's files, spill files), and check that the caller's umask is given back.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_sql import sql_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.jobkit import JobContext, JobResult
from lorchestra.jobs import JobRegistry, JobSpec
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import open_store

LANE = [
    "extract_forms",
    "extract_contacts",
    "canonicalize_contacts",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
]


def make_duckdb_spill(store: object) -> None:
    """A temp table larger than a 64 MB memory limit: DuckDB offloads it to its temporary directory."""
    sql_rows(store, "SET memory_limit = '64MB'")
    sql_rows(
        store,
        "CREATE OR REPLACE TEMP TABLE _probe AS SELECT range::VARCHAR || repeat('x', 200) AS s FROM range(1500000)",
    )


@pytest.fixture
def caller_umask() -> Iterator[int]:
    """The notebook's umask, 022, for the test; the runner's own umask afterwards."""
    before = os.umask(0o022)
    try:
        yield 0o022
    finally:
        os.umask(before)


def current_umask() -> int:
    value = os.umask(0o022)
    os.umask(value)
    return value


def modes_under(root: Path) -> dict[str, int]:
    """Mode of every file and directory under ``root`` (links not followed: the shared
    Meltano plugin installs are linked in and are not the home's files)."""
    found: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            info = path.lstat()
            if not stat.S_ISLNK(info.st_mode):
                found[str(path.relative_to(root))] = stat.S_IMODE(info.st_mode)
    return found


def too_open(modes: dict[str, int]) -> dict[str, str]:
    return {path: f"{mode:04o}" for path, mode in modes.items() if mode & 0o077}


def test_a_run_from_python_under_umask_022_creates_only_private_files(home: PhiHome, caller_umask: int) -> None:
    seen: dict[str, int] = {}

    def look_at_the_home(ctx: JobContext) -> JobResult:
        """Runs last, with the warehouse open and written: its WAL exists now."""
        make_duckdb_spill(ctx.store)
        seen.update(modes_under(ctx.home.root))
        return JobResult()

    registry = JobRegistry.discover()
    registry.jobs["look_at_the_home"] = JobSpec("look_at_the_home", look_at_the_home, "tests", "tests")

    report = run_jobs([*LANE, "look_at_the_home"], home=home, registry=registry)

    assert report.ok, report.as_dict()
    assert "warehouse.duckdb.wal" in seen, sorted(seen)  # the file the issue is about was there
    assert any(path.startswith("tmp/duckdb/") for path in seen), sorted(seen)
    assert any(path.startswith("meltano/") for path in seen), sorted(seen)
    assert too_open(seen) == {}
    assert too_open(modes_under(home.root)) == {}
    assert current_umask() == caller_umask  # the notebook's own umask is given back


def test_a_store_opened_from_python_keeps_its_files_private_until_it_is_closed(
    home: PhiHome, caller_umask: int
) -> None:
    store = open_store(load_config(home))
    try:
        sql_rows(store, "CREATE TABLE notes (text VARCHAR)")
        sql_rows(store, "INSERT INTO notes VALUES ('a note')")  # DuckDB (re)creates the WAL now
        make_duckdb_spill(store)
        seen = modes_under(home.root)
    finally:
        store.close()
    assert "warehouse.duckdb.wal" in seen, sorted(seen)
    assert too_open(seen) == {}
    assert current_umask() == caller_umask


def test_a_read_only_store_keeps_its_temporary_files_in_the_phi_home(
    home: PhiHome, caller_umask: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's default temporary directory is ``.tmp`` in the caller's working directory."""
    elsewhere = tmp_path / "notebook-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    store = open_store(load_config(home), read_only=True)
    try:
        make_duckdb_spill(store)
        seen = modes_under(home.root)
        beside_the_notebook = sorted(modes_under(elsewhere))
    finally:
        store.close()
    assert beside_the_notebook == []
    assert any(path.startswith("tmp/duckdb/") for path in seen), sorted(seen)
    assert too_open(seen) == {}
    assert current_umask() == caller_umask
