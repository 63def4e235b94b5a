"""Item 9 in the assembled reports: the practice's safety list, answers to follow up,
and invalid items shown by number and rule.

The rows are the hand-made 2026-W46 data set of assemble_week46.py; every expected number
is counted by hand from them.
"""

from __future__ import annotations

from assemble_week46 import WEEK, ts
from reporter import assemble_client_reports, assemble_practice_report
from reporter.assemble import InvalidItem
from reporter.safety import ITEM9_ANSWERED_INVALID, ITEM9_NOT_ANSWERED, ITEM9_POSITIVE


def test_item9_safety_list_is_complete_positive_first_then_unanswered(report) -> None:  # type: ignore[no-untyped-def]
    got = [(e.client_name, e.measured_at, e.answer, e.total) for e in report.item9]
    assert got == [
        ("(kein Kontakt zu e)", "2026-11-09T00:00:00Z", ITEM9_POSITIVE, 21),
        ("Ada", "2026-11-10T09:00:00Z", ITEM9_POSITIVE, 8),
        ("Ben", "2026-11-14T10:00:00Z", ITEM9_POSITIVE, None),  # invalid total, flag still counts (R4)
        ("Ben", "2026-11-12T10:00:00Z", ITEM9_NOT_ANSWERED, 16),
    ]
    assert ITEM9_NOT_ANSWERED == "not answered, follow up"


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
