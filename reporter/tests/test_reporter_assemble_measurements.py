"""The practice report's measurement overview: who was measured, change counts per
instrument and combined, and the week's invalid and prorated responses.

The rows are the hand-made 2026-W46 data set of assemble_week46.py; every expected number
is counted by hand from them.
"""

from __future__ import annotations

from reporter.assemble import COMBINED, ChangeCounts


def test_measurement_overview_counts(report) -> None:  # type: ignore[no-untyped-def]
    m = report.measurements
    assert [(c.client_id, c.name) for c in m.clients_measured] == [
        ("e", "(kein Kontakt zu e)"),
        ("a", "Ada"),
        ("b", "Ben"),
        ("c", "Cem"),
        ("f", "Fay"),
    ]
    assert (m.responses, m.scores) == (6, 10)
    phq9, gad7, combined = m.change
    assert phq9 == ChangeCounts(
        "phq9",
        clients=5,
        improvement=2,
        no_change=0,
        deterioration=1,
        mixed=0,
        baseline_only=2,
        no_valid_score=0,
        recovery_eligible=2,
        recovery=1,
        reliable_recovery=1,
    )
    assert gad7 == ChangeCounts(
        "gad7",
        clients=4,
        improvement=0,
        no_change=1,
        deterioration=1,
        mixed=0,
        baseline_only=1,
        no_valid_score=1,
        recovery_eligible=1,
        recovery=0,
        reliable_recovery=0,
    )
    assert combined == ChangeCounts(
        COMBINED,
        clients=5,
        improvement=1,
        no_change=0,
        deterioration=0,
        mixed=1,
        baseline_only=1,
        no_valid_score=2,
        recovery_eligible=2,
        recovery=0,
        reliable_recovery=0,
    )


def test_invalid_and_prorated_responses_of_the_week(report) -> None:  # type: ignore[no-untyped-def]
    got = [
        (r.client_id, r.instrument, r.measured_at[:10], r.valid, r.prorated, r.n_missing)
        for r in report.measurements.irregular
    ]
    assert got == [
        ("e", "phq9", "2026-11-09", True, True, 1),
        ("b", "gad7", "2026-11-12", False, False, 3),
        ("b", "phq9", "2026-11-14", False, False, 3),
    ]
    assert (report.measurements.invalid_count, report.measurements.prorated_count) == (2, 1)
