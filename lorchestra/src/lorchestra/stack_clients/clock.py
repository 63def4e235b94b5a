"""Time and ids for events (UTC, timezone-aware; ids sortable by creation time)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A 32-hex-digit id whose first 12 digits are the creation time in ms (sortable)."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"
