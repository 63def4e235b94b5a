"""Write one JSONL file of raw objects into ``raw_objects`` as one all-or-nothing batch.

DuckDB reads the file itself (no per-record Python on the hot path):
1. stage the file in file order (``rowid`` = record number - 1): id and payload hash,
   plus the payload itself when most records are expected to be new (the connection
   has no history yet); otherwise narrow, so unchanged records cost one hash each;
2. classify the latest record per key against ``raw_objects``: new, changed, unchanged;
3. gather the payloads of new and changed records and validate only those (Python);
4. one transaction: touch ``last_seen`` of unchanged rows, update changed, insert new,
   upsert rejects. A failure anywhere before COMMIT leaves every table as it was.

Within a batch the last occurrence of a key in file order wins. DuckDB keeps insertion
order for ``CREATE TABLE AS`` over a scan, which is what makes ``rowid`` the file order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.candidates import (
    CandidateCheck,
    UnreadableLine,
    check_candidates,
    check_file,
)
from lorchestra.stack_clients.duckdb_store import ledger
from lorchestra.stack_clients.duckdb_store.plumbing import transaction
from lorchestra.stack_clients.json_rules import JsonFault, parse_record
from lorchestra.stack_clients.jsonl_scan import BadLine, scan_jsonl
from lorchestra.stack_clients.model import (
    RULE_MISSING_ID,
    ObjectSpec,
    RejectRow,
    WriteCounts,
    reject_for,
)
from lorchestra.stack_clients.spill import spill_file

WriteRejects = Callable[[list[RejectRow], str, datetime], None]

# An id that is absent, blank, an object or an array is no id.
_EXTERNAL_ID = """CASE WHEN e = '' OR starts_with(e, '{') OR starts_with(e, '[') THEN NULL ELSE e END"""
_TEMP_TABLES = ("_stage", "_cls", "_cand_rows", "_bad", "_missing")


def ingest_raw_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: ObjectSpec,
    *,
    job_name: str,
    run_id: str,
    now: datetime,
    tmp_dir: Path,
) -> WriteCounts:
    def write_rejects(rejects: list[RejectRow], run_id: str, now: datetime) -> None:
        ledger.upsert_rejects(con, tmp_dir, rejects, run_id=run_id, now=now)

    with_payload = not _has_history(con, spec)
    try:
        try:
            prechecked = _stage_checking(con, path, spec, job_name) if with_payload else None
            if not with_payload:
                _stage(con, path, spec, with_payload, job_name)
            return _classify_and_write(
                con,
                path,
                spec,
                with_payload,
                job_name=job_name,
                run_id=run_id,
                now=now,
                record_number=lambda o: o,
                line_faults=[],
                write_rejects=write_rejects,
                prechecked=prechecked,
            )
        except (duckdb.InvalidInputException, UnreadableLine):
            pass  # a line the warehouse or the suite cannot read: take the careful path below
        with spill_file(tmp_dir) as (clean_path, handle):
            ordinals: list[int] = []
            line_faults: list[RejectRow] = []
            for item in scan_jsonl(path):
                if isinstance(item, BadLine):
                    line_faults.append(
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
                handle.write(item.text + b"\n")
                ordinals.append(item.ordinal)
            handle.close()
            _stage(con, clean_path, spec, with_payload, job_name)
            return _classify_and_write(
                con,
                clean_path,
                spec,
                with_payload,
                job_name=job_name,
                run_id=run_id,
                now=now,
                record_number=lambda o: ordinals[o - 1],
                line_faults=line_faults,
                write_rejects=write_rejects,
            )
    finally:
        con.execute("DROP VIEW IF EXISTS _cand;" + "".join(f"DROP TABLE IF EXISTS {t};" for t in _TEMP_TABLES))


def _has_history(con: duckdb.DuckDBPyConnection, spec: ObjectSpec) -> bool:
    return bool(
        con.execute(
            """SELECT EXISTS (SELECT 1 FROM raw_objects WHERE source_system = $1
           AND connection_name = $2 AND object_type = $3)""",
            [spec.source.system, spec.source.connection, spec.object_type],
        ).fetchone()[0]  # type: ignore[index]
    )


def _stage_checking(
    con: duckdb.DuckDBPyConnection, path: Path, spec: ObjectSpec, job_name: str
) -> dict[int, RejectRow]:
    """Stage with payloads while a second thread validates the whole file (DuckDB runs
    without the GIL, so the two overlap): used when nearly every record will be new."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(check_file, path, spec, job_name=job_name)
        try:
            _stage(con, path, spec, with_payload=True, job_name=job_name)
        finally:
            result = checked.result()
    return result


