"""The first `meltano run` of a home creates and migrates its system database alone.

Every `meltano run` brings the system database up to date before anything else; two runs
that find it missing (a new home) or behind (a new Meltano) at the same time both migrate
it, and one fails ("Cannot upgrade the system database"). So a run holds an exclusive lock
on ``meltano/system-db.lock`` until Meltano exits, unless ``meltano/system-db.ready`` says a
run of this very Meltano has already succeeded here; the others wait for the lock, find the
marker and go on at once. Once ready, runs take no lock at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = "system-db.lock"
READY_NAME = "system-db.ready"


@contextlib.contextmanager
def system_db_turn(meltano_home: Path, meltano: Path) -> Iterator[Callable[[], None]]:
    """Wait until this run may start Meltano; yields what to call once it exited 0."""
    marker = meltano_home / READY_NAME
    stamp = _stamp(meltano)
    if _read(marker) == stamp:
        yield _nothing
        return
    fd = os.open(meltano_home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _read(marker) == stamp:
            fcntl.flock(fd, fcntl.LOCK_UN)
            yield _nothing
        else:
            yield lambda: _write(marker, stamp)
    finally:
        os.close(fd)


def _stamp(meltano: Path) -> str:
    """Which Meltano: its executable's real path and when it was installed."""
    real = meltano.resolve()
    return f"{real} {real.stat().st_mtime_ns}"


def _read(marker: Path) -> str | None:
    try:
        return marker.read_text(encoding="utf-8")
    except OSError:
        return None


def _write(marker: Path, stamp: str) -> None:
    temporary = marker.with_name(f".{marker.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(stamp)
    temporary.replace(marker)


def _nothing() -> None:
    return None
