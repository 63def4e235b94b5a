"""Answer values: an int, None (unanswered) or the answer text a form gives (R9, R10)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from final_form.definitions import Instrument

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Parsed:
    value: int | None  # None: unanswered, or not a usable answer (see error)
    error: str | None = None  # rule code when the answer is unusable


def normalise_text(text: str) -> str:
    """R10: trim, collapse internal whitespace, case-fold."""
    return _SPACES.sub(" ", text.strip()).casefold()


def parse_answer(instrument: Instrument, answer: Any) -> Parsed:
    if answer is None:
        return Parsed(None)
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
