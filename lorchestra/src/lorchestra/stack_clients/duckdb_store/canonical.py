"""Canonical objects on DuckDB: staged through a private JSONL file, classified against
the table (new, changed, unchanged), and written in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb
import orjson

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.duckdb_store.plumbing import transaction
from lorchestra.stack_clients.model import (
    CanonicalRow,
    WriteCounts,
    dumps,
    payload_hash,
)
from lorchestra.stack_clients.spill import spill_file


def upsert_canonical(
    con: duckdb.DuckDBPyConnection, tmp_dir: Path, rows: Iterable[CanonicalRow], *, now: datetime
) -> WriteCounts:
    """Stage canonical rows through a private JSONL file, then classify and write in one transaction."""
    with spill_file(tmp_dir) as (path, handle):
        latest: dict[str, int] = {}
        total = 0
        for row in rows:
            text = dumps(row.payload)
            handle.write(
                dumps(
                    {
                        "idem_key": row.idem_key,
                        "object_type": row.object_type,
                        "schema_ref": row.schema_ref,
                        "source_idem_key": row.source_idem_key,
                        "source_payload_hash": row.source_payload_hash,
                        "transform_ref": row.transform_ref,
                        "payload_hash": payload_hash(text),
                        "payload": orjson.Fragment(text),
                    }
                )
                + b"\n"
            )
            total += 1
            latest[row.idem_key] = total
        handle.close()
        if not total:
            return WriteCounts()
        return _write(con, path, total - len(latest), now)


def _write(con: duckdb.DuckDBPyConnection, path: Path, superseded: int, now: datetime) -> WriteCounts:
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
    try:
        with transaction(con):
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
    finally:
        con.execute("DROP TABLE IF EXISTS _cstage; DROP TABLE IF EXISTS _ccls")
    return WriteCounts(
        inserted=kinds.get("new", 0),
        updated=kinds.get("changed", 0),
        unchanged=kinds.get("unchanged", 0),
        superseded=superseded,
    )
