"""The store contract for the audit log, on both backends: each write leaves an event with
its telemetry, and never a record's contents."""

from __future__ import annotations

import json
from pathlib import Path

from backend_sql import sql_rows
from lorchestra.stack_clients import EventClient, Store
from store_contract_rows import MARKER, SPEC, message, write_jsonl


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
