"""Extension functions for questionnaire and CRM transforms.

``bind_answers`` maps a Google Forms response onto instrument items through the form's
own questions: by question id where a binding names it, else by the question's title
matched against the item texts. Never by position: grids may shuffle their rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_PUNCT = re.compile(r"[\s\u2014\u2013\-—–,.;:?!\"'“”„]+")


def title_key(text: Any) -> str:
    return _title_key(text) if isinstance(text, str) else ""


@lru_cache(maxsize=8192)  # a form's few dozen titles recur in every one of its responses
def _title_key(text: str) -> str:
    return _PUNCT.sub(" ", text).strip().casefold()


def clean_email(value: Any) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    return value.strip().lower()


def form_questions(form: Any) -> dict[str, str]:
    """``{question_id: title}`` of every question of a forms.get resource, grid rows included."""
    found: dict[str, str] = {}
    for item in (form or {}).get("items") or []:
        question = ((item.get("questionItem") or {}).get("question") or {})
        if question.get("questionId"):
            found[str(question["questionId"])] = str(item.get("title") or "")
        for row in (item.get("questionGroupItem") or {}).get("questions") or []:
            if row.get("questionId"):
                found[str(row["questionId"])] = str((row.get("rowQuestion") or {}).get("title") or "")
    return found


def bind_answers(answers: Any, form: Any, instruments: Any, id_bindings: Any) -> dict[str, Any]:
    """``{"instruments": {id: {answers, question_ids, missing_items, difficulty}}, "unmapped": [...]}``.

    ``instruments`` is ``{id: {"items": [item text, ...], "difficulty": text | null}}``;
    ``id_bindings`` is ``{question_id: "phq9.3" | "phq9.difficulty"}`` and wins over titles.
    """
    titles = form_questions(form)
    by_title: dict[str, tuple[str, str]] = {}
    for instrument_id, spec in (instruments or {}).items():
        for number, text in enumerate(spec.get("items") or [], start=1):
            by_title[title_key(text)] = (instrument_id, str(number))
        if spec.get("difficulty"):
            by_title[title_key(spec["difficulty"])] = (instrument_id, "difficulty")
    explicit: dict[str, tuple[str, str]] = {}
    for key, value in (id_bindings or {}).items():
        instrument_id, _, item = str(value).partition(".")
        if item:
            explicit[str(key)] = (instrument_id, item)
    claimed = set(explicit.values())

    def target(question_id: str) -> tuple[str, str] | None:
        if question_id in explicit:
            return explicit[question_id]
        place = by_title.get(title_key(titles.get(question_id, "")))
        return None if place in claimed else place  # an item bound by id is not also bound by title

    bound: dict[str, dict[str, Any]] = {}
    question_of: dict[tuple[str, str], str] = {}
    for question_id in titles:
        place = target(question_id)
        if place:
            question_of[place] = question_id
    present = {instrument_id for (instrument_id, _) in question_of}
    unmapped: list[str] = []
    values: dict[tuple[str, str], str | None] = {}
    for question_id, answer in (answers or {}).items():
        place = target(str(question_id))
        if place is None:
            unmapped.append(str(question_id))
            continue
        values[place] = _answer_text(answer)
    for instrument_id in sorted(present):
        items = instruments[instrument_id].get("items") or []
        texts = [values.get((instrument_id, str(n))) for n in range(1, len(items) + 1)]
        bound[instrument_id] = {
            "answers": texts,
            "question_ids": [question_of.get((instrument_id, str(n))) for n in range(1, len(items) + 1)],
            "missing_items": [n for n, v in enumerate(texts, start=1) if v is None],
            "difficulty": values.get((instrument_id, "difficulty")),
        }
    return {"instruments": bound, "unmapped": sorted(unmapped)}


def _answer_text(answer: Any) -> str | None:
    texts = [a.get("value") for a in ((answer or {}).get("textAnswers") or {}).get("answers") or []
             if isinstance(a, Mapping)]
    texts = [t for t in texts if isinstance(t, str)]
    return ", ".join(texts) if texts else None


def option_label(record: Any, field: Any) -> str | None:
    """The FormattedValue annotation of a Dataverse choice column, when the tap kept it."""
    if not isinstance(record, Mapping) or not isinstance(field, str):
        return None
    value = record.get(f"{field}@OData.Community.Display.V1.FormattedValue")
    return str(value) if value is not None else None


FORM_EXTENSIONS = {
    "clean_email": clean_email,
    "bind_answers": bind_answers,
    "option_label": option_label,
}
