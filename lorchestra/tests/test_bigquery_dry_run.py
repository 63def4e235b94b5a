"""``lorc doctor --bigquery-dry-run``: every statement of a run sent as a dry run, bytes per
statement kind printed, nothing written. The emulator accepts ``dryRun`` (a SELECT is
executed to find its schema and its rows discarded, a DML statement is not executed) and
always answers ``totalBytesProcessed: 0``: it has no cost model, so these tests check what
is sent and that nothing is written, not the numbers."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from backend_sql import sql_rows
from cli_support import bigquery_environ, lorc
from fault_proxy import FaultProxy
from lorchestra.home import PhiHome
from lorchestra.stack_clients import TABLE_NAMES

OPERATIONS = {
    "raw ingest: MERGE raw_objects",
    "raw ingest: DELETE rejects",
    "changed_inputs: SELECT raw_objects",
    "read_objects: SELECT raw_objects",
    "canonical upsert: MERGE canonical_objects",
    "mark_processed: MERGE processed_inputs",
    "replace_rows: DELETE job_state",
    "replace_rows: INSERT job_state",
    "append_events: INSERT event_log",
}


def _counts(bq_emulator: Any, home: PhiHome, dataset: str) -> dict[str, Any]:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    store = open_store(load_config(home, {**os.environ, **bigquery_environ(bq_emulator, dataset)}))
    try:
        counts = {t: sql_rows(store, f"SELECT count(*) AS n FROM {store.table(t)}")[0]["n"] for t in TABLE_NAMES}
        tables = sorted(t.table_id for t in store.client.list_tables(f"{store.client.project}.{dataset}"))
    finally:
        store.close()
    return {"rows": counts, "tables": tables}


def test_the_dry_run_sends_each_operations_statements_as_dry_runs_and_writes_nothing(
    bq_emulator: Any, home: PhiHome
) -> None:
    dataset = f"d_{uuid.uuid4().hex[:10]}"
    env = bigquery_environ(bq_emulator, dataset)
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    assert lorc("run", "warehouse_stats", env=env).returncode == 0  # some rows to keep
    before = _counts(bq_emulator, home, dataset)
    with FaultProxy(bq_emulator.endpoint) as proxy:
        result = lorc(
            "doctor",
            "--bigquery-dry-run",
            "--json",
            env={**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint},
        )
    assert result.returncode == 0, result.stderr
    estimate = json.loads(result.stdout)
    assert set(estimate["bytes_by_kind"]) >= OPERATIONS, sorted(estimate["bytes_by_kind"])
    assert estimate["total_bytes"] == sum(estimate["bytes_by_kind"].values())
    jobs = [
        json.loads(body)
        for method, path, body in proxy.requests
        if method == "POST" and path.split("?")[0].endswith("/jobs")
    ]
    assert jobs and all(job["configuration"].get("dryRun") is True for job in jobs), "a job that was not a dry run"
    assert not [p for m, p, _ in proxy.requests if "/upload/" in p], "a load job in a dry run"
    assert _counts(bq_emulator, home, dataset) == before


def test_the_dry_run_prints_bytes_per_kind_and_a_total(bq_emulator: Any, home: PhiHome) -> None:
    env = bigquery_environ(bq_emulator, f"d_{uuid.uuid4().hex[:10]}")
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    result = lorc("doctor", "--bigquery-dry-run", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("raw ingest: MERGE raw_objects") and line.endswith(" bytes") for line in lines)
    assert lines[-1].startswith("total") and "nothing was written" in lines[-1]


def test_a_dry_run_on_duckdb_says_what_to_set(home: PhiHome) -> None:
    result = lorc("doctor", "--bigquery-dry-run")
    assert result.returncode != 0
    assert "storage.backend is duckdb" in result.stderr and "storage.backend: bigquery" in result.stderr


def test_a_transaction_is_estimated_statement_by_statement() -> None:
    from lorchestra.stack_clients.bigquery_store.dry_run import statement_kind, statements_of

    script = (
        "BEGIN TRANSACTION;\nMERGE `p.d.raw_objects` T USING `p.d._stage_ab` S ON T.k = S.k "
        "WHEN NOT MATCHED THEN INSERT (k, note) VALUES (S.k, 'a;b\\'c');\n"
        "DELETE FROM `p.d.rejects` WHERE job_name = 'x';\nCOMMIT TRANSACTION;"
    )
    statements = statements_of(script)
    assert [statement_kind(s) for s in statements] == ["MERGE raw_objects", "DELETE rejects"]
    assert statements[0].endswith("VALUES (S.k, 'a;b\\'c')")
