"""Follow-ups of item-9 safety flags: the core table and its write on both backends (the
first mark wins, row and audit event together), marks journaled while a real run or a
real program holds the DuckDB warehouse and applied by the next run, a crash between
applying and emptying the journal, and bad marks refused with nothing written."""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import os
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from cli_support import LORC, lorc
from lorchestra.config import Config, load_config
from lorchestra.followups import (
    EVENT_TYPE,
    FollowUpError,
    allowed_clinicians,
    apply_pending_followups,
    journal_path,
    mark_followed_up,
    pending_flag_keys,
)
from lorchestra.home import PhiHome
from lorchestra.stack_clients import CanonicalRow, EventClient, EventRow, Store, open_store
from lorchestra.stack_clients.clock import new_id
from process_support import paused_run, resume, warehouse_holder

PAUSE_IN_INGEST = "raw.before_commit:example_synthetic_ingest"
FLAG = "forms:main:questionnaire_response:r-17#safety_flag:item9_positive"
OTHER_FLAG = "forms:main:questionnaire_response:r-18#safety_flag:item9_unanswered"
# What a flag's payload holds (synthetic): none of it may appear in a message, log or event.
FLAG_PAYLOAD = {"flag": "item9_positive", "client_id": "c-4711", "client_name": "Erika Mustermann", "score": 2}
MARKED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def with_clinicians(config: Config, names: list[str]) -> Config:
    return dataclasses.replace(config, data={**config.data, "console": {"clinicians": names}})


def add_flags(store: Store, *keys: str) -> None:
    rows = [
        CanonicalRow(
            key, "safety_flag", "iglu:org.canonical/safety_flag/jsonschema/1-0-0", key, "h", "t/1", FLAG_PAYLOAD
        )
        for key in keys
    ]
    store.upsert_canonical(rows, run_id="run-flags", now=MARKED_AT)
    store.flush()


def followups(store: Store) -> list[dict[str, object]]:
    return sorted(store.read_table("safety_followups"), key=lambda r: str(r["flag_key"]))


def marked_events(store: Store) -> list[EventRow]:
    return store.read_events([EVENT_TYPE])


def flagged_config(config: Config, *keys: str) -> Config:
    store = open_store(config)
    try:
        store.ensure_schema(create_dataset=config.backend == "bigquery")
        add_flags(store, *keys)
    finally:
        store.close()
    return config


# -- the table and its write, both backends ------------------------------------------------
def test_the_first_row_of_a_key_wins_and_only_inserted_rows_write_their_event(store: Store) -> None:
    def row(key: str, by: str) -> dict[str, object]:
        return {"flag_key": key, "followed_up_by": by, "followed_up_at": MARKED_AT, "recorded_at": MARKED_AT}

    def event(key: str, by: str) -> EventRow:
        return EventRow(new_id(), EVENT_TYPE, MARKED_AT, payload={"flag_key": key, "by": by})

    store.insert_first("safety_followups", [row(FLAG, "AB"), row(FLAG, "CD")], [event(FLAG, "AB"), event(FLAG, "CD")])
    store.insert_first(
        "safety_followups", [row(FLAG, "EF"), row(OTHER_FLAG, "EF")], [event(FLAG, "EF"), event(OTHER_FLAG, "EF")]
    )
    assert [(r["flag_key"], r["followed_up_by"], r["followed_up_at"]) for r in followups(store)] == [
        (FLAG, "AB", MARKED_AT),
        (OTHER_FLAG, "EF", MARKED_AT),
    ]
    assert sorted((e.payload["flag_key"], e.payload["by"]) for e in marked_events(store)) == [
        (FLAG, "AB"),
        (OTHER_FLAG, "EF"),
    ]


def test_a_row_whose_event_cannot_be_written_is_not_written_either(home: PhiHome) -> None:
    """DuckDB: one transaction (an event id already in event_log fails the insert)."""
    store = open_store(load_config(home, {}))
    try:
        store.ensure_schema()
        taken = EventRow(new_id(), "job.started", MARKED_AT)
        store.append_events([taken])
        row = {"flag_key": FLAG, "followed_up_by": "AB", "followed_up_at": MARKED_AT, "recorded_at": MARKED_AT}
        with pytest.raises(Exception, match="(?i)constraint|duplicate"):
            store.insert_first("safety_followups", [row], [dataclasses.replace(taken, event_type=EVENT_TYPE)])
        assert followups(store) == [] and marked_events(store) == []
    finally:
        store.close()


def test_a_mark_is_recorded_once_with_its_audit_event(backend_config: Config) -> None:
    config = with_clinicians(flagged_config(backend_config, FLAG), ["AB", "CD"])
    assert mark_followed_up(config, FLAG, "AB", now=MARKED_AT) == "recorded"
    assert mark_followed_up(config, FLAG, "CD") == "already"
    store = open_store(config)
    try:
        [row] = followups(store)
        assert (row["flag_key"], row["followed_up_by"], row["followed_up_at"]) == (FLAG, "AB", MARKED_AT)
        [event] = marked_events(store)
        assert event.payload == {"flag_key": FLAG, "by": "AB"}
    finally:
        store.close()


