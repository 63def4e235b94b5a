"""The store's reads on BigQuery: objects streamed as parsed payloads, and typed reads with
every value normalised by :mod:`.values`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from lorchestra.stack_clients.bigquery_store.locate import Located, locate, page_filter
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import strings
from lorchestra.stack_clients.bigquery_store.values import python_value, utc
from lorchestra.stack_clients.json_rules import UnreadableHandler, read_stored
from lorchestra.stack_clients.model import EventRow, ObjectCounts, ProcessedEntry
from lorchestra.stack_clients.tables import (
    CORE_TABLES,
    Table,
    check_field_name,
    check_table_name,
)

READ_PAGE = 4000  # keys per page of payloads read by key


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
        {"types": strings(event_types), "status": status},
    )
    return [EventRow(**{**row, "payload": row["payload"] or {}}) for row in found]


def read_table(store: Plumbing, name: str, columns: Sequence[str] | None) -> list[dict[str, Any]]:
    selected = ", ".join(check_table_name(c) for c in columns) if columns else "*"
    return rows(store, f"SELECT {selected} FROM {store.table(check_table_name(name))}")


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
    """Every object of a type in one query; those changed since a time or named by key in
    two steps (:mod:`.locate`), so that the payloads of the rest of history are not read."""
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"objects live in raw_objects or canonical_objects, not {table!r}")
    if keys is not None and not keys:
        return
    declared = CORE_TABLES[table]
    where: list[str] = ["i.object_type = @t"]
    params: dict[str, Any] = {"t": object_type}
    if updated_after is not None:
        where.append("i.updated_at > @since")
        params["since"] = updated_after
    if keys is not None:
        where.append("i.idem_key IN UNNEST(@keys)")
        params["keys"] = strings(keys)
    payload_filter: list[str] = []
    if field_in is not None:
        payload_filter.append(f"JSON_VALUE(i.payload, '$.{check_field_name(field_in[0])}') IN UNNEST(@values)")
    select = f"SELECT i.idem_key, TO_JSON_STRING(i.payload) AS payload FROM {store.table(table)} i WHERE "
    if updated_after is None and keys is None:
        pages: Iterator[tuple[str, dict[str, Any]]] = iter([(" AND ".join(where + payload_filter), params)])
    else:
        located = locate(store, declared, f"FROM {store.table(table)} i WHERE {' AND '.join(where)}", params)
        pages = _pages(declared, located, object_type, payload_filter)
    for condition, page_params in pages:
        if field_in is not None:
            page_params["values"] = strings(field_in[1])
        rows = store.run_query(select + condition + " ORDER BY i.idem_key", page_params).result()
        yield from read_stored(((row["idem_key"], row["payload"]) for row in rows), drop_fields, on_unreadable)


def _pages(
    table: Table, located: list[Located], object_type: str, payload_filter: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    for start in range(0, len(located), READ_PAGE):
        params: dict[str, Any] = {"t": object_type}
        condition = page_filter(table, located[start : start + READ_PAGE], params)
        yield " AND ".join(["i.object_type = @t", condition, *payload_filter]), params
