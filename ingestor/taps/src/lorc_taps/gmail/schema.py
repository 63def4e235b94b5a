"""The ``messages`` stream's schema: Gmail's ``Message`` resource as ``messages.get`` (format=full)
returns it. The Singer SDK drops every property a schema does not declare, so every field
the API returns is declared. ``payload`` is a recursive ``MessagePart``, declared to
``GMAIL_PART_DEPTH`` levels; deeper parts are open objects that pass through unchanged (a
recursive ``$ref`` does not survive the Singer catalog round trip).
"""

from __future__ import annotations

from typing import Any

GMAIL_PART_DEPTH = 6


def _nullable(*types: str) -> dict[str, Any]:
    return {"type": [*types, "null"]}


STRING = _nullable("string")
INTEGER = _nullable("integer")
OPEN_OBJECT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": True}

HEADER: dict[str, Any] = {
    "type": "object",
    "properties": {"name": STRING, "value": STRING},
    "additionalProperties": True,
}


def _string_array() -> dict[str, Any]:
    return {"type": ["array", "null"], "items": {"type": "string"}}


def _gmail_part(depth: int) -> dict[str, Any]:
    """A Gmail ``MessagePart``; ``depth`` 1 is ``payload``."""
    child = _gmail_part(depth + 1) if depth < GMAIL_PART_DEPTH else OPEN_OBJECT
    if "null" in child["type"]:  # array items are objects, never null
        child = {**child, "type": "object"}
    return {
        "type": ["object", "null"],
        "properties": {
            "partId": STRING,
            "mimeType": STRING,
            "filename": STRING,
            "headers": {"type": ["array", "null"], "items": HEADER},
            "body": {
                "type": ["object", "null"],
                "properties": {"attachmentId": STRING, "size": INTEGER, "data": STRING},
                "additionalProperties": True,
            },
            "parts": {"type": ["array", "null"], "items": child},
        },
        "additionalProperties": True,
    }


# users.messages.get, format=full (the fields of MeltanoLabs/tap-gmail's messages schema
# that the API returns; `raw` only comes with format=raw).
GMAIL_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "threadId": STRING,
        "labelIds": _string_array(),
        "snippet": STRING,
        "historyId": STRING,
        "internalDate": STRING,
        "payload": _gmail_part(1),
        "sizeEstimate": INTEGER,
        "raw": STRING,
    },
    "required": ["id"],
}
