"""Property-based: the scorer answers every input with a result, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from final_form import InvalidAnswer, load_instrument, score

ANSWER = st.one_of(
    st.none(),
    st.integers(-10, 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.sampled_from(
        ["Not at all", "several days", " More than half the days ", "Over half the days", "NEARLY EVERY DAY", ""]
    ),
    st.sampled_from([" ", "\t\n", "\u00a0", "\u2003 "]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(InvalidAnswer, st.sampled_from(["wrong_type", "multiple_values"])),
)


def unanswered(answer: object) -> bool:
    """R10, stated independently of the scorer: absent, or a text of nothing but whitespace."""
    return answer is None or (isinstance(answer, str) and not answer.strip())


@settings(max_examples=400, deadline=None)
@given(instrument=st.sampled_from(["phq9", "gad7"]), answers=st.lists(ANSWER, max_size=12))
def test_score_always_returns_a_result_with_consistent_fields(instrument: str, answers: list[object]) -> None:
    result = score(instrument, answers)
    assert result.valid == (result.total is not None) == (result.severity is not None)
    if result.valid:
        assert not result.errors and 0 <= result.total <= (27 if instrument == "phq9" else 21)
    else:
        assert result.errors
    if instrument == "phq9" and result.item9_positive:
        assert result.item9_answered


@settings(max_examples=400, deadline=None)
@given(data=st.data(), instrument=st.sampled_from(["phq9", "gad7"]))
def test_every_item_is_missing_invalid_or_a_valid_answer_exactly_once(data: st.DataObject, instrument: str) -> None:
    n_items = load_instrument(instrument).n_items
    answers = data.draw(st.lists(ANSWER, min_size=n_items, max_size=n_items))
    result = score(instrument, answers)
    n_valid_answers = sum(1 for value in result.items if value is not None)
    assert result.n_missing + result.n_invalid + n_valid_answers == n_items
    assert result.n_missing == sum(1 for a in answers if unanswered(a))
    invalid = {i.item for i in result.invalid_items}
    assert invalid == {
        n
        for n, (a, v) in enumerate(zip(answers, result.items, strict=True), start=1)
        if v is None and not unanswered(a)
    }
    if invalid:
        assert not result.valid and not result.prorated
    assert result.as_dict()["n_missing"] == result.n_missing
