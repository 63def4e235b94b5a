"""The bookkeeping tables on BigQuery: rejects, the event log, and which inputs each
consumer has processed (incremental selection). Every batch is staged by a load job and
applied by one statement (a ledger page after one lookup of its stored keys: see
:mod:`.existing`); inputs are selected by key before their payloads are read (:mod:`.locate`)."""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from datetime import datetime
from typing import Any

from google.cloud import bigquery

from lorchestra.stack_clients.bigquery_store import ddl
from lorchestra.stack_clients.bigquery_store.existing import find_existing
from lorchestra.stack_clients.bigquery_store.locate import locate, page_filter, source_columns
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import Span, merged_spans, parse_json, partition_filter, strings
from lorchestra.stack_clients.model import EventRow, InputRow, RejectRow, dumps
from lorchestra.stack_clients.tables import CORE_TABLES, PROCESSED_INPUTS


def upsert_rejects(store: Plumbing, rejects: Sequence[RejectRow], *, run_id: str, now: datetime) -> None:
    stage = stage_rejects(store, list(rejects), run_id)
    if stage is None:
        return
    try:
        store.run_query(merge_rejects_sql(store, stage), {"now": now})
    finally:
        store.drop_table(stage)


def stage_rejects(store: Plumbing, rejects: list[RejectRow], run_id: str) -> str | None:
    unique = {r.reject_key: r for r in rejects}
    if not unique:
        return None
    return store.load_rows(
        ddl.REJECT_STAGE,
        (
            {
                "reject_key": key,
                "job_name": r.job_name,
                "input_key": r.input_key,
                "input_idem_key": r.input_idem_key,
                "source_system": r.source_system,
                "connection_name": r.connection_name,
                "object_type": r.object_type,
                "rule": r.rule,
                "field": r.field,
                "message": r.message,
                "payload_hash": r.payload_hash,
                "run_id": run_id,
            }
            for key, r in unique.items()
        ),
    )


def merge_rejects_sql(store: Plumbing, stage: str) -> str:
    columns = [f.name for f in ddl.REJECT_STAGE]
    return f"""MERGE {store.table("rejects")} T USING {store.table(stage)} S ON T.reject_key = S.reject_key
               WHEN MATCHED THEN UPDATE SET last_seen = @now, message = S.message,
                   payload_hash = S.payload_hash, run_id = S.run_id
               WHEN NOT MATCHED THEN INSERT ({", ".join(columns)}, first_seen, last_seen)
                 VALUES ({", ".join("S." + c for c in columns)}, @now, @now)"""


def append_events(store: Plumbing, events: Sequence[EventRow]) -> None:
    if not events:
        return
    stage = stage_events(store, events)
    try:
        store.run_query(insert_events_sql(store, stage))
    finally:
        store.drop_table(stage)


def insert_first(store: Plumbing, name: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EventRow]) -> None:
    """The rows whose key ``name`` does not hold yet, and their events, in one transaction
    (BigQuery aborts one of two transactions that change the same table at once)."""
    table = CORE_TABLES[name]
    [key] = table.key
    first: dict[str, tuple[Mapping[str, Any], EventRow]] = {}
    for row, event in zip(rows, events, strict=True):
        first.setdefault(row[key], (row, event))
    if not first:
        return
    row_stage = store.load_rows(
        [*ddl.stage_schema(table, table.column_names), bigquery.SchemaField("event_id", "STRING")],
        ({**{c: row.get(c) for c in table.column_names}, "event_id": e.event_id} for row, e in first.values()),
    )
    try:
        event_stage = stage_events(store, [e for _, e in first.values()])
        try:
            absent = f"{key} NOT IN (SELECT {key} FROM {store.table(name)})"
            names = ", ".join(table.column_names)
            store.run_query(
                "BEGIN TRANSACTION;\n"
                + insert_events_sql(store, event_stage)
                + f" WHERE event_id IN (SELECT event_id FROM {store.table(row_stage)} WHERE {absent});\n"
                f"INSERT INTO {store.table(name)} ({names}) SELECT {names} FROM {store.table(row_stage)} "
                f"WHERE {absent};\n"
                "COMMIT TRANSACTION;"
            )
        finally:
            store.drop_table(event_stage)
    finally:
        store.drop_table(row_stage)


def stage_events(store: Plumbing, events: Sequence[EventRow]) -> str:
    return store.load_rows(
        ddl.EVENT_STAGE,
        (
            {
                "event_id": e.event_id,
                "event_type": e.event_type,
                "source_system": e.source_system,
                "connection_name": e.connection_name,
                "target_object_type": e.target_object_type,
                "event_schema_ref": e.event_schema_ref,
                "correlation_id": e.correlation_id,
                "trace_id": e.trace_id,
                "created_at": e.created_at.isoformat(),
                "status": e.status,
                "error_message": e.error_message,
                "payload": dumps(e.payload).decode(),
            }
            for e in events
        ),
    )


def insert_events_sql(store: Plumbing, stage: str) -> str:
    """Every staged event into ``event_log`` (a caller may append a WHERE clause)."""
    columns = [f.name for f in ddl.EVENT_STAGE]
    values = ", ".join(parse_json("payload") if c == "payload" else c for c in columns)
    return f"INSERT INTO {store.table('event_log')} ({', '.join(columns)}) SELECT {values} FROM {store.table(stage)}"


