"""The sales pipeline lane end to end: real `meltano run` with the production taps
against the fake Gmail and Graph APIs that `lorc` starts on loopback for the sample
profile, the canonicalizer and the projection, through the `lorc` CLI, on DuckDB and on
BigQuery.

``golden/inbox_view.json`` was checked by hand once (see its note); the production taps
must reproduce it from the APIs' wire protocol.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import lorc, run_jobs_json, table_rows
from lorchestra.home import PhiHome

GOLDEN = json.loads((Path(__file__).parent / "golden" / "inbox_view.json").read_text())["rows"]
LANE = ["extract_email", "canonicalize_email", "build_inbox_view"]
# Anna Müller writes to the practice's Gmail address; Dr. Weber answers from Exchange.
GMAIL_TO_EXCHANGE = "caj7xq3z0k+pv9=f4sgj2m_q8bxytt1vq@mail.gmail.com"


def fake_api_requests(home: PhiHome) -> list[dict[str, object]]:
    """What the fake APIs of the last run were asked (their request log in the PHI home)."""
    newest = max((home.root / "logs").glob("fake-apis-*.jsonl"), key=lambda p: p.stat().st_mtime)
    return [json.loads(line) for line in newest.read_text().splitlines()]


def test_inbox_view_equals_the_hand_checked_table_and_a_second_run_changes_nothing(
    home: PhiHome, lane_env: dict[str, str]
) -> None:
    first = run_jobs_json(LANE, lane_env)
    assert first["extract_email"]["inserted"] == 44 and first["extract_email"]["connections_failed"] == 0
    assert (first["canonicalize_email"]["processed"], first["canonicalize_email"]["rejected"]) == (44, 0)
    view = table_rows(home, lane_env, "inbox_view", "conversation_key")
    assert view == GOLDEN
    answered = next(row for row in view if row["conversation_key"] == GMAIL_TO_EXCHANGE)
    assert answered["mailboxes"] == ["j.weber@praxis-weber.example", "praxis@praxis-weber.example"]
    assert (answered["message_count"], answered["first_response_minutes"]) == (3, 108)

    second = run_jobs_json(LANE, lane_env)
    assert second["extract_email"]["inputs"] == 0, "nothing changed, so nothing was fetched"
    asked = fake_api_requests(home)
    assert not [r for r in asked if str(r["path"]).endswith("/messages")], "no Gmail listing"
    assert [r for r in asked if str(r["path"]).endswith("/history")], "Gmail was asked for its history"
    delta = [r for r in asked if str(r["path"]).endswith("/messages/delta")]
    assert delta and all("$deltatoken" in r["query"] for r in delta), "Graph only for its delta"
    assert (second["canonicalize_email"]["outputs_inserted"], second["canonicalize_email"]["outputs_updated"]) == (0, 0)
    assert table_rows(home, lane_env, "inbox_view", "conversation_key") == GOLDEN
    assert not any((home.root / "extract").iterdir()), "extraction files are removed once ingested"


def test_redelivery_and_a_moved_graph_message_update_raw_but_not_the_conversations(home: PhiHome) -> None:
    run_jobs_json(LANE, {})
    later = run_jobs_json(LANE, {}, "--param", "revision=2")
    extract = later["extract_email"]
    # Gmail's history reports 1a1d058555356414 relabelled (a new historyId and labels:
    # updated). The Graph message moved to a folder of its own leaves the Inbox: delta
    # reports it removed, which changes nothing in the warehouse (no record is deleted).
    assert (extract["inserted"], extract["updated"], extract["unchanged"]) == (0, 1, 0)
    assert (
        later["canonicalize_email"]["inputs"],
        later["canonicalize_email"]["outputs_inserted"],
        later["canonicalize_email"]["outputs_updated"],
    ) == (1, 0, 1)
    assert table_rows(home, {}, "inbox_view", "conversation_key") == GOLDEN


def test_one_failing_mailbox_does_not_stop_the_others(home: PhiHome) -> None:
    config = home.config_path.read_text().replace(
        "{name: exchange-team, system: exchange, mailbox: team@praxis-weber.example}",
        "{name: exchange-team, system: exchange, mailbox: nobody@praxis-weber.example}",
    )
    home.config_path.write_text(config)
    result = lorc("run", "extract_email", "--json", env={})
    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["connections_failed"], counts["inserted"]) == (1, 37)
    events = json.loads(lorc("status", "--json", env={}).stdout)["runs"]
    assert events[0]["status"] == "failed"
    logs = list((home.root / "logs").glob("extract-*-exchange-team.log"))
    assert len(logs) == 1 and oct(logs[0].stat().st_mode)[-3:] == "600"
