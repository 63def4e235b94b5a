"""The event client: how jobs write objects, rejects and audit events.

Every object write is a batch (one object is a batch of one) that the store applies
all-or-nothing, and leaves one ``event_log`` row with its true counts. Record contents
never reach ``event_log``: payloads there hold counts, durations and parameters.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lorchestra.progress import NoProgress, Progress
from lorchestra.stack_clients.backup import Backup
from lorchestra.stack_clients.clock import new_id, utcnow
from lorchestra.stack_clients.model import (
    CanonicalRow,
    EventRow,
    ObjectSpec,
    RejectRow,
    Source,
    WriteCounts,
    dumps,
)
from lorchestra.stack_clients.spill import spill_file
from lorchestra.stack_clients.store import Store

DEFAULT_BATCH_ROWS = 50_000


class EventClient:
    def __init__(
        self,
        store: Store,
        *,
        run_id: str,
        job_name: str,
        tmp_dir: Path,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        trace_id: str | None = None,
        backup: Backup | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.job_name = job_name
        self.tmp_dir = tmp_dir
        self.batch_rows = batch_rows
        self.trace_id = trace_id
        self.backup = backup
        self.progress: Progress = progress or NoProgress()
        self._held: list[EventRow] | None = None  # audit events not written yet (see held_audit)

    # -- raw objects ----------------------------------------------------------------
    def emit(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        source: Source,
        object_type: str,
        id_field: str = "id",
        schema_ref: str | None = None,
    ) -> WriteCounts:
        """Write one raw object (its native id at ``id_field``)."""
        spec = ObjectSpec(source, object_type, id_field=id_field, schema_ref=schema_ref)
        return self.emit_batch(event_type, [payload], spec=spec)

    def emit_batch(self, event_type: str, records: Iterable[Mapping[str, Any]], *, spec: ObjectSpec) -> WriteCounts:
        """Write many raw objects, streaming: records go to private spill files of
        ``batch_rows`` records, each applied as one batch, so memory stays bounded."""
        started = time.perf_counter()
        totals = WriteCounts()
        iterator = iter(records)
        batches = 0
        while True:
            with spill_file(self.tmp_dir) as (path, handle):
                written = 0
                for record in iterator:
                    handle.write(dumps(record) + b"\n")
                    written += 1
                    if written >= self.batch_rows:
                        break
                handle.close()
                if written == 0:
                    break
                totals.add(self._ingest(path, spec))
                batches += 1
                if written < self.batch_rows:
                    break
        self._record_write(event_type, spec, totals, started, {"batches": batches})
        return totals

    def emit_jsonl(self, event_type: str, path: Path, *, spec: ObjectSpec) -> WriteCounts:
        """Fast path for extraction output: the warehouse reads the JSONL file itself."""
        started = time.perf_counter()
        counts = self._ingest(path, spec)
        self._record_write(event_type, spec, counts, started, {"batches": 1, "file": path.name})
        return counts

    def _ingest(self, path: Path, spec: ObjectSpec) -> WriteCounts:
        now = utcnow()
        counts = self.store.ingest_raw_file(path, spec, job_name=self.job_name, run_id=self.run_id, now=now)
        if self.backup is not None:
            self.backup.raw_file(path, spec, now)
        self.progress.advance(self.job_name, counts.inputs)
        return counts

    # -- canonical objects -------------------------------------------------------------
    def emit_canonical(self, event_type: str, rows: Iterable[CanonicalRow]) -> WriteCounts:
        started = time.perf_counter()
        counts = self.write_canonical(rows)
        self.audit(event_type, payload={**counts.as_dict(), "duration_ms": _ms(started)})
        return counts

    def write_canonical(self, rows: Iterable[CanonicalRow]) -> WriteCounts:
        """Upsert canonical objects (and back them up when enabled); no audit event."""
        now = utcnow()
        if self.backup is None:
            return self.store.upsert_canonical(rows, run_id=self.run_id, now=now)
        kept = list(rows)
        counts = self.store.upsert_canonical(kept, run_id=self.run_id, now=now)
        self.backup.canonical_rows(kept, now)
        return counts

    # -- rejects and audit -------------------------------------------------------------
    def reject(self, rejects: Sequence[RejectRow]) -> None:
        self.store.upsert_rejects(rejects, run_id=self.run_id, now=utcnow())

    def audit(
        self,
        event_type: str,
        *,
        status: str = "ok",
        payload: Mapping[str, Any] | None = None,
        error_message: str | None = None,
        source: Source | None = None,
        object_type: str | None = None,
        schema_ref: str | None = None,
    ) -> EventRow:
        """Append one telemetry event (``job.started``, ``ingest.completed`` ...)."""
        event = EventRow(
            event_id=new_id(),
            event_type=event_type,
            created_at=utcnow(),
            status=status,
            correlation_id=self.run_id,
            trace_id=self.trace_id,
            source_system=source.system if source else None,
            connection_name=source.connection if source else None,
            target_object_type=object_type,
            event_schema_ref=schema_ref,
            error_message=error_message,
            payload={"job": self.job_name, **(payload or {})},
        )
        if self._held is not None:
            self._held.append(event)
        else:
            self.store.append_events([event])
        return event

    @contextmanager
    def held_audit(self) -> Iterator[None]:
        """Hold the audit events of a block (one job run) and write them in one
        ``append_events`` when it ends, however it ends: on BigQuery each write is a load
        job and an INSERT, a few seconds each, so a job run pays that once. A process
        killed inside the block loses the block's events (the objects it wrote stay; the
        runner's activity record still shows the job, as interrupted); nothing in a run
        reads its own job's events back."""
        if self._held is not None:
            yield  # already held by an enclosing block, which writes them
            return
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            if held:
                self.store.append_events(held)

    def _record_write(
        self,
        event_type: str,
        spec: ObjectSpec,
        counts: WriteCounts,
        started: float,
        extra: Mapping[str, Any],
    ) -> None:
        self.audit(
            event_type,
            payload={**counts.as_dict(), "duration_ms": _ms(started), **extra},
            source=spec.source,
            object_type=spec.object_type,
            schema_ref=spec.schema_ref,
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
