"""Run an installed Singer tap without Meltano, its records straight into JSONL files.

For benchmarks only (``lorc bench pipeline --skip-meltano``): the same tap code and the
same records as ``extract_to_jsonl``, without Meltano's start-up, state handling and
``target-jsonl``, so the ingest cost can be seen apart from them. Jobs always go
through :func:`ingestor.extract_to_jsonl`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from ingestor.exceptions import IngestorError
from ingestor.meltano import find_meltano_sys_dir

_PRIVATE_FILE = 0o600


def tap_executable(tap_name: str) -> Path:
    """The tap's executable in the shared plugin install (``meltano install`` put it there)."""
    path = find_meltano_sys_dir() / "extractors" / tap_name / "venv" / "bin" / tap_name
    if not path.is_file():
        raise IngestorError(f"{tap_name} is not installed at {path}: run `./dev setup`")
    return path


def tap_to_jsonl(tap_name: str, config: Mapping[str, Any], out_dir: Path, *, timeout: float = 3600) -> dict[str, Path]:
    """``<out_dir>/<stream>.jsonl`` (0600) of every stream the tap emits records for."""
    config_path = out_dir / f"{tap_name}.config.json"
    _write_private(config_path, json.dumps(dict(config)).encode())
    paths: dict[str, Path] = {}
    handles: dict[str, Any] = {}
    process = subprocess.Popen(
        [str(tap_executable(tap_name)), "--config", str(config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            message = orjson.loads(line)
            if message.get("type") != "RECORD":
                continue
            stream = str(message["stream"])
            if stream not in handles:
                paths[stream] = out_dir / f"{stream}.jsonl"
                handles[stream] = _open_private(paths[stream])
            handles[stream].write(orjson.dumps(message["record"]) + b"\n")
        code = process.wait(timeout=timeout)
    finally:
        for handle in handles.values():
            handle.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        config_path.unlink(missing_ok=True)
    if code != 0:
        raise IngestorError(f"{tap_name} (run without Meltano) exited with code {code}")
    return paths


def _open_private(path: Path) -> Any:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE), "wb", buffering=1 << 20)


def _write_private(path: Path, content: bytes) -> None:
    with _open_private(path) as handle:
        handle.write(content)
