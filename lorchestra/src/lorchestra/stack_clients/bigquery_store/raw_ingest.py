"""Write one JSONL file of raw objects into BigQuery as one all-or-nothing batch.

The file is read once to find the latest line of each key and once more to check those
lines against the schema; the accepted ones (ids, hashes and payload text) are staged
by one load job. One query finds which of them are stored and in which partitions
(the counts come from it); then one server-side transaction applies the batch (an
INSERT, or a MERGE pruned to those partitions) and its rejects.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from lorchestra.exceptions import StorageError
from lorchestra.faults import checkpoint, sql_fault
from lorchestra.stack_clients.bigquery_store import ddl, ledger
from lorchestra.stack_clients.bigquery_store.existing import Existing, find_existing
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import inline_params, parse_json
from lorchestra.stack_clients.candidates import check_candidates
from lorchestra.stack_clients.jsonl_scan import BadLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_MISSING_ID,
    ObjectSpec,
    RejectRow,
    WriteCounts,
    dumps,
    extract_id,
    payload_hash,
    reject_for,
)
from lorchestra.stack_clients.spill import spill_file
from lorchestra.stack_clients.tables import RAW_OBJECTS


def ingest_raw_file(
    store: Plumbing, path: Path, spec: ObjectSpec, *, job_name: str, run_id: str, now: datetime
) -> WriteCounts:
    latest: dict[str, int] = {}
    rejects: list[RejectRow] = []
    inputs = 0
    for item in scan_jsonl(path):  # pass 1: which line is the latest of each key
        inputs += 1
        if isinstance(item, BadLine):
            rejects.append(
                reject_for(
                    spec,
                    job_name=job_name,
                    rule=item.rule,
                    field=item.field,
                    digest=item.digest,
                    external_id=None,
                    line=item.ordinal,
                )
            )
            continue
        external_id = extract_id(item.record, spec.id_field)
        if external_id is None:
            rejects.append(
                reject_for(
                    spec,
                    job_name=job_name,
                    rule=RULE_MISSING_ID,
                    field=spec.id_field,
                    digest=payload_hash(item.text),
                    external_id=None,
                    line=item.ordinal,
                )
            )
            continue
        latest[external_id] = item.ordinal
    superseded = inputs - len(rejects) - len(latest)
    keep = set(latest.values())
    candidates = [
        (item.ordinal, extract_id(item.record, spec.id_field), item.text.decode("utf-8"))
        for item in scan_jsonl(path)  # pass 2: the latest line of each key
        if not isinstance(item, BadLine) and item.ordinal in keep
    ]
    check = check_candidates(candidates, spec, job_name=job_name, record_number=lambda o: o)
    rejects += check.rejects
    staged = [
        (str(external_id), text) for ordinal, external_id, text in candidates if ordinal not in check.rejected_ords
    ]
    del candidates
    stage = _stage(store, spec, staged) if staged else None
    keys = [spec.idem_key(external_id) for external_id, _ in staged]
    del staged
    reject_stage = ledger.stage_rejects(store, rejects, run_id)
    try:
        checkpoint("raw.staged", job_name)
        found = _find_existing(store, stage, spec, keys, now) if stage else Existing()
        counts = WriteCounts(
            inserted=len(keys) - found.matched,
            updated=found.changed,
            unchanged=found.matched - found.changed,
            superseded=superseded,
            rejected=len(rejects),
        )
        checkpoint("raw.before_merge", job_name)
        _apply_raw_batch(store, stage, reject_stage, spec, job_name, found, now)
        return counts
    finally:
        for name in (stage, reject_stage):
            if name:
                store.drop_table(name)


def _stage(store: Plumbing, spec: ObjectSpec, staged: list[tuple[str, str]]) -> str:
    """The accepted records (a rejected one never reaches the warehouse) in a staging table."""
    with spill_file(store.tmp_dir) as (stage_path, handle):
        for external_id, text in staged:
            handle.write(
                dumps(
                    {
                        "idem_key": spec.idem_key(external_id),
                        "external_id": external_id,
                        "payload_hash": payload_hash(text.encode("utf-8")),
                        "payload": text,
                    }
                )
                + b"\n"
            )
        handle.close()
        return store.load_file(stage_path, ddl.RAW_STAGE)


# The leading clustering columns of raw_objects, constant for a batch (one connection, one type).
RAW_FILTERS = ("T.source_system = @system", "T.connection_name = @connection", "T.object_type = @object_type")


def _find_existing(store: Plumbing, stage: str, spec: ObjectSpec, keys: list[str], now: datetime) -> Existing:
    return find_existing(
        store,
        stage,
        RAW_OBJECTS,
        stage_key="idem_key",
        filters=RAW_FILTERS,
        params={"system": spec.source.system, "connection": spec.source.connection, "object_type": spec.object_type},
        keys=keys,
        now=now,
        differs="T.payload_hash != S.payload_hash",
    )


def _apply_raw_batch(
    store: Plumbing,
    stage: str | None,
    reject_stage: str | None,
    spec: ObjectSpec,
    job_name: str,
    found: Existing,
    now: datetime,
) -> None:
    """One server-side transaction: the batch's records, then its rejects.

    A batch of only new records is an INSERT of the keys still absent from the recent
    partitions: BigQuery bills it the staged bytes and those partitions' key columns. A
    batch with stored records is one MERGE whose target is pruned to the partitions those
    records lie in and the recent ones (found by :func:`find_existing`, written as
    literals): a MERGE with an UPDATE clause bills every column of every partition it may
    touch, and only a constant filter on the partition column narrows that. Every stored
    key of the batch lies in those partitions, and a key written since the lookup in the
    recent ones, so a key the MERGE does not match there is new.
    """
    statements = []
    if stage:
        raw = store.table("raw_objects")
        payload = parse_json("S.payload")
        columns = (
            "idem_key, source_system, connection_name, object_type, schema_ref, external_id, payload, "
            "payload_hash, first_seen, last_seen"
        )
        values = f"S.idem_key, @system, @connection, @object_type, @schema_ref, S.external_id, {payload}, S.payload_hash, @now, @now"
        if found.matched:
            statements.append(
                f"""MERGE {raw} T USING {store.table(stage)} S ON T.idem_key = S.idem_key
                    AND T.source_system = @system AND T.connection_name = @connection AND T.object_type = @object_type
                    AND {found.target_filter(RAW_OBJECTS)}
                WHEN MATCHED AND T.payload_hash != S.payload_hash THEN UPDATE SET
                    payload = {payload}, payload_hash = S.payload_hash, schema_ref = @schema_ref, last_seen = @now
                WHEN MATCHED THEN UPDATE SET last_seen = @now
                WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values});"""
            )
        else:
            absent = found.absent(store, RAW_OBJECTS, stage_key="idem_key", filters=RAW_FILTERS)
            statements.append(
                f"INSERT INTO {raw} ({columns}) SELECT {values} FROM {store.table(stage)} S WHERE {absent};"
            )
        statements += [
            sql_fault("raw.merged"),
            f"""DELETE FROM {store.table("rejects")} WHERE job_name = @job AND input_idem_key IN
                (SELECT idem_key FROM {store.table(stage)});""",
        ]
    if reject_stage:
        statements.append(ledger.merge_rejects_sql(store, reject_stage) + ";")
    statements.append(sql_fault("raw.before_commit"))
    script = "BEGIN TRANSACTION;\n" + "\n".join(s for s in statements if s) + "\nCOMMIT TRANSACTION;"
    params = {
        "now": now,
        "schema_ref": spec.schema_ref,
        "job": job_name,
        "system": spec.source.system,
        "connection": spec.source.connection,
        "object_type": spec.object_type,
    }
    try:
        store.run_query(inline_params(script, params))
    except StorageError:
        checkpoint("raw.merged")  # an injected fault surfaces as such
        checkpoint("raw.before_commit")
        raise
