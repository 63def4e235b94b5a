"""The lorc commands end to end, in process through Click's CliRunner; a real subprocess
only where a test is about the process (the console script, a kill, a terminal, umask)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_support import LORC, lorc, lorc_process
from lorchestra.cli import main
from lorchestra.exceptions import (
    ConfigError,
    JobNotFoundError,
    PhiHomeError,
    PipelineNotFoundError,
    WarehouseLockedError,
)
from lorchestra.home import PhiHome
from lorchestra.runlock import RunLockedError

PHI = "Erika Mustermann"


def test_help_lists_the_commands() -> None:
    result = lorc("--help")
    assert result.returncode == 0
    for command in ("init", "doctor", "jobs", "run", "status", "bench"):
        assert command in result.stdout


def test_the_installed_console_script_runs_a_job_and_exits_with_its_codes(home: PhiHome) -> None:
    done = lorc_process("run", "warehouse_stats", "--json")
    assert done.returncode == 0, done.stderr
    assert [j["status"] for j in json.loads(done.stdout)["jobs"]] == ["ok"]
    unknown = lorc_process("run", "warehouse_stat")
    assert unknown.returncode == JobNotFoundError.exit_code and "did you mean warehouse_stats" in unknown.stderr


def test_a_command_run_in_process_leaves_umask_and_logging_as_it_found_them(home: PhiHome) -> None:
    """lorc sets umask 077 and logs to $LORC_HOME/logs while it works; a caller in the same
    process (a notebook, a test) gets its own umask and logging back, and no open log file."""
    logger = logging.getLogger("lorchestra")
    before = os.umask(0o022)
    try:
        result = CliRunner().invoke(main, ["run", "warehouse_stats"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(before)
    assert logger.handlers == [] and logger.propagate and logger.level == logging.NOTSET
    log_file = str(home.logs_dir / "lorc.log")
    assert [fd for fd in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{fd}") == log_file] == []


@pytest.mark.example_plugin
def test_init_doctor_run_status_round_trip(tmp_path: Path) -> None:
    assert lorc("init").returncode == 0
    doctor = lorc("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "FAIL" not in doctor.stdout
    run = lorc("run", "example_synthetic_ingest", "warehouse_stats", "--param", "count=3")
    assert run.returncode == 0, run.stderr
    status = lorc("status", "--json")
    runs = json.loads(status.stdout)["runs"]
    assert [r["job"] for r in runs[:2]] == ["warehouse_stats", "example_synthetic_ingest"]
    assert runs[0]["status"] == "ok" and runs[0]["counts"]["raw_objects"] == 3
    assert runs[1]["counts"]["inserted"] == 3 and runs[1]["duration_ms"] >= 0
    assert runs[0]["run_id"] == runs[1]["run_id"]


@pytest.mark.example_plugin
def test_jobs_list_json_names_the_providing_package(home: PhiHome) -> None:
    result = lorc("jobs", "list", "--json")
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["example_synthetic_ingest"]["package"] == "lorc-example-plugin"
    assert rows["warehouse_stats"]["package"] == "lorchestra"


def test_unknown_job_exits_2_and_suggests(home: PhiHome) -> None:
    result = lorc("run", "warehouse_stat")
    assert result.returncode == JobNotFoundError.exit_code
    assert "did you mean warehouse_stats" in result.stderr


@pytest.mark.example_plugin
def test_a_failing_job_exits_non_zero_and_its_message_is_withheld_everywhere(home: PhiHome) -> None:
    result = lorc("run", "example_synthetic_ingest", "warehouse_stats", "--param", "fail=true")
    assert result.returncode == 1
    assert "failed" in result.stdout and "skipped" in result.stdout
    assert "ExampleFailure" in result.stdout
    assert PHI not in result.stdout + result.stderr
    log_text = "".join(p.read_text() for p in (home.root / "logs").glob("*.log"))
    assert "ExampleFailure" in log_text and PHI not in log_text
    status = json.loads(lorc("status", "--json").stdout)
    assert status["runs"][0]["status"] == "failed" and PHI not in json.dumps(status)


def test_dry_run_plans_without_writing(home: PhiHome) -> None:
    result = lorc("run", "warehouse_stats", "--dry-run", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["dry_run"] and [j["status"] for j in report["jobs"]] == ["planned"]
    assert json.loads(lorc("status", "--json").stdout) == {"runs": [], "unlinked_responses": []}


def test_loose_permissions_block_the_run_with_the_fix(home: PhiHome) -> None:
    os.chmod(home.config_path, 0o644)
    result = lorc("run", "warehouse_stats")
    assert result.returncode == PhiHomeError.exit_code
    assert f"chmod 600 {home.config_path}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_config_is_one_clear_line(home: PhiHome) -> None:
    home.config_path.write_text("profile: sample\nstorage:\n  backend: postgres\n")
    result = lorc("run", "warehouse_stats")
    assert result.returncode == ConfigError.exit_code
    assert "storage.backend: must be one of duckdb, bigquery" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_home_says_run_init(tmp_path: Path) -> None:
    result = lorc("--home", str(tmp_path / "none"), "status")
    assert result.returncode == PhiHomeError.exit_code
    assert "lorc init" in result.stderr


@pytest.mark.example_plugin
def test_a_locked_warehouse_is_one_clear_line_and_loses_nothing(home: PhiHome) -> None:
    assert lorc("run", "example_synthetic_ingest").returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(home.root / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = lorc("run", "warehouse_stats")
        assert result.returncode == WarehouseLockedError.exit_code
        program = Path(os.path.realpath(sys.executable)).name  # the interpreter, as /proc names it
        assert f"in use by {program} (pid {holder.pid})" in result.stderr and "lorc run" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    after = json.loads(lorc("status", "--json").stdout)["runs"]
    assert after[0]["job"] == "example_synthetic_ingest" and after[0]["counts"]["inserted"] == 5


def test_bench_reports_both_passes_and_the_floor(home: PhiHome) -> None:
    result = lorc("bench", "ingest", "--records", "300", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["first_pass_counts"]["inserted"] == 270
    assert figures["first_pass_counts"]["superseded"] == 30
    assert figures["second_pass_counts"]["unchanged"] == 270
    assert figures["first_pass_records_per_s"] > 0 and figures["peak_rss_mb"] > 0
    # the floor did the same load: the distinct records, the last of each id winning
    assert figures["floor_rows"] == 270
    assert figures["floor_first_pass_records_per_s"] > 0 and figures["first_pass_times_floor"] > 0
    assert [t["target"].split(" ")[0] for t in figures["targets"]] == ["ingest"] * 3
    assert figures["targets"][0]["measured"] == f"{figures['first_pass_times_floor']:g}x"
    assert not any(home.tmp_dir.glob("bench-*"))


def test_errors_that_derive_from_the_phi_safe_root_keep_their_message() -> None:
    from lorchestra.errors_safe import safe_error
    from shared_schemas.errors import PhiSafeError

    class Declared(PhiSafeError, RuntimeError):
        pass

    class Undeclared(RuntimeError):
        pass

    assert safe_error(Declared("tap-x exited 1; see /home/logs/x.log")) == "tap-x exited 1; see /home/logs/x.log"
    hidden = safe_error(Undeclared(PHI))
    assert PHI not in hidden and hidden.startswith("Undeclared")


@pytest.mark.example_plugin
def test_files_left_by_a_killed_run_are_private_even_under_a_loose_umask(home: PhiHome) -> None:
    import stat

    # Killed mid-transaction after a job committed its events, DuckDB leaves its WAL behind;
    # DuckDB creates it 0644 unless lorc's umask says otherwise.
    script = (
        "import os, sys; os.umask(0o022); sys.argv = ['lorc', 'run', 'warehouse_stats', 'example_synthetic_ingest'];"
        "from lorchestra.cli import main; main()"
    )
    env = {**os.environ, "LORC_FAULT_AT": "raw.before_commit", "LORC_FAULT_MODE": "kill"}
    killed = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120, env=env
    )
    assert killed.returncode == -9
    left = list(home.root.rglob("*"))
    assert any(p.name.endswith(".wal") for p in left)
    assert [p for p in left if stat.S_IMODE(p.stat().st_mode) & 0o077] == []
    assert lorc("run", "warehouse_stats").returncode == 0  # and the next run starts cleanly


@pytest.mark.example_plugin
def test_a_pipeline_runs_its_jobs_in_order_under_one_run_id(home: PhiHome) -> None:
    text = home.config_path.read_text()
    config = (
        text[: text.index("pipelines:")]
        + """pipelines:
  tiny:
    jobs: [example_synthetic_ingest]
  tiny_then_stats:
    include: [tiny]
    jobs: [warehouse_stats]
  broken_first:
    stop_on_failure: true
    jobs: [example_synthetic_ingest, warehouse_stats]
