"""The raw Graph ``message`` resource (v1.0) as the tap emits it, and the ``$select`` that
asks Graph for exactly these properties.

The Singer SDK drops every property the schema does not declare, so every property Graph
returns is declared; open objects allow what Graph may add. ``@odata.etag`` and
``@odata.type`` are response metadata (the etag repeats ``changeKey``) and are dropped.
"""

from __future__ import annotations

from typing import Any


def _nullable(*types: str) -> dict[str, Any]:
    return {"type": [*types, "null"]}


STRING = _nullable("string")
BOOLEAN = _nullable("boolean")
STRINGS: dict[str, Any] = {"type": ["array", "null"], "items": {"type": "string"}}
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
ITEM_BODY: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"contentType": STRING, "content": STRING},
    "additionalProperties": True,
}
DATE_TIME_TIME_ZONE: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {"dateTime": STRING, "timeZone": STRING},
    "additionalProperties": True,
}
HEADER: dict[str, Any] = {
    "type": "object",
    "properties": {"name": STRING, "value": STRING},
    "additionalProperties": True,
}

MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "createdDateTime": STRING,
        "lastModifiedDateTime": STRING,
        "changeKey": STRING,
        "categories": STRINGS,
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
        "body": ITEM_BODY,
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
        # Graph returns the headers (In-Reply-To, References) only when $select-ed.
        "internetMessageHeaders": {"type": ["array", "null"], "items": HEADER},
        "@odata.etag": STRING,  # an annotation Graph adds to every item: never $select-ed
    },
    "required": ["id"],
}

SELECT = ",".join(name for name in MESSAGE_SCHEMA["properties"] if not name.startswith("@"))
