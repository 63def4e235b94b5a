"""``score(instrument, answers)``: total, severity, validity, proration and flags.

Bad answers never raise: they make the result invalid with a rule code. The flags are
evaluated on the raw items whenever those are present and valid, even when the total is
invalid (R4). Only an unknown instrument raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from final_form.answers import parse_answer
from final_form.definitions import Instrument, load_instrument
from final_form.rounding import prorate_half_up


@dataclass(frozen=True)
class Score:
    instrument: str
    version: str
    total: int | None
    severity: str | None
    valid: bool
    prorated: bool
    n_missing: int
    items: tuple[int | None, ...]
    errors: tuple[str, ...]
    item9_positive: bool | None = None  # PHQ-9 only: any answer other than "Not at all" (R4)
    item9_answered: bool | None = None  # PHQ-9 only: False means follow it up (A5)
    raw_sum: int | None = None  # sum of the answered items before proration

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument, "version": self.version, "total": self.total,
            "severity": self.severity, "valid": self.valid, "prorated": self.prorated,
            "n_missing": self.n_missing, "items": list(self.items), "errors": list(self.errors),
            "item9_positive": self.item9_positive, "item9_answered": self.item9_answered,
            "raw_sum": self.raw_sum,
        }


def score(instrument: str | Instrument, answers: Sequence[Any]) -> Score:
    definition = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    answers = list(answers) if not isinstance(answers, (str, bytes)) else [answers]
    if len(answers) != definition.n_items:
        # R9: never guess which item is absent.
        return _result(definition, items=(), errors=(f"R9.wrong_item_count:{len(answers)}",), total=None,
                       prorated=False, n_missing=definition.n_items, raw_sum=None)
    parsed = [parse_answer(definition, a) for a in answers]
    items = tuple(p.value for p in parsed)
    errors = tuple(f"{p.error}:item{n}" for n, p in zip(definition.item_numbers, parsed, strict=True) if p.error)
    answered = [v for v in items if v is not None]
    n_missing = definition.n_items - len(answered)
    raw_sum = sum(answered) if answered else None
    if errors:
        return _result(definition, items, errors, None, False, n_missing, raw_sum)
    if n_missing > definition.max_prorated:
        code = f"{definition.missing_rule}.too_many_missing:{n_missing}"
        return _result(definition, items, (code,), None, False, n_missing, raw_sum)
    total = raw_sum if n_missing == 0 else prorate_half_up(raw_sum or 0, definition.n_items, len(answered))
    return _result(definition, items, (), total, n_missing > 0, n_missing, raw_sum)


def _result(
    definition: Instrument, items: tuple[int | None, ...], errors: tuple[str, ...], total: int | None,
    prorated: bool, n_missing: int, raw_sum: int | None,
) -> Score:
    flags: dict[str, bool | None] = {}
    for flag_id, item_number, min_value in definition.flags:
        value = items[item_number - 1] if len(items) >= item_number else None
        flags[f"{flag_id}"] = value is not None and value >= min_value
        flags[f"item{item_number}_answered"] = value is not None
    return Score(
        instrument=definition.id, version=definition.version, total=total,
        severity=definition.band(total) if total is not None else None, valid=total is not None,
        prorated=prorated if total is not None else False, n_missing=n_missing, items=items, errors=errors,
        item9_positive=flags.get("item9_positive"), item9_answered=flags.get("item9_answered"),
        raw_sum=raw_sum,
    )
