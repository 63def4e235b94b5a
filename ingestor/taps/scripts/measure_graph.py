"""Measure tap-lorc-graph against FakeMicrosoft (not a test): a first sync of a synthetic
mailbox with per-request latency, then the same backfill killed halfway (SIGKILL) and
resumed from the last STATE the killed run printed, as Meltano would keep it.

    .venv/bin/python ingestor/taps/scripts/measure_graph.py [--count 20000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ingestor.fake_apis import running
from ingestor.fake_apis.microsoft import fake_microsoft

TAP = Path(sys.executable).parent / "tap-lorc-graph"
MAILBOX = "bench@praxis-weber.example"


def run(config: dict[str, Any], work: Path, state: dict[str, Any] | None = None,
        kill_after: int | None = None) -> tuple[list[str], dict[str, Any] | None, float]:
    """Run the tap; return the record ids, its last STATE and the wall time. With
    ``kill_after``, SIGKILL it once that many records have been read."""
    (work / "config.json").write_text(json.dumps(config))
    command = [str(TAP), "--config", str(work / "config.json")]
    if state is not None:
        (work / "state.json").write_text(json.dumps(state))
        command += ["--state", str(work / "state.json")]
    ids: list[str] = []
    last_state = None
    started = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as tap:
        assert tap.stdout is not None
        for line in tap.stdout:
            message = json.loads(line)
            if message["type"] == "RECORD":
                ids.append(message["record"]["id"])
                if kill_after is not None and len(ids) >= kill_after:
                    os.kill(tap.pid, signal.SIGKILL)
                    break
            elif message["type"] == "STATE":
                last_state = message["value"]
        tap.wait()
    if kill_after is None and tap.returncode != 0:
        raise SystemExit(f"the tap failed with exit code {tap.returncode}")
    return ids, last_state, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    results: dict[str, Any] = {"count": args.count, "latency_s": args.latency, "page_size": args.page_size}
    with tempfile.TemporaryDirectory() as directory, running(
            fake_microsoft(synthetic=(args.count, 0), latency=args.latency)) as (fake,):
        work = Path(directory)
        config = {**fake.tap_settings(MAILBOX), "mailbox": MAILBOX, "page_size": args.page_size}
        ids, _, seconds = run(config, work)
        results["full"] = {"records": len(ids), "unique": len(set(ids)), "wall_s": round(seconds, 1),
                           "requests": len(fake.requests)}

        fake.requests.clear()
        killed_ids, state, killed_s = run(config, work, kill_after=args.count // 2)
        resumed_ids, _, resumed_s = run(config, work, state=state)
        union = set(killed_ids) | set(resumed_ids)
        results["killed_and_resumed"] = {
            "read_before_kill": len(killed_ids), "resumed_records": len(resumed_ids),
            "read_twice": len(set(killed_ids) & set(resumed_ids)), "complete": len(union) == args.count,
            "wall_s": round(killed_s + resumed_s, 1), "requests": len(fake.requests)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
