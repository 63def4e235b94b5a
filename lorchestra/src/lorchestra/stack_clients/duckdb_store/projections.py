"""Projections and ledgers on DuckDB: created, swapped whole, read by key, changed by key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
import orjson

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.duckdb_store.ddl import DUCK_TYPES, columns_sql
from lorchestra.stack_clients.duckdb_store.plumbing import transaction
from lorchestra.stack_clients.projection import Column, RowsChange, check_table_name
from lorchestra.stack_clients.spill import spill_file


def replace_table(
    con: duckdb.DuckDBPyConnection,
    tmp_dir: Path,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
) -> int:
    """Swap the table for ``rows`` in one transaction; the row count."""
    table = check_table_name(name)
    types = {c.name: DUCK_TYPES[c.type] for c in columns}
    with spill_file(tmp_dir) as (path, handle):
        count = 0
        for row in rows:
            # read_json below takes the declared columns only: other keys are ignored and
            # absent ones are NULL, so a row is written as it comes
            handle.write(orjson.dumps(row, default=str) + b"\n")
            count += 1
        handle.close()
        spec = ", ".join(f"{n}: '{t}'" for n, t in types.items())
        select = ", ".join(types)
        source = (
            f"SELECT {select} FROM read_json($file, format = 'newline_delimited', columns = {{{spec}}})"
            if count
            else "SELECT " + ", ".join(f"NULL::{t} AS {n}" for n, t in types.items()) + " WHERE false"
        )
        with transaction(con):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {source}", {"file": str(path)} if count else {})
            checkpoint("projection.before_commit", table)
    return count


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'warehouse' AND table_name = $1",
        [name],
    ).fetchone()
    return bool(row and row[0])


def ensure_table(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[Column]) -> None:
    spec = ", ".join(f"{c.name} {DUCK_TYPES[c.type]}" for c in columns)  # Column checks its name
    con.execute(f"CREATE TABLE IF NOT EXISTS {check_table_name(name)} ({spec})")


def lookup_rows(
    con: duckdb.DuckDBPyConnection, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
) -> list[dict[str, Any]]:
    if not keys:
        return []
    for column in (key_column, *columns):
        check_table_name(column)
    cursor = con.execute(
        f"SELECT {', '.join(columns)} FROM {check_table_name(name)} WHERE {key_column} IN (SELECT unnest($keys))",
        {"keys": list(keys)},
    )
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def replace_rows(con: duckdb.DuckDBPyConnection, tmp_dir: Path, changes: Sequence[RowsChange]) -> list[int]:
    """Every change in one transaction: its keys' rows deleted, its rows inserted."""
    with ExitStack() as stack:
        files = [_spill(stack, tmp_dir, change) for change in changes]
        with transaction(con):
            for change, path in zip(changes, files, strict=True):
                con.execute(
                    f"DELETE FROM {change.table} WHERE {change.key_column} IN (SELECT unnest($keys))",
                    {"keys": list(change.keys)},
                )
                if path is not None:
                    names = ", ".join(c.name for c in change.columns)
                    con.execute(
                        f"INSERT INTO {change.table} ({names}) SELECT {names} FROM "
                        f"read_json($file, format = 'newline_delimited', columns = {columns_sql(change.columns)})",
                        {"file": str(path)},
                    )
                checkpoint("projection.before_commit", change.table)
    return [len(change.rows) for change in changes]


def _spill(stack: ExitStack, tmp_dir: Path, change: RowsChange) -> Path | None:
    """The change's rows in a private JSONL file (None when it only deletes)."""
    if not change.rows:
        return None
    path, handle = stack.enter_context(spill_file(tmp_dir))
    for row in change.rows:
        handle.write(orjson.dumps({c.name: row.get(c.name) for c in change.columns}, default=str) + b"\n")
    handle.close()
    return path
