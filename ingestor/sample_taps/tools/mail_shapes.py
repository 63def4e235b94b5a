"""How one invented e-mail looks in each source: the Gmail ``users.messages.get`` shape
(MIME parts, base64url bodies in their charsets, RFC 2047 headers) and the Microsoft Graph
message resource. ``make_fixtures.py`` tells the story; this module renders it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fixture_files import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
CET = timezone(timedelta(hours=1))
PST = timezone(timedelta(hours=-8))

PRAXIS = "praxis@praxis-weber.example"
ANMELDUNG = "anmeldung@praxis-weber.example"
TERMINE = "termine@praxis-weber.example"
WEBER = "j.weber@praxis-weber.example"
KLEIN = "m.klein@praxis-weber.example"
TEAM = "team@praxis-weber.example"
GMAIL_FILES = {PRAXIS: "gmail-praxis.json", ANMELDUNG: "gmail-anmeldung.json", TERMINE: "gmail-termine.json"}
GRAPH_FILES = {WEBER: "graph-j.weber.json", KLEIN: "graph-m.klein.json", TEAM: "graph-team.json"}


def at(day: int, hour: int, minute: int, second: int = 0, ms: int = 0) -> datetime:
    """A local (CET) time in the fixture week."""
    return datetime(2026, 11, day, hour, minute, second, ms * 1000, tzinfo=CET)


def digest(*parts: object, size: int = 32) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:size]


def b64url(data: bytes, *, pad: bool = True) -> str:
    encoded = base64.urlsafe_b64encode(data).decode("ascii")
    return encoded if pad else encoded.rstrip("=")


def gmail_escape(text: str) -> str:
    """Gmail's snippet escaping (as seen in real responses)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def crlf(text: str) -> str:
    return text.strip("\n").replace("\n", "\r\n") + "\r\n"


def html_of(text: str) -> str:
    """Gmail-style HTML alternative of a plain text (one <div> per line)."""
    lines = text.rstrip("\r\n").split("\r\n")
    inner = "".join(f"<div>{escape_html(line)}</div>" if line else "<div><br></div>" for line in lines)
    return f'<div dir="ltr">{inner}</div>\r\n'


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def outlook_html(text: str) -> str:
    """The HTML body Exchange/Graph hands out for a message."""
    lines = text.rstrip("\r\n").split("\r\n")
    inner = "".join(f"<div>{escape_html(line) or '<br>'}</div>" for line in lines)
    return (
        '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'</head><body><div dir="ltr">{inner}</div>\r\n</body></html>'
    )


# --- one e-mail, independent of the mailboxes it lands in -------------------------------


@dataclass
class Attachment:
    filename: str
    mime: str
    size: int
    inline_cid: str | None = None


@dataclass
class Mail:
    key: str
    sent: datetime  # the real send time
    from_header: str  # raw header value (Gmail view)
    from_name: str  # decoded (Graph view)
    from_address: str
    to_header: str | None
    to: list[tuple[str, str]]  # decoded (name, address) (Graph view)
    subject_header: str | None  # raw; None = no Subject header
    subject: str | None  # decoded; Graph `subject` (None/"" allowed)
    date_header: str
    message_id: str
    text: str  # text/plain body, \r\n line ends
    cc_header: str | None = None
    cc: list[tuple[str, str]] = field(default_factory=list)
    in_reply_to: str | None = None
    references: str | None = None
    html: str | None = None  # HTML alternative; None = derived from text
    mime: str = "alternative"  # alternative | plain | html | mixed-alternative | mixed-plain | related
    charset: str = "UTF-8"
    pad: bool = True  # base64url padding of the body data
    attachments: list[Attachment] = field(default_factory=list)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    graph_message_id: str | None = None  # Graph internetMessageId when it differs from the header
    message_id_header: str = "Message-ID"  # the header's name as the sender's mailer spelt it

    @property
    def html_body(self) -> str:
        return self.html if self.html is not None else html_of(self.text)


def snippet_of(text: str) -> str:
    collapsed = " ".join(text.replace("\u00a0", " ").split())
    if len(collapsed) > 200:
        collapsed = collapsed[:200].rsplit(" ", 1)[0]
    return gmail_escape(collapsed)


# --- Gmail view ----------------------------------------------------------------------


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
    body_bytes = sum(p["body"]["size"] for p in _walk(payload))
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


def _walk(part: dict[str, Any]):
    yield part
    for child in part.get("parts", []):
        yield from _walk(child)


# --- Graph view ----------------------------------------------------------------------


GRAPH_MAILBOX_GUID = {WEBER: "E1M2IyNGNm", KLEIN: "Q3ZjE4OTRk", TEAM: "YxNmNhNzQ1"}


