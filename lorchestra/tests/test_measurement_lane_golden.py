"""The measurement lane end to end through `lorc`, on both backends: real `meltano run` of
the production Forms, Sheets and Dataverse taps against the fake APIs on loopback (the
sample profile), canonicalization, scoring and the timeseries.

``golden/measurement_timeseries.json`` was checked by hand once (see its note).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from backend_sql import sql_rows
from cli_support import run_jobs_json, table_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store

GOLDEN = json.loads((Path(__file__).parent / "golden" / "measurement_timeseries.json").read_text())
LANE = [
    "extract_forms",
    "extract_contacts",
    "canonicalize_contacts",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
]


def test_measurement_timeseries_equals_the_hand_checked_table_and_a_second_run_changes_nothing(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    first = run_jobs_json(LANE, lane_env)
    # 2 forms + 88 responses through the Forms API, the follow-up form's 74 rows through its sheet
    assert (first["extract_forms"]["inserted"], first["extract_contacts"]["inserted"]) == (164, 39)
    # every sheet row repeats a Forms response: one response, not two
    assert (
        first["canonicalize_questionnaires"]["duplicates"],
        first["canonicalize_questionnaires"]["outputs_inserted"],
    ) == (74, 88)
    # 88 PHQ-9 measurements and the story's 7 item-9 flags (6 positive, 1 unanswered); 88 GAD-7
    assert (first["score_phq9"]["outputs_inserted"], first["score_gad7"]["outputs_inserted"]) == (95, 88)
    assert first["build_measurement_timeseries"]["unlinked_measurements"] == 2
    series = table_rows(home, lane_env, "measurement_timeseries", "client_id, instrument, measured_at")
    assert series == GOLDEN["timeseries"]
    assert table_rows(home, lane_env, "measurement_paired", "client_id") == GOLDEN["paired"]

    second = run_jobs_json(LANE, lane_env)
    for job in ("canonicalize_contacts", "canonicalize_questionnaires", "score_phq9", "score_gad7"):
        assert second[job]["inputs"] == 0, job
    # the forms' definitions and the sheet are read whole (their APIs have no change query),
    # the responses only after the newest one seen: nothing new arrives, nothing changes
    assert (
        second["extract_forms"]["unchanged"],
        second["extract_forms"]["inserted"],
        second["extract_forms"]["updated"],
    ) == (76, 0, 0)
    assert (second["extract_contacts"]["inserted"], second["extract_contacts"]["updated"]) == (0, 0)
    assert table_rows(home, lane_env, "measurement_timeseries", "client_id, instrument, measured_at") == series


def test_with_the_sheet_as_the_follow_up_source_the_series_are_the_same(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    config = yaml.safe_load(home.config_path.read_text())
    config["connections"]["forms"] = [c for c in config["connections"]["forms"] if c["name"] != "google-forms-followup"]
    home.config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

    first = run_jobs_json(LANE, lane_env)

    # the intake form through the Forms API (1 form, 14 responses), the follow-ups from the sheet
    assert first["extract_forms"]["inserted"] == 1 + 14 + 74
    assert (
        first["canonicalize_questionnaires"]["duplicates"],
        first["canonicalize_questionnaires"]["outputs_inserted"],
    ) == (0, 88)
    series = table_rows(home, lane_env, "measurement_timeseries", "client_id, instrument, measured_at")
    # A sheet shows the submission to the second and has no response ids of its own.
    assert [_to_the_second(row) for row in series] == [_to_the_second(row) for row in GOLDEN["timeseries"]]
    assert all(
        row["response_id"].startswith("sheet:")
        for row in series
        if row["measured_at"] > "2026-09-21" and not row["is_baseline"]
    )


def _to_the_second(row: dict[str, object]) -> dict[str, object]:
    found = {key: value for key, value in row.items() if key != "response_id"}
    for key in ("measured_at", "baseline_at"):
        if isinstance(found.get(key), str):
            found[key] = str(found[key])[:19]
    return found


def test_an_edited_response_replaces_its_measurement(home: PhiHome) -> None:
    run_jobs_json(LANE, {})
    later = run_jobs_json(LANE, {}, "--param", "revision=2")
    # Marie Engel edits her 4th response (PHQ-9 item 3; total 11 -> 12); Thomas Richter's
    # contact gets a new phone number, which links nothing new.
    # The edit also rewrites its sheet row's timestamp: a new row id, which the Forms response it
    # repeats absorbs (a duplicate, not a second response).
    assert (later["extract_forms"]["updated"], later["extract_forms"]["inserted"]) == (1, 1)
    assert (
        later["canonicalize_questionnaires"]["outputs_updated"],
        later["canonicalize_questionnaires"]["outputs_inserted"],
        later["extract_contacts"]["updated"],
    ) == (1, 0, 1)
    for job in ("score_phq9", "score_gad7"):
        assert (later[job]["inputs"], later[job]["outputs_updated"], later[job]["outputs_inserted"]) == (1, 1, 0)
    store = open_store(load_config(home), read_only=True)
    try:
        count = sql_rows(store, "SELECT count(*) AS n FROM canonical_objects WHERE object_type = 'measurement'")
    finally:
        store.close()
    assert count == [{"n": 176}]
    changed = [
        (old, new)
        for old, new in zip(
            GOLDEN["timeseries"],
            table_rows(home, {}, "measurement_timeseries", "client_id, instrument, measured_at"),
            strict=True,
        )
        if old != new
    ]
    # Both measurements of the edited response move to the new submission time; only the
    # PHQ-9 total changes.
    assert [(old["instrument"], old["total"], new["total"]) for old, new in changed] == [
        ("gad7", 9, 9),
        ("phq9", 11, 12),
    ]
    assert len({new["response_id"] for _, new in changed}) == 1
    assert all(new["measured_at"] > old["measured_at"] for old, new in changed)
