"""Property-based: the e-mail transforms answer any record with an output or a reject; a
questionnaire item is always exactly one of answered, unanswered or invalid."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canonizer import TransformError, canonicalize, get_transform

BINDINGS = {"mailbox": "praxis@praxis-weber.example", "practice_addresses": ["praxis@praxis-weber.example"]}
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)
HEADER_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=",
            "=?bogus?Q?x?=",
            "=?UTF-8?B?!!!?=",
            '"a, b" <a@b.c>, ,',
            "Tue, 99 Foo 2024 99:99:99 +9999",
            "<a@b> <c@d>",
            "undisclosed-recipients:;",
            "\x00\r\n",
        ]
    ),
)
HEADERS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(
                ["From", "To", "Cc", "Subject", "Date", "Message-ID", "References", "In-Reply-To", "Content-Type"]
            ),
            "value": HEADER_VALUES,
        }
    ),
    max_size=8,
)
PART = st.recursive(
    st.fixed_dictionaries(
        {
            "mimeType": st.sampled_from(["text/plain", "text/html", "image/png", "x/y"]),
            "filename": st.sampled_from(["", "a.pdf"]),
            "headers": HEADERS,
            "body": st.fixed_dictionaries({"data": st.text(max_size=40)}),
        }
    ),
    lambda inner: st.fixed_dictionaries(
        {
            "mimeType": st.just("multipart/mixed"),
            "filename": st.just(""),
            "headers": HEADERS,
            "parts": st.lists(inner, max_size=3),
        }
    ),
    max_leaves=6,
)
GMAIL = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=16),
        "threadId": st.text(min_size=1, max_size=16),
        "internalDate": st.from_regex(r"[0-9]{1,16}", fullmatch=True),
        "payload": PART,
    },
    optional={
        "labelIds": st.lists(st.text(max_size=8), max_size=3),
        "snippet": st.text(max_size=40),
        "historyId": st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    },
)


def outcome(record: Any, transform: str) -> str:
    try:
        canonicalize(record, transform, BINDINGS)
    except TransformError as exc:
        assert exc.rule and exc.field
        return "reject"
    return "output"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=GMAIL)
def test_gmail_shaped_records_give_an_output_or_a_reject(record: dict[str, Any]) -> None:
    assert outcome(record, "email/gmail") in ("output", "reject")


@settings(max_examples=300, deadline=None)
@given(record=JSON)
def test_arbitrary_json_gives_an_output_or_a_reject(record: Any) -> None:
    assert outcome(record, "email/gmail") in ("output", "reject")
    assert outcome(record, "email/graph") in ("output", "reject")


FORM_CASE = json.loads(
    (
        get_transform("questionnaire_response/google_forms").tests_dir / "shuffled_grid_missing_item_unmapped_name.json"
    ).read_text()
)
QUESTIONS = [f"p{n}" for n in range(1, 10)] + [f"g{n}" for n in range(1, 8)] + ["diff", "name1"]
TEXT_VALUE = st.one_of(st.sampled_from(["Several days", "not at all", "", " ", "Manchmal"]), st.text(max_size=8))
ANSWER_ENTRY = st.one_of(st.fixed_dictionaries({"value": st.one_of(TEXT_VALUE, JSON)}), JSON)
FORM_ANSWER = st.one_of(
    st.fixed_dictionaries({"textAnswers": st.fixed_dictionaries({"answers": st.lists(ANSWER_ENTRY, max_size=3)})}),
    st.fixed_dictionaries(
        {
            "textAnswers": st.fixed_dictionaries(
                {"answers": st.lists(st.fixed_dictionaries({"value": TEXT_VALUE}), min_size=1, max_size=2)}
            )
        }
    ),
    st.dictionaries(st.sampled_from(["textAnswers", "fileUploadAnswers", "grade", "questionId"]), JSON, max_size=2),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=st.dictionaries(st.sampled_from(QUESTIONS), FORM_ANSWER, max_size=len(QUESTIONS)))
def test_every_item_is_answered_missing_or_invalid_exactly_once(answers: dict[str, Any]) -> None:
    record = copy.deepcopy(FORM_CASE["input"])
    record["answers"] = answers
    output = canonicalize(record, "questionnaire_response/google_forms", FORM_CASE["bindings"])
    for instrument, bound in output["instruments"].items():
        n_items = len(FORM_CASE["bindings"]["instruments"][instrument]["items"])
        missing, invalid = set(bound["missing_items"]), {i["item"] for i in bound.get("invalid_items", [])}
        answered = {n for n, text in enumerate(bound["answers"], start=1) if text is not None}
        assert len(missing) + len(invalid) + len(answered) == n_items == len(missing | invalid | answered)
        assert all(isinstance(t, str) and t.strip() for t in bound["answers"] if t is not None)
        assert len(bound.get("invalid_items", [])) == len(invalid)  # one entry per item
