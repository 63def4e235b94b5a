"""ISO weeks (``YYYY-Www``) and the UTC instants a report week covers.

A report week runs from Monday 00:00 UTC (inclusive) to the next Monday 00:00 UTC
(exclusive). The warehouse stores UTC timestamps; for a practice in Germany this puts
anything between Sunday 23:00/22:00 UTC and midnight (Monday 00:00/01:00 local time)
into the earlier week. Dates shown in the reports are UTC dates for the same reason.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from reporter.exceptions import WeekError

WEEK_FORMAT = "YYYY-Www"
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def parse_week(week: str) -> tuple[int, int]:
    """``"2026-W46"`` -> ``(2026, 46)``; :class:`WeekError` (a ValueError) naming the
    expected format otherwise. The value shown is the caller's own argument, shortened."""
    match = _WEEK.fullmatch(week) if isinstance(week, str) else None
    if match is None:
        raise WeekError(f"week must be an ISO week in the format {WEEK_FORMAT} (e.g. 2026-W46), got {_shown(week)}")
    year, number = int(match.group(1)), int(match.group(2))
    if year < 1:
        raise WeekError(f"week {week} does not exist: the year must be 0001-9999 (format {WEEK_FORMAT})")
    if not 1 <= number <= _weeks_in(year):
        raise WeekError(
            f"week {week} does not exist: ISO year {year} has weeks W01-W{_weeks_in(year)} (format {WEEK_FORMAT})"
        )
    return year, number


def week_start(week: str) -> date:
    """Monday of the week."""
    return date.fromisocalendar(*parse_week(week), 1)


def week_end(week: str) -> date:
    """Sunday of the week (the last day in it)."""
    return date.fromisocalendar(*parse_week(week), 7)


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``[Monday 00:00 UTC, next Monday 00:00 UTC)``."""
    start = datetime.combine(week_start(week), datetime.min.time(), tzinfo=UTC)
    return start, start + timedelta(days=7)


def week_of(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def has_ended(week: str, now: datetime) -> bool:
    """Whether the week is over at ``now``: only then can its report be complete."""
    return week_bounds(week)[1] <= now


def last_full_week(today: date) -> str:
    """The latest week that ended before ``today`` (on a Sunday the current week is not yet full)."""
    return week_of(today - timedelta(days=today.isoweekday()))


def parse_timestamp(value: str | datetime, field: str = "timestamp") -> datetime:
    """An ISO-8601 timestamp (``Z`` or an offset; naive counts as UTC) as an aware UTC datetime.

    A datetime (as a BigQuery client returns it) is taken as is. The error names the
    field, never the value (it belongs to a record).
    """
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"{field} is not an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."
