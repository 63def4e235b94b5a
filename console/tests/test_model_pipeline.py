"""The Sales pipeline page's model: filters, paging and the week's figures from snapshot rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lorc_console.models.pipeline import (
    FIGURES,
    FilterError,
    Filters,
    InboxPage,
    figures_week,
    inbox_page,
    mailboxes_of,
    matching,
    parse_filters,
    week_figures,
)


def conversation(
    i: int, *, status: str = "new inquiry", mailbox: str = "praxis", first_in: str | None = None
) -> dict[str, Any]:
    return {
        "conversation_key": f"conv-{i:04d}",
        "status": status,
        "mailboxes": [mailbox],
        "first_inbound_at": first_in or f"2026-11-{10 + i % 5:02d}T08:00:00Z",
        "last_message_at": datetime(2026, 11, 1, tzinfo=UTC).replace(minute=i % 60, hour=i // 60 % 24),
        "awaiting_reply": status == "awaiting reply",
    }


def test_filters_parse_and_name_the_bad_parameter() -> None:
    boxes = {"praxis", "anfragen"}
    assert parse_filters({}, boxes) == Filters()
    assert parse_filters({"status": "awaiting reply", "mailbox": "praxis", "week": "2026-W46", "page": "3"}, boxes) == (
        Filters("awaiting reply", "praxis", "2026-W46", 3)
    )
    assert parse_filters({"status": "", "mailbox": ""}, boxes) == Filters()
    for query, parameter in [
        ({"status": "lost"}, "status"),
        ({"mailbox": "elsewhere"}, "mailbox"),
        ({"week": "2026-46"}, "week"),
        ({"week": "2026-W54"}, "week"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"sort": "name"}, "sort"),
    ]:
        with pytest.raises(FilterError) as caught:
            parse_filters(query, boxes)
        assert caught.value.parameter == parameter
        assert str(caught.value).startswith(f"{parameter}: ")


def page_of(rows: list[dict[str, Any]], filters: Filters, per_page: int = 100) -> InboxPage:
    """As lorc_console.pages.pipeline builds it: the matching rows, then one page of them."""
    found = matching(rows, status=filters.status, mailbox=filters.mailbox, week=filters.week)
    return inbox_page(found, filters, mailboxes_of(rows), per_page)


def test_inbox_page_filters_and_pages_newest_activity_first() -> None:
    rows = [conversation(i, status="awaiting reply" if i % 3 == 0 else "new inquiry") for i in range(250)]
    rows += [conversation(900, mailbox="anfragen", first_in="2026-11-20T08:00:00Z")]
    first = page_of(rows, Filters(), per_page=100)
    assert (first.total, first.pages, len(first.rows)) == (251, 3, 100)
    assert first.mailboxes == ("anfragen", "praxis")
    ordered = sorted(rows, key=lambda r: (r["last_message_at"], r["conversation_key"]), reverse=True)
    assert [r.conversation_key for r in first.rows] == [r["conversation_key"] for r in ordered[:100]]
    last = page_of(rows, Filters(page=3), per_page=100)
    assert [r.conversation_key for r in last.rows] == [r["conversation_key"] for r in ordered[200:]]
    assert page_of(rows, Filters(page=4), per_page=100).rows == ()
    awaiting = page_of(rows, Filters(status="awaiting reply"), per_page=1000)
    assert {r.conversation_key for r in awaiting.rows} == {f"conv-{i:04d}" for i in range(0, 250, 3)}
    assert [r.conversation_key for r in page_of(rows, Filters(mailbox="anfragen")).rows] == ["conv-0900"]
    week47 = page_of(rows, Filters(week="2026-W47"))
    assert [r.conversation_key for r in week47.rows] == ["conv-0900"]
    assert page_of(rows, Filters(week="2026-W46")).total == 250


def test_the_week_figures_come_from_snapshot_rows_and_none_is_no_value() -> None:
    rows = [
        {"week": "2026-W46", "figure": "new_inquiries", "value": 7.0, "n": 7},
        {"week": "2026-W46", "figure": "median_first_response_minutes", "value": 95.5, "n": 4},
        {"week": "2026-W46", "figure": "became_clients", "value": 2.0, "n": 7},
        {"week": "2026-W45", "figure": "new_inquiries", "value": 3.0, "n": 3},
        {"week": "2026-W46", "figure": "item9_flags", "value": 1.0, "n": 1},
    ]
    shown = week_figures(rows, "2026-W46", weeks=3)
    assert [(f.name, f.value, f.n) for f in shown.figures] == [
        ("new_inquiries", 7.0, 7),
        ("median_first_response_minutes", 95.5, 4),
        ("became_clients", 2.0, 7),
        ("awaiting_reply_at_week_end", None, None),
    ]
    series = dict(shown.series)
    assert tuple(series) == FIGURES
    assert series["new_inquiries"] == (("2026-W44", None), ("2026-W45", 3.0), ("2026-W46", 7.0))
    assert week_figures(rows, "2027-W01", weeks=2).series[0][1] == (("2026-W53", None), ("2027-W01", None))


def test_the_figures_week_is_the_filtered_week_else_the_last_full_week() -> None:
    assert figures_week(Filters(week="2026-W40"), date(2026, 11, 18)) == "2026-W40"
    assert figures_week(Filters(), date(2026, 11, 18)) == "2026-W46"
