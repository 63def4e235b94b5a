"""The store contract, run unchanged against DuckDB and the BigQuery emulator.

Each test writes through the public EventClient / Store API and reads the tables back
with plain SQL, so both backends are held to the same observable behaviour.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from backend_sql import sql_rows
from lorchestra import faults
from lorchestra.faults import InjectedFault
from lorchestra.jobkit import Rejected
from lorchestra.stack_clients import (
    CanonicalRow,
    EventClient,
    InputRow,
    ObjectSpec,
    Source,
    Store,
    idem_key,
)
from lorchestra.stack_clients.clock import utcnow
from older_rows import store_like_an_older_version

GMAIL_SCHEMA = "iglu:com.google/gmail_message/jsonschema/1-0-0"
SPEC = ObjectSpec(Source("gmail", "praxis"), "email", schema_ref=GMAIL_SCHEMA)
MARKER = "ZZ-PHI-MARKER-Anna-Mueller-84"


def message(msg_id: str, *, history: str = "1", subject: str = "Anfrage", **extra: Any) -> dict[str, Any]:
    return {
        "id": msg_id,
        "threadId": msg_id,
        "historyId": history,
        "internalDate": "1715678093000",
        "labelIds": ["INBOX"],
        "payload": {"headers": [{"name": "Subject", "value": subject}]},
        **extra,
    }


def write_jsonl(path: Path, records: list[Any], raw_lines: list[bytes] | None = None) -> Path:
    with path.open("wb") as handle:
        for record in records:
            handle.write(orjson.dumps(record) + b"\n")
        for line in raw_lines or []:
            handle.write(line + b"\n")
    return path


def raw_rows(store: Store) -> dict[str, dict[str, Any]]:
    rows = (
        sql_rows(
            store,
            f"SELECT idem_key, external_id, payload_hash, first_seen, last_seen, TO_JSON_STRING(payload) AS payload "
            f"FROM {store.table('raw_objects')}",
        )
        if store.backend == "bigquery"
        else sql_rows(
            store,
            "SELECT idem_key, external_id, payload_hash, first_seen, last_seen, payload::VARCHAR AS payload "
            "FROM raw_objects",
        )
    )
    return {r["idem_key"]: {**r, "payload": json.loads(r["payload"])} for r in rows}


def reject_rows(store: Store) -> list[dict[str, Any]]:
    return sql_rows(
        store,
        f"SELECT job_name, input_key, input_idem_key, rule, field, message, payload_hash "
        f"FROM {store.table('rejects')} ORDER BY rule, input_key",
    )


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


def test_record_without_id_is_rejected_naming_rule_and_field_and_the_rest_is_written(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            message("m1"),
            {"threadId": "t", "snippet": MARKER, "payload": {}},
            {"id": "", "snippet": MARKER},
            {"id": {"nested": MARKER}},
            message("m2"),
        ],
    )
    counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    assert (counts.inserted, counts.rejected) == (2, 3)
    rejects = reject_rows(store)
    assert {(r["rule"], r["field"]) for r in rejects} == {("missing_external_id", "id")}
    assert all(r["input_idem_key"] is None for r in rejects)
    assert MARKER not in json.dumps(rejects, default=str)
    assert set(raw_rows(store)) == {"gmail:praxis:email:m1", "gmail:praxis:email:m2"}


def test_schema_failure_is_rejected_without_the_value(events: EventClient, store: Store, tmp_path: Path) -> None:
    bad_date = message("m2", internalDate=MARKER)
    no_thread = {k: v for k, v in message("m3").items() if k != "threadId"}
    path = write_jsonl(tmp_path / "a.jsonl", [message("m1"), bad_date, no_thread])
    counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    assert (counts.inserted, counts.rejected) == (1, 2)
    rejects = {r["input_idem_key"]: r for r in reject_rows(store)}
    assert (rejects["gmail:praxis:email:m2"]["rule"], rejects["gmail:praxis:email:m2"]["field"]) == (
        "schema.pattern",
        "internalDate",
    )
    assert (rejects["gmail:praxis:email:m3"]["rule"], rejects["gmail:praxis:email:m3"]["field"]) == (
        "schema.required",
        "threadId",
    )
    assert MARKER not in json.dumps(list(rejects.values()), default=str)


def test_malformed_lines_are_rejected_and_the_good_lines_written(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [message("m1")],
        raw_lines=[
            b'{"id": "m9", "snippet": "' + MARKER.encode() + b'"',
            b"[1, 2]",
            b'{"id": "m8", "x": "\xff\xfe"}',
            orjson.dumps(message("m2")),
        ],
    )
    counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    assert (counts.inserted, counts.rejected) == (2, 3)
    assert {r["rule"] for r in reject_rows(store)} == {"malformed_json", "not_an_object", "invalid_utf8"}
    assert MARKER not in json.dumps(reject_rows(store), default=str)
    assert set(raw_rows(store)) == {"gmail:praxis:email:m1", "gmail:praxis:email:m2"}


def test_the_same_reject_twice_is_one_row_and_goes_away_once_fixed(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    bad = write_jsonl(tmp_path / "a.jsonl", [message("m1", internalDate="not-a-number")])
    events.emit_jsonl("ingest.completed", bad, spec=SPEC)
    events.emit_jsonl("ingest.completed", bad, spec=SPEC)
    assert len(reject_rows(store)) == 1
    good = write_jsonl(tmp_path / "b.jsonl", [message("m1")])
    assert events.emit_jsonl("ingest.completed", good, spec=SPEC).inserted == 1
    assert reject_rows(store) == []


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


def test_event_log_carries_telemetry_and_never_record_contents(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [message("m1", subject=MARKER), {"snippet": MARKER}])
    events.emit_jsonl("ingest.completed", path, spec=SPEC)
    events.audit("job.completed", payload={"duration_ms": 12, "counts": {"inserted": 1}})
    rows = sql_rows(
        store,
        f"SELECT event_type, source_system, connection_name, target_object_type, correlation_id, status, "
        f"error_message, {'TO_JSON_STRING(payload)' if store.backend == 'bigquery' else 'payload::VARCHAR'} AS payload "
        f"FROM {store.table('event_log')} ORDER BY created_at",
    )
    assert [r["event_type"] for r in rows] == ["ingest.completed", "job.completed"]
    ingest = rows[0]
    payload = json.loads(ingest["payload"])
    assert (ingest["source_system"], ingest["connection_name"], ingest["target_object_type"]) == (
        "gmail",
        "praxis",
        "email",
    )
    assert ingest["correlation_id"] == "run-test"
    assert payload["inserted"] == 1 and payload["rejected"] == 1 and payload["duration_ms"] >= 0
    assert payload["job"] == "extract_test"
    assert MARKER not in json.dumps(rows, default=str)


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


def test_incremental_selection_sees_only_new_or_changed_inputs(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    events.emit_jsonl(
        "ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2"), message("m3")]), spec=SPEC
    )

    def keys() -> list[str]:
        return [
            row.idem_key
            for page in store.changed_inputs("canon@1", table="raw_objects", object_type="email", page_size=2)
            for row in page
        ]

    assert keys() == ["gmail:praxis:email:m1", "gmail:praxis:email:m2", "gmail:praxis:email:m3"]
    pages = list(store.changed_inputs("canon@1", table="raw_objects", object_type="email"))
    store.mark_processed("canon@1", [(r.idem_key, r.payload_hash, "ok") for r in pages[0]], run_id="r", now=utcnow())
    assert keys() == []
    events.emit_jsonl(
        "ingest.completed", write_jsonl(tmp_path / "b.jsonl", [message("m1"), message("m2", history="5")]), spec=SPEC
    )
    assert keys() == ["gmail:praxis:email:m2"]
    assert [
        r.idem_key for p in store.changed_inputs("canon@2", table="raw_objects", object_type="email") for r in p
    ] == ["gmail:praxis:email:m1", "gmail:praxis:email:m2", "gmail:praxis:email:m3"]


def test_forgotten_inputs_are_selected_again_for_that_consumer_only(
    events: EventClient, store: Store, tmp_path: Path
) -> None:
    events.emit_jsonl(
        "ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2"), message("m3")]), spec=SPEC
    )

    def keys(consumer: str) -> list[str]:
        return [
            row.idem_key
            for page in store.changed_inputs(consumer, table="raw_objects", object_type="email")
            for row in page
        ]

    for consumer in ("canon@1", "other@1"):
        [page] = store.changed_inputs(consumer, table="raw_objects", object_type="email")
        store.mark_processed(consumer, [(r.idem_key, r.payload_hash, "ok") for r in page], run_id="r", now=utcnow())
    store.forget_processed("canon@1", ["gmail:praxis:email:m2", "gmail:praxis:email:unknown"])
    store.forget_processed("canon@1", [])
    assert (keys("canon@1"), keys("other@1")) == (["gmail:praxis:email:m2"], [])
    store.forget_processed("other@1", None)
    assert keys("other@1") == ["gmail:praxis:email:m1", "gmail:praxis:email:m2", "gmail:praxis:email:m3"]
    assert keys("canon@1") == ["gmail:praxis:email:m2"]


def test_map_inputs_writes_outputs_and_rejects_once(
    events: EventClient, store: Store, tmp_path: Path, backend_config: Any
) -> None:
    import logging

    from lorchestra.jobkit import JobContext

    events.emit_jsonl(
        "ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1"), message("m2", subject="")]), spec=SPEC
    )
    ctx = JobContext(
        store=store,
        events=events,
        config=backend_config,
        run_id="run-test",
        job_name="canonicalize_test",
        logger=logging.getLogger("test"),
    )

    def mapping(item: InputRow) -> list[CanonicalRow] | Rejected:
        subject = item.payload["payload"]["headers"][0]["value"]
        if not subject:
            return Rejected(rule="subject_required", field="payload.headers.Subject")
        return [
            CanonicalRow(
                f"{item.idem_key}#email",
                "email",
                "iglu:org.canonical/email/jsonschema/1-0-0",
                item.idem_key,
                item.payload_hash,
                "test@1",
                {"subject": subject},
            )
        ]

    first = ctx.map_inputs(
        consumer="canon@1", table="raw_objects", object_type="email", fn=mapping, event_type="canonicalize.completed"
    )
    assert (first.inputs, first.rejected, first.outputs.inserted) == (2, 1, 1)
    second = ctx.map_inputs(
        consumer="canon@1", table="raw_objects", object_type="email", fn=mapping, event_type="canonicalize.completed"
    )
    assert (second.inputs, second.rejected, second.outputs.inserted) == (0, 0, 0)
    assert [(r["rule"], r["input_idem_key"]) for r in reject_rows(store)] == [
        ("subject_required", "gmail:praxis:email:m2")
    ]


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
    assert keys(field_in=("client_id", ["c1"])) == ["m-a", "m-c"]
    assert keys(field_in=("client_id", ["c1"]), updated_after=between) == ["m-c"]
    assert [p for _, p in store.read_objects("canonical_objects", "measurement", keys=["m-a"], drop_fields=("n",))] == [
        {"client_id": "c1"}
    ]
    with pytest.raises(ValueError, match="not a valid payload field"):
        keys(field_in=("client_id') OR ('1", ["c1"]))


def with_field(msg_id: str, member: bytes) -> bytes:
    """A Gmail message line with one more member written by hand (``"name":value``)."""
    return orjson.dumps(message(msg_id))[:-1] + b"," + member + b"}"


# Lines DuckDB's JSON reader accepts but that some reader of the stored payload cannot
# read back: orjson (the Python side), or BigQuery's JSON type (at most 500 levels deep;
# numbers that fit a 64-bit integer or a double).
UNREADABLE_LINES = {
    b'"sizeEstimate":1e400': ("number_out_of_range", "sizeEstimate"),
    b'"sizeEstimate":123456789012345678901234567890': ("number_out_of_range", "sizeEstimate"),
    b'"sizeEstimate":1e-400': ("number_out_of_range", "sizeEstimate"),
    b'"deep":' + b"[" * 600 + b"]" * 600: ("json_too_deep", "deep"),
    b'"deep":{"a":' + b"[" * 1100 + b"]" * 1100 + b"}": ("json_too_deep", "deep"),
    b'"sizeEstimate":NaN': ("malformed_json", "$"),
    b'"labelIds":["INBOX",],"x":1': ("malformed_json", "$"),
}


@pytest.mark.parametrize("history", [False, True], ids=["first_load", "with_history"])
def test_json_that_a_reader_cannot_read_back_is_a_reject_and_the_rest_is_written(
    events: EventClient, store: Store, tmp_path: Path, history: bool
) -> None:
    if history:  # the connection has history: the store takes its narrow path
        events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "old.jsonl", [message("m0")]), spec=SPEC)
    lines = [with_field(f"b{n}", member) for n, member in enumerate(UNREADABLE_LINES)]
    lines.append(b'{"threadId":"t","sizeEstimate":1e400}')  # no id either: named for what is worse
    path = write_jsonl(tmp_path / "a.jsonl", [message("m1")], raw_lines=[*lines, orjson.dumps(message("m2"))])
    counts = events.emit_jsonl("ingest.completed", path, spec=SPEC)
    assert (counts.inserted, counts.rejected, counts.inputs) == (2, len(lines), len(lines) + 2)
    assert sorted((r["rule"], r["field"]) for r in reject_rows(store)) == sorted(
        [*UNREADABLE_LINES.values(), ("number_out_of_range", "sizeEstimate")]
    )
    assert all(r["input_idem_key"] is None for r in reject_rows(store))
    stored = (
        {f"gmail:praxis:email:m{n}" for n in (0, 1, 2)}
        if history
        else {"gmail:praxis:email:m1", "gmail:praxis:email:m2"}
    )
    assert set(raw_rows(store)) == stored
    assert [key for key, _ in store.read_objects("raw_objects", "email")] == sorted(stored)


def test_read_objects_passes_over_a_stored_payload_no_reader_can_parse_and_names_it(store: Store) -> None:
    def row(key: str) -> CanonicalRow:
        return CanonicalRow(
            idem_key=f"m-{key}",
            object_type="measurement",
            schema_ref="s",
            source_idem_key=key,
            source_payload_hash="h",
            transform_ref="t",
            payload={"client_id": "c1", "total": 3},
        )

    store.upsert_canonical([row("a"), row("c")], run_id="r", now=utcnow())
    store_like_an_older_version(store, "canonical_objects", "m-b", '{"client_id": "c1", "total": 1e400}')
    store_like_an_older_version(store, "canonical_objects", "m-d", '{"client_id": "c1", "total": NaN}')
    unreadable: list[tuple[str, str, str]] = []
    found = list(
        store.read_objects(
            "canonical_objects",
            "measurement",
            field_in=("client_id", ["c1"]),
            on_unreadable=lambda key, fault: unreadable.append((key, fault.rule, fault.field)),
        )
    )
    assert [(key, payload["total"]) for key, payload in found] == [("m-a", 3), ("m-c", 3)]
    assert unreadable == [("m-b", "number_out_of_range", "total"), ("m-d", "malformed_json", "$")]
    assert [key for key, _ in store.read_objects("canonical_objects", "measurement")] == ["m-a", "m-c"]


def test_map_inputs_rejects_an_input_whose_stored_payload_cannot_be_read(
    events: EventClient, store: Store, tmp_path: Path, backend_config: Any
) -> None:
    import logging

    from lorchestra.jobkit import JobContext

    events.emit_jsonl("ingest.completed", write_jsonl(tmp_path / "a.jsonl", [message("m1")]), spec=SPEC)
    store_like_an_older_version(
        store, "raw_objects", "gmail:praxis:email:m2", with_field("m2", b'"sizeEstimate":1e400').decode()
    )
    ctx = JobContext(
        store=store,
        events=events,
        config=backend_config,
        run_id="run-test",
        job_name="canonicalize_test",
        logger=logging.getLogger("test"),
    )

    def mapping(item: InputRow) -> list[CanonicalRow]:
        return [
            CanonicalRow(
                f"{item.idem_key}#email",
                "email",
                "iglu:org.canonical/email/jsonschema/1-0-0",
                item.idem_key,
                item.payload_hash,
                "test@1",
                {"id": item.payload["id"]},
            )
        ]

    counts = ctx.map_inputs(
        consumer="canon@1", table="raw_objects", object_type="email", fn=mapping, event_type="canonicalize.completed"
    )
    assert (counts.inputs, counts.rejected, counts.outputs.inserted) == (2, 1, 1)
    assert [(r["rule"], r["field"], r["input_idem_key"]) for r in reject_rows(store)] == [
        ("number_out_of_range", "sizeEstimate", "gmail:praxis:email:m2")
    ]


# -- typed reads: Python values on both backends ------------------------------------------------
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
