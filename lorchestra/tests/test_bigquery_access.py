"""Access to BigQuery as the real service grants it: credentials of every kind Google
issues (followed from the file to the bearer token on each API request), the location
the patient data must live in, and a dataset a run only checks and never creates."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as gexc

from backend_sql import sql_rows
from cli_support import bigquery_environ, lorc, make_dataset, table_rows
from fault_proxy import Answer, FaultProxy, answer_matching, forward_all
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.runner import run_jobs
from oauth_token_server import TokenServer

DATASET_CREATE = r"/projects/[^/]+/datasets$"  # POST here is datasets.insert


def _environ_without_dataset(emulator: Any) -> dict[str, str]:
    return bigquery_environ(emulator, f"a_{uuid.uuid4().hex[:12]}")


def _dataset_exists(emulator: Any, environ: dict[str, str]) -> bool:
    from bq_emulator import make_client

    try:
        make_client(emulator).get_dataset(f"{emulator.project}.{environ['LORC_STORAGE__BIGQUERY__DATASET']}")
    except gexc.NotFound:
        return False
    return True


# -- location ---------------------------------------------------------------------------------
def test_bigquery_without_a_location_is_refused_naming_the_key_and_why(home: PhiHome) -> None:
    env = {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
        "LORC_STORAGE__BIGQUERY__DATASET": "practice",
    }
    result = lorc("run", "warehouse_stats", env=env)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "storage.bigquery.location" in line and "EU" in line and "patient data" in line and "US" in line


def test_the_config_template_says_location_is_required() -> None:
    from lorchestra.config import DEFAULT_CONFIG_YAML

    [line] = [line for line in DEFAULT_CONFIG_YAML.splitlines() if "location:" in line]
    assert "required" in line and "EU" in line


# -- the dataset --------------------------------------------------------------------------------
def test_a_run_never_creates_the_dataset_and_says_how_to(bq_emulator: Any, home: PhiHome) -> None:
    env = _environ_without_dataset(bq_emulator)
    result = lorc("run", "warehouse_stats", env=env)
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "lorc init --create-dataset" in result.stderr
    assert not _dataset_exists(bq_emulator, env)
    plain_init = lorc("init", env=env)
    assert plain_init.returncode == 1 and "lorc init --create-dataset" in plain_init.stderr
    assert not _dataset_exists(bq_emulator, env)


def test_init_creates_the_dataset_in_the_configured_location_when_asked(bq_emulator: Any, home: PhiHome) -> None:
    from bq_emulator import make_client

    env = _environ_without_dataset(bq_emulator)
    env["LORC_STORAGE__BIGQUERY__LOCATION"] = "europe-west3"
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    dataset = make_client(bq_emulator).get_dataset(f"{bq_emulator.project}.{env['LORC_STORAGE__BIGQUERY__DATASET']}")
    assert dataset.location == "europe-west3"
    assert lorc("run", "warehouse_stats", env=env).returncode == 0
    again = lorc("init", "--create-dataset", env=env)  # an existing dataset is only checked
    assert again.returncode == 0, again.stderr


def test_a_dataset_in_another_location_is_an_error_naming_both(bq_emulator: Any, home: PhiHome) -> None:
    env = _environ_without_dataset(bq_emulator)
    make_dataset(bq_emulator, env, location="US")
    for args in (("run", "warehouse_stats"), ("init", "--create-dataset")):
        result = lorc(*args, env=env)
        assert result.returncode == 1, args
        assert "in location US" in result.stderr and "storage.bigquery.location is EU" in result.stderr


def test_a_least_privilege_account_runs_the_email_lane(bq_emulator: Any, home: PhiHome) -> None:
    """BigQuery Data Editor on the dataset and Job User on the project: no dataset may be
    created (the proxy answers any attempt as BigQuery does), the dataset exists already."""
    env = _environ_without_dataset(bq_emulator)
    make_dataset(bq_emulator, env)
    denied = Answer(
        403, "accessDenied", "Access Denied: Project lorc-test-project: Permission bigquery.datasets.create"
    )
    with FaultProxy(bq_emulator.endpoint, answer_matching(denied, method="POST", path=DATASET_CREATE)) as proxy:
        through = {**env, "LORC_STORAGE__BIGQUERY__API_ENDPOINT": proxy.endpoint}
        report = run_jobs(
            ["extract_email", "canonicalize_email", "build_inbox_view"],
            home=home,
            environ=through,
            params={"count": 5},
        )
    assert report.ok, report.as_dict()
    assert proxy.injected == []  # nothing even tried to create a dataset
    assert proxy.forwarded > 0
    assert table_rows(home, env, "inbox_view", "conversation_key")


# -- credentials --------------------------------------------------------------------------------
def _service_account_key(token_url: str) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "type": "service_account",
        "project_id": "lorc-test-project",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "lorc-runner@lorc-test-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{token_url}/service_account",
        "public_pem": public.decode(),  # not part of a real key file: the test's check of the signature
    }


def _credentials_file(kind: str, token_url: str, tmp_path: Path) -> Path:
    if kind == "authorized_user":
        # What `gcloud auth application-default login` writes, plus the access token and expiry
        # google.auth itself saves beside it: it refreshes a user's token only at Google's own
        # endpoint (a file's token_uri is ignored), which a test cannot reach.
        info: dict[str, str | dict[str, str]] = {
            "type": "authorized_user",
            "client_id": "client.apps.googleusercontent.com",
            "client_secret": "client-secret",
            "refresh_token": "refresh-token-of-the-user",
            "token": TokenServer.token_for("/authorized_user"),
            "expiry": (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    elif kind == "external_account":  # workload identity federation, the subject token in a file
        subject = tmp_path / "subject-token.jwt"
        subject.write_text("subject-token-from-the-identity-provider")
        info = {
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/p/providers/q",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": f"{token_url}/external_account",
            "credential_source": {"file": str(subject)},
        }
    else:
        info = dict(_service_account_key(token_url))
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


EXPECTED_CLASS = {
    "authorized_user": "google.oauth2.credentials.Credentials",
    "external_account": "google.auth.identity_pool.Credentials",
    "service_account": "google.oauth2.service_account.Credentials",
}
EXPECTED_GRANT = {
    "authorized_user": None,  # its stored token is still valid
    "external_account": "urn:ietf:params:oauth:grant-type:token-exchange",
    "service_account": "urn:ietf:params:oauth:grant-type:jwt-bearer",
}


@pytest.mark.parametrize("kind", ["authorized_user", "external_account", "service_account"])
@pytest.mark.parametrize("where", ["environment", "dotenv"])
def test_each_kind_of_credentials_file_carries_its_token_to_bigquery(
    bq_emulator: Any, home: PhiHome, tmp_path: Path, kind: str, where: str
) -> None:
    from lorchestra.stack_clients.bigquery_store.access import SCOPES, bigquery_credentials

    env = _environ_without_dataset(bq_emulator)
    with TokenServer() as tokens, FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        path = _credentials_file(kind, tokens.url, tmp_path)
        env["LORC_STORAGE__BIGQUERY__API_ENDPOINT"] = proxy.endpoint
        if where == "dotenv":
            home.dotenv_path.write_text(f"GOOGLE_APPLICATION_CREDENTIALS={path}\n")
            home.dotenv_path.chmod(0o600)
        else:
            env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)
        credentials = bigquery_credentials(load_config(home, env))
        make_dataset(bq_emulator, env)
        result = lorc("init", env=env)
    assert result.returncode == 0, result.stderr
    assert f"{type(credentials).__module__}.{type(credentials).__name__}" == EXPECTED_CLASS[kind]
    assert proxy.requests, "no request reached BigQuery"
    bearer = {headers.get("authorization") for headers in proxy.request_headers}
    assert bearer == {f"Bearer {TokenServer.token_for('/' + kind)}"}  # every request, this file's token
    if EXPECTED_GRANT[kind] is None:
        assert tokens.grants == []
        return
    assert tuple(credentials.scopes or ()) == SCOPES  # type: ignore[attr-defined]
    grant_path, form = tokens.grants[0]
    assert grant_path == f"/{kind}" and form["grant_type"] == EXPECTED_GRANT[kind]
    if kind == "external_account":
        assert form["subject_token"] == "subject-token-from-the-identity-provider"
    if kind == "service_account":  # the assertion is signed by the generated key
        from google.auth import jwt

        public_pem = json.loads(path.read_text())["public_pem"]
        # google.auth addresses the assertion to Google's token endpoint, wherever it posts it
        claims = jwt.decode(form["assertion"], certs=public_pem, audience="https://oauth2.googleapis.com/token")
        assert claims["scope"] == SCOPES[0]
    assert any(path.split("?", 1)[0].endswith("/tables") for method, path, _ in proxy.requests if method == "POST")


def test_credentials_the_token_endpoint_refuses_are_one_clear_line(
    bq_emulator: Any, home: PhiHome, tmp_path: Path
) -> None:
    from oauth_token_server import refusing_token_server

    env = _environ_without_dataset(bq_emulator)
    with refusing_token_server() as tokens:
        path = _credentials_file("service_account", tokens.url, tmp_path)
        env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)
        result = lorc("init", "--create-dataset", env=env)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert "Google refused the credentials" in line and "GOOGLE_APPLICATION_CREDENTIALS" in line
    assert "invalid_grant-detail" not in line  # the endpoint's own answer is not repeated


def test_application_default_credentials_are_used_without_a_file(home: PhiHome, tmp_path: Path) -> None:
    """No GOOGLE_APPLICATION_CREDENTIALS and no emulator: google.auth.default() finds what
    `gcloud auth application-default login` wrote under the user's home."""
    from lorchestra.stack_clients.bigquery_store.access import bigquery_credentials

    gcloud = Path.home() / ".config" / "gcloud"
    gcloud.mkdir(parents=True)
    adc = _credentials_file("authorized_user", "http://127.0.0.1:9", tmp_path)
    (gcloud / "application_default_credentials.json").write_text(adc.read_text())
    env = {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
        "LORC_STORAGE__BIGQUERY__DATASET": "practice",
        "LORC_STORAGE__BIGQUERY__LOCATION": "EU",
    }
    credentials = bigquery_credentials(load_config(home, env))
    assert f"{type(credentials).__module__}.{type(credentials).__name__}" == EXPECTED_CLASS["authorized_user"]


