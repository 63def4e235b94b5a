"""Staging tables: where a batch waits between its load job and the statement that applies it.

They hold full payloads, so each one expires within a day even when the process dies
before dropping it: it is created with an expiration time and then loaded with
WRITE_EMPTY (a WRITE_TRUNCATE load may replace a table's metadata, its expiration with
it). Dropping one never retries and times out within seconds: an outage must not hold a
run for minutes over a table that expires anyway. A run's start sweeps leftovers created
more than a few hours ago; a concurrent run's fresh stages survive.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

STAGE_PREFIX = "_stage_"
STAGE_LIFETIME = timedelta(days=1)
SWEEP_AFTER = timedelta(hours=3)  # longer than any one batch's stage lives
DROP_TIMEOUT = 10.0  # seconds for one delete request, never retried


def stage_name() -> str:
    return f"{STAGE_PREFIX}{uuid.uuid4().hex}"


def stage_expiry(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) + STAGE_LIFETIME


def is_leftover(name: str, expires: datetime | None, now: datetime) -> bool:
    """A stage nobody uses any more: made by an earlier version (no expiry), or more than
    ``SWEEP_AFTER`` ago (its expiry tells when it was made)."""
    if not name.startswith(STAGE_PREFIX):
        return False
    return expires is None or expires - STAGE_LIFETIME < now - SWEEP_AFTER
