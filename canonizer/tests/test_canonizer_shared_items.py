"""Instruments that share item wording (GAD-2's two items are GAD-7's first two; PHQ-8 and
PHQ-9 alike): a new definition beside the shipped ones must not take the shared questions
away from the instrument a form asks. Real definitions: the shipped GAD-7 and the tests'
GAD-2 file (shared-schemas/tests/instruments)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from canonizer.form_functions import AnswerText, bind_questions
from shared_schemas.instruments import InstrumentDefinition, load_instrument, parse_instrument_file

GAD2_FILE = Path(__file__).resolve().parents[2] / "shared-schemas" / "tests" / "instruments" / "gad2-1.0.0.yaml"


def spec(definition: InstrumentDefinition) -> dict[str, Any]:
    return {"items": list(definition.item_texts), "difficulty": None}


INSTRUMENTS = {"gad7": spec(load_instrument("gad7")), "gad2": spec(parse_instrument_file(GAD2_FILE))}


def form_of(instrument_id: str) -> tuple[dict[str, str], dict[str, AnswerText]]:
    """Every item of the instrument as a question, each answered "Several days"."""
    items = INSTRUMENTS[instrument_id]["items"]
    questions = {f"q{n}": text for n, text in enumerate(items, start=1)}
    return questions, {q: AnswerText(text="Several days") for q in questions}


def test_gad2_shares_its_items_with_gad7() -> None:
    assert INSTRUMENTS["gad2"]["items"] == INSTRUMENTS["gad7"]["items"][:2]


def test_a_gad7_form_binds_every_gad7_item_although_gad2_shares_two_of_them() -> None:
    bound = bind_questions(*form_of("gad7"), INSTRUMENTS, {})["instruments"]
    assert bound["gad7"]["answers"] == ["Several days"] * 7
    assert "unbound_items" not in bound["gad7"] and bound["gad7"]["missing_items"] == []
    # every GAD-2 item is on the form, so the form answers GAD-2 too
    assert bound["gad2"]["answers"] == ["Several days"] * 2


def test_a_gad2_form_is_not_a_gad7_with_five_items_unbound() -> None:
    bound = bind_questions(*form_of("gad2"), INSTRUMENTS, {})["instruments"]
    assert set(bound) == {"gad2"}
    assert bound["gad2"]["answers"] == ["Several days"] * 2


def test_a_renamed_gad7_item_is_still_counted_unbound_beside_a_shared_definition() -> None:
    questions, texts = form_of("gad7")
    questions["q5"] = "A question the practice renamed"
    bound = bind_questions(questions, texts, INSTRUMENTS, {})
    assert bound["instruments"]["gad7"]["unbound_items"] == [5]
    assert bound["unmapped"] == ["q5"]
