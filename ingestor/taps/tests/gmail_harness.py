"""Run the real ``tap-lorc-gmail`` executable against a ``FakeGoogle`` on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TAP = Path(sys.executable).parent / "tap-lorc-gmail"


@dataclass
class TapRun:
    returncode: int
    records: list[dict[str, Any]]
    states: list[dict[str, Any]]
    stderr: str

    @property
    def state(self) -> dict[str, Any]:
        return self.states[-1]

    @property
    def bookmark(self) -> dict[str, Any]:
        return self.state["bookmarks"]["messages"]

    @property
    def ids(self) -> list[str]:
        return [record.get("id") for record in self.records]


def tap_command(directory: Path, settings: dict[str, Any], state: dict[str, Any] | None = None) -> list[str]:
    """The tap's command line, its config (and state) written into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.json"
    config.write_text(json.dumps(settings), encoding="utf-8")
    config.chmod(0o600)
    command = [str(TAP), "--config", str(config)]
    if state is not None:
        state_file = directory / "state.json"
        state_file.write_text(json.dumps(state), encoding="utf-8")
        command += ["--state", str(state_file)]
    return command


def tap_env() -> dict[str, str]:
    """The environment without settings a developer's shell may hold for the tap."""
    return {key: value for key, value in os.environ.items() if not key.startswith("TAP_LORC_GMAIL_")}


def run_tap(directory: Path, settings: dict[str, Any], state: dict[str, Any] | None = None,
            *, timeout: float = 300) -> TapRun:
    done = subprocess.run(tap_command(directory, settings, state), capture_output=True, text=True,
                          timeout=timeout, env=tap_env(), check=False)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return TapRun(
        returncode=done.returncode,
        records=[message["record"] for message in messages if message["type"] == "RECORD"],
        states=[message["value"] for message in messages if message["type"] == "STATE"],
        stderr=done.stderr,
    )
