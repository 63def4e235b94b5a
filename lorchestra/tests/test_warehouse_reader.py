"""The console's reader beside real runs: it serves what it read last while a run holds the
DuckDB warehouse, never opens it while a run is alive, never fails a run that starts
while it reads, and reads the published views at any time. Every run and holder here is
a real process; the warehouse a real file."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli_support import LORC, lorc
from lorchestra.config import Config, load_config
from lorchestra.home import PhiHome
from lorchestra.runlock import lock_holder, lock_path
from lorchestra.stack_clients import Column, EventRow, Store, open_store
from lorchestra.stack_clients.clock import new_id, utcnow
from lorchestra.warehouse_reader import WarehouseBusy, WarehouseReader
from process_support import paused_run, resume, warehouse_holder

PAUSE_IN_INGEST = "raw.before_commit:example_synthetic_ingest"  # mid-transaction: the file is held for writing
TRIAL = [Column("k", "string"), Column("n", "int"), Column("seen_at", "timestamp"), Column("tags", "string[]")]
AT = datetime(2026, 11, 9, 8, 30, 15, 123456, tzinfo=UTC)


class CountingReader:
    """A reader callable that counts how often it was given an open store."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, store: Store) -> int:
        self.calls += 1
        return len(store.read_events(["job.started", "job.completed", "test.marker"]))


def append_marker(config: Config) -> None:
    store = open_store(config)
    try:
        store.ensure_schema()
        store.append_events([EventRow(event_id=new_id(), event_type="test.marker", created_at=utcnow())])
    finally:
        store.close()


@pytest.fixture
def reader(home: PhiHome) -> Iterator[WarehouseReader]:
    assert lorc("run", "warehouse_stats").returncode == 0
    opened = WarehouseReader(load_config(home, {}), max_age_seconds=0.0)  # never fresh by age: every read tries
    try:
        yield opened
    finally:
        opened.close()


def test_reads_are_cached_until_the_warehouse_changes(home: PhiHome) -> None:
    assert lorc("run", "warehouse_stats").returncode == 0
    config = load_config(home, {})
    reader, count = WarehouseReader(config, max_age_seconds=3600), CountingReader()
    try:
        first = reader.read("events", count)
        assert first.value == 2 and not first.stale and count.calls == 1
        assert reader.read("events", count) == first and count.calls == 1  # nothing changed: not opened
        append_marker(config)
        second = reader.read("events", count)
        assert (second.value, second.stale, count.calls) == (3, False, 2)
        assert second.as_of >= first.as_of
    finally:
        reader.close()


