"""Staging tables hold full payloads: each expires within a day even when the run dies,
a run's start sweeps old leftovers (never a concurrent run's fresh ones), and dropping
one never holds a run during an outage."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli_support import bigquery_environ, lorc, lorc_process, unreachable_bigquery_environ
from lorchestra.home import PhiHome


def _client(bq_emulator: Any) -> Any:
    from bq_emulator import make_client  # type: ignore[import-not-found]

    return make_client(bq_emulator)


def _stages(client: Any, dataset: str) -> dict[str, Any]:
    return {
        t.table_id: client.get_table(t.reference)
        for t in client.list_tables(f"{client.project}.{dataset}")
        if t.table_id.startswith("_stage_")
    }


@pytest.mark.example_plugin
def test_a_killed_runs_stage_expires_within_a_day(bq_emulator: Any, home: PhiHome) -> None:
    dataset = f"s_{uuid.uuid4().hex[:10]}"
    env = bigquery_environ(bq_emulator, dataset)
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    before = datetime.now(UTC)
    killed = lorc_process(
        "run", "example_synthetic_ingest", env={**env, "LORC_FAULT_AT": "raw.staged", "LORC_FAULT_MODE": "kill"}
    )
    assert killed.returncode < 0, killed.stderr  # died at the fault point, stage loaded
    stages = _stages(_client(bq_emulator), dataset)
    assert stages, "the killed run left no stage: the fault point moved"
    for name, table in stages.items():
        assert table.expires is not None, f"{name} never expires"
        assert before < table.expires <= datetime.now(UTC) + timedelta(days=1), (name, table.expires)


def test_a_runs_start_sweeps_old_stages_and_keeps_fresh_ones(bq_emulator: Any, home: PhiHome) -> None:
    from google.cloud import bigquery

    dataset = f"s_{uuid.uuid4().hex[:10]}"
    env = bigquery_environ(bq_emulator, dataset)
    assert lorc("init", "--create-dataset", env=env).returncode == 0
    client = _client(bq_emulator)
    now = datetime.now(UTC)
    made = {  # name -> its expiry, which tells when a stage was made (a day before)
        "_stage_made_a_day_ago": now + timedelta(minutes=5),
        "_stage_made_four_hours_ago": now + timedelta(hours=20),
        "_stage_by_an_earlier_version": None,
        "_stage_of_a_concurrent_run": now + timedelta(hours=23, minutes=50),
        "not_a_stage": now + timedelta(minutes=5),
    }
    for name, expires in made.items():
        table = bigquery.Table(f"{client.project}.{dataset}.{name}", schema=[bigquery.SchemaField("x", "STRING")])
        table.expires = expires
        client.create_table(table)
    assert lorc("run", "warehouse_stats", env=env).returncode == 0
    left = {t.table_id for t in client.list_tables(f"{client.project}.{dataset}")}
    assert "_stage_of_a_concurrent_run" in left and "not_a_stage" in left
    assert not left & {"_stage_made_a_day_ago", "_stage_made_four_hours_ago", "_stage_by_an_earlier_version"}


def test_dropping_a_stage_during_an_outage_returns_within_seconds(home: PhiHome, tmp_path: Path) -> None:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    env = unreachable_bigquery_environ("nowhere")
    store = open_store(load_config(home, {**os.environ, **env}))
    dropping = threading.Thread(target=store.drop_table, args=("_stage_left",), daemon=True)
    dropping.start()
    dropping.join(timeout=30)  # the client's own retry would wait up to 600 s
    assert not dropping.is_alive(), "drop_table still waiting on a dead endpoint after 30 s"
    store.close()
