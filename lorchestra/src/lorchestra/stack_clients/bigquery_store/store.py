"""The BigQuery backend: each batch is loaded into a staging table by a load job and
applied with one MERGE. Never a DML statement per record."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from lorchestra.config import Config
from lorchestra.exceptions import StorageError
from lorchestra.stack_clients.bigquery_store import ddl, partial, raw_ingest
from lorchestra.stack_clients.bigquery_store.partial import column_schema
from lorchestra.stack_clients.bigquery_store.retry import call_with_retry, is_transient
from lorchestra.stack_clients.bigquery_store.sql import query_param
from lorchestra.stack_clients.faults import checkpoint
from lorchestra.stack_clients.json_rules import UnreadableHandler, read_stored
from lorchestra.stack_clients.model import (
    CanonicalRow,
    EventRow,
    InputRow,
    ObjectSpec,
    RejectRow,
    WriteCounts,
    dumps,
    payload_hash,
)
from lorchestra.stack_clients.projection import (
    Column,
    RowsChange,
    check_field_name,
    check_table_name,
)
from lorchestra.stack_clients.spill import spill_file

# The client's own retry would wait up to 600 s on a dead endpoint; retries are ours
# (tenacity, bounded, in retry.py), so every call is made with the client's turned off.
_NO_RETRY: Any = None  # typed Any: the library's annotations leave out None, its documented "no retry"
T = TypeVar("T")


class BigQueryStore:
    backend = "bigquery"

    def __init__(self, client: bigquery.Client, dataset: str, *, tmp_dir: Path,
                 location: str | None = None, where: str = "BigQuery") -> None:
        self.client = client
        self.dataset = dataset
        self.location = location
        self.tmp_dir = tmp_dir
        self._where = where

    @classmethod
    def from_config(cls, config: Config) -> BigQueryStore:
        section = config.section("storage", "bigquery")
        if not section.get("project") or not section.get("dataset"):
            raise StorageError("storage.bigquery.project and storage.bigquery.dataset must be set in config")
        endpoint = section.get("api_endpoint")
        kwargs: dict[str, Any] = {"project": section["project"]}
        key_file = config.secrets.get("GOOGLE_APPLICATION_CREDENTIALS")
        if key_file:  # may come from $LORC_HOME/.env, which the client library never reads
            from google.oauth2 import service_account

            try:
                kwargs["credentials"] = service_account.Credentials.from_service_account_file(key_file)
            except (OSError, ValueError) as exc:
                raise StorageError(
                    f"GOOGLE_APPLICATION_CREDENTIALS names {key_file}, which is not a readable "
                    f"service-account key ({type(exc).__name__})"
                ) from None
        if endpoint:
            from google.api_core.client_options import ClientOptions

            kwargs["client_options"] = ClientOptions(api_endpoint=endpoint)
            if not key_file:
                from google.auth.credentials import AnonymousCredentials

                kwargs["credentials"] = AnonymousCredentials()  # a local emulator needs none
        try:
            client = bigquery.Client(**kwargs)
        except Exception as exc:  # noqa: BLE001 - the client's errors quote settings; named by type only
            raise StorageError(
                f"cannot create a BigQuery client for project {section['project']}: {type(exc).__name__}; "
                "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file"
            ) from None
        return cls(client, str(section["dataset"]), tmp_dir=config.home.tmp_dir,
                   location=section.get("location"), where=endpoint or "BigQuery")

    # -- plumbing -------------------------------------------------------------------
    def table(self, name: str) -> str:
        return f"`{self.client.project}.{self.dataset}.{name}`"

    def table_id(self, name: str) -> str:
        return f"{self.client.project}.{self.dataset}.{name}"

    def call(self, what: str, func: Callable[[], T]) -> T:
        try:
            return call_with_retry(func)
        except gexc.GoogleAPICallError as exc:
            kind = "transient error persisted" if is_transient(exc) else "request refused"
            reasons = ",".join(sorted({str(e.get("reason")) for e in exc.errors or [] if isinstance(e, dict)}))
            # The message itself is withheld: BigQuery quotes offending values in it.
            raise StorageError(
                f"BigQuery {what} failed ({kind}: HTTP {exc.code} {type(exc).__name__}"
                f"{', reason ' + reasons if reasons else ''})"
            ) from None
        except Exception as exc:
            if is_transient(exc):
                raise StorageError(
                    f"BigQuery at {self._where} is unreachable ({type(exc).__name__}); check the network "
                    "and storage.bigquery.api_endpoint, then run again"
                ) from None
            raise

    def run_query(self, sql: str, params: dict[str, Any] | None = None) -> bigquery.QueryJob:
        config = bigquery.QueryJobConfig(query_parameters=[query_param(k, v) for k, v in (params or {}).items()])

        def run() -> bigquery.QueryJob:
            job = self.client.query(sql, job_config=config, location=self.location,
                                    retry=_NO_RETRY, job_retry=None)
            job.result(retry=_NO_RETRY)
            return job

        return self.call("query", run)

    def load_file(self, path: Path, schema: list[bigquery.SchemaField], table: str | None = None) -> str:
        """Load an NDJSON file with one load job, replacing the table's contents (WRITE_TRUNCATE,
        an atomic swap). Without ``table``, into a fresh staging table that the caller drops."""
        name = table or f"_stage_{uuid.uuid4().hex}"
        config = bigquery.LoadJobConfig(
            schema=schema, source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        )

        def load() -> None:
            with path.open("rb") as handle:
                self.client.load_table_from_file(
                    handle, self.table_id(name), job_config=config, location=self.location, num_retries=0,
                ).result(retry=_NO_RETRY)

        self.call(f"load into {name}", load)
        return name

    def create_table(self, name: str, schema: list[bigquery.SchemaField], **options: Any) -> None:
        table = bigquery.Table(self.table_id(name), schema=schema)
        for key, value in options.items():
            setattr(table, key, value)
        self.call(f"create table {name}", lambda: self.client.create_table(table, exists_ok=True, retry=_NO_RETRY))

    def drop_table(self, name: str) -> None:
        # Staging tables are disposable; an orphan holds no more than its batch.
        with contextlib.suppress(Exception):
            self.client.delete_table(self.table_id(name), not_found_ok=True)

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        dataset = bigquery.Dataset(f"{self.client.project}.{self.dataset}")
        if self.location:
            dataset.location = self.location
        self.call("create dataset",
                   lambda: self.client.create_dataset(dataset, exists_ok=True, retry=_NO_RETRY))
        for name, definition in ddl.TABLES.items():
            options: dict[str, Any] = {}
            if definition.clustering:
                options["clustering_fields"] = definition.clustering
            if definition.partition_field:
                options["time_partitioning"] = bigquery.TimePartitioning(
                    type_=bigquery.TimePartitioningType.DAY, field=definition.partition_field)
            self.create_table(name, definition.schema, **options)

    # -- raw objects ----------------------------------------------------------------
    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts:
        return raw_ingest.ingest_raw_file(self, path, spec, job_name=job_name, run_id=run_id, now=now)

    # -- canonical objects ---------------------------------------------------------------
    def upsert_canonical(self, rows: Iterable[CanonicalRow], *, run_id: str, now: datetime) -> WriteCounts:
        latest: dict[str, tuple[int, bytes]] = {}
        total = 0
        for row in rows:
            total += 1
            text = dumps(row.payload)
            latest[row.idem_key] = (total, dumps({
                "ord": total, "idem_key": row.idem_key, "object_type": row.object_type,
                "schema_ref": row.schema_ref, "source_idem_key": row.source_idem_key,
                "source_payload_hash": row.source_payload_hash, "transform_ref": row.transform_ref,
                "payload_hash": payload_hash(text), "payload": text.decode("utf-8"),
            }))
        if not latest:
            return WriteCounts()
        with spill_file(self.tmp_dir) as (path, handle):
            for _, line in latest.values():
                handle.write(line + b"\n")
            handle.close()
            stage = self.load_file(path, ddl.CANONICAL_STAGE)
        try:
            target = self.table("canonical_objects")
            differs = ("T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash "
                       "OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref")
            row = next(iter(self.run_query(
                f"""SELECT COUNTIF(T.idem_key IS NULL) AS inserted,
                           COUNTIF(T.idem_key IS NOT NULL AND ({differs})) AS updated,
                           COUNTIF(T.idem_key IS NOT NULL AND NOT ({differs})) AS unchanged
                    FROM {self.table(stage)} S LEFT JOIN {target} T ON T.idem_key = S.idem_key"""
            ).result()))
            checkpoint("canonical.before_merge")
            self.run_query(
                f"""MERGE {target} T USING {self.table(stage)} S ON T.idem_key = S.idem_key
                    WHEN MATCHED AND ({differs}) THEN UPDATE SET schema_ref = S.schema_ref,
                        source_idem_key = S.source_idem_key, source_payload_hash = S.source_payload_hash,
                        transform_ref = S.transform_ref, payload = PARSE_JSON(S.payload),
                        payload_hash = S.payload_hash, updated_at = @now, last_seen = @now
                    WHEN MATCHED THEN UPDATE SET last_seen = @now
                    WHEN NOT MATCHED THEN INSERT (idem_key, object_type, schema_ref, source_idem_key,
                        source_payload_hash, transform_ref, payload, payload_hash, created_at, updated_at,
                        last_seen)
                      VALUES (S.idem_key, S.object_type, S.schema_ref, S.source_idem_key,
                        S.source_payload_hash, S.transform_ref, PARSE_JSON(S.payload), S.payload_hash,
                        @now, @now, @now)""",
                {"now": now},
            )
        finally:
            self.drop_table(stage)
        return WriteCounts(inserted=row["inserted"], updated=row["updated"], unchanged=row["unchanged"],
                           superseded=total - len(latest))

    # -- rejects, events, incremental bookkeeping ------------------------------------------
    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
        stage = self.stage_rejects(list(rejects), run_id)
        if stage is None:
            return
        try:
            self.run_query(self.merge_rejects_sql(stage), {"now": now})
        finally:
            self.drop_table(stage)

    def stage_rejects(self, rejects: list[RejectRow], run_id: str) -> str | None:
        unique = {r.reject_key: r for r in rejects}
        if not unique:
            return None
        return self.load_rows(ddl.REJECT_STAGE, (
            {"reject_key": key, "job_name": r.job_name, "input_key": r.input_key,
             "input_idem_key": r.input_idem_key, "source_system": r.source_system,
             "connection_name": r.connection_name, "object_type": r.object_type, "rule": r.rule,
             "field": r.field, "message": r.message, "payload_hash": r.payload_hash, "run_id": run_id}
            for key, r in unique.items()
        ))

    def merge_rejects_sql(self, stage: str) -> str:
        columns = [f.name for f in ddl.REJECT_STAGE]
        return f"""MERGE {self.table('rejects')} T USING {self.table(stage)} S ON T.reject_key = S.reject_key
                   WHEN MATCHED THEN UPDATE SET last_seen = @now, message = S.message,
                       payload_hash = S.payload_hash, run_id = S.run_id
                   WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}, first_seen, last_seen)
                     VALUES ({', '.join('S.' + c for c in columns)}, @now, @now)"""

    def append_events(self, events: Sequence[EventRow]) -> None:
        if not events:
            return
        stage = self.load_rows(ddl.EVENT_STAGE, (
            {"event_id": e.event_id, "event_type": e.event_type, "source_system": e.source_system,
             "connection_name": e.connection_name, "target_object_type": e.target_object_type,
             "event_schema_ref": e.event_schema_ref, "correlation_id": e.correlation_id,
             "trace_id": e.trace_id, "created_at": e.created_at.isoformat(), "status": e.status,
             "error_message": e.error_message, "payload": dumps(e.payload).decode()}
            for e in events
        ))
        try:
            columns = [f.name for f in ddl.EVENT_STAGE]
            values = ", ".join("PARSE_JSON(payload)" if c == "payload" else c for c in columns)
            self.run_query(f"INSERT INTO {self.table('event_log')} ({', '.join(columns)}) "
                        f"SELECT {values} FROM {self.table(stage)}")
        finally:
            self.drop_table(stage)

    def load_rows(self, schema: list[bigquery.SchemaField], rows: Iterable[dict[str, Any]]) -> str:
        with spill_file(self.tmp_dir) as (path, handle):
            for row in rows:
                handle.write(orjson.dumps(row, default=str) + b"\n")
            handle.close()
            return self.load_file(path, schema)

    def changed_inputs(
        self, consumer: str, *, table: str, object_type: str, source_system: str | None = None,
        page_size: int = 1000,
    ) -> Iterator[list[InputRow]]:
        if table not in ("raw_objects", "canonical_objects"):
            raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
        system = "i.source_system" if table == "raw_objects" else "CAST(NULL AS STRING)"
        connection = "i.connection_name" if table == "raw_objects" else "CAST(NULL AS STRING)"
        keys = [r["idem_key"] for r in self.run_query(
            f"""SELECT i.idem_key FROM {self.table(table)} i
                LEFT JOIN {self.table('processed_inputs')} p
                  ON p.consumer = @consumer AND p.input_idem_key = i.idem_key
                WHERE i.object_type = @object_type AND (@system IS NULL OR {system} = @system)
                  AND (p.input_idem_key IS NULL OR p.input_payload_hash != i.payload_hash)
                ORDER BY i.idem_key""",
            {"consumer": consumer, "object_type": object_type, "system": source_system},
        ).result()]
        for start in range(0, len(keys), page_size):
            rows = self.run_query(
                f"""SELECT i.idem_key, i.object_type, i.payload_hash, TO_JSON_STRING(i.payload) AS payload,
                           {system} AS source_system, {connection} AS connection_name, i.schema_ref
                    FROM {self.table(table)} i WHERE i.idem_key IN UNNEST(@keys) ORDER BY i.idem_key""",
                {"keys": keys[start : start + page_size]},
            ).result()
            yield [InputRow(idem_key=r["idem_key"], object_type=r["object_type"],
                            payload_hash=r["payload_hash"], payload_text=r["payload"],
                            source_system=r["source_system"], connection_name=r["connection_name"],
                            schema_ref=r["schema_ref"])
                   for r in rows]

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None:
        if not items:
            return
        latest = {key: (digest, outcome) for key, digest, outcome in items}
        stage = self.load_rows(ddl.PROCESSED_STAGE, (
            {"input_idem_key": k, "input_payload_hash": d, "outcome": o} for k, (d, o) in latest.items()
        ))
        try:
            self.run_query(
                f"""MERGE {self.table('processed_inputs')} T USING {self.table(stage)} S
                    ON T.consumer = @consumer AND T.input_idem_key = S.input_idem_key
                    WHEN MATCHED THEN UPDATE SET input_payload_hash = S.input_payload_hash,
                        outcome = S.outcome, processed_at = @now, run_id = @run_id
                    WHEN NOT MATCHED THEN INSERT (consumer, input_idem_key, input_payload_hash, outcome,
                        processed_at, run_id)
                      VALUES (@consumer, S.input_idem_key, S.input_payload_hash, S.outcome, @now, @run_id)""",
                {"consumer": consumer, "now": now, "run_id": run_id},
            )
        finally:
            self.drop_table(stage)

    # -- projections and reads -----------------------------------------------------------
    def replace_table(self, name: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
        """One load job with WRITE_TRUNCATE: BigQuery swaps the table atomically."""
        check_table_name(name)
        schema = column_schema(columns)
        with spill_file(self.tmp_dir) as (path, handle):
            count = 0
            for row in rows:
                handle.write(orjson.dumps({c.name: row.get(c.name) for c in columns}, default=str) + b"\n")
                count += 1
            handle.close()
            if count == 0:  # a load job needs at least one byte: empty the table instead
                self.create_table(name, schema)
                self.run_query(f"TRUNCATE TABLE {self.table(name)}")
                return 0
            self.load_file(path, schema, table=name)
        return count

    def has_table(self, name: str) -> bool:
        def look_up() -> bool:
            try:
                self.client.get_table(self.table_id(name), retry=_NO_RETRY)
            except gexc.NotFound:
                return False
            return True

        return bool(self.call(f"look up {name}", look_up))

    def ensure_table(self, name: str, columns: Sequence[Column]) -> None:
        self.create_table(check_table_name(name), column_schema(columns))

    def read_objects(self, table: str, object_type: str, *, drop_fields: Sequence[str] = (),
                     updated_after: datetime | None = None, keys: Sequence[str] | None = None,
                     field_in: tuple[str, Sequence[str]] | None = None,
                     on_unreadable: UnreadableHandler | None = None) -> Iterator[tuple[str, Any]]:
        if table not in ("raw_objects", "canonical_objects"):
            raise ValueError(f"objects live in raw_objects or canonical_objects, not {table!r}")
        where = ["object_type = @t"]
        params: dict[str, Any] = {"t": object_type}
        if updated_after is not None:
            where.append("updated_at > @since")
            params["since"] = updated_after
        if keys is not None:
            where.append("idem_key IN UNNEST(@keys)")
            params["keys"] = list(keys)
        if field_in is not None:
            where.append(f"JSON_VALUE(payload, '$.{check_field_name(field_in[0])}') IN UNNEST(@values)")
            params["values"] = list(field_in[1])
        rows = self.run_query(
            f"SELECT idem_key, TO_JSON_STRING(payload) AS payload FROM {self.table(table)} "
            f"WHERE {' AND '.join(where)} ORDER BY idem_key", params,
        ).result()
        yield from read_stored(((row["idem_key"], row["payload"]) for row in rows), drop_fields, on_unreadable)

    def lookup_rows(self, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
                    ) -> list[dict[str, Any]]:
        return partial.lookup_rows(self, name, key_column, keys, columns)

    def replace_rows(self, changes: Sequence[RowsChange]) -> list[int]:
        return partial.replace_rows(self, changes)

    def publish_views(self, names: Sequence[str], *, if_missing: bool = False) -> list[str]:
        """Nothing to do: BigQuery serves readers while a run writes; they read the tables."""
        return [self.table_id(check_table_name(name)) for name in names]

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [dict(row.items()) for row in self.run_query(sql, params).result()]

    def close(self) -> None:
        self.client.close()

