"""Bad input gets a clear answer and loses nothing (issue 6, test group 4), and two runs
at once never corrupt the warehouse (group 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson

from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, open_store

GMAIL = ObjectSpec(Source("gmail", "gmail-praxis"), "email", schema_ref="iglu:com.google/gmail_message/jsonschema/1-0-0")


def gmail(msg_id: str, body: str = "Hallo") -> dict[str, object]:
    import base64

    data = base64.urlsafe_b64encode(body.encode()).decode()
    return {"id": msg_id, "threadId": msg_id, "internalDate": "1762941600000", "labelIds": ["INBOX"],
            "payload": {"mimeType": "text/plain", "filename": "",
                        "headers": [{"name": "From", "value": "a@example.test"}, {"name": "Subject", "value": "x"}],
                        "body": {"data": data}}}


def test_every_kind_of_bad_line_is_a_reject_and_inputs_add_up(home: PhiHome, tmp_path: Path) -> None:
    big = gmail("big", "x" * 10_000_000)  # a 10 MB body
    path = tmp_path / "mixed.jsonl"
    with path.open("wb") as handle:
        handle.write(orjson.dumps(gmail("m1")) + b"\n")
        handle.write(b'{"id": "m2", "threadId": "m2", "internalDate": "1\n')    # malformed
        handle.write(b"\xff\xfe not utf-8\n")                                   # invalid UTF-8
        handle.write(orjson.dumps({"threadId": "no-id", "payload": {}}) + b"\n")  # no id
        handle.write(orjson.dumps(big) + b"\n")
        handle.write(orjson.dumps(gmail("m3"))[:40])                              # truncated last line
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_email", tmp_dir=home.tmp_dir)
        counts = events.emit_jsonl("ingest.completed", path, spec=GMAIL)
        empty = tmp_path / "empty.jsonl"
        empty.write_bytes(b"")
        nothing = events.emit_jsonl("ingest.completed", empty, spec=GMAIL)
        rules = sorted(r["rule"] for r in store.query("SELECT rule FROM rejects"))
        stored = sorted(r["external_id"] for r in store.query("SELECT external_id FROM raw_objects"))
    finally:
        store.close()
    assert counts.inputs == 6 and (counts.inserted, counts.rejected) == (2, 4)
    assert stored == ["big", "m1"]
    assert rules == ["invalid_utf8", "malformed_json", "malformed_json", "missing_external_id"]
    assert nothing.inputs == 0

    canon = json.loads(lorc("run", "canonicalize_email", "--json").stdout)["jobs"][0]["counts"]
    assert canon["inputs"] == canon["processed"] + canon["rejected"] == 2


def test_a_form_whose_every_answer_is_invalid_gives_an_invalid_measurement_not_a_crash(home: PhiHome) -> None:
    from canonizer import get_transform

    case = json.loads((get_transform("questionnaire_response/google_forms").tests_dir
                       / "shuffled_grid_missing_item_unmapped_name.json").read_text())
    response = dict(case["input"], responseId="BAD", answers={
        q: {"questionId": q, "textAnswers": {"answers": [{"value": "Manchmal"}]}}
        for q in [f"p{n}" for n in range(1, 10)] + [f"g{n}" for n in range(1, 8)]})
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_forms", tmp_dir=home.tmp_dir)
        events.emit_batch("ingest.completed", [case["bindings"]["form"]],
                          spec=ObjectSpec(Source("google_forms", "forms-praxis"), "form", id_field="formId"))
        events.emit_batch("ingest.completed", [response],
                          spec=ObjectSpec(Source("google_forms", "forms-praxis"), "form_response", id_field="responseId"))
    finally:
        store.close()
    result = lorc("run", "canonicalize_questionnaires", "score_phq9", "score_gad7", "--json")
    assert result.returncode == 0, result.stderr
    jobs = {j["name"]: j["counts"] for j in json.loads(result.stdout)["jobs"]}
    assert all(c["inputs"] == c["processed"] + c["rejected"] == 1 for c in jobs.values())
    store = open_store(load_config(home), read_only=True)
    try:
        measurements = [p for _, p in store.read_objects("canonical_objects", "measurement")]
    finally:
        store.close()
    assert sorted((m["instrument"], m["valid"], m["errors"][0]) for m in measurements) == [
        ("gad7", False, "R10.unrecognised_text:item1"), ("phq9", False, "R10.unrecognised_text:item1")]


def test_two_runs_at_once_one_waits_and_the_warehouse_stays_whole(home: PhiHome) -> None:
    exe = str(Path(sys.executable).parent / "lorc")
    env = os.environ.copy()
    runs = [subprocess.Popen([exe, "run", "example_synthetic_ingest", "--param", f"count={n}", "--wait", "120",
                              "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for n in (3000, 5000)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    store = open_store(load_config(home), read_only=True)
    try:
        count = store.query("SELECT count(*) AS n, count(DISTINCT idem_key) AS keys FROM raw_objects")
    finally:
        store.close()
    assert count == [{"n": 5000, "keys": 5000}]
    without_wait = [subprocess.Popen([exe, "run", "example_synthetic_ingest", "--param", "count=20000"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                    for _ in range(2)]
    outcomes = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in without_wait]
    assert sorted(code for code, _ in outcomes) in ([0, 0], [0, 1])  # the loser exits cleanly, or they did not overlap
    assert all("another lorc run holds" in err for code, err in outcomes if code == 1)
