"""The Today page: who waits for an answer, what came in since yesterday, which item-9 flags
are open (the last pipeline run comes from the Runs page's grouping)."""

from __future__ import annotations

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
    measured_at: datetime
    total: int | None
    severity: str | None


@dataclass(frozen=True)
class Today:
    now: datetime
    since: datetime  # new inquiries: first inbound at or after this instant
    awaiting: tuple[Waiting, ...]  # oldest first, at most LIST_LIMIT
    awaiting_total: int
    new_inquiries: tuple[NewInquiry, ...]  # newest first, at most LIST_LIMIT
    new_total: int
    flags: tuple[OpenFlag, ...]  # positive first, then oldest first; never cut


def new_inquiries_since(now: datetime) -> datetime:
    """The start of the previous UTC day: on a Monday morning this shows Sunday's and Monday's inquiries."""
    day = parse_timestamp(now).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=parse_timestamp(now).tzinfo)


def today(
    inbox_rows: Iterable[Row],
    flags: Iterable[SafetyFlag],
    followed_up: Collection[str],
    clients: Clients,
    now: datetime,
    list_limit: int = LIST_LIMIT,
) -> Today:
    """The page's content at ``now`` (aware, UTC); ``followed_up``: flag keys in safety_followups.
    The inbox lists are cut at ``list_limit`` (the Sales pipeline page has them all); the flags never."""
    now = parse_timestamp(now)
    since = new_inquiries_since(now)
    rows = list(inbox_rows)
    # an unknown last inbound sorts first: nobody can tell how long it has waited
    awaiting = sorted(
        (
            (instant(r.get("last_inbound_at")) or _NEVER, str(r["conversation_key"]), r)
            for r in rows
            if r.get("awaiting_reply")
        ),
        key=lambda e: e[:2],
    )
    new = sorted(
        (
            (at, str(r["conversation_key"]), r)
            for r in rows
            if (at := instant(r.get("first_inbound_at"))) and at >= since
        ),
        key=lambda e: e[:2],
        reverse=True,
    )
    return Today(
        now=now,
        since=since,
        awaiting=tuple(_waiting(r, now) for _, _, r in awaiting[:list_limit]),
        awaiting_total=len(awaiting),
        new_inquiries=tuple(_inquiry(r) for _, _, r in new[:list_limit]),
        new_total=len(new),
        flags=tuple(
            sorted(
                (_open(f, clients) for f in flags if f.flag_key not in followed_up),
                key=lambda f: (f.answer != ITEM9_POSITIVE, f.measured_at, f.flag_key),
            )
        ),
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
        measured_at=parse_timestamp(flag.measured_at, "measured_at"),
        total=flag.total,
        severity=flag.severity,
    )
