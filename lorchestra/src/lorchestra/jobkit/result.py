"""What a job returns to the runner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobResult:
    """What a job reports: counts for the audit trail, and whether it succeeded."""

    counts: Mapping[str, int] = field(default_factory=dict)
    ok: bool = True
    note: str | None = None  # PHI-free, e.g. "2 of 6 connections failed"
