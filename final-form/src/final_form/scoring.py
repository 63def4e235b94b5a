"""``score(instrument, answers)``: total, severity, validity, proration and flags.

Every item is exactly one of: a valid answer, unanswered (``n_missing``, R10: absent or
blank) or answered invalidly (``invalid_items``, R9/R10). Only unanswered items are
prorated; one invalid item makes the whole result invalid. Bad answers never raise: they
make the result invalid with a rule code. The flags are evaluated on the raw items
whenever those are present and valid, even when the total is invalid (R4). Only an
unknown instrument raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from final_form.answers import answer_key, parse_answer
from final_form.definitions import Instrument, load_instrument
from final_form.rounding import prorate_half_up
from shared_schemas.types import InvalidItemEntry


@dataclass(frozen=True)
class InvalidItem:
    """An item answered with something unusable: its number and the rule, never the value."""

    item: int
    rule: str  # e.g. "R9.out_of_range", "R10.unrecognised_text", "R9.wrong_type"

    def as_dict(self) -> InvalidItemEntry:
        return {"item": self.item, "rule": self.rule}


@dataclass(frozen=True)
class Score:
    instrument: str
    version: str
    total: int | None
    severity: str | None
    valid: bool
    prorated: bool
    n_missing: int  # unanswered items only (R10); an invalid answer is in invalid_items
    items: tuple[int | None, ...]  # None: unanswered or invalid
    errors: tuple[str, ...]
    item9_positive: bool | None = None  # PHQ-9 only: any answer other than "Not at all" (R4)
    # PHQ-9 only: item 9 has a valid answer. False (unanswered, or answered invalidly: see
    # invalid_items) means follow it up (A5).
    item9_answered: bool | None = None
    raw_sum: int | None = None  # sum of the answered items before proration
    invalid_items: tuple[InvalidItem, ...] = ()  # in item order
    # The safety flags the definition's flag rules raise (R4, A5), e.g. ("item9_positive",).
    flags: tuple[str, ...] = ()

    @property
    def n_invalid(self) -> int:
        return len(self.invalid_items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "severity": self.severity,
            "valid": self.valid,
            "prorated": self.prorated,
            "n_missing": self.n_missing,
            "items": list(self.items),
            "errors": list(self.errors),
            "item9_positive": self.item9_positive,
            "item9_answered": self.item9_answered,
            "raw_sum": self.raw_sum,
            "invalid_items": [i.as_dict() for i in self.invalid_items],
        }


def score(instrument: str | Instrument, answers: Sequence[Any]) -> Score:
    definition = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    answers = list(answers) if not isinstance(answers, (str, bytes)) else [answers]
    if len(answers) != definition.n_items:
        # R9: never guess which item is absent, so no item is missing or invalid either.
        return _result(
            definition,
            items=(),
            invalid=(),
            errors=(f"R9.wrong_item_count:{len(answers)}",),
            total=None,
            prorated=False,
            n_missing=0,
            raw_sum=None,
        )
    key = answer_key(definition)
    parsed = [parse_answer(key, a) for a in answers]
    items = tuple(p.value for p in parsed)
    invalid = tuple(InvalidItem(n, p.error) for n, p in zip(definition.item_numbers, parsed, strict=True) if p.error)
    errors = tuple(f"{i.rule}:item{i.item}" for i in invalid)
    answered = [v for v in items if v is not None]
    n_missing = definition.n_items - len(answered) - len(invalid)
    raw_sum = sum(answered) if answered else None
    if errors:
        return _result(definition, items, invalid, errors, None, False, n_missing, raw_sum)
    if n_missing > definition.max_prorated:
        code = f"{definition.missing_rule}.too_many_missing:{n_missing}"
        return _result(definition, items, invalid, (code,), None, False, n_missing, raw_sum)
    total = raw_sum if n_missing == 0 else prorate_half_up(raw_sum or 0, definition.n_items, len(answered))
    return _result(definition, items, invalid, (), total, n_missing > 0, n_missing, raw_sum)


def _result(
    definition: Instrument,
    items: tuple[int | None, ...],
    invalid: tuple[InvalidItem, ...],
    errors: tuple[str, ...],
    total: int | None,
    prorated: bool,
    n_missing: int,
    raw_sum: int | None,
) -> Score:
    # Each flag rule is evaluated on its item's raw answer, whether or not the total is valid (R4).
    states: dict[str, bool | None] = {}
    raised: list[str] = []
    for rule in definition.flags:
        value = items[rule.item - 1] if len(items) >= rule.item else None
        positive = value is not None and value >= rule.min_value
        states[rule.positive] = positive
        states[f"item{rule.item}_answered"] = value is not None
        if positive:
            raised.append(rule.positive)
        elif value is None:
            answered_invalidly = any(i.item == rule.item for i in invalid)
            raised.append(rule.invalid if answered_invalidly else rule.unanswered)
    return Score(
        instrument=definition.id,
        version=definition.version,
        total=total,
        severity=definition.band(total) if total is not None else None,
        valid=total is not None,
        prorated=prorated if total is not None else False,
        n_missing=n_missing,
        items=items,
        errors=errors,
        item9_positive=states.get("item9_positive"),
        item9_answered=states.get("item9_answered"),
        raw_sum=raw_sum,
        invalid_items=invalid,
        flags=tuple(raised),
    )
