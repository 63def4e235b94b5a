"""One writing ``lorc`` process per PHI home at a time.

The lock is an exclusive ``flock`` on ``$LORC_HOME/run.lock``: the kernel drops it when
its holder exits or is killed, so a lock left by a dead process is simply free again
(taken over safely, with no pid guessing). The file holds the holder's pid and run id
so a waiting process can say who it is waiting for.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lorchestra.exceptions import LorcError


class RunLockedError(LorcError):
    """Another lorc run holds the PHI home."""


@contextmanager
def run_lock(path: Path, *, run_id: str, wait_seconds: float = 0.0) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + max(0.0, wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    raise RunLockedError(
                        f"another lorc run holds {path.parent} (run {holder.get('run_id', '?')}, "
                        f"pid {holder.get('pid', '?')}); wait for it, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "run_id": run_id, "since": time.time()}).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _holder(path: Path) -> dict[str, object]:
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
