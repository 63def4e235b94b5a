"""The runner's activity record: what ran lately and what runs now, readable at any time.

``event_log`` is the audit trail, but it lives in the warehouse, which a running ``lorc``
holds for itself (DuckDB admits no reader from another process). So the run-lock holder
also keeps ``$LORC_HOME/activity.json`` (0600): one entry per job — run id, job, start,
end, status, duration, counts and the job's PHI-free error line, the same facts as its
``job.*`` events — newest last, the last :data:`KEEP_JOBS`. It is replaced whole with
one rename at each job's start and end, so a reader never sees half of it. It is a
convenience for readers: a write that fails (a full disk) is logged, never fatal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from lorchestra.errors_safe import disk_full, safe_error
from lorchestra.home import PhiHome, write_atomically

KEEP_JOBS = 200
log = logging.getLogger("lorchestra.runner")


def activity_path(home: PhiHome) -> Path:
    return home.root / "activity.json"


class ActivityRecord:
    """Written by the run-lock holder only; read by anyone."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def job_started(self, run_id: str, job: str, at: datetime) -> None:
        jobs = self.jobs()
        jobs.append(
            {
                "run_id": run_id,
                "job": job,
                "started": at.isoformat(),
                "ended": None,
                "status": "running",
                "duration_ms": None,
                "counts": {},
                "error": None,
            }
        )
        self._write(jobs[-KEEP_JOBS:])

    def job_ended(
        self,
        run_id: str,
        job: str,
        *,
        at: datetime,
        status: str,
        duration_ms: int,
        counts: Mapping[str, int],
        error: str | None,
    ) -> None:
        jobs = self.jobs()
        for entry in reversed(jobs):
            if entry["run_id"] == run_id and entry["job"] == job and entry["ended"] is None:
                entry.update(
                    ended=at.isoformat(), status=status, duration_ms=duration_ms, counts=dict(counts), error=error
                )
                break
        self._write(jobs)

    def jobs(self) -> list[dict[str, Any]]:
        """Every entry, oldest first; none when the record is missing or unreadable."""
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        entries = found.get("jobs") if isinstance(found, dict) else None
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []

    def _write(self, jobs: list[dict[str, Any]]) -> None:
        try:
            write_atomically(self.path, json.dumps({"jobs": jobs}, default=str).encode("utf-8"))
        except OSError as exc:
            full = disk_full(exc, where=self.path.parent)  # a failed write names no file
            log.warning(
                "cannot update %s (%s); lorc status shows less until it can",
                self.path.name,
                full if full is not None else safe_error(exc),
            )
