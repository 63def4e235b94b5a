"""Python extension functions for the e-mail transforms: what JSONata cannot do well.

RFC 2047 headers, RFC 5322 address lists, Date headers with bad zones, base64url bodies
in their part's charset at any MIME depth, HTML to text. Each takes and returns plain
JSON values and never raises on odd input: a value it cannot make sense of becomes an
empty or null result that the output schema then judges.

They run for every message (canonicalize_email's budget is ~100 µs a message), so the
common shapes take fast paths that give exactly what the general path gives (the
tests compare the two): a header without encoded words, a single plain address,
a Content-Type seen before, HTML through a regular-expression tokenizer.
"""

from __future__ import annotations

import binascii
import html
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from canonizer.exceptions import TransformError

_MSGID = re.compile(r"<([^<>\s]+)>")
# Runs of blanks (not newlines), each to become one space. Written so that a lone space,
# the common case, is not a match at all: a third of html_to_text's time otherwise.
_WS = re.compile(r"[\t\r\f\v][ \t\r\f\v]*| [ \t\r\f\v]+")


def header_map(headers: Any) -> dict[str, str]:
    """Header list ``[{name, value}]`` to ``{lower-case name: first value}``."""
    found: dict[str, str] = {}
    for item in headers if isinstance(headers, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("value"), str):
            found.setdefault(item["name"].strip().lower(), item["value"])
    return found


def decode_words(value: Any) -> str:
    """Decode RFC 2047 encoded words; already-decoded text passes through unchanged."""
    if not isinstance(value, str):
        return ""
    decoded = value
    if "=?" in value:  # no encoded word without it
        try:
            decoded = str(make_header(decode_header(value)))
        except (LookupError, UnicodeDecodeError, ValueError, binascii.Error):
            decoded = value
    return _WS.sub(" ", decoded.replace("\r\n", " ").replace("\n", " ")).strip()


# One address, bare or after a display name of plain words: no quotes, comments,
# brackets, encoded words or backslashes anywhere, and no second address.
_PLAIN_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+"
_SIMPLE_MAILBOX = re.compile(rf"\s*(?:([A-Za-z0-9\u00c0-\u024f' -]*?)\s*<({_PLAIN_ADDRESS})>|({_PLAIN_ADDRESS}))\s*")


def address_list(value: Any) -> list[dict[str, Any]]:
    """RFC 5322 address list to ``[{name, email}]``; commas inside quotes or encoded words
    do not split; entries without an ``@`` (group names, half-parsed names) are dropped."""
    if not isinstance(value, str) or not value.strip():
        return []
    return [{"name": name, "email": email} for name, email in _parse_addresses(value)]


@lru_cache(maxsize=4096)  # the practice's own addresses and regular senders recur
def _parse_addresses(value: str) -> tuple[tuple[str | None, str], ...]:
    simple = _SIMPLE_MAILBOX.fullmatch(value)
    if simple:
        name, bracketed, bare = simple.groups()
        return ((_WS.sub(" ", name).strip() or None if name else None, (bracketed or bare).lower()),)
    found = []
    for name, address in getaddresses([value]):
        address = address.strip()
        if "@" not in address or " " in address:
            continue
        found.append((decode_words(name) or None, address.lower()))
    return tuple(found)


def graph_addresses(recipients: Any) -> list[dict[str, Any]]:
    """Graph ``[{emailAddress: {name, address}}]`` to ``[{name, email}]``."""
    found = []
    for item in recipients if isinstance(recipients, list) else []:
        email = (item or {}).get("emailAddress") or {}
        address = str(email.get("address") or "").strip()
        if "@" not in address:
            continue
        name = email.get("name")
        # Graph repeats the address as the name when there is none.
        name = None if not name or str(name).strip().lower() == address.lower() else str(name).strip()
        found.append({"name": name, "email": address.lower()})
    return found


def millis_to_utc(value: Any) -> str | None:
    """Gmail ``internalDate`` (epoch ms as a string) to ISO-8601 UTC."""
    try:
        millis = int(str(value))
    except (TypeError, ValueError):
        return None
    return _iso(datetime.fromtimestamp(millis / 1000, tz=UTC))


def graph_time_to_utc(value: Any) -> str | None:
    """Graph ``2024-05-14T09:14:54Z`` to the canonical form (UTC, Z)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _iso(parsed)


def sent_time(date_header: Any, received_utc: Any) -> dict[str, Any]:
    """The sender's Date header in UTC; the receive time when it is missing, unparseable
    or has no real zone (``-0000``, ``MESZ`` parse as naive)."""
    if isinstance(date_header, str) and date_header.strip():
        try:
            parsed = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return {"value": _iso(parsed), "source": "date_header"}
    return {"value": received_utc, "source": "received_fallback"}


def message_key(value: Any) -> str | None:
    """``<ID@host>`` to ``id@host``: no brackets, lower-case, so copies compare equal."""
    if not isinstance(value, str):
        return None
    match = _MSGID.search(value)
    key = (match.group(1) if match else value.strip().strip("<>")).strip().lower()
    return key or None


def reference_keys(value: Any) -> list[str]:
    """A References header to its message keys, oldest first."""
    if not isinstance(value, str):
        return []
    keys = [k.lower() for k in _MSGID.findall(value)]
    if not keys:
        keys = [k.lower() for k in value.replace(",", " ").split() if "@" in k]
    return keys


def mime_text(payload: Any) -> str:
    """Plain text of a Gmail message part tree: the first text/plain part at any depth,
    else the first text/html part turned into text. Attachments are skipped. The part
    read must be base64url (padded or not), else the record is rejected."""
    plain = _first_part(payload, "text/plain", "payload")
    if plain is not None:
        return _normalise_newlines(_part_text(*plain))
    rich = _first_part(payload, "text/html", "payload")
    return html_to_text(_part_text(*rich)) if rich is not None else ""


def has_attachments(payload: Any) -> bool:
    stack = [payload]
    while stack:
        part = stack.pop()
        if not isinstance(part, dict):
            continue
        if part.get("filename"):
            return True
        stack.extend(part.get("parts") or [])
    return False


def graph_body_text(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return ""
    if str(body.get("contentType", "")).lower() == "html":
        return html_to_text(body["content"])
    return _normalise_newlines(body["content"])


def unescape(value: Any) -> str:
    return html.unescape(value) if isinstance(value, str) else ""


def direction(sender: Any, practice_addresses: Any) -> str:
    """``outbound`` when the sender is one of the practice's own addresses."""
    own = {str(a).strip().lower() for a in practice_addresses or []}
    email = sender.get("email") if isinstance(sender, dict) else None
    return "outbound" if isinstance(email, str) and email.lower() in own else "inbound"


