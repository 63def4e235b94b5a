"""Write one JSONL file of raw objects into BigQuery as one all-or-nothing batch.

The file is read once to find the latest line of each key and once more to stage those
lines (ids, hashes and payload text) in a staging table by one load job. New and
changed records are validated; the counts come from one query; then one server-side
transaction applies the batch's single MERGE and its rejects.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from lorchestra.exceptions import StorageError
from lorchestra.faults import checkpoint, sql_fault
from lorchestra.stack_clients.bigquery_store import ddl, ledger
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing
from lorchestra.stack_clients.bigquery_store.sql import inline_params
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
    with spill_file(store.tmp_dir) as (stage_path, handle):
        candidates = []
        for item in scan_jsonl(path):  # pass 2: stage the latest lines
            if isinstance(item, BadLine) or item.ordinal not in keep:
                continue
            external_id = extract_id(item.record, spec.id_field)
            candidates.append((item.ordinal, external_id, item.text.decode("utf-8")))
            handle.write(
                dumps(
                    {
                        "ord": item.ordinal,
                        "idem_key": spec.idem_key(str(external_id)),
                        "external_id": external_id,
                        "payload_hash": payload_hash(item.text),
                        "payload": item.text.decode("utf-8"),
                    }
                )
                + b"\n"
            )
        handle.close()
        check = check_candidates(candidates, spec, job_name=job_name, record_number=lambda o: o)
        rejects += check.rejects
        stage = store.load_file(stage_path, ddl.RAW_STAGE) if keep else None
    reject_stage = ledger.stage_rejects(store, rejects, run_id)
    try:
        checkpoint("raw.staged", job_name)
        counts = WriteCounts(superseded=superseded, rejected=len(rejects))
        if stage:
            counts = _count_raw(store, stage, check.rejected_ords, counts)
        checkpoint("raw.before_merge", job_name)
        _apply_raw_batch(store, stage, reject_stage, spec, job_name, check.rejected_ords, now)
        return counts
    finally:
        for name in (stage, reject_stage):
            if name:
                store.drop_table(name)


def _count_raw(store: Plumbing, stage: str, bad: set[int], counts: WriteCounts) -> WriteCounts:
    row = next(
        iter(
            store.run_query(
                f"""SELECT COUNTIF(t.idem_key IS NULL) AS inserted,
                   COUNTIF(t.payload_hash != s.payload_hash) AS updated,
                   COUNTIF(t.payload_hash = s.payload_hash) AS unchanged
            FROM {store.table(stage)} s LEFT JOIN {store.table("raw_objects")} t ON t.idem_key = s.idem_key
            WHERE s.ord NOT IN UNNEST(@bad)""",
                {"bad": sorted(bad)},
            ).result()
        )
    )
    return WriteCounts(
        inserted=row["inserted"],
        updated=row["updated"],
        unchanged=row["unchanged"],
        superseded=counts.superseded,
        rejected=counts.rejected,
    )


def _apply_raw_batch(
    store: Plumbing,
    stage: str | None,
    reject_stage: str | None,
    spec: ObjectSpec,
    job_name: str,
    bad: set[int],
    now: datetime,
) -> None:
    """One server-side transaction: the batch's one raw MERGE, then its rejects.

    ``wide_number_mode => 'round'``: a number with more digits than a double holds
    (``0.1000000000000000000001``) is stored as the double orjson reads it as, where the
    default would refuse the whole batch; numbers no double holds were rejected before.
    """
    statements = []
    if stage:
        source = f"(SELECT * FROM {store.table(stage)} WHERE ord NOT IN UNNEST(@bad))"
        statements += [
            f"""MERGE {store.table("raw_objects")} T USING {source} S ON T.idem_key = S.idem_key
                WHEN MATCHED AND T.payload_hash != S.payload_hash THEN UPDATE SET
                    payload = PARSE_JSON(S.payload, wide_number_mode => 'round'), payload_hash = S.payload_hash,
                    schema_ref = @schema_ref, last_seen = @now
                WHEN MATCHED THEN UPDATE SET last_seen = @now
                WHEN NOT MATCHED THEN INSERT (idem_key, source_system, connection_name, object_type,
                    schema_ref, external_id, payload, payload_hash, first_seen, last_seen)
                  VALUES (S.idem_key, @system, @connection, @object_type, @schema_ref, S.external_id,
                    PARSE_JSON(S.payload, wide_number_mode => 'round'), S.payload_hash, @now, @now);""",
            sql_fault("raw.merged"),
            f"""DELETE FROM {store.table("rejects")} WHERE job_name = @job AND input_idem_key IN
                (SELECT idem_key FROM {source});""",
        ]
    if reject_stage:
        statements.append(ledger.merge_rejects_sql(store, reject_stage) + ";")
    statements.append(sql_fault("raw.before_commit"))
    script = "BEGIN TRANSACTION;\n" + "\n".join(s for s in statements if s) + "\nCOMMIT TRANSACTION;"
    params = {
        "bad": sorted(bad),
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
