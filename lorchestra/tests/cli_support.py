"""Running ``lorc`` in the test's own process through Click's ``CliRunner`` (the default),
or as a real subprocess where the process boundary is what a test is about (a kill, a
pause at a fault point, a lock held by another process, the installed console script);
and reading tables back, for the end-to-end tests."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from backend_sql import sql_rows
from lorchestra.cli import main
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store

LORC = str(Path(sys.executable).parent / "lorc")  # the installed console script


@dataclass(frozen=True)
class LorcResult:
    """What a test reads of one ``lorc`` command, in or out of process."""

    returncode: int
    stdout: str
    stderr: str


def lorc(*args: str, env: dict[str, str] | None = None, input_text: str | None = None) -> LorcResult:
    """``lorc ARGS`` in this process, with ``env`` set for the command only. Fails the test
    when the command leaves process-wide state behind (umask, logging, environment, cwd):
    a test must pass alone and after any other."""
    faults = sorted(name for name in env or {} if name.startswith("LORC_FAULT_"))
    assert not faults, f"{faults} stop or kill the process: run that command with lorc_process"
    before = process_state()
    result = CliRunner().invoke(main, list(args), env=env, input=input_text, catch_exceptions=False)
    after = process_state()
    assert after == before, f"lorc {' '.join(args)} left process state behind: {changed(before, after)}"
    return LorcResult(result.exit_code, result.stdout, result.stderr)


def lorc_process(
    *args: str, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``lorc ARGS`` as a user runs it: the installed console script in a fresh process."""
    return subprocess.run(
        [LORC, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
        input=input_text,
        check=False,
    )


def process_state() -> dict[str, Any]:
    """What a command could change for everything after it in the same process."""
    umask = os.umask(0o077)
    os.umask(umask)
    logger = logging.getLogger("lorchestra")
    return {
        "umask": oct(umask),
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
        "lorchestra logger": (logger.level, logger.propagate, list(logger.handlers)),
    }


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs, environment variables by name only (their values may be secrets)."""
    found = [
        f"{key}: {before[key]} -> {after[key]}" for key in before if key != "environ" and before[key] != after[key]
    ]
    old, new = before["environ"], after["environ"]
    names = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    return found + [f"environment variable {name}" for name in names]


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


BIGQUERY_LOCATION = "EU"


def bigquery_environ(emulator: object, dataset: str) -> dict[str, str]:
    """The environment that selects ``dataset`` on the emulator, in the EU. The dataset is
    not created: `lorc init --create-dataset` (or ``ensure_schema(create_dataset=True)``) does."""
    return {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": emulator.project,  # type: ignore[attr-defined]
        "LORC_STORAGE__BIGQUERY__DATASET": dataset,
        "LORC_STORAGE__BIGQUERY__LOCATION": BIGQUERY_LOCATION,
        "LORC_STORAGE__BIGQUERY__API_ENDPOINT": emulator.endpoint,  # type: ignore[attr-defined]
    }


def bigquery_store_at(endpoint: str, home: Any, project: str, dataset: str | None = None) -> Any:
    """A BigQuery store on ``dataset`` (a fresh name by default) of ``project`` at ``endpoint``
    (the emulator, or a fault proxy in front of it), opened as a run opens it."""
    import os
    import uuid

    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    environ = {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": project,
        "LORC_STORAGE__BIGQUERY__DATASET": dataset or f"f_{uuid.uuid4().hex[:10]}",
        "LORC_STORAGE__BIGQUERY__LOCATION": BIGQUERY_LOCATION,
        "LORC_STORAGE__BIGQUERY__API_ENDPOINT": endpoint,
    }
    return open_store(load_config(home, {**os.environ, **environ}))


def unreachable_bigquery_environ(dataset: str = "nowhere") -> dict[str, str]:
    """The environment of a BigQuery at a loopback port nothing listens on (an outage)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return {
        "LORC_STORAGE__BACKEND": "bigquery",
        "LORC_STORAGE__BIGQUERY__PROJECT": "lorc-test-project",
        "LORC_STORAGE__BIGQUERY__DATASET": dataset,
        "LORC_STORAGE__BIGQUERY__LOCATION": BIGQUERY_LOCATION,
        "LORC_STORAGE__BIGQUERY__API_ENDPOINT": f"http://127.0.0.1:{port}",
    }


FINGERPRINTED_TABLES = (
    "raw_objects",
    "canonical_objects",
    "rejects",
    "processed_inputs",
    "job_state",
    "inbox_view",
    "measurement_timeseries",
    "measurement_paired",
    "reporting_snapshots",
)
MOVING = {"last_seen"}  # re-seeing an unchanged object moves only this, by design


def fingerprints(home: PhiHome, tables: Sequence[str] = FINGERPRINTED_TABLES) -> dict[str, str]:
    """Per table: its row count and a digest of its rows, ``last_seen`` left out."""
    store = open_store(load_config(home), read_only=True)
    try:
        found = {}
        for table in tables:
            rows = sql_rows(store, f"SELECT * FROM {table}")
            content = sorted(
                json.dumps({k: v for k, v in r.items() if k not in MOVING}, sort_keys=True, default=str) for r in rows
            )
            found[table] = f"{len(rows)}:{hashlib.sha256(''.join(content).encode()).hexdigest()[:16]}"
        return found
    finally:
        store.close()


def make_dataset(emulator: Any, environ: dict[str, str], location: str = BIGQUERY_LOCATION) -> None:
    """The configured dataset as an administrator makes it: directly on the emulator, not by lorc."""
    from google.cloud import bigquery

    from bq_emulator import make_client  # type: ignore[import-not-found]

    dataset = bigquery.Dataset(f"{emulator.project}.{environ['LORC_STORAGE__BIGQUERY__DATASET']}")
    dataset.location = location
    make_client(emulator).create_dataset(dataset)
