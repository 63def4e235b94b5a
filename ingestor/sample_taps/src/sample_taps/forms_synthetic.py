"""Deterministic synthetic Forms responses for benchmarks (``tap-sample-forms`` ``count`` > 0).

Response ``i`` depends only on (form id, i, clients), so ``first`` = N adds new responses
to an earlier run of N. Responses go round-robin to the given forms, answer every
question of the form with a valid option, have distinct ``responseId``s, come from
``clients`` respondents (``client000@example.net`` ..; the synthetic Dataverse contacts
carry the same addresses) and have submission times spread evenly over
2026-09-14 .. 2026-11-15 (UTC).
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sample_taps.synthetic import spread

DEFAULT_CLIENTS = 997
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


def respondent_email(index: int) -> str:
    return f"client{index:03d}@example.net"


def responses(
    forms: list[dict[str, Any]], count: int, *, first: int = 0, clients: int = DEFAULT_CLIENTS
) -> Iterator[dict[str, Any]]:
    """Responses ``first`` .. ``first + count - 1``."""
    if clients < 1:
        raise ValueError(f"clients must be >= 1, got {clients}")
    questions = {form["formId"]: _questions(form) for form in forms}
    for index in range(first, first + count):
        form_id = forms[index % len(forms)]["formId"]
        rng = random.Random(f"forms:{form_id}:{index}")
        jitter = timedelta(seconds=rng.randint(0, 3600), microseconds=rng.randint(0, 999_999))
        submitted = START + SPAN * spread(index) + jitter
        digest = hashlib.sha256(f"{form_id}:{index}".encode()).digest()
        answers = {}
        for question_id, options in questions[form_id]:
            value = rng.choice(options) if options else f"Synthetic answer {index}"
            answers[question_id] = {"questionId": question_id, "textAnswers": {"answers": [{"value": value}]}}
        yield {
            "formId": form_id,
            "responseId": "ACYDBNsyn" + base64.urlsafe_b64encode(digest + index.to_bytes(4, "big")).decode()[:47],
            "createTime": submitted.strftime("%Y-%m-%dT%H:%M:%S.") + f"{submitted.microsecond // 1000:03d}Z",
            "lastSubmittedTime": submitted.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "respondentEmail": respondent_email(index % clients),
            "answers": dict(sorted(answers.items())),
        }


def contacts(count: int) -> Iterator[dict[str, Any]]:
    """Dataverse ``contact`` rows for the respondents ``client000`` .. (``count`` of them)."""
    for index in range(count):
        digest = hashlib.sha256(f"contact:{index}".encode()).hexdigest()
        created = START - timedelta(days=30) + timedelta(minutes=7 * index)
        stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield {
            "contactid": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
            "firstname": "Klient",
            "lastname": f"{index:03d}",
            "fullname": f"Klient {index:03d}",
            "emailaddress1": respondent_email(index),
            "telephone1": None,
            "mobilephone": None,
            "createdon": stamp,
            "createdon@OData.Community.Display.V1.FormattedValue": created.strftime("%d.%m.%Y %H:%M"),
            "modifiedon": stamp,
            "modifiedon@OData.Community.Display.V1.FormattedValue": created.strftime("%d.%m.%Y %H:%M"),
            "statecode": 0,
            "statecode@OData.Community.Display.V1.FormattedValue": "Active",
            "statuscode": 1,
            "statuscode@OData.Community.Display.V1.FormattedValue": "Active",
            "_parentcustomerid_value": None,
            "versionnumber": 5_000_000 + index,
        }
