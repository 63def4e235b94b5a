"""The sales pipeline of a practice report: new inquiries, conversations awaiting a
reply, and how fast the practice answered (from ``inbox_view`` rows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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
class SalesPipeline:
    new_inquiries: tuple[Conversation, ...]  # first inbound message in the week, oldest first
    awaiting_reply: tuple[AwaitingReply, ...]  # longest waiting first
    median_first_response_minutes: float | None  # over new inquiries with a first response
    median_first_response_text: str
    responded: int  # new inquiries with a first response (the median's n)
    became_clients: int  # new inquiries whose counterpart is a known client
    status_counts: tuple[tuple[str, int], ...]  # of the new inquiries, STATUS_ORDER first


def sales_pipeline(inbox_rows: Iterable[Row], start: datetime, end: datetime) -> SalesPipeline:
    rows = list(inbox_rows)
    new = sorted(
        (r for r in rows if r.get("first_inbound_at") and start <= _ts(r, "first_inbound_at") < end),
        key=lambda r: (_ts(r, "first_inbound_at"), str(r["conversation_key"])),
    )
    responses = [r["first_response_minutes"] for r in new if r.get("first_response_minutes") is not None]
    middle = median(responses) if responses else None
    counts = Counter(str(r["status"]) for r in new)
    awaiting = []
    for r in rows:
        if not r.get("awaiting_reply"):
            continue
        last_inbound = _ts(r, "last_inbound_at") if r.get("last_inbound_at") else None
        if last_inbound is not None and last_inbound >= end:
            continue
        age = int((end - last_inbound).total_seconds() // 60) if last_inbound else None
        awaiting.append(
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
        )
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
        median_first_response_minutes=middle,
        median_first_response_text=human_duration(middle),
        responded=len(responses),
        became_clients=sum(1 for r in new if r.get("is_known_client") is True),
        status_counts=tuple(
            [(s, counts.get(s, 0)) for s in STATUS_ORDER]
            + sorted((s, n) for s, n in counts.items() if s not in STATUS_ORDER)
        ),
    )
