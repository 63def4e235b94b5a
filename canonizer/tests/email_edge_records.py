"""Records for the e-mail edge-case tests (source-payloads.md §6): a Gmail message and a
Graph message with the fields the cases change, built part by part, and the two
transforms run on them for the practice's mailboxes."""

from __future__ import annotations

import base64
from typing import Any

from canonizer import canonicalize

PRACTICE = ["praxis@praxis-weber.example", "j.weber@praxis-weber.example"]
GMAIL_BOX = {"mailbox": "praxis@praxis-weber.example", "practice_addresses": PRACTICE}
GRAPH_BOX = {"mailbox": "j.weber@praxis-weber.example", "practice_addresses": PRACTICE}


def b64url(text: str, charset: str = "utf-8", padded: bool = True) -> str:
    encoded = base64.urlsafe_b64encode(text.encode(charset)).decode()
    return encoded if padded else encoded.rstrip("=")


def part(
    mime: str,
    text: str | None = None,
    *,
    charset: str = "utf-8",
    filename: str = "",
    parts: list[dict[str, Any]] | None = None,
    padded: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {"size": 0}
    if text is not None:
        body = {"size": len(text.encode(charset)), "data": b64url(text, charset, padded)}
    if filename:
        body = {"size": 52000, "attachmentId": "ANGjdJ8-attachment"}
    headers = [{"name": "Content-Type", "value": f'{mime}; charset="{charset}"'}] if not parts else []
    found: dict[str, Any] = {"mimeType": mime, "filename": filename, "headers": headers, "body": body}
    if parts is not None:
        found["parts"] = parts
    return found


def gmail(headers: dict[str, str], payload: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    payload = dict(payload or part("text/plain", "Hallo"))
    payload["headers"] = [{"name": k, "value": v} for k, v in headers.items()] + payload.get("headers", [])
    return {
        "id": "18f0000000000001",
        "threadId": "18f0000000000001",
        "labelIds": ["INBOX"],
        "snippet": "",
        "historyId": "1000",
        "internalDate": "1762941600000",
        "payload": payload,
        **top,
    }


BASE = {
    "From": "Anna <anna@example.test>",
    "To": "praxis@praxis-weber.example",
    "Subject": "Anfrage",
    "Date": "Wed, 12 Nov 2025 10:00:00 +0100",
    "Message-ID": "<a1@example.test>",
}


def graph(**fields: Any) -> dict[str, Any]:
    record = {
        "id": "AAMkAG-1",
        "internetMessageId": "<a1@example.test>",
        "conversationId": "AAQk-1",
        "subject": "Anfrage",
        "receivedDateTime": "2025-11-12T09:00:05Z",
        "sentDateTime": "2025-11-12T09:00:00Z",
        "bodyPreview": "Hallo",
        "hasAttachments": False,
        "categories": [],
        "body": {"contentType": "text", "content": "Hallo"},
        "from": {"emailAddress": {"name": "Anna", "address": "anna@example.test"}},
        "toRecipients": [{"emailAddress": {"name": "Julia Weber", "address": "j.weber@praxis-weber.example"}}],
        "ccRecipients": [],
        "internetMessageHeaders": [],
    }
    record.update(fields)
    return record


def run_gmail(record: dict[str, Any]) -> dict[str, Any]:
    return canonicalize(record, "email/gmail", GMAIL_BOX)


def run_graph(record: dict[str, Any]) -> dict[str, Any]:
    return canonicalize(record, "email/graph", GRAPH_BOX)
