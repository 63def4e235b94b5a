"""The raw Graph ``message`` resource (v1.0) as the tap emits it, and the ``$select`` that
asks Graph for exactly these properties.

Every top-level property Graph returns is declared, each open (see ``lorc_taps.schema``):
recipients, body and headers pass through unchanged, and a malformed item (``"from":
"nobody"``) reaches the warehouse, which rejects it with a reason. ``@odata.etag`` is
response metadata (it repeats ``changeKey``): declared, since Graph adds it to every item,
but never ``$select``-ed.
"""

from __future__ import annotations

from typing import Any

from lorc_taps.schema import permissive_schema

MESSAGE_PROPERTIES = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "sentDateTime",
    "hasAttachments",
    "internetMessageId",
    "subject",
    "bodyPreview",
    "importance",
    "parentFolderId",
    "conversationId",
    "conversationIndex",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "isRead",
    "isDraft",
    "webLink",
    "inferenceClassification",
    "body",
    "sender",
    "from",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "flag",
    # Graph returns the headers (In-Reply-To, References) only when $select-ed.
    "internetMessageHeaders",
    "@odata.etag",
)

MESSAGE_SCHEMA: dict[str, Any] = permissive_schema(MESSAGE_PROPERTIES)

SELECT = ",".join(name for name in MESSAGE_PROPERTIES if not name.startswith("@"))
