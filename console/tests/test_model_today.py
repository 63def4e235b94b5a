"""The Today page's model, over rows this test writes."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from lorc_console.i18n import translator
from lorc_console.models.today import Today, inbox_lists, new_inquiries_since, open_flags, today
from lorc_console.pages import today as today_page
from lorc_console.pages.display import Display
from lorc_console.state import templates
from reporter.safety import ITEM9_NOT_ANSWERED, ITEM9_POSITIVE, SafetyFlag

NOW = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # a Wednesday


def conversation(key: str, *, awaiting: bool, first_in: str | None, last_in: str | None) -> dict[str, Any]:
    return {
        "conversation_key": key,
        "counterpart_name": f"Name {key}",
        "counterpart_email": f"{key}@example.org",
        "subject": f"Subject {key}",
        "status": "awaiting reply" if awaiting else "in conversation",
        "first_inbound_at": first_in,
        "last_inbound_at": last_in,
        "awaiting_reply": awaiting,
    }


def flag(key: str, answer: str, client: str | None, at: str) -> SafetyFlag:
    return SafetyFlag(key, answer, client, f"resp-{key}", at, total=14, severity="moderate")  # type: ignore[arg-type]


def page_of(
    rows: list[dict[str, Any]],
    flags: Sequence[SafetyFlag] = (),
    followed_up: Collection[str] = (),
    clients: dict[str, dict[str, str]] | None = None,
    limit: int = 50,
    flag_limit: int | None = None,
) -> Today:
    """The page as lorc_console.pages.today builds it: the lists of the day, then the clock."""
    lists = inbox_lists(rows, new_inquiries_since(NOW), limit)
    return today(lists, open_flags(flags, followed_up, clients or {}), NOW, flag_limit)


def test_awaiting_reply_oldest_first_with_age_at_now() -> None:
    rows = [
        conversation("a", awaiting=True, first_in="2026-11-17T09:00:00Z", last_in="2026-11-17T09:00:00Z"),
        conversation("b", awaiting=False, first_in="2026-11-10T09:00:00Z", last_in="2026-11-10T09:00:00Z"),
        conversation("c", awaiting=True, first_in="2026-11-15T09:00:00Z", last_in="2026-11-16T09:30:00Z"),
    ]
    page = page_of(rows)
    assert [(w.conversation_key, w.age_minutes) for w in page.awaiting] == [("c", 2 * 24 * 60), ("a", 24 * 60 + 30)]


def test_new_inquiries_since_the_start_of_yesterday_utc() -> None:
    assert new_inquiries_since(NOW) == datetime(2026, 11, 17, tzinfo=UTC)
    rows = [
        conversation("old", awaiting=False, first_in="2026-11-16T23:59:59Z", last_in=None),
        conversation("yesterday", awaiting=False, first_in="2026-11-17T00:00:00Z", last_in=None),
        conversation("today", awaiting=True, first_in="2026-11-18T08:00:00+01:00", last_in=None),
        conversation("none", awaiting=False, first_in=None, last_in=None),
    ]
    page = page_of(rows)
    assert [n.conversation_key for n in page.new_inquiries] == ["today", "yesterday"]


def test_open_flags_leave_out_the_followed_up_positive_first_then_oldest() -> None:
    flags = [
        flag("k1", ITEM9_NOT_ANSWERED, "c-1", "2026-11-10T08:00:00Z"),
        flag("k2", ITEM9_POSITIVE, "c-2", "2026-11-16T08:00:00Z"),
        flag("k3", ITEM9_POSITIVE, None, "2026-11-12T08:00:00Z"),
        flag("k4", ITEM9_POSITIVE, "c-1", "2026-11-11T08:00:00Z"),
    ]
    clients = {"c-1": {"name": "Anna Beispiel"}, "c-2": {"name": ""}}
    page = page_of([], flags, {"k4"}, clients)
    assert [(f.flag_key, f.client_name) for f in page.flags] == [("k3", None), ("k2", None), ("k1", "Anna Beispiel")]
    assert page.flags[0].total == 14 and page.flags[0].measured_at == datetime(2026, 11, 12, 8, tzinfo=UTC)


def test_the_lists_are_cut_at_their_limits_and_counted() -> None:
    rows = [
        conversation(
            f"w{i:02d}",
            awaiting=True,
            first_in="2026-11-18T01:00:00Z",
            last_in=f"2026-11-{10 + i % 8:02d}T08:{i:02d}:00Z",
        )
        for i in range(30)
    ]
    flags = [flag(f"k{i}", ITEM9_NOT_ANSWERED, None, "2026-11-10T08:00:00Z") for i in range(30)]
    page = page_of(rows, flags, limit=5)
    assert (page.awaiting_total, len(page.awaiting), page.new_total, len(page.new_inquiries)) == (30, 5, 30, 5)
    oldest = sorted(rows, key=lambda r: (r["last_inbound_at"], r["conversation_key"]))[:5]
    assert [w.conversation_key for w in page.awaiting] == [r["conversation_key"] for r in oldest]
    assert (len(page.flags), page.flags_total) == (30, 30)
    cut = page_of(rows, flags, flag_limit=7)
    assert (len(cut.flags), cut.flags_total) == (7, 30) and cut.flags == page.flags[:7]


def test_an_unlinked_flag_names_the_respondents_email_so_someone_can_act_on_it() -> None:
    linked = SafetyFlag("k1", ITEM9_POSITIVE, "c-1", "resp-1", "2026-11-10T08:00:00Z", respondent_email="a@example.org")  # type: ignore[arg-type]
    unlinked = SafetyFlag(
        "k2", ITEM9_POSITIVE, None, "resp-2", "2026-11-11T08:00:00Z", respondent_email="b@example.org"
    )  # type: ignore[arg-type]
    page = page_of([], [linked, unlinked], clients={"c-1": {"name": "Anna Beispiel"}})
    assert [(f.flag_key, f.client_name, f.respondent_email) for f in page.flags] == [
        ("k1", "Anna Beispiel", None),  # a linked flag names the client, as the report's safety list does
        ("k2", None, "b@example.org"),
    ]
    html = (
        templates()
        .get_template("today.html.j2")
        .render(
            t=translator("en", today_page.TEXTS),
            page="today",
            title="Today",
            nav=[],
            locale="en",
            csrf_token="csrf",
            stale=False,
            as_of=None,
            day=page,
            last_run=None,
            clinicians=["Dr. Weber"],
            pending=frozenset(),
            notice=None,
            show=Display("en"),
        )
    )
    row = re.search(r'data-flag-key="k2">(.*?)</tr>', html, re.S)
    assert row and "linked to no contact" in row.group(1) and "b@example.org" in row.group(1)
    assert "a@example.org" not in html
