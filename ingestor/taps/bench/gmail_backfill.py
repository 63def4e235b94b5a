"""Measure ``tap-lorc-gmail`` against the fake Google: a large backfill, and a chunked one
killed halfway and resumed. A script, not a test: it prints figures, it asserts nothing.

    .venv/bin/python ingestor/taps/bench/gmail_backfill.py --messages 20000 --latency 0.05
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ingestor.fake_apis.google import FakeGoogle, fake_google

TAP = Path(sys.executable).parent / "tap-lorc-gmail"
MAILBOX = "bench@praxis-weber.example"


def start_tap(directory: Path, settings: dict[str, Any], state: dict[str, Any] | None) -> subprocess.Popen[str]:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.json"
    config.write_text(json.dumps(settings))
    config.chmod(0o600)
    command = [str(TAP), "--config", str(config)]
    if state is not None:
        (directory / "state.json").write_text(json.dumps(state))
        command += ["--state", str(directory / "state.json")]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=(directory / "stderr.log").open("w"), text=True)


def read_run(process: subprocess.Popen[str], kill_after: int | None = None) -> tuple[list[str], dict | None]:
    """The ids a run emitted and its last STATE; SIGKILL it after ``kill_after`` records."""
    ids: list[str] = []
    state = None
    assert process.stdout is not None
    for line in process.stdout:
        message = json.loads(line)
        if message["type"] == "RECORD":
            ids.append(message["record"]["id"])
            if kill_after is not None and len(ids) >= kill_after:
                process.send_signal(signal.SIGKILL)
                break
        elif message["type"] == "STATE":
            state = message["value"]
    process.wait()
    return ids, state


def gets(server: FakeGoogle, since: int = 0) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in server.requests[since:]
            if r.path.count("/") == 6 and "/messages/" in r.path and r.status == 200]


def full_backfill(work: Path, count: int, latency: float) -> None:
    with fake_google(synthetic=(count, 0), latency=latency) as server:
        started = time.monotonic()
        ids, state = read_run(start_tap(work / "full", server.tap_settings(MAILBOX), None))
        elapsed = time.monotonic() - started
        statuses = Counter(r.status for r in server.requests)
    print(f"full backfill: {len(ids)} records of {count} in {elapsed:.1f} s "
          f"({len(ids) / elapsed:.1f}/s); {len(server.requests)} requests, statuses {dict(statuses)}; "
          f"distinct ids {len(set(ids))}; final state {json.dumps(state)}")


def killed_and_resumed(work: Path, count: int, latency: float, chunk: int) -> None:
    with fake_google(synthetic=(count, 0), latency=latency) as server:
        settings = {**server.tap_settings(MAILBOX), "max_messages_per_run": chunk}
        committed: set[str] = set()
        state = None
        started = time.monotonic()
        run = 0
        killed = False
        while True:
            before = len(server.requests)
            process = start_tap(work / f"chunk{run}", settings, state)
            kill = chunk // 2 if run == 1 and not killed else None
            ids, last_state = read_run(process, kill_after=kill)
            fetched = gets(server, before)
            refetched = len(committed.intersection(fetched))
            if kill is not None:
                killed = True
                print(f"run {run}: killed after {len(ids)} records ({len(fetched)} gets); "
                      f"refetched from committed chunks: {refetched}; state kept: the last committed one")
                run += 1
                continue  # lorc keeps the state of the last finished chunk
            print(f"run {run}: {len(ids)} records, {len(fetched)} gets, refetched from committed chunks: {refetched}")
            committed.update(ids)
            state = last_state
            run += 1
            if len(ids) < chunk:
                break
        elapsed = time.monotonic() - started
        every = {entry.id for entry in server.mailbox(MAILBOX).entries}
    print(f"chunked (max_messages_per_run={chunk}) with a kill: {elapsed:.1f} s; "
          f"committed {len(committed)} of {len(every)}; missing {len(every - committed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--only", choices=["full", "chunked"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lorc-gmail-bench-") as directory:
        if args.only in (None, "full"):
            full_backfill(Path(directory), args.messages, args.latency)
        if args.only in (None, "chunked"):
            killed_and_resumed(Path(directory), args.messages, args.latency, args.chunk)


if __name__ == "__main__":
    main()
