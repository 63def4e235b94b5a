"""What a run would scan, before the first run: every statement sent as a BigQuery dry run.

A dry run is free and writes nothing; BigQuery answers with the bytes the statement would
process. :func:`estimate_run` performs one small batch of each store operation the lanes
use (raw ingest, canonical upsert, incremental selection, reads by key, the processed
ledger, projection changes, audit events) on a store whose queries are all dry runs:
staging tables are created empty instead of loaded (loads are free) and dropped after, a
multi-statement transaction is sent statement by statement (BigQuery estimates a script
poorly), and each query answers one placeholder row so that the step goes on to send the
statement that follows it. Table ids, statement kinds and byte counts only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from google.cloud import bigquery

from lorchestra.config import Config
from lorchestra.exceptions import ConfigError
from lorchestra.stack_clients.bigquery_store.jobs import NO_RETRY
from lorchestra.stack_clients.bigquery_store.sql import query_param
from lorchestra.stack_clients.bigquery_store.stages import STAGE_PREFIX
from lorchestra.stack_clients.bigquery_store.store import BigQueryStore
from lorchestra.stack_clients.model import CanonicalRow, EventRow, ObjectSpec, Source
from lorchestra.stack_clients.projection import RowsChange
from lorchestra.stack_clients.tables import CORE_TABLES

_VERB = re.compile(r"^\s*(MERGE|INSERT\s+INTO|DELETE\s+FROM|UPDATE|TRUNCATE\s+TABLE|SELECT)\b", re.IGNORECASE)
_TABLE = re.compile(r"`[^`]*\.(\w+)`")
_SAMPLE: dict[str, Any] = {"string": "dry-run", "int": 0, "float": 0.0, "bool": False, "string[]": [], "json": {}}
_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK)(\s+TRANSACTION)?\s*$", re.IGNORECASE)


@dataclass
class Estimate:
    """Bytes each statement would process, in the order sent: ``(kind, bytes)``."""

    statements: list[tuple[str, int]] = field(default_factory=list)

    @property
    def by_kind(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for kind, scanned in self.statements:
            totals[kind] += scanned
        return dict(totals)

    @property
    def total(self) -> int:
        return sum(scanned for _, scanned in self.statements)


def estimate_run(config: Config) -> Estimate:
    """Dry-run one representative batch of each store operation against the configured
    dataset (its tables must exist: ``lorc init``); nothing is written but empty staging
    tables, which are dropped again."""
    if config.backend != "bigquery":
        raise ConfigError(
            f"storage.backend is {config.backend}: a dry run estimates BigQuery; set storage.backend: bigquery "
            "and storage.bigquery (project, dataset, location) in config"
        )
    store = cast(DryRunStore, DryRunStore.from_config(config))  # from_config builds cls
    try:
        _representative_run(store)
    finally:
        store.close()
    return store.estimate


class DryRunStore(BigQueryStore):
    """The BigQuery store with every query a dry run, recording what each would scan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estimate = Estimate()
        self.operation = "setup"

    def run_query(self, sql: str, params: dict[str, Any] | None = None) -> bigquery.QueryJob:
        config = bigquery.QueryJobConfig(
            dry_run=True,
            use_query_cache=False,
            query_parameters=[query_param(k, v) for k, v in (params or {}).items()],
        )
        schema: Sequence[bigquery.SchemaField] = ()
        for statement in statements_of(sql):
            job = self.call(
                f"dry run of {self.operation}",
                lambda s=statement: self.client.query(
                    s, job_config=config, location=self.location, retry=NO_RETRY, job_retry=None
                ),
            )
            self.estimate.statements.append(
                (f"{self.operation}: {statement_kind(statement)}", job.total_bytes_processed or 0)
            )
            schema = job.schema or ()
        return cast(bigquery.QueryJob, _Answered(schema))

    def load_file(
        self,
        path: Path,
        schema: list[bigquery.SchemaField],
        table: str | None = None,
        *,
        cluster_by: Sequence[str] = (),
    ) -> str:
        """No load: a stage is created empty (loads are free), a table to replace is left alone."""
        self.estimate.statements.append((f"{self.operation}: load job (free)", 0))
        return table or self.create_stage(schema)


