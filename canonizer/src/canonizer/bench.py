"""``can bench``: the notebook call by id against the call with a resolved transform.

Both run the same golden input through ``canonicalize``; the figure is CPU time per call
(``time.process_time``, best of three rounds), so other work on the machine matters
less than for wall-clock time. Figures only: nothing here is asserted anywhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from canonizer.api import canonicalize
from canonizer.registry import get_transform


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


def _cpu_per_call(call: Callable[[], object], calls: int) -> float:
    call()  # compiled and cached before timing
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, time.process_time() - started)
    return best / calls * 1e6
