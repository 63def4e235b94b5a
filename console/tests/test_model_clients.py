"""The Clients page's model and a client's page, over the reporter's example rows."""

from __future__ import annotations

from datetime import UTC, datetime

from lorc_console.models.clients import client_report, client_summaries
from reporter.client_report import assemble_client_reports
from reporter.examples import example_inputs
from reporter.instruments import paired_order
from reporter.weeks import parse_timestamp, week_of


def test_latest_valid_score_per_instrument_and_the_pair_classification() -> None:
    data = example_inputs()
    series, paired, clients = data["timeseries_rows"], data["paired_rows"], data["clients"]
    summaries = client_summaries(series, paired, clients)
    assert {s.client_id for s in summaries} == {str(r["client_id"]) for r in series}
    assert [s.name for s in summaries] == sorted(
        (s.name for s in summaries), key=lambda n: (n is None, (n or "").casefold())
    )
    for summary in summaries:
        own = [r for r in series if r["client_id"] == summary.client_id]
        for inst, latest in zip(paired_order(), summary.latest, strict=True):
            valid = sorted(
                (r for r in own if r["instrument"] == inst and r["valid"]),
                key=lambda r: parse_timestamp(r["measured_at"]),
            )
            if not valid:
                assert latest is None
                continue
            assert latest is not None
            assert (latest.total, latest.severity) == (valid[-1]["total"], valid[-1]["severity"])
            assert latest.n_scores == sum(1 for r in own if r["instrument"] == inst)
        pair = next((p for p in paired if p["client_id"] == summary.client_id), None)
        assert summary.classification == (pair["classification"] if pair else None)


def test_an_unnamed_client_sorts_last_and_a_baseline_has_no_change() -> None:
    rows = [
        {
            "client_id": "z",
            "instrument": "phq9",
            "measured_at": "2026-11-10T08:00:00Z",
            "response_id": "r1",
            "valid": True,
            "total": 12,
            "severity": "moderate",
            "is_baseline": True,
            "reliable_change": "no reliable change",
        },
        {
            "client_id": "a",
            "instrument": "gad7",
            "measured_at": "2026-11-11T08:00:00Z",
            "response_id": "r2",
            "valid": False,
            "total": None,
        },
    ]
    summaries = client_summaries(rows, [], {"z": {"name": "Zora"}})
    assert [s.client_id for s in summaries] == ["z", "a"]
    (phq9, gad7) = summaries[0].latest
    assert phq9 is not None and phq9.reliable_change is None and gad7 is None
    assert summaries[1].latest == (None, None) and summaries[1].last_measured_at == datetime(
        2026, 11, 11, 8, tzinfo=UTC
    )


def test_a_client_page_is_the_progress_report_of_the_latest_scores_week() -> None:
    data = example_inputs()
    series, clients = data["timeseries_rows"], data["clients"]
    client = str(series[0]["client_id"])
    report = client_report(client, series, clients)
    own = [r for r in series if r["client_id"] == client]
    week = week_of(max(parse_timestamp(r["measured_at"]) for r in own).date())
    assert report == next(r for r in assemble_client_reports(week, series, clients) if r.client_id == client)
    assert len(report.scores) == len(own)
    assert client_report("no-such-client", series, clients) is None
