"""Answer values: an int, None (unanswered), the answer text a form gives, or an
``InvalidAnswer`` a caller found unusable before it reached the scorer (R9, R10)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from final_form.definitions import Instrument

_SPACES = re.compile(r"\s+")
_RULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class InvalidAnswer:
    """An item that was answered with something that is not an answer, as a caller saw it
    (a number or an object where a form gives text, several values for one item).

    Only the reason is kept, as a rule name (``wrong_type``); the scorer reports it as
    ``R9.<rule>``. It never carries the value, so it can go into results and logs.
    """

    rule: str

    def __post_init__(self) -> None:
        if not isinstance(self.rule, str) or not _RULE_NAME.match(self.rule):
            raise ValueError("InvalidAnswer takes a rule name such as 'wrong_type' (lower case, digits, '_')")


@dataclass(frozen=True)
class Parsed:
    value: int | None  # None: unanswered when error is None, else not a usable answer
    error: str | None = None  # rule code when the answer is unusable


def normalise_text(text: str) -> str:
    """R10: trim, collapse internal whitespace, case-fold."""
    return _SPACES.sub(" ", text.strip()).casefold()


def parse_answer(instrument: Instrument, answer: Any) -> Parsed:
    if answer is None:
        return Parsed(None)
    if isinstance(answer, InvalidAnswer):
        return Parsed(None, f"R9.{answer.rule}")
    if isinstance(answer, bool):  # bool is an int in Python; never an answer
        return Parsed(None, "R9.not_a_number")
    if isinstance(answer, float):
        if not answer.is_integer():
            return Parsed(None, "R9.non_integer")
        answer = int(answer)
    if isinstance(answer, int):
        allowed = {o.value for o in instrument.options}
        return Parsed(answer) if answer in allowed else Parsed(None, "R9.out_of_range")
    if isinstance(answer, str):
        key = normalise_text(answer)
        if key == "":
            return Parsed(None)  # a blank Sheets cell is unanswered
        for option in instrument.options:
            if key in {normalise_text(t) for t in (option.text, *option.synonyms)}:
                return Parsed(option.value)
        return Parsed(None, "R10.unrecognised_text")
    return Parsed(None, "R9.not_a_number")
