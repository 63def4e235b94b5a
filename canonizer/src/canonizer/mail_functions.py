"""Python extension functions for the e-mail transforms: what JSONata cannot do well.

RFC 2047 headers, RFC 5322 address lists, Date headers with bad zones, base64url bodies
in their part's charset at any MIME depth, HTML to text. Each takes and returns plain
JSON values and never raises on odd input: a value it cannot make sense of becomes an
empty or null result that the output schema then judges.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

_MSGID = re.compile(r"<([^<>\s]+)>")
_WS = re.compile(r"[ \t\r\f\v]+")


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
    try:
        decoded = str(make_header(decode_header(value)))
    except (LookupError, UnicodeDecodeError, ValueError, binascii.Error):
        decoded = value
    return _WS.sub(" ", decoded.replace("\r\n", " ").replace("\n", " ")).strip()


def address_list(value: Any) -> list[dict[str, Any]]:
    """RFC 5322 address list to ``[{name, email}]``; commas inside quotes or encoded words
    do not split; entries without an ``@`` (group names, half-parsed names) are dropped."""
    if not isinstance(value, str) or not value.strip():
        return []
    found = []
    for name, address in getaddresses([value]):
        address = address.strip()
        if "@" not in address or " " in address:
            continue
        decoded_name = decode_words(name) or None
        found.append({"name": decoded_name, "email": address.lower()})
    return found


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
    else the first text/html part turned into text. Attachments are skipped."""
    plain = _first_part(payload, "text/plain")
    if plain is not None:
        return _normalise_newlines(_part_text(plain))
    rich = _first_part(payload, "text/html")
    return html_to_text(_part_text(rich)) if rich is not None else ""


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
    if not isinstance(markup, str):
        return ""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = [_WS.sub(" ", line).strip() for line in "".join(parser.chunks).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextExtractor(HTMLParser):
    _BLOCK = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in ("p", "div", "tr", "blockquote"):
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data.replace("\r", "").replace("\n", " "))


def _first_part(part: Any, mime_type: str) -> dict[str, Any] | None:
    if not isinstance(part, dict):
        return None
    kind = str(part.get("mimeType", "")).lower()
    if kind == mime_type and not part.get("filename") and _has_data(part):
        return part
    for child in part.get("parts") or []:
        found = _first_part(child, mime_type)
        if found is not None:
            return found
    return None


def _has_data(part: dict[str, Any]) -> bool:
    body = part.get("body")
    return isinstance(body, dict) and isinstance(body.get("data"), str)


def _part_text(part: dict[str, Any]) -> str:
    data = part["body"]["data"]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return ""
    charset = _charset(part) or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _charset(part: dict[str, Any]) -> str | None:
    content_type = header_map(part.get("headers")).get("content-type")
    if not content_type:
        return None
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
