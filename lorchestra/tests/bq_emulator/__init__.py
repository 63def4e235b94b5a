"""Run a local BigQuery emulator (bqemulator) for tests.

The emulator lives in its own virtualenv, ``<repo>/.venvs/bqemulator``, made
by ``.ci/setup-bqemulator.sh``; ``launch.py`` beside this file is run with that
venv's python. Tests talk to it over REST with the official client::

    handle = start_emulator()
    try:
        client = make_client(handle)
        client.query("SELECT 1").result()
    finally:
        handle.stop()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud import bigquery

REPO_ROOT = Path(__file__).resolve().parents[3]
EMULATOR_PYTHON = REPO_ROOT / ".venvs" / "bqemulator" / "bin" / "python"
LAUNCHER = Path(__file__).resolve().parent / "launch.py"
SETUP_SCRIPT = REPO_ROOT / ".ci" / "setup-bqemulator.sh"

__all__ = [
    "EMULATOR_PYTHON",
    "EmulatorHandle",
    "EmulatorStartError",
    "emulator_available",
    "make_client",
    "start_emulator",
]


class EmulatorStartError(RuntimeError):
    """The emulator did not come up (or its venv is missing)."""


@dataclass
class EmulatorHandle:
    endpoint: str
    project: str
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    workdir: Path = field(repr=False)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the emulator and remove its temp dir (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def emulator_available() -> bool:
    """True if the emulator venv exists (so tests can skip otherwise)."""
    return EMULATOR_PYTHON.is_file()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ready(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/readyz", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_emulator(
    project: str = "test-project",
    *,
    timeout: float = 60.0,
    persistent: bool = False,
) -> EmulatorHandle:
    """Start bqemulator on a free loopback port; return once it answers.

    Data is in memory unless ``persistent``, which keeps it in a DuckDB file
    in the handle's temp dir (removed by ``stop()``); both behave the same
    through the API, in-memory is a little faster.
    """
    if not emulator_available():
        raise EmulatorStartError(
            f"{EMULATOR_PYTHON} not found; run {SETUP_SCRIPT} first",
        )
    host = "127.0.0.1"
    port = _free_port(host)
    workdir = Path(tempfile.mkdtemp(prefix="bqemu-"))
    log_path = workdir / "emulator.log"
    cmd = [
        str(EMULATOR_PYTHON),
        str(LAUNCHER),
        "--host",
        host,
        "--port",
        str(port),
        "--project",
        project,
        "--upload-dir",
        str(workdir / "uploads"),
    ]
    if persistent:
        cmd += ["--data-dir", str(workdir / "data")]
    with log_path.open("wb") as log:
        # cwd=workdir: the emulator reads an optional .bqemu.toml from its cwd.
        process = subprocess.Popen(
            cmd,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    handle = EmulatorHandle(
        endpoint=f"http://{host}:{port}",
        project=project,
        log_path=log_path,
        process=process,
        workdir=workdir,
    )
    deadline = time.monotonic() + timeout
    while True:
        if _ready(handle.endpoint):
            return handle
        code = process.poll()
        if code is not None or time.monotonic() > deadline:
            reason = f"exited with code {code}" if code is not None else f"not ready after {timeout:.0f}s"
            tail = handle.log_tail()
            handle.stop()
            raise EmulatorStartError(
                f"bqemulator {reason} ({handle.endpoint}); log tail:\n{tail}",
            )
        time.sleep(0.1)


def make_client(handle: EmulatorHandle) -> bigquery.Client:
    """A google-cloud-bigquery client pointed at the emulator, no credentials."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=handle.project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=handle.endpoint),
    )
