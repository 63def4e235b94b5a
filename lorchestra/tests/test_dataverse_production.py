"""Dataverse on the production profile as a practice runs it: `lorc` (a real subprocess)
runs `tap-lorc-dataverse` through `meltano run` against a fake Dataverse environment on
loopback (TLS, msal sign-in), with the connection in config.yaml and its secrets in .env.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from cli_support import lorc, run_jobs_json, table_rows
from ingestor.fake_apis import running
from ingestor.fake_apis.dataverse import FakeDataverse, fake_dataverse
from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.home import PhiHome

CONNECTION = "dataverse"


@pytest.fixture
def dataverse() -> Iterator[FakeDataverse]:
    server = fake_dataverse(publisher_prefix="praxw_")
    with running(server):
        yield server


def _production(home: PhiHome, server: FakeDataverse, **entry: str) -> None:
    point_at_fakes(
        home, [{"name": CONNECTION, "system": "dataverse", **entry}], lambda _system, _source: server.tap_settings()
    )


def _canonical(home: PhiHome, object_type: str) -> list[dict[str, object]]:
    return [
        json.loads(str(row["payload"]))
        for row in table_rows(home, {}, "canonical_objects", "idem_key")
        if row["object_type"] == object_type
    ]


def test_sessions_of_a_table_with_another_publisher_prefix_arrive_by_configuration_alone(
    home: PhiHome, dataverse: FakeDataverse
) -> None:
    _production(home, dataverse, publisher_prefix="praxw_")

    first = run_jobs_json(["extract_contacts", "canonicalize_contacts"], {})

    assert (first["extract_contacts"]["inserted"], first["extract_contacts"]["rejected"]) == (39, 0)
    sessions = _canonical(home, "clinical_session")
    assert len(sessions) == 26
    assert all(s["contact_id"] and s["session_at"] and s["session_type"] for s in sessions)
    assert len({s["contact_id"] for s in sessions}) == 13

    dataverse.requests.clear()
    second = run_jobs_json(["extract_contacts", "canonicalize_contacts"], {})
    assert (second["extract_contacts"]["inserted"], second["extract_contacts"]["updated"]) == (0, 0)
    reads = [r for r in dataverse.requests if r.path.endswith(("/contacts", "/praxw_sessions"))]
    assert reads and all("modifiedon ge " in r.query["$filter"][0] for r in reads), "only rows changed since"
    assert _canonical(home, "clinical_session") == sessions


def test_a_session_table_not_under_its_configured_name_fails_the_job_naming_the_setting(
    home: PhiHome, dataverse: FakeDataverse
) -> None:
    _production(home, dataverse)  # publisher_prefix left at cr7a2_: the environment has praxw_session

    result = lorc("run", "extract_contacts", "--json")

    assert result.returncode == 1
    [job] = json.loads(result.stdout)["jobs"]
    assert job["status"] == "failed" and job["counts"]["connections_failed"] == 1
    [failure] = [e for e in table_rows(home, {}, "event_log", "created_at") if e["event_type"] == "ingest.failed"]
    assert "session_entity_set" in failure["error_message"]
    assert "no entity set 'cr7a2_sessions'" in failure["error_message"]
    assert f"of connection {CONNECTION} in config.yaml" in failure["error_message"]


def test_connect_stores_the_app_credentials_and_doctor_proves_the_session_table(
    home: PhiHome, dataverse: FakeDataverse
) -> None:
    _production(home, dataverse, publisher_prefix="praxw_")
    settings = dataverse.tap_settings()
    home.dotenv_path.write_text("")  # as before `lorc connect`: no secrets yet

    missing = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}[f"connection {CONNECTION}"]
    assert not missing["ok"] and "DATAVERSE_CLIENT_SECRET" in missing["detail"]
    assert f"lorc connect dataverse {CONNECTION}" in missing["fix"]

    wrong = lorc(
        "connect",
        "dataverse",
        CONNECTION,
        "--tenant-id",
        settings["tenant_id"],
        "--client-id",
        settings["client_id"],
        input_text="not-the-secret\n",
    )
    assert wrong.returncode == 1 and "Certificates & secrets" in wrong.stderr
    assert "not-the-secret" not in wrong.stdout + wrong.stderr

    connected = lorc(
        "connect",
        "dataverse",
        CONNECTION,
        "--tenant-id",
        settings["tenant_id"],
        "--client-id",
        settings["client_id"],
        input_text=settings["client_secret"] + "\n",
    )
    assert connected.returncode == 0, connected.stderr
    assert "session table praxw_session (entity set praxw_sessions) exists" in connected.stdout
    assert settings["client_secret"] not in connected.stdout + connected.stderr
    assert f"DATAVERSE_CLIENT_SECRET={settings['client_secret']}" in home.dotenv_path.read_text()

    checks = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}
    assert checks[f"connection {CONNECTION}"]["ok"], checks[f"connection {CONNECTION}"]

    config = yaml.safe_load(home.config_path.read_text())
    config["connections"]["crm"][0]["session_table"] = "praxw_therapysession"
    home.config_path.write_text(yaml.safe_dump(config))
    renamed = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}[f"connection {CONNECTION}"]
    assert not renamed["ok"] and "praxw_therapysession" in renamed["detail"]
    assert "`session_table`" in renamed["fix"]
