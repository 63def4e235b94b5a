"""The store's reads on BigQuery: objects streamed as parsed payloads, and typed reads with
every value normalised by :mod:`.values`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.values import python_value, utc
from lorchestra.stack_clients.json_rules import UnreadableHandler, read_stored
from lorchestra.stack_clients.model import EventRow, ObjectCounts, ProcessedEntry
from lorchestra.stack_clients.tables import (
    CORE_TABLES,
    check_field_name,
    check_table_name,
)


def rows(store: Plumbing, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts of Python values."""
    result = store.run_query(sql, params).result()
    fields = [(f.name, f.field_type) for f in result.schema]
    return [{name: python_value(row[name], kind) for name, kind in fields} for row in result]


def read_events(
    store: Plumbing, event_types: Sequence[str], *, status: str | None, limit: int | None
) -> list[EventRow]:
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
        raw=counted(
            f"SELECT source_system, connection_name, object_type, COUNT(*) AS n "
            f"FROM {store.table('raw_objects')} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        canonical=counted(
            f"SELECT object_type, COUNT(*) AS n FROM {store.table('canonical_objects')} GROUP BY 1 ORDER BY 1"
        ),
        rejects=counted(
            f"SELECT job_name, rule, COUNT(*) AS n FROM {store.table('rejects')} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
    )


def reject_rule_counts(store: Plumbing, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
    return [
        (str(r["rule"]), int(r["n"]))
        for r in store.run_query(
            f"SELECT rule, COUNT(*) AS n FROM {store.table('rejects')} WHERE run_id = @run "
            "AND connection_name = @connection GROUP BY rule ORDER BY n DESC, rule",
            {"run": run_id, "connection": connection_name},
        ).result()
    ]


def last_seen(store: Plumbing) -> dict[str, datetime]:
    return {
        r["idem_key"]: utc(r["last_seen"])
        for r in store.run_query(f"SELECT idem_key, last_seen FROM {store.table('raw_objects')}").result()
    }


def latest_update(store: Plumbing, object_type: str) -> datetime | None:
    found = [
        r["latest"]
        for r in store.run_query(
            f"SELECT MAX(updated_at) AS latest FROM {store.table('canonical_objects')} WHERE object_type = @t",
            {"t": object_type},
        ).result()
    ]
    return utc(found[0]) if found and found[0] is not None else None


def payload_hashes(store: Plumbing, object_type: str) -> list[tuple[str, str]]:
    return [
        (r["idem_key"], r["payload_hash"])
        for r in store.run_query(
            f"SELECT idem_key, payload_hash FROM {store.table('canonical_objects')} WHERE object_type = @t "
            "ORDER BY idem_key",
            {"t": object_type},
        ).result()
    ]


def processed_entry(store: Plumbing, consumer: str, input_idem_key: str) -> ProcessedEntry | None:
    found = list(
        store.run_query(
            f"SELECT input_payload_hash, outcome, processed_at FROM {store.table('processed_inputs')} "
            "WHERE consumer = @consumer AND input_idem_key = @key",
            {"consumer": consumer, "key": input_idem_key},
        ).result()
    )
    if not found:
        return None
    row = found[0]
    return ProcessedEntry(str(row["input_payload_hash"]), str(row["outcome"]), utc(row["processed_at"]))


def read_objects(
    store: Plumbing,
    table: str,
    object_type: str,
    *,
    drop_fields: Sequence[str] = (),
    updated_after: datetime | None = None,
    keys: Sequence[str] | None = None,
    field_in: tuple[str, Sequence[str]] | None = None,
    on_unreadable: UnreadableHandler | None = None,
) -> Iterator[tuple[str, Any]]:
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"objects live in raw_objects or canonical_objects, not {table!r}")
    where: list[str] = ["object_type = @t"]
    params: dict[str, Any] = {"t": object_type}
    if updated_after is not None:
        where.append("updated_at > @since")
        params["since"] = updated_after
    if keys is not None:
        where.append("idem_key IN UNNEST(@keys)")
        params["keys"] = list(keys)
    if field_in is not None:
        where.append(f"JSON_VALUE(payload, '$.{check_field_name(field_in[0])}') IN UNNEST(@values)")
        params["values"] = list(field_in[1])
    rows = store.run_query(
        f"SELECT idem_key, TO_JSON_STRING(payload) AS payload FROM {store.table(table)} "
        f"WHERE {' AND '.join(where)} ORDER BY idem_key",
        params,
    ).result()
    yield from read_stored(((row["idem_key"], row["payload"]) for row in rows), drop_fields, on_unreadable)
