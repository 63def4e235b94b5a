"""A job run's audit events are written together when the run ends, however it ends
(issue 15, item 10: on BigQuery each write of events is a load job and an INSERT)."""

from __future__ import annotations

import json

import pytest

from cli_support import lorc
from lorchestra.home import PhiHome
from lorchestra.stack_clients import EventClient, Store

KINDS = ("job.started", "ingest.completed", "job.completed")


def _ids(store: Store) -> set[str]:
    return {e.event_id for e in store.read_events(KINDS)}


def test_held_events_are_written_when_the_block_ends(store: Store, events: EventClient) -> None:
    with events.held_audit():
        written = [events.audit(kind) for kind in KINDS]
        with events.held_audit():  # a nested block leaves the writing to the outer one
            written.append(events.audit("ingest.completed"))
        assert _ids(store) == set()
    assert _ids(store) == {e.event_id for e in written}
    unheld = events.audit("job.started")
    assert unheld.event_id in _ids(store)  # outside a block, at once as before


def test_held_events_are_written_when_the_block_fails(store: Store, events: EventClient) -> None:
    with pytest.raises(RuntimeError, match="the job broke"), events.held_audit():
        started = events.audit("job.started")
        raise RuntimeError("the job broke")
    assert _ids(store) == {started.event_id}


@pytest.mark.example_plugin
def test_status_shows_a_running_job_and_a_killed_one_from_the_activity_record(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    """A job's events are written when it ends: while it runs (and after it is killed)
    `lorc status` finds it in the runner's activity record, on both backends."""
    from process_support import paused_run

    assert lorc("run", "warehouse_stats", env=lane_env).returncode == 0
    with paused_run("run", "example_synthetic_ingest", fault_at="raw.before_commit", env=lane_env) as run:
        live = json.loads(lorc("status", "--json", env=lane_env).stdout)["runs"]
        assert [(r["job"], r["status"], r["pid"]) for r in live[:2]] == [
            ("example_synthetic_ingest", "running", run.pid),
            ("warehouse_stats", "ok", None),
        ]
        run.kill()
        run.wait()
    after = json.loads(lorc("status", "--json", env=lane_env).stdout)["runs"]
    assert [(r["job"], r["status"]) for r in after[:2]] == [
        ("example_synthetic_ingest", "interrupted"),
        ("warehouse_stats", "ok"),
    ]


def test_a_job_whose_events_cannot_be_written_is_reported_failed_with_that_said(
    bq_emulator: object, home: PhiHome
) -> None:
    import uuid

    from cli_support import bigquery_environ
    from fault_proxy import FaultProxy, Rule, error_body
    from lorchestra.runner import run_jobs

    environ = bigquery_environ(bq_emulator, f"a_{uuid.uuid4().hex[:10]}")
    assert lorc("init", "--create-dataset", env=environ).returncode == 0
    refused = Rule("/jobs", body_part=b"event_log` (", status=400, body=error_body(400, "invalid", "x"), times=100)
    with FaultProxy(bq_emulator.endpoint, rules=[refused]) as proxy:  # type: ignore[attr-defined]
        environ["LORC_STORAGE__BIGQUERY__API_ENDPOINT"] = proxy.endpoint
        report = run_jobs(["warehouse_stats"], home=home, environ=environ)  # a report, not an exception
    assert [o.status for o in report.outcomes] == ["failed"]
    assert "audit events were not written" in (report.outcomes[0].error or "")
    assert not report.ok
