"""Property-based: the scorer answers every input with a result, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from final_form import score

ANSWER = st.one_of(
    st.none(), st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.text(max_size=30),
    st.sampled_from(["Not at all", "several days", " More than half the days ", "Over half the days", "NEARLY EVERY DAY", ""]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


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
