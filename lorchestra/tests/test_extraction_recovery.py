"""What an extraction that did not finish leaves behind is ingested by the next run before
it extracts anything, so a bookmark Meltano saved never points past mail the warehouse
lacks; a connection with too many rejects fails, naming the rules; `--connection` and
`--full-refresh` reach the extract jobs. Records over the reject limit are quarantined,
not deleted.

The leftovers are made the way a killed run leaves them: a directory of an earlier run
id under ``extract/``, JSONL written by the target, the last line cut off mid-record.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import lorc, run_jobs_json, table_rows
from lorchestra.home import PhiHome

LABEL = "tap-lorc-dataverse-dataverse"  # <tap>-<connection>: the directory of one extraction


def _contact(contact_id: str) -> dict[str, object]:
    return {
        "contactid": contact_id,
        "firstname": "Test",
        "lastname": "Leftover",
        "modifiedon": "2026-11-20T10:00:00Z",
        "statecode": 0,
    }


def _leave_behind(home: PhiHome, run_id: str, lines: list[bytes]) -> Path:
    directory = home.root / "extract" / run_id / LABEL
    for level in (directory.parent.parent, directory.parent, directory):
        level.mkdir(mode=0o700, exist_ok=True)
        level.chmod(0o700)
    path = directory / "contact.jsonl"
    path.write_bytes(b"".join(lines))
    path.chmod(0o600)
    return directory


def test_what_a_killed_run_extracted_is_ingested_first_and_its_cut_off_line_is_dropped(home: PhiHome) -> None:
    kept = [json.dumps(_contact(f"00000000-0000-4000-8000-00000000000{n}")).encode() + b"\n" for n in (1, 2)]
    cut_off = json.dumps(_contact("00000000-0000-4000-8000-000000000009")).encode()[:40]
    leftover = _leave_behind(home, "killedrun0001", [*kept, cut_off])

    counts = run_jobs_json(["extract_contacts"], {})["extract_contacts"]

    raw = table_rows(home, {}, "raw_objects", "idem_key")
    ids = {row["external_id"] for row in raw}
    assert {"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"} <= ids
    assert "00000000-0000-4000-8000-000000000009" not in ids
    assert counts["rejected"] == 0, "the cut-off line is not a reject: no bookmark covers it"
    assert not leftover.exists() and not leftover.parent.exists()


def test_a_connection_above_the_reject_rate_fails_naming_it_and_the_rule_and_keeps_the_rest(
    home: PhiHome,
) -> None:
    no_id = [json.dumps({"firstname": "Ohne", "lastname": f"Id {n}"}).encode() + b"\n" for n in range(5)]
    _leave_behind(home, "killedrun0002", no_id)

    result = lorc("run", "extract_contacts", "--json")

    assert result.returncode == 1
    job = json.loads(result.stdout)["jobs"][0]
    assert job["counts"]["connections_failed"] == 1 and job["counts"]["rejected"] == 5
    assert job["counts"]["inserted"] > 0, "the good records of the same connection are still written"
    failure = [e for e in table_rows(home, {}, "event_log", "created_at") if e["event_type"] == "ingest.failed"]
    assert len(failure) == 1 and failure[0]["connection_name"] == "dataverse"
    assert "above extraction.max_reject_rate 1.0%" in failure[0]["error_message"]
    assert "missing_external_id (5)" in failure[0]["error_message"]
    assert "Ohne" not in result.stdout + result.stderr + failure[0]["error_message"]
    # Meltano's bookmark is past these records: they are kept, not deleted, and the message says where
    (kept,) = (home.root / "quarantine").glob(f"*/{LABEL}")
    assert len((kept / "contact.jsonl").read_text().splitlines()) == 5
    assert str(kept) in failure[0]["error_message"]
    assert "--full-refresh --connection dataverse" in failure[0]["error_message"]
    assert oct(kept.stat().st_mode)[-3:] == "700" and oct(kept.parent.stat().st_mode)[-3:] == "700"


def test_the_reject_rate_limit_is_a_setting(home: PhiHome) -> None:
    _leave_behind(home, "killedrun0003", [json.dumps({"firstname": "Ohne"}).encode() + b"\n" for _ in range(2)])
    home.config_path.write_text(home.config_path.read_text() + "extraction:\n  max_reject_rate: 0.5\n")

    counts = run_jobs_json(["extract_contacts"], {})["extract_contacts"]

    assert (counts["rejected"], counts["connections_failed"]) == (2, 0)
    kept = list((home.root / "quarantine").glob(f"*/{LABEL}/contact.jsonl"))
    assert len(kept) == 1, "a rejected record's payload is kept even under the limit"


def test_connection_limits_an_extract_job_to_one_connection_and_an_unknown_one_is_refused(home: PhiHome) -> None:
    counts = run_jobs_json(["extract_contacts", "extract_forms"], {}, "--connection", "dataverse")
    assert counts["extract_contacts"]["connections"] == 1 and counts["extract_contacts"]["inserted"] > 0
    assert counts["extract_forms"]["connections"] == 0

    unknown = lorc("run", "extract_contacts", "--connection", "gmail-nowhere")
    assert unknown.returncode != 0
    assert "no connection named 'gmail-nowhere'" in unknown.stderr and "configured: " in unknown.stderr
