"""Runs: pipeline and job runs from ``event_log``, rejects per job, records per source
per day, the fix message of each failure, and the live progress of a running pipeline.

The history is read through the reader (never waiting for a run); while a run holds the
warehouse and nothing was read before, it comes from the runner's activity record, as
``lorc status`` does. Live progress always comes from the run lock and activity record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lorc_console.i18n import translator
from lorc_console.state import render, state_of
from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.home import PhiHome
from lorchestra.runlock import LockHolder, lock_holder, lock_path
from lorchestra.stack_clients import EventRow, Store
from lorchestra.status import JobRun, activity_runs, mark_liveness, recent_runs, with_unwritten
from lorchestra.warehouse_reader import WarehouseBusy
from reporter import volume_chart_svg

HISTORY_JOBS = 200
CHART_DAYS = 14
INGEST_EVENTS = 5000


@dataclass(frozen=True)
class RejectSummary:
    job: str
    rule: str
    field: str
    count: int
    message: str  # one of the messages (they name rule and field, never a value)


@dataclass
class History:
    runs: list[JobRun]
    rejects: list[RejectSummary]
    ingests: list[tuple[str, datetime, int]]  # (connection, when, records)


@dataclass
class PipelineRun:
    run_id: str
    jobs: list[JobRun] = field(default_factory=list)

    @property
    def started(self) -> datetime | None:
        return min((j.started for j in self.jobs if j.started), default=None)

    @property
    def ended(self) -> datetime | None:
        ends = [j.ended for j in self.jobs]
        return None if not ends or None in ends else max(e for e in ends if e)

    @property
    def duration_ms(self) -> int | None:
        started, ended = self.started, self.ended
        return round((ended - started).total_seconds() * 1000) if started and ended else None

    @property
    def status(self) -> str:
        states = {j.status for j in self.jobs}
        for worst in ("running", "failed", "interrupted"):
            if worst in states:
                return worst
        return "ok"


def read_history(store: Store) -> History:
    rejects: Counter[tuple[str, str, str]] = Counter()
    messages: dict[tuple[str, str, str], str] = {}
    for row in store.read_table("rejects"):
        key = (str(row["job_name"]), str(row["rule"]), str(row["field"]))
        rejects[key] += 1
        messages.setdefault(key, str(row["message"]))
    summary = [RejectSummary(*key, count, messages[key]) for key, count in sorted(rejects.items())]
    ingests = ingest_counts(store.read_events(("ingest.completed",), limit=INGEST_EVENTS))
    return History(recent_runs(store, HISTORY_JOBS), summary, ingests)


def ingest_counts(events: Sequence[EventRow]) -> list[tuple[str, datetime, int]]:
    return [
        (str(e.connection_name or e.source_system or "?"), e.created_at, int(e.payload.get("inputs") or 0))
        for e in events
    ]


def pipeline_runs(runs: Sequence[JobRun]) -> list[PipelineRun]:
    """Job runs grouped by run id, newest run first."""
    grouped: dict[str, PipelineRun] = {}
    for run in runs:
        grouped.setdefault(run.run_id, PipelineRun(run.run_id)).jobs.append(run)
    for pipeline in grouped.values():
        pipeline.jobs.sort(key=lambda j: j.started or datetime.min.replace(tzinfo=UTC))
    return list(grouped.values())


def current_runs(home: PhiHome, read: Sequence[JobRun] | None, limit: int) -> tuple[list[JobRun], LockHolder | None]:
    """The job runs as they stand now, newest first, and the live run: ``read`` (from
    ``event_log``; None when a run held the warehouse before anything was read) with the
    jobs only the activity record knows (running, or killed mid-run), and a job with no
    end marked running only inside the run that holds the run lock (else interrupted).
    Copies: a cached read stays as it was read."""
    record = ActivityRecord(activity_path(home))
    runs = activity_runs(record, limit) if read is None else with_unwritten(list(read), record, limit)
    runs = [JobRun(**vars(r)) for r in runs]
    live = lock_holder(lock_path(home))
    mark_liveness(runs, live)
    return runs, live


def volume_chart(ingests: Sequence[tuple[str, datetime, int]], today: datetime, title: str) -> str:
    days = [(today - timedelta(days=CHART_DAYS - 1 - i)).date().isoformat() for i in range(CHART_DAYS)]
    per: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(days, 0))
    for connection, when, records in ingests:
        day = when.astimezone(UTC).date().isoformat()
        if day in days:
            per[connection][day] += records
    return volume_chart_svg(days, {c: [d[day] for day in days] for c, d in per.items()}, title=title)


def runs_page(request: Request) -> Response:
    state = state_of(request)
    stale, as_of = False, None
    read: list[JobRun] | None = None
    try:
        fresh = state.reader.read("runs", read_history)
        history, read = fresh.value, fresh.value.runs
        stale, as_of = fresh.stale, fresh.as_of
    except WarehouseBusy:
        history = History([], [], [])
        stale = True
    runs, live = current_runs(state.config.home, read, HISTORY_JOBS)
    t = translator(state.locale, TEXTS)
    return render(
        request,
        "runs.html.j2",
        page="runs",
        stale=stale,
        as_of=as_of,
        pipelines=pipeline_runs(runs),
        failures=[r for r in runs if r.status == "failed"],
        rejects=history.rejects,
        chart=Markup(volume_chart(history.ingests, datetime.now(UTC), t("chart.title"))),
        live=live,
    )


def live_json(request: Request) -> Response:
    """The running pipeline's progress (polled by console.js): which jobs ended, which runs."""
    home = state_of(request).config.home
    holder = lock_holder(lock_path(home))
    if holder is None:
        return JSONResponse({"running": False})
    jobs = [e for e in ActivityRecord(activity_path(home)).jobs() if e.get("run_id") == holder.run_id]
    current = next((e.get("job") for e in reversed(jobs) if e.get("ended") is None), None)
    return JSONResponse(
        {
            "running": True,
            "run_id": holder.run_id,
            "since": holder.since.isoformat() if holder.since else None,
            "current": current,
            "done": sum(1 for e in jobs if e.get("ended") is not None),
            "failed": sum(1 for e in jobs if e.get("status") == "failed"),
            "jobs": [_job_entry(e) for e in jobs],
        }
    )