def _stage(
    con: duckdb.DuckDBPyConnection, path: Path, spec: ObjectSpec, with_payload: bool, job_name: str | None = None
) -> None:
    payload = ", json AS payload" if with_payload else ""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _stage AS
            SELECT {_EXTERNAL_ID} AS external_id, payload_hash{payload.replace("json", "j")}
            FROM (SELECT trim(json ->> $id_path) AS e, md5(json) AS payload_hash, json AS j
                  FROM read_ndjson_objects($file))""",
        {"file": str(path), "id_path": spec.id_json_path},
    )
    checkpoint("raw.staged", job_name)


def _classify_and_write(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: ObjectSpec,
    with_payload: bool,
    *,
    job_name: str,
    run_id: str,
    now: datetime,
    record_number: Callable[[int], int],
    line_faults: list[RejectRow],
    write_rejects: WriteRejects,
    prechecked: dict[int, RejectRow] | None = None,
) -> WriteCounts:
    rejects = line_faults + _structural_rejects(con, path, spec, job_name, record_number)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _cls AS
        WITH latest AS (
            SELECT external_id, max(rowid) AS rid, count(*) - 1 AS superseded
            FROM _stage WHERE external_id IS NOT NULL GROUP BY external_id
        )
        SELECT l.rid + 1 AS ord, $prefix || l.external_id AS idem_key, l.external_id,
               s.payload_hash, l.superseded,
               CASE WHEN r.idem_key IS NULL THEN 'new'
                    WHEN r.payload_hash <> s.payload_hash THEN 'changed'
                    ELSE 'unchanged' END AS kind
        FROM latest l
        JOIN _stage s ON s.rowid = l.rid
        LEFT JOIN raw_objects r ON r.idem_key = $prefix || l.external_id
        """,
        {"prefix": spec.key_prefix},
    )
    kinds = dict(con.execute("SELECT kind, count(*) FROM _cls GROUP BY kind").fetchall())
    superseded = _count(con, "SELECT coalesce(sum(superseded), 0) FROM _cls")
    checkpoint("raw.classified", job_name)

    con.execute("CREATE OR REPLACE TEMP TABLE _bad (ord BIGINT)")
    _gather_candidates(con, path, spec, with_payload)
    if prechecked is None:
        check = check_candidates(_candidates(con), spec, job_name=job_name, record_number=record_number)
    else:  # only the latest record of each key counts; earlier duplicates were superseded
        latest = {o for (o,) in con.execute("SELECT ord FROM _cand").fetchall()} if prechecked else set()
        check = CandidateCheck(
            {o for o in prechecked if o in latest}, [r for o, r in prechecked.items() if o in latest]
        )
    rejects += check.rejects
    if check.rejected_ords:
        con.executemany("INSERT INTO _bad VALUES (?)", [(o,) for o in sorted(check.rejected_ords)])
    bad_kinds = dict(
        con.execute("SELECT kind, count(*) FROM _cls WHERE ord IN (SELECT ord FROM _bad) GROUP BY kind").fetchall()
    )
    counts = WriteCounts(
        inserted=kinds.get("new", 0) - bad_kinds.get("new", 0),
        updated=kinds.get("changed", 0) - bad_kinds.get("changed", 0),
        unchanged=kinds.get("unchanged", 0),
        superseded=superseded,
        rejected=len(rejects),
    )
    # Statements that would change nothing are skipped: a transaction that only appends
    # lets DuckDB write a large batch straight into the file instead of the WAL first.
    with transaction(con):
        if counts.unchanged:
            con.execute(
                """UPDATE raw_objects SET last_seen = $now FROM _cls
                   WHERE _cls.kind = 'unchanged' AND raw_objects.idem_key = _cls.idem_key""",
                {"now": now},
            )
        checkpoint("raw.before_merge", job_name)
        if counts.updated:
            con.execute(
                """UPDATE raw_objects SET payload = c.payload, payload_hash = c.payload_hash,
                       schema_ref = $schema_ref, last_seen = $now
                   FROM _cand c WHERE c.kind = 'changed' AND raw_objects.idem_key = c.idem_key""",
                {"now": now, "schema_ref": spec.schema_ref},
            )
        if counts.inserted:
            con.execute(
                """INSERT INTO raw_objects
                   SELECT idem_key, $system, $connection, $object_type, $schema_ref,
                          external_id, payload, payload_hash, $now, $now
                   FROM _cand WHERE kind = 'new'""",
                {
                    "now": now,
                    "schema_ref": spec.schema_ref,
                    "system": spec.source.system,
                    "connection": spec.source.connection,
                    "object_type": spec.object_type,
                },
            )
        checkpoint("raw.merged", job_name)
        if _count(con, "SELECT count(*) FROM rejects WHERE job_name = $job", {"job": job_name}):
            con.execute(
                """DELETE FROM rejects WHERE job_name = $job AND input_idem_key IN
                   (SELECT idem_key FROM _cls WHERE ord NOT IN (SELECT ord FROM _bad))""",
                {"job": job_name},
            )
        write_rejects(rejects, run_id, now)
        checkpoint("raw.before_commit", job_name)
    return counts


