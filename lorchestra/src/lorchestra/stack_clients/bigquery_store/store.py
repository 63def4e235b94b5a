"""The BigQuery backend: each batch is loaded into a staging table by a load job and
applied with one MERGE. Never a DML statement per record."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from lorchestra.config import Config
from lorchestra.exceptions import StorageError
from lorchestra.stack_clients.bigquery_store import ddl
from lorchestra.stack_clients.bigquery_store.retry import call_with_retry, is_transient
from lorchestra.stack_clients.candidates import check_candidates
from lorchestra.stack_clients.faults import checkpoint, sql_fault
from lorchestra.stack_clients.jsonl_scan import BadLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_MISSING_ID,
    CanonicalRow,
    EventRow,
    InputRow,
    ObjectSpec,
    RejectRow,
    WriteCounts,
    dumps,
    extract_id,
    payload_hash,
    reject_for,
)
from lorchestra.stack_clients.projection import Column, check_table_name
from lorchestra.stack_clients.spill import spill_file

_BQ_TYPES = {"string": ("STRING", "NULLABLE"), "int": ("INT64", "NULLABLE"), "float": ("FLOAT64", "NULLABLE"),
             "bool": ("BOOL", "NULLABLE"), "timestamp": ("TIMESTAMP", "NULLABLE"),
             "string[]": ("STRING", "REPEATED")}
# The client's own retry would wait up to 600 s on a dead endpoint; retries are ours
# (tenacity, bounded, in retry.py), so every call is made with the client's turned off.
_NO_RETRY = None


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
        except Exception as exc:
            raise StorageError(
                f"cannot create a BigQuery client for project {section['project']}: {type(exc).__name__}; "
                "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file"
            ) from None
        return cls(client, str(section["dataset"]), tmp_dir=config.home.tmp_dir,
                   location=section.get("location"), where=endpoint or "BigQuery")

    # -- plumbing -------------------------------------------------------------------
    def table(self, name: str) -> str:
        return f"`{self.client.project}.{self.dataset}.{name}`"

    def _table_id(self, name: str) -> str:
        return f"{self.client.project}.{self.dataset}.{name}"

    def _call(self, what: str, func: Any) -> Any:
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

    def _query(self, sql: str, params: dict[str, Any] | None = None) -> bigquery.QueryJob:
        config = bigquery.QueryJobConfig(query_parameters=[_param(k, v) for k, v in (params or {}).items()])

        def run() -> bigquery.QueryJob:
            job = self.client.query(sql, job_config=config, location=self.location,
                                    retry=_NO_RETRY, job_retry=None)
            job.result(retry=_NO_RETRY)
            return job

        return self._call("query", run)

    def _load(self, path: Path, schema: list[bigquery.SchemaField]) -> str:
        """Load an NDJSON file into a fresh staging table; return its name (dropped by the caller)."""
        name = f"_stage_{uuid.uuid4().hex}"
        table_id = self._table_id(name)
        config = bigquery.LoadJobConfig(
            schema=schema, source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        )

        def load() -> None:
            with path.open("rb") as handle:
                self.client.load_table_from_file(
                    handle, table_id, job_config=config, location=self.location, num_retries=0,
                ).result(retry=_NO_RETRY)

        self._call("load job", load)
        return name

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_table(self._table_id(name), not_found_ok=True)
        except Exception:
            pass  # staging tables are disposable; an orphan holds no more than its batch

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        dataset = bigquery.Dataset(f"{self.client.project}.{self.dataset}")
        if self.location:
            dataset.location = self.location
        self._call("create dataset",
                   lambda: self.client.create_dataset(dataset, exists_ok=True, retry=_NO_RETRY))
        for name, definition in ddl.TABLES.items():
            table = bigquery.Table(self._table_id(name), schema=definition.schema)
            if definition.clustering:
                table.clustering_fields = definition.clustering
            if definition.partition_field:
                table.time_partitioning = bigquery.TimePartitioning(
                    type_=bigquery.TimePartitioningType.DAY, field=definition.partition_field)
            self._call(f"create table {name}",
                       lambda t=table: self.client.create_table(t, exists_ok=True, retry=_NO_RETRY))

    # -- raw objects ----------------------------------------------------------------
    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts:
        latest: dict[str, int] = {}
        rejects: list[RejectRow] = []
        inputs = 0
        for item in scan_jsonl(path):  # pass 1: which line is the latest of each key
            inputs += 1
            if isinstance(item, BadLine):
                rejects.append(reject_for(spec, job_name=job_name, rule=item.rule, field="$",
                                          digest=item.digest, external_id=None, line=item.ordinal))
                continue
            external_id = extract_id(item.record, spec.id_field)
            if external_id is None:
                rejects.append(reject_for(spec, job_name=job_name, rule=RULE_MISSING_ID, field=spec.id_field,
                                          digest=payload_hash(item.text), external_id=None, line=item.ordinal))
                continue
            latest[external_id] = item.ordinal
        superseded = inputs - len(rejects) - len(latest)
        keep = set(latest.values())
        with spill_file(self.tmp_dir) as (stage_path, handle):
            candidates = []
            for item in scan_jsonl(path):  # pass 2: stage the latest lines
                if isinstance(item, BadLine) or item.ordinal not in keep:
                    continue
                external_id = extract_id(item.record, spec.id_field)
                candidates.append((item.ordinal, external_id, item.text.decode("utf-8")))
                handle.write(dumps({
                    "ord": item.ordinal, "idem_key": spec.idem_key(str(external_id)),
                    "external_id": external_id, "payload_hash": payload_hash(item.text),
                    "payload": item.text.decode("utf-8"),
                }) + b"\n")
            handle.close()
            check = check_candidates(candidates, spec, job_name=job_name, record_number=lambda o: o)
            rejects += check.rejects
            stage = self._load(stage_path, ddl.RAW_STAGE) if keep else None
        reject_stage = self._stage_rejects(rejects, run_id)
        try:
            checkpoint("raw.staged")
            counts = WriteCounts(superseded=superseded, rejected=len(rejects))
            if stage:
                counts = self._count_raw(stage, check.rejected_ords, counts)
            checkpoint("raw.before_merge")
            self._apply_raw_batch(stage, reject_stage, spec, job_name, check.rejected_ords, now)
            return counts
        finally:
            for name in (stage, reject_stage):
                if name:
                    self._drop(name)

    def _count_raw(self, stage: str, bad: set[int], counts: WriteCounts) -> WriteCounts:
        row = next(iter(self._query(
            f"""SELECT COUNTIF(t.idem_key IS NULL) AS inserted,
                       COUNTIF(t.payload_hash != s.payload_hash) AS updated,
                       COUNTIF(t.payload_hash = s.payload_hash) AS unchanged
                FROM {self.table(stage)} s LEFT JOIN {self.table('raw_objects')} t ON t.idem_key = s.idem_key
                WHERE s.ord NOT IN UNNEST(@bad)""",
            {"bad": sorted(bad)},
        ).result()))
        return WriteCounts(inserted=row["inserted"], updated=row["updated"], unchanged=row["unchanged"],
                           superseded=counts.superseded, rejected=counts.rejected)

    def _apply_raw_batch(self, stage: str | None, reject_stage: str | None, spec: ObjectSpec,
                         job_name: str, bad: set[int], now: datetime) -> None:
        """One server-side transaction: the batch's one raw MERGE, then its rejects."""
        statements = []
        if stage:
            source = f"(SELECT * FROM {self.table(stage)} WHERE ord NOT IN UNNEST(@bad))"
            statements += [
                f"""MERGE {self.table('raw_objects')} T USING {source} S ON T.idem_key = S.idem_key
                    WHEN MATCHED AND T.payload_hash != S.payload_hash THEN UPDATE SET
                        payload = PARSE_JSON(S.payload), payload_hash = S.payload_hash,
                        schema_ref = @schema_ref, last_seen = @now
                    WHEN MATCHED THEN UPDATE SET last_seen = @now
                    WHEN NOT MATCHED THEN INSERT (idem_key, source_system, connection_name, object_type,
                        schema_ref, external_id, payload, payload_hash, first_seen, last_seen)
                      VALUES (S.idem_key, @system, @connection, @object_type, @schema_ref, S.external_id,
                        PARSE_JSON(S.payload), S.payload_hash, @now, @now);""",
                sql_fault("raw.merged"),
                f"""DELETE FROM {self.table('rejects')} WHERE job_name = @job AND input_idem_key IN
                    (SELECT idem_key FROM {source});""",
            ]
        if reject_stage:
            statements.append(self._merge_rejects_sql(reject_stage) + ";")
        statements.append(sql_fault("raw.before_commit"))
        script = "BEGIN TRANSACTION;\n" + "\n".join(s for s in statements if s) + "\nCOMMIT TRANSACTION;"
        params = {"bad": sorted(bad), "now": now, "schema_ref": spec.schema_ref, "job": job_name,
                  "system": spec.source.system, "connection": spec.source.connection,
                  "object_type": spec.object_type}
        try:
            self._query(_inline_params(script, params))
        except StorageError:
            checkpoint("raw.merged")  # an injected fault surfaces as such
            checkpoint("raw.before_commit")
            raise

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
            stage = self._load(path, ddl.CANONICAL_STAGE)
        try:
            target = self.table("canonical_objects")
            differs = ("T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash "
                       "OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref")
            row = next(iter(self._query(
                f"""SELECT COUNTIF(T.idem_key IS NULL) AS inserted,
                           COUNTIF(T.idem_key IS NOT NULL AND ({differs})) AS updated,
                           COUNTIF(T.idem_key IS NOT NULL AND NOT ({differs})) AS unchanged
                    FROM {self.table(stage)} S LEFT JOIN {target} T ON T.idem_key = S.idem_key"""
            ).result()))
            checkpoint("canonical.before_merge")
            self._query(
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
            self._drop(stage)
        return WriteCounts(inserted=row["inserted"], updated=row["updated"], unchanged=row["unchanged"],
                           superseded=total - len(latest))

    # -- rejects, events, incremental bookkeeping ------------------------------------------
    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
        stage = self._stage_rejects(list(rejects), run_id)
        if stage is None:
            return
        try:
            self._query(self._merge_rejects_sql(stage), {"now": now})
        finally:
            self._drop(stage)

    def _stage_rejects(self, rejects: list[RejectRow], run_id: str) -> str | None:
        unique = {r.reject_key: r for r in rejects}
        if not unique:
            return None
        return self._load_rows(ddl.REJECT_STAGE, (
            {"reject_key": key, "job_name": r.job_name, "input_key": r.input_key,
             "input_idem_key": r.input_idem_key, "source_system": r.source_system,
             "connection_name": r.connection_name, "object_type": r.object_type, "rule": r.rule,
             "field": r.field, "message": r.message, "payload_hash": r.payload_hash, "run_id": run_id}
            for key, r in unique.items()
        ))

    def _merge_rejects_sql(self, stage: str) -> str:
        columns = [f.name for f in ddl.REJECT_STAGE]
        return f"""MERGE {self.table('rejects')} T USING {self.table(stage)} S ON T.reject_key = S.reject_key
                   WHEN MATCHED THEN UPDATE SET last_seen = @now, message = S.message,
                       payload_hash = S.payload_hash, run_id = S.run_id
                   WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}, first_seen, last_seen)
                     VALUES ({', '.join('S.' + c for c in columns)}, @now, @now)"""

    def append_events(self, events: Sequence[EventRow]) -> None:
        if not events:
            return
        stage = self._load_rows(ddl.EVENT_STAGE, (
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
            self._query(f"INSERT INTO {self.table('event_log')} ({', '.join(columns)}) "
                        f"SELECT {values} FROM {self.table(stage)}")
        finally:
            self._drop(stage)

    def _load_rows(self, schema: list[bigquery.SchemaField], rows: Iterable[dict[str, Any]]) -> str:
        with spill_file(self.tmp_dir) as (path, handle):
            for row in rows:
                handle.write(orjson.dumps(row, default=str) + b"\n")
            handle.close()
            return self._load(path, schema)

    def changed_inputs(
        self, consumer: str, *, table: str, object_type: str, source_system: str | None = None,
        page_size: int = 1000,
    ) -> Iterator[list[InputRow]]:
        if table not in ("raw_objects", "canonical_objects"):
            raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
        system = "i.source_system" if table == "raw_objects" else "CAST(NULL AS STRING)"
        connection = "i.connection_name" if table == "raw_objects" else "CAST(NULL AS STRING)"
        keys = [r["idem_key"] for r in self._query(
            f"""SELECT i.idem_key FROM {self.table(table)} i
                LEFT JOIN {self.table('processed_inputs')} p
                  ON p.consumer = @consumer AND p.input_idem_key = i.idem_key
                WHERE i.object_type = @object_type AND (@system IS NULL OR {system} = @system)
                  AND (p.input_idem_key IS NULL OR p.input_payload_hash != i.payload_hash)
                ORDER BY i.idem_key""",
            {"consumer": consumer, "object_type": object_type, "system": source_system},
        ).result()]
        for start in range(0, len(keys), page_size):
            rows = self._query(
                f"""SELECT i.idem_key, i.object_type, i.payload_hash, TO_JSON_STRING(i.payload) AS payload,
                           {system} AS source_system, {connection} AS connection_name
                    FROM {self.table(table)} i WHERE i.idem_key IN UNNEST(@keys) ORDER BY i.idem_key""",
                {"keys": keys[start : start + page_size]},
            ).result()
            yield [InputRow(idem_key=r["idem_key"], object_type=r["object_type"],
                            payload_hash=r["payload_hash"], payload=orjson.loads(r["payload"]),
                            source_system=r["source_system"], connection_name=r["connection_name"])
                   for r in rows]

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None:
        if not items:
            return
        latest = {key: (digest, outcome) for key, digest, outcome in items}
        stage = self._load_rows(ddl.PROCESSED_STAGE, (
            {"input_idem_key": k, "input_payload_hash": d, "outcome": o} for k, (d, o) in latest.items()
        ))
        try:
            self._query(
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
            self._drop(stage)

    # -- projections and reads -----------------------------------------------------------
    def replace_table(self, name: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
        """One load job with WRITE_TRUNCATE: BigQuery swaps the table atomically."""
        table_id = self._table_id(check_table_name(name))
        schema = [bigquery.SchemaField(c.name, *_BQ_TYPES[c.type], description=c.description or None)
                  for c in columns]
        with spill_file(self.tmp_dir) as (path, handle):
            count = 0
            for row in rows:
                handle.write(orjson.dumps({c.name: row.get(c.name) for c in columns}, default=str) + b"\n")
                count += 1
            handle.close()
            if count == 0:  # a load job needs at least one byte: empty the table instead
                table = bigquery.Table(table_id, schema=schema)
                self._call(f"create {name}", lambda: self.client.create_table(table, exists_ok=True, retry=_NO_RETRY))
                self._query(f"TRUNCATE TABLE {self.table(name)}")
                return 0
            config = bigquery.LoadJobConfig(
                schema=schema, source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
                write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            )

            def load() -> None:
                with path.open("rb") as source:
                    self.client.load_table_from_file(
                        source, table_id, job_config=config, location=self.location, num_retries=0,
                    ).result(retry=_NO_RETRY)

            self._call(f"load of {name}", load)
        return count

    def read_objects(self, table: str, object_type: str) -> Iterator[tuple[str, Any]]:
        if table not in ("raw_objects", "canonical_objects"):
            raise ValueError(f"objects live in raw_objects or canonical_objects, not {table!r}")
        rows = self._query(
            f"SELECT idem_key, TO_JSON_STRING(payload) AS payload FROM {self.table(table)} "
            "WHERE object_type = @t ORDER BY idem_key", {"t": object_type},
        ).result()
        for row in rows:
            yield row["idem_key"], orjson.loads(row["payload"])

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [dict(row.items()) for row in self._query(sql, params).result()]

    def close(self) -> None:
        self.client.close()


def _inline_params(sql: str, params: dict[str, Any]) -> str:
    """Write ``@name`` parameters into a script as literals.

    Used for multi-statement transactions only, whose values are the suite's own
    identifiers (names, record numbers, a timestamp), never record contents: the
    emulator does not pass query parameters into scripts.
    """
    return re.sub(r"@(\w+)", lambda m: _literal(params[m.group(1)]), sql)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        if not items:
            return "ARRAY<INT64>[]"
        return "[" + ", ".join(_literal(v) for v in items) + "]"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _param(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        # An empty list is an INT64 array: the only empty arrays passed are record numbers.
        kind = "INT64" if all(isinstance(v, int) for v in items) else "STRING"
        return bigquery.ArrayQueryParameter(name, kind, items)
    if isinstance(value, bool):
        return bigquery.ScalarQueryParameter(name, "BOOL", value)
    if isinstance(value, int):
        return bigquery.ScalarQueryParameter(name, "INT64", value)
    if isinstance(value, datetime):
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", value)
    return bigquery.ScalarQueryParameter(name, "STRING", None if value is None else str(value))
