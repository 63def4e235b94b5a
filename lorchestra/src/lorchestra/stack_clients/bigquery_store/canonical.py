"""Canonical objects on BigQuery: staged by a load job, counted, applied by one MERGE."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.bigquery_store import ddl
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.model import (
    CanonicalRow,
    WriteCounts,
    dumps,
    payload_hash,
)
from lorchestra.stack_clients.spill import spill_file


def upsert_canonical(store: Plumbing, rows: Iterable[CanonicalRow], *, now: datetime) -> WriteCounts:
    """Stage the latest row of each key by one load job; count, then apply them by one MERGE."""
    latest: dict[str, tuple[int, bytes]] = {}
    total = 0
    for row in rows:
        total += 1
        text = dumps(row.payload)
        latest[row.idem_key] = (
            total,
            dumps(
                {
                    "ord": total,
                    "idem_key": row.idem_key,
                    "object_type": row.object_type,
                    "schema_ref": row.schema_ref,
                    "source_idem_key": row.source_idem_key,
                    "source_payload_hash": row.source_payload_hash,
                    "transform_ref": row.transform_ref,
                    "payload_hash": payload_hash(text),
                    "payload": text.decode("utf-8"),
                }
            ),
        )
    if not latest:
        return WriteCounts()
    with spill_file(store.tmp_dir) as (path, handle):
        for _, line in latest.values():
            handle.write(line + b"\n")
        handle.close()
        stage = store.load_file(path, ddl.CANONICAL_STAGE)
    try:
        target = store.table("canonical_objects")
        differs = (
            "T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash "
            "OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref"
        )
        row = next(
            iter(
                store.run_query(
                    f"""SELECT COUNTIF(T.idem_key IS NULL) AS inserted,
                       COUNTIF(T.idem_key IS NOT NULL AND ({differs})) AS updated,
                       COUNTIF(T.idem_key IS NOT NULL AND NOT ({differs})) AS unchanged
                FROM {store.table(stage)} S LEFT JOIN {target} T ON T.idem_key = S.idem_key"""
                ).result()
            )
        )
        checkpoint("canonical.before_merge")
        store.run_query(
            f"""MERGE {target} T USING {store.table(stage)} S ON T.idem_key = S.idem_key
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
        store.drop_table(stage)
    return WriteCounts(
        inserted=row["inserted"], updated=row["updated"], unchanged=row["unchanged"], superseded=total - len(latest)
    )
