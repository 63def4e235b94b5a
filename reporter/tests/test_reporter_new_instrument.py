"""A new instrument needs no code in the reports either: the test-only GAD-2 definition
(``shared-schemas/tests/instruments``) is named, banded and labelled in German from its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter import assemble_client_reports, render_html
from reporter.instruments import (
    instrument_name,
    instrument_order,
    scale,
    severity_label,
)
from shared_schemas.instruments import PATH_ENV

TEST_INSTRUMENTS = Path(__file__).resolve().parents[2] / "shared-schemas" / "tests" / "instruments"


@pytest.fixture(autouse=True)
def gad2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PATH_ENV, str(TEST_INSTRUMENTS))


def row(at: str, total: int, severity: str, response: str, **change: object) -> dict[str, object]:
    base: dict[str, object] = {
        "client_id": "c-9",
        "instrument": "gad2",
        "measured_at": at,
        "response_id": response,
        "total": total,
        "severity": severity,
        "valid": True,
        "prorated": False,
        "n_missing": 0,
        "invalid_items": [],
        "item9_positive": None,
        "item9_answered": None,
        "is_baseline": False,
        "baseline_at": None,
        "baseline_total": None,
        "change": None,
        "reliable_change": None,
        "baseline_caseness": None,
        "followup_caseness": None,
        "recovery_eligible": None,
        "recovery": None,
        "reliable_recovery": None,
        "reliable_change_threshold": 2,
        "caseness_threshold": 3,
        "threshold_source": "screening cut-off 3",
    }
    return base | change


def test_the_view_reads_the_new_definition() -> None:
    assert instrument_order() == ("phq9", "gad7", "gad2")
    assert (instrument_name("gad2"), scale("gad2").max_total, scale("gad2").construct) == (
        "GAD-2",
        6,
        "Angst (Screening)",
    )
    assert severity_label("positive screen", "gad2") == "auffälliges Screening"
    assert severity_label("moderate", "phq9") == "mittelgradig"


def test_a_client_report_renders_the_new_instruments_scores_with_their_german_band_labels() -> None:
    rows = [
        row(
            "2026-11-02T08:00:00Z",
            5,
            "positive screen",
            "r1",
            is_baseline=True,
            change=0,
            reliable_change="no reliable change",
        ),
        row("2026-11-10T08:00:00Z", 1, "negative screen", "r2", change=-4, reliable_change="reliable improvement"),
    ]
    [report] = assemble_client_reports("2026-W46", rows, {"c-9": {"name": "Test Person", "email": "t@example.org"}})
    assert [c.instrument for c in report.courses] == ["gad2"]
    assert [s.item9 for s in report.scores] == [None, None]  # GAD-2 raises no safety flags
    html = render_html(report)
    assert "GAD-2" in html and "auffälliges Screening" in html and "unauffälliges Screening" in html
    assert "positive screen" not in html
