"""The measurement lane end to end: real `meltano run` of the Forms and Dataverse sample
taps, canonicalization, scoring and the timeseries, through `lorc`, on both backends.

``golden/measurement_timeseries.json`` was checked by hand once (see its note).
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import run_jobs_json, table_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store

GOLDEN = json.loads((Path(__file__).parent / "golden" / "measurement_timeseries.json").read_text())
LANE = ["extract_forms", "extract_contacts", "canonicalize_contacts", "canonicalize_questionnaires",
        "score_phq9", "score_gad7", "build_measurement_timeseries"]










def test_measurement_timeseries_equals_the_hand_checked_table_and_a_second_run_changes_nothing(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    first = run_jobs_json(LANE, lane_env)
    assert (first["extract_forms"]["inserted"], first["extract_contacts"]["inserted"]) == (90, 39)
    # 88 PHQ-9 measurements and the story's 7 item-9 flags (6 positive, 1 unanswered); 88 GAD-7
    assert (first["score_phq9"]["outputs_inserted"], first["score_gad7"]["outputs_inserted"]) == (95, 88)
    assert first["build_measurement_timeseries"]["unlinked_measurements"] == 2
    series = table_rows(home, lane_env, "measurement_timeseries", "client_id, instrument, measured_at")
    assert series == GOLDEN["timeseries"]
    assert table_rows(home, lane_env, "measurement_paired", "client_id") == GOLDEN["paired"]

    second = run_jobs_json(LANE, lane_env)
    for job in ("canonicalize_contacts", "canonicalize_questionnaires", "score_phq9", "score_gad7"):
        assert second[job]["inputs"] == 0, job
    assert (second["extract_forms"]["unchanged"], second["extract_forms"]["inserted"],
            second["extract_forms"]["updated"]) == (90, 0, 0)
    assert table_rows(home, lane_env, "measurement_timeseries", "client_id, instrument, measured_at") == series


def test_an_edited_response_replaces_its_measurement(home: PhiHome) -> None:
    run_jobs_json(LANE, {})
    later = run_jobs_json(LANE, {}, "--param", "revision=2")
    # Marie Engel edits her 4th response (PHQ-9 item 3; total 11 -> 12); Thomas Richter's
    # contact gets a new phone number, which links nothing new.
    assert (later["extract_forms"]["updated"], later["extract_contacts"]["updated"]) == (1, 1)
    for job in ("score_phq9", "score_gad7"):
        assert (later[job]["inputs"], later[job]["outputs_updated"], later[job]["outputs_inserted"]) == (1, 1, 0)
    store = open_store(load_config(home), read_only=True)
    try:
        count = store.query("SELECT count(*) AS n FROM canonical_objects WHERE object_type = 'measurement'")
    finally:
        store.close()
    assert count == [{"n": 176}]
    changed = [(old, new) for old, new in zip(GOLDEN["timeseries"], table_rows(home, {}, "measurement_timeseries",
                                                                          "client_id, instrument, measured_at"))
               if old != new]
    # Both measurements of the edited response move to the new submission time; only the
    # PHQ-9 total changes.
    assert [(old["instrument"], old["total"], new["total"]) for old, new in changed] == [("gad7", 9, 9), ("phq9", 11, 12)]
    assert len({new["response_id"] for _, new in changed}) == 1
    assert all(new["measured_at"] > old["measured_at"] for old, new in changed)
