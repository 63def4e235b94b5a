"""The plain DuckDB floor for loading a JSONL file into ``raw_objects`` (``lorc bench
ingest`` measures it next to :mod:`.raw_ingest`): ``read_ndjson_objects`` and one
``MERGE``, the last record of each id in the file winning. It does only what any load
must do (read, hash, dedupe the batch, merge): no validation, no rejects, no counts by
kind, no audit. A benchmark's yardstick, never a way to store data.

The deduplicated batch is staged in a temporary table first, as the batch emit stages
its own. DuckDB holds the rows a ``MERGE`` inserts in memory until it commits (the batch
emit appends with a plain ``INSERT`` instead, which goes straight to the file), so the
floor needs more than the pipeline's 512 MB at 100,000 records of 4 KB: the benchmark
gives it its own ``memory_limit``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from lorchestra.stack_clients.model import ObjectSpec

FLOOR_TABLE = "floor_raw_objects"


def merge_floor(con: duckdb.DuckDBPyConnection, path: Path, spec: ObjectSpec, now: datetime) -> int:
    """Merge ``path`` into ``FLOOR_TABLE`` (created like ``raw_objects`` when missing);
    the rows it holds then."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} AS SELECT * FROM raw_objects WHERE false")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _floor_batch AS
           SELECT $prefix || id AS idem_key, id AS external_id, json AS payload, md5(json) AS payload_hash
           FROM (SELECT json ->> $id_path AS id, json, ordinality AS o FROM read_ndjson_objects($file) WITH ORDINALITY)
           SEMI JOIN (SELECT json ->> $id_path AS id, max(ordinality) AS o
                      FROM read_ndjson_objects($file) WITH ORDINALITY GROUP BY ALL) USING (id, o)""",
        {"file": str(path), "id_path": spec.id_json_path, "prefix": spec.key_prefix},
    )
    try:
        con.execute(
            f"""MERGE INTO {FLOOR_TABLE} t USING _floor_batch s ON t.idem_key = s.idem_key
                WHEN MATCHED AND t.payload_hash <> s.payload_hash THEN UPDATE SET
                    payload = s.payload, payload_hash = s.payload_hash, last_seen = $now
                WHEN MATCHED THEN UPDATE SET last_seen = $now
                WHEN NOT MATCHED THEN INSERT VALUES (s.idem_key, $system, $connection, $object_type, $schema_ref,
                    s.external_id, s.payload, s.payload_hash, $now, $now)""",
            {
                "now": now,
                "system": spec.source.system,
                "connection": spec.source.connection,
                "object_type": spec.object_type,
                "schema_ref": spec.schema_ref,
            },
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _floor_batch")
    row = con.execute(f"SELECT count(*) FROM {FLOOR_TABLE}").fetchone()
    return int(row[0]) if row else 0
