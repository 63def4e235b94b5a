"""No PHI outside the warehouse and the reports (issue 6, test group 3).

After both lanes, the weekly report and a job that fails with a record in its exception
message, none of the sample data's names, addresses, phone numbers, subjects or body
text appears in any log file, any console output, any event_log row or any rejects
message; nor, after every page of the practice console (`lorc serve`) has been opened,
in its access log or its stderr. The sample data is invented, but it stands in for
health information.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend_sql import sql_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import open_store

RUNS = [
    ["run", "--pipeline", "daily"],
    ["run", "generate_weekly_report", "--week", "2026-W46"],
    ["run", "example_synthetic_ingest", "--param", "fail=true"],  # its exception quotes a patient
    ["status"],
    ["status", "--json"],
    ["doctor"],
    ["jobs", "list"],
]


def markers(home: PhiHome) -> set[str]:
    store = open_store(load_config(home), read_only=True)
    try:
        found: set[str] = {"Erika Mustermann", MARKER}
        for _, contact in store.read_objects("canonical_objects", "contact"):
            found.update(v for v in (contact["full_name"], contact["email"], contact["phone"]) if v)
        for _, email in store.read_objects("canonical_objects", "email"):
            if email["direction"] == "inbound" and email["from"]:
                found.add(email["from"]["email"])
            if len(email["subject"]) >= 12:
                found.add(email["subject"])
            if len(email["body_text"]) >= 30:
                found.add(email["body_text"][:30])
        return {m for m in found if len(m) >= 6}
    finally:
        store.close()


MARKER = "ZZ-MARKER-Gertrud-Beispielfrau-1937"
CONSOLE_PAGES = ["/", "/pipeline", "/clients", "/runs", "/reports", f"/clients?q={MARKER}", "/clients/unknown-id"]


def browse_the_console(env: dict[str, str]) -> str:
    """Open every console page (every client's page and report PDF too) through a real
    `lorc serve`; its stderr."""
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "lorc"), "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        start_url = server.stdout.readline().strip()  # type: ignore[union-attr]
        base = start_url.split("/login")[0]
        with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
            assert client.get(start_url).status_code == 200  # signed in, on Today
            linked = re.findall(r'href="(/(?:clients|reports)/[^"]+)"', client.get("/clients").text)
            linked += re.findall(r'href="(/(?:clients|reports)/[^"]+)"', client.get("/reports").text)
            assert any(path.startswith("/clients/") for path in linked)
            for path in CONSOLE_PAGES + linked:
                assert client.get(path).status_code in (200, 404), path
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    return stderr


def bad_records(home: PhiHome) -> None:
    """Rejects whose records carry the marker: malformed, no id, and a schema failure."""
    from lorchestra.stack_clients import EventClient, ObjectSpec, Source

    path = home.tmp_dir / "bad.jsonl"
    path.write_text(
        '{"id": "bad-1", "snippet": "'
        + MARKER
        + '"\n'
        + json.dumps({"threadId": "t", "snippet": MARKER, "payload": {}})
        + "\n"
        + json.dumps({"id": "bad-3", "threadId": "t", "internalDate": MARKER, "payload": {}})
        + "\n"
    )
    path.chmod(0o600)
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="bad", job_name="extract_email", tmp_dir=home.tmp_dir)
        events.emit_jsonl(
            "ingest.completed",
            path,
            spec=ObjectSpec(
                Source("gmail", "gmail-praxis"), "email", schema_ref="iglu:com.google/gmail_message/jsonschema/1-0-0"
            ),
        )
    finally:
        store.close()
    path.unlink()


@pytest.mark.example_plugin
def test_no_marker_reaches_logs_console_event_log_or_rejects(home: PhiHome) -> None:
    env = {**os.environ, "LORC_HOME": str(home.root)}
    bad_records(home)
    console = []
    for args in RUNS:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "lorc"), *args],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        console.append(done.stdout + done.stderr)
    console.append(browse_the_console(env))
    found = markers(home)
    assert len(found) > 40  # names, addresses, phones, subjects, body text of the sample data

    logs = {p.name: p.read_text(errors="replace") for p in (home.root / "logs").glob("*.log")}
    assert any(name.startswith("extract-") for name in logs) and {"lorc.log", "console.log"} <= logs.keys()
    store = open_store(load_config(home), read_only=True)
    try:
        events = json.dumps(sql_rows(store, "SELECT * FROM event_log"), default=str, ensure_ascii=False)
        reject_rows = sql_rows(store, "SELECT message, rule, field FROM rejects")
        rejects = json.dumps(reject_rows, default=str, ensure_ascii=False)
    finally:
        store.close()
    assert len(reject_rows) == 3  # the failures are there, by rule and field
    activity = (home.root / "activity.json").read_text()  # what `lorc status` shows during a run
    assert '"job": "extract_email"' in activity
    places = {"console": "\n".join(console), "event_log": events, "rejects": rejects, "activity": activity, **logs}
    leaks = sorted((where, marker) for where, text in places.items() for marker in found if marker in text)
    assert leaks == []
