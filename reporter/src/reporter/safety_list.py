"""The item-9 safety list as the reports show it: one entry per carried flag, named; and
the follow-ups of flags earlier reports carried, recorded since the last report."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from reporter.clients import UNLINKED, Clients, client_name
from reporter.safety import CarriedFlag, SafetyFlag
from reporter.weeks import parse_timestamp
from shared_schemas.types import Item9State


@dataclass(frozen=True)
class FollowUp:
    """A clinician's note that a flag was followed up (``safety_followups``)."""

    by: str
    at: str  # ISO timestamp: when the clinician followed the flag up
    recorded_at: str  # ISO timestamp: when the warehouse recorded it


@dataclass(frozen=True)
class Item9Entry:
    """A PHQ-9 response whose item 9 needs a clinician: positive, unanswered or answered invalidly."""

    client_id: str | None  # None: the respondent is linked to no client (see respondent_email)
    client_name: str
    measured_at: str
    response_id: str
    answer: Item9State  # one of ITEM9_FOLLOW_UP
    total: int | None
    severity: str | None
    late: bool = False  # from an earlier week that no delivered report carried
    flag_week: str | None = None
    respondent_email: str | None = None
    followed_up: FollowUp | None = None


def safety_list(
    carried: Iterable[CarriedFlag], clients: Clients, followups: Mapping[str, FollowUp] | None = None
) -> tuple[Item9Entry, ...]:
    """The practice report's safety list, in the order the flags come (positive first);
    ``followups`` by flag key."""
    done = followups or {}
    return tuple(
        Item9Entry(
            client_id=c.flag.client_id,
            client_name=client_name(clients, c.flag.client_id) if c.flag.client_id else UNLINKED,
            measured_at=c.flag.measured_at,
            response_id=c.flag.response_id,
            answer=c.flag.answer,
            total=c.flag.total,
            severity=c.flag.severity,
            late=c.late,
            flag_week=c.flag_week,
            respondent_email=None if c.flag.client_id else c.flag.respondent_email,
            followed_up=done.get(c.flag.flag_key),
        )
        for c in carried
    )


def followed_up_since(
    flags: Iterable[SafetyFlag],
    followups: Mapping[str, FollowUp],
    reported: Collection[str],
    *,
    after: datetime | None,
    until: datetime,
) -> list[SafetyFlag]:
    """The flags an earlier report carried (keys in ``reported``) whose follow-up was recorded
    after ``after`` (when the last weekly report was prepared; None: none was) and up to
    ``until`` (when this one is prepared), in the order they were followed up. The windows
    of consecutive reports meet, so each such follow-up reaches one report; a flag not
    carried yet shows its follow-up beside it in the report that carries it."""
    shown = []
    for flag in flags:
        done = followups.get(flag.flag_key)
        if done is None or flag.flag_key not in reported:
            continue
        recorded = parse_timestamp(done.recorded_at, "recorded_at")
        if (after is None or recorded > after) and recorded <= until:
            shown.append(flag)
    return sorted(shown, key=lambda f: (parse_timestamp(followups[f.flag_key].at), f.flag_key))


@dataclass(frozen=True)
class SafetyAlert:
    """An immediate notice of new positive item-9 answers (opt-in: reports.safety_alerts)."""

    created_at: str
    entries: tuple[Item9Entry, ...]


def assemble_safety_alert(flags: Iterable[SafetyFlag], clients: Clients, created_at: str) -> SafetyAlert:
    return SafetyAlert(created_at=created_at, entries=safety_list((CarriedFlag(f, late=False) for f in flags), clients))
