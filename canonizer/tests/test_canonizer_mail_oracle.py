"""Differential test (issue 11, item 13): generated e-mails, rendered as a Gmail record
and as a Graph resource, through the canonical transforms, against what CPython's
``email`` package (``policy.default``) reads from the same bytes.

Where the canonical form differs from CPython on purpose, the rule is written once
below, as code, and applied to what CPython reads. Everything else must be equal.

Hypothesis settings (``ORACLE_SETTINGS``): 300 examples per test, ``derandomize=True`` and
``database=None``, so every run, CI included, sees the same examples; no deadline. The
two tests add about 10 s of CPU to the canonizer tests. The generators are in
``mime_header_strategies`` and ``mime_strategies``, the renderings in ``mime_model``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import UnstructuredHeader
from email.message import EmailMessage
from typing import Any

import webencodings
from hypothesis import HealthCheck, given, settings

from canonizer import canonicalize
from canonizer.mail_bodies import html_to_text
from mime_model import Email, gmail_record, graph_record, wire
from mime_strategies import emails

BINDINGS = {"mailbox": "praxis@praxis-weber.example", "practice_addresses": ["praxis@praxis-weber.example"]}
ORACLE_SETTINGS = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COMPARED = (
    "subject",
    "from",
    "to",
    "cc",
    "message_key",
    "in_reply_to",
    "references",
    "sent_at",
    "sent_at_source",
    "body_text",
    "has_attachments",
)

# --- the rules: where the canonical e-mail deliberately differs from CPython's reading ----


def rule_text(value: str) -> str:
    """Subjects and names: runs of blanks and line breaks become one space; trimmed."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", value).strip()


def rule_header_text(value: str) -> str:
    """Charset labels mean what the WHATWG Encoding Standard says. CPython reads an encoded
    word under ``iso-8859-1``/``latin1`` as Latin-1, giving C1 controls for 0x80-0x9F, and
    under ``us-ascii`` keeps the bytes as surrogate escapes; WHATWG reads both labels as
    windows-1252. Raw UTF-8 in a header (RFC 6532) also reaches CPython's tokens as
    surrogate escapes: a run of them that is UTF-8 is UTF-8."""

    def escaped(match: re.Match[str]) -> str:
        data = bytes(ord(c) - 0xDC00 for c in match.group())
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _windows_1252(data)

    value = re.sub("[\udc80-\udcff]+", escaped, value)
    return re.sub("[\x80-\x9f]", lambda m: _windows_1252(m.group().encode("latin-1")), value)


def rule_body_text(data: bytes, label: str | None) -> str:
    """A body's bytes under its charset label, as WHATWG says (``webencodings`` holds its label
    table); without a label, or with one WHATWG does not know, UTF-8 when the bytes are UTF-8,
    else windows-1252 (the RFC 2045 default us-ascii, read as WHATWG reads it)."""
    encoding = webencodings.lookup(label) if label else None
    if encoding is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _windows_1252(data)
    text, used = webencodings.decode(data, encoding, errors="replace")  # a byte order mark overrides the label
    return _windows_1252(data) if used.name == "windows-1252" else text


def rule_body(part: EmailMessage | None) -> str:
    """HTML becomes text by the suite's ``html_to_text`` (held against ``HTMLParser`` in
    test_canonizer_mail_fast_paths); line ends become LF; trimmed."""
    if part is None:
        return ""
    text = rule_body_text(
        part.get_payload(decode=True), part["content-type"].params.get("charset") if part["content-type"] else None
    )
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def rule_body_part(message: EmailMessage, preference: tuple[str, ...]) -> EmailMessage | None:
    """``get_body``, except that a part with a file name is a file, never the message text,
    even when it is marked inline."""
    for part in message.walk():
        if part.get_filename() and not part.is_attachment():
            del part["Content-Disposition"]
            part["Content-Disposition"] = "attachment"
    return message.get_body(preference)  # type: ignore[return-value]


def rule_has_attachments(message: EmailMessage) -> bool:
    """A part marked ``attachment``, or one with a file name that is not marked ``inline``
    (inline images are part of the text: Exchange's ``hasAttachments`` does not count them)."""
    return any(
        part.is_attachment() or (bool(part.get_filename()) and part.get_content_disposition() != "inline")
        for part in message.walk()
    )


