"""Job-level faults through the loopback proxy: an answer lost after BigQuery accepted the
job, a 409 ``duplicate`` on an insert, and transactions aborted by a concurrent update.
A retry must never run one logical job twice, and a conflict is retried as a whole."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from backend_sql import sql_rows
from cli_support import bigquery_environ, bigquery_store_at, lorc
from fault_proxy import FaultProxy, Rule, error_body
from lorchestra.home import PhiHome

CONFLICT = error_body(
    400, "invalidQuery", "Transaction is aborted due to concurrent update against table p:d.raw_objects"
)
TRANSACTION = b"BEGIN TRANSACTION"


def _ingest_two(store: Any, home: PhiHome, tmp_path: Path) -> Any:
    from lorchestra.stack_clients import EventClient, ObjectSpec, Source

    path = tmp_path / "notes.jsonl"
    path.write_text('{"id": "n1", "text": "x"}\n{"id": "n2", "text": "y"}\n')
    events = EventClient(store, run_id="r", job_name="extract_test", tmp_dir=home.tmp_dir)
    return events.emit_jsonl("ingest.completed", path, spec=ObjectSpec(Source("example", "c"), "note"))


def _through_proxy(bq_emulator: Any, home: PhiHome, rules: list[Rule]) -> tuple[FaultProxy, Any, Any]:
    """A store on a fresh dataset whose requests pass the proxy, with ``rules`` armed after
    the schema exists (so they hit the writes, not the set-up)."""
    dataset = f"j_{uuid.uuid4().hex[:10]}"
    proxy = FaultProxy(bq_emulator.endpoint).__enter__()
    store = bigquery_store_at(proxy.endpoint, home, bq_emulator.project, dataset)
    store.ensure_schema(create_dataset=True)
    proxy.rules = rules
    direct = bigquery_store_at(bq_emulator.endpoint, home, bq_emulator.project, dataset)
    return proxy, store, direct


def _ingest_two_through(bq_emulator: Any, home: PhiHome, tmp_path: Path, rule: Rule) -> tuple[FaultProxy, Any, Any]:
    """Two records ingested through the proxy with ``rule`` armed; the raw rows counted directly."""
    proxy, store, direct = _through_proxy(bq_emulator, home, [rule])
    try:
        counts = _ingest_two(store, home, tmp_path)
        raws = sql_rows(direct, f"SELECT count(*) AS n FROM {direct.table('raw_objects')}")
    finally:
        store.close(), direct.close(), proxy.__exit__()
    return proxy, counts, raws


def test_an_answer_lost_after_the_audit_insert_was_accepted_writes_the_event_once(
    bq_emulator: Any, home: PhiHome, tmp_path: Path
) -> None:
    rule = Rule("/jobs", body_part=b"event_log` (", forward=True, drop=True)
    proxy, store, direct = _through_proxy(bq_emulator, home, [rule])
    try:
        counts = _ingest_two(store, home, tmp_path)
        events = sql_rows(direct, f"SELECT event_id, count(*) AS n FROM {direct.table('event_log')} GROUP BY event_id")
        raws = sql_rows(direct, f"SELECT count(*) AS n FROM {direct.table('raw_objects')}")
    finally:
        store.close(), direct.close(), proxy.__exit__()
    assert [s for _, _, s in proxy.injected] == [0], "the fault did not fire"
    assert counts.inserted == 2 and raws == [{"n": 2}]
    assert events and all(e["n"] == 1 for e in events), f"an audit event written twice: {events}"


@pytest.mark.parametrize("kind", ["load upload", "query"])
def test_a_409_duplicate_on_a_job_insert_means_accepted_and_the_job_is_followed(
    bq_emulator: Any, home: PhiHome, tmp_path: Path, kind: str
) -> None:
    duplicate = error_body(409, "duplicate", "Already Exists: Job")
    if kind == "load upload":  # a resumable upload's last chunk is what inserts the job
        rule = Rule("/upload/", method="PUT", forward=True, status=409, body=duplicate)
    else:
        rule = Rule("/jobs", body_part=TRANSACTION, forward=True, status=409, body=duplicate)
    proxy, counts, raws = _ingest_two_through(bq_emulator, home, tmp_path, rule)
    assert [s for _, _, s in proxy.injected] == [409], "the fault did not fire"
    assert counts.inserted == 2 and raws == [{"n": 2}]


def test_a_transaction_aborted_by_a_concurrent_update_is_retried_whole(
    bq_emulator: Any, home: PhiHome, tmp_path: Path
) -> None:
    rule = Rule("/jobs", body_part=TRANSACTION, status=400, body=CONFLICT)
    proxy, counts, raws = _ingest_two_through(bq_emulator, home, tmp_path, rule)
    assert [s for _, _, s in proxy.injected] == [400], "the fault did not fire"
    assert counts.inserted == 2 and raws == [{"n": 2}]
    transactions = [body for _, path, body in proxy.requests if "/jobs" in path and TRANSACTION in body]
    ids = {body.split(b'"jobId": "')[1].split(b'"')[0] for body in transactions}
    assert len(transactions) == 2 and len(ids) == 2, "a resubmitted job needs a new id"
    assert all(i.startswith(b"lorc_query_") for i in ids)


@pytest.mark.example_plugin
def test_a_persistent_conflict_is_one_clear_line_and_writes_nothing(bq_emulator: Any, home: PhiHome) -> None:
    env = bigquery_environ(bq_emulator, f"c_{uuid.uuid4().hex[:10]}")
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    with FaultProxy(
        bq_emulator.endpoint, rules=[Rule("/jobs", body_part=TRANSACTION, status=400, body=CONFLICT, times=100)]
    ) as proxy:
        result = lorc(
            "run", "example_synthetic_ingest", env={**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint}
        )
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if "concurrent update" in line]
    assert len(lines) == 1 and "another run or program" in lines[0], result.stderr
    assert "raw_objects" not in result.stderr + result.stdout  # the service's message is withheld
    assert 2 <= len(proxy.injected) <= 10  # retried, and bounded
    store = bigquery_store_at(bq_emulator.endpoint, home, bq_emulator.project, env["LORC_STORAGE__BIGQUERY__DATASET"])
    try:
        raws = sql_rows(store, f"SELECT count(*) AS n FROM {store.table('raw_objects')}")
        stages = [t.table_id for t in store.client.list_tables(f"{store.client.project}.{store.dataset}")]
    finally:
        store.close()
    assert raws == [{"n": 0}]
    assert not [s for s in stages if s.startswith("_stage_")]


def _failed_job(reason: str, message: str) -> bytes:
    """A job resource as BigQuery answers for a job that finished with ``reason``."""
    error = {"reason": reason, "message": message}
    return json.dumps(
        {
            "kind": "bigquery#job",
            "jobReference": {"projectId": "lorc-test-project", "jobId": "lorc_query_failed", "location": "US"},
            "configuration": {"query": {"query": "BEGIN TRANSACTION; COMMIT TRANSACTION;"}},
            "status": {"state": "DONE", "errorResult": error, "errors": [error]},
        }
    ).encode()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("backendError", "injected"),
        ("invalidQuery", "Could not serialize access to table p:d.raw_objects due to concurrent update"),
    ],
)
def test_a_job_that_finished_failed_for_a_retriable_reason_is_sent_again_under_a_new_id(
    bq_emulator: Any, home: PhiHome, tmp_path: Path, reason: str, message: str
) -> None:
    failed = _failed_job(reason, message)
    rules = [
        Rule("/jobs", body_part=TRANSACTION, status=200, body=failed),
        Rule("/jobs/lorc_query_failed", method="GET", status=200, body=failed, times=5),
    ]
    proxy, store, direct = _through_proxy(bq_emulator, home, rules)
    try:
        counts = _ingest_two(store, home, tmp_path)
        raws = sql_rows(direct, f"SELECT count(*) AS n FROM {direct.table('raw_objects')}")
    finally:
        store.close(), direct.close(), proxy.__exit__()
    assert [s for _, p, s in proxy.injected if p.split("?")[0].endswith("/jobs")] == [200], "the fault did not fire"
    assert counts.inserted == 2 and raws == [{"n": 2}]
    transactions = [body for _, path, body in proxy.requests if "/jobs" in path and TRANSACTION in body]
    assert len(transactions) == 2
