"""The store contract for writing objects, run unchanged against DuckDB and the BigQuery
emulator: keys, one row per key with true counts for every batch, file order for
duplicates, and no partial rows after a failure between staging and merge.

Each test writes through the public EventClient / Store API and reads the tables back
with plain SQL, so both backends are held to the same observable behaviour.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backend_sql import sql_rows
from lorchestra import faults
from lorchestra.faults import InjectedFault
from lorchestra.stack_clients import CanonicalRow, EventClient, Store, idem_key
from lorchestra.stack_clients.clock import utcnow
from store_contract_rows import GMAIL_SCHEMA, SPEC, message, raw_rows, reject_rows, write_jsonl


def test_idem_key_is_source_connection_type_and_native_id(events: EventClient, store: Store) -> None:
    counts = events.emit(
        "email.received", message("18f7631a2c9be4d2"), source=SPEC.source, object_type="email", schema_ref=GMAIL_SCHEMA
    )
    assert counts.inserted == 1
    assert list(raw_rows(store)) == ["gmail:praxis:email:18f7631a2c9be4d2"]
    assert idem_key("gmail", "praxis", "email", "18f7631a2c9be4d2") == "gmail:praxis:email:18f7631a2c9be4d2"


def test_same_payload_twice_is_one_row_unchanged_and_last_seen_moves(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2")])
    first = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    before = raw_rows(store)
    time.sleep(0.01)
    second = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    after = raw_rows(store)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert len(after) == 2
    for key in after:
        assert after[key]["payload_hash"] == before[key]["payload_hash"]
        assert after[key]["first_seen"] == before[key]["first_seen"]
        assert after[key]["last_seen"] > before[key]["last_seen"]


def test_changed_payload_replaces_the_row(events: EventClient, store: Store, tmp_path: Path) -> None:
    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1", history="1")]), spec=SPEC)
    counts = events.emit_jsonl(
        "ingest.completed",
        write_jsonl(tmp_path / "b.jsonl", [message("m1", history="2", labelIds=["INBOX", "TRASH"])]),
        spec=SPEC,
    )
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 1, 0)
    rows = raw_rows(store)
    assert len(rows) == 1
    assert rows["gmail:praxis:email:m1"]["payload"]["historyId"] == "2"
    assert rows["gmail:praxis:email:m1"]["payload"]["labelIds"] == ["INBOX", "TRASH"]


def test_duplicates_in_one_batch_last_in_file_order_wins(events: EventClient, store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            message("m1", history="1"),
            message("m2"),
            message("m1", history="3"),
            message("m1", history="2"),
        ],
    )
    counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    assert (counts.inserted, counts.superseded, counts.inputs) == (2, 2, 4)
    assert raw_rows(store)["gmail:praxis:email:m1"]["payload"]["historyId"] == "2"


def test_counts_are_true_counts_for_a_mixed_batch(events: EventClient, store: Store, tmp_path: Path) -> None:
    base = [message(f"m{i}") for i in range(6)]
    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", base), spec=SPEC)
    batch = (
        [message(f"m{i}") for i in range(4)]  # 4 unchanged
        + [message(f"m{i}", history="9") for i in (4, 5)]  # 2 changed
        + [message(f"n{i}") for i in range(3)]  # 3 new
        + [message("n0")]  # 1 superseded duplicate
        + [{"threadId": "x", "payload": {}}]  # 1 rejected (no id)
    )
    counts = events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "b.jsonl", batch), spec=SPEC)
    assert counts.as_dict() == {
        "inserted": 3,
        "updated": 2,
        "unchanged": 4,
        "superseded": 1,
        "rejected": 1,
        "inputs": 11,
    }
    assert len(raw_rows(store)) == 9


def test_generator_batches_stream_and_count_like_files(store: Store, backend_config: Any) -> None:
    client = EventClient(
        store, run_id="run-gen", job_name="extract_test", tmp_dir=backend_config.home.tmp_dir, batch_rows=3
    )
    stored_when_yielding: list[int] = []

    def records():  # a generator, consumed lazily: batches of 3 are written as it goes
        for i in range(7):
            stored_when_yielding.append(len(raw_rows(store)))
            yield message(f"g{i}")

    counts = client.emit_batch("ingest.completed", records(), spec=SPEC)
    assert counts.inserted == 7 and len(raw_rows(store)) == 7
    assert stored_when_yielding == [0, 0, 0, 3, 3, 3, 6]


def test_a_large_file_keeps_file_order_for_duplicates(events: EventClient, store: Store, tmp_path: Path) -> None:
    filler = "x" * 200
    records = [message("dup", history="101")]
    records += [message(f"f{i}", snippet=filler) for i in range(30_000)]
    records += [message("dup", history="102")] + [message(f"g{i}", snippet=filler) for i in range(30_000)]
    records += [message("dup", history="103")]
    counts = events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "big.jsonl", records), spec=SPEC)
    assert counts.as_dict() == {
        "inserted": 60_001,
        "updated": 0,
        "unchanged": 0,
        "superseded": 2,
        "rejected": 0,
        "inputs": 60_003,
    }
    dup = (
        sql_rows(
            store,
            f"SELECT JSON_VALUE(payload, '$.historyId') AS h FROM {store.table('raw_objects')} "
            f"WHERE idem_key = 'gmail:praxis:email:dup'",
        )
        if store.backend == "bigquery"
        else sql_rows(
            store, "SELECT payload->>'$.historyId' AS h FROM raw_objects WHERE idem_key = 'gmail:praxis:email:dup'"
        )
    )
    assert dup == [{"h": "103"}]


def test_canonical_upsert_counts_and_replaces(store: Store) -> None:
    def row(key: str, value: str, source_hash: str = "h1") -> CanonicalRow:
        return CanonicalRow(
            idem_key=f"gmail:praxis:email:{key}#email",
            object_type="email",
            schema_ref="iglu:org.canonical/email/jsonschema/1-0-0",
            source_idem_key=f"gmail:praxis:email:{key}",
            source_payload_hash=source_hash,
            transform_ref="email/gmail@1.0.0+abc",
            payload={"subject": value},
        )

    first = store.upsert_canonical([row("a", "x"), row("b", "y"), row("a", "x2")], run_id="r", now=utcnow())
    assert (first.inserted, first.superseded) == (2, 1)
    second = store.upsert_canonical([row("a", "x2"), row("b", "changed"), row("c", "z")], run_id="r", now=utcnow())
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 1)
    third = store.upsert_canonical([row("a", "x2", source_hash="h2")], run_id="r", now=utcnow())
    assert third.updated == 1


@pytest.mark.parametrize("point", ["raw.staged", "raw.before_merge", "raw.merged", "raw.before_commit"])
def test_a_failure_between_staging_and_merge_leaves_no_partial_rows(
    events: EventClient, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2")]), spec=SPEC)
    before = raw_rows(store)
    batch = [message("m1", history="7"), message("m2"), message("m3"), {"snippet": "no id"}]
    monkeypatch.setenv("LORC_FAULT_AT", point)
    faults.reset()
    with pytest.raises(InjectedFault):
        events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "b.jsonl", batch), spec=SPEC)
    assert raw_rows(store) == before
    assert reject_rows(store) == []
    monkeypatch.delenv("LORC_FAULT_AT")
    faults.reset()
    counts = events.emit_jsonl("ingest.completed", tmp_path / "b.jsonl", spec=SPEC)
    assert (counts.inserted, counts.updated, counts.unchanged, counts.rejected) == (1, 1, 1, 1)


def test_stored_records_first_seen_months_apart_are_updated_in_place(store: Store, tmp_path: Path) -> None:
    """On BigQuery these rows lie in different partitions: the batch's write names each of them."""
    january, april, now = (datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC), utcnow())

    def ingest(name: str, records: list[dict[str, Any]], when: datetime) -> Any:
        path = write_jsonl(tmp_path / f"{name}.jsonl", records)
        return store.ingest_raw_file(path, SPEC, job_name="extract_test", run_id=name, now=when)

    ingest("jan", [message("m1")], january)
    ingest("apr", [message("m2")], april)
    counts = ingest("now", [message("m1", history="2"), message("m2"), message("m3")], now)
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 1)
    rows = raw_rows(store)
    assert len(rows) == 3 and rows["gmail:praxis:email:m1"]["payload"]["historyId"] == "2"
    seen = {key.rsplit(":", 1)[1]: (row["first_seen"], row["last_seen"]) for key, row in rows.items()}
    assert seen == {"m1": (january, now), "m2": (april, now), "m3": (now, now)}

    def canonical(key: str, value: str) -> CanonicalRow:
        return CanonicalRow(f"{key}#note", "note", "s", key, "h", "t", {"v": value})

    store.upsert_canonical([canonical("a", "1")], run_id="jan", now=january)
    store.upsert_canonical([canonical("b", "1")], run_id="apr", now=april)
    again = store.upsert_canonical([canonical("a", "2"), canonical("b", "1"), canonical("c", "1")], run_id="n", now=now)
    assert (again.inserted, again.updated, again.unchanged) == (1, 1, 1)
    assert dict(store.read_objects("canonical_objects", "note")) == {
        "a#note": {"v": "2"},
        "b#note": {"v": "1"},
        "c#note": {"v": "1"},
    }
    assert store.latest_update("note") == now
