"""The daily pipeline on the sample data, twice: the second run changes nothing, and the
PHI home stays private (issue 6, test groups 1 and 7)."""

from __future__ import annotations

import hashlib
import json
import stat

from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store

TABLES = ["raw_objects", "canonical_objects", "rejects", "processed_inputs", "inbox_view",
          "measurement_timeseries", "measurement_paired"]
MOVING = {"last_seen"}  # re-seeing an unchanged object moves only this, by design


def fingerprints(home: PhiHome) -> dict[str, str]:
    store = open_store(load_config(home), read_only=True)
    try:
        found = {}
        for table in TABLES:
            rows = store.query(f"SELECT * FROM {table}")
            content = sorted(json.dumps({k: v for k, v in r.items() if k not in MOVING}, sort_keys=True, default=str)
                             for r in rows)
            found[table] = f"{len(rows)}:{hashlib.sha256(''.join(content).encode()).hexdigest()[:16]}"
        return found
    finally:
        store.close()


def test_the_daily_pipeline_twice_changes_nothing_and_leaves_everything_private(home: PhiHome) -> None:
    first = lorc("run", "--pipeline", "daily", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    before = fingerprints(home)
    assert all(not value.startswith("0:") for key, value in before.items() if key != "rejects")

    second = lorc("run", "--pipeline", "daily", "--json")
    assert second.returncode == 0, second.stdout + second.stderr
    for job in json.loads(second.stdout)["jobs"]:
        counts = job["counts"]
        assert counts.get("inserted", 0) == counts.get("updated", 0) == 0, job
        assert counts.get("outputs_inserted", 0) == counts.get("outputs_updated", 0) == 0, job
    assert fingerprints(home) == before

    loose = [str(p) for p in [home.root, *home.root.rglob("*")]
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600) and not p.is_symlink()]
    assert loose == []
