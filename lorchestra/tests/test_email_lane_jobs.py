"""canonicalize_email and build_inbox_view through the runner, on both backends.

The raw e-mails are written with the event client (the extraction itself, through real
Meltano, is covered by test_email_lane_golden.py); here the point is the jobs' contract:
incremental, idempotent, rejects with rule and field, one row per conversation.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from backend_sql import sql_rows
from canonizer import get_transform
from lorchestra.config import Config
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, Store

GMAIL_CASE = get_transform("email/gmail").tests_dir / "inquiry_multipart_alternative_rfc2047.json"
GRAPH_CASE = get_transform("email/graph").tests_dir / "inquiry_html_body_same_message_as_gmail.json"


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["input"]


def emit(events: EventClient, system: str, connection: str, records: list[dict[str, Any]]) -> None:
    schema = {
        "gmail": "iglu:com.google/gmail_message/jsonschema/1-0-0",
        "exchange": "iglu:com.microsoft/graph_message/jsonschema/1-0-0",
    }[system]
    events.emit_batch(
        "ingest.completed", records, spec=ObjectSpec(Source(system, connection), "email", schema_ref=schema)
    )


def reply_from_exchange(parent: dict[str, Any]) -> dict[str, Any]:
    reply = copy.deepcopy(parent)
    reply.update(
        id="AAMkAG-reply-1",
        internetMessageId="<reply-1@praxis-weber.example>",
        receivedDateTime="2024-05-14T11:00:00Z",
        sentDateTime="2024-05-14T11:00:00Z",
        subject="AW: Anfrage Therapieplatz – Erstgespräch",
        internetMessageHeaders=[{"name": "In-Reply-To", "value": parent["internetMessageId"]}],
    )
    reply["from"] = {"emailAddress": {"name": "Julia Weber", "address": "j.weber@praxis-weber.example"}}
    reply["toRecipients"] = [{"emailAddress": {"name": "Anna Müller", "address": "anna.mueller84@gmail.com"}}]
    return reply


def new_conversation(message: dict[str, Any], n: int) -> dict[str, Any]:
    """``message`` as the first of a conversation of its own (no e-mail of it stored yet)."""
    fresh = copy.deepcopy(message)
    fresh.update(id=f"18f-new-{n}", threadId=f"t-new-{n}")
    for header in fresh["payload"]["headers"]:
        if header["name"] == "Message-ID":
            header["value"] = f"<new-{n}@mail.gmail.com>"
    return fresh


def inbox(store: Store) -> list[dict[str, Any]]:
    return sql_rows(
        store,
        f"SELECT conversation_key, message_count, mailboxes, status, first_response_minutes "
        f"FROM {store.table('inbox_view')} ORDER BY conversation_key",
    )


def test_the_lane_jobs_are_incremental_idempotent_and_count_a_message_once(
    events: EventClient, store: Store, backend_config: Config
) -> None:
    gmail, graph = raw(GMAIL_CASE), raw(GRAPH_CASE)
    # Valid raw input whose receive time cannot be a date: rejected by the transform.
    broken = {**copy.deepcopy(gmail), "id": "18f-broken", "internalDate": "9999999999999999"}
    emit(events, "gmail", "gmail-praxis", [gmail])
    emit(events, "exchange", "exchange-weber", [graph, reply_from_exchange(graph)])
    emit(events, "gmail", "not-configured", [{**copy.deepcopy(gmail), "id": "18f-elsewhere"}])
    store.close()
    home = backend_config.home

    first = run_jobs(["canonicalize_email", "build_inbox_view"], home=home)
    assert first.ok, first.as_dict()
    canon = first.outcomes[0].counts
    assert (canon["inputs"], canon["processed"], canon["rejected"], canon["outputs_inserted"]) == (4, 3, 1, 3)

    reopened = _open(backend_config)
    try:
        rows = inbox(reopened)
        assert len(rows) == 1
        row = rows[0]
        assert row["conversation_key"] == "caj7xq3z0k+pv9=f4sgj2m_q8bxytt1vq@mail.gmail.com"
        assert row["message_count"] == 2
        assert list(row["mailboxes"]) == ["j.weber@praxis-weber.example", "praxis@praxis-weber.example"]
        assert (row["status"], row["first_response_minutes"]) == ("in conversation", 105)
        rejects = sql_rows(reopened, f"SELECT job_name, rule, field FROM {reopened.table('rejects')}")
        assert rejects == [
            {"job_name": "canonicalize_email", "rule": "connection_not_configured", "field": "connection_name"}
        ]
    finally:
        reopened.close()

    second = run_jobs(["canonicalize_email", "build_inbox_view"], home=home)
    again = second.outcomes[0].counts
    assert (again["inputs"], again["outputs_inserted"], again["outputs_updated"]) == (0, 0, 0)
    reopened = _open(backend_config)
    try:
        assert inbox(reopened) == rows
        emit(
            EventClient(reopened, run_id="r3", job_name="extract_email", tmp_dir=home.tmp_dir),
            "gmail",
            "gmail-praxis",
            [broken],
        )
    finally:
        reopened.close()
    third = run_jobs(["canonicalize_email"], home=home)
    counts = third.outcomes[0].counts
    assert (counts["inputs"], counts["rejected"], counts["outputs_inserted"]) == (1, 1, 0)
    reopened = _open(backend_config)
    try:
        rules = {r["rule"] for r in sql_rows(reopened, f"SELECT rule FROM {reopened.table('rejects')}")}
        assert rules == {"connection_not_configured", "transform.evaluation_failed"}
        assert inbox(reopened) == rows
        emit(
            EventClient(reopened, run_id="r4", job_name="extract_email", tmp_dir=home.tmp_dir),
            "gmail",
            "gmail-praxis",
            [new_conversation(gmail, 1), new_conversation(gmail, 2)],
        )
    finally:
        reopened.close()
    # an update whose conversations are all new: no earlier e-mail of theirs to read by key
    fourth = run_jobs(["canonicalize_email", "build_inbox_view"], home=home)
    assert fourth.ok, fourth.as_dict()
    build = fourth.outcomes[1].counts
    assert (build["full_rebuild"], build["emails"], build["conversations"]) == (0, 2, 2)
    reopened = _open(backend_config)
    try:
        assert [r["conversation_key"] for r in inbox(reopened)] == sorted(
            [rows[0]["conversation_key"], "new-1@mail.gmail.com", "new-2@mail.gmail.com"]
        )
    finally:
        reopened.close()


def _open(config: Config) -> Store:
    from lorchestra.config import load_config
    from lorchestra.stack_clients import open_store

    return open_store(load_config(config.home))
