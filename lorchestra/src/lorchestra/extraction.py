"""The one way extract_* jobs work: per connection, `meltano run` into the PHI home,
then each stream's JSONL into ``raw_objects``.

One failing connection does not stop the others. Streams a connection does not emit in
a run (no new records) still leave an ``ingest.completed`` event with zero counts. A
successful extraction's directory is removed once its records are in the warehouse; a
failed one stays for inspection (it is inside the PHI home).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lorchestra.errors_safe import safe_error
from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext, ObjectSpec, Source, WriteCounts
from lorchestra.stack_clients.faults import checkpoint


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
    settings: Mapping[str, object]  # tap settings beyond the Meltano project's (sample taps)
    streams: tuple[StreamSpec, ...]

    @property
    def env(self) -> dict[str, str]:
        """The settings under Meltano's environment names (``TAP_X_SETTING``)."""
        prefix = self.tap.upper().replace("-", "_")
        return {f"{prefix}_{key.upper()}": str(value) for key, value in self.settings.items()}


SAMPLE_PARAMS = ("count", "first", "clients", "revision")


def sample_settings(ctx: JobContext, settings: Mapping[str, object]) -> dict[str, object]:
    """A sample tap's settings plus the synthetic-data ones given as ``--param``."""
    return {**settings, **{key: ctx.params[key] for key in SAMPLE_PARAMS if key in ctx.params}}


def run_extractions(ctx: JobContext, extractions: list[Extraction]) -> JobResult:
    from ingestor import extract_to_jsonl

    totals = WriteCounts()
    failed = 0
    for extraction in extractions:
        source = Source(extraction.system, extraction.connection)
        try:
            paths = extract_to_jsonl(extraction.tap, ctx.run_id, work_dir=ctx.home.root,
                                     env=extraction.env, state_id_suffix=extraction.connection)
            checkpoint("extract.before_ingest", extraction.connection)
            totals.add(ingest_streams(ctx, extraction, paths))
            for directory in {p.parent for p in paths.values()}:
                shutil.rmtree(directory, ignore_errors=True)
        except Exception as exc:
            failed += 1
            error = safe_error(exc)
            ctx.events.audit("ingest.failed", status="failed", error_message=error, source=source,
                             payload={"tap": extraction.tap})
            ctx.logger.error("connection %s failed: %s", extraction.connection, error)
    run_dir = ctx.home.root / "extract" / ctx.run_id
    if run_dir.is_dir() and not any(run_dir.iterdir()):
        run_dir.rmdir()
    note = f"{failed} of {len(extractions)} connections failed" if failed else None
    return JobResult(counts={**totals.as_dict(), "connections": len(extractions), "connections_failed": failed},
                     ok=not failed, note=note)


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
            ctx.events.audit("ingest.completed", payload=counts.as_dict(), source=source,
                             object_type=stream.object_type)
        totals.add(counts)
        ctx.logger.info("connection %s stream %s: %s", extraction.connection, stream.stream, counts.as_dict())
    return totals
