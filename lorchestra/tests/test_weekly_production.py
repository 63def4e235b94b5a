"""The weekly pipeline on the production profile, every source a fake API on loopback that
speaks its real protocol: Gmail and the Forms and Sheets APIs (Google OAuth), Graph and
Dataverse (msal against a fake identity platform, TLS). `lorc` is a real subprocess and
every tap runs through `meltano run`; the connections are in config.yaml and their secrets
in .env, as a practice has them.
"""

from __future__ import annotations

import json

from cli_support import fingerprints, lorc
from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.home import PhiHome
from production_fakes import Fakes, practice_connections

WEEK = "2026-W46"
LENA_INTAKE = "ACYDBN0ia-oa0fYHc5Qmos23mscI0flDLMhqb0zdn0mKHSGBC3wn7DSW"


def _weekly(home: PhiHome) -> list[dict[str, object]]:
    result = lorc("run", "--pipeline", "weekly", "--week", WEEK, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    jobs: list[dict[str, object]] = json.loads(result.stdout)["jobs"]
    assert all(job["status"] == "ok" for job in jobs), jobs
    return jobs


def test_the_weekly_pipeline_on_production_delivers_the_reports_and_a_second_run_fetches_only_changes(
    home: PhiHome, fakes: Fakes
) -> None:
    point_at_fakes(home, practice_connections(), fakes.settings)

    first = {str(job["name"]): job["counts"] for job in _weekly(home)}

    assert first["extract_email"]["connections_failed"] == 0 and first["extract_email"]["inserted"] > 0
    assert (first["extract_forms"]["inserted"], first["extract_contacts"]["inserted"]) == (164, 39)
    assert first["canonicalize_questionnaires"]["duplicates"] == 74
    report = first["generate_weekly_report"]
    assert report["delivered"] == 1 and report["client_reports"] >= 10
    pdfs = list((home.root / "reports" / WEEK).glob("*.pdf"))
    assert len(pdfs) == report["client_reports"] + 1, "the practice report and one per client"
    assert len(list((home.root / "outbox").glob("*.eml"))) == 1
    before = fingerprints(home)

    fakes.clear()
    second = {str(job["name"]): job["counts"] for job in _weekly(home)}

    for job, counts in second.items():
        assert counts.get("inserted", 0) == counts.get("updated", 0) == 0, job
        assert counts.get("outputs_inserted", 0) == counts.get("outputs_updated", 0) == 0, job
    assert second["generate_weekly_report"]["delivered"] == 0, "a week's report goes out once"
    assert fingerprints(home) == before
    # Only what changed was asked for: Gmail's history since the last id, Graph's delta since
    # the last link, Forms responses after the newest one seen, Dataverse rows modified since.
    google, microsoft, dataverse = fakes.google, fakes.microsoft, fakes.dataverse
    assert google.requests_to(r"/history$") and not google.requests_to(r"/messages$")
    assert not google.requests_to(r"/messages/[^/]+$"), "no message fetched again"
    assert all("$deltatoken" in r.query for r in microsoft.requests_to(r"/messages/delta$"))
    # the sheet is read before the forms, so a response submitted in between is in the Forms read
    assert google.requests_to(r"/v4/spreadsheets/")[0].at < google.requests_to(r"/v1/forms/")[0].at
    responses = google.requests_to(r"/v1/forms/[^/]+/responses$")
    assert len(responses) == 2 and all(r.query["filter"][0].startswith("timestamp > ") for r in responses)
    tables = dataverse.requests_to(r"/api/data/v9\.2/(contacts|cr7a2_sessions)$")
    assert len(tables) == 2 and all(r.query["$filter"][0].startswith("modifiedon ge ") for r in tables)
    # Lena Schmidt's intake matches no contact: scored, and listed by id for the practice to link
    status = json.loads(lorc("status", "--json").stdout)
    assert status["unlinked_responses"] == [LENA_INTAKE]
