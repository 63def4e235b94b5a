"""JSON Schemas of the ``messages`` streams.

The Singer SDK drops every property a schema does not declare, so these declare every
field the fixtures (and the real APIs) carry. Where the real API is open-ended, objects
allow additional properties. Gmail's ``payload`` is a recursive ``MessagePart``: it is
declared to ``GMAIL_PART_DEPTH`` levels, and the parts below that are open objects that
pass through unchanged, so nested ``parts`` survive to any depth. (A recursive ``$ref``
does not survive the Singer catalog round trip, so it is not used.)
"""

from __future__ import annotations

from typing import Any

GMAIL_PART_DEPTH = 6


def _nullable(*types: str) -> dict[str, Any]:
    return {"type": [*types, "null"]}


STRING = _nullable("string")
INTEGER = _nullable("integer")
BOOLEAN = _nullable("boolean")
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

EMAIL_ADDRESS: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"name": STRING, "address": STRING},
    "additionalProperties": True,
}
RECIPIENT: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"emailAddress": EMAIL_ADDRESS},
    "additionalProperties": True,
}
RECIPIENTS: dict[str, Any] = {"type": ["array", "null"], "items": {**RECIPIENT, "type": "object"}}
DATE_TIME_TIME_ZONE: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"dateTime": STRING, "timeZone": STRING},
    "additionalProperties": True,
}

# The raw Graph `message` resource (v1.0), plus `internetMessageHeaders`, which Graph
# returns only when `$select`ed.
GRAPH_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "createdDateTime": STRING,
        "lastModifiedDateTime": STRING,
        "changeKey": STRING,
        "categories": _string_array(),
        "receivedDateTime": STRING,
        "sentDateTime": STRING,
        "hasAttachments": BOOLEAN,
        "internetMessageId": STRING,
        "subject": STRING,
        "bodyPreview": STRING,
        "importance": STRING,
        "parentFolderId": STRING,
        "conversationId": STRING,
        "conversationIndex": STRING,
        "isDeliveryReceiptRequested": BOOLEAN,
        "isReadReceiptRequested": BOOLEAN,
        "isRead": BOOLEAN,
        "isDraft": BOOLEAN,
        "webLink": STRING,
        "inferenceClassification": STRING,
        "body": {
            "type": ["object", "null"],
            "properties": {"contentType": STRING, "content": STRING},
            "additionalProperties": True,
        },
        "uniqueBody": {
            "type": ["object", "null"],
            "properties": {"contentType": STRING, "content": STRING},
            "additionalProperties": True,
        },
        "sender": RECIPIENT,
        "from": RECIPIENT,
        "toRecipients": RECIPIENTS,
        "ccRecipients": RECIPIENTS,
        "bccRecipients": RECIPIENTS,
        "replyTo": RECIPIENTS,
        "flag": {
            "type": ["object", "null"],
            "properties": {
                "flagStatus": STRING,
                "startDateTime": DATE_TIME_TIME_ZONE,
                "dueDateTime": DATE_TIME_TIME_ZONE,
                "completedDateTime": DATE_TIME_TIME_ZONE,
            },
            "additionalProperties": True,
        },
        "internetMessageHeaders": {"type": ["array", "null"], "items": HEADER},
        "@odata.etag": STRING,
    },
    "required": ["id"],
}
