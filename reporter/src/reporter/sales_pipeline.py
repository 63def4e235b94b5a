"""The sales pipeline of a practice report: new inquiries, conversations awaiting a
reply, and how fast the practice answered (from ``inbox_view`` rows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median

from reporter.formatting import human_duration
from reporter.rows import Row
from reporter.rows import timestamp as _ts
from shared_schemas.types import InboxStatus

STATUS_ORDER: tuple[InboxStatus, ...] = (
    "new inquiry",
    "awaiting reply",
    "in conversation",
    "client",
)  # "internal": no inbound
ALWAYS = datetime.min.replace(tzinfo=UTC)  # awaiting a reply with no inbound time known


@dataclass(frozen=True)
class Conversation:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    status: str
    first_inbound_at: str
    is_known_client: bool
    awaiting_reply: bool
    first_response_minutes: int | None
    first_response_text: str


@dataclass(frozen=True)
class AwaitingReply:
    conversation_key: str
    counterpart_name: str | None
    counterpart_email: str | None
    subject: str | None
    status: str
    last_inbound_at: str | None
    age_minutes: int | None  # at the week's end
    age_text: str


@dataclass(frozen=True)
class PipelineFigures:
    """The sales pipeline's figures of a week (what ``reporting_snapshots`` keeps of it)."""

    new_inquiries: int
    median_first_response_minutes: float | None  # over new inquiries with a first response
    responded: int  # new inquiries with a first response (the median's n)
    became_clients: int  # new inquiries whose counterpart is a known client
    awaiting_reply: int  # at the week's end


@dataclass(frozen=True)
class SalesPipeline:
    new_inquiries: tuple[Conversation, ...]  # first inbound message in the week, oldest first
    awaiting_reply: tuple[AwaitingReply, ...]  # longest waiting first
    median_first_response_minutes: float | None  # over new inquiries with a first response
    median_first_response_text: str
    responded: int  # new inquiries with a first response (the median's n)
    became_clients: int  # new inquiries whose counterpart is a known client
    status_counts: tuple[tuple[str, int], ...]  # of the new inquiries, STATUS_ORDER first

    @property
    def figures(self) -> PipelineFigures:
        return PipelineFigures(
            new_inquiries=len(self.new_inquiries),
            median_first_response_minutes=self.median_first_response_minutes,
            responded=self.responded,
            became_clients=self.became_clients,
            awaiting_reply=len(self.awaiting_reply),
        )


def new_inquiries(rows: Iterable[Row], start: datetime, end: datetime) -> list[Row]:
    """Conversations whose first inbound message is in ``[start, end)``, oldest first."""
    return sorted(
        (r for r in rows if r.get("first_inbound_at") and start <= _ts(r, "first_inbound_at") < end),
        key=lambda r: (_ts(r, "first_inbound_at"), str(r["conversation_key"])),
    )


def awaiting_since(row: Row) -> datetime | None:
    """Since when a conversation counts as awaiting a reply at a week's end: it awaits one
    now, and counts in every week that ends after its last inbound message (``ALWAYS``: no
    inbound time known); None: it awaits none."""
    if not row.get("awaiting_reply"):
        return None
    return _ts(row, "last_inbound_at") if row.get("last_inbound_at") else ALWAYS


def awaiting_at(rows: Iterable[Row], end: datetime) -> list[tuple[Row, int | None]]:
    """Conversations that count as awaiting a reply at ``end``, each with its age at ``end``
    in minutes (None: no inbound time known)."""
    found = []
    for r in rows:
        since = awaiting_since(r)
        if since is None or since >= end:
            continue
        found.append((r, int((end - since).total_seconds() // 60) if since is not ALWAYS else None))
    return found


def pipeline_figures(new: list[Row], awaiting: int) -> PipelineFigures:
    """The figures of a week's ``new_inquiries`` and the number ``awaiting_at`` its end."""
    responses = [r["first_response_minutes"] for r in new if r.get("first_response_minutes") is not None]
    return PipelineFigures(
        new_inquiries=len(new),
        median_first_response_minutes=median(responses) if responses else None,
        responded=len(responses),
        became_clients=sum(1 for r in new if r.get("is_known_client") is True),
        awaiting_reply=awaiting,
    )


def sales_pipeline(inbox_rows: Iterable[Row], start: datetime, end: datetime) -> SalesPipeline:
    rows = list(inbox_rows)
    new = new_inquiries(rows, start, end)
    counts = Counter(str(r["status"]) for r in new)
    waiting = awaiting_at(rows, end)
    figures = pipeline_figures(new, len(waiting))
    awaiting = [
        AwaitingReply(
            conversation_key=str(r["conversation_key"]),
            counterpart_name=r.get("counterpart_name"),
            counterpart_email=r.get("counterpart_email"),
            subject=r.get("subject"),
            status=str(r["status"]),
            last_inbound_at=r.get("last_inbound_at"),
            age_minutes=age,
            age_text=human_duration(age) if age is not None else "unbekannt",
        )
        for r, age in waiting
    ]
    awaiting.sort(key=lambda a: (-(a.age_minutes if a.age_minutes is not None else 10**9), a.conversation_key))
    return SalesPipeline(
        new_inquiries=tuple(
            Conversation(
                conversation_key=str(r["conversation_key"]),
                counterpart_name=r.get("counterpart_name"),
                counterpart_email=r.get("counterpart_email"),
                subject=r.get("subject"),
                status=str(r["status"]),
                first_inbound_at=str(r["first_inbound_at"]),
                is_known_client=bool(r.get("is_known_client")),
                awaiting_reply=bool(r.get("awaiting_reply")),
                first_response_minutes=r.get("first_response_minutes"),
                first_response_text=human_duration(r.get("first_response_minutes")),
            )
            for r in new
        ),
        awaiting_reply=tuple(awaiting),
        median_first_response_minutes=figures.median_first_response_minutes,
        median_first_response_text=human_duration(figures.median_first_response_minutes),
        responded=figures.responded,
        became_clients=figures.became_clients,
        status_counts=tuple(
            [(s, counts.get(s, 0)) for s in STATUS_ORDER]
            + sorted((s, n) for s, n in counts.items() if s not in STATUS_ORDER)
        ),
    )
