"""BigQuery: the same contract as DuckDB, for the practice's cloud warehouse.

The class is thin: each step lives in its own module, the same modules as the DuckDB
backend's (``raw_ingest``, ``canonical``, ``ledger``, ``projections``, ``reads``, ``ddl``,
``values``, ``plumbing``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from google.cloud import bigquery

from lorchestra.config import Config
from lorchestra.exceptions import ConfigError, StorageError
from lorchestra.stack_clients.bigquery_store import (
    canonical,
    dataset,
    ddl,
    ledger,
    projections,
    raw_ingest,
    reads,
)
from lorchestra.stack_clients.bigquery_store.access import bigquery_credentials
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
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
from lorchestra.stack_clients.projection import Column, RowsChange, check_table_name
from lorchestra.stack_clients.tables import CORE_TABLES


class BigQueryStore(Plumbing):
    backend = "bigquery"

    @classmethod
    def from_config(cls, config: Config) -> BigQueryStore:
        section = config.section("storage", "bigquery")
        if not section.get("project") or not section.get("dataset"):
            raise StorageError("storage.bigquery.project and storage.bigquery.dataset must be set in config")
        if not section.get("location"):
            raise ConfigError(
                "storage.bigquery.location must be set when storage.backend is bigquery (e.g. EU or "
                "europe-west3): it is where the practice's patient data is stored, and BigQuery's default is the US"
            )
        endpoint = section.get("api_endpoint")
        kwargs: dict[str, Any] = {"project": section["project"], "credentials": bigquery_credentials(config)}
        if endpoint:
            from google.api_core.client_options import ClientOptions

            kwargs["client_options"] = ClientOptions(api_endpoint=endpoint)
        try:
            client = bigquery.Client(**kwargs)
        except Exception as exc:  # noqa: BLE001 - the client's errors quote settings; named by type only
            raise StorageError(
                f"cannot create a BigQuery client for project {section['project']}: {type(exc).__name__}; "
                "check storage.bigquery in config and the credentials (docs/bigquery.md)"
            ) from None
        return cls(
            client,
            str(section["dataset"]),
            tmp_dir=config.home.tmp_dir,
            location=str(section["location"]),
            where=endpoint or "BigQuery",
        )

    def ensure_schema(self, *, create_dataset: bool = False) -> None:
        """Check the dataset (it exists, in the configured location) and create the core
        tables that are missing. The dataset itself is created only with ``create_dataset``
        (``lorc init --create-dataset``): see :mod:`.dataset`."""
        if create_dataset:
            dataset.create_dataset(self)
        else:
            dataset.check_dataset(self)
        for table in CORE_TABLES.values():
            self.create_table(table.name, ddl.column_schema(table.columns), **ddl.table_options(table))
        ddl.check_layout(self)
        self.sweep_stages()

    def check_ready(self) -> None:
        """Read-only: the dataset in its location and the right to run jobs (``lorc doctor``)."""
        dataset.check_ready(self)

    def check_layout(self) -> None:
        """Read-only: the core tables partitioned and clustered as this version declares."""
        ddl.check_layout(self)

    # -- writes ----------------------------------------------------------------------------
    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts:
        return raw_ingest.ingest_raw_file(self, path, spec, job_name=job_name, run_id=run_id, now=now)

    def upsert_canonical(self, rows: Iterable[CanonicalRow], *, run_id: str, now: datetime) -> WriteCounts:
        return canonical.upsert_canonical(self, rows, now=now)

    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
        ledger.upsert_rejects(self, rejects, run_id=run_id, now=now)

    def append_events(self, events: Sequence[EventRow]) -> None:
        ledger.append_events(self, events)

    def insert_first(self, table: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EventRow]) -> None:
        ledger.insert_first(self, table, rows, events)

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
            self, consumer, table=table, object_type=object_type, source_system=source_system, page_size=page_size
        )

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None:
        ledger.mark_processed(self, consumer, items, run_id=run_id, now=now)

    def forget_processed(self, consumer: str, keys: Sequence[str] | None) -> None:
        ledger.forget_processed(self, consumer, keys)

    # -- projections and ledgers -------------------------------------------------------------
    def replace_table(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Mapping[str, Any]],
        *,
        cluster_by: Sequence[str] = (),
    ) -> int:
        return projections.replace_table(self, name, columns, rows, cluster_by)

    def has_table(self, name: str) -> bool:
        return projections.has_table(self, name)

    def ensure_table(self, name: str, columns: Sequence[Column]) -> None:
        projections.ensure_table(self, name, columns)

    def lookup_rows(
        self, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
    ) -> list[dict[str, Any]]:
        return projections.lookup_rows(self, name, key_column, keys, columns)

    def replace_rows(self, changes: Sequence[RowsChange]) -> list[int]:
        return projections.replace_rows(self, changes)

    def publish_views(self, names: Sequence[str], *, if_missing: bool = False) -> list[str]:
        """Nothing to do: BigQuery serves readers while a run writes; they read the tables."""
        return [self.table_id(check_table_name(name)) for name in names]

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
            self,
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
        return reads.read_events(self, event_types, status=status, limit=limit)

    def read_table(self, name: str, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        return reads.read_table(self, name, columns)

    def object_counts(self) -> ObjectCounts:
        return reads.object_counts(self)

    def reject_rule_counts(self, *, run_id: str, connection_name: str) -> list[tuple[str, int]]:
        return reads.reject_rule_counts(self, run_id=run_id, connection_name=connection_name)

    def last_seen(self) -> dict[str, datetime]:
        return reads.last_seen(self)

    def latest_update(self, object_type: str) -> datetime | None:
        return reads.latest_update(self, object_type)

    def payload_hashes(self, object_type: str) -> list[tuple[str, str]]:
        return reads.payload_hashes(self, object_type)

    def processed_entry(self, consumer: str, input_idem_key: str) -> ProcessedEntry | None:
        return reads.processed_entry(self, consumer, input_idem_key)

    def flush(self) -> None:
        """Nothing to do: a finished BigQuery job is durable."""

    def close(self) -> None:
        self.client.close()
