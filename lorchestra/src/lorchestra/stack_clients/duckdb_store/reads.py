"""The store's reads on DuckDB: objects streamed as parsed payloads, and typed reads with
every value normalised by :mod:`.values`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import duckdb
import orjson

from lorchestra.stack_clients.duckdb_store.ledger import input_table
from lorchestra.stack_clients.duckdb_store.values import converter, utc
from lorchestra.stack_clients.json_rules import UnreadableHandler, read_stored
from lorchestra.stack_clients.model import EventRow, ObjectCounts, ProcessedEntry
from lorchestra.stack_clients.tables import (
    CORE_TABLES,
    check_field_name,
    check_table_name,
)

READ_BATCH_ROWS = 2048
READ_RANGE_ROWS = 20_000  # objects per sorted query of read_objects: its sort stays in memory_limit


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts of Python values (see :func:`.values.converter`)."""
    cursor = con.execute(sql, params or {})
    described = cursor.description or []
    names = [d[0] for d in described]
    changes = [(i, convert) for i, d in enumerate(described) if (convert := converter(str(d[1]))) is not None]
    found = cursor.fetchall()
    if not changes:
        return [dict(zip(names, row, strict=True)) for row in found]
    converted = []
    for row in found:
        values = list(row)
        for i, convert in changes:
            if values[i] is not None:
                values[i] = convert(values[i])
        converted.append(dict(zip(names, values, strict=True)))
    return converted


def read_events(
    con: duckdb.DuckDBPyConnection, event_types: Sequence[str], *, status: str | None, limit: int | None
) -> list[EventRow]:
    found = rows(
        con,
        f"SELECT {', '.join(CORE_TABLES['event_log'].column_names)} FROM event_log "
        "WHERE event_type IN (SELECT unnest($types)) AND ($status IS NULL OR status = $status) "
        "ORDER BY created_at DESC" + (f" LIMIT {int(limit)}" if limit is not None else ""),
        {"types": list(event_types), "status": status},
    )
    return [EventRow(**{**row, "payload": row["payload"] or {}}) for row in found]


def read_table(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[str] | None) -> list[dict[str, Any]]:
    selected = ", ".join(check_table_name(c) for c in columns) if columns else "*"
    return rows(con, f"SELECT {selected} FROM {check_table_name(name)}")


def object_counts(con: duckdb.DuckDBPyConnection) -> ObjectCounts:
    return ObjectCounts(
        raw=[
            tuple(r)
            for r in con.execute(
                "SELECT source_system, connection_name, object_type, count(*) FROM raw_objects "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        ],
        canonical=[
            tuple(r)
            for r in con.execute(
                "SELECT object_type, count(*) FROM canonical_objects GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        ],
        rejects=[
            tuple(r)
            for r in con.execute("SELECT job_name, rule, count(*) FROM rejects GROUP BY ALL ORDER BY ALL").fetchall()
        ],
    )


def reject_rule_counts(con: duckdb.DuckDBPyConnection, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
    return [
        (str(rule), int(n))
        for rule, n in con.execute(
            "SELECT rule, count(*) AS n FROM rejects WHERE run_id = $run AND connection_name = $connection "
            "GROUP BY rule ORDER BY n DESC, rule",
            {"run": run_id, "connection": connection_name},
        ).fetchall()
    ]


def last_seen(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    return {key: utc(seen) for key, seen in con.execute("SELECT idem_key, last_seen FROM raw_objects").fetchall()}


def latest_update(con: duckdb.DuckDBPyConnection, object_type: str) -> datetime | None:
    row = con.execute(
        "SELECT max(updated_at) FROM canonical_objects WHERE object_type = $t", {"t": object_type}
    ).fetchone()
    return utc(row[0]) if row and row[0] is not None else None


def payload_hashes(con: duckdb.DuckDBPyConnection, object_type: str) -> list[tuple[str, str]]:
    return [
        (k, h)
        for k, h in con.execute(
            "SELECT idem_key, payload_hash FROM canonical_objects WHERE object_type = $t ORDER BY idem_key",
            {"t": object_type},
        ).fetchall()
    ]


def processed_entry(con: duckdb.DuckDBPyConnection, consumer: str, input_idem_key: str) -> ProcessedEntry | None:
    row = con.execute(
        "SELECT input_payload_hash, outcome, processed_at FROM processed_inputs "
        "WHERE consumer = $consumer AND input_idem_key = $key",
        {"consumer": consumer, "key": input_idem_key},
    ).fetchone()
    return ProcessedEntry(str(row[0]), str(row[1]), utc(row[2])) if row else None


def read_objects(
    con: duckdb.DuckDBPyConnection,
    table: str,
    object_type: str,
    *,
    drop_fields: Sequence[str] = (),
    updated_after: datetime | None = None,
    keys: Sequence[str] | None = None,
    field_in: tuple[str, Sequence[str]] | None = None,
    on_unreadable: UnreadableHandler | None = None,
) -> Iterator[tuple[str, Any]]:
    where: list[str] = ["object_type = $t"]
    params: dict[str, Any] = {"t": object_type}
    if updated_after is not None:
        where.append("updated_at > $since")
        params["since"] = updated_after
    if keys is not None:
        where.append("idem_key IN (SELECT unnest($keys))")
        params["keys"] = list(keys)
    if field_in is not None:
        where.append(f"payload->>'$.{check_field_name(field_in[0])}' IN (SELECT unnest($values))")
        params["values"] = list(field_in[1])
    payload, payload_params = "payload", {}
    if drop_fields:  # dropped in the warehouse: the text never travels
        payload = "json_merge_patch(payload, $drop)"
        payload_params["drop"] = orjson.dumps({check_field_name(f): None for f in drop_fields}).decode()
    source = f"FROM {input_table(table)} WHERE {' AND '.join(where)}"
    cursor = con.cursor()  # its own connection: the caller may use the store meanwhile
    try:
        cursor.execute("USE warehouse")
        cursor.execute("BEGIN TRANSACTION")  # one snapshot across the ranges below
        # A sort of whole payloads does not spill to disk (memory_limit is hit at 1M e-mails):
        # sort the keys alone, then read in key ranges of READ_RANGE_ROWS, one sorted query each.
        bounds = [
            key
            for (key,) in cursor.execute(
                f"SELECT idem_key FROM (SELECT idem_key, row_number() OVER (ORDER BY idem_key) AS n {source}) "
                f"WHERE n % {READ_RANGE_ROWS} = 1 ORDER BY idem_key",
                params,
            ).fetchall()
        ]
        for i, low in enumerate(bounds):
            high = bounds[i + 1] if i + 1 < len(bounds) else None
            cursor.execute(
                f"SELECT idem_key, {payload}::VARCHAR {source} AND idem_key >= $low "
                "AND ($high::VARCHAR IS NULL OR idem_key < $high) ORDER BY idem_key",
                {**params, **payload_params, "low": low, "high": high},
            )
            while rows := cursor.fetchmany(READ_BATCH_ROWS):  # never every payload's text at once
                yield from read_stored(rows, drop_fields, on_unreadable)
    finally:
        cursor.close()
