"""Hypothesis strategies for whole e-mails: the header fields of ``mime_header_strategies``
(repeated ones too) over MIME bodies as RFC 2045-2047 and 2231 allow them and as real
clients send them: nested multiparts (mixed > alternative > related ...), text in
charsets whose labels lie, quoted-printable and base64, every Content-Disposition shape,
RFC 2231 file names with continuations and charsets.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from mime_header_strategies import (
    CHARSET_LABELS,
    address_field,
    date_field,
    encodable,
    encoded_word,
    mailbox,
    message_id_field,
    reference_field,
    subject_field,
    texts,
)
from mime_model import CRLF, Email, Field, Mailbox, Part

# --- bodies ----------------------------------------------------------------------------

BODY_LABELS = [
    "utf-8",
    "UTF-8",
    "utf8",
    "iso-8859-1",
    "latin1",
    "windows-1252",
    "us-ascii",
    "ascii",
    "iso-8859-15",
    "koi8-r",
    None,
    "x-unknown",
]  # None: no charset parameter


def _label_codec(label: str | None) -> str:
    return CHARSET_LABELS.get(label or "", "utf-8")


@st.composite
def text_lines(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(texts(max_words=10), min_size=1, max_size=4))


@st.composite
def text_leaf(draw: st.DrawFn, subtype: str) -> Part:
    lines = draw(text_lines())
    if subtype == "plain":
        text = CRLF.join(lines) + draw(st.sampled_from(["", CRLF]))
    else:
        text = (
            "<html><head><style>p {}</style></head><body>"
            + "".join(
                f"<div>{line.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</div>" + CRLF
                for line in lines
            )
            + "</body></html>"
        )
    label = draw(st.sampled_from([lb for lb in BODY_LABELS if encodable(text, _label_codec(lb))]))
    content = text.encode(_label_codec(label))
    ascii_only = content.isascii()
    encoding = draw(st.sampled_from(["quoted-printable", "base64"] + (["7bit"] if ascii_only else ["8bit"])))
    written = draw(st.sampled_from([encoding, encoding.upper()]))
    params = (
        ""
        if label is None
        else draw(st.sampled_from([f'; charset="{label}"', f"; charset={label}", f";{CRLF} charset={label}"]))
    )
    kind = draw(st.sampled_from([f"text/{subtype}", f"TEXT/{subtype.upper()}"]))
    fields = [Field("Content-Type", kind + params), Field("Content-Transfer-Encoding", written)]
    disposition = draw(st.sampled_from([None, "inline"]))
    if disposition:
        fields.append(Field("Content-Disposition", disposition))
    return Part(tuple(fields), f"text/{subtype}", content, encoding, disposition=disposition, text=text)


FILENAMES = st.sampled_from(
    ["Befund.pdf", "Überweisung Dr. Weber.pdf", "scan (1).png", "a;b,c.txt", "Zoë–Bericht €.docx", "李雷.pdf", "x"]
)


def _percent(data: bytes) -> str:
    return "".join(chr(b) if chr(b).isalnum() or chr(b) in "-._~" else f"%{b:02X}" for b in data)


@st.composite
def file_parameters(draw: st.DrawFn, name: str) -> str:
    """``name`` as a Content-Disposition filename parameter, in one of the ways clients write it."""
    ascii_name = name.isascii() and '"' not in name
    styles = ["rfc2231", "rfc2231_continued", "rfc2047_in_quotes", "both"] + (["quoted"] if ascii_name else [])
    style = draw(st.sampled_from(styles))
    if style == "quoted":
        return f'filename="{name}"'
    if style == "rfc2231":
        charset = draw(st.sampled_from(["UTF-8", "iso-8859-1"] if encodable(name, "latin-1") else ["UTF-8"]))
        return f"filename*={charset}''{_percent(name.encode('latin-1' if charset == 'iso-8859-1' else 'utf-8'))}"
    if style == "rfc2231_continued":
        data = name.encode()
        cut = len(data) // 2
        return f"filename*0*=UTF-8''{_percent(data[:cut])};{CRLF} filename*1*={_percent(data[cut:])}"
    if style == "rfc2047_in_quotes":
        return f'filename="{encoded_word(name, "utf-8", "B")}"'
    return f"filename=\"fallback.bin\"; filename*=utf-8'de'{_percent(name.encode())}"


@st.composite
def file_leaf(draw: st.DrawFn) -> Part:
    """An attachment, inline file or unnamed attachment, in every Content-Disposition shape."""
    mime = draw(st.sampled_from(["application/pdf", "image/png", "text/plain", "text/html"]))
    name = draw(FILENAMES)
    shape = draw(st.sampled_from(["attachment", "inline_file", "attachment_unnamed", "name_only"]))
    content = bytes(draw(st.lists(st.integers(0, 255), min_size=1, max_size=40)))
    content_type = mime
    if shape == "attachment":
        disposition_value = draw(st.sampled_from(["attachment", "Attachment"])) + "; " + draw(file_parameters(name))
        disposition, filename = "attachment", name
    elif shape == "inline_file":
        disposition_value = "inline; " + draw(file_parameters(name))
        disposition, filename = "inline", name
    elif shape == "attachment_unnamed":
        disposition_value, disposition, filename = "attachment", "attachment", ""
    else:  # no Content-Disposition, the name in Content-Type (older Outlook)
        content_type = f'{mime}; name="{name}"' if name.isascii() else f"{mime}; name*=UTF-8''{_percent(name.encode())}"
        disposition_value, disposition, filename = None, None, name
    fields = [Field("Content-Type", content_type), Field("Content-Transfer-Encoding", "base64")]
    if disposition_value:
        fields.append(Field("Content-Disposition", disposition_value))
    if disposition == "inline":
        fields.append(Field("Content-ID", "<img1@praxis>"))
    return Part(tuple(fields), mime, content, "base64", filename=filename, disposition=disposition)


def multipart(subtype: str, parts: list[Part], boundary: str) -> Part:
    fields = (Field("Content-Type", f'multipart/{subtype};{CRLF} boundary="{boundary}"'),)
    return Part(fields, f"multipart/{subtype}", parts=tuple(parts), boundary=boundary)


@st.composite
def body_tree(draw: st.DrawFn, depth: int = 0) -> Part:
    """The shapes clients send (alternative, mixed > alternative, related > html + image, ...)
    and nestings of them three multiparts deep."""
    leaves = [text_leaf("plain"), text_leaf("html"), file_leaf()]
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(leaves[:2]))
    subtype = draw(st.sampled_from(["mixed", "alternative", "related"]))
    children = st.one_of(*leaves, st.deferred(lambda: body_tree(depth + 1)))
    parts = draw(st.lists(children, min_size=1, max_size=3))
    return multipart(subtype, parts, f"=_b{depth}_{draw(st.integers(0, 9999))}")


def graph_body(root: Part) -> tuple[str, str]:
    """Exchange serves the HTML body when there is one, else the text. A file is never the
    body; of a multipart/related only the first part (its root, RFC 2387) is read."""
    found: dict[str, str] = {}

    def visit(part: Part) -> None:
        if part.filename or part.disposition == "attachment":
            return
        for child in part.parts[:1] if part.mime_type == "multipart/related" else part.parts:
            visit(child)
        if part.text is not None:
            found.setdefault(part.mime_type, part.text)

    visit(root)
    if "text/html" in found:
        return "html", found["text/html"]
    return "text", found.get("text/plain", "")


# --- the message -----------------------------------------------------------------------

REPEATED = {
    "Subject": "Zweiter Betreff",
    "To": "second@example.test",
    "Cc": "third@example.test",
    "Message-ID": "<second@x.de>",
    "Date": "Mon, 1 Jan 2024 00:00:00 +0000",
    "Comments": "eins",
    "Keywords": "zwei",
}


@st.composite
def emails(draw: st.DrawFn) -> Email:
    fields: list[Field] = [Field("Received", "by mx.example.test; Tue, 11 Nov 2025 09:00:00 +0000")] * draw(
        st.integers(0, 2)
    )
    fields.append(Field("MIME-Version", "1.0"))
    subject = sent = None
    cc: tuple[Mailbox, ...] = ()
    if draw(st.integers(0, 5)):
        value, subject = draw(subject_field())
        fields.append(Field(draw(st.sampled_from(["Subject", "SUBJECT", "subject"])), value))
    value, sender = draw(mailbox())
    fields.append(Field(draw(st.sampled_from(["From", "FROM", "from"])), value))
    value, to = draw(address_field())
    fields.append(Field(draw(st.sampled_from(["To", "TO"])), value))
    if draw(st.booleans()):
        value, cc = draw(address_field())
        fields.append(Field(draw(st.sampled_from(["Cc", "CC", "cc"])), value))
    if draw(st.booleans()):
        value, meant = draw(date_field())
        fields.append(Field("Date", value))
        if meant is not None:  # Exchange reads a zone-less Date as UTC
            sent = meant if meant.tzinfo else meant.replace(tzinfo=UTC)
    if draw(st.booleans()):
        fields.append(
            Field(draw(st.sampled_from(["Message-ID", "Message-Id", "MESSAGE-ID"])), draw(message_id_field()))
        )
    if draw(st.booleans()):
        fields.append(Field("In-Reply-To", draw(reference_field(max_ids=2))))
    if draw(st.booleans()):
        fields.append(Field("References", draw(reference_field(max_ids=5))))
    present = {f.name.lower() for f in fields}
    for name in draw(st.lists(st.sampled_from(sorted(REPEATED)), max_size=2)):
        if name.lower() in present or name in ("Comments", "Keywords"):  # a repeated field: readers take the first
            fields.append(Field(name, REPEATED[name]))
    root = draw(body_tree())
    received = draw(st.datetimes(datetime(2015, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)))
    return Email(
        tuple(fields),
        root,
        received.replace(microsecond=received.microsecond // 1000 * 1000),
        subject,
        sender,
        to,
        cc,
        sent,
        graph_body(root),
    )
