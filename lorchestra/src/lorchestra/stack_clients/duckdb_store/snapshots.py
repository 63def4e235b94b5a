"""Publishing a projection of the DuckDB warehouse as a Parquet snapshot (see ``stack_clients.views``)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from lorchestra.home import FILE_MODE, private_dir
from lorchestra.stack_clients.projection import check_table_name
from lorchestra.stack_clients.views import SUFFIX, sql_string


def publish_snapshot(con: duckdb.DuckDBPyConnection, table: str, directory: Path, *,
                     if_missing: bool = False) -> Path:
    """Write ``table`` beside its snapshot, make it private and durable, then swap it in
    with one rename: a reader opens the old file or the new one, never a partial one."""
    final = directory / f"{check_table_name(table)}{SUFFIX}"
    if if_missing and final.exists():
        return final
    private_dir(directory)
    partial = directory / f".{table}{SUFFIX}.partial"  # one name per table: a crash leaves at most one
    try:
        con.execute(f"COPY (SELECT * FROM {table}) TO {sql_string(str(partial))} "
                    "(FORMAT parquet, COMPRESSION zstd)")
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fchmod(fd, FILE_MODE)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final
