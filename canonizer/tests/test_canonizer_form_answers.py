"""Google Forms answers bound to instrument items: an item is answered (a text), unanswered
(``missing_items``: absent or blank, R10) or answered with something that is not an answer
(``invalid_items`` with a rule name; the value is not kept). Through the real transform,
so the output is also checked against the canonical schema."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from canonizer import canonicalize, get_transform

TRANSFORM = "questionnaire_response/google_forms"
CASE = json.loads((get_transform(TRANSFORM).tests_dir / "shuffled_grid_missing_item_unmapped_name.json").read_text())
BINDINGS = CASE["bindings"]


def phq9_with_item3(answer: dict[str, Any] | None) -> dict[str, Any]:
    """PHQ-9 with item 3 (question p3) given as ``answer`` (None: absent); the rest answered."""
    record = copy.deepcopy(CASE["input"])
    record["answers"] = {
        f"p{n}": {"questionId": f"p{n}", "textAnswers": {"answers": [{"value": "Several days"}]}}
        for n in range(1, 10)
        if n != 3
    }
    if answer is not None:
        record["answers"]["p3"] = {"questionId": "p3", **answer}
    return canonicalize(record, TRANSFORM, BINDINGS)["instruments"]["phq9"]


def texts(*values: Any) -> dict[str, Any]:
    return {"textAnswers": {"answers": [{"value": v} for v in values]}}


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        (texts(2), "wrong_type"),  # a number where the form gives text
        (texts(1.5), "wrong_type"),
        (texts(True), "wrong_type"),
        (texts({"value": "Several days"}), "wrong_type"),  # an object
        (texts(["Several days"]), "wrong_type"),  # an array
        (texts("Several days", 2), "wrong_type"),
        ({"textAnswers": {"answers": ["Several days"]}}, "wrong_type"),  # an entry that is not an object
        ({"textAnswers": {"answers": {"value": "Several days"}}}, "wrong_type"),
        ({"textAnswers": "Several days"}, "wrong_type"),
        ({"fileUploadAnswers": {"answers": [{"fileId": "f1"}]}}, "wrong_type"),  # another kind of answer
        (texts("Several days", "Not at all"), "multiple_values"),  # several values where one is expected
        (texts("Several days", "Several days"), "multiple_values"),
    ],
)
def test_an_item_answered_with_something_that_is_not_an_answer_is_invalid_not_missing(
    answer: dict[str, Any], rule: str
) -> None:
    bound = phq9_with_item3(answer)
    assert (bound["missing_items"], bound["invalid_items"]) == ([], [{"item": 3, "rule": rule}])
    assert bound["answers"][2] is None  # the unusable value is not stored
    assert bound["answers"][:2] == ["Several days"] * 2


@pytest.mark.parametrize(
    "answer",
    [
        None,  # absent from the response: the API's way of "unanswered"
        {},  # present with no answer at all
        texts(""),
        texts("  \t"),
        texts(None),  # blank (R10)
        {"textAnswers": {"answers": []}},
        {"textAnswers": {}},
        {"textAnswers": None},
        {"textAnswers": {"answers": [{}]}},  # an entry without a value
    ],
)
def test_an_unanswered_or_blank_item_is_missing(answer: dict[str, Any] | None) -> None:
    bound = phq9_with_item3(answer)
    assert (bound["missing_items"], bound.get("invalid_items", [])) == ([3], [])
    assert bound["answers"][2] is None


def test_a_blank_beside_a_text_is_the_text_and_unknown_texts_are_left_to_final_form() -> None:
    assert phq9_with_item3(texts("", "Several days"))["answers"][2] == "Several days"
    bound = phq9_with_item3(texts("Manchmal"))
    assert (bound["answers"][2], bound["missing_items"], bound.get("invalid_items", [])) == ("Manchmal", [], [])


def test_a_response_with_only_usable_answers_carries_no_invalid_items() -> None:
    assert "invalid_items" not in phq9_with_item3(texts("Nearly every day"))
