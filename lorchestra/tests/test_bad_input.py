"""Bad input gets a clear answer and loses nothing (issue 6, test group 4), and two runs
at once never corrupt the warehouse (group 5)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import orjson
import pytest

from backend_sql import sql_rows
from cli_support import LORC, lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, open_store

GMAIL = ObjectSpec(
    Source("gmail", "gmail-praxis"), "email", schema_ref="iglu:com.google/gmail_message/jsonschema/1-0-0"
)


def gmail(msg_id: str, body: str = "Hallo") -> dict[str, object]:
    import base64

    data = base64.urlsafe_b64encode(body.encode()).decode()
    return {
        "id": msg_id,
        "threadId": msg_id,
        "internalDate": "1762941600000",
        "labelIds": ["INBOX"],
        "payload": {
            "mimeType": "text/plain",
            "filename": "",
            "headers": [{"name": "From", "value": "a@example.test"}, {"name": "Subject", "value": "x"}],
            "body": {"data": data},
        },
    }


def test_every_kind_of_bad_line_is_a_reject_and_inputs_add_up(home: PhiHome, tmp_path: Path) -> None:
    big = gmail("big", "x" * 10_000_000)  # a 10 MB body
    path = tmp_path / "mixed.jsonl"
    with path.open("wb") as handle:
        handle.write(orjson.dumps(gmail("m1")) + b"\n")
        handle.write(b'{"id": "m2", "threadId": "m2", "internalDate": "1\n')  # malformed
        handle.write(b"\xff\xfe not utf-8\n")  # invalid UTF-8
        handle.write(orjson.dumps({"threadId": "no-id", "payload": {}}) + b"\n")  # no id
        handle.write(orjson.dumps(big) + b"\n")
        handle.write(orjson.dumps(gmail("m3"))[:40])  # truncated last line
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_email", tmp_dir=home.tmp_dir)
        counts = events.emit_jsonl("ingest.completed", path, spec=GMAIL)
        empty = tmp_path / "empty.jsonl"
        empty.write_bytes(b"")
        nothing = events.emit_jsonl("ingest.completed", empty, spec=GMAIL)
        rules = sorted(r["rule"] for r in sql_rows(store, "SELECT rule FROM rejects"))
        stored = sorted(r["external_id"] for r in sql_rows(store, "SELECT external_id FROM raw_objects"))
    finally:
        store.close()
    assert counts.inputs == 6 and (counts.inserted, counts.rejected) == (2, 4)
    assert stored == ["big", "m1"]
    assert rules == ["invalid_utf8", "malformed_json", "malformed_json", "missing_external_id"]
    assert nothing.inputs == 0

    canon = json.loads(lorc("run", "canonicalize_email", "--json").stdout)["jobs"][0]["counts"]
    assert canon["inputs"] == canon["processed"] + canon["rejected"] == 2


def with_member(msg_id: str, member: bytes) -> bytes:
    """A Gmail message line with one more member written by hand (``"name":value``)."""
    return orjson.dumps(gmail(msg_id))[:-1] + b"," + member + b"}\n"


def test_json_only_the_warehouse_could_read_is_a_reject_on_every_load_and_the_email_lane_runs(
    home: PhiHome, tmp_path: Path
) -> None:
    first = tmp_path / "first.jsonl"  # the connection's first load
    first.write_bytes(
        orjson.dumps(gmail("m1"))
        + b"\n"
        + with_member("b1", b'"sizeEstimate":1e400')
        + with_member("b2", b'"deep":' + b"[" * 600 + b"]" * 600)
    )
    later = tmp_path / "later.jsonl"  # the same connection, now with history
    later.write_bytes(
        orjson.dumps(gmail("m2"))
        + b"\n"
        + with_member("b3", b'"deep":' + b"[" * 1100 + b"]" * 1100)
        + with_member("b4", b'"sizeEstimate":123456789012345678901234567890')
    )
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_email", tmp_dir=home.tmp_dir)
        loads = [events.emit_jsonl("ingest.completed", path, spec=GMAIL) for path in (first, later)]
    finally:
        store.close()
    assert [(c.inserted, c.rejected) for c in loads] == [(1, 2), (1, 2)]

    result = lorc("run", "canonicalize_email", "build_inbox_view", "--json")
    assert result.returncode == 0, result.stderr
    jobs = {j["name"]: j for j in json.loads(result.stdout)["jobs"]}
    assert [j["status"] for j in jobs.values()] == ["ok", "ok"]
    assert jobs["canonicalize_email"]["counts"]["inputs"] == 2
    store = open_store(load_config(home), read_only=True)
    try:
        rules = sorted((r["rule"], r["field"]) for r in sql_rows(store, "SELECT rule, field FROM rejects"))
    finally:
        store.close()
    assert rules == [
        ("json_too_deep", "deep"),
        ("json_too_deep", "deep"),
        ("number_out_of_range", "sizeEstimate"),
        ("number_out_of_range", "sizeEstimate"),
    ]


def test_a_payload_an_older_version_stored_unreadable_is_a_reject_of_each_reader_not_a_failed_job(
    home: PhiHome,
) -> None:
    from older_rows import store_like_an_older_version

    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_email", tmp_dir=home.tmp_dir)
        events.emit_batch("ingest.completed", [gmail("m1")], spec=GMAIL)
        unreadable = '{"id": "X", "n": 1e400}'
        store_like_an_older_version(
            store,
            "raw_objects",
            "gmail:gmail-praxis:email:m9",
            unreadable.replace("X", "m9"),
            connection_name="gmail-praxis",
        )
        store_like_an_older_version(
            store,
            "raw_objects",
            "google_forms:forms-praxis:form:f9",
            unreadable,
            source_system="google_forms",
            connection_name="forms-praxis",
            object_type="form",
        )
        for object_type in ("email", "contact", "measurement"):
            store_like_an_older_version(
                store, "canonical_objects", f"old:{object_type}", unreadable, object_type=object_type
            )
    finally:
        store.close()

    result = lorc(
        "run",
        "canonicalize_email",
        "build_inbox_view",
        "canonicalize_questionnaires",
        "build_measurement_timeseries",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert all(j["status"] == "ok" for j in json.loads(result.stdout)["jobs"])
    store = open_store(load_config(home), read_only=True)
    try:
        rejects = {
            (r["job_name"], r["input_idem_key"], r["rule"], r["field"])
            for r in sql_rows(store, "SELECT job_name, input_idem_key, rule, field FROM rejects")
        }
        inbox = sql_rows(store, "SELECT count(*) AS n FROM inbox_view")
    finally:
        store.close()
    assert rejects == {
        ("canonicalize_email", "gmail:gmail-praxis:email:m9", "number_out_of_range", "n"),
        ("build_inbox_view", "old:email", "number_out_of_range", "n"),
        ("build_inbox_view", "old:contact", "number_out_of_range", "n"),
        ("canonicalize_questionnaires", "google_forms:forms-praxis:form:f9", "number_out_of_range", "n"),
        ("canonicalize_questionnaires", "old:contact", "number_out_of_range", "n"),
        ("build_measurement_timeseries", "old:measurement", "number_out_of_range", "n"),
    }
    assert inbox == [{"n": 1}]


def test_a_form_whose_every_answer_is_invalid_gives_an_invalid_measurement_not_a_crash(home: PhiHome) -> None:
    from canonizer import get_transform

    case = json.loads(
        (
            get_transform("questionnaire_response/google_forms").tests_dir
            / "shuffled_grid_missing_item_unmapped_name.json"
        ).read_text()
    )
    response = dict(
        case["input"],
        responseId="BAD",
        answers={
            q: {"questionId": q, "textAnswers": {"answers": [{"value": "Manchmal"}]}}
            for q in [f"p{n}" for n in range(1, 10)] + [f"g{n}" for n in range(1, 8)]
        },
    )
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_forms", tmp_dir=home.tmp_dir)
        events.emit_batch(
            "ingest.completed",
            [case["bindings"]["form"]],
            spec=ObjectSpec(Source("google_forms", "forms-praxis"), "form", id_field="formId"),
        )
        events.emit_batch(
            "ingest.completed",
            [response],
            spec=ObjectSpec(Source("google_forms", "forms-praxis"), "form_response", id_field="responseId"),
        )
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
        ("gad7", False, "R10.unrecognised_text:item1"),
        ("phq9", False, "R10.unrecognised_text:item1"),
    ]


@pytest.mark.example_plugin
def test_two_runs_at_once_one_waits_and_the_warehouse_stays_whole(home: PhiHome) -> None:
    env = os.environ.copy()
    runs = [
        subprocess.Popen(
            [LORC, "run", "example_synthetic_ingest", "--param", f"count={n}", "--wait", "120", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in (3000, 5000)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    store = open_store(load_config(home), read_only=True)
    try:
        count = sql_rows(store, "SELECT count(*) AS n, count(DISTINCT idem_key) AS keys FROM raw_objects")
    finally:
        store.close()
    assert count == [{"n": 5000, "keys": 5000}]
    without_wait = [
        subprocess.Popen(
            [LORC, "run", "example_synthetic_ingest", "--param", "count=20000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in without_wait]
    assert sorted(code for code, _ in outcomes) in ([0, 0], [0, 1])  # the loser exits cleanly, or they did not overlap
    assert all(f"{home.root} is in use by lorc run " in err for code, err in outcomes if code == 1)
