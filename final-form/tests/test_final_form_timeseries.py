from __future__ import annotations

from typing import Any

from final_form.timeseries import (
    TIMESERIES_COLUMNS,
    build_paired_rows,
    build_timeseries_rows,
)


def m(client: str | None, instrument: str, at: str, total: int | None, response: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": client,
        "instrument": instrument,
        "measured_at": at,
        "response_id": response,
        "total": total,
        "severity": None,
        "valid": total is not None,
        "prorated": False,
        "n_missing": 0,
        "item9_positive": extra.get("item9_positive"),
        "item9_answered": None,
    }


def test_change_is_against_the_first_valid_score_and_invalid_rows_have_none() -> None:
    rows = build_timeseries_rows(
        [
            m("c1", "phq9", "2026-09-21T08:00:00Z", 16, "r2"),
            m("c1", "phq9", "2026-09-14T08:00:00Z", None, "r1"),  # invalid first: not the baseline
            m("c1", "phq9", "2026-10-05T08:00:00Z", 8, "r3"),
            m(None, "phq9", "2026-10-05T08:00:00Z", 20, "rx"),  # unlinked: left out
        ]
    )
    assert [(r["response_id"], r["is_baseline"], r["change"], r["reliable_change"]) for r in rows] == [
        ("r1", False, None, None),
        ("r2", True, 0, "no reliable change"),
        ("r3", False, -8, "reliable improvement"),
    ]
    last = rows[-1]
    assert (last["baseline_total"], last["baseline_at"], last["recovery"], last["reliable_recovery"]) == (
        16,
        "2026-09-21T08:00:00Z",
        True,
        True,
    )
    assert (last["reliable_change_threshold"], last["caseness_threshold"]) == (6, 10)


def test_paired_classification_uses_first_and_last_complete_pairs() -> None:
    rows = build_paired_rows(
        [
            m("c1", "phq9", "2026-09-14T08:00:00Z", 18, "r1"),
            m("c1", "gad7", "2026-09-14T08:00:00Z", 6, "r1"),
            m("c1", "phq9", "2026-09-21T08:00:00Z", 15, "r2"),  # no GAD-7 in r2: not a pair
            m("c1", "phq9", "2026-10-12T08:00:00Z", 10, "r3"),
            m("c1", "gad7", "2026-10-12T08:00:00Z", 12, "r3"),
            m("c2", "phq9", "2026-09-14T08:00:00Z", 12, "s1"),
            m("c2", "gad7", "2026-09-14T08:00:00Z", 9, "s1"),
        ]
    )
    assert [(r["client_id"], r["n_pairs"], r["classification"], r["mixed"]) for r in rows] == [
        ("c1", 2, "mixed", True),
        ("c2", 1, None, None),
    ]
    assert (rows[0]["phq9_baseline"], rows[0]["phq9_followup"], rows[0]["gad7_followup"]) == (18, 10, 12)


def test_invalid_items_reach_the_timeseries_as_item_and_rule() -> None:
    invalid = dict(
        m("c1", "phq9", "2026-09-14T08:00:00Z", None, "r1"),
        n_missing=1,
        invalid_items=[{"item": 3, "rule": "R9.out_of_range"}, {"item": 9, "rule": "R9.wrong_type"}],
    )
    scored_before = m("c1", "phq9", "2026-09-21T08:00:00Z", 12, "r2")  # stored before invalid_items existed
    rows = build_timeseries_rows([invalid, scored_before])
    assert [(r["response_id"], r["n_missing"], r["invalid_items"]) for r in rows] == [
        ("r1", 1, ["3:R9.out_of_range", "9:R9.wrong_type"]),
        ("r2", 0, []),
    ]
    assert ("invalid_items", "string[]") in TIMESERIES_COLUMNS
