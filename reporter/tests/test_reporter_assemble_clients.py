"""The client reports: one per client measured in the week, with every score up to the
week's end and each instrument's course against its thresholds.

The rows are the hand-made 2026-W46 data set of assemble_week46.py; every expected number
is counted by hand from them.
"""

from __future__ import annotations

from assemble_week46 import CLIENTS, SOURCE, TIMESERIES, WEEK
from reporter import assemble_client_reports
from reporter.safety import ITEM9_NEGATIVE, ITEM9_POSITIVE


def test_client_reports_only_for_clients_measured_in_the_week() -> None:
    reports = assemble_client_reports(WEEK, TIMESERIES, CLIENTS)
    assert [(r.client_id, r.name) for r in reports] == [
        ("e", "(kein Kontakt zu e)"),
        ("a", "Ada"),
        ("b", "Ben"),
        ("c", "Cem"),
        ("f", "Fay"),
    ]
    assert all(r.chart_svg.startswith("<svg") for r in reports)


def test_a_client_report_has_every_score_up_to_the_weeks_end_and_the_change_with_its_thresholds() -> None:
    ada = next(r for r in assemble_client_reports(WEEK, TIMESERIES, CLIENTS) if r.client_id == "a")
    assert [(s.measured_at[:10], s.instrument, s.total, s.in_week) for s in ada.scores] == [
        ("2026-10-01", "phq9", 15, False),
        ("2026-10-01", "gad7", 10, False),
        ("2026-11-10", "phq9", 8, True),
        ("2026-11-10", "gad7", 9, True),
    ]  # not the 2026-11-17 score
    assert [s.item9 for s in ada.scores] == [ITEM9_NEGATIVE, None, ITEM9_POSITIVE, None]
    phq9, gad7 = ada.courses
    assert (phq9.instrument, phq9.baseline_total, phq9.latest_total, phq9.change, phq9.reliable_change) == (
        "phq9",
        15,
        8,
        -7,
        "reliable improvement",
    )
    assert (phq9.recovery_eligible, phq9.recovery, phq9.reliable_recovery) == (True, True, True)
    assert (phq9.reliable_change_threshold, phq9.caseness_threshold, phq9.threshold_source) == (6, 10, SOURCE["phq9"])
    assert (
        gad7.change,
        gad7.reliable_change,
        gad7.recovery,
        gad7.reliable_change_threshold,
        gad7.caseness_threshold,
    ) == (-1, "no reliable change", False, 4, 8)
    assert [(e.answer, e.measured_at) for e in ada.item9] == [(ITEM9_POSITIVE, "2026-11-10T09:00:00Z")]
    assert "Verlauf: Ada" in ada.chart_svg


def test_the_latest_valid_score_counts_and_a_lone_baseline_is_not_a_change() -> None:
    reports = {r.client_id: r for r in assemble_client_reports(WEEK, TIMESERIES, CLIENTS)}
    ben_phq9, ben_gad7 = reports["b"].courses
    assert (ben_phq9.latest_total, ben_phq9.reliable_change, ben_phq9.n_scores, ben_phq9.n_valid) == (
        16,
        "reliable deterioration",
        3,
        2,
    )  # the invalid 11-14 score does not replace it
    assert (ben_gad7.n_valid, ben_gad7.reliable_change, ben_gad7.reliable_change_threshold) == (0, None, None)
    [cem_phq9, _] = reports["c"].courses
    assert (
        cem_phq9.baseline_total,
        cem_phq9.latest_total,
        cem_phq9.change,
        cem_phq9.reliable_change,
        cem_phq9.recovery,
    ) == (12, 12, None, None, None)
    assert [c.instrument for c in reports["e"].courses] == ["phq9"]