def test_the_clinicians_are_the_configured_ones_or_the_user_at_the_machine(home: PhiHome) -> None:
    config = load_config(home, {})
    assert allowed_clinicians(config) == [getpass.getuser()]
    assert allowed_clinicians(with_clinicians(config, ["AB", "Dr. C"])) == ["AB", "Dr. C"]


@pytest.mark.parametrize(
    ("flag_key", "by", "named"),
    [
        ("forms:main:questionnaire_response:r-99#safety_flag:item9_positive", "AB", "is not a safety flag"),
        ("forms:main:email:m-1", "AB", "is not a safety flag"),  # an object, but not a flag
        ("", "AB", "no safety flag named"),
        (FLAG, "Mallory", "not one of console.clinicians"),
        (FLAG, "", "not one of console.clinicians"),
    ],
)
def test_a_bad_mark_is_refused_and_writes_nothing(
    home: PhiHome, flag_key: str, by: str, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = with_clinicians(flagged_config(load_config(home, {}), FLAG), ["AB"])
    store = open_store(config)
    try:
        store.upsert_canonical(
            [CanonicalRow("forms:main:email:m-1", "email", "s/1", "x", "h", "t/1", {"n": 1})], run_id="r", now=MARKED_AT
        )
    finally:
        store.close()
    with caplog.at_level(logging.DEBUG), pytest.raises(FollowUpError) as refused:
        mark_followed_up(config, flag_key, by)
    assert named in str(refused.value)
    shown = str(refused.value) + caplog.text
    # The texts of the payload (the score, one digit, would be found in any path or time).
    assert all(
        value not in shown for value in FLAG_PAYLOAD.values() if isinstance(value, str) and value != "item9_positive"
    )
    store = open_store(config, read_only=True)
    try:
        assert followups(store) == [] and marked_events(store) == []
    finally:
        store.close()
    assert not journal_path(home).exists()


# -- marks while the warehouse is held --------------------------------------------------------
def journal_lines(home: PhiHome) -> list[dict[str, str]]:
    return [json.loads(line) for line in journal_path(home).read_text().splitlines()]


@pytest.mark.example_plugin
def test_a_mark_during_a_run_is_journaled_and_the_next_run_records_it(home: PhiHome) -> None:
    flagged_config(load_config(home, {}), FLAG, OTHER_FLAG)
    config = load_config(home, {})
    me = getpass.getuser()
    with paused_run("run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST) as run:
        assert mark_followed_up(config, FLAG, me, now=MARKED_AT) == "pending"
        assert mark_followed_up(config, FLAG, me) == "pending"  # a second mark: the first will win
        path = journal_path(home)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert [line["flag_key"] for line in journal_lines(home)] == [FLAG, FLAG]
        assert set(journal_lines(home)[0]) == {"flag_key", "by", "followed_up_at"}
        assert resume(run).returncode == 0  # it started before the marks: they wait for the next run
    store = open_store(config, read_only=True)
    try:
        assert followups(store) == []
    finally:
        store.close()
    assert lorc("run", "warehouse_stats").returncode == 0
    store = open_store(config, read_only=True)
    try:
        [row] = followups(store)
        assert (row["flag_key"], row["followed_up_by"], row["followed_up_at"]) == (FLAG, me, MARKED_AT)
        [event] = marked_events(store)
        assert event.payload == {"flag_key": FLAG, "by": me}
        run_ids = {e.correlation_id for e in store.read_events(["job.started"], limit=1)}
        assert event.correlation_id in run_ids  # audited as part of the run that applied it
    finally:
        store.close()
    assert journal_path(home).read_bytes() == b""


def test_a_mark_on_a_warehouse_from_before_followups_is_journaled_and_the_next_run_creates_the_table(
    home: PhiHome,
) -> None:
    config = flagged_config(load_config(home, {}), FLAG)
    with duckdb.connect(str(config.duckdb_path)) as con:
        con.execute("DROP TABLE safety_followups")
    me = getpass.getuser()
    assert mark_followed_up(config, FLAG, me, now=MARKED_AT) == "pending"
    assert pending_flag_keys(home) == {FLAG}
    store = open_store(config, read_only=True)
    try:
        assert not store.has_table("safety_followups")  # the console changed no schema
    finally:
        store.close()
    with pytest.raises(FollowUpError):  # an unknown flag is still refused, and not journaled
        mark_followed_up(config, OTHER_FLAG, me)
    assert [line["flag_key"] for line in journal_lines(home)] == [FLAG]
    assert lorc("run", "warehouse_stats").returncode == 0
    store = open_store(config, read_only=True)
    try:
        assert [(r["flag_key"], r["followed_up_by"]) for r in followups(store)] == [(FLAG, me)]
    finally:
        store.close()
    assert pending_flag_keys(home) == frozenset()


def test_a_mark_while_a_program_holds_the_warehouse_is_journaled_and_applied_by_the_next_mark(
    home: PhiHome, tmp_path: Path
) -> None:
    config = flagged_config(load_config(home, {}), FLAG, OTHER_FLAG)
    me = getpass.getuser()
    with warehouse_holder(home.root / "warehouse.duckdb", tmp_path, read_only=True):
        assert mark_followed_up(config, FLAG, me, now=MARKED_AT) == "pending"
    assert mark_followed_up(config, OTHER_FLAG, me) == "recorded"
    store = open_store(config, read_only=True)
    try:
        assert [(r["flag_key"], r["followed_up_at"]) for r in followups(store)][0] == (FLAG, MARKED_AT)
        assert len(followups(store)) == 2 and len(marked_events(store)) == 2
    finally:
        store.close()
    assert journal_path(home).read_bytes() == b""


def test_a_crash_between_applying_and_emptying_the_journal_records_each_mark_once(
    home: PhiHome, tmp_path: Path
) -> None:
    config = flagged_config(load_config(home, {}), FLAG)
    me = getpass.getuser()
    with warehouse_holder(home.root / "warehouse.duckdb", tmp_path, read_only=True):
        assert mark_followed_up(config, FLAG, me) == "pending"
    env = {"LORC_FAULT_AT": "followups.before_truncate", "LORC_FAULT_MODE": "kill"}
    killed = subprocess.run(
        [LORC, "run", "warehouse_stats"], env={**os.environ, **env}, capture_output=True, check=False
    )
    assert killed.returncode == -9
    assert len(journal_lines(home)) == 1  # applied, not emptied
    assert lorc("run", "warehouse_stats").returncode == 0
    store = open_store(config, read_only=True)
    try:
        assert len(followups(store)) == 1 and len(marked_events(store)) == 1
    finally:
        store.close()
    assert journal_path(home).read_bytes() == b""


def test_a_journal_line_that_cannot_be_read_is_kept_and_an_unknown_flag_is_not_recorded(
    home: PhiHome, caplog: pytest.LogCaptureFixture
) -> None:
    config = flagged_config(load_config(home, {}), FLAG)
    path = journal_path(home)
    path.parent.mkdir(mode=0o700)
    good = {"flag_key": FLAG, "by": "AB", "followed_up_at": MARKED_AT.isoformat()}
    unknown = {**good, "flag_key": "forms:main:questionnaire_response:r-0#safety_flag:item9_positive"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(unknown) + "\n" + '{"flag_key": "cut by a cra')
    store = open_store(config)
    try:
        events = EventClient(store, run_id="run-apply", job_name="followups", tmp_dir=home.tmp_dir)
        with caplog.at_level(logging.WARNING):
            assert apply_pending_followups(store, events, home) == 2
        assert [r["flag_key"] for r in followups(store)] == [FLAG]
        assert [e.payload for e in marked_events(store)] == [{"flag_key": FLAG, "by": "AB"}]
    finally:
        store.close()
    assert path.read_text() == '{"flag_key": "cut by a cra\n'
    assert "no safety flag: not recorded" in caplog.text and "1 line(s)" in caplog.text


def test_a_mark_waits_for_a_read_of_the_same_process_and_is_recorded(home: PhiHome) -> None:
    """The console's threads: DuckDB admits one connection to the file per process, so the
    reader's read and the mark take turns instead of the mark failing or going to the journal."""
    import threading

    from lorchestra.warehouse_reader import WarehouseReader

    config = flagged_config(load_config(home, {}), FLAG)
    reading, release = threading.Event(), threading.Event()

    def slow(store: Store) -> int:
        reading.set()
        assert release.wait(60)
        return len(store.read_events(["job.started"]))

    reader = WarehouseReader(config)
    thread = threading.Thread(target=reader.read, args=("slow", slow))
    thread.start()
    try:
        assert reading.wait(60)
        outcome: list[str] = []
        marking = threading.Thread(target=lambda: outcome.append(mark_followed_up(config, FLAG, getpass.getuser())))
        marking.start()
        marking.join(0.5)
        assert marking.is_alive()  # waiting for the read, not failing
        release.set()
        marking.join(60)
        assert outcome == ["recorded"] and not journal_path(home).exists()
    finally:
        release.set()
        thread.join(60)
        reader.close()


def test_a_second_connection_of_the_same_process_is_a_held_warehouse(home: PhiHome) -> None:
    from lorchestra.exceptions import WarehouseLockedError

    config = load_config(home, {})
    first = open_store(config)
    try:
        with pytest.raises(WarehouseLockedError) as held:
            open_store(config, read_only=True, grace_seconds=0.0)
        assert held.value.holder == f"this process (pid {os.getpid()})"
    finally:
        first.close()