"""
        + text[text.index("logging:") :]
    )
    home.config_path.write_text(config)
    report = json.loads(lorc("run", "--pipeline", "tiny_then_stats", "--json").stdout)
    assert [j["name"] for j in report["jobs"]] == ["example_synthetic_ingest", "warehouse_stats"]
    runs = json.loads(lorc("status", "--json").stdout)["runs"]
    assert {r["run_id"] for r in runs} == {report["run_id"]}
    failed = lorc("run", "--pipeline", "broken_first", "--param", "fail=true", "--json")
    assert failed.returncode == 1
    assert [j["status"] for j in json.loads(failed.stdout)["jobs"]] == ["failed", "skipped"]
    unknown = lorc("run", "--pipeline", "tiny_then_stat")
    assert unknown.returncode == PipelineNotFoundError.exit_code and "did you mean tiny_then_stats" in unknown.stderr


def test_a_second_run_waits_for_the_lock_or_names_its_holder(home: PhiHome) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from lorchestra.runlock import run_lock;"
                "cm = run_lock(Path(sys.argv[1]) / 'run.lock', run_id='holder-run-1'); cm.__enter__();"
                "print('locked', flush=True); time.sleep(float(sys.argv[2]))"
            ),
            str(home.root),
            "3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        refused = lorc("run", "warehouse_stats")
        assert refused.returncode == RunLockedError.exit_code
        assert f"in use by lorc run holder-run-1 (pid {holder.pid})" in refused.stderr
        waited = lorc("run", "warehouse_stats", "--wait", "30")
        assert waited.returncode == 0, waited.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_run_is_taken_over(home: PhiHome) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from lorchestra.runlock import run_lock;"
                "cm = run_lock(Path(sys.argv[1]) / 'run.lock', run_id='dead-run'); cm.__enter__();"
                "print('locked', flush=True); time.sleep(60)"
            ),
            str(home.root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert "dead-run" in (home.root / "run.lock").read_text()  # the stale record is still there
    taken = lorc("run", "warehouse_stats")
    assert taken.returncode == 0, taken.stderr
    assert "dead-run" not in (home.root / "run.lock").read_text()


@pytest.mark.example_plugin
def test_progress_is_live_on_a_terminal_and_absent_otherwise(home: PhiHome) -> None:
    import pty

    def run_with_terminal(*args: str) -> str:
        leader, follower = pty.openpty()
        done = subprocess.run(
            [LORC, *args], check=False, stdout=follower, stderr=follower, env=os.environ.copy(), timeout=120
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 0
        return b"".join(chunks).decode(errors="replace")

    live = run_with_terminal("run", "example_synthetic_ingest", "--param", "count=500")
    assert "example_synthetic_ingest: 500 records" in live and "/s" in live and "elapsed" in live
    as_json = run_with_terminal("run", "example_synthetic_ingest", "--json")
    assert "records," not in as_json and "elapsed" not in as_json
    piped = lorc("run", "example_synthetic_ingest")
    assert "elapsed" not in piped.stdout + piped.stderr
