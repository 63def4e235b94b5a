"""Private scratch files inside the PHI home (``0600``), removed on every way out.

Scratch names carry their owner's pid (``spill-<pid>-<hex>.jsonl`` for staged batches,
``duckdb/duckdb-<pid>-<hex>/`` for one DuckDB connection's temporary files), so what a
killed process left behind is recognised and removed by the next run
(:func:`sweep_stale_scratch`) without touching the files of a process still at work.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lorchestra.errors_safe import disk_full_under
from lorchestra.home import private_dir, private_file

_OWNED = re.compile(r"(?:spill|duckdb)-(\d+)-[0-9a-f]{32}(?:\.jsonl)?")
# Left by versions before scratch names carried a pid: DuckDB's own temporary file names
# (they carry its process's pid) and spill files without one.
_DUCKDB_FILE = re.compile(r"duckdb_temp_(\d+)_.*")
_UNOWNED_SPILL = re.compile(r"spill-[0-9a-f]{32}\.jsonl")


def scratch_name(prefix: str, suffix: str = "") -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"


@contextmanager
def spill_file(tmp_dir: Path, suffix: str = ".jsonl") -> Iterator[tuple[Path, BinaryIO]]:
    """Yield a fresh private file opened for binary writing; delete it afterwards, also
    when writing or closing it fails (a full disk fails the final flush)."""
    private_dir(tmp_dir)
    path = tmp_dir / scratch_name("spill", suffix)
    with disk_full_under(tmp_dir):
        handle = os.fdopen(private_file(path), "wb")
        try:
            yield path, handle
        finally:
            try:
                handle.close()
            finally:
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


def sweep_stale_scratch(tmp_dir: Path) -> int:
    """Remove the scratch files and DuckDB temporary files of processes that are gone
    (a run killed mid-batch); return how many entries went."""
    removed = 0
    for folder in (tmp_dir, tmp_dir / "duckdb"):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if not _stale(entry.name):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _stale(name: str) -> bool:
    if _UNOWNED_SPILL.fullmatch(name):
        return True
    owner = _OWNED.fullmatch(name) or _DUCKDB_FILE.fullmatch(name)
    return owner is not None and not _alive(int(owner.group(1)))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
