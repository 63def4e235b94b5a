"""The store contract for bad input, on both backends: a record without an id, one that
fails its schema or a line that is not JSON becomes a rejects row naming rule and field,
never the value, and the rest of the batch is written."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from lorchestra.stack_clients import EventClient, Store
from store_contract_rows import MARKER, SPEC, message, raw_rows, reject_rows, write_jsonl


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
