"""``lorc bench pipeline`` at a small size: a smoke test of the benchmark, not of speed.

It checks what the figures are made of (every stage of every pass ran, on the records
each pass was meant to deliver) and that the benchmark leaves nothing behind. No
timing is asserted; the figures are in docs/performance.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from cli_support import lorc
from lorchestra.bench.pipeline import LANES, PASSES, REPORT_STAGE

MAILBOXES = 6
ALL = [stage for _, job, consumers in LANES for stage in (job, job.replace("extract", "ingest"), *consumers)] + [
    REPORT_STAGE
]


def bench(home: Path, *options: str) -> dict[str, Any]:
    result = lorc("--home", str(home), "bench", "pipeline", *options, "--json")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", ["skip_meltano", "meltano"])
def test_every_stage_of_every_pass_runs_on_the_data_of_its_pass(tmp_path: Path, mode: str) -> None:
    home = tmp_path / "home"
    assert lorc("--home", str(home), "init").returncode == 0
    before = sorted((home / "tmp").rglob("*"))
    emails, responses, clients = 12 * MAILBOXES, 40, 8
    options = ["--emails", str(emails), "--responses", str(responses), "--clients", str(clients)]
    earlier = tmp_path / "earlier.json"  # an earlier run at which every stage was 1,000/s
    earlier.write_text(
        json.dumps({"stages": [{"pass_name": "first_run", "stage": s, "records_per_s": 1000} for s in ALL]})
    )
    if mode == "skip_meltano":  # the report left out, as at large sizes
        options += ["--skip-meltano", "--skip-report"]
    else:
        options += ["--compare-with", str(earlier)]
    report = bench(home, *options)

    extract = "ingest" if mode == "skip_meltano" else "extract"
    expected = [stage for lane, job, consumers in LANES for stage in (job.replace("extract", extract), *consumers)] + (
        [] if mode == "skip_meltano" else [REPORT_STAGE]
    )
    figures = {(f["pass_name"], f["stage"]): f for f in report["stages"]}
    assert [f["stage"] for f in report["stages"]] == expected * len(PASSES)
    assert all(f["status"] == "ok" and f["seconds"] >= 0 and f["peak_rss_mb"] > 0 for f in report["stages"])

    def records(pass_name: str, stage: str) -> int:
        return int(figures[(pass_name, stage)]["records"])

    new_emails = MAILBOXES * math.ceil(emails // MAILBOXES * 0.01)
    new_responses = math.ceil(responses * 0.01)
    assert [records(p, f"{extract}_email") for p in PASSES] == [emails, 0, new_emails]
    assert [records(p, "canonicalize_email") for p in PASSES] == [emails, 0, new_emails]
    # every synthetic e-mail is a conversation of its own: an update touches only the new ones
    assert [records(p, "build_inbox_view") for p in PASSES] == [emails, 0, new_emails]
    assert [records(p, "canonicalize_questionnaires") for p in PASSES] == [responses, 0, new_responses]
    assert [records(p, "score_phq9") for p in PASSES] == [responses, 0, new_responses]
    assert [records(p, "canonicalize_contacts") for p in PASSES] == [clients, 0, 0]  # re-delivered, unchanged
    measurements = 2 * responses  # every synthetic response answers PHQ-9 and GAD-7
    series = [records(p, "build_measurement_timeseries") for p in PASSES]
    assert series[:2] == [measurements, 0]
    assert 2 * new_responses <= series[2] < measurements  # only the clients with new responses
    weeks = [records(p, "build_reporting_snapshots") for p in PASSES]
    assert weeks[0] > 0 and weeks[1] == 0 and 0 < weeks[2] <= weeks[0]  # idle, then only the weeks touched
    if mode == "meltano":
        assert 0 < records("first_run", REPORT_STAGE) <= clients
        assert records("no_new_data", REPORT_STAGE) == records("new_data", REPORT_STAGE) == 0  # delivered before

    assert report["emails"] == emails and report["responses"] == responses and report["clients"] == clients
    assert report["machine"]["cpus"] >= 1
    targets = {t["target"]: t["measured"] for t in report["targets"]}
    assert {t.split(" ")[0] for t in targets} >= {"canonicalize_email", "build_inbox_view"}
    # end to end sums the first run's stages but extraction/ingest and reports, and names them
    [end_to_end] = [m for t, m in targets.items() if t.startswith("first run, every stage")]
    summed = [s for s in expected if not s.startswith((extract, "generate_"))]
    total = sum(figures[("first_run", s)]["seconds"] for s in summed)
    assert end_to_end == f"{total:.1f} s ({' + '.join(summed)})"
    idle = [t for t in targets if "no new data <=" in t and "through meltano run" in t]
    kept = sorted(t.split(" ")[0] for t in targets if "of the earlier run's" in t)
    if mode == "meltano":
        assert len(idle) == 3  # extract_email, extract_forms, extract_contacts
        assert kept == sorted(s for s in expected if figures[("first_run", s)]["records_per_s"])
    else:
        assert idle == [] and kept == []
    assert sorted((home / "tmp").rglob("*")) == before  # the temporary PHI home is gone


def test_an_earlier_run_that_is_not_a_bench_output_is_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert lorc("--home", str(home), "init").returncode == 0
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"records": 3}')
    result = lorc("--home", str(home), "bench", "pipeline", "--emails", "6", "--compare-with", str(wrong))
    assert result.returncode != 0
    assert "wrong.json is not the --json output of lorc bench pipeline" in result.stderr + result.stdout
