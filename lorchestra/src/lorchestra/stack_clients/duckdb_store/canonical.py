"""Canonical objects on DuckDB: staged as column lists unnested inside DuckDB, classified
against the table (new, changed, unchanged), and written in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

from lorchestra.faults import checkpoint
from lorchestra.stack_clients.duckdb_store.plumbing import transaction
from lorchestra.stack_clients.model import (
    CanonicalRow,
    WriteCounts,
    dumps,
)

# Rows staged per statement: the batch is copied into DuckDB (under its memory limit) a slice
# at a time, so the job's own memory holds one slice's copy, not the whole batch's.
STAGE_ROWS = 2048


def upsert_canonical(con: duckdb.DuckDBPyConnection, rows: Iterable[CanonicalRow], *, now: datetime) -> WriteCounts:
    """Classify ``rows`` against the table (new, changed, unchanged) and write them in one
    transaction; a key given twice keeps its last row (the others count as superseded)."""
    latest: dict[str, CanonicalRow] = {}
    total = 0
    for row in rows:
        latest[row.idem_key] = row
        total += 1
    if not total:
        return WriteCounts()
    return _write(con, list(latest.values()), total - len(latest), now)


def _write(con: duckdb.DuckDBPyConnection, rows: list[CanonicalRow], superseded: int, now: datetime) -> WriteCounts:
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _cstage (idem_key VARCHAR, object_type VARCHAR, schema_ref VARCHAR,
               source_idem_key VARCHAR, source_payload_hash VARCHAR, transform_ref VARCHAR, payload VARCHAR,
               payload_hash VARCHAR)"""
    )
    for start in range(0, len(rows), STAGE_ROWS):
        _stage(con, rows[start : start + STAGE_ROWS])
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


def _stage(con: duckdb.DuckDBPyConnection, rows: list[CanonicalRow]) -> None:
    """``rows`` into ``_cstage``: one column list per field, unnested inside DuckDB (no file, no
    JSON parsing); the payload hash is md5 of the text exactly as stored, computed there too."""
    con.execute(
        """
        INSERT INTO _cstage
        SELECT *, md5(payload) FROM (
        SELECT unnest($idem_key), unnest($object_type), unnest($schema_ref), unnest($source_idem_key),
               unnest($source_payload_hash), unnest($transform_ref), unnest($payload) AS payload)
        """,
        {
            "idem_key": [r.idem_key for r in rows],
            "object_type": [r.object_type for r in rows],
            "schema_ref": [r.schema_ref for r in rows],
            "source_idem_key": [r.source_idem_key for r in rows],
            "source_payload_hash": [r.source_payload_hash for r in rows],
            "transform_ref": [r.transform_ref for r in rows],
            "payload": [dumps(r.payload).decode() for r in rows],
        },
    )
