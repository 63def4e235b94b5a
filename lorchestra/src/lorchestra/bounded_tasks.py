"""Tasks whose blocking steps run at most ``limit`` at a time in worker threads, while
everything else they do runs in the calling thread.

An extraction is such a task: `meltano run` is its blocking step; ingesting what the run
wrote is not, and stays in the job's own thread, the store's one writer, as each run ends.

A task is a generator: it yields a step (a callable without arguments), gets the step's
result back at the ``yield`` (or its exception, thrown in there) and returns its outcome.
Tasks come in phases: a phase starts once every task of the one before has finished. A
task that raises an ``Exception`` ends alone, with that exception as its outcome; anything
else (``KeyboardInterrupt``, a failing ``outcome``) sets ``cancel``, which the steps
running at that moment watch, waits for them and is raised.

A step's thread lives until every task is done: a process it starts may ask the kernel to
be signalled when that thread dies (``ingestor.guard``'s parent-death signal), so no
worker thread may end before the pool shuts down, which is how ``ThreadPoolExecutor``
behaves.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Generic, TypeVar

K = TypeVar("K")
T = TypeVar("T")
Step = Callable[[], Any]
Task = Generator[Step, Any, T]


class _Pool(Generic[K, T]):
    def __init__(self, pool: ThreadPoolExecutor, outcome: Callable[[K, T | Exception], None]) -> None:
        self.pool = pool
        self.outcome = outcome
        self.running: dict[Future[Any], tuple[K, Task[T]]] = {}

    def advance(self, key: K, task: Task[T], done: Future[Any] | None = None) -> None:
        """Run ``task`` in this thread up to its next step, and start that step."""
        try:
            if done is None:
                step = next(task)
            elif (error := done.exception()) is not None:
                step = task.throw(error)
            else:
                step = task.send(done.result())
        except StopIteration as stop:
            self.outcome(key, stop.value)
            return
        except Exception as exc:  # noqa: BLE001 - a failing task ends alone
            self.outcome(key, exc)
            return
        self.running[self.pool.submit(step)] = (key, task)

    def next_done(self) -> None:
        finished, _ = wait(self.running, return_when=FIRST_COMPLETED)
        for future in finished:
            key, task = self.running.pop(future)
            self.advance(key, task, future)

    def stop(self) -> None:
        """Wait for the steps running now (they watch ``cancel``), then close their tasks."""
        wait(self.running)
        for _key, task in self.running.values():
            task.close()
        self.running.clear()


def run_tasks(
    phases: Sequence[Sequence[tuple[K, Callable[[], Task[T]]]]],
    limit: int,
    outcome: Callable[[K, T | Exception], None],
    cancel: threading.Event,
) -> None:
    """Every task of every phase, at most ``limit`` steps at once; ``outcome(key, result or
    exception)`` in this thread as each task ends."""
    if limit < 1:
        raise ValueError(f"at most {limit} steps at once: the limit must be at least 1")
    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="bounded-task") as executor:
        pool: _Pool[K, T] = _Pool(executor, outcome)
        try:
            for phase in phases:
                waiting = deque(phase)
                while waiting or pool.running:
                    while waiting and len(pool.running) < limit:
                        key, start = waiting.popleft()
                        pool.advance(key, start())
                    if pool.running:
                        pool.next_done()
        except BaseException:
            cancel.set()
            pool.stop()
            raise
