"""The store contract for reads, on both backends: objects filtered by change time, key
and field, and typed reads through named methods that return Python values (JSON as
dicts and lists, arrays as lists, timestamps as aware UTC datetimes)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from lorchestra.stack_clients import CanonicalRow, EventClient, Store
from lorchestra.stack_clients.clock import utcnow
from store_contract_rows import SPEC, message, write_jsonl


def test_read_objects_returns_parsed_payloads(events: EventClient, store: Store, tmp_path: Path) -> None:
    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m2"), message("m1")]), spec=SPEC)
    found = list(store.read_objects("raw_objects", "email"))
    assert [key for key, _ in found] == ["gmail:praxis:email:m1", "gmail:praxis:email:m2"]
    assert found[0][1]["id"] == "m1"


def test_read_objects_filters_by_change_time_key_and_field(store: Store) -> None:
    def row(key: str, client: str) -> CanonicalRow:
        return CanonicalRow(
            idem_key=f"m-{key}",
            object_type="measurement",
            schema_ref="s",
            source_idem_key=key,
            source_payload_hash="h",
            transform_ref="t",
            payload={"client_id": client, "n": key},
        )

    store.upsert_canonical([row("a", "c1"), row("b", "c2")], run_id="r", now=utcnow())
    time.sleep(0.01)
    between = utcnow()
    store.upsert_canonical([row("c", "c1")], run_id="r", now=utcnow())

    def keys(**f: Any) -> list[str]:
        return [k for k, _ in store.read_objects("canonical_objects", "measurement", **f)]

    assert keys() == ["m-a", "m-b", "m-c"]
    assert keys(updated_after=between) == ["m-c"]
    assert keys(keys=["m-b", "m-x"]) == ["m-b"]
    assert keys(keys=[]) == [] and keys(keys=[], updated_after=between) == []
    assert keys(field_in=("client_id", ["c1"])) == ["m-a", "m-c"]
    assert keys(field_in=("client_id", ["c1"]), updated_after=between) == ["m-c"]
    assert [p for _, p in store.read_objects("canonical_objects", "measurement", keys=["m-a"], drop_fields=("n",))] == [
        {"client_id": "c1"}
    ]
    with pytest.raises(ValueError, match="not a valid payload field"):
        keys(field_in=("client_id') OR ('1", ["c1"]))


def _aware_utc(value: object) -> bool:
    from datetime import UTC, datetime

    return isinstance(value, datetime) and value.utcoffset() is not None and value.tzinfo == UTC


def test_read_events_returns_payloads_as_dicts_and_times_as_aware_utc(store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    from lorchestra.stack_clients import EventRow

    start = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    store.append_events(
        [
            EventRow(
                event_id=f"e{i}",
                event_type=kind,
                created_at=start + timedelta(minutes=i),
                status=status,
                correlation_id="run-1",
                payload={"job": "x", "counts": {"n": i}, "tags": ["a", "b"]},
            )
            for i, (kind, status) in enumerate(
                [("job.started", "ok"), ("job.completed", "ok"), ("job.failed", "failed"), ("other", "ok")]
            )
        ]
    )
    found = store.read_events(("job.started", "job.completed", "job.failed"))
    assert [e.event_id for e in found] == ["e2", "e1", "e0"]  # newest first, other types left out
    assert found[1].payload == {"job": "x", "counts": {"n": 1}, "tags": ["a", "b"]}
    assert all(_aware_utc(e.created_at) for e in found) and found[0].created_at == start + timedelta(minutes=2)
    assert [e.event_id for e in store.read_events(("job.started", "job.failed"), status="ok")] == ["e0"]
    assert [e.event_id for e in store.read_events(("job.started", "job.completed"), limit=1)] == ["e1"]


def test_read_table_returns_arrays_as_lists_and_times_as_aware_utc(store: Store) -> None:
    from datetime import UTC, datetime

    from lorchestra.stack_clients import Column

    columns = [Column("key", "string"), Column("seen_at", "timestamp"), Column("tags", "string[]"), Column("n", "int")]
    store.replace_table(
        "inbox_view", columns, [{"key": "a", "seen_at": "2026-11-09T09:30:00+01:00", "tags": ["x", "y"], "n": 3}]
    )
    (row,) = store.read_table("inbox_view")
    assert row == {"key": "a", "seen_at": datetime(2026, 11, 9, 8, 30, tzinfo=UTC), "tags": ["x", "y"], "n": 3}
    assert isinstance(row["tags"], list) and _aware_utc(row["seen_at"])
    assert store.read_table("inbox_view", ["n", "key"]) == [{"n": 3, "key": "a"}]  # only the columns asked for


def test_counts_hashes_and_watermarks_are_read_through_named_methods(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from lorchestra.stack_clients import RejectRow

    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2")]), spec=SPEC)
    now = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    store.upsert_canonical(
        [
            CanonicalRow(
                idem_key=f"c{i}",
                object_type="contact",
                schema_ref="s",
                source_idem_key=f"r{i}",
                source_payload_hash="h",
                transform_ref="t",
                payload={"i": i},
            )
            for i in (2, 1)
        ],
        run_id="run-1",
        now=now,
    )
    store.upsert_rejects(
        [
            RejectRow(
                job_name="j",
                input_key=f"k{i}",
                input_idem_key=None,
                rule=rule,
                field="f",
                message="m",
                payload_hash=None,
                connection_name="praxis",
            )
            for i, rule in enumerate(["schema", "schema", "missing_external_id"])
        ],
        run_id="run-1",
        now=now,
    )
    counts = store.object_counts()
    assert counts.raw == [("gmail", "praxis", "email", 2)]
    assert counts.canonical == [("contact", 2)]
    assert counts.rejects == [("j", "missing_external_id", 1), ("j", "schema", 2)]
    assert store.reject_rule_counts(run_id="run-1", connection_name="praxis") == [
        ("schema", 2),
        ("missing_external_id", 1),
    ]
    assert store.reject_rule_counts(run_id="run-2", connection_name="praxis") == []
    seen = store.last_seen()
    assert sorted(seen) == [SPEC.idem_key("m1"), SPEC.idem_key("m2")] and all(map(_aware_utc, seen.values()))
    assert store.latest_update("contact") == now and _aware_utc(store.latest_update("contact"))
    assert store.latest_update("nothing") is None
    hashes = store.payload_hashes("contact")
    assert [k for k, _ in hashes] == ["c1", "c2"] and all(len(h) == 32 for _, h in hashes)
    assert store.processed_entry("consumer", "c1") is None
    store.mark_processed("consumer", [("c1", "h1", "ok")], run_id="run-1", now=now)
    entry = store.processed_entry("consumer", "c1")
    assert entry is not None and (entry.input_payload_hash, entry.outcome, entry.processed_at) == ("h1", "ok", now)
    assert _aware_utc(entry.processed_at)
    store.flush()
    assert store.object_counts() == counts


def test_a_read_longer_than_one_range_keeps_key_order_filters_and_every_object(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB reads a large type in key ranges (a sort of whole payloads does not spill):
    across range borders nothing is lost, doubled or out of order."""
    from lorchestra.stack_clients.duckdb_store import reads

    monkeypatch.setattr(reads, "READ_RANGE_ROWS", 3)
    rows = [
        CanonicalRow(
            idem_key=f"m-{n:02d}",
            object_type="measurement",
            schema_ref="s",
            source_idem_key=f"{n}",
            source_payload_hash="h",
            transform_ref="t",
            payload={"client_id": f"c{n % 2}", "n": n},
        )
        for n in reversed(range(11))
    ]
    store.upsert_canonical(rows, run_id="r", now=utcnow())
    found = list(store.read_objects("canonical_objects", "measurement", drop_fields=("client_id",)))
    assert found == [(f"m-{n:02d}", {"n": n}) for n in range(11)]
    odd = [p["n"] for _, p in store.read_objects("canonical_objects", "measurement", field_in=("client_id", ["c1"]))]
    assert odd == [1, 3, 5, 7, 9]
