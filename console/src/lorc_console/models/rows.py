"""Timestamps of view rows: the published views give aware datetimes, BigQuery or a test
may give ISO strings; pages over 100,000 rows take the first as they are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporter.weeks import parse_timestamp


def instant(value: Any) -> datetime | None:
    """An aware UTC-comparable datetime, or None for no value."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    return parse_timestamp(value) if value else None
