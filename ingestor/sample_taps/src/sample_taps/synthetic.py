"""Deterministic synthetic mail for benchmarks (setting ``count`` > 0).

Message ``i`` depends only on (source, mailbox, i), so a run with ``first`` = N and
``count`` = K adds K new messages to an earlier run of N: how a benchmark delivers "1%
new data". Ids are distinct, each record is about 4 KB as JSON, and the receive times
of any range of indices are spread evenly over the fixture week 2026-11-09 .. 2026-11-15
(UTC), by the golden-ratio sequence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

WEEK_START = datetime(2026, 11, 9, tzinfo=UTC)
WEEK = timedelta(days=7)
CET = timezone(timedelta(hours=1))  # November in Europe/Berlin; the week has no DST change

FIRST_NAMES = ["Anna", "Lena", "Jonas", "Mehmet", "Sabine", "Tobias", "Katrin", "Lukas", "Marie", "Felix"]
LAST_NAMES = ["Albrecht", "Brandt", "Dietrich", "Engel", "Fuchs", "Hartmann", "Lorenz", "Seidel", "Winter", "Zimmer"]
SUBJECTS = [
    "Anfrage Therapieplatz",
    "Frage zum Erstgespräch",
    "Terminverschiebung",
    "Wartelistenplatz",
    "Rückfrage Kostenübernahme",
    "Bitte um Rückruf",
]
SENTENCES = [
    "ich melde mich mit einer Frage zu einem möglichen Termin in Ihrer Praxis.",
    "Mein Hausarzt hat mir empfohlen, mich bei Ihnen zu melden.",
    "Ich bin gesetzlich versichert und habe bereits eine Sprechstunde wahrgenommen.",
    "Vormittags bin ich in den kommenden Wochen meistens flexibel.",
    "Könnten Sie mir sagen, wie lange die Wartezeit derzeit ungefähr ist?",
    "Gern komme ich auch kurzfristig, falls ein Termin frei wird.",
    "Bitte rufen Sie mich zurück oder antworten Sie einfach auf diese E-Mail.",
    "Vielen Dank im Voraus für Ihre Mühe und Ihre Rückmeldung.",
]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _text(rng: random.Random, greeting: str, name: str, length: int) -> str:
    lines = [greeting, ""]
    while sum(len(line) for line in lines) < length:
        lines.append(" ".join(rng.choice(SENTENCES) for _ in range(3)))
    lines += ["", "Viele Grüße", name, ""]
    return "\r\n".join(lines)


def _person(rng: random.Random, index: int) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first.lower()}.{last.lower()}{index}@example.net"


GOLDEN = 0.6180339887498949


def spread(index: int) -> float:
    """Where record ``index`` falls in [0, 1): evenly spread for any range of indices."""
    return (index * GOLDEN) % 1.0


def _times(index: int) -> datetime:
    return WEEK_START + timedelta(seconds=int(spread(index) * WEEK.total_seconds()))


def _gmail(mailbox: str, index: int, rng: random.Random) -> dict[str, Any]:
    name, address = _person(rng, index)
    received = _times(index)
    sent = received - timedelta(seconds=rng.randint(1, 30))
    text = _text(rng, "Guten Tag,", name, 900)
    body_html = '<div dir="ltr">' + "<br>".join(html.escape(line) for line in text.split("\r\n")) + "</div>\r\n"
    message_id = f"<syn.{hashlib.sha256(f'{mailbox}:{index}'.encode()).hexdigest()[:24]}@mail.example.net>"
    gmail_id = format(0x19A6F00000000000 + index * 0x1000 + rng.randrange(0x1000), "x")
    text_bytes, html_bytes = text.encode(), body_html.encode()
    snippet = html.escape(" ".join(text.split())[:180], quote=True)
    return {
        "id": gmail_id,
        "threadId": gmail_id,
        "labelIds": ["UNREAD", "CATEGORY_PERSONAL", "INBOX"],
        "snippet": snippet,
        "historyId": str(2_000_000 + index * 7),
        "internalDate": str(int(received.timestamp() * 1000)),
        "payload": {
            "partId": "",
            "mimeType": "multipart/alternative",
            "filename": "",
            "headers": [
                {"name": "Delivered-To", "value": mailbox},
                {"name": "MIME-Version", "value": "1.0"},
                {"name": "From", "value": f"{name} <{address}>"},
                {"name": "Date", "value": format_datetime(sent.astimezone(CET))},
                {"name": "Message-ID", "value": message_id},
                {"name": "Subject", "value": f"{rng.choice(SUBJECTS)} ({index})"},
                {"name": "To", "value": mailbox},
                {"name": "Content-Type", "value": 'multipart/alternative; boundary="syn"'},
            ],
            "body": {"size": 0},
            "parts": [
                {
                    "partId": "0",
                    "mimeType": "text/plain",
                    "filename": "",
                    "headers": [{"name": "Content-Type", "value": 'text/plain; charset="UTF-8"'}],
                    "body": {"size": len(text_bytes), "data": _b64url(text_bytes)},
                },
                {
                    "partId": "1",
                    "mimeType": "text/html",
                    "filename": "",
                    "headers": [{"name": "Content-Type", "value": 'text/html; charset="UTF-8"'}],
                    "body": {"size": len(html_bytes), "data": _b64url(html_bytes)},
                },
            ],
        },
        "sizeEstimate": len(text_bytes) + len(html_bytes) + 1200,
    }


def _graph(mailbox: str, index: int, rng: random.Random) -> dict[str, Any]:
    name, address = _person(rng, index)
    received = _times(index)
    sent = received - timedelta(seconds=rng.randint(1, 30))
    text = _text(rng, "Guten Tag,", name, 1800)
    digest = hashlib.sha256(f"{mailbox}:{index}".encode()).digest()
    graph_id = "AAMkAGSyn" + base64.b64encode(digest + index.to_bytes(4, "big")).decode("ascii")
    stamp = received.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        + "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\r\n"))
        + "</body></html>"
    )
    return {
        "id": graph_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "changeKey": base64.b64encode(digest[:18]).decode("ascii"),
        "categories": [],
        "receivedDateTime": stamp,
        "sentDateTime": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hasAttachments": False,
        "internetMessageId": f"<syn.{digest.hex()[:24]}@mail.example.net>",
        "subject": f"{rng.choice(SUBJECTS)} ({index})",
        "bodyPreview": " ".join(text.split())[:255],
        "importance": "normal",
        "parentFolderId": "AAMkAGSynInbox",
        "conversationId": "AAQkAGSyn" + base64.b64encode(digest[:16]).decode("ascii"),
        "conversationIndex": base64.b64encode(digest[:22]).decode("ascii"),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": False,
        "isDraft": False,
        "webLink": f"https://outlook.office365.com/owa/?ItemID={graph_id[:24]}&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": {"contentType": "html", "content": body},
        "sender": {"emailAddress": {"name": name, "address": address}},
        "from": {"emailAddress": {"name": name, "address": address}},
        "toRecipients": [{"emailAddress": {"name": mailbox, "address": mailbox}}],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
        "internetMessageHeaders": [
            {"name": "Message-ID", "value": f"<syn.{digest.hex()[:24]}@mail.example.net>"},
        ],
    }


def messages(source: str, mailbox: str, count: int, first: int = 0) -> Iterator[dict[str, Any]]:
    """Messages ``first`` .. ``first + count - 1`` of the mailbox."""
    build = {"gmail": _gmail, "graph": _graph}[source]
    for index in range(first, first + count):
        rng = random.Random(f"{source}:{mailbox}:{index}")
        yield build(mailbox, index, rng)
