"""One generated e-mail and its three renderings: the RFC 5322/2045 bytes a mail server
receives, the Gmail ``users.messages.get`` (format=full) record and the Microsoft Graph
message resource (source-payloads.md §2 and §3).

The model holds what is written on the wire (header fields with their folds, parts with
their transfer encoding) and, for Graph, what Exchange hands out decoded (subject,
names, body text). Gmail's record is derived from the wire form as Gmail derives it:
header values unfolded, each part's content transfer-decoded and base64url-encoded,
``filename`` the decoded file name, file parts behind an ``attachmentId``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CRLF = "\r\n"


@dataclass(frozen=True)
class Field:
    """A header field. ``value`` is written after ``name: `` as is: folds (CRLF + blank)
    included, non-ASCII as UTF-8 (RFC 6532)."""

    name: str
    value: str

    @property
    def unfolded(self) -> str:
        """RFC 5322 §2.2.3: the CRLFs removed, the blanks after them kept."""
        return self.value.replace(CRLF, "")


@dataclass(frozen=True)
class Mailbox:
    """An address as meant: a display name (``None`` for none) and the addr-spec as written."""

    name: str | None
    address: str


@dataclass(frozen=True)
class Part:
    """A MIME entity: a leaf with content, or a multipart with parts."""

    fields: tuple[Field, ...]  # its own Content-* fields
    mime_type: str  # type/subtype in lower case; text/plain when there is no Content-Type
    content: bytes = b""  # a leaf's content after transfer decoding
    transfer_encoding: str = "7bit"
    filename: str = ""  # the file name a reader shows, decoded ("" for none)
    disposition: str | None = None  # "inline" | "attachment" | None, as meant
    text: str | None = None  # a text leaf's text as meant (what Exchange serves)
    parts: tuple[Part, ...] = ()
    boundary: str = ""

    def walk(self) -> list[Part]:
        return [self] + [p for child in self.parts for p in child.walk()]


@dataclass(frozen=True)
class Email:
    fields: tuple[Field, ...]  # the message's own fields, in order, before the root part's Content-* fields
    root: Part
    received: datetime  # when the mailbox received it (UTC): Gmail internalDate, Graph receivedDateTime
    # What Exchange hands out decoded (Graph):
    subject: str | None
    sender: Mailbox | None
    to: tuple[Mailbox, ...]
    cc: tuple[Mailbox, ...]
    sent: datetime | None  # Exchange's reading of the Date field: UTC, or None when it has none
    graph_body: tuple[str, str]  # (contentType, content): the HTML body when there is one, else the text

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return self.fields + self.root.fields


# --- the bytes -----------------------------------------------------------------------


def wire(email: Email) -> bytes:
    head = "".join(f"{f.name}: {f.value}{CRLF}" for f in email.all_fields).encode("utf-8")
    return head + CRLF.encode() + _body(email.root)


def _entity(part: Part) -> bytes:
    head = "".join(f"{f.name}: {f.value}{CRLF}" for f in part.fields).encode("utf-8")
    return head + CRLF.encode() + _body(part)


def _body(part: Part) -> bytes:
    if not part.parts:
        return transfer_encode(part.content, part.transfer_encoding)
    delimiter = f"--{part.boundary}".encode()
    out = b"This is a multi-part message in MIME format.\r\n"
    for child in part.parts:
        out += delimiter + b"\r\n" + _entity(child) + b"\r\n"
    return out + delimiter + b"--\r\n"


def transfer_encode(content: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(content).replace(b"\n", b"\r\n")
    if encoding == "quoted-printable":
        return b"\r\n".join(_qp_line(line) for line in content.split(b"\r\n"))
    return content  # 7bit, 8bit: as is


_QP_LITERAL = frozenset(range(33, 127)) - {ord("=")}


def _qp_line(line: bytes) -> bytes:
    """One line in quoted-printable (RFC 2045 §6.7), soft-broken at 76 characters."""
    tokens = []
    for index, byte in enumerate(line):
        last = index == len(line) - 1
        if byte in _QP_LITERAL or (byte in (9, 32) and not last):
            tokens.append(bytes([byte]))
        else:
            tokens.append(b"=%02X" % byte)
    lines, current = [], b""
    for token in tokens:
        if len(current) + len(token) > 75:
            lines.append(current + b"=")
            current = b""
        current += token
    return b"\r\n".join(lines + [current])


# --- Gmail -----------------------------------------------------------------------------


def gmail_record(email: Email, *, padded: bool) -> dict[str, Any]:
    payload = _gmail_part(email.root, "", email.all_fields, padded)
    return {
        "id": "18f0000000000abc",
        "threadId": "18f0000000000abc",
        "labelIds": ["INBOX"],
        "snippet": "",
        "historyId": "1000",
        "internalDate": str(int(email.received.timestamp() * 1000)),
        "payload": payload,
    }


def _gmail_part(part: Part, part_id: str, fields: tuple[Field, ...], padded: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.mime_type,
        "filename": part.filename,
        "headers": [{"name": f.name, "value": f.unfolded.lstrip(" \t")} for f in fields],
    }
    if part.parts:
        record["body"] = {"size": 0}
        record["parts"] = [
            _gmail_part(child, f"{part_id}.{i}".lstrip("."), child.fields, padded) for i, child in enumerate(part.parts)
        ]
    elif part.filename:
        record["body"] = {"size": len(part.content), "attachmentId": "ANGjdJ8" + part_id.replace(".", "-")}
    else:
        encoded = base64.urlsafe_b64encode(part.content).decode("ascii")
        record["body"] = {"size": len(part.content), "data": encoded if padded else encoded.rstrip("=")}
    return record


# --- Microsoft Graph ------------------------------------------------------------------


def graph_record(email: Email) -> dict[str, Any]:
    message_id = next((f.unfolded.strip() for f in email.fields if f.name.lower() == "message-id"), None)
    content_type, content = email.graph_body
    return {
        "id": "AAMkAG-generated",
        "conversationId": "AAQkAG-generated",
        "internetMessageId": message_id,
        "subject": email.subject,
        "receivedDateTime": _graph_time(email.received),
        "sentDateTime": _graph_time(email.sent or email.received),
        "hasAttachments": any(is_attachment(p) for p in email.root.walk()),
        "categories": [],
        "bodyPreview": "",
        "body": {"contentType": content_type, "content": content},
        "from": _graph_address(email.sender) if email.sender else None,
        "toRecipients": [_graph_address(m) for m in email.to],
        "ccRecipients": [_graph_address(m) for m in email.cc],
        "internetMessageHeaders": [{"name": f.name, "value": f.unfolded.lstrip(" \t")} for f in email.fields],
    }


def is_attachment(part: Part) -> bool:
    """What Exchange counts for ``hasAttachments``: not inline (source-payloads.md §3)."""
    return part.disposition == "attachment" or (bool(part.filename) and part.disposition != "inline")


def _graph_address(mailbox: Mailbox) -> dict[str, Any]:
    # Graph repeats the address as the name when there is none.
    return {"emailAddress": {"name": mailbox.name or mailbox.address, "address": mailbox.address}}


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
