"""The store's typed reads on BigQuery: every value normalised by :mod:`.values`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.values import python_value, utc
from lorchestra.stack_clients.model import EventRow, ObjectCounts, ProcessedEntry
from lorchestra.stack_clients.tables import CORE_TABLES, check_table_name


def rows(store: Plumbing, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts of Python values."""
    result = store.run_query(sql, params).result()
    fields = [(f.name, f.field_type) for f in result.schema]
    return [{name: python_value(row[name], kind) for name, kind in fields} for row in result]


def read_events(store: Plumbing, event_types: Sequence[str], *, status: str | None,
                limit: int | None) -> list[EventRow]:
    found = rows(
        store,
        f"SELECT {', '.join(CORE_TABLES['event_log'].column_names)} FROM {store.table('event_log')} "
        "WHERE event_type IN UNNEST(@types) AND (@status IS NULL OR status = @status) "
        "ORDER BY created_at DESC" + (f" LIMIT {int(limit)}" if limit is not None else ""),
        {"types": list(event_types), "status": status},
    )
    return [EventRow(**{**row, "payload": row["payload"] or {}}) for row in found]


def read_table(store: Plumbing, name: str) -> list[dict[str, Any]]:
    return rows(store, f"SELECT * FROM {store.table(check_table_name(name))}")


def object_counts(store: Plumbing) -> ObjectCounts:
    def counted(sql: str) -> list[Any]:
        return [tuple(row.values()) for row in store.run_query(sql).result()]

    return ObjectCounts(
        raw=counted(f"SELECT source_system, connection_name, object_type, COUNT(*) AS n "
                    f"FROM {store.table('raw_objects')} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
        canonical=counted(f"SELECT object_type, COUNT(*) AS n FROM {store.table('canonical_objects')} "
                          "GROUP BY 1 ORDER BY 1"),
        rejects=counted(f"SELECT job_name, rule, COUNT(*) AS n FROM {store.table('rejects')} "
                        "GROUP BY 1, 2 ORDER BY 1, 2"),
    )


def reject_rule_counts(store: Plumbing, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
    return [(str(r["rule"]), int(r["n"])) for r in store.run_query(
        f"SELECT rule, COUNT(*) AS n FROM {store.table('rejects')} WHERE run_id = @run "
        "AND connection_name = @connection GROUP BY rule ORDER BY n DESC, rule",
        {"run": run_id, "connection": connection_name}).result()]


def last_seen(store: Plumbing) -> dict[str, datetime]:
    return {r["idem_key"]: utc(r["last_seen"]) for r in store.run_query(
        f"SELECT idem_key, last_seen FROM {store.table('raw_objects')}").result()}


def latest_update(store: Plumbing, object_type: str) -> datetime | None:
    found = [r["latest"] for r in store.run_query(
        f"SELECT MAX(updated_at) AS latest FROM {store.table('canonical_objects')} WHERE object_type = @t",
        {"t": object_type}).result()]
    return utc(found[0]) if found and found[0] is not None else None


def payload_hashes(store: Plumbing, object_type: str) -> list[tuple[str, str]]:
    return [(r["idem_key"], r["payload_hash"]) for r in store.run_query(
        f"SELECT idem_key, payload_hash FROM {store.table('canonical_objects')} WHERE object_type = @t "
        "ORDER BY idem_key", {"t": object_type}).result()]


def processed_entry(store: Plumbing, consumer: str, input_idem_key: str) -> ProcessedEntry | None:
    found = list(store.run_query(
        f"SELECT input_payload_hash, outcome, processed_at FROM {store.table('processed_inputs')} "
        "WHERE consumer = @consumer AND input_idem_key = @key", {"consumer": consumer, "key": input_idem_key},
    ).result())
    if not found:
        return None
    row = found[0]
    return ProcessedEntry(str(row["input_payload_hash"]), str(row["outcome"]), utc(row["processed_at"]))
