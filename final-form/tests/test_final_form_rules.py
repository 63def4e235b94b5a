"""clinical-rules.md §0, rule by rule (R1-R13), every band edge, and R10 answer texts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from final_form import (
    InvalidAnswer,
    InvalidItem,
    UnknownInstrumentError,
    classify_change,
    classify_change_paired,
    list_instruments,
    load_instrument,
    score,
)
from final_form.definitions import InvalidDefinitionError
from final_form.definitions import parse_instrument_file as _parse


def answers_for(total: int, n_items: int) -> list[int]:
    """Item values (0-3) summing to ``total``, filled from the first item."""
    values = []
    for _ in range(n_items):
        value = min(3, total)
        values.append(value)
        total -= value
    return values


# R1 / R2: PHQ-9 total and bands -------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_r1_r2_phq9_band_edges(total: int, band: str) -> None:
    result = score("phq9", answers_for(total, 9))
    assert (result.total, result.severity, result.valid, result.prorated, result.errors) == (
        total,
        band,
        True,
        False,
        (),
    )


def test_r1_every_phq9_total_from_0_to_27_is_reachable_and_banded() -> None:
    seen = {score("phq9", answers_for(t, 9)).total for t in range(28)}
    assert seen == set(range(28))


# R3: item 10 is never scored -----------------------------------------------------------------
def test_r3_the_difficulty_item_is_not_an_item_and_ten_answers_are_invalid() -> None:
    phq9 = load_instrument("phq9")
    assert phq9.n_items == 9 and phq9.extra_items[0].loinc == "69722-7"
    result = score("phq9", [1] * 9 + ["Extremely difficult"])
    assert (result.valid, result.total, result.errors) == (False, None, ("R9.wrong_item_count:10",))


def test_r3_difficulty_codes_follow_loinc_not_the_swapped_repos() -> None:
    options = {o.text: o.loinc for o in load_instrument("phq9").extra_items[0].options}
    assert options["Very difficult"] == "LA6575-0" and options["Extremely difficult"] == "LA6574-3"


# R4: item-9 flag ----------------------------------------------------------------------------
@pytest.mark.parametrize(("item9", "positive"), [(0, False), (1, True), (2, True), (3, True)])
def test_r4_item9_positive_from_several_days(item9: int, positive: bool) -> None:
    result = score("phq9", [0] * 8 + [item9])
    assert (result.item9_positive, result.item9_answered) == (positive, True)


def test_r4_item9_flag_holds_even_when_the_total_is_invalid() -> None:
    result = score("phq9", [None, None, None, 1, 1, 1, 1, 1, "Several days"])
    assert (result.valid, result.total, result.severity) == (False, None, None)
    assert result.errors == ("R6.too_many_missing:3",)
    assert (result.item9_positive, result.item9_answered) == (True, True)


def test_r4_unanswered_item9_is_not_positive_but_says_so() -> None:
    result = score("phq9", [2] * 8 + [None])
    assert (result.valid, result.item9_positive, result.item9_answered) == (True, False, False)


def test_r4_an_unreadable_item9_has_no_usable_answer_and_is_named_invalid() -> None:
    result = score("phq9", [0] * 8 + ["Manchmal"])
    assert (result.valid, result.item9_positive, result.item9_answered) == (False, False, False)
    assert result.errors == ("R10.unrecognised_text:item9",)
    assert (result.n_missing, result.invalid_items) == (0, (InvalidItem(9, "R10.unrecognised_text"),))


# R5: GAD-7 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_r5_gad7_band_edges_without_moderately_severe(total: int, band: str) -> None:
    result = score("gad7", answers_for(total, 7))
    assert (result.total, result.severity) == (total, band)
    assert result.item9_positive is None and result.item9_answered is None


def test_r5_every_gad7_total_from_0_to_21_is_banded() -> None:
    assert {score("gad7", answers_for(t, 7)).total for t in range(22)} == set(range(22))


# R6 / R7: PHQ-9 missing items and rounding half up -----------------------------------------------
@pytest.mark.parametrize(
    ("answered", "expected"),
    [
        ([1] * 8, 9),  # 8 * 9 / 8 = 9
        ([3, 3, 3, 3, 2, 1, 1], 21),  # 16 * 9 / 7 = 20.57 -> 21
        ([1, 1, 1, 1, 0, 0, 0, 0], 5),  # 4 * 9 / 8 = 4.5 -> 5 (round() would give 4)
        ([2, 2, 2, 2, 1, 1, 1, 1], 14),  # 12 * 9 / 8 = 13.5 -> 14
        ([3, 3, 3, 3, 2, 2, 2, 2], 23),  # 20 * 9 / 8 = 22.5 -> 23
    ],
)
def test_r6_r7_up_to_two_missing_items_are_prorated_half_up(answered: list[int], expected: int) -> None:
    items = answered + [None] * (9 - len(answered))
    result = score("phq9", items)
    assert (result.total, result.prorated, result.valid, result.n_missing) == (expected, True, True, 9 - len(answered))
    assert result.severity == load_instrument("phq9").band(expected)


def test_r7_a_tie_that_would_round_to_even_lands_in_the_higher_band() -> None:
    result = score("phq9", [1, 1, 1, 1, 0, 0, 0, 0, None])  # 4.5 -> 5: mild, not minimal
    assert (result.total, result.severity) == (5, "mild")
    assert round(4.5) == 4  # the trap R7 avoids


def test_r6_three_missing_items_make_the_total_invalid() -> None:
    result = score("phq9", [3, 3, 3, 3, 3, 3, None, None, None])
    assert (result.valid, result.total, result.severity, result.prorated) == (False, None, None, False)
    assert result.errors == ("R6.too_many_missing:3",) and result.n_missing == 3


# R8: GAD-7 missing items ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answered", "expected"),
    [
        ([1, 1, 1, 0, 0, 0], 4),  # 3 * 7 / 6 = 3.5 -> 4
        ([2, 2, 2, 1, 1, 1], 11),  # 9 * 7 / 6 = 10.5 -> 11
        ([3, 3, 3, 2, 2, 2], 18),  # 15 * 7 / 6 = 17.5 -> 18
    ],
)
def test_r8_one_missing_gad7_item_is_prorated_half_up(answered: list[int], expected: int) -> None:
    result = score("gad7", answered + [None])
    assert (result.total, result.prorated, result.valid) == (expected, True, True)


def test_r8_two_missing_gad7_items_are_invalid() -> None:
    result = score("gad7", [3, 3, 3, 3, 3, None, None])
    assert (result.valid, result.errors) == (False, ("R8.too_many_missing:2",))


# R9: invalid responses -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (4, "R9.out_of_range"),
        (-1, "R9.out_of_range"),
        (1.5, "R9.non_integer"),
        (True, "R9.not_a_number"),
        ([1], "R9.not_a_number"),
    ],
)
def test_r9_values_outside_0_3_and_non_integers_invalidate_without_raising(bad: object, code: str) -> None:
    result = score("phq9", [0, 0, bad, 0, 0, 0, 0, 0, 0])
    assert (result.valid, result.total, result.errors) == (False, None, (f"{code}:item3",))


def test_r9_an_integral_float_is_an_integer() -> None:
    assert score("gad7", [2.0, 1, 1, 1, 1, 1, 1]).total == 8


@pytest.mark.parametrize("count", [0, 6, 8, 10])
def test_r9_wrong_number_of_items_is_invalid_never_guessed(count: int) -> None:
    result = score("phq9", [1] * count)
    assert (result.valid, result.errors, result.item9_answered) == (False, (f"R9.wrong_item_count:{count}",), False)
    # no item is known, so none is counted as unanswered or as answered invalidly
    assert (result.items, result.n_missing, result.invalid_items) == ((), 0, ())


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (4, "R9.out_of_range"),
        (-1, "R9.out_of_range"),
        (1.5, "R9.non_integer"),
        (True, "R9.not_a_number"),
        ({"value": 1}, "R9.not_a_number"),
        ("Manchmal", "R10.unrecognised_text"),
        (InvalidAnswer("wrong_type"), "R9.wrong_type"),
        (InvalidAnswer("multiple_values"), "R9.multiple_values"),
    ],
)
def test_r9_r10_an_invalid_answer_is_named_and_not_counted_as_missing(bad: object, code: str) -> None:
    result = score("phq9", [0, 0, bad, 0, 0, None, 0, 0, 0])
    assert (result.valid, result.total, result.prorated) == (False, None, False)
    assert (result.n_missing, result.invalid_items) == (1, (InvalidItem(3, code),))
    assert result.errors == (f"{code}:item3",)
    assert result.as_dict()["invalid_items"] == [{"item": 3, "rule": code}]


def test_r9_every_invalid_item_is_named_in_item_order() -> None:
    result = score("gad7", [4, None, "Manchmal", 1, InvalidAnswer("wrong_type"), 1, 1])
    assert [(i.item, i.rule) for i in result.invalid_items] == [
        (1, "R9.out_of_range"),
        (3, "R10.unrecognised_text"),
        (5, "R9.wrong_type"),
    ]
    assert (result.n_missing, result.n_invalid, result.valid) == (1, 3, False)


def test_r9_answers_a_caller_found_unusable_invalidate_even_without_other_errors() -> None:
    # e.g. a form that gives a number where it gives text: never prorated as if unanswered
    result = score("phq9", [1, 1, 1, 1, 1, 1, 1, 1, InvalidAnswer("wrong_type")])
    assert (result.valid, result.total, result.n_missing, result.errors) == (False, None, 0, ("R9.wrong_type:item9",))
    assert (result.item9_positive, result.item9_answered) == (False, False)  # follow it up (R4, A5)


@pytest.mark.parametrize("rule", ["", "R9.wrong_type", "Several days", "wrong type", "3"])
def test_an_invalid_answer_takes_a_rule_name_never_a_value(rule: str) -> None:
    with pytest.raises(ValueError, match="rule name"):
        InvalidAnswer(rule)


def test_only_an_unknown_instrument_raises() -> None:
    with pytest.raises(UnknownInstrumentError, match="known: gad7, phq9"):
        score("bdi2", [0] * 21)


# R10: answer texts --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Not at all", 0),
        ("not at all", 0),
        ("  NOT   at\tall ", 0),
        ("Several days", 1),
        ("several  DAYS", 1),
        ("More than half the days", 2),
        ("over half the days", 2),
        ("Over Half The Days", 2),
        ("Nearly every day", 3),
        ("nearly every day\n", 3),
    ],
)
def test_r10_answer_texts_are_trimmed_collapsed_and_case_folded(text: str, value: int) -> None:
    result = score("gad7", [text] + [0] * 6)
    assert (result.items[0], result.valid) == (value, True)


@pytest.mark.parametrize("text", ["Manchmal", "several", "2", "Never", "more than half"])
def test_r10_anything_else_is_invalid_never_zero(text: str) -> None:
    result = score("gad7", [text] + [0] * 6)
    assert (result.valid, result.items[0], result.errors) == (False, None, ("R10.unrecognised_text:item1",))


def test_r10_an_empty_string_is_unanswered() -> None:
    result = score("gad7", ["", 1, 1, 1, 1, 1, 1])
    assert (result.items[0], result.n_missing, result.prorated, result.total) == (None, 1, True, 7)
    assert (score("gad7", [" \t", 1, 1, 1, 1, 1, 1]).n_missing, result.invalid_items) == (1, ())


# R11 / R12: single-measure change -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("instrument", "baseline", "followup", "reliable"),
    [
        ("phq9", 18, 12, "reliable improvement"),
        ("phq9", 18, 13, "no reliable change"),
        ("phq9", 12, 18, "reliable deterioration"),
        ("phq9", 12, 17, "no reliable change"),
        ("gad7", 14, 10, "reliable improvement"),
        ("gad7", 14, 11, "no reliable change"),
        ("gad7", 6, 10, "reliable deterioration"),
        ("gad7", 6, 9, "no reliable change"),
    ],
)
def test_r11_r12_reliable_change_thresholds(instrument: str, baseline: int, followup: int, reliable: str) -> None:
    result = classify_change(instrument, baseline, followup)
    assert result.reliable_change == reliable and result.change == followup - baseline


@pytest.mark.parametrize(
    ("instrument", "baseline", "followup", "eligible", "recovery", "reliable_recovery"),
    [
        ("phq9", 16, 9, True, True, True),  # case -> not case, drop 7
        ("phq9", 12, 9, True, True, False),  # recovered, drop only 3
        ("phq9", 10, 10, True, False, False),  # 10 is still caseness
        ("phq9", 9, 2, False, False, False),  # below caseness: not eligible
        ("gad7", 8, 7, True, True, False),  # 8 is caseness for GAD-7, 7 is not
        ("gad7", 12, 4, True, True, True),
        ("gad7", 7, 0, False, False, False),
    ],
)
def test_r12_recovery_and_reliable_recovery(
    instrument: str, baseline: int, followup: int, eligible: bool, recovery: bool, reliable_recovery: bool
) -> None:
    result = classify_change(instrument, baseline, followup)
    assert (result.recovery_eligible, result.recovery, result.reliable_recovery) == (
        eligible,
        recovery,
        reliable_recovery,
    )
    assert result.baseline_caseness == eligible


def test_r12_the_result_names_its_thresholds() -> None:
    result = classify_change("phq9", 20, 10)
    assert (result.reliable_change_threshold, result.caseness_threshold) == (6, 10)
    assert "NHS Talking Therapies" in result.threshold_source


def test_change_needs_valid_totals() -> None:
    with pytest.raises(ValueError, match="baseline must be a valid phq9 total"):
        classify_change("phq9", None, 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="followup"):
        classify_change("gad7", 5, 22)


# R13: paired rule -------------------------------------------------------------------------------------
def test_r13_caseness_on_either_measure_and_recovery_on_both() -> None:
    result = classify_change_paired(phq9=(8, 3), gad7=(12, 5))
    assert (result.baseline_caseness, result.recovery, result.reliable_improvement, result.reliable_recovery) == (
        True,
        True,
        True,
        True,
    )
    still_anxious = classify_change_paired(phq9=(14, 4), gad7=(9, 8))
    assert (still_anxious.recovery, still_anxious.reliable_improvement, still_anxious.reliable_recovery) == (
        False,
        True,
        False,
    )
    not_a_case = classify_change_paired(phq9=(9, 2), gad7=(7, 1))
    assert (not_a_case.recovery_eligible, not_a_case.recovery) == (False, False)


def test_r13_improvement_needs_no_reliable_rise_and_mixed_is_explicit() -> None:
    mixed = classify_change_paired(phq9=(18, 10), gad7=(6, 12))
    assert (mixed.mixed, mixed.classification, mixed.reliable_improvement, mixed.any_reliable_deterioration) == (
        True,
        "mixed",
        False,
        True,
    )
    worse = classify_change_paired(phq9=(10, 17), gad7=(9, 9))
    assert (worse.classification, worse.any_reliable_deterioration, worse.mixed) == (
        "reliable deterioration",
        True,
        False,
    )
    flat = classify_change_paired(phq9=(12, 9), gad7=(9, 7))
    assert (flat.classification, flat.reliable_improvement, flat.recovery) == ("no reliable change", False, True)


def test_r13_all_combinations_are_consistent() -> None:
    for b1, f1, b2, f2 in itertools.product((4, 10, 16), (4, 10, 16), (3, 8, 13), (3, 8, 13)):
        result = classify_change_paired(phq9=(b1, f1), gad7=(b2, f2))
        assert result.reliable_recovery == (result.recovery and result.reliable_improvement)
        assert not (result.reliable_improvement and result.any_reliable_deterioration)
        assert result.mixed == (result.classification == "mixed")


# Instruments are data -------------------------------------------------------------------------------
GAD2 = """
id: gad2
version: 1.0.0
name: Generalized Anxiety Disorder-2 (screening)
loinc: {panel: 69724-3, total: 70273-8}
items:
  - {number: 1, loinc: 69725-0, text: "Feeling nervous, anxious, or on edge"}
  - {number: 2, loinc: 68509-9, text: Not being able to stop or control worrying}
