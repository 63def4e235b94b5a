"""The store contract for JSON that some reader cannot read back, on both backends: such a
line is a reject when written, and a payload stored that way by an older version is
passed over and named when read, or rejected by map_inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from lorchestra.stack_clients import CanonicalRow, EventClient, InputRow, Store
from lorchestra.stack_clients.clock import utcnow
from older_rows import store_like_an_older_version
from store_contract_rows import SPEC, message, raw_rows, reject_rows, write_jsonl


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
