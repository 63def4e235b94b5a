"""The store contract for incremental processing, on both backends: a consumer sees only
new or changed inputs, forgotten inputs come back for that consumer only, and
map_inputs writes outputs and rejects once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorchestra.jobkit import Rejected
from lorchestra.stack_clients import CanonicalRow, EventClient, InputRow, Store
from lorchestra.stack_clients.clock import utcnow
from store_contract_rows import SPEC, message, reject_rows, write_jsonl


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
