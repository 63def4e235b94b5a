"""Run a real tap executable (a subprocess, as Meltano runs it) and read what it printed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class TapRun:
    returncode: int
    records: list[dict[str, Any]]
    states: list[dict[str, Any]]
    stderr: str
    streams: list[str]  # the stream of each record, in order

    def of(self, stream: str) -> list[dict[str, Any]]:
        """The records of ``stream``."""
        return [record for record, name in zip(self.records, self.streams, strict=True) if name == stream]

    @property
    def state(self) -> dict[str, Any] | None:
        return self.states[-1] if self.states else None

    @property
    def bookmark(self) -> dict[str, Any]:
        assert self.state is not None, "the tap wrote no STATE"
        return self.state["bookmarks"]["messages"]

    @property
    def ids(self) -> list[str]:
        return [record.get("id") for record in self.records]


def tap_command(
    executable: str, directory: Path, config: Mapping[str, Any], state: Mapping[str, Any] | None = None
) -> list[str]:
    """``<tap> --config ... [--state ...]`` with the files written (0600) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    config_path.chmod(0o600)
    command = [str(Path(sys.executable).parent / executable), "--config", str(config_path)]
    if state is not None:
        state_path = directory / "state.json"
        state_path.write_text(json.dumps(state), encoding="utf-8")
        command += ["--state", str(state_path)]
    return command


def run_tap_process(command: list[str], *, env: Mapping[str, str] | None = None, timeout: float = 300) -> TapRun:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    records = [m for m in messages if m["type"] == "RECORD"]
    return TapRun(
        done.returncode,
        [m["record"] for m in records],
        [m["value"] for m in messages if m["type"] == "STATE"],
        done.stderr,
        [m["stream"] for m in records],
    )
