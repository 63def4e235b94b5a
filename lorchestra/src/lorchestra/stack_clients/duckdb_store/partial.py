"""Reading a projection by key and replacing some of its rows, on DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
import orjson

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.projection import RowsChange, check_table_name
from lorchestra.stack_clients.spill import spill_file

DUCK_TYPES = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN",
              "timestamp": "TIMESTAMPTZ", "string[]": "VARCHAR[]"}


def lookup_rows(con: duckdb.DuckDBPyConnection, name: str, key_column: str, keys: Sequence[str],
                columns: Sequence[str]) -> list[dict[str, Any]]:
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
        con.execute("BEGIN TRANSACTION")
        try:
            for change, path in zip(changes, files, strict=True):
                con.execute(f"DELETE FROM {change.table} WHERE {change.key_column} IN (SELECT unnest($keys))",
                            {"keys": list(change.keys)})
                if path is not None:
                    spec = ", ".join(f"{c.name}: '{DUCK_TYPES[c.type]}'" for c in change.columns)
                    names = ", ".join(c.name for c in change.columns)
                    con.execute(f"INSERT INTO {change.table} ({names}) SELECT {names} FROM "
                                f"read_json($file, format = 'newline_delimited', columns = {{{spec}}})",
                                {"file": str(path)})
                checkpoint("projection.before_commit", change.table)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
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
