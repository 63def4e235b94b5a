"""Answer values: an int, None (unanswered), the answer text a form gives, or an
``InvalidAnswer`` a caller found unusable before it reached the scorer (R9, R10)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
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


@lru_cache(maxsize=4096)  # a form's answers are a few option texts, recurring in every response
def normalise_text(text: str) -> str:
    """R10: trim, collapse internal whitespace, case-fold."""
    return _SPACES.sub(" ", text.strip()).casefold()


@dataclass(frozen=True)
class AnswerKey:
    """An instrument's valid answers, worked out once per definition instead of once per answer."""

    values: frozenset[int]
    texts: Mapping[str, int]  # normalised option text or synonym -> value; the first option wins


_KEYS: dict[tuple[str, str, str], AnswerKey] = {}


def answer_key(instrument: Instrument) -> AnswerKey:
    """The valid answers of ``instrument``, cached by its id, version and file digest (a
    definition edited in place has a new digest, so it never meets an old key)."""
    cache_key = (instrument.id, instrument.version, instrument.digest)
    found = _KEYS.get(cache_key)
    if found is None:
        texts: dict[str, int] = {}
        for option in instrument.options:
            for text in (option.text, *option.synonyms):
                texts.setdefault(normalise_text(text), option.value)
        found = _KEYS[cache_key] = AnswerKey(frozenset(o.value for o in instrument.options), texts)
    return found


def parse_answer(instrument: Instrument | AnswerKey, answer: Any) -> Parsed:
    """One answer as R9/R10 read it; pass the instrument's :func:`answer_key` when parsing many."""
    key = instrument if isinstance(instrument, AnswerKey) else answer_key(instrument)
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
        return Parsed(answer) if answer in key.values else Parsed(None, "R9.out_of_range")
    if isinstance(answer, str):
        text = normalise_text(answer)
        if text == "":
            return Parsed(None)  # a blank Sheets cell is unanswered
        value = key.texts.get(text)
        return Parsed(value) if value is not None else Parsed(None, "R10.unrecognised_text")
    return Parsed(None, "R9.not_a_number")
