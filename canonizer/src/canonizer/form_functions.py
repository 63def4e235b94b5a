"""Extension functions for questionnaire and CRM transforms.

``bind_questions`` maps the questions of a source onto instrument items: by question id
where a binding names it, else by the question's title matched against the item texts.
Never by position: grids may shuffle their rows, sheets their columns. A Google Forms
response (``bind_form_answers``) and a Sheet row (``sheet_functions.bind_sheet_values``)
are both turned into question -> answer pairs and bound by it.

Each item is answered (one text), unanswered (absent or blank: R10) or answered with
something that is not an answer (a number, an object, several values ...): the last is
named by item and rule, and its value is not kept. Which texts are valid answers is
final-form's call, not ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from canonizer.exceptions import TransformError

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
        question = (item.get("questionItem") or {}).get("question") or {}
        if question.get("questionId"):
            found[str(question["questionId"])] = str(item.get("title") or "")
        for row in (item.get("questionGroupItem") or {}).get("questions") or []:
            if row.get("questionId"):
                found[str(row["questionId"])] = str((row.get("rowQuestion") or {}).get("title") or "")
    return found


def bind_answers(answers: Any, form: Any, instruments: Any, id_bindings: Any) -> dict[str, Any]:
    """:func:`bind_form_answers` as transforms before ``google_forms`` 1.2.0 give it: without
    ``unbound_items`` (their output schema, questionnaire_response 1-0-0, has no room for it)."""
    bound = bind_form_answers(answers, form, instruments, id_bindings)
    for entry in bound["instruments"].values():
        entry.pop("unbound_items", None)
    return bound


def bind_form_answers(answers: Any, form: Any, instruments: Any, id_bindings: Any) -> dict[str, Any]:
    """A Google Forms response's answers bound to instrument items (:func:`bind_questions`):
    the questions are the form's, the answers ``answers[questionId].textAnswers``."""
    texts = {str(question_id): answer_text(answer) for question_id, answer in (answers or {}).items()}
    return bind_questions(form_questions(form), texts, instruments, id_bindings)


def bind_questions(
    questions: Mapping[str, str], texts: Mapping[str, AnswerText], instruments: Any, id_bindings: Any
) -> dict[str, Any]:
    """``{"instruments": {id: {answers, question_ids, missing_items, [invalid_items],
    [unbound_items], difficulty}}, "unmapped": [...]}``: the one way questions of any source
    (a form's, a sheet's columns) become instrument items.

    ``questions`` is ``{question_id: title}`` of every question the source has, answered or
    not; ``texts`` holds the answer of each answered one. ``instruments`` is ``{id: {"items":
    [item text, ...], "difficulty": text | null}}``; ``id_bindings`` is ``{question_id:
    "phq9.3" | "phq9.difficulty"}`` and wins over titles.
    ``answers`` holds the text of each answered item, else null; ``missing_items`` the
    unanswered items; ``invalid_items`` (only when there are any) ``{"item", "rule"}`` of the
    items answered with something unusable; ``unbound_items`` (only when there are any) the
    items of an instrument the source asks that no question binds to (renamed, or a grid row
    missing): they are unanswered too, so scoring treats them like any missing item.
    ``unmapped`` lists the answered questions bound to no item.
    """
    plan = binding_plan(questions, instruments, id_bindings)
    unmapped: list[str] = []
    values: dict[tuple[str, str], AnswerText] = {}
    for question_id, answer in texts.items():
        places = plan.targets.get(question_id)
        if places is None:
            places = plan.targets_of(question_id)  # answered, but not one of the source's questions
        if not places:
            unmapped.append(question_id)
        for place in places:
            values[place] = answer
    bound: dict[str, dict[str, Any]] = {}
    for instrument_id, keys, question_ids, unbound, difficulty in plan.present:
        read = [values.get(key, UNANSWERED) for key in keys]
        bound[instrument_id] = {
            "answers": [a.text for a in read],
            "question_ids": list(question_ids),
            "missing_items": [n for n, a in enumerate(read, start=1) if a.text is None and a.rule is None],
            "difficulty": values.get(difficulty, UNANSWERED).text,
        }
        invalid = [{"item": n, "rule": a.rule} for n, a in enumerate(read, start=1) if a.rule]
        if invalid:
            bound[instrument_id]["invalid_items"] = invalid
        if unbound:
            bound[instrument_id]["unbound_items"] = list(unbound)
    return {"instruments": bound, "unmapped": sorted(unmapped)}


