"""A new instrument needs no code: a definition file that only the tests know (the GAD-2
screen, ``shared-schemas/tests/instruments``) is scored, classified and put in a series."""

from __future__ import annotations

from pathlib import Path

import pytest

from final_form import classify_change, score
from final_form.timeseries import build_paired_rows, build_timeseries_rows
from shared_schemas.instruments import PATH_ENV

TEST_INSTRUMENTS = Path(__file__).resolve().parents[2] / "shared-schemas" / "tests" / "instruments"


@pytest.fixture(autouse=True)
def gad2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PATH_ENV, str(TEST_INSTRUMENTS))


def test_a_test_only_instrument_is_scored_by_its_definition() -> None:
    result = score("gad2", ["Several days", "over half the days"])
    assert (result.instrument, result.total, result.severity, result.valid, result.flags) == (
        "gad2",
        3,
        "positive screen",
        True,
        (),
    )
    assert score("gad2", [0, 2]).severity == "negative screen"
    missing = score("gad2", [1, None])  # max_prorated 0: one unanswered item makes it invalid
    assert (missing.valid, missing.errors) == (False, ("no-proration.too_many_missing:1",))
    assert score("gad2", [1, 4]).errors == ("R9.out_of_range:item2",)


def test_a_test_only_instrument_classifies_change_by_its_thresholds() -> None:
    better = classify_change("gad2", 5, 2)
    assert (better.reliable_change, better.recovery, better.caseness_threshold) == ("reliable improvement", True, 3)
    assert classify_change("gad2", 3, 4).reliable_change == "no reliable change"


def test_a_test_only_instrument_gets_a_course_but_no_r13_pair() -> None:
    def m(at: str, total: int, response: str) -> dict[str, object]:
        return {
            "client_id": "c1",
            "instrument": "gad2",
            "measured_at": at,
            "response_id": response,
            "total": total,
            "severity": None,
            "valid": True,
            "prorated": False,
            "n_missing": 0,
            "item9_positive": None,
            "item9_answered": None,
        }

    measurements = [m("2026-10-01T08:00:00Z", 6, "r1"), m("2026-10-15T08:00:00Z", 1, "r2")]
    rows = build_timeseries_rows(measurements)
    assert [(r["is_baseline"], r["change"], r["reliable_change"]) for r in rows] == [
        (True, 0, "no reliable change"),
        (False, -5, "reliable improvement"),
    ]
    assert build_paired_rows(measurements) == []