def rule_address(display_name: str, addr_spec: str) -> dict[str, Any]:
    """Addresses lower-cased for matching; an empty name is no name."""
    return {"name": rule_text(rule_header_text(display_name)) or None, "email": addr_spec.lower()}


_MSG_ID = re.compile(r"<([^<>]+)>")


def rule_keys(value: str | None) -> list[str]:
    """Message ids without their angle brackets, lower-cased, so copies compare equal. A
    client that leaves out the brackets writes its ids as words with an ``@``."""
    keys = _MSG_ID.findall(value or "") or [word for word in (value or "").replace(",", " ").split() if "@" in word]
    return [key.strip().lower() for key in keys]


def rule_sent(message: EmailMessage, received: str) -> tuple[str, str]:
    """The Date field in UTC; the receive time when it is missing, unparseable or has no
    real zone (``-0000``, an unknown zone name: CPython gives a naive datetime)."""
    date = message["date"]
    moment = getattr(date, "datetime", None)
    if moment is None or moment.tzinfo is None:
        return received, "received_fallback"
    return _utc(moment), "date_header"


# --- the oracle ----------------------------------------------------------------------------


def oracle(raw: bytes, received: datetime, *, body_preference: tuple[str, ...]) -> dict[str, Any]:
    """What CPython reads from the bytes, with the rules above applied."""
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    sender = message["from"].addresses if message["from"] is not None else ()
    sent_at, sent_source = rule_sent(message, _utc(received))
    return {
        "subject": rule_text(rule_header_text(_raw_unstructured(message, "subject"))),
        "from": rule_address(sender[0].display_name, sender[0].addr_spec) if sender else None,
        "to": _addresses(message, "to"),
        "cc": _addresses(message, "cc"),
        "message_key": next(iter(rule_keys(message["message-id"])), None),
        "in_reply_to": next(iter(rule_keys(message["in-reply-to"])), None),
        "references": rule_keys(message["references"]),
        "sent_at": sent_at,
        "sent_at_source": sent_source,
        "has_attachments": rule_has_attachments(message),
        "body_text": rule_body(rule_body_part(message, body_preference)),
    }


def _addresses(message: EmailMessage, name: str) -> list[dict[str, Any]]:
    header = message[name]
    return [rule_address(a.display_name, a.addr_spec) for a in header.addresses] if header is not None else []


def _raw_unstructured(message: EmailMessage, name: str) -> str:
    """An unstructured field decoded by CPython's own parser for it, before CPython replaces
    the bytes it could not decode with U+FFFD (``str(message[name])`` does)."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name), None)
    if raw is None:
        return ""
    return str(UnstructuredHeader.value_parser(re.sub(r"\r?\n", "", raw)))


def _windows_1252(data: bytes) -> str:
    """WHATWG's windows-1252: Python's cp1252 plus the five bytes it leaves undefined (U+0081 ...)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def _utc(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compared(canonical: dict[str, Any], fields: tuple[str, ...] = COMPARED) -> dict[str, Any]:
    return {name: canonical[name] for name in fields}


# --- the tests -----------------------------------------------------------------------------


@ORACLE_SETTINGS
@given(email=emails())
def test_gmail_records_read_as_cpython_reads_the_same_bytes(email: Email) -> None:
    expected = oracle(wire(email), email.received, body_preference=("plain", "html"))
    for padded in (True, False):
        canonical = canonicalize(gmail_record(email, padded=padded), "email/gmail", BINDINGS)
        assert _compared(canonical) == expected


@ORACLE_SETTINGS
@given(email=emails())
def test_graph_resources_read_as_cpython_reads_the_same_bytes(email: Email) -> None:
    """Exchange serves the HTML body when there is one, and its own reading of the Date
    field (compared where that field has a real zone)."""
    expected = oracle(wire(email), email.received, body_preference=("html", "plain"))
    canonical = canonicalize(graph_record(email), "email/graph", BINDINGS)
    fields = (
        COMPARED
        if expected["sent_at_source"] == "date_header"
        else tuple(f for f in COMPARED if not f.startswith("sent_at"))
    )
    assert _compared(canonical, fields) == {name: expected[name] for name in fields}
