"""Recent job runs, read back from ``event_log``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lorchestra.stack_clients import Store

_JOB_EVENTS = ("job.started", "job.completed", "job.failed")


@dataclass
class JobRun:
    run_id: str
    job: str
    started: datetime | None = None
    ended: datetime | None = None
    status: str = "running"
    duration_ms: int | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "job": self.job,
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "status": self.status, "duration_ms": self.duration_ms,
            "counts": self.counts, "error": self.error,
        }


def recent_runs(store: Store, limit: int = 20) -> list[JobRun]:
    """The last ``limit`` job runs, newest first; a run with no end event is 'running' (or was killed)."""
    rows = store.query(
        f"""SELECT event_type, correlation_id, trace_id, created_at, error_message, payload
            FROM {store.table('event_log')}
            WHERE event_type IN {_JOB_EVENTS!r}
            ORDER BY created_at DESC LIMIT {int(limit) * 2 + 2}"""
    )
    runs: dict[str, JobRun] = {}
    for row in reversed(rows):
        payload = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload)
        payload = payload or {}
        key = row["trace_id"] or f"{row['correlation_id']}:{payload.get('job')}"
        run = runs.setdefault(key, JobRun(run_id=row["correlation_id"], job=str(payload.get("job"))))
        if row["event_type"] == "job.started":
            run.started = row["created_at"]
        else:
            run.ended = row["created_at"]
            run.status = "ok" if row["event_type"] == "job.completed" else "failed"
            run.duration_ms = payload.get("duration_ms")
            run.counts = payload.get("counts") or {}
            run.error = row["error_message"]
    ordered = sorted(runs.values(), key=lambda r: r.started or r.ended or datetime.min, reverse=True)
    return [r for r in ordered if r.started is not None][:limit]
