"""What the BigQuery step modules need of the store: queries, load jobs, table names.

A protocol, so the step modules (raw ingest, projections, reads) depend on this and the
store on them, never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from google.cloud import bigquery

from lorchestra.stack_clients.model import RejectRow


class Plumbing(Protocol):
    tmp_dir: Path

    def table(self, name: str) -> str:
        """``name`` qualified with project and dataset, quoted for SQL."""
        ...

    def run_query(self, sql: str, params: dict[str, Any] | None = None) -> bigquery.QueryJob: ...

    def load_file(self, path: Path, schema: list[bigquery.SchemaField], table: str | None = None) -> str: ...

    def load_rows(self, schema: list[bigquery.SchemaField], rows: Iterable[dict[str, Any]]) -> str: ...

    def drop_table(self, name: str) -> None: ...

    def stage_rejects(self, rejects: list[RejectRow], run_id: str) -> str | None: ...

    def merge_rejects_sql(self, stage: str) -> str: ...
