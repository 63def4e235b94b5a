"""The Runs page over a real DuckDB warehouse: job and pipeline runs, failures with their
fix message, rejects per job by rule and field, records per source per day, and the live
progress of a run that holds the warehouse (read from the run lock and activity record)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from starlette.testclient import TestClient

from lorc_console import create_app
from lorc_console.guard import HEADERS
from lorc_console.logs import FORMAT, SafeFormatter
from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.runlock import lock_path, run_lock
from lorchestra.stack_clients import EventRow, RejectRow, Store, open_store
from lorchestra.warehouse_reader import Fresh, WarehouseReader

T = TypeVar("T")
NOW = datetime.now(UTC).replace(microsecond=0)
RUN = "run-1"


def event(kind: str, job: str, at: datetime, **extra: object) -> EventRow:
    return EventRow(
        event_id=f"{kind}-{job}-{at.timestamp()}",
        event_type=kind,
        created_at=at,
        correlation_id=RUN,
        trace_id=f"{RUN}:{job}",
        payload={"job": job, **extra.pop("payload", {})},  # type: ignore[dict-item]
        **extra,  # type: ignore[arg-type]
    )


def write_history(store: Store) -> None:
    """Two jobs of one run (one failed), two days of e-mail ingests and three rejects."""
    store.append_events(
        [
            event("job.started", "extract_email", NOW - timedelta(minutes=3)),
            event(
                "ingest.completed",
                "extract_email",
                NOW - timedelta(days=1),
                connection_name="gmail-praxis",
                payload={"inputs": 7},
            ),
            event(
                "ingest.completed",
                "extract_email",
                NOW - timedelta(minutes=2),
                connection_name="gmail-praxis",
                payload={"inputs": 3},
            ),
            event(
                "job.completed",
                "extract_email",
                NOW - timedelta(minutes=2),
                payload={"duration_ms": 60000, "counts": {"inputs": 10}},
            ),
            event("job.started", "score_phq9", NOW - timedelta(minutes=1)),
            event(
                "job.failed",
                "score_phq9",
                NOW,
                status="failed",
                error_message="scorer definition missing; fix: run lorc doctor",
                payload={"duration_ms": 1500, "counts": {}},
            ),
        ]
    )
    rejects = [
        RejectRow("canonicalize_email", f"k{i}", f"k{i}", "schema", "payload.from", "payload.from: required", None)
        for i in range(3)
    ]
    store.upsert_rejects(rejects, run_id=RUN, now=NOW)


@pytest.fixture
def home(tmp_path: object) -> PhiHome:
    phi_home = PhiHome.from_env()
    init_home(phi_home)
    store = open_store(load_config(phi_home))
    try:
        store.ensure_schema()
        write_history(store)
    finally:
        store.close()
    return phi_home


@pytest.fixture
def client(home: PhiHome) -> Iterator[TestClient]:
    with TestClient(create_app(load_config(home), token="start"), base_url="http://127.0.0.1:9") as signed_in:
        assert signed_in.get("/login?token=start", follow_redirects=False).status_code == 303
        yield signed_in


def test_runs_failures_rejects_and_the_volume_chart_come_from_the_warehouse(client: TestClient) -> None:
    assert_history_shown(client.get("/runs").text)


@pytest.mark.bigquery
def test_the_runs_and_reports_pages_read_bigquery_too(
    bq_emulator: object, monkeypatch: pytest.MonkeyPatch, bigquery_environ: Callable[[object, str], dict[str, str]]
) -> None:
    for key, value in bigquery_environ(bq_emulator, f"console_{uuid.uuid4().hex[:10]}").items():
        monkeypatch.setenv(key, value)
    phi_home = PhiHome.from_env()
    init_home(phi_home, create_dataset=True)
    config = load_config(phi_home)
    store = open_store(config)
    try:
        write_history(store)
    finally:
        store.close()
    with TestClient(create_app(config, token="t"), base_url="http://localhost") as client:
        client.get("/login?token=t")
        assert_history_shown(client.get("/runs").text)
        assert "Noch kein Wochenbericht zugestellt." in client.get("/reports").text


def assert_history_shown(page: str) -> None:
    assert "scorer definition missing; fix: run lorc doctor" in page
    assert (
        '<tr class="reject"><td>canonicalize_email</td><td><code>schema</code></td><td><code>payload.from</code></td><td>3</td>'
        in page
    )
    assert f"<code>{RUN}</code>" in page and "fehlgeschlagen" in page  # the pipeline run failed (German default)
    today, yesterday = NOW.date().isoformat(), (NOW - timedelta(days=1)).date().isoformat()
    assert f'data-source="gmail-praxis" data-day="{today}" data-count="3"' in page
    assert f'data-source="gmail-praxis" data-day="{yesterday}" data-count="7"' in page


def test_live_progress_and_history_while_a_run_holds_the_warehouse(home: PhiHome, client: TestClient) -> None:
    record = ActivityRecord(activity_path(home))
    assert client.get("/runs/live.json").json() == {"running": False}
    with run_lock(lock_path(home), run_id="run-live"):
        record.job_started("run-live", "extract_contacts", NOW)
        record.job_ended(
            "run-live", "extract_contacts", at=NOW, status="ok", duration_ms=5, counts={"inputs": 2}, error=None
        )
        record.job_started("run-live", "extract_email", NOW)
        live = client.get("/runs/live.json").json()
        page = client.get("/runs").text
    assert live["running"] is True and live["run_id"] == "run-live"
    assert live["current"] == "extract_email" and live["done"] == 1 and live["failed"] == 0
    assert [j["job"] for j in live["jobs"]] == ["extract_contacts", "extract_email"]
    assert 'data-running="true"' in page and 'class="banner stale"' in page
    assert "angezeigt wird, was die Läufe selbst aufzeichnen" in page  # nothing was read before the run
    assert '<tr class="job status-running"><td>extract_email</td>' in page
    assert client.get("/runs/live.json").json() == {"running": False}


def test_the_page_speaks_english_when_the_practice_does(home: PhiHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LORC_PRACTICE__LOCALE", "en")
    with TestClient(create_app(load_config(home), token="t"), base_url="http://localhost") as client:
        client.get("/login?token=t")
        page = client.get("/runs").text
    assert "Failures and what to do" in page and '<html lang="en">' in page


class FailingReader(WarehouseReader):
    """A reader whose read fails as a careless library does: quoting a record."""

    def read(self, key: str, reader: Callable[[Store], T]) -> Fresh[T]:
        raise RuntimeError("could not parse record for patient Erika Mustermann")


def test_an_unexpected_error_is_a_500_with_the_headers_and_a_log_line_without_its_message(
    home: PhiHome, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(home)
    with TestClient(create_app(config, reader=FailingReader(config), token="t"), base_url="http://localhost") as client:
        client.get("/login?token=t", follow_redirects=False)
        with caplog.at_level(logging.ERROR, logger="lorc_console"):
            response = client.get("/runs")
    assert response.status_code == 500
    assert "Erika" not in response.text
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
    [record] = [r for r in caplog.records if r.name == "lorc_console.errors"]
    line = SafeFormatter(FORMAT).format(record)
    assert "GET /runs" in line and "RuntimeError" in line and "Erika" not in line


def test_during_a_run_the_page_shows_the_last_history_read_marked_with_its_time(
    home: PhiHome, client: TestClient
) -> None:
    assert "banner stale" not in client.get("/runs").text  # read now, from the warehouse
    with run_lock(lock_path(home), run_id="run-live"):
        store = open_store(load_config(home))  # the run writes: what was read is no longer current
        try:
            store.append_events([event("job.started", "extract_email", NOW + timedelta(seconds=1))])
            store.flush()
        finally:
            store.close()
        page = client.get("/runs").text
    assert "angezeigt wird der Stand von" in page
    assert "scorer definition missing; fix: run lorc doctor" in page  # the history read before the run