@pytest.mark.example_plugin
def test_a_run_holding_the_warehouse_gets_the_last_value_stale_never_an_open(
    home: PhiHome, reader: WarehouseReader
) -> None:
    count = CountingReader()
    before = reader.read("events", count)
    with paused_run("run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST) as run:
        during = reader.read("events", count)
        assert (during.value, during.as_of, during.stale) == (before.value, before.as_of, True)
        assert count.calls == 1  # the run lock was enough: the warehouse was not opened
        with pytest.raises(WarehouseBusy) as busy:
            reader.read("never read before", count)
        run_id = lock_holder(lock_path(home)).run_id  # type: ignore[union-attr]
        assert f"lorc run {run_id} (pid {run.pid})" in str(busy.value)
        assert busy.value.holder == f"lorc run {run_id} (pid {run.pid})"
        assert count.calls == 1
        assert resume(run).returncode == 0
    after = reader.read("events", count)
    assert not after.stale and after.value > before.value and count.calls == 2


def test_a_program_holding_the_warehouse_is_named_and_not_waited_for(
    home: PhiHome, reader: WarehouseReader, tmp_path: Path
) -> None:
    count = CountingReader()
    with warehouse_holder(home.root / "warehouse.duckdb", tmp_path, read_only=False) as holder:
        with pytest.raises(WarehouseBusy) as busy:
            reader.read("events", count)
        assert f"(pid {holder.pid}: notebook_holder.py)" in str(busy.value)
        assert count.calls == 0
    assert reader.read("events", count).value == 2


def test_a_run_that_starts_during_a_read_waits_one_read_and_succeeds(home: PhiHome, reader: WarehouseReader) -> None:
    """The reader holds the file while the run takes its lock and tries to open it: the run
    waits for that one read (its grace), and at most the read already past its check of the
    run lock opens the file while the run lives."""
    inside, run_holder = threading.Event(), threading.Event()
    opened_during_run: list[int] = []

    def slow(store: Store) -> int:
        inside.set()
        deadline = time.monotonic() + 60
        while lock_holder(lock_path(home)) is None:  # hold the file until the run has its lock
            assert time.monotonic() < deadline
            time.sleep(0.01)
        run_holder.set()
        return len(store.read_events(["job.started"]))

    result: list[object] = []
    reading = threading.Thread(target=lambda: result.append(reader.read("slow", slow)))
    reading.start()
    assert inside.wait(60)
    run = subprocess.Popen([LORC, "run", "warehouse_stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def counted(store: Store) -> int:
        if lock_holder(lock_path(home)) is not None:
            opened_during_run.append(1)
        return 0

    while run.poll() is None:  # a page reloaded over and over while the run goes on
        with contextlib.suppress(WarehouseBusy):
            reader.read("again", counted)
        time.sleep(0.01)
    reading.join(60)
    out, err = run.communicate()
    assert run.returncode == 0, out + err
    assert run_holder.is_set() and result and result[0].value == 1  # type: ignore[attr-defined]
    # A read that checked the run lock just before the run took it may still open the file
    # (the run outwaits it); none after that one.
    assert len(opened_during_run) <= 1


@pytest.mark.example_plugin
def test_views_are_read_during_a_run_and_a_missing_one_is_empty(home: PhiHome) -> None:
    config = load_config(home, {})
    store = open_store(config)
    try:
        store.replace_table(
            "trial_view",
            TRIAL,
            [{"k": "a", "n": 1, "seen_at": AT, "tags": ["x", "y"]}, {"k": "b", "n": 2, "seen_at": None}],
        )
        store.publish_views(["trial_view"])
        held = sorted(store.read_table("trial_view"), key=lambda r: r["k"])
    finally:
        store.close()
    reader = WarehouseReader(config)
    try:
        with paused_run("run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST) as run:
            rows = reader.view_rows("trial_view")
            assert sorted(rows.value, key=lambda r: r["k"]) == held and not rows.stale  # typed as the store reads
            assert held[0]["seen_at"] == AT and held[0]["seen_at"].tzinfo is not None and held[0]["tags"] == ["x", "y"]
            assert reader.view_rows("inbox_view").value == []
            assert resume(run).returncode == 0
        store = open_store(config)
        try:
            store.replace_table("trial_view", TRIAL, [{"k": "c", "n": 3}])
            store.publish_views(["trial_view"])
        finally:
            store.close()
        assert [(r["k"], r["n"]) for r in reader.view_rows("trial_view").value] == [("c", 3)]  # a new file, read anew
    finally:
        reader.close()


def test_bigquery_reads_the_dataset_and_caches_by_age(
    home: PhiHome, bq_emulator: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uuid

    from cli_support import bigquery_environ

    for key, value in bigquery_environ(bq_emulator, f"r_{uuid.uuid4().hex[:10]}").items():
        monkeypatch.setenv(key, value)
    config = load_config(home)
    store = open_store(config)
    try:
        store.ensure_schema(create_dataset=True)
        store.append_events([EventRow(event_id=new_id(), event_type="job.started", created_at=utcnow())])
        store.replace_table("trial_view", TRIAL, [{"k": "a", "n": 1}])
    finally:
        store.close()
    reader, count = WarehouseReader(config, max_age_seconds=3600), CountingReader()
    try:
        assert reader.read("events", count).value == 1
        assert reader.read("events", count).value == 1 and count.calls == 1  # cached: a query costs money
        assert [(r["k"], r["n"]) for r in reader.view_rows("trial_view").value] == [("a", 1)]
        assert reader.view_rows("inbox_view").value == []  # not built yet
    finally:
        reader.close()
    aged, count = WarehouseReader(config, max_age_seconds=0.0), CountingReader()
    try:
        aged.read("events", count)
        aged.read("events", count)
        assert count.calls == 2
    finally:
        aged.close()
