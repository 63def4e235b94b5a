"""Processes beside a ``lorc`` run, for the tests of what each sees of the other: a real
``lorc run`` stopped at a fault point, and a program (a notebook) holding the warehouse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli_support import LORC

# What a notebook does: open the warehouse, keep it open until told to close it.
HOLDER_SCRIPT = """\
import sys
import duckdb

con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read_only")
print("ready", flush=True)
sys.stdin.readline()
con.close()
print("closed", flush=True)
sys.stdin.readline()
"""


def process_state(pid: int) -> str:
    """The kernel's one-letter state of a process (``T``: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@contextmanager
def paused_run(*args: str, fault_at: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """``lorc ARGS`` started and stopped (SIGSTOP) by itself at ``fault_at``; continued and
    reaped on exit unless the test did so with :func:`resume`."""
    proc = subprocess.Popen(
        [LORC, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {}), "LORC_FAULT_AT": fault_at, "LORC_FAULT_MODE": "pause"},
    )
    try:
        deadline = time.monotonic() + 300
        while process_state(proc.pid) not in ("T", "t"):
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"the run ended ({proc.returncode}) before {fault_at}: {out}{err}")
            assert time.monotonic() < deadline, f"the run never reached {fault_at}"
            time.sleep(0.05)
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGCONT)
            proc.communicate(timeout=300)


def resume(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Continue a paused run and wait for it to finish."""
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@contextmanager
def warehouse_holder(warehouse: Path, script_dir: Path, *, read_only: bool) -> Iterator[subprocess.Popen[str]]:
    """A Python program (``notebook_holder.py``) holding the DuckDB file open."""
    script = script_dir / "notebook_holder.py"
    script.write_text(HOLDER_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(warehouse), "read_only" if read_only else "write"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def release(holder: subprocess.Popen[str]) -> None:
    """Make the holder close its connection (it stays alive)."""
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "closed"
