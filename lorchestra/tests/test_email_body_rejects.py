"""A Gmail body that is not base64url is a `rejects` row of canonicalize_email, naming
rule and field, never the value; the other e-mails of the run are canonicalized
(issue 11, item 4). Through a real `lorc run` on the embedded warehouse."""

from __future__ import annotations

import base64
import json

from backend_sql import sql_rows
from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, open_store

GMAIL = ObjectSpec(
    Source("gmail", "gmail-praxis"), "email", schema_ref="iglu:com.google/gmail_message/jsonschema/1-0-0"
)
BROKEN_BODY = "RXJpa2EgTXVzdGVybWFubiBpc3Qgc3VpemlkYWw!!"  # characters outside the alphabet


def gmail(msg_id: str, data: str) -> dict[str, object]:
    return {
        "id": msg_id,
        "threadId": msg_id,
        "internalDate": "1762941600000",
        "labelIds": ["INBOX"],
        "payload": {
            "mimeType": "multipart/alternative",
            "filename": "",
            "headers": [{"name": "From", "value": "a@example.test"}, {"name": "Subject", "value": "x"}],
            "body": {"size": 0},
            "parts": [{"mimeType": "text/plain", "filename": "", "headers": [], "body": {"data": data}}],
        },
    }


def test_a_body_that_is_not_base64url_is_a_reject_row_and_the_rest_is_canonicalized(home: PhiHome) -> None:
    good = base64.urlsafe_b64encode(b"Guten Tag").decode().rstrip("=")
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        events = EventClient(store, run_id="r", job_name="extract_email", tmp_dir=home.tmp_dir)
        events.emit_batch("ingest.completed", [gmail("good", good), gmail("broken", BROKEN_BODY)], spec=GMAIL)
    finally:
        store.close()

    result = lorc("run", "canonicalize_email", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["inputs"], counts["processed"], counts["rejected"]) == (2, 1, 1)

    store = open_store(load_config(home), read_only=True)
    try:
        rejects = sql_rows(
            store, f"SELECT job_name, input_idem_key, rule, field, message FROM {store.table('rejects')}"
        )
        bodies = sql_rows(
            store, f"SELECT json_extract_string(payload, '$.body_text') AS body FROM {store.table('canonical_objects')}"
        )
    finally:
        store.close()
    assert [(r["job_name"], r["input_idem_key"], r["rule"], r["field"]) for r in rejects] == [
        ("canonicalize_email", "gmail:gmail-praxis:email:broken", "input.base64url", "payload.parts[0].body.data")
    ]
    assert BROKEN_BODY not in rejects[0]["message"] and BROKEN_BODY not in result.stdout + result.stderr
    assert bodies == [{"body": "Guten Tag"}]
