"""How one invented e-mail looks in the Gmail API: the ``users.messages.get`` shape (MIME
parts, base64url bodies in their charsets, the delivery headers of each copy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from mail_shapes import Attachment, Mail, b64url, digest

PST = timezone(timedelta(hours=-8))


def gmail_escape(text: str) -> str:
    """Gmail's snippet escaping (as seen in real responses)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def snippet_of(text: str) -> str:
    collapsed = " ".join(text.replace("\u00a0", " ").split())
    if len(collapsed) > 200:
        collapsed = collapsed[:200].rsplit(" ", 1)[0]
    return gmail_escape(collapsed)


def _text_part(part_id: str, subtype: str, text: str, charset: str, pad: bool, cte: str) -> dict[str, Any]:
    data = text.encode("latin-1" if charset.lower() == "iso-8859-1" else "utf-8")
    return {
        "partId": part_id,
        "mimeType": f"text/{subtype}",
        "filename": "",
        "headers": [
            {"name": "Content-Type", "value": f'text/{subtype}; charset="{charset}"'},
            {"name": "Content-Transfer-Encoding", "value": cte},
        ],
        "body": {"size": len(data), "data": b64url(data, pad=pad)},
    }


def _attachment_part(part_id: str, mail: Mail, attachment: Attachment) -> dict[str, Any]:
    headers = [
        {"name": "Content-Type", "value": f'{attachment.mime}; name="{attachment.filename}"'},
    ]
    if attachment.inline_cid:
        headers += [
            {"name": "Content-Disposition", "value": f'inline; filename="{attachment.filename}"'},
            {"name": "Content-Transfer-Encoding", "value": "base64"},
            {"name": "Content-ID", "value": f"<{attachment.inline_cid}>"},
            {"name": "X-Attachment-Id", "value": attachment.inline_cid},
        ]
    else:
        headers += [
            {"name": "Content-Disposition", "value": f'attachment; filename="{attachment.filename}"'},
            {"name": "Content-Transfer-Encoding", "value": "base64"},
            {"name": "X-Attachment-Id", "value": "f_" + digest(mail.key, attachment.filename).hex()[:9]},
        ]
    attachment_id = "ANGjdJ" + b64url(digest("att", mail.key, attachment.filename, size=96), pad=False)
    return {
        "partId": part_id,
        "mimeType": attachment.mime,
        "filename": attachment.filename,
        "headers": headers,
        "body": {"attachmentId": attachment_id, "size": attachment.size},
    }


def _container(part_id: str, subtype: str, mail: Mail, parts: list[dict[str, Any]]) -> dict[str, Any]:
    boundary = "000000000000" + digest(mail.key, subtype, part_id).hex()[:16]
    return {
        "partId": part_id,
        "mimeType": f"multipart/{subtype}",
        "filename": "",
        "headers": [{"name": "Content-Type", "value": f'multipart/{subtype}; boundary="{boundary}"'}],
        "body": {"size": 0},
        "parts": parts,
    }


def _child(prefix: str, index: int) -> str:
    return str(index) if prefix == "" else f"{prefix}.{index}"