SECRET = "SECRET-KEY-MATERIAL"
BROKEN_FILES = {
    "missing": (None, "cannot be read"),
    "not json": (f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n", "not a JSON credentials file"),
    "unsupported type": (json.dumps({"type": "gdch_service_account", "private_key": SECRET}), "of type"),
    "no type": (json.dumps({"private_key": SECRET}), "no known type"),
    "malformed key": (
        json.dumps({"type": "service_account", "private_key": SECRET, "client_email": "a@b.c"}),
        "service_account credentials file that google.auth cannot load",
    ),
    "malformed authorized user": (
        json.dumps({"type": "authorized_user", "refresh_token": SECRET}),
        "authorized_user credentials file that google.auth cannot load",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_a_broken_credentials_file_is_one_clear_line_without_its_contents(
    home: PhiHome, tmp_path: Path, case: str
) -> None:
    content, problem = BROKEN_FILES[case]
    path = tmp_path / "credentials.json"
    if content is not None:
        path.write_text(content)
    env = {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
        "LORC_STORAGE__BIGQUERY__DATASET": "practice",
        "LORC_STORAGE__BIGQUERY__LOCATION": "EU",
        "GOOGLE_APPLICATION_CREDENTIALS": str(path),
    }
    result = lorc("run", "warehouse_stats", env=env)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert f"GOOGLE_APPLICATION_CREDENTIALS names {path}" in line and problem in line, line
    assert "fix" in line.lower() or "set GOOGLE_APPLICATION_CREDENTIALS" in line
    assert SECRET not in result.stdout + result.stderr


def test_the_emulator_needs_no_credentials(bq_emulator: Any, home: PhiHome) -> None:
    env = _environ_without_dataset(bq_emulator)
    with FaultProxy(bq_emulator.endpoint, forward_all) as proxy:
        env["LORC_STORAGE__BIGQUERY__API_ENDPOINT"] = proxy.endpoint
        assert lorc("init", "--create-dataset", env=env).returncode == 0
        from lorchestra.stack_clients import open_store

        store = open_store(load_config(home, env))
        try:
            assert sql_rows(store, "SELECT 1 AS one") == [{"one": 1}]
        finally:
            store.close()
    assert not any("authorization" in headers for headers in proxy.request_headers)
