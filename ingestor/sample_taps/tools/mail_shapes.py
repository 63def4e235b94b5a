"""One invented e-mail, independent of the mailboxes it lands in: the story's mailboxes,
the ``Mail`` record and the RFC 2047 header encoding. ``mail_shapes_gmail`` and
``mail_shapes_graph`` render it as each source hands it out; ``make_fixtures.py`` tells the
story."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from fixture_files import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
CET = timezone(timedelta(hours=1))

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


def crlf(text: str) -> str:
    return text.strip("\n").replace("\n", "\r\n") + "\r\n"


def html_of(text: str) -> str:
    """Gmail-style HTML alternative of a plain text (one <div> per line)."""
    lines = text.rstrip("\r\n").split("\r\n")
    inner = "".join(f"<div>{escape_html(line)}</div>" if line else "<div><br></div>" for line in lines)
    return f'<div dir="ltr">{inner}</div>\r\n'


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
