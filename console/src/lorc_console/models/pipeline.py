"""The Sales pipeline page: ``inbox_view`` filtered by status, mailbox and week, one page of
it at a time, and the week's figures with their week-over-week course from
``reporting_snapshots`` (the rows the weekly report reads, so page and report agree)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lorc_console.models.rows import instant
from reporter.render import STATUS_DE
from reporter.rows import Row
from reporter.weeks import last_full_week, parse_week, week_bounds, week_of, week_start

PER_PAGE = 100
CHART_WEEKS = 12
STATUSES: tuple[str, ...] = tuple(STATUS_DE)  # every inbox_view status (the report names each)
FIGURES = ("new_inquiries", "median_first_response_minutes", "became_clients", "awaiting_reply_at_week_end")
_PARAMETERS = ("status", "mailbox", "week", "page")
_NEVER = datetime.min.replace(tzinfo=UTC)


class FilterError(ValueError):
    """A query parameter the page cannot use; names the parameter and what it accepts."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    mailbox: str | None = None
    week: str | None = None  # conversations whose first inbound message is in the week
    page: int = 1

    def query(self, **change: Any) -> dict[str, str]:
        """The query parameters of these filters with ``change`` applied (for links)."""
        values = {"status": self.status, "mailbox": self.mailbox, "week": self.week, "page": self.page, **change}
        return {k: str(v) for k, v in values.items() if v is not None and not (k == "page" and v == 1)}


@dataclass(frozen=True)
class InboxRow:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    mailboxes: tuple[str, ...]
    status: str
    message_count: int | None
    first_inbound_at: datetime | None
    last_message_at: datetime | None
    awaiting_reply: bool
    first_response_minutes: int | None


@dataclass(frozen=True)
class InboxPage:
    filters: Filters
    rows: tuple[InboxRow, ...]  # this page's, newest activity first
    total: int  # rows matching the filters
    pages: int
    mailboxes: tuple[str, ...]  # every mailbox in the view, for the filter's choices


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: no value (e.g. no response to take a median of)
    n: int | None


@dataclass(frozen=True)
class WeekFigures:
    week: str
    figures: tuple[Figure, ...]  # FIGURES, in that order
    series: tuple[tuple[str, tuple[tuple[str, float | None], ...]], ...]  # per figure: the weeks up to ``week``


def mailboxes_of(rows: Iterable[Row]) -> tuple[str, ...]:
    return tuple(sorted({str(m) for r in rows for m in (r.get("mailboxes") or ())}))


def parse_filters(query: Mapping[str, str], mailboxes: Collection[str]) -> Filters:
    """Filters from GET parameters; :class:`FilterError` for an unknown parameter or value."""
    unknown = sorted(set(query) - set(_PARAMETERS))
    if unknown:
        raise FilterError(unknown[0], f"is not a filter of this page (filters: {', '.join(_PARAMETERS)})")
    status = query.get("status") or None
    if status is not None and status not in STATUSES:
        raise FilterError("status", f"must be one of {', '.join(STATUSES)}")
    mailbox = query.get("mailbox") or None
    if mailbox is not None and mailbox not in mailboxes:
        raise FilterError("mailbox", "is no mailbox of the inbox view (choose one from the list)")
    week = query.get("week") or None
    if week is not None:
        try:
            parse_week(week)
        except ValueError:
            raise FilterError("week", "must be an ISO week like 2026-W46") from None
    page_text = query.get("page") or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise FilterError("page", "must be a whole number from 1")
    return Filters(status, mailbox, week, int(page_text))


def matching(
    rows: Iterable[Row], *, status: str | None = None, mailbox: str | None = None, week: str | None = None
) -> tuple[Row, ...]:
    """The conversations matching the filters, newest activity first (the page keeps this
    while the view is the same: see ``lorc_console.memo``)."""
    bounds = week_bounds(week) if week else None
    found = [
        r
        for r in rows
        if (status is None or r.get("status") == status)
        and (mailbox is None or mailbox in (r.get("mailboxes") or ()))
        and (bounds is None or bounds[0] <= (instant(r.get("first_inbound_at")) or _NEVER) < bounds[1])
    ]
    found.sort(key=lambda r: (instant(r.get("last_message_at")) or _NEVER, str(r["conversation_key"])), reverse=True)
    return tuple(found)


def inbox_page(
    found: Sequence[Row], filters: Filters, mailboxes: tuple[str, ...], per_page: int = PER_PAGE
) -> InboxPage:
    """One page of ``found`` (:func:`matching` under ``filters``); a page past the end is empty."""
    start = (filters.page - 1) * per_page
    return InboxPage(
        filters=filters,
        rows=tuple(_row(r) for r in found[start : start + per_page]),
        total=len(found),
        pages=max(1, -(-len(found) // per_page)),
        mailboxes=mailboxes,
    )


def figures_week(filters: Filters, today: date) -> str:
    """The week whose figures the page shows: the filtered week, else the last full week (as the report)."""
    return filters.week or last_full_week(today)


def week_figures(snapshot_rows: Iterable[Row], week: str, weeks: int = CHART_WEEKS) -> WeekFigures:
    """``reporting_snapshots`` rows (week, figure, value, n) as the week's figures and their last ``weeks`` weeks."""
    table: dict[tuple[str, str], Row] = {(str(r["week"]), str(r["figure"])): r for r in snapshot_rows}
    first = week_start(week)
    shown = [week_of(date.fromordinal(first.toordinal() - 7 * i)) for i in reversed(range(weeks))]
    return WeekFigures(
        week=week,
        figures=tuple(_figure(name, table.get((week, name))) for name in FIGURES),
        series=tuple((name, tuple((w, _figure(name, table.get((w, name))).value) for w in shown)) for name in FIGURES),
    )


def _figure(name: str, row: Row | None) -> Figure:
    if row is None:
        return Figure(name, None, None)
    value, n = row.get("value"), row.get("n")
    return Figure(name, None if value is None else float(value), None if n is None else int(n))


def _row(r: Row) -> InboxRow:
    return InboxRow(
        conversation_key=str(r["conversation_key"]),
        counterpart_name=r.get("counterpart_name"),
        counterpart_email=r.get("counterpart_email"),
        subject=r.get("subject"),
        mailboxes=tuple(str(m) for m in (r.get("mailboxes") or ())),
        status=str(r.get("status")),
        message_count=r.get("message_count"),
        first_inbound_at=instant(r.get("first_inbound_at")),
        last_message_at=instant(r.get("last_message_at")),
        awaiting_reply=bool(r.get("awaiting_reply")),
        first_response_minutes=r.get("first_response_minutes"),
    )
