"""Golden tests of the transforms: ``tests/*.json`` beside each spec.

A case is ``{"description", "input", "bindings", "expected"}`` or, for inputs that must
be rejected, ``{"description", "input", "bindings", "expected_error": {"rule", "field"}}``.
Every expected output was checked by hand once against the raw message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, list_transforms


@dataclass(frozen=True)
class GoldenResult:
    transform: str
    case: str
    passed: bool
    detail: str = ""


def run_golden_tests(transforms: list[Transform] | None = None) -> list[GoldenResult]:
    results = []
    for transform in transforms or list_transforms():
        for path in sorted(transform.tests_dir.glob("*.json")):
            results.append(_run_case(transform, path))
    return results


def _run_case(transform: Transform, path: Path) -> GoldenResult:
    case = json.loads(path.read_text(encoding="utf-8"))
    name = path.stem
    try:
        output = apply_transform(transform, case["input"], case.get("bindings"))
    except TransformError as exc:
        expected_error = case.get("expected_error")
        if expected_error == {"rule": exc.rule, "field": exc.field}:
            return GoldenResult(transform.ref, name, True)
        return GoldenResult(transform.ref, name, False, f"rejected: {exc.rule} on {exc.field}")
    if "expected_error" in case:
        return GoldenResult(transform.ref, name, False, "expected a reject, got an output")
    if output == case["expected"]:
        return GoldenResult(transform.ref, name, True)
    differing = sorted(k for k in set(output) | set(case["expected"]) if output.get(k) != case["expected"].get(k))
    return GoldenResult(transform.ref, name, False, f"fields differ: {', '.join(differing)}")
