"""The answer key (an instrument's valid answers worked out once per definition) reads every
answer exactly as the definition's options do, one by one: the rules R9/R10 stated
directly against the options, for hostile answers too."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from final_form import InvalidAnswer, load_instrument, score
from final_form.answers import Parsed, answer_key, parse_answer
from final_form.definitions import Instrument


def _by_the_options(instrument: Instrument, answer: Any) -> Parsed:
    """R9/R10 read straight off the definition's options (the per-answer way)."""

    def normal(text: str) -> str:
        return re.sub(r"\s+", " ", text.strip()).casefold()

    if answer is None:
        return Parsed(None)
    if isinstance(answer, InvalidAnswer):
        return Parsed(None, f"R9.{answer.rule}")
    if isinstance(answer, bool):
        return Parsed(None, "R9.not_a_number")
    if isinstance(answer, float):
        if not answer.is_integer():
            return Parsed(None, "R9.non_integer")
        answer = int(answer)
    if isinstance(answer, int):
        ok = any(o.value == answer for o in instrument.options)
        return Parsed(answer) if ok else Parsed(None, "R9.out_of_range")
    if isinstance(answer, str):
        if normal(answer) == "":
            return Parsed(None)
        for option in instrument.options:
            if normal(answer) in [normal(t) for t in (option.text, *option.synonyms)]:
                return Parsed(option.value)
        return Parsed(None, "R10.unrecognised_text")
    return Parsed(None, "R9.not_a_number")


def _option_texts() -> list[str]:
    return [t for o in load_instrument("phq9").options for t in (o.text, *o.synonyms)]


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 9),
    st.floats(min_value=-3, max_value=6),
    st.just(float("nan")),
    st.sampled_from(_option_texts()).map(lambda t: f"  {t.upper()}\t"),
    st.sampled_from(_option_texts()).map(lambda t: t.replace(" ", "   ")),
    st.sampled_from(["", "   ", "\n", "never", "Nearly every", "0", "1"]),
    st.text(max_size=12),
    st.builds(InvalidAnswer, st.sampled_from(["wrong_type", "multiple_values"])),
    st.just({"value": 1}),
    st.just([1, 2]),
)


@settings(max_examples=400, deadline=None)
@given(instrument=st.sampled_from(["phq9", "gad7"]), answer=HOSTILE)
def test_the_answer_key_reads_every_answer_as_the_options_do(instrument: str, answer: Any) -> None:
    definition = load_instrument(instrument)
    expected = _by_the_options(definition, answer)
    assert parse_answer(answer_key(definition), answer) == expected
    assert parse_answer(definition, answer) == expected


@settings(max_examples=200, deadline=None)
@given(answers=st.lists(HOSTILE, min_size=7, max_size=7))
def test_a_score_from_the_resolved_definition_equals_one_by_id(answers: list[Any]) -> None:
    assert score(load_instrument("gad7"), answers) == score("gad7", answers)


def test_a_definition_edited_in_place_gets_a_new_key() -> None:
    """Same id and version, other options (a new digest): the old key must not answer."""
    phq9 = load_instrument("phq9")
    edited = dataclasses.replace(
        phq9,
        options=tuple(dataclasses.replace(o, value=o.value + 10) for o in phq9.options),
        digest=phq9.digest + "-edited",
    )
    first = phq9.options[0].text
    assert parse_answer(answer_key(phq9), first) == Parsed(phq9.options[0].value)
    assert parse_answer(answer_key(edited), first) == Parsed(phq9.options[0].value + 10)
    assert parse_answer(answer_key(edited), phq9.options[0].value) == Parsed(None, "R9.out_of_range")


@pytest.mark.parametrize("instrument", ["phq9", "gad7"])
def test_the_first_option_wins_a_text_two_options_share(instrument: str) -> None:
    definition = load_instrument(instrument)
    shared = definition.options[1].text
    doubled = dataclasses.replace(
        definition,
        options=(definition.options[0], dataclasses.replace(definition.options[2], text=shared), *definition.options),
        digest=definition.digest + "-doubled",
    )
    assert parse_answer(doubled, shared) == _by_the_options(doubled, shared) == Parsed(definition.options[2].value)