class _Answered:
    """What a dry-run query job answers to ``result()``: one placeholder row, so that the
    next statement of each step is sent too."""

    def __init__(self, schema: Sequence[bigquery.SchemaField]) -> None:
        self.schema = list(schema)

    def result(self) -> _Rows:
        values = {**_PLACEHOLDERS, "TIMESTAMP": datetime.now(UTC)}
        rows = _Rows([_Placeholder({f.name: values.get(f.field_type, "0") for f in self.schema})])
        rows.schema = self.schema
        return rows


class _Rows(list[Any]):
    schema: list[bigquery.SchemaField] = []


# A value of each type a step reads from an answer (the dry run says the answer's schema).
# Counts read 1: a batch then finds one stored row and sends its MERGE, the dearer path;
# times read now: that row lies in this month's partition, where a run's new data lands,
# so the MERGE and the page reads are priced against it (older partitions a real run
# may also touch are not).
_PLACEHOLDERS: dict[str, Any] = {
    "INTEGER": 1,
    "INT64": 1,
    "FLOAT": 0.0,
    "FLOAT64": 0.0,
    "BOOLEAN": False,
    "BOOL": False,
}


class _Placeholder(dict[str, Any]):
    """A column the schema does not name reads as ``"0"``: a count, a key and a JSON payload alike."""

    def __missing__(self, key: str) -> str:
        return "0"


def statements_of(sql: str) -> list[str]:
    """The statements of a script, without its transaction control; quotes respected."""
    statements, current, quote = [], [], ""
    escaped = False
    for char in sql:
        current.append(char)
        if escaped:
            escaped = False
        elif char == "\\" and quote:
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == ";":
            statements.append("".join(current[:-1]))
            current = []
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip() and not _CONTROL.match(s)]


def statement_kind(statement: str) -> str:
    """``VERB table`` (``SELECT raw_objects``, ``MERGE processed_inputs``); stages as ``_stage``."""
    verb = _VERB.match(statement)
    tables = _TABLE.findall(statement)
    name = next((t for t in tables if not t.startswith(STAGE_PREFIX)), tables[0] if tables else "")
    name = "_stage" if name.startswith(STAGE_PREFIX) else name
    return f"{verb.group(1).split()[0].upper() if verb else 'SCRIPT'} {name}".strip()


def _representative_run(store: DryRunStore) -> None:
    now = datetime.now(UTC)
    spec = ObjectSpec(Source("lorc_dry_run", "dry_run"), "note")
    store.operation = "raw ingest"
    path = store.tmp_dir / "dry_run.jsonl"
    path.write_text('{"id": "dry-run-1", "text": "synthetic"}\n')
    try:
        store.ingest_raw_file(path, spec, job_name="dry_run", run_id="dry-run", now=now)
    finally:
        path.unlink(missing_ok=True)
    store.operation = "changed_inputs"
    for _ in store.changed_inputs("dry_run", table="raw_objects", object_type="note"):
        pass
    store.operation = "read_objects"
    list(store.read_objects("raw_objects", "note", keys=["dry-run-1"]))
    store.operation = "canonical upsert"
    store.upsert_canonical(
        [
            CanonicalRow(
                idem_key="dry-run-1",
                object_type="note",
                schema_ref="iglu:dry/run/jsonschema/1-0-0",
                source_idem_key="dry-run-1",
                source_payload_hash="0",
                transform_ref="dry_run@1",
                payload={"text": "synthetic"},
            )
        ],
        run_id="dry-run",
        now=now,
    )
    store.operation = "mark_processed"
    store.mark_processed("dry_run", [("dry-run-1", "0", "ok")], run_id="dry-run", now=now)
    store.operation = "replace_rows"
    state = CORE_TABLES["job_state"]
    row = {c.name: _SAMPLE[c.type] if c.type != "timestamp" else now for c in state.columns}
    store.replace_rows([RowsChange("job_state", state.columns, state.key[0], [str(row[state.key[0]])], [row])])
    store.operation = "replace_table"
    store.replace_table("job_state", state.columns, [row])
    store.operation = "append_events"
    store.append_events(
        [
            EventRow(
                event_id="dry-run",
                event_type="dry_run",
                source_system=None,
                connection_name=None,
                target_object_type=None,
                event_schema_ref=None,
                correlation_id="dry-run",
                trace_id=None,
                created_at=now,
                status="ok",
                error_message=None,
                payload={},
            )
        ]
    )
