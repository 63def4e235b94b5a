"""The ``messages`` stream's schema: the top-level fields of Gmail's ``Message`` resource as
``messages.get`` (format=full) returns them, each open (see ``lorc_taps.schema``): the
recursive ``payload`` passes through unchanged, and a malformed message reaches the
warehouse, which rejects it with a reason.
"""

from __future__ import annotations

from typing import Any

from lorc_taps.schema import permissive_schema

# users.messages.get, format=full (`raw` only comes with format=raw).
GMAIL_MESSAGE_FIELDS = (
    "id",
    "threadId",
    "labelIds",
    "snippet",
    "historyId",
    "internalDate",
    "payload",
    "sizeEstimate",
    "raw",
)

GMAIL_MESSAGE_SCHEMA: dict[str, Any] = permissive_schema(GMAIL_MESSAGE_FIELDS)
