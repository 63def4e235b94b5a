"""The bookkeeping tables on DuckDB: rejects, the event log, and which inputs each
consumer has processed (incremental selection)."""

from __future__ import annotations

import uuid
from collections.abc import Generator, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from lorchestra.stack_clients.duckdb_store.plumbing import bulk_upsert, transaction
from lorchestra.stack_clients.model import EventRow, InputRow, RejectRow, dumps
from lorchestra.stack_clients.tables import CORE_TABLES


def upsert_rejects(
    con: duckdb.DuckDBPyConnection, tmp_dir: Path, rejects: Sequence[RejectRow], *, run_id: str, now: datetime
) -> None:
    """Record ``rejects`` (in the caller's transaction, if there is one); a reject seen again
    keeps its ``first_seen``."""
    unique = {r.reject_key: r for r in rejects}
    bulk_upsert(
        con,
        tmp_dir,
        "rejects",
        [
            {
                "reject_key": key,
                "job_name": r.job_name,
                "input_key": r.input_key,
                "input_idem_key": r.input_idem_key,
                "source_system": r.source_system,
                "connection_name": r.connection_name,
                "object_type": r.object_type,
                "rule": r.rule,
                "field": r.field,
                "message": r.message,
                "payload_hash": r.payload_hash,
                "first_seen": now,
                "last_seen": now,
                "run_id": run_id,
            }
            for key, r in unique.items()
        ],
        conflict=("reject_key",),
        update=("last_seen", "message", "payload_hash", "run_id"),
    )


def append_events(con: duckdb.DuckDBPyConnection, events: Sequence[EventRow]) -> None:
    if not events:
        return
    con.executemany(
        "INSERT INTO event_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.event_id,
                e.event_type,
                e.source_system,
                e.connection_name,
                e.target_object_type,
                e.event_schema_ref,
                e.correlation_id,
                e.trace_id,
                e.created_at,
                e.status,
                e.error_message,
                dumps(e.payload).decode(),
            )
            for e in events
        ],
    )


def insert_first(
    con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EventRow]
) -> None:
    """The rows whose key ``name`` does not hold yet, and their events, in one transaction."""
    table = CORE_TABLES[name]
    [key] = table.key
    with transaction(con):
        held = con.execute(
            f"SELECT {key} FROM {table.name} WHERE {key} IN (SELECT unnest($keys))", {"keys": [r[key] for r in rows]}
        ).fetchall()
        seen = {found for (found,) in held}
        new = []
        for row, event in zip(rows, events, strict=True):
            if row[key] not in seen:
                seen.add(row[key])
                new.append((row, event))
        if new:
            con.executemany(
                f"INSERT INTO {table.name} ({', '.join(table.column_names)}) "
                f"VALUES ({', '.join('?' for _ in table.column_names)})",
                [[row.get(c) for c in table.column_names] for row, _ in new],
            )
            append_events(con, [event for _, event in new])


def changed_inputs(
    con: duckdb.DuckDBPyConnection,
    consumer: str,
    *,
    table: str,
    object_type: str,
    source_system: str | None,
    page_size: int,
) -> Generator[list[InputRow], None, None]:
    """Pages of inputs never processed by ``consumer`` or changed since (by payload hash).

    The changed keys are numbered in storage order into a temporary table inside DuckDB
    (spillable, under its memory limit), never held in Python: the job's memory does not
    grow with the history. A page is a range of those numbers joined to its payloads, the
    scan bounded to the page's row ids so it reads the page's row groups, not the table.
    """
    changed = f"_changed_{uuid.uuid4().hex}"
    con.execute(
        f"""CREATE TEMP TABLE {changed} AS
            SELECT i.rowid AS row_id, i.idem_key, row_number() OVER (ORDER BY i.rowid) AS n
            FROM {input_table(table)} i
            LEFT JOIN processed_inputs p ON p.consumer = $consumer AND p.input_idem_key = i.idem_key
            WHERE i.object_type = $object_type
              AND ($system IS NULL OR {_system_column(table)} = $system)
              AND (p.input_idem_key IS NULL OR p.input_payload_hash <> i.payload_hash)""",
        {"consumer": consumer, "object_type": object_type, "system": source_system},
    )
    try:
        found = con.execute(f"SELECT count(*) FROM temp.{changed}").fetchone()
        for start in range(0, found[0] if found else 0, page_size):
            yield _page(con, changed, table, start, start + page_size)
    finally:
        with suppress(duckdb.Error):  # a closed store dropped it already
            con.execute(f"DROP TABLE IF EXISTS temp.{changed}")