def gmail_payload(mail: Mail) -> dict[str, Any]:
    cte = "8bit" if mail.mime in ("plain", "html") and mail.charset == "UTF-8" else "quoted-printable"

    def alternative(part_id: str) -> dict[str, Any]:
        return _container(
            part_id,
            "alternative",
            mail,
            [
                _text_part(_child(part_id, 0), "plain", mail.text, mail.charset, mail.pad, "quoted-printable"),
                _text_part(_child(part_id, 1), "html", mail.html_body, mail.charset, mail.pad, "quoted-printable"),
            ],
        )

    if mail.mime == "alternative":
        top = alternative("")
    elif mail.mime == "plain":
        top = _text_part("", "plain", mail.text, mail.charset, mail.pad, cte)
    elif mail.mime == "html":
        top = _text_part("", "html", mail.html_body, mail.charset, mail.pad, cte)
    elif mail.mime == "mixed-alternative":
        top = _container(
            "",
            "mixed",
            mail,
            [alternative("0")] + [_attachment_part(str(i + 1), mail, a) for i, a in enumerate(mail.attachments)],
        )
    elif mail.mime == "mixed-plain":
        top = _container(
            "",
            "mixed",
            mail,
            [_text_part("0", "plain", mail.text, mail.charset, mail.pad, "quoted-printable")]
            + [_attachment_part(str(i + 1), mail, a) for i, a in enumerate(mail.attachments)],
        )
    elif mail.mime == "related":
        top = _container(
            "",
            "related",
            mail,
            [alternative("0")] + [_attachment_part(str(i + 1), mail, a) for i, a in enumerate(mail.attachments)],
        )
    else:
        raise ValueError(mail.mime)
    return top


def gmail_headers(mail: Mail, mailbox: str, received: datetime, *, sent_copy: bool) -> list[dict[str, str]]:
    headers: list[tuple[str, str]] = []
    if not sent_copy:
        smtp_id = digest(mail.key, mailbox, "smtp").hex()[:20]
        headers += [
            ("Delivered-To", mailbox),
            (
                "Received",
                f"by 2002:a05:7000:{digest(mail.key, mailbox).hex()[:4]}:b0:5c2:8f1a:1e3 with SMTP id "
                f"{smtp_id};        {received.astimezone(PST).strftime('%a, %d %b %Y %H:%M:%S -0800 (PST)')}",
            ),
            ("Return-Path", f"<{mail.from_address}>"),
        ]
    headers.append(("MIME-Version", "1.0"))
    headers += mail.extra_headers
    headers += [("From", mail.from_header), ("Date", mail.date_header)]
    if mail.references:
        headers.append(("References", mail.references))
    if mail.in_reply_to:
        headers.append(("In-Reply-To", mail.in_reply_to))
    headers.append((mail.message_id_header, mail.message_id))
    if mail.subject_header is not None:
        headers.append(("Subject", mail.subject_header))
    if mail.to_header is not None:
        headers.append(("To", mail.to_header))
    if mail.cc_header:
        headers.append(("Cc", mail.cc_header))
    payload = gmail_payload(mail)
    content_headers = payload["headers"]  # the top part's Content-Type (and CTE)
    return [{"name": n, "value": v} for n, v in headers] + content_headers


def gmail_id(mailbox: str, mail: Mail, when: datetime) -> str:
    millis = int(when.timestamp() * 1000)
    return format(millis, "x") + digest(mailbox, mail.key).hex()[:5]


@dataclass
class GmailCopy:
    mail: Mail
    labels: list[str]
    history_id: str
    thread: str | None = None  # key of the thread's first mail in this mailbox
    received: datetime | None = None


def gmail_record(mailbox: str, copy: GmailCopy, ids: dict[str, str]) -> dict[str, Any]:
    mail = copy.mail
    sent_copy = "SENT" in copy.labels
    received = copy.received or (mail.sent if sent_copy else mail.sent + timedelta(seconds=1, milliseconds=371))
    payload = gmail_payload(mail)
    payload["headers"] = gmail_headers(mail, mailbox, received, sent_copy=sent_copy)
    header_bytes = sum(len(h["name"]) + len(h["value"]) + 4 for h in payload["headers"])
    body_bytes = sum(p["body"]["size"] for p in walk_parts(payload))
    record = {
        "id": ids[mail.key],
        "threadId": ids[copy.thread or mail.key],
        "labelIds": copy.labels,
        "snippet": snippet_of(mail.text),
        "historyId": copy.history_id,
        "internalDate": str(int(received.timestamp() * 1000)),
        "payload": payload,
        "sizeEstimate": header_bytes + int(body_bytes * 1.37) + 420,
    }
    return record


def walk_parts(part: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield part
    for child in part.get("parts", []):
        yield from walk_parts(child)
