"""Running ``lorc`` as a user does (the installed console script, a real subprocess),
and reading tables back, for the end-to-end tests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backend_sql import sql_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store


def lorc(*args: str, env: dict[str, str] | None = None, input_text: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "lorc"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=600, input=input_text, check=False)


def run_jobs_json(jobs: list[str], env: dict[str, str], *extra: str) -> dict[str, dict[str, int]]:
    """``lorc run JOBS --json``; asserts success; the counts per job."""
    result = lorc("run", *jobs, "--json", *extra, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return {job["name"]: job["counts"] for job in json.loads(result.stdout)["jobs"]}


def table_rows(home: PhiHome, env: dict[str, str], name: str, order: str) -> list[dict[str, Any]]:
    """A table's rows with timestamps as ISO strings (``Z``) and arrays as lists."""
    store = open_store(load_config(home, {**os.environ, **env}), read_only=not env)
    try:
        rows = sql_rows(store, f"SELECT * FROM {store.table(name)} ORDER BY {order}")
    finally:
        store.close()
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, (list, tuple)):
                row[key] = list(value)
    return rows

def bigquery_environ(emulator: object, dataset: str) -> dict[str, str]:
    return {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": emulator.project,  # type: ignore[attr-defined]
        "LORC_STORAGE__BIGQUERY__DATASET": dataset,
        "LORC_STORAGE__BIGQUERY__API_ENDPOINT": emulator.endpoint,  # type: ignore[attr-defined]
    }


FINGERPRINTED_TABLES = ("raw_objects", "canonical_objects", "rejects", "processed_inputs", "inbox_view",
                        "measurement_timeseries", "measurement_paired")
MOVING = {"last_seen"}  # re-seeing an unchanged object moves only this, by design


def fingerprints(home: PhiHome, tables: Sequence[str] = FINGERPRINTED_TABLES) -> dict[str, str]:
    """Per table: its row count and a digest of its rows, ``last_seen`` left out."""
    store = open_store(load_config(home), read_only=True)
    try:
        found = {}
        for table in tables:
            rows = sql_rows(store, f"SELECT * FROM {table}")
            content = sorted(json.dumps({k: v for k, v in r.items() if k not in MOVING}, sort_keys=True, default=str)
                             for r in rows)
            found[table] = f"{len(rows)}:{hashlib.sha256(''.join(content).encode()).hexdigest()[:16]}"
        return found
    finally:
        store.close()
