"""The BigQuery client wrapped for the step modules: queries and load jobs with the suite's
retries and PHI-safe errors, and table names qualified with the dataset.

The store extends it; the step modules (raw ingest, canonical, ledger, projections, reads)
take it, so they depend on it and never on the store.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import orjson
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exceptions
from google.cloud import bigquery

from lorchestra.exceptions import StorageRefusedError, StorageUnreachableError
from lorchestra.stack_clients.bigquery_store.access import names_billing, token_failure
from lorchestra.stack_clients.bigquery_store.retry import call_with_retry, is_transient
from lorchestra.stack_clients.bigquery_store.sql import query_param
from lorchestra.stack_clients.spill import spill_file

# The client's own retry would wait up to 600 s on a dead endpoint; retries are ours
# (tenacity, bounded, in retry.py), so every call is made with the client's turned off.
NO_RETRY: Any = None  # the client's annotations leave out None, which turns its retries off


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
        try:
            return call_with_retry(func)
        except gexc.GoogleAPICallError as exc:
            kind = "transient error persisted" if is_transient(exc) else "request refused"
            reasons = sorted({str(e.get("reason")) for e in exc.errors or [] if isinstance(e, dict)})
            # The message itself is withheld: BigQuery quotes offending values in it.
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
        config = bigquery.QueryJobConfig(query_parameters=[query_param(k, v) for k, v in (params or {}).items()])

        def run() -> bigquery.QueryJob:
            job = self.client.query(sql, job_config=config, location=self.location, retry=NO_RETRY, job_retry=None)
            job.result(retry=NO_RETRY)
            return job

        return cast(bigquery.QueryJob, self.call("query", run))

    def load_file(self, path: Path, schema: list[bigquery.SchemaField], table: str | None = None) -> str:
        """Load an NDJSON file with one load job, replacing the table's contents (WRITE_TRUNCATE,
        an atomic swap). Without ``table``, into a fresh staging table that the caller drops."""
        name = table or f"_stage_{uuid.uuid4().hex}"
        config = bigquery.LoadJobConfig(
            schema=schema,
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        )

        def load() -> None:
            with path.open("rb") as handle:
                self.client.load_table_from_file(
                    handle,
                    self.table_id(name),
                    job_config=config,
                    location=self.location,
                    num_retries=0,
                ).result(retry=NO_RETRY)

        self.call(f"load into {name}", load)
        return name

    def create_table(self, name: str, schema: list[bigquery.SchemaField], **options: Any) -> None:
        table = bigquery.Table(self.table_id(name), schema=schema)
        for key, value in options.items():
            setattr(table, key, value)
        self.call(f"create table {name}", lambda: self.client.create_table(table, exists_ok=True, retry=NO_RETRY))

    def drop_table(self, name: str) -> None:
        # staging tables are disposable; an orphan holds no more than its batch
        with contextlib.suppress(Exception):
            self.client.delete_table(self.table_id(name), not_found_ok=True)

    def load_rows(self, schema: list[bigquery.SchemaField], rows: Iterable[dict[str, Any]]) -> str:
        with spill_file(self.tmp_dir) as (path, handle):
            for row in rows:
                handle.write(orjson.dumps(row, default=str) + b"\n")
            handle.close()
            return self.load_file(path, schema)
