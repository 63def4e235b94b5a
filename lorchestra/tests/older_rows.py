"""Rows as older versions of the suite stored them: payloads only the warehouse could
parse, written past today's checks. Real warehouses hold such rows, so every reader
must cope with them."""

from __future__ import annotations

from backend_sql import sql_rows
from lorchestra.stack_clients import Store
from lorchestra.stack_clients.clock import utcnow

_TIMES = ("first_seen", "last_seen", "created_at", "updated_at")


def store_like_an_older_version(store: Store, table: str, key: str, payload_text: str, **columns: str) -> None:
    """One row of ``raw_objects`` or ``canonical_objects`` (``columns`` override the
    defaults: a Gmail e-mail of connection ``praxis``, or a measurement)."""
    now = utcnow().isoformat()
    if table == "raw_objects":
        values = {
            "idem_key": key,
            "source_system": "gmail",
            "connection_name": "praxis",
            "object_type": "email",
            "schema_ref": "iglu:com.google/gmail_message/jsonschema/1-0-0",
            "external_id": key.rsplit(":", 1)[-1],
            "payload_hash": "0" * 32,
            "first_seen": now,
            "last_seen": now,
        }
    else:
        values = {
            "idem_key": key,
            "object_type": "measurement",
            "schema_ref": "s",
            "source_idem_key": key,
            "source_payload_hash": "h",
            "transform_ref": "t",
            "payload_hash": "0" * 32,
            "created_at": now,
            "updated_at": now,
            "last_seen": now,
        }
    values.update(columns)
    cells = [f"TIMESTAMP {_literal(v)}" if n in _TIMES else _literal(v) for n, v in values.items()]
    payload = _literal(payload_text)
    cells.append(f"PARSE_JSON({payload})" if store.backend == "bigquery" else f"{payload}::JSON")
    sql_rows(store, f"INSERT INTO {store.table(table)} ({', '.join([*values, 'payload'])}) VALUES ({', '.join(cells)})")


def _literal(text: str) -> str:
    # The two dialects escape quotes differently; the tests' texts need no escaping.
    if "'" in text or "\\" in text:
        raise ValueError("a text with quotes or backslashes needs escaping: not supported here")
    return f"'{text}'"
