"""Describe an exception without its message, which may quote record contents."""

from __future__ import annotations

import errno
import os
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lorchestra.exceptions import DiskFullError
from shared_schemas.errors import PhiSafeError

_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# DuckDB's IO errors quote the file they failed on: 'Could not write file "/x/y.wal": No space left on device'.
_DUCKDB_DISK_FULL = re.compile(r'"(/[^"\n]+)": (No space left on device|Disk quota exceeded)')


def safe_error(exc: BaseException) -> str:
    """The suite's own errors (``PhiSafeError``: their messages name only ids, counts, rules,
    fields and paths) are shown as they are; a full disk anywhere in the chain of causes is named with its
    directory; any other shows type and location only."""
    full = disk_full(exc)
    if full is not None:
        return str(full)
    if isinstance(exc, PhiSafeError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" at {Path(last.filename).name}:{last.lineno} in {last.name}"
    return f"{type(exc).__name__}{where} (message withheld: it may quote record contents)"


def safe_traceback(exc: BaseException) -> str:
    """Frames (file, line, function) and the exception type; no message, no source lines
    (a line like ``raise X(f"... {record}")`` would reveal nothing, but keep it uniform)."""
    frames = "".join(
        f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in traceback.extract_tb(exc.__traceback__)
    )
    return f"Traceback (most recent call last):\n{frames}{safe_error(exc)}"


def disk_full(exc: BaseException, *, where: Path | None = None) -> DiskFullError | None:
    """The full disk behind ``exc`` (itself, or its cause or context, e.g. a failed COMMIT
    hidden behind the ROLLBACK that followed it), naming the directory: the one of the
    file it failed on, else ``where`` (a failed ``write`` names no file)."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, DiskFullError):
            return link
        if isinstance(link, OSError) and link.errno in _DISK_FULL_ERRNOS:
            directory = Path(os.fsdecode(link.filename)).parent if link.filename else where
            return DiskFullError(directory, quota=link.errno == errno.EDQUOT)
        if type(link).__module__.lstrip("_") == "duckdb":
            match = _DUCKDB_DISK_FULL.search(str(link))
            if match:
                return DiskFullError(Path(match.group(1)).parent, quota=match.group(2) != "No space left on device")
        link = link.__cause__ or link.__context__
    return None


@contextmanager
def disk_full_under(directory: Path) -> Iterator[None]:
    """A write in ``directory`` that finds the disk full raises :class:`DiskFullError`
    naming it (an ``OSError`` from ``write`` or ``close`` names no file)."""
    try:
        yield
    except OSError as exc:
        full = disk_full(exc, where=directory)
        if full is None:
            raise
        raise full from exc
