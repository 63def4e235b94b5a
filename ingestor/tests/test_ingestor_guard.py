"""``ingestor.guard``: Meltano and its plugins die with lorc, and the run lock covers them."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# A stand-in for `meltano run`: starts a "tap" of its own, records both pids, then waits.
FAKE_MELTANO = """
import os, subprocess, sys, time
tap = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {tap.pid}")
time.sleep(120)
"""

# A stand-in for lorc: holds the run lock, starts the guard with the lock's descriptor, waits.
FAKE_LORC = """
import fcntl, os, subprocess, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
subprocess.Popen([sys.executable, "-m", "ingestor.guard", "--", sys.executable, "-c", sys.argv[2], sys.argv[3]],
                 pass_fds=(fd,), start_new_session=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_sigkill_of_lorc_kills_meltano_and_its_tap_and_frees_the_lock_only_then(tmp_path: Path) -> None:
    pids_file, lock = tmp_path / "pids", tmp_path / "run.lock"
    lorc = subprocess.Popen([sys.executable, "-c", FAKE_LORC, str(lock), FAKE_MELTANO, str(pids_file)])
    try:
        assert _wait_for(lambda: pids_file.exists() and " " in pids_file.read_text())
        meltano, tap = (int(p) for p in pids_file.read_text().split())
        assert _alive(meltano) and _alive(tap)
        assert not _lock_is_free(lock)

        lorc.send_signal(signal.SIGKILL)
        lorc.wait()

        def lock_free_only_once_both_are_gone() -> bool:
            if not _lock_is_free(lock):
                return False
            assert not _alive(meltano) and not _alive(tap), "the lock was free while meltano or its tap ran"
            return True

        assert _wait_for(lock_free_only_once_both_are_gone), "the guard kept the run lock after meltano died"
        assert not _alive(meltano) and not _alive(tap), "meltano or its tap outlived lorc"
    finally:
        lorc.kill()


def test_the_guard_holds_the_lock_while_meltano_runs_and_passes_its_exit_code(tmp_path: Path) -> None:
    lock = tmp_path / "run.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    gate = tmp_path / "gate"
    child = f"import os, sys, time\nwhile not os.path.exists({str(gate)!r}): time.sleep(0.02)\nsys.exit(3)"
    guard = subprocess.Popen(
        [sys.executable, "-m", "ingestor.guard", "--", sys.executable, "-c", child], pass_fds=(fd,)
    )
    os.close(fd)  # lorc's own descriptor is gone; only the guard's copy holds the lock now
    try:
        time.sleep(0.3)
        assert not _lock_is_free(lock)
        gate.touch()
        assert guard.wait(timeout=10) == 3
        assert _lock_is_free(lock)
    finally:
        guard.kill()
