"""The BigQuery client wrapped for the step modules: queries and load jobs with the suite's
retries (one job id per logical job) and PHI-safe errors, staging tables, and table names
qualified with the dataset.

The store extends it; the step modules (raw ingest, canonical, ledger, projections, reads)
take it, so they depend on it and never on the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exceptions
from google.cloud import bigquery

from lorchestra.exceptions import StorageError, StorageRefusedError, StorageUnreachableError
from lorchestra.stack_clients.bigquery_store.access import names_billing, token_failure
from lorchestra.stack_clients.bigquery_store.jobs import NO_RETRY, JobFailed, run_job
from lorchestra.stack_clients.bigquery_store.retry import call_with_retry, is_transient
from lorchestra.stack_clients.bigquery_store.sql import query_param
from lorchestra.stack_clients.bigquery_store.stages import DROP_TIMEOUT, is_leftover, stage_expiry, stage_name
from lorchestra.stack_clients.spill import spill_file

# The client's own retry would wait up to 600 s on a dead endpoint; retries are ours
# (tenacity, bounded, in retry.py; a job's in jobs.py), so every call turns the client's off.
__all__ = ["NO_RETRY", "Plumbing"]


class Plumbing:
    def __init__(
        self,
        client: bigquery.Client,
        dataset: str,
        *,
        tmp_dir: Path,
        location: str | None = None,
        where: str = "BigQuery",
    ) -> None:
        self.client = client
        self.dataset = dataset
        self.location = location
        self.tmp_dir = tmp_dir
        self._where = where

    def table(self, name: str) -> str:
        return f"`{self.client.project}.{self.dataset}.{name}`"

    def table_id(self, name: str) -> str:
        return f"{self.client.project}.{self.dataset}.{name}"

    def call(self, what: str, func: Any) -> Any:
        """``func()`` with the suite's retries: only for calls that are safe to repeat."""
        with self.errors(what):
            return call_with_retry(func)

    @contextlib.contextmanager
    def errors(self, what: str) -> Iterator[None]:
        """The client's errors as one PHI-safe line: the message itself is withheld, as
        BigQuery quotes offending values in it; reasons and status codes are kept."""
        try:
            yield
        except JobFailed as exc:
            if exc.conflict:
                raise StorageError(
                    f"BigQuery {what} was aborted by a concurrent update of its tables {exc.attempts} times; "
                    "another run or program is writing this dataset: run again once it has finished"
                ) from None
            raise StorageError(f"BigQuery {what} failed (job failed: reason {exc.reason})") from None
        except gexc.GoogleAPICallError as exc:
            kind = "transient error persisted" if is_transient(exc) else "request refused"
            reasons = sorted({str(e.get("reason")) for e in exc.errors or [] if isinstance(e, dict)})
            raise StorageRefusedError(
                f"BigQuery {what} failed ({kind}: HTTP {exc.code} {type(exc).__name__}"
                f"{', reason ' + ','.join(reasons) if reasons else ''})",
                status=exc.code,
                reasons=tuple(reasons),
                about_billing=names_billing(exc),
            ) from None
        except auth_exceptions.GoogleAuthError as exc:
            raise token_failure(exc) from None
        except Exception as exc:
            if is_transient(exc):
                raise StorageUnreachableError(
                    f"BigQuery at {self._where} is unreachable ({type(exc).__name__}); check the network "
                    "and storage.bigquery.api_endpoint, then run again"
                ) from None
            raise

    def run_query(self, sql: str, params: dict[str, Any] | None = None) -> bigquery.QueryJob:
        """One query job under an id of its own, waited on through that id (``jobs.run_job``)."""
        config = bigquery.QueryJobConfig(query_parameters=[query_param(k, v) for k, v in (params or {}).items()])

        def begin(job_id: str) -> bigquery.QueryJob:
            return self.client.query(
                sql, job_config=config, job_id=job_id, location=self.location, retry=NO_RETRY, job_retry=None
            )

        with self.errors("query"):
            return run_job(self.client, begin, what="query", location=self.location)

    def load_file(
        self,
        path: Path,
        schema: list[bigquery.SchemaField],
        table: str | None = None,
        *,
        cluster_by: Sequence[str] = (),
    ) -> str:
        """Load an NDJSON file with one load job. Into ``table``, replacing its contents
        (WRITE_TRUNCATE, an atomic swap) and clustered by ``cluster_by``; without it, into a
        fresh staging table that expires within a day (``stages``), which the caller drops."""
        name = table or self.create_stage(schema)
        config = bigquery.LoadJobConfig(
            schema=schema,
            clustering_fields=list(cluster_by) or None,
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=(
                bigquery.WriteDisposition.WRITE_TRUNCATE if table else bigquery.WriteDisposition.WRITE_EMPTY
            ),
        )

        def begin(job_id: str) -> bigquery.LoadJob:
            with path.open("rb") as handle:  # each insert uploads the file from its start
                return self.client.load_table_from_file(
                    handle,
                    self.table_id(name),
                    job_config=config,
                    job_id=job_id,
                    location=self.location,
                    num_retries=0,
                )

        with self.errors(f"load into {name}"):
            run_job(self.client, begin, what="load", location=self.location)
        return name

    def create_stage(self, schema: list[bigquery.SchemaField]) -> str:
        name = stage_name()
        self.create_table(name, schema, expires=stage_expiry())
        return name

    def create_table(self, name: str, schema: list[bigquery.SchemaField], **options: Any) -> None:
        table = bigquery.Table(self.table_id(name), schema=schema)
        for key, value in options.items():
            setattr(table, key, value)
        self.call(f"create table {name}", lambda: self.client.create_table(table, exists_ok=True, retry=NO_RETRY))

    def drop_table(self, name: str) -> None:
        """Best effort, within seconds: a stage left behind expires and is swept (``stages``)."""
        with contextlib.suppress(Exception):
            self.client.delete_table(self.table_id(name), not_found_ok=True, retry=NO_RETRY, timeout=DROP_TIMEOUT)

    def sweep_stages(self) -> int:
        """Drop the staging tables earlier runs left behind; the number dropped."""
        now = datetime.now(UTC)

        def leftovers() -> list[str]:
            listed = self.client.list_tables(f"{self.client.project}.{self.dataset}", retry=NO_RETRY)
            return [t.table_id for t in listed if is_leftover(t.table_id, t.expires, now)]

        names = self.call("list staging tables", leftovers)
        for name in names:
            self.drop_table(name)
        return len(names)

    def load_rows(self, schema: list[bigquery.SchemaField], rows: Iterable[dict[str, Any]]) -> str:
        with spill_file(self.tmp_dir) as (path, handle):
            for row in rows:
                handle.write(orjson.dumps(row, default=str) + b"\n")
            handle.close()
            return self.load_file(path, schema)