def _page(con: duckdb.DuckDBPyConnection, changed: str, table: str, first: int, last: int) -> list[InputRow]:
    span = {"first": first, "last": last}
    bounds = con.execute(
        f"SELECT min(row_id), max(row_id), count(*) FROM temp.{changed} WHERE n > $first AND n <= $last", span
    ).fetchone()
    assert bounds is not None
    select = f"""SELECT i.idem_key, i.object_type, i.payload_hash, i.payload, {_system_column(table)},
                        {_connection_column(table)}, i.schema_ref
                 FROM temp.{changed} c JOIN {input_table(table)} i ON i.idem_key = c.idem_key
                 WHERE c.n > $first AND c.n <= $last"""
    rows = con.execute(
        f"{select} AND i.rowid BETWEEN $low AND $high ORDER BY c.n", {**span, "low": bounds[0], "high": bounds[1]}
    ).fetchall()
    if len(rows) < bounds[2]:  # rows moved since they were selected (a compaction): the whole table, then
        rows = con.execute(f"{select} ORDER BY c.n", span).fetchall()
    return [
        InputRow(
            idem_key=k,
            object_type=t,
            payload_hash=h,
            payload_text=p,
            source_system=s,
            connection_name=c,
            schema_ref=ref,
        )
        for k, t, h, p, s, c, ref in rows
    ]


def mark_processed(
    con: duckdb.DuckDBPyConnection,
    consumer: str,
    items: Sequence[tuple[str, str, str]],
    *,
    run_id: str,
    now: datetime,
) -> None:
    """Record ``(input_idem_key, input_payload_hash, outcome)`` as handled by ``consumer``
    (one statement: the columns travel as lists and are unnested inside DuckDB)."""
    latest = {key: (digest, outcome) for key, digest, outcome in items}
    if not latest:
        return
    con.execute(
        """INSERT INTO processed_inputs (consumer, input_idem_key, input_payload_hash, outcome, processed_at, run_id)
           SELECT $consumer, unnest($keys), unnest($hashes), unnest($outcomes), $now, $run_id
           ON CONFLICT (consumer, input_idem_key) DO UPDATE SET input_payload_hash = excluded.input_payload_hash,
               outcome = excluded.outcome, processed_at = excluded.processed_at, run_id = excluded.run_id""",
        {
            "consumer": consumer,
            "keys": list(latest),
            "hashes": [digest for digest, _ in latest.values()],
            "outcomes": [outcome for _, outcome in latest.values()],
            "now": now,
            "run_id": run_id,
        },
    )


def input_table(table: str) -> str:
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
    return table


def _system_column(table: str) -> str:
    return "i.source_system" if table == "raw_objects" else "NULL"


def _connection_column(table: str) -> str:
    return "i.connection_name" if table == "raw_objects" else "NULL"


def forget_processed(con: duckdb.DuckDBPyConnection, consumer: str, keys: Sequence[str] | None) -> None:
    """Drop ``consumer``'s ledger rows for ``keys`` (all when None), so those inputs are selected again."""
    if keys is None:
        con.execute("DELETE FROM processed_inputs WHERE consumer = $consumer", {"consumer": consumer})
    elif keys:
        con.execute(
            "DELETE FROM processed_inputs WHERE consumer = $consumer AND input_idem_key IN (SELECT unnest($keys))",
            {"consumer": consumer, "keys": list(keys)},
        )
