"""A small hand-made data set around 2026-W46 (Mon 2026-11-09 .. Sun 2026-11-15, UTC).

Every expected number below is counted by hand from the rows in this file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reporter import assemble_client_reports, assemble_practice_report
from reporter.assemble import COMBINED, ChangeCounts, InvalidItem, sales_pipeline
from reporter.safety import (
    ITEM9_ANSWERED_INVALID,
    ITEM9_NEGATIVE,
    ITEM9_NOT_ANSWERED,
    ITEM9_POSITIVE,
)
from reporter.weeks import week_bounds

WEEK = "2026-W46"
CLIENTS = {
    "a": {"name": "Ada", "email": "ada@example.org"},
    "b": {"name": "Ben", "email": "ben@example.org"},
    "c": {"name": "Cem", "email": "cem@example.org"},
    "d": {"name": "Dora", "email": "dora@example.org"},
    "f": {"name": "Fay", "email": "fay@example.org"},
}  # "e" has no contact
SOURCE = {"phq9": "NHS TT: reliable change >= 6, caseness >= 10", "gad7": "NHS TT: reliable change >= 4, caseness >= 8"}


def ts(
    client: str,
    instrument: str,
    at: str,
    response: str,
    total: int | None,
    *,
    baseline: bool = False,
    change: int | None = None,
    rc: str | None = None,
    eligible: bool | None = None,
    recovery: bool | None = None,
    rrec: bool | None = None,
    prorated: bool = False,
    n_missing: int = 0,
    item9: bool | None = None,
    answered: bool | None = None,
) -> dict[str, Any]:
    valid = total is not None
    if instrument == "phq9" and answered is None:
        answered = True
    if instrument == "phq9" and item9 is None:
        item9 = False
    if valid and baseline:
        change, rc, recovery, rrec = 0, "no reliable change", False, False
    return {
        "client_id": client,
        "instrument": instrument,
        "measured_at": at,
        "response_id": response,
        "total": total,
        "severity": "x" if valid else None,
        "valid": valid,
        "prorated": prorated,
        "n_missing": n_missing,
        "item9_positive": item9,
        "item9_answered": answered,
        "is_baseline": baseline,
        "baseline_at": None,
        "baseline_total": None,
        "change": change,
        "reliable_change": rc,
        "baseline_caseness": eligible,
        "followup_caseness": None,
        "recovery_eligible": eligible,
        "recovery": recovery,
        "reliable_recovery": rrec,
        "reliable_change_threshold": ({"phq9": 6, "gad7": 4}[instrument] if valid else None),
        "caseness_threshold": ({"phq9": 10, "gad7": 8}[instrument] if valid else None),
        "threshold_source": SOURCE[instrument] if valid else None,
    }


TIMESERIES = [
    # Ada: PHQ-9 15 -> 8 (reliable improvement, recovery); GAD-7 10 -> 9 (no reliable change); item 9 positive.
    ts("a", "phq9", "2026-10-01T09:00:00Z", "ra1", 15, baseline=True, eligible=True),
    ts("a", "gad7", "2026-10-01T09:00:00Z", "ra1", 10, baseline=True, eligible=True),
    ts(
        "a",
        "phq9",
        "2026-11-10T09:00:00Z",
        "ra2",
        8,
        change=-7,
        rc="reliable improvement",
        eligible=True,
        recovery=True,
        rrec=True,
        item9=True,
    ),
    ts(
        "a",
        "gad7",
        "2026-11-10T09:00:00Z",
        "ra2",
        9,
        change=-1,
        rc="no reliable change",
        eligible=True,
        recovery=False,
        rrec=False,
    ),
    # After the week: must change nothing.
    ts(
        "a",
        "phq9",
        "2026-11-17T09:00:00Z",
        "ra3",
        3,
        change=-12,
        rc="reliable improvement",
        eligible=True,
        recovery=True,
        rrec=True,
        item9=True,
    ),
    # Ben: PHQ-9 9 -> 16 (deterioration, not eligible); item 9 unanswered; GAD-7 invalid;
    # then an invalid PHQ-9 with a positive item 9 (R4), and a later valid one after the week.
    ts("b", "phq9", "2026-10-05T09:00:00Z", "rb1", 9, baseline=True, eligible=False),
    ts(
        "b",
        "phq9",
        "2026-11-12T10:00:00Z",
        "rb2",
        16,
        change=7,
        rc="reliable deterioration",
        eligible=False,
        recovery=False,
        rrec=False,
        answered=False,
    ),
    ts("b", "gad7", "2026-11-12T10:00:00Z", "rb2", None, n_missing=3),
    ts("b", "phq9", "2026-11-14T10:00:00Z", "rb3", None, n_missing=3, item9=True),
    ts(
        "b",
        "phq9",
        "2026-11-20T10:00:00Z",
        "rb4",
        5,
        change=-4,
        rc="no reliable change",
        eligible=False,
        recovery=False,
        rrec=False,
    ),
    # Cem: first ever response in the last second of the week, item 9 answered "not at all".
    ts("c", "phq9", "2026-11-15T23:59:59Z", "rc1", 12, baseline=True, eligible=True),
    ts("c", "gad7", "2026-11-15T23:59:59Z", "rc1", 7, baseline=True, eligible=False),
    # Dora: just before and just after the week, both item-9 positive: not this week's.
    ts("d", "phq9", "2026-11-08T23:59:59Z", "rd1", 20, baseline=True, eligible=True, item9=True),
    ts(
        "d",
        "phq9",
        "2026-11-16T00:00:00Z",
        "rd2",
        21,
        change=1,
        rc="no reliable change",
        eligible=True,
        recovery=False,
        rrec=False,
        item9=True,
    ),
    # e (no contact): first second of the week, prorated, item 9 positive.
    ts(
        "e",
        "phq9",
        "2026-11-09T00:00:00Z",
        "re1",
        21,
        baseline=True,
        eligible=True,
        prorated=True,
        n_missing=1,
        item9=True,
    ),
    # Fay: PHQ-9 20 -> 12 (improvement, no recovery), GAD-7 5 -> 10 (deterioration): mixed.
    ts("f", "phq9", "2026-09-01T09:00:00Z", "rf1", 20, baseline=True, eligible=True),
    ts("f", "gad7", "2026-09-01T09:00:00Z", "rf1", 5, baseline=True, eligible=False),
    ts(
        "f",
        "phq9",
        "2026-11-11T09:00:00Z",
        "rf2",
        12,
        change=-8,
        rc="reliable improvement",
        eligible=True,
        recovery=False,
        rrec=False,
    ),
    ts(
        "f",
        "gad7",
        "2026-11-11T09:00:00Z",
        "rf2",
        10,
        change=5,
        rc="reliable deterioration",
        eligible=False,
        recovery=False,
        rrec=False,
    ),
]


def paired(
    client: str,
    n: int,
    classification: str | None,
    case: bool | None = None,
    recovery: bool | None = None,
    rrec: bool | None = None,
) -> dict[str, Any]:
    return {
        "client_id": client,
        "n_pairs": n,
        "baseline_at": "2026-09-01T09:00:00Z",
        "followup_at": None,
        "phq9_baseline": 1,
        "phq9_followup": None,
        "gad7_baseline": 1,
        "gad7_followup": None,
        "classification": classification,
        "baseline_caseness": case,
        "recovery": recovery,
        "reliable_improvement": None,
        "any_reliable_deterioration": None,
        "reliable_recovery": rrec,
        "mixed": classification == "mixed",
    }


PAIRED = [
    paired("a", 2, "reliable improvement", True, False, False),
    paired("c", 1, None),
    paired("d", 2, "reliable deterioration", True, False, False),
    paired("f", 2, "mixed", True, False, False),
]


def conv(
    key: str,
    first_in: str | None,
    last_in: str | None,
    *,
    status: str,
    awaiting: bool,
    response: int | None,
    known: bool = False,
    name: str = "N.N.",
    subject: str = "Anfrage",
) -> dict[str, Any]:
    return {
        "conversation_key": key,
        "counterpart_email": f"{key}@example.org",
        "counterpart_name": name,
        "subject": subject,
        "mailboxes": ["praxis@example.net"],
        "message_count": 2,
        "first_message_at": first_in or "2026-11-01T00:00:00Z",
        "last_message_at": last_in or first_in,
        "first_inbound_at": first_in,
        "last_inbound_at": last_in,
        "last_outbound_at": None,
        "awaiting_reply": awaiting,
        "first_response_minutes": response,
        "is_known_client": known,
        "status": status,
    }


INBOX = [
    conv("k1", "2026-11-09T00:00:00Z", "2026-11-09T00:00:00Z", status="in conversation", awaiting=False, response=30),
    conv(
        "k2", "2026-11-10T12:00:00Z", "2026-11-10T12:00:00Z", status="client", awaiting=False, response=90, known=True
    ),
    conv("k3", "2026-11-12T08:00:00Z", "2026-11-12T08:00:00Z", status="new inquiry", awaiting=True, response=None),
    conv("k4", "2026-11-15T20:00:00Z", "2026-11-15T22:00:00Z", status="awaiting reply", awaiting=True, response=45),
    conv("k5", "2026-11-08T23:59:59Z", "2026-11-08T23:59:59Z", status="new inquiry", awaiting=True, response=None),
    conv("k6", "2026-11-16T00:00:00Z", "2026-11-16T00:00:00Z", status="new inquiry", awaiting=True, response=None),
    conv("k7", None, None, status="internal", awaiting=False, response=None),
    conv(
        "k8",
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00Z",
        status="in conversation",
        awaiting=False,
        response=600,
        known=True,
    ),
    conv("k9", "2026-10-20T10:00:00Z", "2026-11-13T12:00:00Z", status="awaiting reply", awaiting=True, response=15),
]


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return assemble_practice_report(WEEK, INBOX, TIMESERIES, PAIRED, CLIENTS)


def test_header_fields(report) -> None:  # type: ignore[no-untyped-def]
    assert (report.week, report.week_start, report.week_end) == (WEEK, date(2026, 11, 9), date(2026, 11, 15))


def test_item9_safety_list_is_complete_positive_first_then_unanswered(report) -> None:  # type: ignore[no-untyped-def]
    got = [(e.client_name, e.measured_at, e.answer, e.total) for e in report.item9]
    assert got == [
        ("(kein Kontakt zu e)", "2026-11-09T00:00:00Z", ITEM9_POSITIVE, 21),
        ("Ada", "2026-11-10T09:00:00Z", ITEM9_POSITIVE, 8),
        ("Ben", "2026-11-14T10:00:00Z", ITEM9_POSITIVE, None),  # invalid total, flag still counts (R4)
        ("Ben", "2026-11-12T10:00:00Z", ITEM9_NOT_ANSWERED, 16),
    ]
    assert ITEM9_NOT_ANSWERED == "not answered, follow up"


def test_new_inquiries_are_the_conversations_whose_first_inbound_message_is_in_the_week(report) -> None:  # type: ignore[no-untyped-def]
    p = report.pipeline
    assert [c.conversation_key for c in p.new_inquiries] == ["k1", "k2", "k3", "k4"]
    assert p.became_clients == 1
    assert p.status_counts == (("new inquiry", 1), ("awaiting reply", 1), ("in conversation", 1), ("client", 1))
    assert [c.first_response_text for c in p.new_inquiries] == ["30 Min.", "1 Std. 30 Min.", "–", "45 Min."]


def test_median_first_response_counts_only_the_weeks_answered_inquiries(report) -> None:  # type: ignore[no-untyped-def]
    assert report.pipeline.median_first_response_minutes == 45  # of 30, 90, 45 (k8's 600 and k9's 15 are older)
    assert report.pipeline.median_first_response_text == "45 Min."
    assert report.pipeline.responded == 3


def test_an_even_median_is_halfway_and_rounds_half_up_for_display() -> None:
    rows = [
        conv("x1", "2026-11-10T08:00:00Z", None, status="in conversation", awaiting=False, response=30),
        conv("x2", "2026-11-11T08:00:00Z", None, status="in conversation", awaiting=False, response=91),
    ]
    pipeline = sales_pipeline(rows, *week_bounds(WEEK))
    assert pipeline.median_first_response_minutes == 60.5
    assert pipeline.median_first_response_text == "1 Std. 1 Min."
    empty = sales_pipeline([], *week_bounds(WEEK))
    assert (empty.median_first_response_minutes, empty.median_first_response_text, empty.responded) == (None, "–", 0)


def test_awaiting_reply_ages_are_measured_at_the_weeks_end_longest_first(report) -> None:  # type: ignore[no-untyped-def]
    got = [(a.conversation_key, a.age_minutes, a.age_text) for a in report.pipeline.awaiting_reply]
    assert got == [
        ("k5", 7 * 24 * 60, "7 Tage"),  # 2026-11-08 23:59:59 -> 11-16 00:00 (whole minutes)
        ("k3", 3 * 24 * 60 + 16 * 60, "3 Tage 16 Std."),
        ("k9", 2 * 24 * 60 + 12 * 60, "2 Tage 12 Std."),
        ("k4", 120, "2 Std."),
    ]  # k6 wrote after the week's end


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


def test_errors_about_bad_rows_name_the_field_not_the_value() -> None:
    broken = [dict(TIMESERIES[0], measured_at="Ada, am 1.10.")]
    with pytest.raises(ValueError) as error:
        assemble_practice_report(WEEK, [], broken, [], CLIENTS)
    assert str(error.value) == "measured_at is not an ISO-8601 timestamp"
    odd = [dict(TIMESERIES[2], reliable_change="Ada geht es besser")]
    with pytest.raises(ValueError) as error:
        assemble_practice_report(WEEK, [], [TIMESERIES[0], *odd], [], CLIENTS)
    assert "Ada" not in str(error.value)


def test_inputs_are_plain_data_and_the_result_is_frozen(report) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        report.week = "2026-W47"  # type: ignore[misc]
    assert assemble_practice_report(WEEK, INBOX, TIMESERIES, PAIRED, CLIENTS) == report


def test_an_item9_answered_invalidly_is_followed_up_and_invalid_items_are_shown_by_number_and_rule() -> None:
    from reporter import render_html

    rows = [
        dict(
            ts("g", "phq9", "2026-11-10T09:00:00Z", "rg1", None, answered=False),
            invalid_items=["3:R9.out_of_range", "9:R9.wrong_type"],
        ),
        dict(ts("g", "gad7", "2026-11-10T09:00:00Z", "rg1", None, n_missing=1), invalid_items=[]),
        ts("g", "phq9", "2026-11-11T09:00:00Z", "rg2", 7, baseline=True, eligible=False, answered=False),
    ]
    practice = assemble_practice_report(WEEK, [], rows, [], {"g": {"name": "Gil"}})
    assert [(e.response_id, e.answer) for e in practice.item9] == [
        ("rg1", ITEM9_ANSWERED_INVALID),
        ("rg2", ITEM9_NOT_ANSWERED),
    ]
    assert ITEM9_ANSWERED_INVALID == "answered invalidly, follow up"
    got = [(r.instrument, r.n_missing, r.invalid_items) for r in practice.measurements.irregular]
    assert got == [("phq9", 0, (InvalidItem(3, "R9.out_of_range"), InvalidItem(9, "R9.wrong_type"))), ("gad7", 1, ())]
    [client] = assemble_client_reports(WEEK, rows, {"g": {"name": "Gil"}})
    assert [(s.measured_at[:10], s.instrument, s.item9, s.invalid_items) for s in client.scores] == [
        (
            "2026-11-10",
            "phq9",
            ITEM9_ANSWERED_INVALID,
            (InvalidItem(3, "R9.out_of_range"), InvalidItem(9, "R9.wrong_type")),
        ),
        ("2026-11-10", "gad7", None, ()),
        ("2026-11-11", "phq9", ITEM9_NOT_ANSWERED, ()),
    ]
    for html in (render_html(practice), render_html(client)):
        assert "Item 3: Wert außerhalb 0–3 (R9.out_of_range)" in html
        assert "Item 9: falscher Antworttyp (R9.wrong_type)" in html
        assert "ungültig beantwortet – nachfragen" in html


def test_rows_built_before_invalid_items_existed_still_assemble() -> None:
    old = ts("g", "phq9", "2026-11-10T09:00:00Z", "rg1", None, answered=False)  # no invalid_items column
    practice = assemble_practice_report(WEEK, [], [old], [], {})
    assert [
        (e.answer, r.invalid_items) for e, r in zip(practice.item9, practice.measurements.irregular, strict=True)
    ] == [(ITEM9_NOT_ANSWERED, ())]
