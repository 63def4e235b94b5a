"""Benchmarks of the pure core (figures only: nothing here is asserted anywhere).

``can bench``: the notebook call by id against the call with a resolved transform, both
on the same golden input. :func:`cpu_per_record`: what a transform costs a record, as a
map job's worker pays it (input known valid, output checked). Figures are CPU time
(``time.process_time``, best of three rounds), so other work on the machine matters less
than for wall-clock time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from canonizer.api import canonicalize
from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform


@dataclass(frozen=True)
class NotebookCallFigures:
    transform: str
    calls: int
    resolved_us: float  # CPU µs per call with a resolved Transform
    by_id_us: float  # CPU µs per call naming the transform by id

    @property
    def overhead(self) -> float:
        """How much slower the call by id is, as a fraction (target: at most 0.10)."""
        return self.by_id_us / self.resolved_us - 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "transform": self.transform,
            "calls": self.calls,
            "resolved_us_per_call": round(self.resolved_us, 1),
            "by_id_us_per_call": round(self.by_id_us, 1),
            "by_id_overhead_pct": round(100 * self.overhead, 1),
        }


def bench_notebook_call(transform_id: str = "email/gmail", calls: int = 2000) -> NotebookCallFigures:
    """CPU per ``canonicalize(record, transform_id, …)`` and per call with the resolved transform,
    on the transform's first golden case that has an output."""
    transform = get_transform(transform_id)
    case = next(
        case
        for case in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(transform.tests_dir.glob("*.json")))
        if "expected" in case
    )
    record, bindings = case["input"], case.get("bindings")
    resolved = _cpu_per_call(lambda: canonicalize(record, transform, bindings), calls)
    by_id = _cpu_per_call(lambda: canonicalize(record, transform_id, bindings), calls)
    return NotebookCallFigures(transform_id, calls, resolved, by_id)


def cpu_per_record(transform: Transform, records: Sequence[Any], bindings: Mapping[str, Any]) -> float:
    """CPU µs per record of ``transform`` over ``records`` (rejects included), as a worker runs it."""

    def run_all() -> None:
        for record in records:
            with suppress(TransformError):  # a reject is a record like any other here
                apply_transform(transform, record, bindings, checked_against=transform.input_schema)

    return _cpu_per_call(run_all, 1) / max(1, len(records))


def _cpu_per_call(call: Callable[[], object], calls: int) -> float:
    call()  # compiled and cached before timing
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, time.process_time() - started)
    return best / calls * 1e6
