"""Reads for a long-lived process (the console) that never block a run and never wait for one.

DuckDB admits one writing process or readers, never both. A run that finds the warehouse
held waits :data:`~lorchestra.stack_clients.store.LOCK_GRACE_SECONDS`, then fails. So a
read here opens the warehouse read-only with no waiting, runs one short reader, and
closes it at once; while the run lock says a run is alive it does not even try, and
serves the last value read instead (``stale``). Results are cached per key until the
warehouse changes (size and mtime of the file and its WAL) or ``max_age_seconds`` pass;
on BigQuery, where nothing is locked and each query costs money, by age alone.

Projections come from the published views on DuckDB (see
:mod:`lorchestra.stack_clients.views`), which a run replaces atomically, so they are
readable during a run too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from lorchestra.config import Config
from lorchestra.exceptions import LorcError, WarehouseLockedError
from lorchestra.runlock import lock_holder, lock_path
from lorchestra.stack_clients import Store, open_store, read_view
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.views import SUFFIX, view_path, views_dir

T = TypeVar("T")
# DuckDB admits one connection to a file per process: the reader's reads and a follow-up
# mark (lorchestra.followups) in the same process (the console's threads) take turns.
IN_PROCESS = threading.Lock()
Signature = tuple[tuple[int, int, int] | None, ...]


@dataclass(frozen=True)
class Fresh(Generic[T]):
    value: T
    as_of: datetime  # when it was read from the warehouse
    stale: bool  # True: the warehouse was held by a run; this is the last value read before


class WarehouseBusy(LorcError):
    """The warehouse is held (by a run or another program) and nothing was read before."""

    def __init__(self, holder: str) -> None:
        super().__init__(
            f"the warehouse is in use by {holder} and has not been read since this process started; "
            "try again when it is done"
        )
        self.holder = holder


@dataclass
class _Entry:
    value: Any
    as_of: datetime
    read_at: float  # time.monotonic() of the read
    signature: Signature


class WarehouseReader:
    """Thread-safe: warehouse reads run one at a time (so a run waits for at most one),
    and a thread that waited for another's read of the same key gets its result."""

    def __init__(self, config: Config, *, max_age_seconds: float = 30.0) -> None:
        self.config = config
        self.max_age_seconds = max_age_seconds
        self._duckdb = config.backend == "duckdb"
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._views: dict[str, _Entry] = {}
        self._views_lock = threading.Lock()  # a view read never waits for a warehouse read
        self._bigquery: Store | None = None  # one client for the process: opening it costs a token exchange
        self.reads = 0  # reads that went to storage (a warehouse read or a view file), not to the cache

    def read(self, key: str, reader: Callable[[Store], T]) -> Fresh[T]:
        """``reader(store)`` on a read-only store opened with no waiting; cached per key until
        the DuckDB file changes or ``max_age_seconds`` pass (BigQuery: the age only). Held:
        the cached value with ``stale=True``; nothing cached yet: :class:`WarehouseBusy`.
        A cached value still current (file and WAL unchanged, younger than the age) is what
        the warehouse holds, so it is served as fresh also while a run holds the file."""
        with self._lock:
            signature = self._signature()
            cached = self._cache.get(key)
            if cached is not None and self._current(cached, signature):
                return Fresh(cached.value, cached.as_of, stale=False)
            holder = self._held_by()
            if holder is None:
                try:
                    return self._read(key, reader, signature)
                except WarehouseLockedError as exc:  # another program (a notebook) holds it
                    holder = exc.holder
            if cached is None:
                raise WarehouseBusy(holder)
            return Fresh(cached.value, cached.as_of, stale=True)

    def view_rows(self, name: str) -> Fresh[list[dict[str, Any]]]:
        """A projection's rows: the published view on DuckDB (empty if not published yet),
        the table on BigQuery (cached like :meth:`read`)."""
        if not self._duckdb:
            return self.read(f"view:{name}", lambda store: store.read_table(name) if store.has_table(name) else [])
        path = view_path(self.config.home, name)
        with self._views_lock:
            signature = (_stat(path),)  # a view is replaced by one rename: a new file, a new inode
            cached = self._views.get(name)
            if cached is not None and cached.signature == signature:
                return Fresh(cached.value, cached.as_of, stale=False)
            found = read_view(self.config.home, name)
            self.reads += 1
            published = _published_at(path) if found is not None else utcnow()
            self._views[name] = _Entry(found or [], published, time.monotonic(), signature)
            return Fresh(found or [], published, stale=False)

    def generation(self) -> Hashable | None:
        """What changes when anything this reader serves may have: the published views'
        files, the warehouse file and its WAL, and whether a run holds it (a read while it
        was held served the cache). Only file stats, nothing opened. None on BigQuery, where
        only a query would tell."""
        if not self._duckdb:
            return None
        views = tuple(sorted((path.name, _stat(path)) for path in views_dir(self.config.home).glob(f"*{SUFFIX}")))
        return (views, self._signature(), self._held_by() is None)

    def close(self) -> None:
        with self._views_lock:
            self._views.clear()
        with self._lock:
            self._cache.clear()
            if self._bigquery is not None:
                self._bigquery.close()
                self._bigquery = None

    def _current(self, entry: _Entry, signature: Signature) -> bool:
        return entry.signature == signature and time.monotonic() - entry.read_at < self.max_age_seconds

    def _held_by(self) -> str | None:
        """The live run that holds the warehouse (DuckDB only: BigQuery is never held)."""
        if not self._duckdb:
            return None
        live = lock_holder(lock_path(self.config.home))
        return live.describe() if live is not None else None

    def _read(self, key: str, reader: Callable[[Store], T], signature: Signature) -> Fresh[T]:
        as_of = utcnow()
        if self._duckdb:
            with IN_PROCESS:
                store = open_store(self.config, read_only=True, grace_seconds=0.0)
                try:
                    value = reader(store)
                finally:
                    store.close()
        else:
            if self._bigquery is None:
                self._bigquery = open_store(self.config)
            value = reader(self._bigquery)
        self.reads += 1
        self._cache[key] = _Entry(value, as_of, time.monotonic(), signature)
        return Fresh(value, as_of, stale=False)

    def _signature(self) -> Signature:
        """What changes when the warehouse does (nothing on BigQuery: age alone counts)."""
        if not self._duckdb:
            return ()
        path = self.config.duckdb_path
        return (_stat(path), _stat(path.with_name(path.name + ".wal")))


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _published_at(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        return utcnow()
