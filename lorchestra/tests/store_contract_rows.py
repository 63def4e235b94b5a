"""Records and table reads shared by the store contract tests (test_store_contract_*.py):
Gmail messages written to JSONL, and the raw objects and rejects read back with plain SQL
on either backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from backend_sql import sql_rows
from lorchestra.stack_clients import ObjectSpec, Source, Store

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
