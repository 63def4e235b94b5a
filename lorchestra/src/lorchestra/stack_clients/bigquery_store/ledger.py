"""The bookkeeping tables on BigQuery: rejects, the event log, and which inputs each
consumer has processed (incremental selection). Every batch is staged by a load job and
applied by one statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from lorchestra.stack_clients.bigquery_store import ddl
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.model import EventRow, InputRow, RejectRow, dumps


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
    stage = store.load_rows(
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
    try:
        columns = [f.name for f in ddl.EVENT_STAGE]
        values = ", ".join("PARSE_JSON(payload)" if c == "payload" else c for c in columns)
        store.run_query(
            f"INSERT INTO {store.table('event_log')} ({', '.join(columns)}) SELECT {values} FROM {store.table(stage)}"
        )
    finally:
        store.drop_table(stage)


def changed_inputs(
    store: Plumbing,
    consumer: str,
    *,
    table: str,
    object_type: str,
    source_system: str | None,
    page_size: int,
) -> Iterator[list[InputRow]]:
    if table not in ("raw_objects", "canonical_objects"):
        raise ValueError(f"inputs come from raw_objects or canonical_objects, not {table!r}")
    system = "i.source_system" if table == "raw_objects" else "CAST(NULL AS STRING)"
    connection = "i.connection_name" if table == "raw_objects" else "CAST(NULL AS STRING)"
    keys = [
        r["idem_key"]
        for r in store.run_query(
            f"""SELECT i.idem_key FROM {store.table(table)} i
            LEFT JOIN {store.table("processed_inputs")} p
              ON p.consumer = @consumer AND p.input_idem_key = i.idem_key
            WHERE i.object_type = @object_type AND (@system IS NULL OR {system} = @system)
              AND (p.input_idem_key IS NULL OR p.input_payload_hash != i.payload_hash)
            ORDER BY i.idem_key""",
            {"consumer": consumer, "object_type": object_type, "system": source_system},
        ).result()
    ]
    for start in range(0, len(keys), page_size):
        rows = store.run_query(
            f"""SELECT i.idem_key, i.object_type, i.payload_hash, TO_JSON_STRING(i.payload) AS payload,
                       {system} AS source_system, {connection} AS connection_name, i.schema_ref
                FROM {store.table(table)} i WHERE i.idem_key IN UNNEST(@keys) ORDER BY i.idem_key""",
            {"keys": keys[start : start + page_size]},
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
    if not items:
        return
    latest = {key: (digest, outcome) for key, digest, outcome in items}
    stage = store.load_rows(
        ddl.PROCESSED_STAGE,
        ({"input_idem_key": k, "input_payload_hash": d, "outcome": o} for k, (d, o) in latest.items()),
    )
    try:
        store.run_query(
            f"""MERGE {store.table("processed_inputs")} T USING {store.table(stage)} S
                ON T.consumer = @consumer AND T.input_idem_key = S.input_idem_key
                WHEN MATCHED THEN UPDATE SET input_payload_hash = S.input_payload_hash,
                    outcome = S.outcome, processed_at = @now, run_id = @run_id
                WHEN NOT MATCHED THEN INSERT (consumer, input_idem_key, input_payload_hash, outcome,
                    processed_at, run_id)
                  VALUES (@consumer, S.input_idem_key, S.input_payload_hash, S.outcome, @now, @run_id)""",
            {"consumer": consumer, "now": now, "run_id": run_id},
        )
    finally:
        store.drop_table(stage)


def forget_processed(store: Plumbing, consumer: str, keys: Sequence[str] | None) -> None:
    """Drop ``consumer``'s ledger rows for ``keys`` (all when None), so those inputs are selected again."""
    if keys is not None and not keys:
        return
    store.run_query(
        f"DELETE FROM {store.table('processed_inputs')} WHERE consumer = @consumer"
        + ("" if keys is None else " AND input_idem_key IN UNNEST(@keys)"),
        {"consumer": consumer, **({} if keys is None else {"keys": list(keys)})},
    )
