"""``lorc bench pipeline``: every stage of the weekly pipeline on DuckDB, three passes.

A temporary PHI home on the sample profile gets deterministic synthetic data from the
sample taps' count mode: ``emails`` messages split evenly over the configured mailboxes,
``responses`` Forms responses from ``clients`` respondents, and one Dataverse contact
per respondent. The passes:

``first_run``
    everything new.
``no_new_data``
    the pipeline again; the sources deliver nothing new (``first`` = N, ``count`` = 0:
    what an incremental source answers when nothing happened).
``new_data``
    the sources deliver ``new_fraction`` more (``first`` = N, ``count`` = N/100).

Each stage runs as a job through the runner (lock, audit trail, one store), and its
figures are the job's own duration and the peak RSS while it ran. With
``skip_meltano`` each ``extract_*`` stage becomes ``ingest_*``: the same taps run
without Meltano before the stage (untimed) and the stage only loads their JSONL.
"""

from __future__ import annotations

import math
import os
import platform
import resource
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lorchestra.bench.memory import peak_mb, reset_peak
from lorchestra.bench.targets import StageFigure, TargetCheck, check_targets
from lorchestra.builtin_jobs.extract_clinical import (
    contacts_extractions,
    forms_extractions,
)
from lorchestra.builtin_jobs.extract_email import email_extractions
from lorchestra.extraction import Extraction, ingest_streams
from lorchestra.home import PhiHome, private_dir
from lorchestra.initialize import init_home
from lorchestra.jobkit import JobContext, JobResult
from lorchestra.jobs import JobRegistry, JobSpec
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import WriteCounts
from shared_schemas.errors import PhiSafeError

PASSES = ("first_run", "no_new_data", "new_data")
REPORT_WEEK = "2026-W46"  # the synthetic mail's week; the responses end in it too
SNAPSHOT_STAGE = "build_reporting_snapshots"
# (lane, its extract job, the jobs that consume it) in weekly-pipeline order
LANES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("contacts", "extract_contacts", ("canonicalize_contacts",)),
    ("email", "extract_email", ("canonicalize_email", "build_inbox_view")),
    (
        "forms",
        "extract_forms",
        # the last lane is followed by what is built from both (reporting_snapshots)
        ("canonicalize_questionnaires", "score_phq9", "score_gad7", "build_measurement_timeseries", SNAPSHOT_STAGE),
    ),
)
REPORT_STAGE = "generate_weekly_report"
# the count that says how many records a stage handled
RECORD_COUNTS = {
    "build_inbox_view": "emails",
    "build_measurement_timeseries": "measurements",
    SNAPSHOT_STAGE: "weeks",
    REPORT_STAGE: "client_reports",
}
LANE_EXTRACTIONS: dict[str, Callable[[JobContext], list[Extraction]]] = {
    "contacts": contacts_extractions,
    "email": email_extractions,
    "forms": forms_extractions,
}


@dataclass(frozen=True)
class PipelineBench:
    emails: int
    responses: int
    clients: int
    skip_meltano: bool
    new_fraction: float
    machine: Mapping[str, Any]
    rss_stage_scoped: bool
    largest_child_rss_mb: float  # the biggest worker or tap process of the whole run
    stages: list[StageFigure]
    targets: list[TargetCheck]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DataPlan:
    """What the sources deliver in each pass (``first``/``count`` per lane)."""

    emails_per_mailbox: int
    responses: int
    clients: int
    new_fraction: float

    def params(self, lane: str, pass_name: str) -> dict[str, int]:
        if lane == "contacts":
            return {"count": self.clients}  # a small full table, delivered again each time
        total = self.emails_per_mailbox if lane == "email" else self.responses
        extra = {"clients": self.clients} if lane == "forms" else {}
        if pass_name == "first_run":
            return {"first": 0, "count": total, **extra}
        new = math.ceil(total * self.new_fraction) if pass_name == "new_data" else 0
        return {"first": total, "count": new, **extra}


def bench_pipeline(
    emails: int,
    responses: int,
    *,
    clients: int = 100,
    skip_meltano: bool = False,
    new_fraction: float = 0.01,
    skip_report: bool = False,
    compare_with: Sequence[Mapping[str, Any]] = (),
    work_dir: Path | None = None,
    on_stage: Callable[[StageFigure], None] | None = None,
) -> PipelineBench:
    """``compare_with``: the stages of an earlier run (its ``--json`` output's ``stages``),
    whose first-run records/s this run is checked against."""
    with _bench_root(work_dir) as root:
        home, plan, runner = _prepared(root, emails, responses, clients, new_fraction, skip_meltano)
        figures: list[StageFigure] = []
        for pass_name in PASSES:
            figures += _run_pass(runner, plan, pass_name, skip_report=skip_report, on_stage=on_stage)
        mailboxes = _mailbox_count(home)
        return PipelineBench(
            emails=plan.emails_per_mailbox * mailboxes,
            responses=responses,
            clients=clients,
            skip_meltano=skip_meltano,
            new_fraction=new_fraction,
            machine=_machine(),
            rss_stage_scoped=runner.rss_stage_scoped,
            stages=figures,
            largest_child_rss_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            targets=check_targets(
                figures,
                new_fraction=new_fraction,
                emails=plan.emails_per_mailbox * mailboxes,
                earlier=compare_with,
            ),
        )


