"""Helpers for the practice sample-tap tests (a module with a unique name, so the test
modules can import it under pytest's prepend import mode; the fixtures are in conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestor import extract_to_jsonl, iter_jsonl_records

SAMPLE_TAPS = Path(__file__).resolve().parents[1] / "sample_taps"
PRACTICE_FIXTURES = SAMPLE_TAPS / "src" / "sample_taps" / "fixtures" / "practice"
TIMEOUT = 180


def practice_fixture(name: str) -> dict[str, Any]:
    return json.loads((PRACTICE_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def same(records: list[dict], expected: list[dict]) -> bool:
    """Equal content and equal key order at every depth: the schema dropped nothing."""
    return json.dumps(records, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


@dataclass
class Extraction:
    paths: dict[str, Path]
    log: Path

    def records(self, stream: str) -> list[dict[str, Any]]:
        return list(iter_jsonl_records(self.paths[stream]))


def extract(home: Path, tap: str, revision: int) -> Extraction:
    variable = tap.upper().replace("-", "_") + "_REVISION"
    run_id = f"rev{revision}"
    paths = extract_to_jsonl(tap, run_id, work_dir=home, env={variable: str(revision)}, timeout=TIMEOUT)
    return Extraction(paths, home / "logs" / f"extract-{run_id}-{tap}.log")