Place = tuple[str, str]  # (instrument id, item number as text, or "difficulty")


@dataclass(frozen=True)
class BindingPlan:
    """Which items each question of a source binds to, and which instruments the source
    asks: everything :func:`bind_questions` knows before it sees an answer. A form's
    responses all share one plan, so it is worked out once per form, not per response."""

    by_title: Mapping[str, tuple[Place, ...]]
    explicit: Mapping[str, Place]
    claimed: frozenset[Place]
    targets: Mapping[str, tuple[Place, ...]]  # of every question the source has
    # per instrument asked, in id order: (id, its items' places, the question of each
    # item or None, the items no question binds, its difficulty place)
    present: tuple[tuple[str, tuple[Place, ...], tuple[str | None, ...], tuple[int, ...], Place], ...]

    def targets_of(self, question_id: str) -> tuple[Place, ...]:
        """Where a question binds: by id when a binding names it, else by title, leaving
        out items bound by id (an item bound by id is not also bound by title)."""
        if question_id in self.explicit:
            return (self.explicit[question_id],)
        return self.titled(title_key(""))

    def titled(self, key: str) -> tuple[Place, ...]:
        """The items whose text has title key ``key``, but for those bound by id."""
        return tuple(p for p in self.by_title.get(key, ()) if p not in self.claimed)


def binding_plan(questions: Mapping[str, str], instruments: Any, id_bindings: Any) -> BindingPlan:
    """The :class:`BindingPlan` of a source, cached by what it is made of: the title keys
    of its questions and of the instruments' items, and the bindings by id (a form's
    responses arrive one by one, each with its own copy of the form)."""
    specs = tuple(
        (
            str(i),
            tuple(title_key(t) for t in (spec.get("items") or [])),
            title_key(spec["difficulty"]) if spec.get("difficulty") else None,
        )
        for i, spec in (instruments or {}).items()
    )
    ids = tuple((str(k), str(v)) for k, v in (id_bindings or {}).items())
    return _plan(tuple((str(q), title_key(t)) for q, t in questions.items()), specs, ids)


