"""Run jobs in order under one run id, with an audit trail in ``event_log``.

Each job gets a fresh :class:`JobContext`. ``job.started`` and ``job.completed`` /
``job.failed`` events carry parameters, durations and counts, never record contents.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.config import Config, load_config
from lorchestra.errors_safe import safe_error
from lorchestra.exceptions import LorcError
from lorchestra.followups import apply_pending_followups
from lorchestra.home import PhiHome
from lorchestra.jobkit import JobContext, JobResult
from lorchestra.jobs import JobRegistry, JobSpec
from lorchestra.logging_setup import job_logger
from lorchestra.progress import NoProgress, Progress
from lorchestra.runlock import lock_path, run_lock
from lorchestra.stack_clients import EventClient, Store, open_store
from lorchestra.stack_clients.backup import Backup
from lorchestra.stack_clients.clock import new_id, utcnow
from lorchestra.stack_clients.replay import replay
from lorchestra.stack_clients.spill import sweep_stale_scratch
from lorchestra.umask import private_umask

log = logging.getLogger("lorchestra.runner")


@dataclass
class JobOutcome:
    name: str
    package: str
    status: str  # ok | failed | skipped | planned
    duration_ms: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunReport:
    run_id: str
    outcomes: list[JobOutcome]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(o.status in ("ok", "planned") for o in self.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "jobs": [o.__dict__ for o in self.outcomes],
        }


def run_pipeline(
    name: str,
    *,
    home: PhiHome,
    dry_run: bool = False,
    params: Mapping[str, Any] | None = None,
    wait_seconds: float = 0.0,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """The pipeline's jobs in order under one run id; ``stop_on_failure`` from config."""
    home.require_private()
    jobs, stop_on_failure = load_config(home, environ).pipeline(name)
    return run_jobs(
        jobs,
        home=home,
        dry_run=dry_run,
        keep_going=not stop_on_failure,
        params=params,
        wait_seconds=wait_seconds,
        environ=environ,
        progress=progress,
    )


def run_jobs(
    names: Sequence[str],
    *,
    home: PhiHome,
    dry_run: bool = False,
    keep_going: bool = False,
    params: Mapping[str, Any] | None = None,
    registry: JobRegistry | None = None,
    environ: Mapping[str, str] | None = None,
    wait_seconds: float = 0.0,
    progress: Progress | None = None,
) -> RunReport:
    """Resolve every name first (an unknown one runs nothing), then run in order.

    A failed job stops the jobs after it unless ``keep_going``: later jobs usually
    consume what earlier ones write. Whatever the caller's umask, everything the run
    creates (also through DuckDB, Meltano and worker processes) is private.
    """
    home.require_private()
    config = load_config(home, environ)
    if (params or {}).get("connection"):
        config.require_connection(str((params or {})["connection"]))
    registry = registry or JobRegistry.discover()
    for warning in registry.warnings:
        log.warning(warning)
    specs = [registry.get(name) for name in names]
    run_id = new_id()
    if dry_run:
        store = open_store(config, read_only=config.duckdb_path.exists())
        store.close()
        return RunReport(run_id, [JobOutcome(s.name, s.package, "planned") for s in specs], dry_run=True)

    deadline = time.monotonic() + wait_seconds
    with private_umask(), run_lock(lock_path(home), run_id=run_id, wait_seconds=wait_seconds) as lock_fd:
        return _run_locked(
            specs,
            config=config,
            run_id=run_id,
            keep_going=keep_going,
            params=params or {},
            progress=progress or NoProgress(),
            deadline=deadline,
            lock_fd=lock_fd,
        )


def _run_locked(
    specs: list[JobSpec],
    *,
    config: Config,
    run_id: str,
    keep_going: bool,
    params: Mapping[str, Any],
    progress: Progress,
    deadline: float,
    lock_fd: int,
) -> RunReport:
    """Under the run lock: the warehouse is waited for until ``deadline`` (another program
    may hold it: a notebook, a second tool), then the jobs run in order."""
    swept = sweep_stale_scratch(config.home.tmp_dir)  # what a killed run left behind
    if swept:
        log.info("removed %d scratch file(s) left by a run that did not finish", swept)
    store = open_store(config, wait_seconds=max(0.0, deadline - time.monotonic()))
    activity = ActivityRecord(activity_path(config.home))
    try:
        store.ensure_schema()
        _apply_followups(store, config, run_id)
        outcomes: list[JobOutcome] = []
        failed = False
        for spec in specs:
            if failed and not keep_going:
                outcomes.append(JobOutcome(spec.name, spec.package, "skipped"))
                continue
            activity.job_started(run_id, spec.name, utcnow())
            outcome = _run_one(
                spec, store=store, config=config, run_id=run_id, params=params, progress=progress, held_fds=(lock_fd,)
            )
            activity.job_ended(
                run_id,
                spec.name,
                at=utcnow(),
                status=outcome.status,
                duration_ms=outcome.duration_ms,
                counts=outcome.counts,
                error=outcome.error,
            )
            outcomes.append(outcome)
            failed = failed or outcome.status == "failed"
        return RunReport(run_id, outcomes)
    finally:
        progress.finish()
        store.close()


