"""Pipe a real tap into the real ``target-jsonl`` Meltano runs (``meltano run <tap> target-jsonl``):
what lands in the JSONL is what lorc ingests, and a record the target refuses stops the run."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestor.meltano import find_meltano_sys_dir


def target_jsonl() -> Path:
    return find_meltano_sys_dir() / "loaders" / "target-jsonl" / "venv" / "bin" / "target-jsonl"


@dataclass
class PipedRun:
    tap_returncode: int
    target_returncode: int
    records: list[dict[str, Any]]  # the JSONL the target wrote for the stream asked for
    stderr: str  # the tap's and the target's, as the extraction log would hold them
    output: Path  # the target's directory: one <stream>.jsonl per stream

    def stream_records(self, stream: str) -> list[dict[str, Any]]:
        """What the target wrote for ``stream``."""
        return _read_jsonl(self.output / f"{stream}.jsonl")

    @property
    def returncode(self) -> int:
        return self.tap_returncode or self.target_returncode


def pipe_into_target_jsonl(
    tap_command: list[str],
    directory: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    stream: str = "messages",
) -> PipedRun:
    output = directory / "jsonl"
    output.mkdir(parents=True, exist_ok=True)
    config = directory / "target.json"
    config.write_text(json.dumps({"destination_path": str(output), "do_timestamp_file": False}), encoding="utf-8")
    tap_log, target_log = directory / "tap.stderr", directory / "target.stderr"
    with tap_log.open("wb") as tap_err, target_log.open("wb") as target_err:
        tap = subprocess.Popen(tap_command, stdout=subprocess.PIPE, stderr=tap_err, env=env)
        target = subprocess.run(
            [str(target_jsonl()), "--config", str(config)],
            stdin=tap.stdout,
            stdout=subprocess.DEVNULL,
            stderr=target_err,
            timeout=timeout,
            check=False,
        )
        tap.stdout.close()
        tap_returncode = tap.wait(timeout=timeout)
    return PipedRun(
        tap_returncode,
        target.returncode,
        _read_jsonl(output / f"{stream}.jsonl"),
        tap_log.read_text(encoding="utf-8") + target_log.read_text(encoding="utf-8"),
        output,
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.strip()]
