"""The practice report's sales pipeline: the week's new inquiries, the median first
response and the conversations awaiting a reply.

The rows are the hand-made 2026-W46 data set of assemble_week46.py; every expected number
is counted by hand from them.
"""

from __future__ import annotations

from assemble_week46 import WEEK, conv
from reporter.assemble import sales_pipeline
from reporter.weeks import week_bounds


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
