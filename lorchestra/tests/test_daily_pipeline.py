"""The daily pipeline on the sample data, twice: the second run changes nothing, and the
PHI home stays private (issue 6, test groups 1 and 7)."""

from __future__ import annotations

import json
import stat

from cli_support import fingerprints, lorc
from lorchestra.home import PhiHome


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

    loose = [
        str(p)
        for p in [home.root, *home.root.rglob("*")]
        if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600) and not p.is_symlink()
    ]
    assert loose == []
