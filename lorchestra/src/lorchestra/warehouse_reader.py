"""Reads for a long-lived reader (the console) that never block a run.

STAND-IN by helper S with the signature fixed in the issue-17 brief; helper F's module
replaces this file at merge. DuckDB: a read-only open with no waiting, closed right
after; a held warehouse gives the last value read, marked stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from lorchestra.config import Config
from lorchestra.exceptions import LorcError, WarehouseLockedError
from lorchestra.stack_clients import Store, open_store

T = TypeVar("T")


class WarehouseBusy(LorcError):
    """The warehouse is held by a run and nothing was read before."""


@dataclass(frozen=True)
class Fresh(Generic[T]):
    value: T
    as_of: datetime
    stale: bool


class WarehouseReader:
    def __init__(self, config: Config, *, max_age_seconds: float = 30.0) -> None:
        self.config = config
        self.max_age_seconds = max_age_seconds
        self._cache: dict[str, tuple[tuple[float, ...], float, Fresh[Any]]] = {}

    def _stamp(self) -> tuple[float, ...]:
        if self.config.backend != "duckdb":
            return ()
        found: list[float] = []
        for path in (self.config.duckdb_path, self.config.duckdb_path.with_name(self.config.duckdb_path.name + ".wal")):
            try:
                info = path.stat()
                found += [info.st_mtime, float(info.st_size)]
            except FileNotFoundError:
                found += [0.0, 0.0]
        return tuple(found)

    def read(self, key: str, reader: Callable[[Store], T]) -> Fresh[T]:
        stamp = self._stamp()
        cached = self._cache.get(key)
        if cached and cached[0] == stamp and time.monotonic() - cached[1] < self.max_age_seconds:
            return cached[2]
        try:
            store = open_store(self.config, read_only=self.config.backend == "duckdb")
        except WarehouseLockedError as exc:
            if cached is None:
                raise WarehouseBusy(f"the warehouse is in use by {exc.holder}; try again when the run ends") from None
            old = cached[2]
            return Fresh(old.value, old.as_of, True)
        try:
            fresh = Fresh(reader(store), datetime.now(UTC), False)
        finally:
            store.close()
        self._cache[key] = (stamp, time.monotonic(), fresh)
        return fresh

    def view_rows(self, name: str) -> Fresh[list[dict[str, Any]]]:
        """Stand-in: the table through :meth:`read` (F's module reads the published view)."""
        return self.read(f"view:{name}", lambda store: store.read_table(name) if store.has_table(name) else [])

    def close(self) -> None:
        self._cache.clear()
