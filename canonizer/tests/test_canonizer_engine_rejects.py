"""The engine evaluates with the extension functions as they are and, only when an
evaluation fails, again with their rejections handed over: the answer is the one the
wrapped evaluation alone would give, for good records, rejects and failures alike."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from canonizer import engine
from canonizer.engine import apply_transform
from canonizer.exceptions import TransformError
from canonizer.registry import Transform, get_transform, list_transforms
from shared_schemas import compile_validator


def _cases() -> list[tuple[Transform, Path]]:
    return [(t, path) for t in list_transforms() for path in sorted(t.tests_dir.glob("*.json"))]


def _answer_when_every_call_was_wrapped(transform: Transform, record: Any, bindings: dict[str, Any]) -> Any:
    """The engine's answer before the split: one evaluation, every call wrapped."""
    engine._rejected.error = None
    try:
        output = engine._compiled(transform, handing_over_rejects=True).evaluate(record, bindings)
    except ValueError:
        rejected, engine._rejected.error = engine._rejected.error, None
        return (rejected.rule, rejected.field) if rejected else ("transform.evaluation_failed", "$")
    violation = compile_validator(transform.output_schema)(output)
    return (f"output.{violation.rule}", violation.field) if violation else output


def _answer(transform: Transform, record: Any, bindings: dict[str, Any]) -> Any:
    try:
        return apply_transform(transform, record, bindings, checked_against=transform.input_schema)
    except TransformError as exc:
        return (exc.rule, exc.field)


@pytest.mark.parametrize(("transform", "path"), _cases(), ids=lambda v: getattr(v, "stem", getattr(v, "ref", "")))
def test_every_golden_case_gets_the_answer_of_the_wrapped_evaluation(transform: Transform, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    bindings = case.get("bindings") or {}
    expected = _answer_when_every_call_was_wrapped(transform, case["input"], bindings)
    assert _answer(transform, case["input"], bindings) == expected


def test_a_rejection_raised_by_an_extension_function_keeps_its_rule_and_field() -> None:
    transform = get_transform("email/gmail")
    record = {
        "id": "m1",
        "threadId": "t1",
        "internalDate": "1700000000000",
        "payload": {"mimeType": "text/plain", "headers": [], "body": {"data": "not base64url!"}},
    }
    bindings = {"mailbox": "praxis@example.org", "practice_addresses": []}
    with pytest.raises(TransformError) as caught:
        apply_transform(transform, record, bindings, checked_against=transform.input_schema)
    assert (caught.value.rule, caught.value.field) == ("input.base64url", "payload.body.data")
    assert engine._rejected.error is None  # nothing left over for the next record


def test_an_evaluation_that_fails_outside_the_functions_names_no_value() -> None:
    transform = replace(get_transform("email/gmail"), spec='$number("SECRET") + 1')
    with pytest.raises(TransformError) as caught:
        apply_transform(
            transform, {}, {"mailbox": "m", "practice_addresses": []}, checked_against=transform.input_schema
        )
    assert (caught.value.rule, caught.value.field) == ("transform.evaluation_failed", "$")
    assert "SECRET" not in str(caught.value)


def test_a_timeout_is_not_evaluated_a_second_time(monkeypatch: pytest.MonkeyPatch) -> None:
    transform = replace(get_transform("email/gmail"), spec="($f := function(){ $f() }; $f())")
    monkeypatch.setattr(engine, "EVALUATION_TIMEOUT_MS", 50)
    compiled: list[bool] = []
    compile_ = engine._compiled.__wrapped__

    def counting(t: Transform, handing_over_rejects: bool = False) -> Any:
        compiled.append(handing_over_rejects)
        return compile_(t, handing_over_rejects)

    monkeypatch.setattr(engine, "_compiled", counting)
    with pytest.raises(TransformError) as caught:
        apply_transform(
            transform, {}, {"mailbox": "m", "practice_addresses": []}, checked_against=transform.input_schema
        )
    assert caught.value.rule == "transform.evaluation_failed"
    assert compiled == [False]
