"""The store contract both backends implement, and the factory that picks one from config."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from lorchestra.config import Config
from lorchestra.exceptions import BackendNotInstalledError, WarehouseLockedError
from lorchestra.stack_clients.json_rules import UnreadableHandler
from lorchestra.stack_clients.model import (
    CanonicalRow,
    EventRow,
    InputRow,
    ObjectCounts,
    ObjectSpec,
    ProcessedEntry,
    RejectRow,
    WriteCounts,
)
from lorchestra.stack_clients.projection import Column, RowsChange
from lorchestra.stack_clients.views import views_dir

# Readers (`lorc status`, `lorc doctor`, one read of `lorc serve`'s pages) hold the DuckDB
# file for a moment; a writer that finds it held tries again this long before it reports
# who holds it. The console's reads of a practice's history (its rejects and events, its
# flags and contacts) take a second or two on a busy machine: a run must outwait one.
LOCK_GRACE_SECONDS = 10.0


class Store(Protocol):
    """One API over DuckDB and BigQuery. Every write of objects is one all-or-nothing batch."""

    backend: str

    def ensure_schema(self, *, create_dataset: bool = False) -> None:
        """Create the core tables that are missing (every run does). BigQuery: the dataset
        must exist in ``storage.bigquery.location`` (checked); ``create_dataset`` creates a
        missing one (``lorc init --create-dataset``: it needs ``bigquery.datasets.create``,
        which a run never has to have). DuckDB: the warehouse file is the dataset, created
        when the store opens it, so ``create_dataset`` changes nothing."""
        ...

    def table(self, name: str) -> str:
        """The name to use for table ``name`` in SQL (qualified with the dataset on BigQuery)."""
        ...

    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts: ...

    def upsert_canonical(self, rows: Iterable[CanonicalRow], *, run_id: str, now: datetime) -> WriteCounts: ...

    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None: ...

    def append_events(self, events: Sequence[EventRow]) -> None: ...

    def insert_first(self, table: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EventRow]) -> None:
        """Insert each row of core table ``table`` (keyed by one column) whose key it does not
        hold yet, with the audit event at the same index in ``events``, in one transaction:
        the first row of a key wins, and a row not inserted writes no event."""
        ...

    def changed_inputs(
        self,
        consumer: str,
        *,
        table: str,
        object_type: str,
        source_system: str | None = None,
        page_size: int = 1000,
    ) -> Generator[list[InputRow], None, None]: ...

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None: ...

    def forget_processed(self, consumer: str, keys: Sequence[str] | None) -> None:
        """Drop ``consumer``'s ledger rows of ``keys`` (all of them: ``None``), so those
        inputs count as never processed by it."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether a table exists (projections exist only once their job has run)."""
        ...

    def ensure_table(self, name: str, columns: Sequence[Column]) -> None:
        """Create table ``name`` with ``columns`` unless it exists. For a package's own
        ledgers (rows that record facts, kept unlike projections, which are rebuilt):
        they are then read with :meth:`lookup_rows` and written with :meth:`replace_rows`."""
        ...

    def read_objects(
        self,
        table: str,
        object_type: str,
        *,
        drop_fields: Sequence[str] = (),
        updated_after: datetime | None = None,
        keys: Sequence[str] | None = None,
        field_in: tuple[str, Sequence[str]] | None = None,
        on_unreadable: UnreadableHandler | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """``(idem_key, payload)`` of the objects of a type in raw_objects or canonical_objects,
        streamed, in key order. ``drop_fields`` (top-level keys) are left out of each payload,
        so a reader that needs no e-mail bodies does not hold 100k of them. Filters: updated
        after ``updated_after``; ``idem_key`` in ``keys``; the top-level text field
        ``field_in[0]`` in ``field_in[1]``. A stored payload that cannot be parsed (older
        versions stored some) is passed over and handed to ``on_unreadable`` with its
        :class:`JsonFault`, or logged by key and rule when there is none."""
        ...

    def lookup_rows(
        self, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
    ) -> list[dict[str, Any]]:
        """``columns`` of the rows of projection ``name`` whose ``key_column`` is in ``keys``."""
        ...

    def replace_rows(self, changes: Sequence[RowsChange]) -> list[int]:
        """Apply every change in one transaction; the number of rows each inserted."""
        ...

    def replace_table(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Mapping[str, Any]],
        *,
        cluster_by: Sequence[str] = (),
    ) -> int:
        """Swap a projection table for ``rows`` in one step; return the row count.
        ``cluster_by``: the columns it is looked up by (BigQuery clusters the table by them)."""
        ...

    def publish_views(self, names: Sequence[str], *, if_missing: bool = False) -> list[str]:
        """Make projections readable by other processes while this store writes; where a
        reader finds each: a snapshot file on DuckDB (a single writer locks out every
        reader), the table itself on BigQuery. ``if_missing``: only what is not published yet."""
        ...

    # -- typed reads: values come back as Python values on both backends (JSON as dicts and
    # lists, arrays as lists, timestamps as aware UTC datetimes) --------------------------
    def read_events(
        self, event_types: Sequence[str], *, status: str | None = None, limit: int | None = None
    ) -> list[EventRow]:
        """``event_log`` rows of ``event_types`` (and ``status``), newest first, at most ``limit``."""
        ...

    def read_table(self, name: str, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every row of projection or ledger ``name`` (only ``columns`` of each, when given:
        a reader of a few columns of a wide table need not convert the rest)."""
        ...

    def object_counts(self) -> ObjectCounts: ...

    def reject_rule_counts(self, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
        """``(rule, count)`` of the rejects a run wrote for a connection, most frequent first."""
        ...

    def last_seen(self) -> dict[str, datetime]:
        """When each raw object was last seen, by ``idem_key``."""
        ...

    def latest_update(self, object_type: str) -> datetime | None:
        """The newest ``updated_at`` of the canonical objects of a type."""
        ...

    def payload_hashes(self, object_type: str) -> list[tuple[str, str]]:
        """``(idem_key, payload_hash)`` of the canonical objects of a type, in key order."""
        ...

    def processed_entry(self, consumer: str, input_idem_key: str) -> ProcessedEntry | None: ...

    def flush(self) -> None:
        """Make every committed write durable in the backend's main storage (DuckDB's
        checkpoint; nothing to do on BigQuery)."""
        ...

    def close(self) -> None: ...


def open_store(
    config: Config, *, read_only: bool = False, wait_seconds: float = 0.0, grace_seconds: float = LOCK_GRACE_SECONDS
) -> Store:
    """Open the configured backend; drivers are imported only when chosen. A DuckDB
    warehouse held by another process is waited for up to ``wait_seconds`` (at least
    ``grace_seconds``, the moment a ``lorc status`` holds it to read; a reader that must
    never wait, such as the console, passes 0)."""
    if config.backend == "bigquery":
        try:
            from lorchestra.stack_clients.bigquery_store.store import BigQueryStore
        except ImportError as exc:  # the extra lorchestra[bigquery]; a broken module of ours is not that
            if (exc.name or "lorchestra").startswith("lorchestra"):
                raise
            raise BackendNotInstalledError("bigquery", exc.name) from None

        return BigQueryStore.from_config(config)
    from lorchestra.stack_clients.duckdb_store.store import DuckDBStore

    duck = config.section("storage", "duckdb")
    deadline = time.monotonic() + max(grace_seconds, wait_seconds)
    while True:
        try:
            return DuckDBStore(
                config.duckdb_path,
                tmp_dir=config.home.tmp_dir,
                memory_limit=str(duck.get("memory_limit", "512MB")),
                threads=duck.get("threads"),
                read_only=read_only,
                views_dir=views_dir(config.home),
            )
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
