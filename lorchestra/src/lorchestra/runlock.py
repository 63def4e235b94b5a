"""One writing ``lorc`` process per PHI home at a time.

The lock is an exclusive ``flock`` on ``$LORC_HOME/run.lock``: the kernel drops it when
its holder exits or is killed, so a lock left by a dead process is simply free again
(taken over safely, with no pid guessing). The file holds the holder's pid and run id
so a waiting process can say who it is waiting for, and :func:`lock_holder` tells any
reader (``lorc status``, ``lorc doctor``) whether a run is alive and which one.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome

# A reader probes the lock for a few microseconds; a run that finds it taken tries again
# this long before it gives up, so a `lorc status` never makes a cron run fail.
PROBE_GRACE_SECONDS = 0.5


def lock_path(home: PhiHome) -> Path:
    return home.root / "run.lock"


class RunLockedError(LorcError):
    """Another lorc run holds the PHI home."""


@dataclass(frozen=True)
class LockHolder:
    """The live ``lorc`` run that holds the lock."""

    pid: int | None
    run_id: str | None
    since: datetime | None

    def describe(self) -> str:
        return f"lorc run {self.run_id or '?'} (pid {self.pid if self.pid is not None else '?'})"


@contextmanager
def run_lock(path: Path, *, run_id: str, wait_seconds: float = 0.0) -> Iterator[int]:
    """Hold the lock for the block; yields its descriptor, which a child process that must
    not outlive the lock (Meltano) keeps open."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        started = time.monotonic()
        deadline = started + max(PROBE_GRACE_SECONDS, wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    raise RunLockedError(
                        f"{path.parent} is in use by {holder.describe()}; wait for it, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.05 if time.monotonic() - started < PROBE_GRACE_SECONDS else 0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "run_id": run_id, "since": time.time()}).encode(), 0)
        yield fd
    finally:
        os.close(fd)  # closing releases the flock


def lock_holder(path: Path) -> LockHolder | None:
    """The run holding the lock, or None when no run is alive (a shared probe, released at once)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _holder(path: Path) -> LockHolder:
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        found = {}
    if not isinstance(found, dict):
        found = {}
    pid, run_id, since = found.get("pid"), found.get("run_id"), found.get("since")
    return LockHolder(
        pid=pid if isinstance(pid, int) else None,
        run_id=str(run_id) if run_id else None,
        since=datetime.fromtimestamp(since, UTC) if isinstance(since, (int, float)) else None,
    )