options:
  - {value: 0, text: Not at all}
  - {value: 1, text: Several days}
  - {value: 2, text: More than half the days, synonyms: [Over half the days]}
  - {value: 3, text: Nearly every day}
bands:
  - {min: 0, max: 2, label: negative screen}
  - {min: 3, max: 6, label: positive screen}
missing: {max_prorated: 0, rule: no-proration}
change: {reliable_change: 2, caseness: 3, source: screening cut-off 3}
"""


def test_instruments_are_data_and_a_new_one_needs_no_code(tmp_path: Path) -> None:
    assert list_instruments() == ["gad7", "phq9"]
    path = tmp_path / "gad2-1.0.0.yaml"
    path.write_text(GAD2)
    instrument = _parse(path)
    result = score(instrument, ["Several days", "over half the days"])
    assert (instrument.n_items, result.total, result.severity) == (2, 3, "positive screen")
    missing = score(instrument, [1, None])
    assert (missing.valid, missing.errors) == (False, ("no-proration.too_many_missing:1",))
    assert classify_change(instrument, 5, 1).reliable_change == "reliable improvement"


def test_a_definition_whose_bands_leave_a_gap_is_refused(tmp_path: Path) -> None:
    from shared_schemas.instruments import INSTRUMENTS_DIR

    source = (INSTRUMENTS_DIR / "phq9-1.0.0.yaml").read_text()
    path = tmp_path / "phq9-9.9.9.yaml"
    path.write_text(source.replace("{min: 5, max: 9, label: mild,", "{min: 6, max: 9, label: mild,"))
    with pytest.raises(InvalidDefinitionError, match="bands must cover every total"):
        _parse(path)
