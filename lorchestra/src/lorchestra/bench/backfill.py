"""``lorc bench backfill``: a first backfill of one large mailbox, as a practice runs it.

A fake Gmail or Graph API on loopback (``ingestor.fake_apis``) serves ``messages``
synthetic messages with ``latency`` seconds added to every request; a temporary PHI home
on the production profile points one connection at it, and ``lorc run extract_email``
runs as a real subprocess: the production tap through ``meltano run``, chunk after chunk,
each ingested into DuckDB. Two figures:

``uninterrupted``
    the wall time of the whole backfill, and how many message fetches the server saw.
``killed``
    (``kill=True``) a second home whose ``lorc`` is SIGKILLed halfway (by the first
    backfill's time), then run again to the end. It reports what was committed before
    the kill, and how much of that the rerun fetched again (a message whose ``last_seen``
    moved in the rerun was delivered to the warehouse again): resuming must not refetch
    what was committed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.config import load_config
from lorchestra.home import PhiHome, private_dir
from lorchestra.initialize import init_home
from lorchestra.stack_clients import open_store

CONNECTION = "bench-mailbox"
MAILBOX = "bench@praxis-weber.example"


@dataclass(frozen=True)
class KilledFigure:
    killed_after_s: float
    committed_before_kill: int
    rerun_seconds: float
    refetched_committed: int  # committed before the kill and delivered again by the rerun
    total_after_rerun: int


@dataclass(frozen=True)
class BackfillBench:
    system: str
    messages: int
    latency_ms: float
    chunk: int
    seconds: float
    messages_per_s: float
    requests: int
    stored: int
    killed: KilledFigure | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def bench_backfill(
    system: str = "gmail",
    messages: int = 20_000,
    *,
    latency: float = 0.05,
    chunk: int = 2000,
    kill: bool = True,
    work_dir: Path | None = None,
) -> BackfillBench:
    base = private_dir(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="lorc-bench-"))
    root = Path(tempfile.mkdtemp(prefix="backfill-", dir=base))
    try:
        server = _fake_api(system, messages, latency).start()
        try:
            home = _production_home(root / "home", system, server, chunk)
            started = time.monotonic()
            result = _lorc(home, "run", "extract_email", "--json")
            seconds = time.monotonic() - started
            if result.returncode != 0:
                raise RuntimeError(f"the backfill failed (exit {result.returncode}); see {home.root}/logs")
            requests, stored = len(server.requests), len(_last_seen(home))
            killed = _killed_backfill(root / "killed", system, server, chunk, seconds / 2) if kill else None
        finally:
            server.stop()
        return BackfillBench(
            system,
            messages,
            latency * 1000,
            chunk,
            round(seconds, 1),
            round(messages / seconds, 1),
            requests,
            stored,
            killed,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if work_dir is None:
            shutil.rmtree(base, ignore_errors=True)


def _killed_backfill(root: Path, system: str, server: Any, chunk: int, after: float) -> KilledFigure:
    home = _production_home(root, system, server, chunk)
    process = subprocess.Popen(
        _lorc_args("run", "extract_email", "--json"),
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(1.0)  # the guard kills Meltano and releases the run lock
    before = _last_seen(home)
    started = time.monotonic()
    rerun = _lorc(home, "run", "extract_email", "--json", "--wait", "30")
    rerun_seconds = time.monotonic() - started
    if rerun.returncode != 0:
        raise RuntimeError(f"the rerun after the kill failed (exit {rerun.returncode}); see {home.root}/logs")
    after_rerun = _last_seen(home)
    refetched = sum(1 for key, seen in before.items() if after_rerun.get(key) != seen)
    return KilledFigure(round(after, 1), len(before), round(rerun_seconds, 1), refetched, len(after_rerun))


def _fake_api(system: str, messages: int, latency: float) -> Any:
    from ingestor.fake_apis.google import fake_google
    from ingestor.fake_apis.microsoft import fake_microsoft

    factory = fake_google if system == "gmail" else fake_microsoft
    return factory(synthetic=(messages, 0), latency=latency)


def _production_home(root: Path, system: str, server: Any, chunk: int) -> PhiHome:
    """A fresh PHI home on the production profile with one connection at the fake API."""
    home = PhiHome(root)
    init_home(home)
    point_at_fakes(
        home,
        [{"name": CONNECTION, "system": system, "mailbox": MAILBOX, "max_messages_per_run": chunk}],
        lambda _system, source: server.tap_settings(source["mailbox"]),
    )
    return home


def _last_seen(home: PhiHome) -> dict[str, str]:
    store = open_store(load_config(home), read_only=True)
    try:
        seen = store.last_seen()
    finally:
        store.close()
    return {key: str(at) for key, at in seen.items()}


def _lorc_args(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "lorc"), *args]


def _env(home: PhiHome) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("LORC_")}, "LORC_HOME": str(home.root)}


def _lorc(home: PhiHome, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_lorc_args(*args), env=_env(home), capture_output=True, text=True, check=False)
