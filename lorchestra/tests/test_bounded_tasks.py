"""``lorchestra.bounded_tasks``: blocking steps at most ``limit`` at once in worker threads,
everything else (and every outcome) in the calling thread, phases one after the other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from lorchestra.bounded_tasks import Task, run_tasks


class Steps:
    """Blocking steps that count how many run at once; ``together`` of them meet at a barrier,
    so a test fails (BrokenBarrierError) unless that many really run at the same time."""

    def __init__(self, together: int) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.most = 0
        self.barrier = threading.Barrier(together, timeout=30)

    def step(self, value: Any) -> Callable[[], Any]:
        def run() -> Any:
            with self.lock:
                self.active += 1
                self.most = max(self.most, self.active)
            try:
                self.barrier.wait()
            finally:
                with self.lock:
                    self.active -= 1
            return value

        return run


def _task(steps: Steps, name: str, log: list[tuple[str, str, int]]) -> Task[str]:
    log.append(("start", name, threading.get_ident()))
    first = yield steps.step(1)
    second = yield steps.step(2)
    log.append(("between-and-after", name, threading.get_ident()))
    return f"{name}:{first + second}"


def test_at_most_limit_steps_run_at_once_and_everything_else_runs_in_the_calling_thread() -> None:
    steps, log, outcomes = Steps(together=3), [], {}
    tasks = [(name, lambda name=name: _task(steps, name, log)) for name in "abcdef"]

    run_tasks([tasks], 3, outcomes.__setitem__, threading.Event())

    assert outcomes == {name: f"{name}:3" for name in "abcdef"}
    assert steps.most == 3
    assert {thread for _what, _name, thread in log} == {threading.get_ident()}


def test_a_failing_step_reaches_its_task_which_ends_alone_and_the_others_complete() -> None:
    outcomes: dict[str, object] = {}

    def failing() -> Task[str]:
        try:
            yield _raise
        except OSError as error:
            raise RuntimeError("the connection failed") from error
        return "never"

    def fine(name: str) -> Task[str]:
        value = yield lambda: name
        return value

    run_tasks(
        [[("bad", failing), ("x", lambda: fine("x")), ("y", lambda: fine("y"))]],
        2,
        outcomes.__setitem__,
        threading.Event(),
    )

    assert outcomes["x"] == "x" and outcomes["y"] == "y"
    assert isinstance(outcomes["bad"], RuntimeError) and isinstance(outcomes["bad"].__cause__, OSError)


def _raise() -> None:
    raise OSError("meltano run failed")


def test_a_phase_starts_once_every_task_of_the_one_before_has_ended() -> None:
    order: list[str] = []

    def task(name: str) -> Task[None]:
        order.append(f"start {name}")
        yield lambda: None
        order.append(f"end {name}")

    run_tasks(
        [[("s1", lambda: task("s1")), ("s2", lambda: task("s2"))], [("f1", lambda: task("f1"))]],
        4,
        lambda _key, _outcome: None,
        threading.Event(),
    )

    assert order.index("start f1") > max(order.index("end s1"), order.index("end s2"))


def test_an_interrupt_sets_cancel_waits_for_the_running_steps_and_is_raised() -> None:
    cancel = threading.Event()
    seen_cancel: list[bool] = []

    def watching_step() -> None:
        seen_cancel.append(cancel.wait(timeout=30))

    def task() -> Task[None]:
        yield watching_step

    def interrupted() -> Task[None]:
        yield lambda: None
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tasks([[("watching", task), ("interrupted", interrupted)]], 2, lambda _key, _outcome: None, cancel)

    assert cancel.is_set()
    assert seen_cancel == [True], "the running step saw cancel and ended before run_tasks returned"


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run_tasks([], 0, lambda _key, _outcome: None, threading.Event())