def html_to_text(markup: Any) -> str:
    """Text of an HTML body: block elements and ``<br>`` break lines, entities decoded,
    ``script``/``style``/``head``/``title`` content dropped."""
    if not isinstance(markup, str):
        return ""
    chunks: list[str] = []
    skipping = 0
    position = 0
    for token in _HTML_TOKEN.finditer(markup):
        if token.start() < position:
            continue  # inside script/style text
        if not skipping and token.start() > position:
            chunks.append(_html_data(markup[position:token.start()]))
        position = token.end()
        tag = token.group("tag")
        if tag is None:
            continue  # comment, declaration, processing instruction
        tag = tag.lower()
        closing = bool(token.group("closing"))
        self_closing = not closing and token.group("attrs").rstrip().endswith("/")
        if not closing:  # a start tag (a self-closing one is a start and an end)
            if tag in _SKIP:
                skipping += 1
            elif tag in _BLOCK:
                chunks.append("\n")
            if tag in _RAW_TEXT and not self_closing:  # script/style text is not markup
                end = markup.lower().find(f"</{tag}", position)
                position = len(markup) if end < 0 else end
        if closing or self_closing:
            if tag in _SKIP:
                skipping = max(0, skipping - 1)
            elif tag in _BLOCK_END:
                chunks.append("\n")
    if not skipping and position < len(markup):
        chunks.append(_html_data(markup[position:]))
    lines = [line.strip() for line in _WS.sub(" ", "".join(chunks)).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment
    r"|<[!?][^>]*>?"  # declaration, processing instruction
    r"|<(?P<closing>/?)(?P<tag>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_BLOCK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
_BLOCK_END = frozenset({"p", "div", "tr", "blockquote"})
_SKIP = frozenset({"script", "style", "head", "title"})
_RAW_TEXT = frozenset({"script", "style"})
_BLANK_LINES = re.compile(r"\n{3,}")


def _html_data(text: str) -> str:
    return html.unescape(text.replace("\r", "").replace("\n", " "))


def _first_part(part: Any, mime_type: str, path: str) -> tuple[dict[str, Any], str] | None:
    """The first part of ``mime_type`` at any depth, with its path in the record."""
    if not isinstance(part, dict):
        return None
    kind = str(part.get("mimeType", "")).lower()
    if kind == mime_type and not part.get("filename") and _has_data(part):
        return part, path
    for index, child in enumerate(part.get("parts") or []):
        found = _first_part(child, mime_type, f"{path}.parts[{index}]")
        if found is not None:
            return found
    return None


def _has_data(part: dict[str, Any]) -> bool:
    body = part.get("body")
    return isinstance(body, dict) and isinstance(body.get("data"), str)


def _part_text(part: dict[str, Any], path: str) -> str:
    raw = _base64url_bytes(part["body"]["data"])
    if raw is None:
        raise TransformError("input.base64url", f"{path}.body.data")
    charset = _charset(part) or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


# base64url to the standard alphabet; '+' and '/' become a character strict decoding refuses.
_TO_STANDARD_ALPHABET = bytes.maketrans(b"-_+/", b"+/!!")


def _base64url_bytes(data: str) -> bytes | None:
    """The bytes of base64url text, padded or not (Gmail omits the padding); ``None`` when
    it is not base64url (``urlsafe_b64decode`` would drop the foreign characters)."""
    try:
        encoded = data.encode("ascii").translate(_TO_STANDARD_ALPHABET)
    except UnicodeEncodeError:
        return None
    try:
        return binascii.a2b_base64(encoded + b"=" * (-len(encoded) % 4), strict_mode=True)
    except binascii.Error:
        return None


def _charset(part: dict[str, Any]) -> str | None:
    content_type = header_map(part.get("headers")).get("content-type")
    return _content_type_charset(content_type) if content_type else None


@lru_cache(maxsize=1024)  # a handful of Content-Type values cover nearly all parts
def _content_type_charset(content_type: str) -> str | None:
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_content_charset()
    return str(charset) if charset else None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


EXTENSIONS = {
    "header_map": header_map,
    "decode_words": decode_words,
    "address_list": address_list,
    "graph_addresses": graph_addresses,
    "millis_to_utc": millis_to_utc,
    "graph_time_to_utc": graph_time_to_utc,
    "sent_time": sent_time,
    "message_key": message_key,
    "reference_keys": reference_keys,
    "mime_text": mime_text,
    "has_attachments": has_attachments,
    "graph_body_text": graph_body_text,
    "unescape": unescape,
    "direction": direction,
    "html_to_text": html_to_text,
}
