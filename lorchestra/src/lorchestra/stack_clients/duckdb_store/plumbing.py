"""Opening the DuckDB warehouse, its transactions, and bulk upserts: what every step module uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import orjson

from lorchestra.exceptions import StorageError, WarehouseLockedError
from lorchestra.stack_clients.duckdb_store.holders import holder_in_error
from lorchestra.stack_clients.duckdb_store.values import sql_string
from lorchestra.stack_clients.spill import duckdb_temp_dir, spill_file

# Row groups of 16k rows instead of DuckDB's 122,880: a batch of tens of thousands of
# records then fills whole row groups, which DuckDB writes straight into the file at
# insert time; with the default, a 90k-record batch went to the WAL and was copied
# again at checkpoint (first-pass ingest 4.9 s -> 3 s for 100k Gmail messages).
ROW_GROUP_SIZE = 16_384


def connect(
    path: Path, *, tmp_dir: Path, memory_limit: str, threads: int | None, read_only: bool
) -> duckdb.DuckDBPyConnection:
    """The warehouse file attached as ``warehouse`` to an in-memory database, in UTC."""
    # DuckDB's own default for temporary files is `.tmp` in the working directory.
    config: dict[str, Any] = {
        "memory_limit": memory_limit,
        "temp_directory": str(duckdb_temp_dir(tmp_dir, read_only=read_only)),
    }
    if threads:
        config["threads"] = threads
    try:
        con = duckdb.connect(":memory:", config=config)
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"ATTACH {sql_string(str(path))} AS warehouse "
            f"({'READ_ONLY' if read_only else f'ROW_GROUP_SIZE {ROW_GROUP_SIZE}'})"
        )
        con.execute("USE warehouse")
    except duckdb.ResourceInUseException:  # DuckDB admits one attach of a file per process
        raise WarehouseLockedError(
            f"the warehouse {path} is open in this process already; close that connection first",
            holder=f"this process (pid {os.getpid()})",
        ) from None
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            holder = holder_in_error(text)
            raise WarehouseLockedError(
                f"the warehouse {path} is in use by {holder}; wait for it or close its connection "
                "(to read beside lorc, use the published views: README, `Reading the views`), "
                "or pass --wait SECONDS",
                holder=holder,
            ) from None
        raise StorageError(f"cannot open the warehouse {path}: {type(exc).__name__}") from None
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together or, on any exception, not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def bulk_upsert(
    con: duckdb.DuckDBPyConnection,
    tmp_dir: Path,
    table: str,
    rows: list[dict[str, Any]],
    *,
    conflict: tuple[str, ...],
    update: tuple[str, ...],
) -> None:
    """Insert-or-update many rows with one statement (through a private JSONL file):
    DuckDB's executemany costs ~3 ms a row with ON CONFLICT."""
    if not rows:
        return
    columns = list(rows[0])
    types = {name: str(kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()}
    with spill_file(tmp_dir) as (path, handle):
        for row in rows:
            handle.write(orjson.dumps(row, default=str) + b"\n")
        handle.close()
        spec = ", ".join(f"{c}: '{types[c]}'" for c in columns)
        con.execute(
            f"""INSERT INTO {table} ({", ".join(columns)})
                SELECT {", ".join(columns)} FROM read_json($file, format = 'newline_delimited',
                                                          columns = {{{spec}}})
                ON CONFLICT ({", ".join(conflict)}) DO UPDATE SET
                {", ".join(f"{c} = excluded.{c}" for c in update)}""",
            {"file": str(path)},
        )