def graph_id(mailbox: str, item: str) -> str:
    guid = GRAPH_MAILBOX_GUID[mailbox]
    body = b64url(digest("mbx", mailbox, size=30)) + "BGAAAAAAC0mCl5t3DJQ4mnp0xQ9K0pBwBfXn8pK2l-TJq0CQ8AAAAAAEMAAF"
    return f"AAMkAG{guid}LT{body}{b64url(digest('item', mailbox, item, size=27))}AAA="


def folder_id(mailbox: str, folder: str) -> str:
    guid = GRAPH_MAILBOX_GUID[mailbox]
    store = b64url(digest("mbx", mailbox, size=30))
    return (
        f"AAMkAG{guid}LT{store}AuAAAAAAC0mCl5t3DJQ4mnp0xQ9K0pAQ{b64url(digest('folder', mailbox, folder, size=18))}AAA="
    )


def graph_address(name: str, address: str) -> dict[str, Any]:
    return {"emailAddress": {"name": name or address, "address": address}}


@dataclass
class GraphCopy:
    mail: Mail
    folder: str  # inbox | sentitems | Warteliste
    is_read: bool
    conversation: str  # key of the conversation's first mail
    conversation_depth: int = 0  # 0 = first message; each reply adds 5 bytes to conversationIndex
    categories: list[str] = field(default_factory=list)
    flag: dict[str, Any] | None = None
    modified_after: timedelta = timedelta(minutes=3)
    inference: str = "focused"
    item: str | None = None  # item key for the id (defaults to the mail key)
    modified: datetime | None = None  # lastModifiedDateTime, if not `modified_after` the creation


def graph_record(mailbox: str, copy: GraphCopy) -> dict[str, Any]:
    mail = copy.mail
    sent_item = copy.folder == "sentitems"
    sent = mail.sent.astimezone(UTC)
    received = sent if sent_item else sent + timedelta(seconds=2)
    created = received + timedelta(seconds=1)
    modified = copy.modified.astimezone(UTC) if copy.modified else created + copy.modified_after
    item = copy.item or mail.key
    message_id = graph_id(mailbox, item)
    # The conversation part is the tenant's (same in every mailbox); the prefix is the mailbox's.
    conversation = digest("conv", copy.conversation, size=16)
    index = base64.b64encode(
        digest("cidx", copy.conversation, size=22)
        + b"".join(digest("cidx", copy.conversation, depth, size=5) for depth in range(copy.conversation_depth))
    ).decode()
    headers = []
    for name, value in (
        ("Date", mail.date_header),
        ("From", mail.from_header),
        ("To", mail.to_header),
        ("Cc", mail.cc_header),
        ("Subject", mail.subject_header),
        (mail.message_id_header, mail.message_id),
        ("In-Reply-To", mail.in_reply_to),
        ("References", mail.references),
    ):
        if value or (name == "Subject" and value == ""):
            headers.append({"name": name, "value": value})
    preview = mail.text.rstrip("\r\n")[:255]  # Graph: the first 255 characters of the body text
    record: dict[str, Any] = {
        "id": message_id,
        "createdDateTime": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lastModifiedDateTime": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "changeKey": "CQAAABYAAAB" + base64.b64encode(digest("ck", mailbox, item, modified, size=15)).decode(),
        "categories": copy.categories,
        "receivedDateTime": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sentDateTime": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hasAttachments": bool([a for a in mail.attachments if not a.inline_cid]),
        "internetMessageId": mail.graph_message_id or mail.message_id,
        "subject": mail.subject,
        "bodyPreview": preview,
        "importance": "normal",
        "parentFolderId": folder_id(mailbox, copy.folder),
        "conversationId": "AAQkAG" + GRAPH_MAILBOX_GUID[mailbox] + base64.b64encode(conversation).decode(),
        "conversationIndex": index,
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": copy.is_read,
        "isDraft": False,
        "webLink": "https://outlook.office365.com/owa/?ItemID="
        + message_id.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
        + "&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": copy.inference,
        "body": {"contentType": "html", "content": outlook_html(mail.text)},
        "sender": graph_address(mail.from_name, mail.from_address),
        "from": graph_address(mail.from_name, mail.from_address),
        "toRecipients": [graph_address(n, a) for n, a in mail.to],
        "ccRecipients": [graph_address(n, a) for n, a in mail.cc],
        "bccRecipients": [],
        "replyTo": [],
        "flag": copy.flag or {"flagStatus": "notFlagged"},
        "internetMessageHeaders": headers,
    }
    return record


# --- header encoding -----------------------------------------------------------------

_Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def q(text: str, charset: str = "UTF-8") -> str:
    """One RFC 2047 Q encoded word."""
    data = text.encode("latin-1" if charset.upper() == "ISO-8859-1" else "utf-8")
    encoded = "".join("_" if b == 0x20 else chr(b) if b in _Q_SAFE else f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{encoded}?="


def b(text: str, charset: str = "UTF-8") -> str:
    """One RFC 2047 B encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="
