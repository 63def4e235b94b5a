"""Header functions of the e-mail transforms: RFC 2047 encoded words, RFC 5322 address
lists, Date fields with bad zones, message ids. See :mod:`canonizer.mail_functions`."""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from canonizer import charsets

_MSGID = re.compile(r"<([^<>\s]+)>")
# Runs of blanks (not newlines), each to become one space. Written so that a lone space,
# the common case, is not a match at all: a third of html_to_text's time otherwise.
_WS = re.compile(r"[\t\r\f\v][ \t\r\f\v]*| [ \t\r\f\v]+")


def collapse_blanks(text: str) -> str:
    """``_WS.sub(" ", text)``: every run of blanks (space, tab, CR, FF, VT) as one space,
    a lone space left as it is. Done with ``str`` methods, which scan in C; the pattern
    tries every character (20 to 50 µs for a 2 KB body, against about 2)."""
    for blank in "\t\r\f\v":
        if blank in text:
            text = text.replace(blank, " ")
    while "  " in text:  # each pass halves every run of spaces
        text = text.replace("  ", " ")
    return text


def header_map(headers: Any) -> dict[str, str]:
    """Header list ``[{name, value}]`` to ``{lower-case name: first value}``."""
    found: dict[str, str] = {}
    for item in headers if isinstance(headers, list) else []:
        if isinstance(item, dict):
            name, value = item.get("name"), item.get("value")
            if isinstance(name, str) and isinstance(value, str):
                found.setdefault(name.strip().lower(), value)
    return found


def first_header(headers: Any, name: str) -> str | None:
    """``header_map(headers).get(name)`` without building the map (``name`` in lower case)."""
    for item in headers if isinstance(headers, list) else []:
        if isinstance(item, dict):
            found, value = item.get("name"), item.get("value")
            if isinstance(found, str) and isinstance(value, str) and found.strip().lower() == name:
                return value
    return None


def decode_words(value: Any) -> str:
    """Decode RFC 2047 encoded words, each in its charset as WHATWG reads the label;
    blanks between two encoded words are dropped (§6.2); runs of blanks and line breaks
    become one space. Text without encoded words passes through unchanged."""
    if not isinstance(value, str):
        return ""
    decoded = _decode_encoded_words(value) if "=?" in value else value  # no encoded word without "=?"
    return collapse_blanks(decoded.replace("\r\n", " ").replace("\n", " ")).strip()


def normalise_space(value: Any) -> str:
    """Runs of blanks and line breaks as one space, trimmed: for text a source hands out
    decoded already (Graph), where an encoded word's text is meant literally."""
    if not isinstance(value, str):
        return ""
    return collapse_blanks(value.replace("\r\n", " ").replace("\n", " ")).strip()


# charset (RFC 2231 §5 allows "*language" after it), encoding, encoded text
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
_Q_BYTE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_encoded_words(value: str) -> str:
    pieces: list[str] = []
    pending: list[tuple[str, bytes]] = []  # adjacent encoded words not yet decoded: (charset, bytes)
    position = 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[position : word.start()]
        data = _encoded_word_bytes(word.group(2), word.group(3))
        position = word.end()
        if between and not (pending and data is not None and between.isspace()):
            pieces += _flush(pending)
            pieces.append(between)
        if data is None:  # not decodable: kept as written
            pieces += _flush(pending)
            pieces.append(word.group())
        elif pending and pending[-1][0].lower() == word.group(1).lower():
            pending[-1] = (pending[-1][0], pending[-1][1] + data)  # a character may be split across words
        else:
            pending.append((word.group(1), data))
    pieces += _flush(pending)
    pieces.append(value[position:])
    return "".join(pieces)


def _flush(pending: list[tuple[str, bytes]]) -> list[str]:
    texts = [charsets.decode(data, charset) for charset, data in pending]
    pending.clear()
    return texts


def _encoded_word_bytes(encoding: str, text: str) -> bytes | None:
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    if encoding in "Qq":
        return _Q_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4), strict_mode=True)
    except binascii.Error:
        return None


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
        return ((collapse_blanks(name).strip() or None if name else None, (bracketed or bare).lower()),)
    found = []
    for name, address in getaddresses([_without_comments(value)] if "(" in value else [value]):
        address = address.strip()
        if "@" not in address or " " in address:
            continue
        found.append((decode_words(name) or None, address.lower()))
    return tuple(found)


def _without_comments(value: str) -> str:
    """``value`` with its RFC 5322 comments (nested, with quoted pairs) as blanks: a comment
    is never a name (``anna@example.org (Anna)`` has none). Quoted strings and domain
    literals keep their parentheses."""
    kept: list[str] = []
    depth = 0  # of nested comments
    closing = ""  # the quote or bracket that ends the quoted string or literal being read
    escaped = False  # the character before was a backslash (a quoted pair)
    for char in value:
        if depth:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in "()":
                depth += 1 if char == "(" else -1
                if not depth:
                    kept.append(" ")
            continue
        if escaped:
            escaped = False
        elif char == "\\" and closing == '"':
            escaped = True
        elif closing:
            closing = "" if char == closing else closing
        elif char in '"[':
            closing = '"' if char == '"' else "]"
        elif char == "(":
            depth = 1
            continue
        kept.append(char)
    return "".join(kept)


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
        parsed = datetime.fromisoformat(value)  # Python 3.11 reads the "Z" itself
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
            parsed = _date_header_time(date_header)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return {"value": _iso(parsed), "source": "date_header"}
    return {"value": received_utc, "source": "received_fallback"}


# The form nearly every mail client writes (RFC 5322 §3.3, one space between the parts):
# read by a pattern, about a third of the time of ``parsedate_to_datetime``.
_COMMON_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([1-9]\d{3}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)",
    re.ASCII,
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def _date_header_time(value: str) -> datetime:
    """``parsedate_to_datetime(value)``, the common form read by :data:`_COMMON_DATE`
    (its errors too: an impossible day or zone raises ``ValueError`` from ``datetime``)."""
    common = _COMMON_DATE.fullmatch(value)
    if common is None or common.group(7, 8, 9) == ("-", "00", "00"):  # -0000: no zone (naive)
        return parsedate_to_datetime(value)
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = common.groups()
    offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
    zone = timezone(timedelta(seconds=-offset if sign == "-" else offset))
    return datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone)


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


def direction(sender: Any, practice_addresses: Any) -> str:
    """``outbound`` when the sender is one of the practice's own addresses."""
    own = {str(a).strip().lower() for a in practice_addresses or []}
    email = sender.get("email") if isinstance(sender, dict) else None
    return "outbound" if isinstance(email, str) and email.lower() in own else "inbound"


def _iso(moment: datetime) -> str:
    """UTC, ``Z``, milliseconds (cut, not rounded) only when there is a fraction. Before year
    1000 ``strftime`` writes the year unpadded, and stored outputs have it so; ``isoformat`` (three
    times faster) pads it, so it is used only from year 1000 on."""
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    if moment.year < 1000:
        if moment.microsecond:
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds") + "Z"
