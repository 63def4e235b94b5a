"""Private scratch files inside the PHI home for staging batches (``0600``, removed after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lorchestra.home import private_dir, private_file


def scratch_name(prefix: str, suffix: str = "") -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"


@contextmanager
def spill_file(tmp_dir: Path, suffix: str = ".jsonl") -> Iterator[tuple[Path, BinaryIO]]:
    """Yield a fresh private file opened for binary writing; delete it afterwards."""
    private_dir(tmp_dir)
    path = tmp_dir / scratch_name("spill", suffix)
    handle = os.fdopen(private_file(path), "wb")
    try:
        yield path, handle
    finally:
        handle.close()
        path.unlink(missing_ok=True)


def duckdb_temp_dir(tmp_dir: Path, *, read_only: bool) -> Path:
    """Where one DuckDB connection may put temporary files: a fresh directory under
    ``tmp_dir/duckdb`` that DuckDB creates when a query first outgrows memory and removes
    when the connection closes. A reader on a read-only home gets it too: DuckDB then
    fails such a query instead of writing anywhere else."""
    parent = tmp_dir / "duckdb"
    try:
        private_dir(parent, stop_at=tmp_dir.parent)
    except OSError:
        if not read_only:
            raise
    return parent / scratch_name("duckdb")
