"""The one way extract_* jobs work: per connection, `meltano run` into the PHI home,
then each stream's JSONL into ``raw_objects``.

A bookmark never moves past data the warehouse does not hold:

- Meltano saves a connection's state only when ``target-jsonl`` exits, i.e. after the
  JSONL is complete. lorc ingests that JSONL before the next extraction of the connection
  starts: a directory a killed or failed run left behind (``extract/<run>/<tap>-<name>/``)
  is ingested first (the ingest is idempotent) and only then removed.
- A backfill runs in chunks of ``max_messages_per_run`` records, each ingested before the
  next `meltano run` starts, so a kill costs at most one chunk's fetching.
- Meltano runs under ``ingestor.guard`` with the run lock held: it dies with lorc.

Connections run concurrently, at most ``extraction.max_parallel_connections`` `meltano
run`s at once (:mod:`lorchestra.bounded_tasks`), each with its own environment (other
connections' secrets withheld), output directory, Meltano system directory and bookmarks.
The ingest of what a run wrote happens in the job's own thread, the store's one writer,
as each run ends. Connections of a later ``phase`` start once every connection of the
earlier phases is done (a form's response sheet is read before the form).

One failing or hanging connection does not stop the others. A connection whose share of rejected
records is above ``extraction.max_reject_rate`` fails, naming the rules. Streams a
connection does not emit in a run still leave an ``ingest.completed`` event with zero
counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from pathlib import Path

from lorchestra.bounded_tasks import Task, run_tasks
from lorchestra.connections import DEFAULT_TIMEOUT_SECONDS, max_parallel_connections, max_reject_rate
from lorchestra.errors_safe import safe_error
from lorchestra.faults import checkpoint
from lorchestra.home import private_dir
from lorchestra.jobkit import JobContext, JobResult
from lorchestra.stack_clients import ObjectSpec, Source, WriteCounts
from shared_schemas.errors import PhiSafeError


@dataclass(frozen=True)
class StreamSpec:
    stream: str
    object_type: str
    id_field: str
    schema_ref: str | None = None


@dataclass(frozen=True)
class Extraction:
    connection: str
    system: str
    tap: str
    settings: Mapping[str, object]  # tap settings beyond the Meltano project's; may hold secrets: never logged
    streams: tuple[StreamSpec, ...]
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    chunk_records: int = 0  # the tap stops after this many; a run that emitted fewer is the last
    sign_in: str | None = None  # the command that renews refused credentials
    unusable: str | None = None  # why the connection cannot run (secrets missing): it fails with this
    withhold: tuple[str, ...] = ()  # inherited variables the tap must not see (other connections' secrets)
    phase: int = 0  # starts once every connection of a lower phase is done

    @property
    def env(self) -> dict[str, str]:
        """The settings under Meltano's environment names (``TAP_X_SETTING``); lists and
        objects as JSON, which is how Meltano reads them from the environment."""
        prefix = self.tap.upper().replace("-", "_")
        return {f"{prefix}_{key.upper()}": _env_value(value) for key, value in self.settings.items()}

    @property
    def label(self) -> str:
        """The name of this connection's output directory in a run (see ``ingestor.extract``)."""
        return f"{self.tap}-{self.connection}"


SAMPLE_PARAMS = ("count", "first", "clients", "revision")


def sample_settings(ctx: JobContext, settings: Mapping[str, object]) -> dict[str, object]:
    """A sample tap's settings plus the synthetic-data ones given as ``--param``."""
    return {**settings, **{key: ctx.params[key] for key in SAMPLE_PARAMS if key in ctx.params}}


