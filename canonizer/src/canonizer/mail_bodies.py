"""Body functions of the e-mail transforms: the text of a Gmail MIME part tree (base64url
parts at any depth, in their charset) or of a Graph body, HTML to text, whether a message
has attachments. See :mod:`canonizer.mail_functions`."""

from __future__ import annotations

import binascii
import html
import re
from email.message import Message
from functools import lru_cache
from typing import Any

from canonizer import charsets
from canonizer.exceptions import TransformError
from canonizer.mail_headers import collapse_blanks, first_header


def mime_text(payload: Any) -> str:
    """Plain text of a Gmail message part tree, the part chosen as mail readers choose it
    (CPython's ``get_body``): the first text/plain part, else the first text/html part
    turned into text, at any depth of multiparts. A file is never the text: a part marked
    ``attachment`` or with a file name is skipped, and of a multipart/related only the
    root (its first part, RFC 2387) is read. The part read must be base64url (padded or
    not), else the record is rejected."""
    plain = _first_part(payload, "text/plain", "payload")
    if plain is not None:
        return _normalise_newlines(_part_text(*plain))
    rich = _first_part(payload, "text/html", "payload")
    return html_to_text(_part_text(*rich)) if rich is not None else ""


def has_attachments(payload: Any) -> bool:
    """Whether a part is a file a reader lists: marked ``attachment``, or with a file name
    and not marked ``inline`` (an inline image belongs to the text; Graph's
    ``hasAttachments`` counts the same way)."""
    stack = [payload]
    while stack:
        part = stack.pop()
        if not isinstance(part, dict):
            continue
        disposition = _disposition(part)
        if disposition == "attachment" or (part.get("filename") and disposition != "inline"):
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


def html_to_text(markup: Any) -> str:
    """Text of an HTML body: block elements and ``<br>`` break lines, entities decoded,
    ``script``/``style``/``head``/``title`` content dropped."""
    if not isinstance(markup, str):
        return ""
    chunks: list[str] = []
    skipping = 0
    position = 0
    for token in _HTML_TOKEN.finditer(markup):
        start, end = token.span()
        if start < position:
            continue  # inside script/style text
        if start > position and not skipping:
            chunks.append(_html_data(markup[position:start]))
        position = end
        tag, closing, self_closing = _TOKEN_MEANINGS.get(markup[start:end]) or _meaning(token)
        if tag is None:
            continue  # comment, declaration, processing instruction, or a tag that does not count
        if not closing:  # a start tag (a self-closing one is a start and an end)
            if tag in _SKIP:
                skipping += 1
            elif tag in _BLOCK:
                chunks.append("\n")
            if tag in _RAW_TEXT and not self_closing:  # script/style text is not markup
                found = markup.lower().find(f"</{tag}", position)
                position = len(markup) if found < 0 else found
        if closing or self_closing:
            if tag in _SKIP:
                skipping = max(0, skipping - 1)
            elif tag in _BLOCK_END:
                chunks.append("\n")
    if not skipping and position < len(markup):
        chunks.append(_html_data(markup[position:]))
    text = "\n".join([line.strip() for line in collapse_blanks("".join(chunks)).split("\n")])
    while "\n\n\n" in text:  # at most one blank line in a row; each pass shortens every longer run
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


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
_MEANINGFUL = _BLOCK | _BLOCK_END | _SKIP  # _RAW_TEXT is part of _SKIP

# Elements common in mail besides the meaningful ones: their bare tags are worth remembering too.
_COMMON = frozenset(
    {"a", "b", "body", "center", "em", "font", "hr", "html", "i", "img", "ol", "small", "span", "strong"}
    | {"table", "tbody", "td", "th", "thead", "u", "ul"}
)
# What a bare tag of a known element means (lower-case tag if it counts, closing,
# self-closing): ``<div>``, ``</div>``, ``<br>`` and a few more make up nearly all of a
# body's tags, and taking them apart again is most of the tokenizer's time. Only tags
# without attributes of the elements above are kept, so the table holds markup from a
# fixed vocabulary, never text of a message (``<jane@example.org>`` is not remembered).
_TOKEN_MEANINGS: dict[str, tuple[str | None, bool, bool]] = {}
_TOKEN_MEANINGS_MAX = 4096


def _meaning(token: re.Match[str]) -> tuple[str | None, bool, bool]:
    closing, tag, attrs = token.group("closing", "tag", "attrs")
    tag = tag.lower() if tag is not None else None
    meaning: tuple[str | None, bool, bool] = (
        (tag, bool(closing), not closing and attrs.rstrip().endswith("/"))
        if tag in _MEANINGFUL
        else (None, False, False)
    )
    if not attrs and (tag in _MEANINGFUL or tag in _COMMON) and len(_TOKEN_MEANINGS) < _TOKEN_MEANINGS_MAX:
        _TOKEN_MEANINGS[token.group()] = meaning
    return meaning


def _html_data(text: str) -> str:
    text = text.replace("\r", "").replace("\n", " ")
    return html.unescape(text) if "&" in text else text


def _first_part(part: Any, mime_type: str, path: str) -> tuple[dict[str, Any], str] | None:
    """The first part of ``mime_type`` that is not a file, with its path in the record."""
    if not isinstance(part, dict) or part.get("filename") or _disposition(part) == "attachment":
        return None
    kind = str(part.get("mimeType", "")).lower()
    if kind == mime_type and _has_data(part):
        return part, path
    if not kind.startswith("multipart/"):
        return None
    children = part.get("parts") or []
    for index, child in enumerate(children[:1] if kind == "multipart/related" else children):
        found = _first_part(child, mime_type, f"{path}.parts[{index}]")
        if found is not None:
            return found
    return None


def _disposition(part: dict[str, Any]) -> str | None:
    """The Content-Disposition type (``inline``, ``attachment``) in lower case, if any."""
    for item in part.get("headers") or ():
        if isinstance(item, dict):
            name = item.get("name", "")
            # Only a string can be this name (no other JSON value's str() is), and only one of
            # 19 characters: lower() changes a length only where it adds a combining mark.
            if isinstance(name, str) and len(name) == 19 and name.lower() == "content-disposition":
                return str(item.get("value", "")).split(";", 1)[0].split("(", 1)[0].strip().lower()
    return None


def _has_data(part: dict[str, Any]) -> bool:
    body = part.get("body")
    return isinstance(body, dict) and isinstance(body.get("data"), str)


def _part_text(part: dict[str, Any], path: str) -> str:
    raw = _base64url_bytes(part["body"]["data"])
    if raw is None:
        raise TransformError("input.base64url", f"{path}.body.data")
    return charsets.decode(raw, _charset(part))


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
    content_type = first_header(part.get("headers"), "content-type")
    return _content_type_charset(content_type) if content_type else None


@lru_cache(maxsize=1024)  # a handful of Content-Type values cover nearly all parts
def _content_type_charset(content_type: str) -> str | None:
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_content_charset()
    return str(charset) if charset else None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
