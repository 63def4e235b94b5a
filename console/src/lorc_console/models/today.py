"""The Today page: who waits for an answer, what came in since yesterday, which item-9 flags
are open (the last pipeline run comes from the Runs page's grouping).

The work over every row (:func:`inbox_lists`, :func:`open_flags`) depends on the rows and
the day only, so the page keeps it while the reader hands out the same rows; :func:`today`
adds the clock (the ages) to at most a page of rows."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lorc_console.models.rows import instant
from reporter.clients import Clients
from reporter.rows import Row
from reporter.safety import ITEM9_POSITIVE, SafetyFlag
from reporter.weeks import parse_timestamp

LIST_LIMIT = 50  # rows per inbox list on Today, as the weekly report cuts its lists
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Waiting:
    """A conversation awaiting the practice's reply; its age counts from the last inbound message."""

    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    last_inbound_at: datetime | None
    age_minutes: int | None


@dataclass(frozen=True)
class NewInquiry:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    first_inbound_at: datetime
    status: str


@dataclass(frozen=True)
class OpenFlag:
    """An item-9 flag no clinician has marked followed up."""

    flag_key: str
    answer: str  # one of reporter.safety.ITEM9_FOLLOW_UP
    client_id: str | None
    client_name: str | None  # None: linked to no contact, or the contact has no name
    respondent_email: str | None  # for a flag linked to no client only: whom to reach, as the report's safety list
    measured_at: datetime
    total: int | None
    severity: str | None


@dataclass(frozen=True)
class InboxLists:
    """What Today shows of ``inbox_view``, before the clock: the work over every row, done
    once per published view and day (see :func:`inbox_lists`)."""

    since: datetime
    awaiting: tuple[Row, ...]  # oldest last inbound first (unknown first), at most the limit
    awaiting_total: int
    new: tuple[Row, ...]  # newest first inbound first, at most the limit
    new_total: int


@dataclass(frozen=True)
class Today:
    now: datetime
    since: datetime  # new inquiries: first inbound at or after this instant
    awaiting: tuple[Waiting, ...]  # oldest first, at most LIST_LIMIT
    awaiting_total: int
    new_inquiries: tuple[NewInquiry, ...]  # newest first, at most LIST_LIMIT
    new_total: int
    flags: tuple[OpenFlag, ...]  # positive first, then oldest first; at most the flag limit
    flags_total: int  # every open flag: the page says how many there are, always


def new_inquiries_since(now: datetime) -> datetime:
    """The start of the previous UTC day: on a Monday morning this shows Sunday's and Monday's inquiries."""
    day = parse_timestamp(now).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def inbox_lists(inbox_rows: Iterable[Row], since: datetime, limit: int = LIST_LIMIT) -> InboxLists:
    """The conversations awaiting a reply and those first written since ``since``, each cut at
    ``limit`` (the Sales pipeline page has them all) and counted."""
    awaiting: list[Row] = []
    new: list[Row] = []
    for r in inbox_rows:
        if r.get("awaiting_reply"):
            awaiting.append(r)
        first = instant(r.get("first_inbound_at"))
        if first is not None and first >= since:
            new.append(r)
    return InboxLists(
        since=since,
        # an unknown last inbound comes first: nobody can tell how long it has waited
        awaiting=tuple(
            heapq.nsmallest(
                limit, awaiting, key=lambda r: (instant(r.get("last_inbound_at")) or _NEVER, str(r["conversation_key"]))
            )
        ),
        awaiting_total=len(awaiting),
        new=tuple(
            heapq.nlargest(limit, new, key=lambda r: (instant(r["first_inbound_at"]), str(r["conversation_key"])))
        ),
        new_total=len(new),
    )


def open_flags(flags: Iterable[SafetyFlag], followed_up: Collection[str], clients: Clients) -> tuple[OpenFlag, ...]:
    """The flags no clinician has marked followed up (``followed_up``: flag keys in
    safety_followups), positive first, then oldest first."""
    return tuple(
        sorted(
            (_open(f, clients) for f in flags if f.flag_key not in followed_up),
            key=lambda f: (f.answer != ITEM9_POSITIVE, f.measured_at, f.flag_key),
        )
    )


def today(lists: InboxLists, flags: tuple[OpenFlag, ...], now: datetime, flag_limit: int | None = None) -> Today:
    """The page at ``now`` (aware): the waiting conversations' ages; the first ``flag_limit`` open flags (None: all)."""
    now = parse_timestamp(now)
    return Today(
        now=now,
        since=lists.since,
        awaiting=tuple(_waiting(r, now) for r in lists.awaiting),
        awaiting_total=lists.awaiting_total,
        new_inquiries=tuple(_inquiry(r) for r in lists.new),
        new_total=lists.new_total,
        flags=flags[:flag_limit],
        flags_total=len(flags),
    )


def _waiting(r: Row, now: datetime) -> Waiting:
    last = instant(r.get("last_inbound_at"))
    return Waiting(
        conversation_key=str(r["conversation_key"]),
        counterpart_name=r.get("counterpart_name"),
        counterpart_email=r.get("counterpart_email"),
        subject=r.get("subject"),
        last_inbound_at=last,
        age_minutes=max(0, int((now - last).total_seconds() // 60)) if last else None,
    )


def _inquiry(r: Row) -> NewInquiry:
    return NewInquiry(
        conversation_key=str(r["conversation_key"]),
        counterpart_name=r.get("counterpart_name"),
        counterpart_email=r.get("counterpart_email"),
        subject=r.get("subject"),
        first_inbound_at=parse_timestamp(r["first_inbound_at"], "first_inbound_at"),
        status=str(r.get("status")),
    )


def _open(flag: SafetyFlag, clients: Clients) -> OpenFlag:
    entry = clients.get(flag.client_id) if flag.client_id else None
    return OpenFlag(
        flag_key=flag.flag_key,
        answer=flag.answer,
        client_id=flag.client_id,
        client_name=(entry.get("name") or None) if entry else None,
        respondent_email=None if flag.client_id else flag.respondent_email,
        measured_at=parse_timestamp(flag.measured_at, "measured_at"),
        total=flag.total,
        severity=flag.severity,
    )
