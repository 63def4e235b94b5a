"""``lorc status``: the recent job runs and what runs now, also while a run holds the warehouse.

The history comes from ``event_log`` (and, for a job whose events are not written yet,
the runner's activity record); while the DuckDB warehouse is held (by a run, or by
another program) it comes from the activity record alone. The run lock
says whether a run is alive and which: a job with no end whose run is not the live one
was interrupted (killed, or its machine went down), it is not running.

Beside the runs it names what a user must follow up in the warehouse: the questionnaire
responses whose e-mail matches no contact (``unlinked_responses``, by response id only:
they are scored, but belong to no client's series).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.config import load_config
from lorchestra.exceptions import WarehouseLockedError
from lorchestra.home import PhiHome
from lorchestra.runlock import LockHolder, lock_holder, lock_path
from lorchestra.stack_clients import Store, open_store

_JOB_EVENTS = ("job.started", "job.completed", "job.failed")


@dataclass
class JobRun:
    run_id: str
    job: str
    started: datetime | None = None
    ended: datetime | None = None
    status: str = "running"  # ok | failed | running | interrupted
    duration_ms: int | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    pid: int | None = None  # of the process running it, while it runs

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "job": self.job,
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "counts": self.counts,
            "error": self.error,
            "pid": self.pid,
        }


@dataclass
class StatusReport:
    runs: list[JobRun]
    live: LockHolder | None  # the run holding the run lock
    source: str  # where the history comes from: "event_log" or the activity record's path
    warehouse_user: str | None = None  # who held the warehouse, when that is why event_log was not read
    unlinked_responses: list[str] | None = None  # None: the warehouse could not be read

    def as_dict(self) -> dict[str, Any]:
        return {"runs": [r.as_dict() for r in self.runs], "unlinked_responses": self.unlinked_responses}

    @property
    def current_job(self) -> JobRun | None:
        return next((r for r in self.runs if r.status == "running"), None)


def run_status(home: PhiHome, limit: int = 20, environ: Mapping[str, str] | None = None) -> StatusReport:
    """The last ``limit`` job runs, newest first, and the live run if there is one."""
    config = load_config(home, environ)
    lock = lock_path(home)
    record = activity_path(home)
    live = lock_holder(lock)
    unlinked: list[str] | None = None
    if config.backend == "duckdb" and live is not None:  # the run holds the file: never wait for it
        runs, source, user = activity_runs(ActivityRecord(record), limit), str(record), live.describe()
    else:
        try:
            store = open_store(config, read_only=config.backend == "duckdb")
        except WarehouseLockedError as exc:
            live = lock_holder(lock)
            runs, source = activity_runs(ActivityRecord(record), limit), str(record)
            user = live.describe() if live else exc.holder
        else:
            try:
                runs, source, user = (
                    with_unwritten(recent_runs(store, limit), ActivityRecord(record), limit),
                    "event_log",
                    None,
                )
                unlinked = unlinked_responses(store)
            finally:
                store.close()
            live = lock_holder(lock)  # after reading: a run that started meanwhile is alive
    mark_liveness(runs, live)
    return StatusReport(runs, live, source, user, unlinked)


def unlinked_responses(store: Store) -> list[str]:
    """The ids of the questionnaire responses linked to no contact, sorted (ids only: never an e-mail)."""
    return sorted(
        str(response.get("response_id"))
        for _, response in store.read_objects(
            "canonical_objects", "questionnaire_response", drop_fields=("instruments", "respondent_email")
        )
        if not response.get("client_id")
    )


def mark_liveness(runs: list[JobRun], live: LockHolder | None) -> None:
    """A job with no end is running only inside the live run; otherwise it was interrupted."""
    for run in runs:
        if run.status != "running":
            continue
        if live is not None and run.run_id == live.run_id:
            run.pid = live.pid
        else:
            run.status = "interrupted"


def recent_runs(store: Store, limit: int = 20) -> list[JobRun]:
    """The last ``limit`` job runs in ``event_log``, newest first; one with no end event is 'running'."""
    runs: dict[str, JobRun] = {}
    for event in reversed(store.read_events(_JOB_EVENTS, limit=int(limit) * 2 + 2)):
        payload = event.payload
        key = event.trace_id or f"{event.correlation_id}:{payload.get('job')}"
        run = runs.setdefault(key, JobRun(run_id=str(event.correlation_id), job=str(payload.get("job"))))
        if event.event_type == "job.started":
            run.started = event.created_at
        else:
            run.ended = event.created_at
            run.status = "ok" if event.event_type == "job.completed" else "failed"
            run.duration_ms = payload.get("duration_ms")
            run.counts = payload.get("counts") or {}
            run.error = event.error_message
    ordered = sorted(runs.values(), key=lambda r: r.started or r.ended or datetime.min, reverse=True)
    return [r for r in ordered if r.started is not None][:limit]


def with_unwritten(runs: list[JobRun], record: ActivityRecord, limit: int = 20) -> list[JobRun]:
    """``runs`` from ``event_log`` and the jobs the activity record has begun but not ended
    that are not among them: a job writes its events when it ends, so a running job (and
    one killed mid-run) is in the record alone. Newest first, at most ``limit``."""
    known = {(r.run_id, r.job) for r in runs}
    unended = [r for r in activity_runs(record, limit) if r.ended is None and (r.run_id, r.job) not in known]
    merged = sorted(runs + unended, key=lambda r: r.started or r.ended or datetime.min, reverse=True)
    return merged[:limit]


def activity_runs(record: ActivityRecord, limit: int = 20) -> list[JobRun]:
    """The last ``limit`` job runs in the activity record, newest first."""
    runs = []
    for entry in reversed(record.jobs()[-limit:]):
        runs.append(
            JobRun(
                run_id=str(entry.get("run_id")),
                job=str(entry.get("job")),
                started=_when(entry.get("started")),
                ended=_when(entry.get("ended")),
                status=str(entry.get("status") or "running"),
                duration_ms=entry.get("duration_ms"),
                counts=dict(entry.get("counts") or {}),
                error=entry.get("error"),
            )
        )
    return runs


def _when(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