def changed_inputs(
    store: Plumbing,
    consumer: str,
    *,
    table: str,
    object_type: str,
    source_system: str | None,
    page_size: int,
) -> Generator[list[InputRow], None, None]:
    """The keys first (key columns of the inputs and of ``consumer``'s ledger rows only), then
    a page of payloads at a time, each read with constant filters on the keys and their
    partitions: history is read as keys, only what changed as payloads."""
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
    inputs = CORE_TABLES[table]
    where = ["i.object_type = @object_type"]
    params: dict[str, Any] = {"consumer": consumer, "object_type": object_type}
    if source_system is not None:
        where.append(f"{source_columns(inputs)[0]} = @system")
        params["system"] = source_system
    located = locate(
        store,
        inputs,
        f"""FROM {store.table(table)} i
            LEFT JOIN (SELECT input_idem_key, input_payload_hash FROM {store.table("processed_inputs")}
                       WHERE consumer = @consumer) p ON p.input_idem_key = i.idem_key
            WHERE {" AND ".join(where)}
              AND (p.input_idem_key IS NULL OR p.input_payload_hash != i.payload_hash)""",
        params,
    )
    system, connection = source_columns(inputs)
    for start in range(0, len(located), page_size):
        page_params: dict[str, Any] = {"object_type": object_type}
        condition = page_filter(inputs, located[start : start + page_size], page_params)
        rows = store.run_query(
            f"""SELECT i.idem_key, i.object_type, i.payload_hash, TO_JSON_STRING(i.payload) AS payload,
                       {system} AS source_system, {connection} AS connection_name, i.schema_ref
                FROM {store.table(table)} i WHERE i.object_type = @object_type AND {condition}
                ORDER BY i.idem_key""",
            page_params,
        ).result()
        yield [
            InputRow(
                idem_key=r["idem_key"],
                object_type=r["object_type"],
                payload_hash=r["payload_hash"],
                payload_text=r["payload"],
                source_system=r["source_system"],
                connection_name=r["connection_name"],
                schema_ref=r["schema_ref"],
            )
            for r in rows
        ]


def mark_processed(
    store: Plumbing, consumer: str, items: Sequence[tuple[str, str, str]], *, run_id: str, now: datetime
) -> None:
    """An INSERT when none of the inputs was processed before, else one MERGE pruned to the
    partitions their ledger rows lie in (an updated row moves to the partition of ``now``)."""
    if not items:
        return
    latest = {key: (digest, outcome) for key, digest, outcome in items}
    stage = store.load_rows(
        ddl.PROCESSED_STAGE,
        ({"input_idem_key": k, "input_payload_hash": d, "outcome": o} for k, (d, o) in latest.items()),
    )
    try:
        found = find_existing(
            store,
            stage,
            PROCESSED_INPUTS,
            stage_key="input_idem_key",
            filters=["T.consumer = @consumer"],
            params={"consumer": consumer},
            keys=list(latest),
            now=now,
        )
        target, source = store.table("processed_inputs"), store.table(stage)
        columns = "consumer, input_idem_key, input_payload_hash, outcome, processed_at, run_id"
        values = "@consumer, S.input_idem_key, S.input_payload_hash, S.outcome, @now, @run_id"
        params = {"consumer": consumer, "now": now, "run_id": run_id}
        if found.matched:
            store.run_query(
                f"""MERGE {target} T USING {source} S
                    ON T.consumer = @consumer AND T.input_idem_key = S.input_idem_key
                    AND {found.target_filter(PROCESSED_INPUTS)}
                    WHEN MATCHED THEN UPDATE SET input_payload_hash = S.input_payload_hash,
                        outcome = S.outcome, processed_at = @now, run_id = @run_id
                    WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})""",
                params,
            )
        else:
            absent = found.absent(
                store, PROCESSED_INPUTS, stage_key="input_idem_key", filters=["T.consumer = @consumer"]
            )
            store.run_query(f"INSERT INTO {target} ({columns}) SELECT {values} FROM {source} S WHERE {absent}", params)
    finally:
        store.drop_table(stage)


def forget_processed(store: Plumbing, consumer: str, keys: Sequence[str] | None) -> None:
    """Drop ``consumer``'s ledger rows for ``keys`` (all when None), so those inputs are selected
    again; for named keys, only in the partitions their rows lie in (found first)."""
    if keys is not None and not keys:
        return
    ledger = store.table("processed_inputs")
    if keys is None:
        store.run_query(f"DELETE FROM {ledger} WHERE consumer = @consumer", {"consumer": consumer})
        return
    params: dict[str, Any] = {"consumer": consumer, "keys": strings(keys)}
    located = locate(
        store,
        PROCESSED_INPUTS,
        f"FROM {ledger} i WHERE i.consumer = @consumer AND i.input_idem_key IN UNNEST(@keys)",
        params,
        key="input_idem_key",
    )
    if located:
        spans = merged_spans((Span(at, at) for _, at, _, _ in located), PROCESSED_INPUTS.partition_unit)
        store.run_query(
            f"DELETE FROM {ledger} WHERE consumer = @consumer AND input_idem_key IN UNNEST(@keys) "
            f"AND {partition_filter('processed_at', spans)}",
            params,
        )
