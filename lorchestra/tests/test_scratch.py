"""Scratch files go on every way out; what a killed process left is swept by the next run,
and a live process's scratch is never touched (issue 11, item 9)."""

from __future__ import annotations

import subprocess
import sys

from lorchestra.home import PhiHome
from lorchestra.stack_clients.spill import spill_file, sweep_stale_scratch


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_sweep_removes_a_dead_process_scratch_and_keeps_a_live_one(home: PhiHome) -> None:
    gone = dead_pid()
    left_by_the_dead = [
        home.tmp_dir / f"spill-{gone}-{'a' * 32}.jsonl",
        home.tmp_dir / "duckdb" / f"duckdb-{gone}-{'b' * 32}" / "duckdb_temp_storage-0.tmp",
        home.tmp_dir / "duckdb" / f"duckdb_temp_{gone}_0_storage_DEFAULT-0.tmp",
    ]
    for path in left_by_the_dead:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"scores")
    unrelated = home.tmp_dir / "notes.txt"
    unrelated.write_text("not scratch")

    with spill_file(home.tmp_dir) as (alive, handle):
        handle.write(b"staged batch")
        handle.flush()
        removed = sweep_stale_scratch(home.tmp_dir)
        assert alive.exists()

    assert removed == 3
    assert not alive.exists()
    assert sorted(str(p.relative_to(home.tmp_dir)) for p in home.tmp_dir.rglob("*")) == ["duckdb", "notes.txt"]
