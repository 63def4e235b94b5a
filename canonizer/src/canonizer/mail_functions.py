"""Python extension functions for the e-mail transforms: what JSONata cannot do well.

Headers (:mod:`canonizer.mail_headers`): RFC 2047 encoded words, RFC 5322 address lists
(comments are not names), Date fields with bad zones, message ids. Bodies
(:mod:`canonizer.mail_bodies`): the text part a mail reader would show, at any MIME depth,
base64url-decoded, HTML to text, attachments. Charset labels mean what the WHATWG
Encoding Standard says (:mod:`canonizer.charsets`). The rules are held against CPython's
``email`` package by a differential test (test_canonizer_mail_oracle.py).

Each function takes and returns plain JSON values and never raises on odd input: a value
it cannot make sense of becomes an empty or null result that the output schema then
judges. The one exception is a body part that is read and is not base64url: its text
cannot be known, so the record is rejected (``TransformError``, which the engine carries
out of the jsonatapy evaluation).

They run for every message (canonicalize_email's budget is ~100 µs a message), so the
common shapes take fast paths that give exactly what the general path gives (the
tests compare the two): a header without encoded words, a single plain address,
an address list without comments, a Content-Type seen before, HTML through a
regular-expression tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from canonizer.mail_bodies import (
    graph_body_text,
    has_attachments,
    html_to_text,
    mime_text,
    unescape,
)
from canonizer.mail_headers import (
    address_list,
    decode_words,
    direction,
    graph_addresses,
    graph_time_to_utc,
    header_map,
    message_key,
    millis_to_utc,
    normalise_space,
    reference_keys,
    sent_time,
)

EXTENSIONS: dict[str, Callable[..., Any]] = {
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
    "normalise_space": normalise_space,
}
