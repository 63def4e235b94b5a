"""The embedded default backend: one DuckDB file in the PHI home, one writer at a time.

The class is thin: each step lives in its own module, the same modules as the BigQuery
backend's (``raw_ingest``, ``canonical``, ``ledger``, ``projections``, ``reads``, ``ddl``,
``values``, ``plumbing``).
"""

from __future__ import annotations

import weakref
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from lorchestra.exceptions import StorageError
from lorchestra.stack_clients.duckdb_store import (
    canonical,
    ledger,
    projections,
    raw_ingest,
    reads,
)
from lorchestra.stack_clients.duckdb_store.ddl import CORE_DDL
from lorchestra.stack_clients.duckdb_store.plumbing import connect, transaction
from lorchestra.stack_clients.duckdb_store.snapshots import publish_snapshot
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
from lorchestra.umask import hold_private_umask, release_private_umask


class DuckDBStore:
    """While open, the process umask is 077 (see :func:`lorchestra.umask.private_umask`):
    DuckDB creates its WAL and temporary files with the umask, at any write or large query."""

    backend = "duckdb"

    def __init__(
        self,
        path: Path,
        *,
        tmp_dir: Path,
        memory_limit: str = "512MB",
        threads: int | None = None,
        read_only: bool = False,
        views_dir: Path | None = None,
    ) -> None:
        self.path = path
        self.tmp_dir = tmp_dir
        self.views_dir = views_dir
        hold_private_umask()
        self._release_umask = weakref.finalize(self, release_private_umask)  # also if never closed
        try:
            self.connection = connect(
                path, tmp_dir=tmp_dir, memory_limit=memory_limit, threads=threads, read_only=read_only
            )
        except BaseException:
            self._release_umask()
            raise
        if path.exists():
            path.chmod(0o600)

    def ensure_schema(self, *, create_dataset: bool = False) -> None:
        for ddl in CORE_DDL:
            self.connection.execute(ddl)

    def table(self, name: str) -> str:
        return name

    # -- writes ----------------------------------------------------------------------------
    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts:
        return raw_ingest.ingest_raw_file(
            self.connection, path, spec, job_name=job_name, run_id=run_id, now=now, tmp_dir=self.tmp_dir
        )

    def upsert_canonical(self, rows: Iterable[CanonicalRow], *, run_id: str, now: datetime) -> WriteCounts:
        return canonical.upsert_canonical(self.connection, rows, now=now)

    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
        if rejects:
            with transaction(self.connection):
                ledger.upsert_rejects(self.connection, self.tmp_dir, rejects, run_id=run_id, now=now)

    def append_events(self, events: Sequence[EventRow]) -> None:
        ledger.append_events(self.connection, events)

    def insert_first(self, table: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EventRow]) -> None:
        ledger.insert_first(self.connection, table, rows, events)

    def changed_inputs(
        self,
        consumer: str,
        *,
        table: str,
        object_type: str,
        source_system: str | None = None,
        page_size: int = 1000,
    ) -> Generator[list[InputRow], None, None]:
        return ledger.changed_inputs(
            self.connection,
            consumer,
            table=table,
            object_type=object_type,
            source_system=source_system,
            page_size=page_size,
        )

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None:
        ledger.mark_processed(self.connection, consumer, items, run_id=run_id, now=now)

    def forget_processed(self, consumer: str, keys: Sequence[str] | None) -> None:
        ledger.forget_processed(self.connection, consumer, keys)

    # -- projections and ledgers -------------------------------------------------------------
    def replace_table(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Mapping[str, Any]],
        *,
        cluster_by: Sequence[str] = (),
    ) -> int:
        del cluster_by  # a hint for columnar warehouses; DuckDB finds keys by scanning fast enough
        return projections.replace_table(self.connection, self.tmp_dir, name, columns, rows)

    def has_table(self, name: str) -> bool:
        return projections.has_table(self.connection, name)

    def ensure_table(self, name: str, columns: Sequence[Column]) -> None:
        projections.ensure_table(self.connection, name, columns)

    def lookup_rows(
        self, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
    ) -> list[dict[str, Any]]:
        return projections.lookup_rows(self.connection, name, key_column, keys, columns)

    def replace_rows(self, changes: Sequence[RowsChange]) -> list[int]:
        return projections.replace_rows(self.connection, self.tmp_dir, changes)

    def publish_views(self, names: Sequence[str], *, if_missing: bool = False) -> list[str]:
        """A Parquet snapshot per table in the views directory (see ``stack_clients.views``)."""
        if self.views_dir is None:
            raise StorageError(f"the store of {self.path} has no views directory to publish to")
        return [str(publish_snapshot(self.connection, name, self.views_dir, if_missing=if_missing)) for name in names]

    # -- reads -------------------------------------------------------------------------------
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
        return reads.read_objects(
            self.connection,
            table,
            object_type,
            drop_fields=drop_fields,
            updated_after=updated_after,
            keys=keys,
            field_in=field_in,
            on_unreadable=on_unreadable,
        )

    def read_events(
        self, event_types: Sequence[str], *, status: str | None = None, limit: int | None = None
    ) -> list[EventRow]:
        return reads.read_events(self.connection, event_types, status=status, limit=limit)

    def read_table(self, name: str, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        return reads.read_table(self.connection, name, columns)

    def object_counts(self) -> ObjectCounts:
        return reads.object_counts(self.connection)

    def reject_rule_counts(self, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
        return reads.reject_rule_counts(self.connection, run_id=run_id, connection_name=connection_name)

    def last_seen(self) -> dict[str, datetime]:
        return reads.last_seen(self.connection)

    def latest_update(self, object_type: str) -> datetime | None:
        return reads.latest_update(self.connection, object_type)

    def payload_hashes(self, object_type: str) -> list[tuple[str, str]]:
        return reads.payload_hashes(self.connection, object_type)

    def processed_entry(self, consumer: str, input_idem_key: str) -> ProcessedEntry | None:
        return reads.processed_entry(self.connection, consumer, input_idem_key)

    def flush(self) -> None:
        self.connection.execute("CHECKPOINT")

    def close(self) -> None:
        try:
            self.connection.close()
            if self.path.exists():
                self.path.chmod(0o600)
        finally:
            self._release_umask()
