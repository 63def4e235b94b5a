"""`lorc doctor` on BigQuery tells failures apart, each with its own fix: a missing role,
disabled billing, a dataset in the wrong location, a missing dataset, missing tables, an
unreachable service. The refusals are BigQuery's own error bodies, answered by the
loopback proxy in front of the emulator (reasons from BigQuery's error-messages table)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cli_support import bigquery_environ, lorc, make_dataset, unreachable_bigquery_environ
from fault_proxy import Answer, FaultProxy, Rule, answer_matching, error_body, forward_all
from lorchestra.home import PhiHome

ANY_DATASET_READ = r"/datasets/[^/]+$"  # GET here is datasets.get
ANY_JOB = r"/jobs$"  # POST here is jobs.insert (a query)


def _storage_check(env: dict[str, str]) -> dict[str, Any]:
    doctor = lorc("doctor", "--json", env=env)
    check: dict[str, Any] = next(c for c in json.loads(doctor.stdout) if c["name"] == "storage")
    assert (doctor.returncode == 0) == check["ok"] or not check["ok"]
    return check


def _ready_environ(emulator: Any) -> dict[str, str]:
    env = bigquery_environ(emulator, f"d_{uuid.uuid4().hex[:12]}")
    make_dataset(emulator, env)
    assert lorc("init", env=env).returncode == 0
    return env


def test_a_ready_dataset_is_ok(bq_emulator: Any, home: PhiHome) -> None:
    check = _storage_check(_ready_environ(bq_emulator))
    assert check["ok"], check


REFUSALS = {
    "missing role on the dataset": (
        "GET",
        ANY_DATASET_READ,
        Answer(403, "accessDenied", "Access Denied: Dataset lorc-test-project:d: Permission bigquery.datasets.get"),
        ("access denied", "accessDenied"),
        ("BigQuery Data Editor", "BigQuery Job User", "roles/bigquery.dataEditor", "roles/bigquery.jobUser"),
    ),
    "missing role on the project": (
        "POST",
        ANY_JOB,
        Answer(403, "accessDenied", "Access Denied: Project lorc-test-project: Permission bigquery.jobs.create"),
        ("access denied", "accessDenied"),
        ("BigQuery Data Editor", "BigQuery Job User"),
    ),
    "billing not enabled": (
        "POST",
        ANY_JOB,
        Answer(403, "billingNotEnabled", "Billing has not been enabled for this project. Enable billing at ..."),
        ("billing is not enabled", "billingNotEnabled"),
        ("enable billing for project lorc-test-project", "sandbox"),
    ),
    "billing account closed": (
        "POST",
        ANY_JOB,
        Answer(403, "accessDenied", "Access Denied: Project p: The billing account for the owning project is closed"),
        ("billing is not enabled",),
        ("enable billing for project lorc-test-project",),
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refusal_is_told_apart_with_its_fix(bq_emulator: Any, home: PhiHome, case: str) -> None:
    method, path, answer, detail_has, fix_has = REFUSALS[case]
    env = _ready_environ(bq_emulator)
    with FaultProxy(bq_emulator.endpoint, answer_matching(answer, method=method, path=path)) as proxy:
        check = _storage_check({**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint})
    assert proxy.injected, "the refusal was never asked for"
    assert not check["ok"]
    for text in detail_has:
        assert text in check["detail"], check
    for text in fix_has:
        assert text in check["fix"], check
    assert "lorc init" not in check["fix"]  # not "tables missing"
    assert "Enable billing at" not in check["detail"] + check["fix"]  # BigQuery's message is not repeated
    if "role" in case:
        assert "billing" not in check["fix"]


def test_a_sandbox_project_that_runs_queries_but_no_dml_is_told_billing_is_off(bq_emulator: Any, home: PhiHome) -> None:
    env = _ready_environ(bq_emulator)
    sandbox = error_body(
        403,
        "billingNotEnabled",
        "Billing has not been enabled for this project. DML queries are not allowed in the free tier.",
    )
    no_dml = Rule("/jobs", body_part=b"DELETE FROM", status=403, body=sandbox, times=10)
    with FaultProxy(bq_emulator.endpoint, rules=[no_dml]) as proxy:
        check = _storage_check({**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint})
    assert no_dml.times < 10, "the doctor never asked for DML"
    assert not check["ok"]
    assert "billing is not enabled" in check["detail"] and "sandbox" in check["fix"], check
    assert "DML queries" not in check["detail"] + check["fix"]  # BigQuery's message is not repeated


def test_a_dataset_in_another_location_names_both_and_the_key(bq_emulator: Any, home: PhiHome) -> None:
    env = _ready_environ(bq_emulator)
    check = _storage_check({**env, "LORC_STORAGE__BIGQUERY__LOCATION": "europe-west3"})
    assert not check["ok"]
    assert "in location EU" in check["detail"] and "europe-west3" in check["detail"]
    assert "storage.bigquery.location" in check["fix"]


def test_a_missing_dataset_says_how_to_create_it(bq_emulator: Any, home: PhiHome) -> None:
    env = bigquery_environ(bq_emulator, f"d_{uuid.uuid4().hex[:12]}")
    check = _storage_check(env)
    assert not check["ok"]
    assert "does not exist" in check["detail"]
    assert "lorc init --create-dataset" in check["fix"] and "console" in check["fix"]


def test_missing_tables_say_lorc_init(bq_emulator: Any, home: PhiHome) -> None:
    env = bigquery_environ(bq_emulator, f"d_{uuid.uuid4().hex[:12]}")
    make_dataset(bq_emulator, env)  # by an administrator, empty
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        check = _storage_check({**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint})
    assert not check["ok"]
    assert check["detail"].startswith("tables missing:") and check["fix"] == "run `lorc init`"
    written = [
        (method, path)
        for method, path, _ in proxy.requests
        if method != "GET" and not path.split("?", 1)[0].endswith("/jobs")
    ]
    assert written == []  # doctor creates nothing: only reads and its one query job


def test_an_unreachable_service_says_so(home: PhiHome) -> None:
    env = unreachable_bigquery_environ("practice")
    check = _storage_check(env)
    assert not check["ok"]
    assert "unreachable" in check["detail"] and "network" in check["fix"]
