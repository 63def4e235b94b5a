"""How one invented e-mail looks in Microsoft Graph: the message resource as a mailbox's
copy of it (ids of the mailbox's store and folders, conversation index, Outlook's HTML body)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mail_shapes import KLEIN, TEAM, WEBER, Mail, b64url, digest, escape_html


def outlook_html(text: str) -> str:
    """The HTML body Exchange/Graph hands out for a message."""
    lines = text.rstrip("\r\n").split("\r\n")
    inner = "".join(f"<div>{escape_html(line) or '<br>'}</div>" for line in lines)
    return (
        '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'</head><body><div dir="ltr">{inner}</div>\r\n</body></html>'
    )


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
