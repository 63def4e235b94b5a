"""Header functions of the e-mail transforms: RFC 2047 encoded words, RFC 5322 address
lists, Date fields with bad zones, message ids. See :mod:`canonizer.mail_functions`."""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import Any

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


def direction(sender: Any, practice_addresses: Any) -> str:
    """``outbound`` when the sender is one of the practice's own addresses."""
    own = {str(a).strip().lower() for a in practice_addresses or []}
    email = sender.get("email") if isinstance(sender, dict) else None
    return "outbound" if isinstance(email, str) and email.lower() in own else "inbound"


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
