"""The embedded default backend: one DuckDB file in the PHI home, one writer at a time."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from lorchestra.exceptions import StorageError, WarehouseLockedError
from lorchestra.stack_clients.duckdb_store import partial, raw_ingest
from lorchestra.stack_clients.duckdb_store.ddl import TABLES
from lorchestra.stack_clients.duckdb_store.holders import holder_in_error
from lorchestra.stack_clients.duckdb_store.partial import DUCK_TYPES
from lorchestra.stack_clients.duckdb_store.snapshots import publish_snapshot
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
from lorchestra.stack_clients.spill import duckdb_temp_dir, spill_file
from lorchestra.stack_clients.views import sql_string
from lorchestra.umask import hold_private_umask, release_private_umask

READ_BATCH_ROWS = 2048
# Row groups of 16k rows instead of DuckDB's 122,880: a batch of tens of thousands of
# records then fills whole row groups, which DuckDB writes straight into the file at
# insert time; with the default, a 90k-record batch went to the WAL and was copied
# again at checkpoint (first-pass ingest 4.9 s -> 3 s for 100k Gmail messages).
ROW_GROUP_SIZE = 16_384


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
            self._con = self._connect(path, memory_limit=memory_limit, threads=threads, read_only=read_only)
        except BaseException:
            self._release_umask()
            raise
        if path.exists():
            path.chmod(0o600)

    def _connect(self, path: Path, *, memory_limit: str, threads: int | None,
                 read_only: bool) -> duckdb.DuckDBPyConnection:
        # DuckDB's own default for temporary files is `.tmp` in the working directory.
        config: dict[str, Any] = {"memory_limit": memory_limit,
                                  "temp_directory": str(duckdb_temp_dir(self.tmp_dir, read_only=read_only))}
        if threads:
            config["threads"] = threads
        try:
            con = duckdb.connect(":memory:", config=config)
            con.execute("SET TimeZone = 'UTC'")
            con.execute(
                f"ATTACH {sql_string(str(path))} AS warehouse "
                f"({'READ_ONLY' if read_only else f'ROW_GROUP_SIZE {ROW_GROUP_SIZE}'})"
            )
            con.execute("USE warehouse")
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                holder = holder_in_error(text)
                raise WarehouseLockedError(
                    f"the warehouse {path} is in use by {holder}; wait for it or close its connection "
                    "(to read beside lorc, use the published views: README, `Reading the views`), "
                    "or pass --wait SECONDS", holder=holder,
                ) from None
            raise StorageError(f"cannot open the warehouse {path}: {type(exc).__name__}") from None
        return con

    # -- schema -----------------------------------------------------------------
    def ensure_schema(self) -> None:
        for ddl in TABLES.values():
            self._con.execute(ddl)

    def table(self, name: str) -> str:
        return name

    # -- writes -----------------------------------------------------------------
    def ingest_raw_file(
        self, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
    ) -> WriteCounts:
        return raw_ingest.ingest_raw_file(
            self._con, path, spec, job_name=job_name, run_id=run_id, now=now,
            tmp_dir=self.tmp_dir, write_rejects=self._upsert_rejects_in_txn,
        )

    def upsert_canonical(self, rows: Iterable[CanonicalRow], *, run_id: str, now: datetime) -> WriteCounts:
        """Stage canonical rows through a private JSONL file, then classify and write in one transaction."""
        with spill_file(self.tmp_dir) as (path, handle):
            latest: dict[str, int] = {}
            total = 0
            for row in rows:
                text = dumps(row.payload)
                handle.write(
                    dumps({
                        "idem_key": row.idem_key, "object_type": row.object_type,
                        "schema_ref": row.schema_ref, "source_idem_key": row.source_idem_key,
                        "source_payload_hash": row.source_payload_hash,
                        "transform_ref": row.transform_ref, "payload_hash": payload_hash(text),
                        "payload": orjson.Fragment(text),
                    }) + b"\n"
                )
                total += 1
                latest[row.idem_key] = total
            handle.close()
            if not total:
                return WriteCounts()
            return self._write_canonical(path, total - len(latest), now)

    def _write_canonical(self, path: Path, superseded: int, now: datetime) -> WriteCounts:
        con = self._con
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _cstage AS
            SELECT * FROM (
                SELECT *, ordinality AS ord FROM read_json($file, format = 'newline_delimited',
                    columns = {idem_key: 'VARCHAR', object_type: 'VARCHAR', schema_ref: 'VARCHAR',
                               source_idem_key: 'VARCHAR', source_payload_hash: 'VARCHAR',
                               transform_ref: 'VARCHAR', payload_hash: 'VARCHAR', payload: 'JSON'})
                WITH ORDINALITY)
            QUALIFY row_number() OVER (PARTITION BY idem_key ORDER BY ord DESC) = 1
            """,
            {"file": str(path)},
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ccls AS
            SELECT s.idem_key,
                   CASE WHEN c.idem_key IS NULL THEN 'new'
                        WHEN c.payload_hash <> s.payload_hash OR c.source_payload_hash <> s.source_payload_hash
                          OR c.transform_ref <> s.transform_ref OR c.schema_ref <> s.schema_ref
                        THEN 'changed' ELSE 'unchanged' END AS kind
            FROM _cstage s LEFT JOIN canonical_objects c USING (idem_key)
            """
        )
        kinds = dict(con.execute("SELECT kind, count(*) FROM _ccls GROUP BY kind").fetchall())
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """UPDATE canonical_objects SET last_seen = $now FROM _ccls
                   WHERE _ccls.kind = 'unchanged' AND canonical_objects.idem_key = _ccls.idem_key""",
                {"now": now},
            )
            checkpoint("canonical.before_merge")
            con.execute(
                """UPDATE canonical_objects SET schema_ref = s.schema_ref, source_idem_key = s.source_idem_key,
                       source_payload_hash = s.source_payload_hash, transform_ref = s.transform_ref,
                       payload = s.payload, payload_hash = s.payload_hash, updated_at = $now, last_seen = $now
                   FROM _cstage s JOIN _ccls k USING (idem_key)
                   WHERE k.kind = 'changed' AND canonical_objects.idem_key = s.idem_key""",
                {"now": now},
            )
            con.execute(
                """INSERT INTO canonical_objects
                   SELECT s.idem_key, s.object_type, s.schema_ref, s.source_idem_key, s.source_payload_hash,
                          s.transform_ref, s.payload, s.payload_hash, $now, $now, $now
                   FROM _cstage s JOIN _ccls k USING (idem_key) WHERE k.kind = 'new'""",
                {"now": now},
            )
            checkpoint("canonical.before_commit")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DROP TABLE IF EXISTS _cstage; DROP TABLE IF EXISTS _ccls")
        return WriteCounts(
            inserted=kinds.get("new", 0), updated=kinds.get("changed", 0),
            unchanged=kinds.get("unchanged", 0), superseded=superseded,
        )

    def upsert_rejects(self, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
        if not rejects:
            return
        self._con.execute("BEGIN TRANSACTION")
        try:
            self._upsert_rejects_in_txn(list(rejects), run_id, now)
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise

    def _upsert_rejects_in_txn(self, rejects: list[RejectRow], run_id: str, now: datetime) -> None:
        unique = {r.reject_key: r for r in rejects}
        self._bulk_upsert(
            "rejects",
            [{"reject_key": key, "job_name": r.job_name, "input_key": r.input_key,
              "input_idem_key": r.input_idem_key, "source_system": r.source_system,
              "connection_name": r.connection_name, "object_type": r.object_type, "rule": r.rule,
              "field": r.field, "message": r.message, "payload_hash": r.payload_hash,
              "first_seen": now, "last_seen": now, "run_id": run_id}
             for key, r in unique.items()],
            conflict=("reject_key",), update=("last_seen", "message", "payload_hash", "run_id"),
        )

    def _bulk_upsert(self, table: str, rows: list[dict[str, Any]], *, conflict: tuple[str, ...],
                     update: tuple[str, ...]) -> None:
        """Insert-or-update many rows with one statement (through a private JSONL file):
        DuckDB's executemany costs ~3 ms a row with ON CONFLICT."""
        if not rows:
            return
        columns = list(rows[0])
        types = {name: str(kind) for name, kind, *_ in self._con.execute(f"DESCRIBE {table}").fetchall()}
        with spill_file(self.tmp_dir) as (path, handle):
            for row in rows:
                handle.write(orjson.dumps(row, default=str) + b"\n")
            handle.close()
            spec = ", ".join(f"{c}: '{types[c]}'" for c in columns)
            self._con.execute(
                f"""INSERT INTO {table} ({', '.join(columns)})
                    SELECT {', '.join(columns)} FROM read_json($file, format = 'newline_delimited',
                                                              columns = {{{spec}}})
                    ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET
                    {', '.join(f'{c} = excluded.{c}' for c in update)}""",
                {"file": str(path)},
            )

    def append_events(self, events: Sequence[EventRow]) -> None:
        if not events:
            return
        self._con.executemany(
            "INSERT INTO event_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (e.event_id, e.event_type, e.source_system, e.connection_name, e.target_object_type,
                 e.event_schema_ref, e.correlation_id, e.trace_id, e.created_at, e.status,
                 e.error_message, dumps(e.payload).decode())
                for e in events
            ],
        )

    # -- incremental selection ----------------------------------------------------
    def changed_inputs(
        self, consumer: str, *, table: str, object_type: str, source_system: str | None = None,
        page_size: int = 1000,
    ) -> Iterator[list[InputRow]]:
        """Pages of inputs never processed by ``consumer`` or changed since (by payload hash)."""
        keys = self._con.execute(
            f"""SELECT i.idem_key FROM {_input_table(table)} i
                LEFT JOIN processed_inputs p ON p.consumer = $consumer AND p.input_idem_key = i.idem_key
                WHERE i.object_type = $object_type
                  AND ($system IS NULL OR {_system_column(table)} = $system)
                  AND (p.input_idem_key IS NULL OR p.input_payload_hash <> i.payload_hash)
                ORDER BY i.idem_key""",
            {"consumer": consumer, "object_type": object_type, "system": source_system},
        ).fetchall()
        for start in range(0, len(keys), page_size):
            page = [k for (k,) in keys[start : start + page_size]]
            rows = self._con.execute(
                f"""SELECT i.idem_key, i.object_type, i.payload_hash, i.payload, {_system_column(table)},
                           {_connection_column(table)}, i.schema_ref
                    FROM {_input_table(table)} i WHERE i.idem_key IN (SELECT unnest($keys))
                    ORDER BY i.idem_key""",
                {"keys": page},
            ).fetchall()
            yield [
                InputRow(idem_key=k, object_type=t, payload_hash=h, payload_text=p,
                         source_system=s, connection_name=c, schema_ref=ref)
                for k, t, h, p, s, c, ref in rows
            ]

    def mark_processed(
        self, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
    ) -> None:
        """Record ``(input_idem_key, input_payload_hash, outcome)`` as handled by ``consumer``."""
        latest = {key: (digest, outcome) for key, digest, outcome in items}
        self._bulk_upsert(
            "processed_inputs",
            [{"consumer": consumer, "input_idem_key": key, "input_payload_hash": digest, "outcome": outcome,
              "processed_at": now, "run_id": run_id} for key, (digest, outcome) in latest.items()],
            conflict=("consumer", "input_idem_key"),
            update=("input_payload_hash", "outcome", "processed_at", "run_id"),
        )

    # -- projections and reads ------------------------------------------------------
    def replace_table(self, name: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
        table = check_table_name(name)
        types = {c.name: DUCK_TYPES[c.type] for c in columns}
        with spill_file(self.tmp_dir) as (path, handle):
            count = 0
            for row in rows:
                # read_json below takes the declared columns only: other keys are ignored and
                # absent ones are NULL, so a row is written as it comes
                handle.write(orjson.dumps(row, default=str) + b"\n")
                count += 1
            handle.close()
            spec = ", ".join(f"{n}: '{t}'" for n, t in types.items())
            select = ", ".join(types)
            source = (f"SELECT {select} FROM read_json($file, format = 'newline_delimited', columns = {{{spec}}})"
                      if count else
                      "SELECT " + ", ".join(f"NULL::{t} AS {n}" for n, t in types.items()) + " WHERE false")
            self._con.execute("BEGIN TRANSACTION")
            try:
                self._con.execute(f"CREATE OR REPLACE TABLE {table} AS {source}", {"file": str(path)} if count else {})
                checkpoint("projection.before_commit", table)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return count

    def has_table(self, name: str) -> bool:
        row = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'warehouse' AND table_name = $1",
            [name],
        ).fetchone()
        return bool(row and row[0])

    def ensure_table(self, name: str, columns: Sequence[Column]) -> None:
        spec = ", ".join(f"{c.name} {DUCK_TYPES[c.type]}" for c in columns)  # Column checks its name
        self._con.execute(f"CREATE TABLE IF NOT EXISTS {check_table_name(name)} ({spec})")

    def read_objects(self, table: str, object_type: str, *, drop_fields: Sequence[str] = (),
                     updated_after: datetime | None = None, keys: Sequence[str] | None = None,
                     field_in: tuple[str, Sequence[str]] | None = None,
                     on_unreadable: UnreadableHandler | None = None) -> Iterator[tuple[str, Any]]:
        where = ["object_type = $t"]
        params: dict[str, Any] = {"t": object_type}
        if updated_after is not None:
            where.append("updated_at > $since")
            params["since"] = updated_after
        if keys is not None:
            where.append("idem_key IN (SELECT unnest($keys))")
            params["keys"] = list(keys)
        if field_in is not None:
            where.append(f"payload->>'$.{check_field_name(field_in[0])}' IN (SELECT unnest($values))")
            params["values"] = list(field_in[1])
        payload = "payload"
        if drop_fields:  # dropped in the warehouse: the text never travels
            payload = "json_merge_patch(payload, $drop)"
            params["drop"] = orjson.dumps({check_field_name(f): None for f in drop_fields}).decode()
        cursor = self._con.cursor()  # its own connection: the caller may use the store meanwhile
        try:
            cursor.execute("USE warehouse")
            cursor.execute(
                f"SELECT idem_key, {payload}::VARCHAR FROM {_input_table(table)} WHERE {' AND '.join(where)} "
                "ORDER BY idem_key", params,
            )
            while rows := cursor.fetchmany(READ_BATCH_ROWS):  # never every payload's text at once
                yield from read_stored(rows, drop_fields, on_unreadable)
        finally:
            cursor.close()

    def lookup_rows(self, name: str, key_column: str, keys: Sequence[str], columns: Sequence[str]
                    ) -> list[dict[str, Any]]:
        return partial.lookup_rows(self._con, name, key_column, keys, columns)

    def replace_rows(self, changes: Sequence[RowsChange]) -> list[int]:
        return partial.replace_rows(self._con, self.tmp_dir, changes)

    def publish_views(self, names: Sequence[str], *, if_missing: bool = False) -> list[str]:
        """A Parquet snapshot per table in the views directory (see ``stack_clients.views``)."""
        if self.views_dir is None:
            raise StorageError(f"the store of {self.path} has no views directory to publish to")
        return [str(publish_snapshot(self._con, name, self.views_dir, if_missing=if_missing)) for name in names]

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self._con.execute(sql, params or {})
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        try:
            self._con.close()
            if self.path.exists():
                self.path.chmod(0o600)
        finally:
            self._release_umask()


def _input_table(table: str) -> str:
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
    return table


def _system_column(table: str) -> str:
    return "i.source_system" if table == "raw_objects" else "NULL"


def _connection_column(table: str) -> str:
    return "i.connection_name" if table == "raw_objects" else "NULL"