def _gather_candidates(con: duckdb.DuckDBPyConnection, path: Path, spec: ObjectSpec, with_payload: bool) -> None:
    """View ``_cand``: new and changed records with their payloads, minus those in ``_bad``."""
    columns = "c.ord, c.idem_key, c.external_id, c.payload_hash, c.kind"
    if with_payload:
        source = "_cls c JOIN _stage s ON s.rowid = c.ord - 1"
        payload = "s.payload"
    else:
        # Narrow stage: find the payloads again by (id, hash); equal pairs are equal payloads.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _cand_rows AS
                SELECT {columns}, any_value(r.j) AS payload
                FROM (SELECT * FROM _cls WHERE kind <> 'unchanged') c
                JOIN (SELECT {_EXTERNAL_ID} AS external_id, payload_hash, j FROM
                        (SELECT trim(json ->> $id_path) AS e, md5(json) AS payload_hash, json AS j
                         FROM read_ndjson_objects($file))) r
                  ON r.external_id = c.external_id AND r.payload_hash = c.payload_hash
                GROUP BY ALL""",
            {"file": str(path), "id_path": spec.id_json_path},
        ) if _count(con, "SELECT count(*) FROM _cls WHERE kind <> 'unchanged'") else con.execute(
            f"CREATE OR REPLACE TEMP TABLE _cand_rows AS SELECT {columns}, NULL::JSON AS payload FROM _cls c WHERE false"
        )
        source = "_cand_rows c"
        payload = "c.payload"
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _cand AS SELECT {columns}, {payload} AS payload FROM {source}
            WHERE c.kind <> 'unchanged' AND c.ord NOT IN (SELECT ord FROM _bad)"""
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> int:
    row = con.execute(sql, params or {}).fetchone()
    return int(row[0]) if row else 0


def _structural_rejects(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: ObjectSpec,
    job_name: str,
    record_number: Callable[[int], int],
) -> list[RejectRow]:
    """Records without a usable id, named by rule (one the suite cannot read is named for
    that); the file is re-read only if there are any."""
    missing = con.execute(
        "SELECT rowid + 1, payload_hash FROM _stage WHERE external_id IS NULL ORDER BY rowid"
    ).fetchall()
    if not missing:
        return []
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _missing AS SELECT unnest($ords) AS ord", {"ords": [o for o, _ in missing]}
    )
    cursor = con.execute(
        """SELECT m.ord, r.json FROM _missing m
           JOIN (SELECT ordinality AS ord, json FROM read_ndjson_objects($file) WITH ORDINALITY) r
             USING (ord)""",
        {"file": str(path)},
    )
    faults: dict[int, JsonFault] = {}
    no_id = JsonFault(RULE_MISSING_ID, spec.id_field)
    while rows := cursor.fetchmany(1000):  # a file of records without ids is read a slice at a time
        for ord_, text in rows:
            record = parse_record(text.encode("utf-8"))
            faults[ord_] = record if isinstance(record, JsonFault) else no_id
    return [
        reject_for(
            spec,
            job_name=job_name,
            rule=faults[o].rule,
            field=faults[o].field,
            digest=digest,
            external_id=None,
            line=record_number(o),
        )
        for o, digest in missing
    ]


def _candidates(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[int, str, str]]:
    # The caller runs no other statement on ``con`` until this generator is exhausted.
    cursor = con.execute("SELECT ord, external_id, payload FROM _cand ORDER BY ord")
    while rows := cursor.fetchmany(5000):
        yield from rows