@lru_cache(maxsize=256)
def _plan(
    questions: tuple[tuple[str, str], ...],
    instruments: tuple[tuple[str, tuple[str, ...], str | None], ...],
    id_bindings: tuple[tuple[str, str], ...],
) -> BindingPlan:
    """:func:`binding_plan` from title keys (question id -> title key; per instrument its
    items' title keys and its difficulty question's, or None)."""
    # A title may be an item of several instruments (GAD-2's items are GAD-7's first two):
    # an answered question then answers each of them.
    by_title: dict[str, list[Place]] = {}
    for instrument_id, items, difficulty in instruments:
        for number, key in enumerate(items, start=1):
            by_title.setdefault(key, []).append((instrument_id, str(number)))
        if difficulty is not None:
            by_title.setdefault(difficulty, []).append((instrument_id, "difficulty"))
    explicit: dict[str, Place] = {}
    for key, value in id_bindings:
        instrument_id, _, item = value.partition(".")
        if item:
            explicit[key] = (instrument_id, item)
    claimed = frozenset(explicit.values())
    partial = BindingPlan({t: tuple(p) for t, p in by_title.items()}, explicit, claimed, {}, ())
    targets = {
        question_id: ((explicit[question_id],) if question_id in explicit else partial.titled(title))
        for question_id, title in questions
    }
    question_of: dict[Place, str] = {}
    asked: set[str] = set()  # instruments one of whose own items (shared with no other) a question binds
    for question_id, _ in questions:
        places = targets[question_id]
        for place in places:
            question_of[place] = question_id
        if question_id in explicit or len({i for i, _ in places}) == 1:
            asked.update(i for i, _ in places)
    items_of = {instrument_id: items for instrument_id, items, _ in instruments}
    present = asked | {
        instrument_id
        for instrument_id, items, _ in instruments
        if items and all((instrument_id, str(n)) in question_of for n in range(1, len(items) + 1))
    }
    asks = []
    for instrument_id in sorted(present):
        keys = tuple((instrument_id, str(n)) for n in range(1, len(items_of[instrument_id]) + 1))
        question_ids = tuple(question_of.get(key) for key in keys)
        unbound = tuple(n for n, q in enumerate(question_ids, start=1) if q is None)
        asks.append((instrument_id, keys, question_ids, unbound, (instrument_id, "difficulty")))
    return BindingPlan(partial.by_title, explicit, claimed, targets, tuple(asks))


@dataclass(frozen=True)
class AnswerText:
    text: str | None = None  # the one non-blank text answer
    rule: str | None = None  # why the answer is not usable; None with no text: unanswered


UNANSWERED = AnswerText()
_OTHER_ANSWER_KINDS = ("fileUploadAnswers",)  # answers a choice or text question cannot give


def answer_text(answer: Any) -> AnswerText:
    """The text of a Forms ``Answer``: ``textAnswers.answers[].value``, where blank values
    are no answer. Anything but exactly one non-blank text is unanswered or a rule."""
    if not _is_object(answer):
        return AnswerText(rule="wrong_type")
    for kind in _OTHER_ANSWER_KINDS:
        if answer.get(kind) is not None:
            return AnswerText(rule="wrong_type")
    entries = answer.get("textAnswers")
    if entries is not None:
        if not _is_object(entries):
            return AnswerText(rule="wrong_type")
        entries = entries.get("answers")
    if entries is None:
        return UNANSWERED
    if not isinstance(entries, list):
        return AnswerText(rule="wrong_type")
    # One pass: an entry that is no object and a value that is no text are the same rule.
    text: str | None = None
    several = False
    for entry in entries:
        if not _is_object(entry):
            return AnswerText(rule="wrong_type")
        value = entry.get("value")
        if value is None:
            continue
        if not isinstance(value, str):
            return AnswerText(rule="wrong_type")
        if value.strip():
            if text is None:
                text = value
            else:
                several = True
    if several:
        return AnswerText(rule="multiple_values")
    return AnswerText(text=text) if text is not None else UNANSWERED


def _is_object(value: Any) -> bool:
    """A JSON object: parsed JSON gives dicts (the common case, checked first: a Mapping check
    is an abstract-class lookup, about ten times dearer)."""
    return type(value) is dict or isinstance(value, Mapping)


def required(value: Any, field: Any) -> Any:
    """``value``, unless it is missing or blank: then the record is rejected, naming ``field``
    (a column whose name comes from configuration, which no input schema can require)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise TransformError("input.required", str(field))
    return value


def option_label(record: Any, field: Any) -> str | None:
    """The FormattedValue annotation of a Dataverse choice column, when the tap kept it."""
    if not isinstance(record, Mapping) or not isinstance(field, str):
        return None
    value = record.get(f"{field}@OData.Community.Display.V1.FormattedValue")
    return str(value) if value is not None else None


FORM_EXTENSIONS: dict[str, Callable[..., Any]] = {
    "clean_email": clean_email,
    "bind_answers": bind_answers,
    "bind_form_answers": bind_form_answers,
    "option_label": option_label,
    "required": required,
}
