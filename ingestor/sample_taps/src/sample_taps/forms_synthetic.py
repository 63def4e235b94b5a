"""Deterministic synthetic Forms responses for benchmarks (``tap-sample-forms`` ``count`` > 0).

Response ``i`` depends only on (form id, count, i); responses go round-robin to the
given forms, answer every question of the form with a valid option, have distinct
``responseId``s and submission times spread over 2026-09-14 .. 2026-11-15 (UTC).
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 9, 14, 6, 0, tzinfo=UTC)
SPAN = timedelta(days=62, hours=16)  # .. 2026-11-15T22:00Z, plus at most an hour


def _questions(form: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(questionId, option texts; [] for a text question) for every question of the form."""
    found = []
    for item in form.get("items", []):
        if "questionItem" in item:
            question = item["questionItem"]["question"]
            options = [o["value"] for o in question.get("choiceQuestion", {}).get("options", [])]
            found.append((question["questionId"], options))
        elif "questionGroupItem" in item:
            options = [o["value"] for o in item["questionGroupItem"]["grid"]["columns"]["options"]]
            found += [(q["questionId"], options) for q in item["questionGroupItem"]["questions"]]
    return found


def responses(forms: list[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    questions = {form["formId"]: _questions(form) for form in forms}
    for index in range(count):
        form_id = forms[index % len(forms)]["formId"]
        rng = random.Random(f"forms:{form_id}:{count}:{index}")
        jitter = timedelta(seconds=rng.randint(0, 3600), microseconds=rng.randint(0, 999_999))
        submitted = START + SPAN * index / count + jitter
        digest = hashlib.sha256(f"{form_id}:{count}:{index}".encode()).digest()
        answers = {}
        for question_id, options in questions[form_id]:
            value = rng.choice(options) if options else f"Synthetic answer {index}"
            answers[question_id] = {"questionId": question_id, "textAnswers": {"answers": [{"value": value}]}}
        yield {
            "formId": form_id,
            "responseId": "ACYDBNsyn" + base64.urlsafe_b64encode(digest + index.to_bytes(4, "big")).decode()[:47],
            "createTime": submitted.strftime("%Y-%m-%dT%H:%M:%S.") + f"{submitted.microsecond // 1000:03d}Z",
            "lastSubmittedTime": submitted.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "respondentEmail": f"client{index % 997:03d}@example.net",
            "answers": dict(sorted(answers.items())),
        }
