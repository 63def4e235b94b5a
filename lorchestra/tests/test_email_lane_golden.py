"""The sales pipeline lane end to end: real `meltano run` with the sample taps, the
canonicalizer and the projection, through the `lorc` CLI, on DuckDB and on BigQuery.

``golden/inbox_view.json`` was checked by hand once (see its note).
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import lorc, run_jobs_json, table_rows
from lorchestra.home import PhiHome

GOLDEN = json.loads((Path(__file__).parent / "golden" / "inbox_view.json").read_text())["rows"]
LANE = ["extract_email", "canonicalize_email", "build_inbox_view"]










def test_inbox_view_equals_the_hand_checked_table_and_a_second_run_changes_nothing(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    first = run_jobs_json(LANE, lane_env)
    assert first["extract_email"]["inserted"] == 44 and first["extract_email"]["connections_failed"] == 0
    assert (first["canonicalize_email"]["processed"], first["canonicalize_email"]["rejected"]) == (44, 0)
    assert table_rows(home, lane_env, "inbox_view", "conversation_key") == GOLDEN

    second = run_jobs_json(LANE, lane_env)
    assert (second["extract_email"]["inserted"], second["extract_email"]["updated"],
            second["extract_email"]["unchanged"]) == (0, 0, 44)
    assert (second["canonicalize_email"]["outputs_inserted"], second["canonicalize_email"]["outputs_updated"]) == (0, 0)
    assert table_rows(home, lane_env, "inbox_view", "conversation_key") == GOLDEN
    assert not any((home.root / "extract").iterdir()), "extraction files are removed once ingested"


def test_redelivery_and_a_moved_graph_message_update_raw_but_not_the_conversations(home: PhiHome) -> None:
    run_jobs_json(LANE, {})
    later = run_jobs_json(LANE, {}, "--param", "revision=2")
    extract = later["extract_email"]
    # Gmail 1a1d058555356414 comes back with a new historyId and labels (updated); the Graph
    # message moved to another folder arrives under a new id (inserted, same Message-ID).
    assert (extract["inserted"], extract["updated"], extract["unchanged"]) == (1, 1, 42)
    assert (later["canonicalize_email"]["inputs"], later["canonicalize_email"]["outputs_inserted"],
            later["canonicalize_email"]["outputs_updated"]) == (2, 1, 1)
    assert table_rows(home, {}, "inbox_view", "conversation_key") == GOLDEN


def test_one_failing_mailbox_does_not_stop_the_others(home: PhiHome) -> None:
    config = home.config_path.read_text().replace(
        "{name: exchange-team, system: exchange, mailbox: team@praxis-weber.example}",
        "{name: exchange-team, system: exchange, mailbox: nobody@praxis-weber.example}")
    home.config_path.write_text(config)
    result = lorc("run", "extract_email", "--json", env={})
    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["connections_failed"], counts["inserted"]) == (1, 37)
    events = json.loads(lorc("status", "--json", env={}).stdout)
    assert events[0]["status"] == "failed"
    logs = list((home.root / "logs").glob("extract-*-exchange-team.log"))
    assert len(logs) == 1 and oct(logs[0].stat().st_mode)[-3:] == "600"
