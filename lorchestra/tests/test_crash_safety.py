"""Killed (SIGKILL) at any of 13 points of a pipeline, then run again: the warehouse ends
exactly as after a clean run, with no duplicates and nothing missing, and the weekly
report is delivered once (issue 6, test group 2)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_sql import sql_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.stack_clients import open_store

JOBS = [
    "extract_contacts",
    "canonicalize_contacts",
    "extract_forms",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
    "generate_weekly_report",
]
TABLES = [
    "raw_objects",
    "canonical_objects",
    "rejects",
    "processed_inputs",
    "job_state",
    "safety_followups",
    "measurement_timeseries",
    "measurement_paired",
    "report_deliveries",
    "safety_flag_deliveries",
]
# Columns that say when or in which run something happened, not what it is.
VOLATILE = {
    "first_seen",
    "last_seen",
    "created_at",
    "updated_at",
    "processed_at",
    "run_id",
    "prepared_at",
    "accepted_at",
    "recorded_at",
    "watermark",
    "message_id",
}
CRASH_POINTS = [
    "extract.before_ingest:dataverse",  # inside extraction: JSONL written, nothing stored
    "raw.staged:extract_contacts",
    "raw.merged:extract_contacts",  # between merge and commit
    "raw.before_merge:extract_forms",
    "raw.before_commit:extract_forms",
    "canonical.before_merge",
    "canonical.before_commit",
    "map.before_mark:canonicalize_questionnaires",  # mid-canonicalization: outputs written, inputs unmarked
    "map.before_mark:score_phq9",  # mid-scoring
    "map.before_mark:score_gad7",
    "projection.before_commit:measurement_timeseries",
    "report.before_delivery",  # mid-report: files written and the delivery recorded, not sent
    "delivery.accepted",  # in the outbox, the acceptance not yet recorded
]


def lorc(home: PhiHome, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LORC_HOME": str(home.root)}
    if fault:
        env.update(LORC_FAULT_AT=fault, LORC_FAULT_MODE="kill")
    return subprocess.run(
        [str(Path(sys.executable).parent / "lorc"), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def state(home: PhiHome) -> dict[str, object]:
    store = open_store(load_config(home), read_only=True)
    try:
        found: dict[str, object] = {}
        for table in TABLES:
            rows = sorted(
                json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True, default=str)
                for r in sql_rows(store, f"SELECT * FROM {table}")
            )
            found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    finally:
        store.close()
    found["reports"] = sorted(p.name for p in (home.root / "reports").rglob("*.pdf"))
    found["outbox"] = sorted(p.name for p in (home.root / "outbox").iterdir())  # no partial file either
    return found


def fresh_home(tmp_path: Path, name: str) -> PhiHome:
    home = PhiHome(tmp_path / name)
    init_home(home)
    return home


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = fresh_home(tmp_path_factory.mktemp("clean"), "home")
    result = lorc(home, "run", *JOBS, "--week", "2026-W45")
    assert result.returncode == 0, result.stdout + result.stderr
    found = state(home)
    assert found["outbox"] == ["wochenbericht-2026-W45.eml"] and found["reports"]
    return found


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_run_killed_at_any_point_then_run_again_ends_like_a_clean_run(
    point: str, tmp_path: Path, clean_state: dict[str, object]
) -> None:
    home = fresh_home(tmp_path, "home")
    crashed = lorc(home, "run", *JOBS, "--week", "2026-W45", fault=point)
    assert crashed.returncode == -9, f"{point} was never reached: {crashed.stdout}{crashed.stderr}"
    again = lorc(home, "run", *JOBS, "--week", "2026-W45")
    assert again.returncode == 0, again.stdout + again.stderr
    assert state(home) == clean_state
    # no scratch of the killed run (staged batches, DuckDB's temporary files) survives
    assert sorted(str(p) for p in home.tmp_dir.rglob("*") if not p.is_dir()) == []
