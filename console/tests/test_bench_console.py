"""``lorc bench console`` at a tiny size: a smoke test of the benchmark, not of speed.

It runs the installed ``lorc`` (the command comes through the ``lorchestra.bench`` entry
point), checks that every page got a cold, a warmed and a warm figure from the number of requests
asked for, and that nothing is left behind. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LORC = str(Path(sys.executable).with_name("lorc"))
PAGES = [
    "Today",
    "Sales pipeline",
    "Sales pipeline, filtered",
    "Clients",
    "Client page",
    "Runs",
    "Runs, live progress",
    "Reports",
]


def lorc(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LORC_")}
    return subprocess.run(
        [LORC, "--home", str(home), *args], env=env, capture_output=True, text=True, check=False, timeout=900
    )


def test_the_console_benchmark_times_every_page_cold_warmed_and_warm(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert lorc(home, "init").returncode == 0
    before = sorted((home / "tmp").rglob("*"))
    tiny = ["--emails", "200", "--responses", "20", "--repeat", "3", "--cold", "2"]

    shown = lorc(home, "bench", "console", *tiny)
    assert shown.returncode == 0, shown.stdout[-2000:] + shown.stderr[-2000:]
    lines = shown.stdout.splitlines()
    for page in PAGES:
        for cache in ("cold", "warmed", "warm"):
            [line] = [x for x in lines if x.startswith(f"{page:<26} {cache:<6} ")]
            assert line.rstrip().endswith(("<= 200 ms met", "<= 200 ms MISSED")), line
    assert any(x.startswith("warmer pass (background, once per new build): median ") for x in lines)
    assert "build_inbox_view" in shown.stderr  # the warehouse's build, stage by stage

    result = json.loads(lorc(home, "bench", "console", *tiny, "--json").stdout)
    assert (result["emails"], result["responses"], result["limit_ms"]) == (200, 20, 200.0)
    figures = {(f["page"], f["cache"]): f for f in result["pages"]}
    assert sorted(figures) == sorted((page, cache) for page in PAGES for cache in ("cold", "warmed", "warm"))
    for (_, cache), figure in figures.items():
        assert figure["samples"] == (3 if cache == "warm" else 2)
        assert 0 < figure["median_ms"] <= figure["p95_ms"]
    assert len(result["targets"]) == len(result["pages"])
    assert len(result["warm_up_s"]) == 2 * len(PAGES) + 1 and all(s > 0 for s in result["warm_up_s"])
    assert all("{client_id}" in f["path"] for f in result["pages"] if f["page"] == "Client page")  # no id shown
    assert sorted((home / "tmp").rglob("*")) == before  # the benchmark's warehouse is gone
