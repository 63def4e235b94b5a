"""What only the BigQuery backend has: table layout, retries, and how it fails."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as gexc

from backend_sql import sql_rows
from cli_support import bigquery_environ, bigquery_store_at, lorc, unreachable_bigquery_environ
from lorchestra.home import PhiHome
from lorchestra.stack_clients.bigquery_store.retry import call_with_retry


def test_tables_are_partitioned_and_clustered_as_designed(bq_emulator: Any, home: PhiHome) -> None:
    from bq_emulator import make_client  # type: ignore[import-not-found]

    dataset = f"t_{uuid.uuid4().hex[:12]}"
    env = bigquery_environ(bq_emulator, dataset)
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    client = make_client(bq_emulator)
    event_log = client.get_table(f"{bq_emulator.project}.{dataset}.event_log")
    assert event_log.time_partitioning.field == "created_at"
    assert event_log.time_partitioning.type_ == "DAY"
    assert event_log.clustering_fields == ["source_system", "event_type"]
    raw = client.get_table(f"{bq_emulator.project}.{dataset}.raw_objects")
    # partitioned on when a row was first written, by month: a batch's statements name the
    # few partitions its stored records lie in (docs/performance.md)
    assert (raw.time_partitioning.field, raw.time_partitioning.type_) == ("first_seen", "MONTH")
    assert raw.clustering_fields == ["source_system", "connection_name", "object_type", "idem_key"]
    assert {f.name: f.field_type for f in raw.schema}["payload"] == "JSON"
    canonical = client.get_table(f"{bq_emulator.project}.{dataset}.canonical_objects")
    assert (canonical.time_partitioning.field, canonical.time_partitioning.type_) == ("updated_at", "MONTH")
    assert canonical.clustering_fields == ["object_type", "idem_key"]
    ledger = client.get_table(f"{bq_emulator.project}.{dataset}.processed_inputs")
    assert (ledger.time_partitioning.field, ledger.time_partitioning.type_) == ("processed_at", "MONTH")
    assert ledger.clustering_fields == ["consumer", "input_idem_key"]


def test_a_dataset_laid_out_by_an_earlier_version_is_refused_naming_the_table_and_the_migration(
    bq_emulator: Any, home: PhiHome
) -> None:
    from google.cloud import bigquery

    from bq_emulator import make_client  # type: ignore[import-not-found]
    from lorchestra.exceptions import StorageError
    from lorchestra.stack_clients.bigquery_store.ddl import column_schema
    from lorchestra.stack_clients.tables import RAW_OBJECTS

    dataset = f"t_{uuid.uuid4().hex[:12]}"
    client = make_client(bq_emulator)
    made = bigquery.Dataset(f"{bq_emulator.project}.{dataset}")
    made.location = "EU"
    client.create_dataset(made)
    earlier = bigquery.Table(f"{bq_emulator.project}.{dataset}.raw_objects", schema=column_schema(RAW_OBJECTS.columns))
    earlier.clustering_fields = ["source_system", "connection_name", "object_type"]  # as versions before 15
    client.create_table(earlier)
    store = bigquery_store_at(bq_emulator.endpoint, home, bq_emulator.project, dataset)
    try:
        with pytest.raises(StorageError) as refused:
            store.ensure_schema(create_dataset=True)
    finally:
        store.close()
    message = str(refused.value)
    assert "table raw_objects" in message and dataset in message and "\n" not in message
    assert "PARTITION BY" in message and "docs/performance.md" in message
    # the doctor, which writes nothing, says so too (the other tables exist by now)
    doctor = lorc("doctor", "--json", env=bigquery_environ(bq_emulator, dataset))
    storage = next(c for c in json.loads(doctor.stdout) if c["name"] == "storage")
    assert not storage["ok"] and "table raw_objects" in storage["detail"], storage


@pytest.mark.example_plugin
def test_the_cli_runs_jobs_and_reads_status_on_bigquery(bq_emulator: Any, home: PhiHome) -> None:
    env = bigquery_environ(bq_emulator, f"t_{uuid.uuid4().hex[:12]}")
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    doctor = lorc("doctor", "--json", env=env)
    storage = next(c for c in json.loads(doctor.stdout) if c["name"] == "storage")
    assert storage["ok"], storage
    run = lorc("run", "example_synthetic_ingest", "warehouse_stats", env=env)
    assert run.returncode == 0, run.stderr
    runs = json.loads(lorc("status", "--json", env=env).stdout)["runs"]
    assert [r["job"] for r in runs] == ["warehouse_stats", "example_synthetic_ingest"]
    assert runs[0]["counts"] == {"raw_objects": 5, "canonical_objects": 0, "rejects": 0}


def test_an_unreachable_bigquery_is_one_clear_line_and_fails_fast(home: PhiHome) -> None:
    env = unreachable_bigquery_environ("nowhere")
    started = time.monotonic()
    result = lorc("run", "warehouse_stats", env=env)
    assert result.returncode == 1
    assert "unreachable" in result.stderr and "api_endpoint" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 60


def test_transient_errors_are_retried_and_client_errors_are_not() -> None:
    calls: list[str] = []

    def flaky() -> str:
        calls.append("x")
        if len(calls) < 3:
            raise (gexc.TooManyRequests if len(calls) == 1 else gexc.ServiceUnavailable)("busy")
        return "done"

    assert call_with_retry(flaky, max_wait=0.01) == "done" and len(calls) == 3

    refused: list[str] = []

    def bad_request() -> None:
        refused.append("x")
        raise gexc.BadRequest("no")

    with pytest.raises(gexc.BadRequest):
        call_with_retry(bad_request, max_wait=0.01)
    assert len(refused) == 1

    attempts: list[str] = []

    def always_down() -> None:
        attempts.append("x")
        raise gexc.InternalServerError("down")

    with pytest.raises(gexc.InternalServerError):
        call_with_retry(always_down, attempts=4, max_wait=0.01)
    assert len(attempts) == 4


def test_a_bad_key_file_from_dotenv_is_named_without_its_contents(home: PhiHome, tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text('{"type": "service_account", "private_key": "SECRET-KEY-MATERIAL"}')
    home.dotenv_path.write_text(f"GOOGLE_APPLICATION_CREDENTIALS={key}\n")
    home.dotenv_path.chmod(0o600)
    env = {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
        "LORC_STORAGE__BIGQUERY__DATASET": "practice",
        "LORC_STORAGE__BIGQUERY__LOCATION": "EU",
    }
    result = lorc("run", "warehouse_stats", env=env)
    assert result.returncode == 1
    assert f"GOOGLE_APPLICATION_CREDENTIALS names {key}" in result.stderr
    assert "SECRET-KEY-MATERIAL" not in result.stdout + result.stderr


@pytest.mark.parametrize("status", [429, 500, 503])
def test_injected_transient_errors_are_retried_and_the_write_succeeds(
    bq_emulator: Any, home: PhiHome, tmp_path: Path, status: int
) -> None:
    from fault_proxy import FaultProxy, fail_first
    from lorchestra.stack_clients import EventClient, ObjectSpec, Source

    with FaultProxy(bq_emulator.endpoint, fail_first(2, status)) as proxy:
        store = bigquery_store_at(proxy.endpoint, home, bq_emulator.project)
        try:
            store.ensure_schema(create_dataset=True)
            path = tmp_path / "a.jsonl"
            path.write_text('{"id": "n1", "text": "x"}\n{"id": "n2", "text": "y"}\n')
            events = EventClient(store, run_id="r", job_name="extract_test", tmp_dir=home.tmp_dir)
            counts = events.emit_jsonl("ingest.completed", path, spec=ObjectSpec(Source("example", "c"), "note"))
            rows = sql_rows(store, f"SELECT count(*) AS n FROM {store.table('raw_objects')}")
        finally:
            store.close()
    assert [s for _, _, s in proxy.injected] == [status, status]
    assert counts.inserted == 2 and rows == [{"n": 2}]


def test_a_permanent_client_error_fails_fast_with_a_clear_message(bq_emulator: Any, home: PhiHome) -> None:
    from fault_proxy import FaultProxy, fail_first
    from lorchestra.exceptions import StorageError

    with FaultProxy(bq_emulator.endpoint, fail_first(100, 400)) as proxy:
        store = bigquery_store_at(proxy.endpoint, home, bq_emulator.project)
        try:
            store.ensure_schema(create_dataset=True)
            started = time.monotonic()
            with pytest.raises(StorageError, match="request refused: HTTP 400"):
                sql_rows(store, "SELECT 1 AS one")
        finally:
            store.close()
    assert len(proxy.injected) == 1 and time.monotonic() - started < 5
