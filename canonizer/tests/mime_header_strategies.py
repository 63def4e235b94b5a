"""Hypothesis strategies for header fields as RFC 5322 and 2047 allow them and as real
clients write them: encoded words in every charset label clients use (including labels
that lie: ``iso-8859-1`` and ``us-ascii`` on windows-1252 bytes), raw UTF-8 (RFC 6532),
comments and folds in structured fields, quoted names with commas, groups, dates in
every zone form, message ids with and without brackets.

Each strategy draws the wire form and its meaning together (see ``mime_model``). Names
are split into encoded words only at blanks: CPython keeps the blank between two
adjacent encoded words in a phrase, where RFC 2047 §6.2 drops it.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from mime_model import CRLF, Mailbox

# --- words --------------------------------------------------------------------------

ASCII_WORDS = [
    "Anna",
    "Weber",
    "Termin",
    "Praxis",
    "am",
    "Montag",
    "Julia",
    "O'Brien",
    "Hans-Peter",
    "2025",
    "Dr.",
    "Frau",
    "Re:",
    "AW:",
    "Fwd:",
    "10:30",
    "x",
]
LATIN1_WORDS = ["Müller", "Grüße", "Jörg", "Größe", "Çelik", "Åsa", "Señora", "Überweisung", "Zoë"]
CP1252_WORDS = ["–", "€", "„Hallo“", "Sinnvoll…", "œuvre", "Šárka"]  # windows-1252, not latin-1
WIDE_WORDS = ["Łukasz", "Ωmega", "李雷", "😊", "Ελένη", "Андрей"]
PUNCTUATION = [",", '"', "\\", "(", ")", ":", ";", "<", ">", "@", "[", "]", "?", "=?", "_", "=", "?="]
WORD = st.sampled_from(ASCII_WORDS + LATIN1_WORDS + CP1252_WORDS + WIDE_WORDS)


@st.composite
def texts(draw: st.DrawFn, *, max_words: int = 8, punctuation: bool = True) -> str:
    """Words with single blanks between them; some glued to punctuation."""
    words = draw(st.lists(WORD, min_size=1, max_size=max_words))
    if punctuation:
        for index in draw(st.lists(st.integers(0, len(words) - 1), max_size=2)):
            mark = draw(st.sampled_from(PUNCTUATION))
            words[index] = draw(st.sampled_from([words[index] + mark, mark + words[index]]))
    return " ".join(words)


# --- encoded words (RFC 2047) -----------------------------------------------------------

# label -> the codec whose bytes that label means under the WHATWG Encoding Standard
CHARSET_LABELS = {
    "utf-8": "utf-8",
    "UTF-8": "utf-8",
    "utf8": "utf-8",
    "iso-8859-1": "cp1252",
    "ISO-8859-1": "cp1252",
    "latin1": "cp1252",
    "windows-1252": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-15": "iso8859-15",
    "koi8-r": "koi8-r",
}
_PHRASE_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def encoded_word(text: str, label: str, method: str) -> str:
    data = text.encode(CHARSET_LABELS[label])
    if method == "B":
        return f"=?{label}?B?{base64.b64encode(data).decode('ascii')}?="
    encoded = "".join("_" if b == 0x20 else chr(b) if b in _PHRASE_SAFE else f"={b:02X}" for b in data)
    return f"=?{label}?Q?{encoded}?="


@st.composite
def encoded_text(draw: st.DrawFn, text: str, *, split_words: bool) -> str:
    """``text`` as encoded words. The blanks between adjacent encoded words are dropped
    when decoding, so each blank of the text is inside a word. ``split_words``: a long
    word may be split (between characters) across two encoded words."""
    label = draw(st.sampled_from([lb for lb, codec in CHARSET_LABELS.items() if encodable(text, codec)]))
    method = draw(st.sampled_from("QB"))
    pieces, current = [], ""
    for char in text:
        current += char
        # a word ends at a blank, or (split_words) at 12 characters: within 75 encoded
        if (char == " " and draw(st.booleans())) or (split_words and len(current) >= 12):
            pieces.append(current)
            current = ""
    pieces.append(current)
    words = [encoded_word(piece, label, method) for piece in pieces if piece]
    return "".join(
        w if i == 0 else draw(st.sampled_from([" ", CRLF + " ", CRLF + "\t", "  "])) + w for i, w in enumerate(words)
    )


# --- Subject -------------------------------------------------------------------------


LITERAL_ENCODED_WORD = "=?utf-8?q?Hallo?="  # text that looks like an encoded word once decoded


@st.composite
def subject_field(draw: st.DrawFn) -> tuple[str, str]:
    """(wire value, meaning)."""
    text = draw(texts())
    style = draw(st.sampled_from(["raw", "encoded", "mixed", "literal", "empty"]))
    if style == "empty":
        return draw(st.sampled_from(["", " "])), ""
    if style == "literal":  # the meaning holds an encoded word's text: only an encoded word can carry it
        text = f"{text} {LITERAL_ENCODED_WORD}"
        value = draw(encoded_text(text, split_words=False))
    elif style == "raw" or (style == "mixed" and " " not in text):
        value = text  # non-ASCII as raw UTF-8 (RFC 6532), as many clients send it
    elif style == "encoded":
        value = draw(encoded_text(text, split_words=True))
    else:  # plain words, then the rest as encoded words after a blank
        head, rest = text.split(" ", 1)
        value = f"{head} {draw(encoded_text(rest, split_words=True))}"
    blanks = [i for i, c in enumerate(value) if c == " " and value[i - 1] != "\n"]
    if blanks and draw(st.booleans()):  # fold at a blank
        value = value[: blanks[0]] + CRLF + value[blanks[0] :]
    return value, text


# --- addresses ------------------------------------------------------------------------

LOCAL_PARTS = st.sampled_from(["anna", "Anna.Mueller", "j.weber", "info+anfrage", "x_y", "A-B", "o'brien", "kim42"])
DOMAINS = st.sampled_from(["example.test", "Praxis-Weber.example", "mail.GMAIL.com", "x.de"])
ADDRESSES = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL_PARTS, DOMAINS)
NAMES = st.one_of(
    texts(max_words=3, punctuation=False),
    st.sampled_from(
        [
            "Weber, Julia",
            "Dr. Jule Weber",
            'Die "Praxis"',
            "a\\b",
            "Müller, Anna",
            "Anna (Praxis)",
            "Kim @ Home",
            "=?x?",
            "Team: Nord",
        ]
    ),
)
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~. ")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def mailbox(draw: st.DrawFn) -> tuple[str, Mailbox]:
    """One mailbox as written, and its meaning."""
    address = draw(ADDRESSES)
    name = draw(st.none() | NAMES)
    if name is None or not name.strip():
        written = draw(st.sampled_from([address, f"<{address}>", f"{address} (Anna Weber)", f"<{address}> (Büro)"]))
        return written, Mailbox(None, address)
    styles = ["quoted", "encoded", "encoded_in_quotes"]
    plain = all(c in _ATEXT or ord(c) > 127 for c in name) and not name.startswith(".")
    if plain and "=?" not in name and "?=" not in name:
        styles += ["atoms", "atoms_with_comment"]
    style = draw(st.sampled_from(styles))
    if style == "quoted":
        phrase = _quoted(name)
    elif style == "encoded":
        phrase = draw(encoded_text(name, split_words=False))
    elif style == "encoded_in_quotes":  # not RFC 2047, but sent by real clients
        phrase = '"' + encoded_word(name, "utf-8", draw(st.sampled_from("QB"))) + '"'
    elif style == "atoms":
        phrase = name
    else:
        phrase = f"{name} (Praxis)"
    folded = phrase.replace(" ", CRLF + " ", 1) if style == "atoms" and draw(st.booleans()) else phrase
    return f"{folded} <{address}>", Mailbox(name, address)


@st.composite
def address_field(draw: st.DrawFn) -> tuple[str, tuple[Mailbox, ...]]:
    """An address list: mailboxes and groups (RFC 5322 §3.4), folded between entries."""
    entries: list[str] = []
    meant: list[Mailbox] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["mailbox", "mailbox", "mailbox", "group", "empty_group"]))
        if kind == "empty_group":
            entries.append("undisclosed-recipients:;")
            continue
        written, box = draw(mailbox())
        if kind == "group":
            other, second = draw(mailbox())
            entries.append(f"Team: {written}, {other};")
            meant += [box, second]
        else:
            entries.append(written)
            meant.append(box)
    # CPython's address parser fails on a blank between a group's ";" and the next ","
    # (RFC 5322 allows it), so no blank is put there.
    separators = [
        draw(st.sampled_from([", ", "," + CRLF + " ", ","] + ([] if entry.endswith(";") else [" ,"])))
        for entry in entries[:-1]
    ]
    value = entries[0] + "".join(s + e for s, e in zip(separators, entries[1:], strict=True))
    return value, tuple(meant)


# --- Date, Message-ID, In-Reply-To, References ---------------------------------------

ZONES = [
    ("+0000", 0),
    ("+0100", 60),
    ("+0200", 120),
    ("-0500", -300),
    ("+0530", 330),
    ("GMT", 0),
    ("UT", 0),
    ("EST", -300),
    ("PDT", -420),
    ("-0000", None),
    ("MESZ", None),
]


@st.composite
def date_field(draw: st.DrawFn) -> tuple[str, datetime | None]:
    """(wire value, the moment meant: aware, naive when the zone says nothing, None when
    it is no date)."""
    if not draw(st.integers(0, 7)):
        return draw(st.sampled_from(["gestern Abend", "Tue, 99 Foo 2024 99:99:99 +9999", "Tue, 11 Nov 2025"])), None
    utc = draw(st.datetimes(datetime(2015, 1, 1), datetime(2030, 12, 31))).replace(microsecond=0)
    zone, minutes = draw(st.sampled_from(ZONES))
    local = utc + timedelta(minutes=minutes or 0)
    day = local.strftime("%d").lstrip("0") if draw(st.booleans()) else local.strftime("%d")
    year = local.strftime("%y") if draw(st.booleans()) and local.year < 2050 else local.strftime("%Y")
    clock = local.strftime(draw(st.sampled_from(["%H:%M:%S", "%H:%M"])))
    if not draw(st.integers(0, 7)):
        zone, minutes = "", None  # no zone at all
    value = f"{day} {local.strftime('%b')} {year} {clock} {zone}".rstrip()
    if draw(st.booleans()):
        value = local.strftime("%a, ") + value
    if draw(st.booleans()) and zone.startswith(("+", "-")) and minutes is not None:
        value += draw(st.sampled_from([" (CEST)", " (UTC)", CRLF + " (Mitteleurop\u00e4ische Zeit)"]))
    if clock.count(":") == 1:
        utc, local = utc.replace(second=0), local.replace(second=0)
    return value, utc.replace(tzinfo=UTC) if minutes is not None else local


ID_LEFT = st.sampled_from(
    ["CAJ7xq3Z0k+pV9=f4sGJ2m_Q8bXyTt1vQ", "a1", "20251112.Ab-Cd$x", "ABC.def", "1f0e$%&'*/?^`{|}~"]
)
ID_RIGHT = st.sampled_from(["mail.gmail.com", "Praxis-Weber.example", "EXCHANGE.local", "[127.0.0.1]"])
MSG_IDS = st.builds(lambda left, right: f"<{left}@{right}>", ID_LEFT, ID_RIGHT)


@st.composite
def message_id_field(draw: st.DrawFn) -> str:
    msg_id = draw(MSG_IDS)
    return draw(
        st.sampled_from([msg_id, f" {msg_id} ", f"{msg_id} (added by relay)", f"{CRLF} {msg_id}", msg_id.strip("<>")])
    )  # some clients leave out the brackets


@st.composite
def reference_field(draw: st.DrawFn, *, max_ids: int) -> str:
    ids = draw(st.lists(MSG_IDS, min_size=1, max_size=max_ids))
    value = ids[0]
    for msg_id in ids[1:]:
        value += draw(st.sampled_from([" ", CRLF + " ", CRLF + "\t", " (ref) ", ", "])) + msg_id
    return value