def run_extractions(ctx: JobContext, extractions: list[Extraction]) -> JobResult:
    """Extract and ingest each connection (only ``connection`` when that param is given);
    ``full_refresh`` ignores the bookmarks and re-reads from each connection's start."""
    full_refresh = str(ctx.params.get("full_refresh", "")).lower() in {"1", "true", "yes"}
    if only := ctx.params.get("connection"):
        extractions = [e for e in extractions if e.connection == only]
    limit = max_reject_rate(ctx.config)
    totals = WriteCounts()
    failed: list[str] = []
    cancel = threading.Event()

    def outcome(extraction: Extraction, result: WriteCounts | Exception) -> None:
        if isinstance(result, WriteCounts):
            totals.add(result)
            return
        if isinstance(result, RejectRateError):
            totals.add(result.counts)
        failed.append(extraction.connection)
        error = _explain(result, extraction)
        ctx.events.audit(
            "ingest.failed",
            status="failed",
            error_message=error,
            source=Source(extraction.system, extraction.connection),
            payload={"tap": extraction.tap},
        )
        ctx.logger.error("connection %s failed: %s", extraction.connection, error)

    ordered = sorted(extractions, key=lambda e: e.phase)
    phases = [
        [(e, partial(connection_task, ctx, e, full_refresh, limit, cancel)) for e in group]
        for _phase, group in groupby(ordered, key=lambda e: e.phase)
    ]
    try:
        run_tasks(phases, max_parallel_connections(ctx.config), outcome, cancel)
    finally:
        for run_dir in (ctx.home.root / "extract").glob(f"{ctx.run_id}*"):
            if run_dir.name == ctx.run_id or run_dir.name.startswith(f"{ctx.run_id}."):
                _remove_if_empty(run_dir)
    note = f"{len(failed)} of {len(extractions)} connections failed" if failed else None
    return JobResult(
        counts={**totals.as_dict(), "connections": len(extractions), "connections_failed": len(failed)},
        ok=not failed,
        note=note,
    )


def connection_task(
    ctx: JobContext, extraction: Extraction, full_refresh: bool, max_reject_rate: float, cancel: threading.Event
) -> Task[WriteCounts]:
    """What earlier runs left, then chunk after chunk until the tap has nothing more; then
    the connection fails if its share of rejects is over ``max_reject_rate``. Each
    `meltano run` is a step of the task (run in a worker thread); all else runs in the
    job's thread."""
    from ingestor import extract_to_jsonl

    if extraction.unusable:
        raise ConnectionSetupError(extraction.unusable)
    counts = WriteCounts()
    kept: list[Path] = []
    for leftover in leftover_extractions(ctx, extraction):
        ctx.logger.info(
            "connection %s: ingesting what run %s extracted but did not ingest",
            extraction.connection,
            leftover.parent.name,
        )
        for path in leftover.glob("*.jsonl"):
            _drop_unfinished_line(path)
        counts.add(_ingest_directory(ctx, extraction, leftover, kept))
        _remove_if_empty(leftover.parent)  # a run that has ended: nothing writes there any more
    chunk = 0
    while True:
        run_name = ctx.run_id if chunk == 0 else f"{ctx.run_id}.{chunk}"
        yield partial(
            extract_to_jsonl,
            extraction.tap,
            run_name,
            work_dir=ctx.home.root,
            env=extraction.env,
            state_id_suffix=extraction.connection,
            full_refresh=full_refresh and chunk == 0,
            timeout=extraction.timeout_seconds,
            hold_fds=ctx.held_fds,
            exclusive=bool(ctx.held_fds),
            withhold=extraction.withhold,
            cancel=cancel,
        )
        checkpoint("extract.before_ingest", extraction.connection)
        chunk_counts = _ingest_directory(ctx, extraction, ctx.home.root / "extract" / run_name / extraction.label, kept)
        counts.add(chunk_counts)
        if not extraction.chunk_records or chunk_counts.inputs < extraction.chunk_records:
            break
        chunk += 1
        ctx.logger.info(
            "connection %s: chunk %d done (%d records), continuing", extraction.connection, chunk, chunk_counts.inputs
        )
    if counts.inputs and counts.rejected / counts.inputs > max_reject_rate:
        rules = ", ".join(f"{rule} ({n})" for rule, n in _reject_rules(ctx, extraction.connection))
        raise RejectRateError(
            f"{counts.rejected} of {counts.inputs} records rejected ({counts.rejected / counts.inputs:.1%}), "
            f"above extraction.max_reject_rate {max_reject_rate:.1%}; rules: {rules or 'see rejects'}. "
            f"The extracted records are kept in {', '.join(str(k) for k in kept)}; fix the cause (a tap or a "
            f"payload change), then `lorc run {ctx.job_name} --full-refresh --connection {extraction.connection}`",
            counts,
        )
    return counts