def _job_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry.get(key) for key in ("job", "status", "duration_ms")}


ROUTES = [Route("/runs", runs_page), Route("/runs/live.json", live_json)]

TEXTS = {
    "de": {
        "live.title": "Läuft gerade",
        "live.idle": "Kein Lauf aktiv.",
        "live.run": "Lauf",
        "live.since": "seit",
        "live.current": "aktueller Job",
        "live.done": "beendete Jobs",
        "pipelines.title": "Letzte Läufe",
        "failures.title": "Fehler und was zu tun ist",
        "failures.none": "Keine fehlgeschlagenen Jobs in den letzten Läufen.",
        "rejects.title": "Abgewiesene Datensätze je Job",
        "rejects.none": "Keine abgewiesenen Datensätze.",
        "chart.title": "Datensätze je Quelle und Tag (letzte 14 Tage)",
        "col.run": "Lauf",
        "col.started": "Beginn",
        "col.duration": "Dauer",
        "col.status": "Status",
        "col.jobs": "Jobs",
        "col.job": "Job",
        "col.counts": "Zahlen",
        "col.fix": "Meldung",
        "col.rule": "Regel",
        "col.field": "Feld",
        "col.count": "Anzahl",
        "col.message": "Beispielmeldung",
        "status.ok": "ok",
        "status.failed": "fehlgeschlagen",
        "status.running": "läuft",
        "status.interrupted": "abgebrochen",
    },
    "en": {
        "live.title": "Running now",
        "live.idle": "No run active.",
        "live.run": "Run",
        "live.since": "since",
        "live.current": "current job",
        "live.done": "jobs ended",
        "pipelines.title": "Recent runs",
        "failures.title": "Failures and what to do",
        "failures.none": "No failed job in the recent runs.",
        "rejects.title": "Rejected records per job",
        "rejects.none": "No rejected records.",
        "chart.title": "Records per source per day (last 14 days)",
        "col.run": "Run",
        "col.started": "Started",
        "col.duration": "Duration",
        "col.status": "Status",
        "col.jobs": "Jobs",
        "col.job": "Job",
        "col.counts": "Counts",
        "col.fix": "Message",
        "col.rule": "Rule",
        "col.field": "Field",
        "col.count": "Count",
        "col.message": "Example message",
        "status.ok": "ok",
        "status.failed": "failed",
        "status.running": "running",
        "status.interrupted": "interrupted",
    },
}