def _apply_followups(store: Store, config: Config, run_id: str) -> None:
    """The follow-ups marked while the warehouse was held (see :mod:`lorchestra.followups`).
    A journal that cannot be applied stays for the next run and never stops this one: the
    jobs after it send the safety alerts."""
    try:
        applied = apply_pending_followups(
            store, event_client(store, config, run_id=run_id, job_name="followups"), config.home
        )
    except Exception as exc:  # noqa: BLE001 - whatever it is, the journal stays and the run goes on
        log.warning("the pending follow-ups were not applied (kept for the next run): %s", safe_error(exc))
        return
    if applied:
        log.info("applied %d follow-up(s) marked while the warehouse was held", applied)


def event_client(
    store: Store, config: Config, *, run_id: str, job_name: str, progress: Progress | None = None
) -> EventClient:
    backup = Backup(config.home.root / "backup", run_id) if config.section("backup").get("enabled") else None
    return EventClient(
        store,
        run_id=run_id,
        job_name=job_name,
        tmp_dir=config.home.tmp_dir,
        batch_rows=config.batch_rows,
        trace_id=new_id(),
        backup=backup,
        progress=progress,
    )


def replay_files(paths: Sequence[Path], *, home: PhiHome, wait_seconds: float = 0.0) -> RunReport:
    """Re-emit backup files into the store (idempotent), audited like any job run."""
    home.require_private()
    config = load_config(home)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise LorcError(f"no backup file at {', '.join(missing)}")

    def replay_job(ctx: JobContext) -> JobResult:
        counts = replay(list(paths), ctx.events)
        rejected = counts.raw.rejected + counts.canonical.rejected + counts.unreadable_lines
        if rejected:
            ctx.logger.warning("%d backup record(s) were not restored: see rejects (job replay)", rejected)
        return JobResult(counts=counts.as_dict())

    spec = JobSpec("replay", replay_job, "lorchestra", "lorchestra.runner:replay_files")
    run_id = new_id()
    deadline = time.monotonic() + wait_seconds
    with private_umask(), run_lock(lock_path(home), run_id=run_id, wait_seconds=wait_seconds) as lock_fd:
        return _run_locked(
            [spec],
            config=config,
            run_id=run_id,
            keep_going=False,
            params={"files": len(paths)},
            progress=NoProgress(),
            deadline=deadline,
            lock_fd=lock_fd,
        )


def _run_one(
    spec: JobSpec,
    *,
    store: Store,
    config: Config,
    run_id: str,
    params: Mapping[str, Any],
    progress: Progress | None = None,
    held_fds: tuple[int, ...] = (),
) -> JobOutcome:
    events = event_client(store, config, run_id=run_id, job_name=spec.name, progress=progress)
    logger = job_logger(spec.name)
    ctx = JobContext(
        store=store,
        events=events,
        config=config,
        run_id=run_id,
        job_name=spec.name,
        logger=logger,
        params=params,
        held_fds=held_fds,
    )
    result, error, duration_ms = JobResult(ok=False), None, 0
    try:
        with events.held_audit():  # the job run's events are written together when it ends
            events.audit("job.started", payload={"package": spec.package, "params": dict(params)})
            logger.info("started (run %s)", run_id)
            started = time.perf_counter()
            try:
                result = spec.func(ctx) or JobResult()
                error = None if result.ok else (result.note or "the job reported failure")
            except Exception as exc:
                result = JobResult(ok=False)
                error = safe_error(exc)
                logger.exception("failed: %s", error)
            duration_ms = int((time.perf_counter() - started) * 1000)
            events.audit(
                "job.completed" if error is None else "job.failed",
                status="ok" if error is None else "failed",
                error_message=error,
                payload={"duration_ms": duration_ms, "counts": dict(result.counts), "note": result.note},
            )
    except Exception as exc:  # the events could not be written: the job's run is not on record
        unwritten = f"its audit events were not written ({safe_error(exc)}); run it again"
        error = f"{error}; {unwritten}" if error else unwritten
        logger.error("failed: %s", error)
    status = "ok" if error is None else "failed"
    logger.info("%s in %d ms %s", status, duration_ms, dict(result.counts))
    return JobOutcome(spec.name, spec.package, status, duration_ms, dict(result.counts), error)