def leftover_extractions(ctx: JobContext, extraction: Extraction) -> list[Path]:
    """Output directories of this connection that earlier runs did not ingest, oldest first."""
    found = [
        directory
        for run_dir in (ctx.home.root / "extract").glob("*")
        if run_dir.name != ctx.run_id
        and not run_dir.name.startswith(f"{ctx.run_id}.")
        and (directory := run_dir / extraction.label).is_dir()
    ]
    return sorted(found, key=lambda d: d.stat().st_mtime)


def ingest_streams(ctx: JobContext, extraction: Extraction, paths: Mapping[str, Path]) -> WriteCounts:
    """Each stream's JSONL into ``raw_objects``; a stream without a file counts zero."""
    source = Source(extraction.system, extraction.connection)
    totals = WriteCounts()
    for stream in extraction.streams:
        spec = ObjectSpec(source, stream.object_type, id_field=stream.id_field, schema_ref=stream.schema_ref)
        if stream.stream in paths:
            counts = ctx.events.emit_jsonl("ingest.completed", paths[stream.stream], spec=spec)
        else:
            counts = WriteCounts()
            ctx.events.audit(
                "ingest.completed", payload=counts.as_dict(), source=source, object_type=stream.object_type
            )
        totals.add(counts)
        ctx.logger.info("connection %s stream %s: %s", extraction.connection, stream.stream, counts.as_dict())
    return totals


def _ingest_directory(ctx: JobContext, extraction: Extraction, directory: Path, kept: list[Path]) -> WriteCounts:
    """Ingest one extraction's directory, then remove it, unless it held rejected records:
    Meltano's bookmark is already past them, so the directory moves to ``quarantine/``
    (appended to ``kept``) and a rejected record's payload is never lost."""
    paths = {path.stem: path for path in sorted(directory.glob("*.jsonl"))}
    counts = ingest_streams(ctx, extraction, paths)
    if counts.rejected:
        kept.append(_quarantine(ctx, directory))
        ctx.logger.warning(
            "connection %s: %d rejected; the extraction is kept in %s", extraction.connection, counts.rejected, kept[-1]
        )
    else:
        shutil.rmtree(directory, ignore_errors=True)  # its run's directory goes when the run's connections are done
    return counts


def _quarantine(ctx: JobContext, directory: Path) -> Path:
    target = private_dir(ctx.home.root / "quarantine" / directory.parent.name, stop_at=ctx.home.root) / directory.name
    os.replace(directory, target)
    return target


def _remove_if_empty(run_dir: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: kept for what is still in it
        run_dir.rmdir()


def _drop_unfinished_line(path: Path) -> None:
    """A target killed mid-write leaves a last line without its newline: a record no saved
    bookmark covers (Meltano saves state only when the target exits), so it is fetched
    again; dropping it keeps it out of ``rejects``."""
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        keep = size
        while keep > 0:
            step = min(65536, keep)
            handle.seek(keep - step)
            block = handle.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                keep = keep - step + newline + 1
                break
            keep -= step
        handle.truncate(keep)


def _reject_rules(ctx: JobContext, connection: str) -> Iterator[tuple[str, int]]:
    yield from ctx.store.reject_rule_counts(run_id=ctx.run_id, connection_name=connection)


class RejectRateError(PhiSafeError, RuntimeError):
    """Too many rejects; what was written is in ``counts`` all the same (the message names
    counts, rule names and paths only)."""

    def __init__(self, message: str, counts: WriteCounts) -> None:
        super().__init__(message)
        self.counts = counts


class ConnectionSetupError(PhiSafeError, RuntimeError):
    """A connection cannot be set up; the message names settings and commands only."""


def _explain(exc: Exception, extraction: Extraction) -> str:
    from ingestor import ExtractionError

    error = safe_error(exc)
    if isinstance(exc, ExtractionError) and exc.authorization_refused and extraction.sign_in:
        return f"{error}; sign in again with `{extraction.sign_in}`"
    if isinstance(exc, ExtractionError) and exc.setting_problem:
        setting = exc.setting_problem.split(":", 1)[0]
        return f"{error}; correct `{setting}` of connection {extraction.connection} in config.yaml, then `lorc doctor`"
    return error


def _env_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value)
    return str(value)
