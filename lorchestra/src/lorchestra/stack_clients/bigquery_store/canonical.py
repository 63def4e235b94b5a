"""Canonical objects on BigQuery: staged by a load job, looked up by key (which are stored,
in which partitions), applied by one INSERT or one MERGE pruned to those partitions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.bigquery_store import ddl
from lorchestra.stack_clients.bigquery_store.existing import find_existing
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import parse_json, strings
from lorchestra.stack_clients.model import (
    CanonicalRow,
    WriteCounts,
    dumps,
    payload_hash,
)
from lorchestra.stack_clients.spill import spill_file
from lorchestra.stack_clients.tables import CANONICAL_OBJECTS

DIFFERS = (
    "T.payload_hash != S.payload_hash OR T.source_payload_hash != S.source_payload_hash "
    "OR T.transform_ref != S.transform_ref OR T.schema_ref != S.schema_ref"
)
PAYLOAD = parse_json("S.payload")
COLUMNS = (
    "idem_key, object_type, schema_ref, source_idem_key, source_payload_hash, transform_ref, payload, "
    "payload_hash, created_at, updated_at, last_seen"
)
VALUES = (
    "S.idem_key, S.object_type, S.schema_ref, S.source_idem_key, S.source_payload_hash, S.transform_ref, "
    f"{PAYLOAD}, S.payload_hash, @now, @now, @now"
)


def upsert_canonical(store: Plumbing, rows: Iterable[CanonicalRow], *, now: datetime) -> WriteCounts:
    """Stage the latest row of each key by one load job; look them up, then apply them by one statement."""
    latest: dict[str, tuple[int, bytes]] = {}
    object_types: set[str] = set()
    total = 0
    for row in rows:
        total += 1
        object_types.add(row.object_type)
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
    types = strings(sorted(object_types))
    try:
        found = find_existing(
            store,
            stage,
            CANONICAL_OBJECTS,
            stage_key="idem_key",
            filters=["T.object_type IN UNNEST(@types)"],
            params={"types": types},
            keys=list(latest),
            now=now,
            differs=DIFFERS,
        )
        checkpoint("canonical.before_merge")
        target, source = store.table("canonical_objects"), store.table(stage)
        if found.matched:  # pruned to the partitions of the stored rows, as in raw_ingest
            store.run_query(
                f"""MERGE {target} T USING {source} S ON T.idem_key = S.idem_key
                    AND T.object_type IN UNNEST(@types) AND {found.target_filter(CANONICAL_OBJECTS)}
                WHEN MATCHED AND ({DIFFERS}) THEN UPDATE SET schema_ref = S.schema_ref,
                    source_idem_key = S.source_idem_key, source_payload_hash = S.source_payload_hash,
                    transform_ref = S.transform_ref, payload = {PAYLOAD},
                    payload_hash = S.payload_hash, updated_at = @now, last_seen = @now
                WHEN MATCHED THEN UPDATE SET last_seen = @now
                WHEN NOT MATCHED THEN INSERT ({COLUMNS}) VALUES ({VALUES})""",
                {"now": now, "types": types},
            )
        else:
            absent = found.absent(
                store, CANONICAL_OBJECTS, stage_key="idem_key", filters=["T.object_type IN UNNEST(@types)"]
            )
            store.run_query(
                f"INSERT INTO {target} ({COLUMNS}) SELECT {VALUES} FROM {source} S WHERE {absent}",
                {"now": now, "types": types},
            )
    finally:
        store.drop_table(stage)
    return WriteCounts(
        inserted=len(latest) - found.matched,
        updated=found.changed,
        unchanged=found.matched - found.changed,
        superseded=total - len(latest),
    )