@contextmanager
def built_warehouse(
    emails: int,
    responses: int,
    *,
    clients: int = 100,
    skip_meltano: bool = True,
    work_dir: Path | None = None,
    on_stage: Callable[[StageFigure], None] | None = None,
) -> Iterator[PhiHome]:
    """A temporary PHI home whose warehouse holds the pipeline benchmark's first run (every
    lane, its projections published, the week's report), for benchmarks of what reads it
    (``lorc bench console``); removed when the block ends."""
    with _bench_root(work_dir) as root:
        home, plan, runner = _prepared(root, emails, responses, clients, 0.01, skip_meltano)
        _run_pass(runner, plan, "first_run", skip_report=False, on_stage=on_stage)
        yield home


@contextmanager
def _bench_root(work_dir: Path | None) -> Iterator[Path]:
    """A private scratch directory for one benchmark, removed with everything in it."""
    base = private_dir(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="lorc-bench-"))
    root = Path(tempfile.mkdtemp(prefix="pipeline-", dir=base))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if work_dir is None:
            shutil.rmtree(base, ignore_errors=True)


def _prepared(
    root: Path, emails: int, responses: int, clients: int, new_fraction: float, skip_meltano: bool
) -> tuple[PhiHome, DataPlan, _StageRunner]:
    home = PhiHome(root / "home")
    init_home(home)
    plan = DataPlan(max(1, emails // _mailbox_count(home)), responses, clients, new_fraction)
    return home, plan, _StageRunner(home, skip_meltano, root / "direct")


def _run_pass(
    runner: _StageRunner,
    plan: DataPlan,
    pass_name: str,
    *,
    skip_report: bool,
    on_stage: Callable[[StageFigure], None] | None,
) -> list[StageFigure]:
    """One pass of every lane, in weekly-pipeline order, then the week's report; each
    stage's figure handed to ``on_stage`` as it ends."""
    figures: list[StageFigure] = []

    def done(figure: StageFigure) -> None:
        figures.append(figure)
        if on_stage:
            on_stage(figure)

    for lane, extract_job, consumers in LANES:
        done(runner.extract(lane, extract_job, pass_name, plan.params(lane, pass_name)))
        for job in consumers:
            done(runner.run(job, pass_name, {}))
    if not skip_report:
        done(runner.run(REPORT_STAGE, pass_name, {"week": REPORT_WEEK}))
    return figures


class _StageRunner:
    """Runs one job at a time and measures it; with ``skip_meltano`` also the direct taps."""

    def __init__(self, home: PhiHome, skip_meltano: bool, direct_dir: Path) -> None:
        self.home = home
        self.skip_meltano = skip_meltano
        self.direct_dir = direct_dir
        self.rss_stage_scoped = True
        self.registry = JobRegistry.discover()
        self._delivered: dict[str, dict[str, Path]] = {}  # connection -> stream -> JSONL
        for lane in LANE_EXTRACTIONS:
            self._register(f"generate_{lane}", self._generate_job(lane))
            self._register(f"ingest_{lane}", self._ingest_job(lane))

    def extract(self, lane: str, extract_job: str, pass_name: str, params: Mapping[str, int]) -> StageFigure:
        if not self.skip_meltano:
            return self.run(extract_job, pass_name, params)
        self._run_checked(f"generate_{lane}", params)  # untimed: the taps write the JSONL
        return self.run(f"ingest_{lane}", pass_name, params)

    def run(self, job: str, pass_name: str, params: Mapping[str, Any]) -> StageFigure:
        self.rss_stage_scoped = reset_peak() and self.rss_stage_scoped
        outcome = self._run_checked(job, params)
        seconds = outcome.duration_ms / 1000
        records = int(outcome.counts.get(RECORD_COUNTS.get(job, "inputs"), 0))
        return StageFigure(
            pass_name=pass_name,
            stage=job,
            status=outcome.status,
            records=records,
            seconds=seconds,
            records_per_s=round(records / seconds) if seconds > 0 and records else None,
            peak_rss_mb=round(peak_mb()),
            counts=dict(outcome.counts),
        )

    def _run_checked(self, job: str, params: Mapping[str, Any]) -> Any:
        report = run_jobs([job], home=self.home, params=dict(params), registry=self.registry)
        outcome = report.outcomes[0]
        if outcome.status != "ok":
            raise BenchError(f"stage {job} failed: {outcome.error}")
        return outcome

    def _register(self, name: str, func: Callable[[JobContext], JobResult]) -> None:
        self.registry.jobs[name] = JobSpec(name, func, "lorchestra", f"lorchestra.bench.pipeline:{name}")

    def _generate_job(self, lane: str) -> Callable[[JobContext], JobResult]:
        def generate(ctx: JobContext) -> JobResult:
            from ingestor import tap_to_jsonl

            shutil.rmtree(self.direct_dir, ignore_errors=True)
            for extraction in LANE_EXTRACTIONS[lane](ctx):
                out = private_dir(self.direct_dir / extraction.connection)
                self._delivered[extraction.connection] = tap_to_jsonl(extraction.tap, extraction.settings, out)
            return JobResult()

        return generate

    def _ingest_job(self, lane: str) -> Callable[[JobContext], JobResult]:
        def ingest(ctx: JobContext) -> JobResult:
            totals = WriteCounts()
            for extraction in LANE_EXTRACTIONS[lane](ctx):
                totals.add(ingest_streams(ctx, extraction, self._delivered.get(extraction.connection, {})))
            return JobResult(counts=totals.as_dict())

        return ingest


class BenchError(PhiSafeError, RuntimeError):
    """A stage of the benchmark failed; the message names the stage."""


def _mailbox_count(home: PhiHome) -> int:
    from lorchestra.config import load_config

    return max(1, len(load_config(home).connections("email")))


def _machine() -> dict[str, Any]:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "duckdb": version("duckdb"),
    }
