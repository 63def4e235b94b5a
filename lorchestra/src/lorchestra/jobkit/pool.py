"""Apply a map job's function to a page of inputs, on every core once the work is big.

The mapping functions (JSONata transforms, scoring) are CPU-bound Python, so threads
would not help. Once a job has more than ``min_items`` inputs, worker processes are
forked with the function already in their memory (a closure needs no pickling); each
page is split among them and the results come back in input order. Workers never
touch the store: reading inputs and writing outputs stay in the job's process, in
one transaction per page as before.

``LORC_MAP_WORKERS`` sets the number of workers (default: one per CPU); ``1`` keeps
everything in the job's process. Small runs never start a pool.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_ENV = "LORC_MAP_WORKERS"
_worker_fn: Callable[[Any], Any] | None = None
_worker_pack: Callable[[Any], Any] | None = None


def configured_workers() -> int:
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a whole number, got {value!r}") from None
    return max(1, os.cpu_count() or 1)


def _install(fn: Callable[[Any], Any], pack: Callable[[Any], Any]) -> None:
    global _worker_fn, _worker_pack
    _worker_fn, _worker_pack = fn, pack


def _apply_chunk(items: Sequence[Any]) -> list[Any]:
    assert _worker_fn is not None and _worker_pack is not None
    return [_worker_pack(_worker_fn(item)) for item in items]


def _same(value: Any) -> Any:
    return value


class PageResult(Generic[R]):
    """The results of one page, in input order, once they are there."""

    def __init__(
        self,
        *,
        done: list[R] | None = None,
        futures: list[Future[list[Any]]] | None = None,
        unpack: Callable[[Any], R] = _same,
    ) -> None:
        self._done, self._futures, self._unpack = done, futures or [], unpack

    def result(self) -> list[R]:
        if self._done is None:
            self._done = [self._unpack(item) for future in self._futures for item in future.result()]
        return self._done


class MapPool(Generic[T, R]):
    """``map(page)``: ``[fn(item) for item in page]``, in worker processes when worthwhile.

    ``pack`` (in the worker) and ``unpack`` (in the job's process) let a result cross
    the process boundary in a cheaper form than pickled objects, e.g. as JSON bytes.
    """

    def __init__(
        self,
        fn: Callable[[T], R],
        *,
        workers: int | None = None,
        min_items: int = 1000,
        pack: Callable[[R], Any] = _same,
        unpack: Callable[[Any], R] = _same,
    ) -> None:
        self.fn = fn
        self.pack, self.unpack = pack, unpack
        self.workers = configured_workers() if workers is None else max(1, workers)
        self.min_items = min_items
        self._seen = 0
        self._executor: ProcessPoolExecutor | None = None

    def map(self, page: Sequence[T]) -> list[R]:
        return self.submit(page).result()

    def submit(self, page: Sequence[T]) -> PageResult[R]:
        """Start mapping ``page``; the job can write the previous page meanwhile."""
        self._seen += len(page)
        if self._executor is None and (self.workers == 1 or self._seen <= self.min_items):
            # packed and unpacked here too: the same answers as from a worker, as compact while they wait
            return PageResult(done=[self.unpack(self.pack(self.fn(item))) for item in page])
        if self._executor is None:
            gc.freeze()  # the workers' collector then skips everything inherited (and its pages stay shared)
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_install,
                initargs=(self.fn, self.pack),
            )
        size = max(1, -(-len(page) // (self.workers * 4)))  # a few chunks per worker even out their load
        futures = [
            self._executor.submit(_apply_chunk, page[start : start + size]) for start in range(0, len(page), size)
        ]
        gc.unfreeze()  # the workers are forked by now (all at the first submit)
        return PageResult(futures=futures, unpack=self.unpack)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> MapPool[T, R]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
