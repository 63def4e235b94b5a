"""``umask 077`` while the suite works, whatever umask its caller has.

Files made by others on the suite's behalf get their mode from the process umask: DuckDB
creates its WAL (again after every checkpoint) and its temporary files (whenever a query
outgrows memory) with it, and Meltano and worker processes inherit it when they start.
The umask is process-wide, so it must stay set for as long as the suite works, not just
around one call: a run (:func:`lorchestra.runner.run_jobs`), ``init_home``, and every
open DuckDB store hold it. A notebook gets its own umask back when the last of them is
done; meanwhile, files it creates itself are private too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _PrivateUmask:
    """Holders nest and may overlap across threads; the first sets ``077`` (keeping any
    stricter bits of the caller's umask), the last one to leave restores the caller's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._callers = 0

    def acquire(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._callers = os.umask(0o077)
                os.umask(self._callers | 0o077)
            self._holders += 1

    def release(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                os.umask(self._callers)


_PRIVATE_UMASK = _PrivateUmask()
hold_private_umask = _PRIVATE_UMASK.acquire
release_private_umask = _PRIVATE_UMASK.release


@contextmanager
def private_umask() -> Iterator[None]:
    """Everything created meanwhile, by this process or its children, is private."""
    hold_private_umask()
    try:
        yield
    finally:
        release_private_umask()
