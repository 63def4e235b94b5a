"""The item-9 safety list of a weekly report: which flags it carries.

Every flag (a positive item 9, or an item 9 without a valid answer) must reach exactly
one delivered report. A report for week W carries every flag measured before W ended
that no earlier report carried; those measured before W began (a late extraction, a
response edited after its week was reported) are marked late. Pure: the flags and the
keys already reported come in, the carried flags go out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from reporter.instruments import raises_safety_flags
from reporter.invalid_items import invalid_items
from reporter.weeks import parse_timestamp, week_bounds, week_of
from shared_schemas.types import Item9State

ITEM9_POSITIVE: Final[Item9State] = "positive"
ITEM9_NOT_ANSWERED: Final[Item9State] = "not answered, follow up"
ITEM9_ANSWERED_INVALID: Final[Item9State] = "answered invalidly, follow up"
ITEM9_NEGATIVE: Final[Item9State] = "negative"
ITEM9_FOLLOW_UP: tuple[Item9State, ...] = (
    ITEM9_POSITIVE,
    ITEM9_NOT_ANSWERED,
    ITEM9_ANSWERED_INVALID,
)  # the safety list
_ANSWER_OF_FLAG: dict[str, Item9State] = {  # by SafetyFlagName
    "item9_positive": ITEM9_POSITIVE,
    "item9_unanswered": ITEM9_NOT_ANSWERED,
    "item9_invalid": ITEM9_ANSWERED_INVALID,
}


@dataclass(frozen=True)
class SafetyFlag:
    """One flag of one response, as the scorer recorded it (``safety_flag`` objects)."""

    flag_key: str
    answer: Item9State  # one of ITEM9_FOLLOW_UP
    client_id: str | None
    response_id: str
    measured_at: str
    respondent_email: str | None = None
    total: int | None = None
    severity: str | None = None


@dataclass(frozen=True)
class CarriedFlag:
    """A flag as one report carries it; ``late`` when it belongs to an earlier week."""

    flag: SafetyFlag
    late: bool

    @property
    def flag_week(self) -> str:
        return week_of(parse_timestamp(self.flag.measured_at).date())


def flag_from_object(flag_key: str, payload: Mapping[str, Any]) -> SafetyFlag:
    """A ``safety_flag`` object (``iglu:org.canonical/safety_flag``) as a SafetyFlag."""
    return SafetyFlag(
        flag_key=flag_key,
        answer=_ANSWER_OF_FLAG.get(str(payload.get("flag")), ITEM9_NOT_ANSWERED),
        client_id=payload.get("client_id"),
        response_id=str(payload.get("response_id")),
        measured_at=str(payload.get("measured_at")),
        respondent_email=payload.get("respondent_email"),
        total=payload.get("total"),
        severity=payload.get("severity"),
    )


def flags_from_timeseries(rows: Iterable[Mapping[str, Any]]) -> list[SafetyFlag]:
    """The flags of ``measurement_timeseries`` rows, for a report assembled without the
    warehouse's flag objects (a notebook, the examples): PHQ-9 rows whose item 9 is
    positive, or not known to be answered."""
    flags = []
    for row in rows:
        answer = item9_answer(row)
        if answer not in ITEM9_FOLLOW_UP:
            continue
        flags.append(
            SafetyFlag(
                flag_key=f"{row['response_id']}:{answer}",
                answer=answer,
                client_id=row.get("client_id"),
                response_id=str(row["response_id"]),
                measured_at=str(row["measured_at"]),
                total=row.get("total"),
                severity=row.get("severity"),
            )
        )
    return flags


def item9_answer(row: Mapping[str, Any]) -> Item9State | None:
    """Positive wins; a row of an instrument with an item-9 flag rule (the PHQ-9) whose item 9
    is not known to be validly answered needs a follow-up."""
    if row.get("item9_positive") is True:
        return ITEM9_POSITIVE
    answered = row.get("item9_answered")
    if answered is not True and any(i.item == 9 for i in invalid_items(row)):
        return ITEM9_ANSWERED_INVALID
    if answered is False or (answered is None and raises_safety_flags(str(row.get("instrument")))):
        return ITEM9_NOT_ANSWERED
    if answered is True:
        return ITEM9_NEGATIVE
    return None


def carried_flags(week: str, flags: Iterable[SafetyFlag], reported: Collection[str]) -> list[CarriedFlag]:
    """The flags the report of ``week`` carries: not in ``reported`` (keys carried by
    earlier reports) and measured before the week ended; positive first, then oldest first."""
    start, end = week_bounds(week)
    carried = []
    for flag in flags:
        at = parse_timestamp(flag.measured_at, "measured_at")
        if flag.flag_key in reported or at >= end:
            continue
        carried.append(CarriedFlag(flag, late=at < start))
    return sorted(
        carried,
        key=lambda c: (
            c.flag.answer != ITEM9_POSITIVE,
            parse_timestamp(c.flag.measured_at),
            c.flag.response_id,
            c.flag.flag_key,
        ),
    )
