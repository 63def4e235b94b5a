"""Readers beside the writer (issue 11, item 11): `lorc status` and `lorc doctor` answer
while a real `lorc run` holds the warehouse, the published views (and the README's way
of reading them) work meanwhile, and `--wait` waits for any process holding the
warehouse and names it. Every run and reader here is a real process."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from backend_sql import sql_rows
from cli_support import lorc, lorc_process
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.stack_clients import open_store
from process_support import LORC, paused_run, release, resume, warehouse_holder

REPO = Path(__file__).resolve().parents[2]
PAUSE_IN_INGEST = "raw.before_commit:example_synthetic_ingest"  # mid-transaction: the file is held for writing
VIEWS = {
    "inbox_view": "conversation_key",
    "measurement_timeseries": "response_id, instrument",
    "measurement_paired": "client_id",
    "reporting_snapshots": "week, figure",
}


def lock_record(home: PhiHome) -> dict[str, object]:
    return json.loads((home.root / "run.lock").read_text())


@pytest.mark.example_plugin
def test_status_and_doctor_answer_during_a_run(home: PhiHome) -> None:
    assert lorc("run", "warehouse_stats").returncode == 0
    with paused_run("run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST) as run:
        run_id = lock_record(home)["run_id"]
        status = lorc("status")
        assert status.returncode == 0, status.stderr
        assert f"lorc run {run_id} (pid {run.pid})" in status.stdout
        assert "job example_synthetic_ingest since" in status.stdout
        shown = json.loads(lorc("status", "--json").stdout)
        assert shown["unlinked_responses"] is None  # unknown while the run holds the warehouse, not "none"
        rows = shown["runs"]
        assert {k: rows[0][k] for k in ("job", "status", "run_id", "pid")} == {
            "job": "example_synthetic_ingest",
            "status": "running",
            "run_id": run_id,
            "pid": run.pid,
        }
        assert rows[1]["job"] == "warehouse_stats" and rows[1]["status"] == "ok"
        doctor = lorc("doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert f"in use by lorc run {run_id} (pid {run.pid})" in doctor.stdout
        finished = resume(run)
    assert finished.returncode == 0, finished.stderr
    after = json.loads(lorc("status", "--json").stdout)["runs"]
    assert [(r["job"], r["status"], r["pid"]) for r in after[:2]] == [
        ("example_synthetic_ingest", "ok", None),
        ("warehouse_stats", "ok", None),
    ]


@pytest.mark.example_plugin
def test_a_killed_run_is_interrupted_not_running_forever(home: PhiHome) -> None:
    killed = lorc_process(
        "run", "example_synthetic_ingest", env={"LORC_FAULT_AT": PAUSE_IN_INGEST, "LORC_FAULT_MODE": "kill"}
    )
    assert killed.returncode == -9
    rows = json.loads(lorc("status", "--json").stdout)["runs"]
    assert (rows[0]["job"], rows[0]["status"]) == ("example_synthetic_ingest", "interrupted")
    assert "interrupted" in lorc("status").stdout
    with paused_run("run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST) as run:
        live = json.loads(lorc("status", "--json").stdout)["runs"]
        assert [(r["status"], r["pid"]) for r in live[:2]] == [("running", run.pid), ("interrupted", None)]
        assert resume(run).returncode == 0


@pytest.mark.parametrize("read_only", [False, True], ids=["holds_for_writing", "holds_read_only"])
def test_wait_waits_for_a_program_holding_the_warehouse_and_names_it(
    home: PhiHome, tmp_path: Path, read_only: bool
) -> None:
    assert lorc("run", "warehouse_stats").returncode == 0
    with warehouse_holder(home.root / "warehouse.duckdb", tmp_path, read_only=read_only) as holder:
        named = f"(pid {holder.pid}: notebook_holder.py)"
        refused = lorc("run", "warehouse_stats", "--wait", "1")
        assert refused.returncode == 1
        assert named in refused.stderr and "python" in refused.stderr, refused.stderr
        assert "lorc run" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1

        status = lorc("status")
        assert status.returncode == 0, status.stderr
        assert "warehouse_stats" in status.stdout
        doctor = lorc("doctor")
        assert doctor.returncode == 1 and named in doctor.stdout and "by lorc run" not in doctor.stdout

        from lorchestra.runlock import lock_holder

        waiting = subprocess.Popen(
            [LORC, "run", "warehouse_stats", "--wait", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        while (found := lock_holder(home.root / "run.lock")) is None or found.pid != waiting.pid:
            assert waiting.poll() is None, waiting.communicate()
            time.sleep(0.05)
        time.sleep(3)  # past the grace a run gives a reader: now it waits because of --wait
        assert waiting.poll() is None, waiting.communicate()
        release(holder)
        out, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, out + err


@pytest.fixture(scope="module")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> PhiHome:
    """Both lanes run once, in ``~/.lorchestra`` of a HOME of its own (as the README has it)."""
    home = PhiHome(tmp_path_factory.mktemp("user") / ".lorchestra")
    init_home(home)
    done = lorc("run", "--pipeline", "daily", env={"LORC_HOME": str(home.root)})
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def readme_view_snippets() -> list[tuple[str, str]]:
    """(language, code) of every README block that reads the published views."""
    blocks = re.findall(r"```(bash|python)\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    return [(lang, code) for lang, code in blocks if "connect_views" in code or "views/" in code]


@pytest.mark.example_plugin
def test_the_readme_reads_the_views_while_a_run_holds_the_warehouse(built_home: PhiHome) -> None:
    snippets = readme_view_snippets()
    assert len(snippets) >= 4
    env = {k: v for k, v in os.environ.items() if not k.startswith("LORC_")}
    env["HOME"] = str(built_home.root.parent)  # the snippets read ~/.lorchestra
    outputs = []
    with paused_run(
        "run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST, env={"LORC_HOME": str(built_home.root)}
    ) as run:
        for lang, code in snippets:
            args = ["bash", "-c", code] if lang == "bash" else [sys.executable, "-c", code]
            done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, f"{code}\n{done.stdout}{done.stderr}"
            outputs.append(done.stdout)
        assert process_is_paused(run.pid)  # the writer held the warehouse all along
        assert resume(run).returncode == 0
    text = "\n".join(outputs)
    assert "new inquiry" in text and "conversations" in text  # inbox_view by status
    assert "classification" in text and "reliable_recovery" in text  # measurement_paired


def process_is_paused(pid: int) -> bool:
    from process_support import process_state

    return process_state(pid) in ("T", "t")


def test_published_views_equal_the_warehouse_and_are_private(built_home: PhiHome) -> None:
    from lorchestra.stack_clients import connect_views

    views = built_home.root / "views"
    assert stat.S_IMODE(views.stat().st_mode) == 0o700
    assert sorted(p.name for p in views.iterdir()) == sorted(f"{name}.parquet" for name in VIEWS)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in views.iterdir())
    store = open_store(load_config(built_home, {}), read_only=True)
    readers = connect_views(built_home)
    try:
        for name, order in VIEWS.items():
            published = readers.sql(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
            held = [tuple(r.values()) for r in sql_rows(store, f"SELECT * FROM {name} ORDER BY {order}")]
            assert published == held and len(held) > 5, name
    finally:
        readers.close()
        store.close()


def test_a_reader_sees_each_build_whole_and_a_new_one_at_its_next_query(home: PhiHome) -> None:
    """Under a loose umask (the library, not the CLI), a republished view replaces the file in
    one rename; a connection opened before sees the new build at its next query."""
    from lorchestra.stack_clients import Column, connect_views

    columns = [Column("k", "string"), Column("n", "int")]
    old_umask = os.umask(0o022)
    try:
        store = open_store(load_config(home, {}))
        try:
            store.replace_table("trial_view", columns, [{"k": "a", "n": 1}])
            [where] = store.publish_views(["trial_view"])
            reader = connect_views(home)
            first_inode = os.stat(where).st_ino
            assert reader.sql("SELECT k, n FROM trial_view").fetchall() == [("a", 1)]
            store.replace_table("trial_view", columns, [{"k": "b", "n": i} for i in range(3)])
            assert store.publish_views(["trial_view"], if_missing=True) == [where]  # present: left alone
            assert reader.sql("SELECT count(*) FROM trial_view").fetchall() == [(1,)]
            store.publish_views(["trial_view"])
        finally:
            store.close()
    finally:
        os.umask(old_umask)
    assert os.stat(where).st_ino != first_inode
    assert reader.sql("SELECT count(*), min(k) FROM trial_view").fetchall() == [(3, "b")]
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600
    assert [p.name for p in Path(where).parent.iterdir()] == ["trial_view.parquet"]


@pytest.mark.example_plugin
def test_a_plain_duckdb_reader_beside_a_running_lorc_fails_and_the_views_do_not(built_home: PhiHome) -> None:
    """Why the views exist: DuckDB refuses another process the warehouse while lorc writes."""
    from lorchestra.stack_clients import connect_views

    with paused_run(
        "run", "example_synthetic_ingest", fault_at=PAUSE_IN_INGEST, env={"LORC_HOME": str(built_home.root)}
    ):
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(built_home.root / "warehouse.duckdb"), read_only=True)
        assert connect_views(built_home).sql("SELECT count(*) FROM inbox_view").fetchall()[0][0] > 5
