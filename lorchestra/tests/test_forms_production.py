"""Google Forms and the linked Sheet on the production profile as a practice runs them:
`lorc connect google`, `lorc doctor`, and the taps through `meltano run` against the fake
Forms and Sheets APIs on loopback."""

from __future__ import annotations

import json

import yaml

from cli_support import fingerprints, lorc, run_jobs_json, table_rows
from ingestor.fake_apis.google import CLIENT_ID, CLIENT_SECRET
from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.home import PhiHome
from production_fakes import Fakes, practice_connections, sign_in_in_browser
from sample_taps import practice

RAW_AND_CANONICAL = ("raw_objects", "canonical_objects", "rejects", "processed_inputs")
LANE = ["extract_contacts", "extract_forms", "canonicalize_contacts", "canonicalize_questionnaires"]


def _forms_and_crm(home: PhiHome, fakes: Fakes) -> None:
    point_at_fakes(home, practice_connections("forms", "crm"), fakes.settings)


def test_a_re_sorted_sheet_changes_nothing_and_a_renamed_question_is_counted(home: PhiHome, fakes: Fakes) -> None:
    _forms_and_crm(home, fakes)
    run_jobs_json(LANE, {})
    before = fingerprints(home, RAW_AND_CANONICAL)

    fakes.google.sheet_order = "reversed"
    again = run_jobs_json(LANE, {})

    assert (again["extract_forms"]["unchanged"], again["extract_forms"]["inserted"]) == (2 + 74, 0)
    assert fingerprints(home, RAW_AND_CANONICAL) == before, "a re-sorted sheet changes nothing in the warehouse"

    # The practice renames PHQ-9 item 3 in the follow-up form: new answers to it bind to nothing.
    followup = next(f for f in practice.forms() if "Verlauf" in f["info"]["documentTitle"])
    item3 = next(
        q["questionId"]
        for item in followup["items"]
        for q in (item.get("questionGroupItem") or {}).get("questions", [])
        if q["rowQuestion"]["title"].startswith("Trouble falling or staying asleep")
    )
    fakes.google.renamed_questions = {item3: "Schlafprobleme"}
    renamed = run_jobs_json(LANE, {})

    questionnaires = renamed["canonicalize_questionnaires"]
    assert questionnaires["responses_with_unbound_items"] == 74, "never a silent 0"


def test_a_form_id_that_does_not_exist_fails_its_connection_naming_the_setting(home: PhiHome, fakes: Fakes) -> None:
    connections = practice_connections("forms", "crm")
    next(c for c in connections if c["name"] == "google-forms-intake-01")["form_id"] = "1NoSuchForm"
    point_at_fakes(home, connections, fakes.settings)

    result = lorc("run", "extract_forms", "--json")

    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert counts["connections_failed"] == 1 and counts["inserted"] == 1 + 74 + 74, "the others are read"
    [failure] = [e for e in table_rows(home, {}, "event_log", "created_at") if e["event_type"] == "ingest.failed"]
    assert failure["connection_name"] == "google-forms-intake-01"
    assert "setting wrong: form_id" in failure["error_message"] and "1NoSuchForm" in failure["error_message"]


def test_one_google_consent_signs_in_the_forms_and_the_sheet_and_doctor_proves_each(
    home: PhiHome, fakes: Fakes
) -> None:
    _forms_and_crm(home, fakes)
    config = yaml.safe_load(home.config_path.read_text())
    for entry in config["connections"]["forms"]:
        entry["settings"]["auth_url"] = fakes.google.auth_url
    home.config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    home.dotenv_path.write_text(f"GOOGLE_CLIENT_ID={CLIENT_ID}\nGOOGLE_CLIENT_SECRET={CLIENT_SECRET}\n")
    names = [str(c["name"]) for c in practice_connections("forms")]
    checks = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}
    assert all("REFRESH_TOKEN" in checks[f"connection {name}"]["detail"] for name in names)

    returncode, shown = sign_in_in_browser(home, ["connect", "google", *names], fakes.google.ca_path)

    assert returncode == 0, shown
    consent = fakes.google.requests_to(r"^/o/oauth2/auth$")
    assert [sorted(r.query["scope"][0].split()) for r in consent] == [
        [
            "https://www.googleapis.com/auth/forms.body.readonly",
            "https://www.googleapis.com/auth/forms.responses.readonly",
            "https://www.googleapis.com/auth/spreadsheets.readonly",
        ]
    ], "one consent, exactly the scopes needed"
    stored = home.dotenv_path.read_text()
    assert all(f"{name.upper().replace('-', '_')}_REFRESH_TOKEN=" in stored for name in names)
    assert CLIENT_SECRET not in shown and "1//" not in shown
    checks = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}
    for name in names:
        assert checks[f"connection {name}"]["ok"], checks[f"connection {name}"]
    assert "spreadsheet id" in checks["connection sheet-followup"]["detail"]
