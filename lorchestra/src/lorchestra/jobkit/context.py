"""What every job receives, and the one implementation of incremental map jobs.

A map job (raw email -> canonical email, response -> measurement) only supplies the
mapping. :meth:`JobContext.map_inputs` selects inputs that are new or changed since
this consumer last handled them (by payload hash), writes outputs and rejects in
batches, and records each input as processed, so no job re-implements any of it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from lorchestra.config import Config
from lorchestra.faults import checkpoint
from lorchestra.home import PhiHome
from lorchestra.jobkit.mapping import (
    MapCounts,
    MapResult,
    Noted,
    Rejected,
    pack,
    reading_first,
    reject_row,
    unpack,
)
from lorchestra.jobkit.pool import MapPool, PageResult
from lorchestra.jobkit.state import JobStates
from lorchestra.stack_clients.clock import utcnow
from lorchestra.stack_clients.event_client import EventClient
from lorchestra.stack_clients.json_rules import JsonFault
from lorchestra.stack_clients.model import CanonicalRow, InputRow, RejectRow
from lorchestra.stack_clients.store import Store

IN_PROCESS_MAX = 500  # a job with more inputs than this maps them on every core
PAGES_AHEAD = 2  # pages the workers may map ahead of the one the job is collecting
# Outputs written in one step: at least DuckDB's row group (stack_clients.duckdb_store.plumbing.ROW_GROUP_SIZE).
WRITE_BATCH_ROWS = 16_384


@dataclass
class JobContext:
    store: Store
    events: EventClient
    config: Config
    run_id: str
    job_name: str
    logger: logging.Logger
    params: Mapping[str, Any] = field(default_factory=dict)
    held_fds: tuple[int, ...] = ()  # the run lock: subprocesses that must not outlive it keep it open

    @property
    def home(self) -> PhiHome:
        return self.config.home

    @cached_property
    def state(self) -> JobStates:
        """What this job (and every other consumer) has already done: :mod:`lorchestra.jobkit.state`."""
        return JobStates(self.store, self.run_id)

    def map_inputs(
        self,
        *,
        consumer: str,
        table: str,
        object_type: str,
        fn: Callable[[InputRow], MapResult],
        event_type: str,
        source_system: str | None = None,
        page_size: int = 4000,
    ) -> MapCounts:
        """Apply ``fn`` to every input new or changed since ``consumer`` last ran (on every
        core once there is more than a page of them: see :mod:`lorchestra.jobkit.pool`).

        ``consumer`` names the mapping and its version (``canonicalize_email@gmail-1.0.0``):
        a new version re-processes everything once.
        """
        counts = MapCounts()
        batch = _WriteBatch()
        with MapPool(reading_first(fn), min_items=IN_PROCESS_MAX, pack=pack, unpack=unpack) as pool:
            mapping: deque[tuple[list[InputRow], PageResult[MapResult]]] = deque()
            pages = self.state.changed_inputs(
                consumer, table=table, object_type=object_type, source_system=source_system, page_size=page_size
            )
            with closing(pages):  # the store's paging ends here, in this thread, even when mapping fails
                for page in pages:
                    mapping.append((page, pool.submit(page)))  # workers map ahead while the job writes
                    if len(mapping) > PAGES_AHEAD:
                        batch = self._collect(consumer, *mapping.popleft(), batch, counts)
            while mapping:
                batch = self._collect(consumer, *mapping.popleft(), batch, counts)
            self._write_batch(consumer, batch, counts)
        self.events.audit(event_type, payload={"consumer": consumer, **counts.as_dict()}, object_type=object_type)
        return counts

    def read_objects(
        self,
        table: str,
        object_type: str,
        *,
        drop_fields: Sequence[str] = (),
        updated_after: datetime | None = None,
        keys: Sequence[str] | None = None,
        field_in: tuple[str, Sequence[str]] | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """:meth:`Store.read_objects` for this job: a stored payload that cannot be parsed
        is a reject of this job (rule and field), and the job reads on without it."""
        unreadable: list[RejectRow] = []

        def reject(key: str, fault: JsonFault) -> None:
            unreadable.append(reject_row(self.job_name, Rejected(fault.rule, fault.field), key, object_type))

        yield from self.store.read_objects(
            table,
            object_type,
            drop_fields=drop_fields,
            updated_after=updated_after,
            keys=keys,
            field_in=field_in,
            on_unreadable=reject,
        )
        if unreadable:
            self.store.upsert_rejects(unreadable, run_id=self.run_id, now=utcnow())
            self.logger.warning(
                "passed over %d unreadable %s payload(s) in %s (see rejects)", len(unreadable), object_type, table
            )

    def _collect(
        self,
        consumer: str,
        page: list[InputRow],
        results: PageResult[MapResult],
        batch: _WriteBatch,
        counts: MapCounts,
    ) -> _WriteBatch:
        """A mapped page's outputs, rejects and ledger entries added to ``batch``; the batch
        written once it is full (then a fresh one is returned)."""
        for item, result in zip(page, results.result(), strict=True):
            if isinstance(result, Rejected):
                batch.rejects.append(reject_row(self.job_name, result, item.idem_key, item.object_type, item))
                batch.processed.append((item.idem_key, item.payload_hash, "rejected"))
                continue
            if isinstance(result, Noted):
                for note in result.notes:
                    counts.noted[note] = counts.noted.get(note, 0) + 1
                result = result.rows
            batch.outputs.extend(result)
            batch.processed.append((item.idem_key, item.payload_hash, "ok"))
        if max(len(batch.outputs), len(batch.processed)) < WRITE_BATCH_ROWS:
            return batch
        return self._write_batch(consumer, batch, counts)

    def _write_batch(self, consumer: str, batch: _WriteBatch, counts: MapCounts) -> _WriteBatch:
        """The batch's outputs and rejects, then its inputs marked processed; a fresh batch."""
        if not batch.processed:
            return batch
        counts.inputs += len(batch.processed)
        counts.rejected += len(batch.rejects)
        now = utcnow()
        counts.outputs.add(self.events.write_canonical(batch.outputs))
        self.store.upsert_rejects(batch.rejects, run_id=self.run_id, now=now)
        checkpoint("map.before_mark", self.job_name)  # outputs written, inputs not yet marked
        self.state.mark_processed(consumer, batch.processed, now=now)
        self.events.progress.advance(self.job_name, len(batch.processed))
        return _WriteBatch()


@dataclass
class _WriteBatch:
    """Mapped inputs waiting to be written together: a few pages, so that a write fills
    whole row groups (DuckDB then writes them straight into its file instead of through
    its log and again at checkpoint: a third of the cost per output)."""

    outputs: list[CanonicalRow] = field(default_factory=list)
    rejects: list[RejectRow] = field(default_factory=list)
    processed: list[tuple[str, str, str]] = field(default_factory=list)  # (input key, payload hash, outcome)
