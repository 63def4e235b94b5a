"""The taps' ``start_date`` setting: an ISO date or date-time, UTC when it names no zone."""

from __future__ import annotations

from datetime import UTC, datetime


def start_moment(start_date: str) -> datetime:
    """``start_date`` as an aware UTC ``datetime``."""
    moment = datetime.fromisoformat(str(start_date).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
