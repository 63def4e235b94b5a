"""App-only sign-in to Microsoft Graph (client credentials, ``lorc_taps.microsoft_auth``) and
the one cheap call that proves a mailbox answers; shared by the tap, ``lorc connect
exchange`` and ``lorc doctor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from lorc_taps.http import ApiClient
from lorc_taps.microsoft_auth import DEFAULT_AUTHORITY_URL, ClientCredentials

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_AUTHORITY_URL",
    "PREFER_IMMUTABLE_ID",
    "graph_credentials",
    "mailbox_path",
    "probe",
]

DEFAULT_API_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Ids stay the same when a message moves to another folder (sent on every request).
PREFER_IMMUTABLE_ID = 'IdType="ImmutableId"'


def graph_credentials(settings: Mapping[str, Any]) -> ClientCredentials:
    """The app's client credentials for Graph (``tenant_id``, ``client_id``, ``client_secret``,
    ``authority_url``, ``ca_bundle`` from ``settings``)."""
    return ClientCredentials(settings, GRAPH_SCOPE, consent="the Mail.Read application permission")


def mailbox_path(mailbox: str) -> str:
    return f"/users/{quote(mailbox, safe='@')}"


def probe(settings: Mapping[str, Any]) -> None:
    """Get a token and read the mailbox's Inbox id: raises ``AuthorizationError`` when the
    credentials are refused and ``ApiError`` when Graph refuses the mailbox (403
    ``ErrorAccessDenied``: no Mail.Read role or an application access policy; 404
    ``ErrorInvalidUser``: no such mailbox)."""
    credentials = graph_credentials(settings)
    client = ApiClient(credentials.token, ca_bundle=settings.get("ca_bundle") or None, max_attempts=3)
    api_url = str(settings.get("api_url") or DEFAULT_API_URL).rstrip("/")
    client.get_json(
        f"{api_url}{mailbox_path(str(settings['mailbox']))}/mailFolders/inbox",
        params={"$select": "id"},
        headers={"Prefer": PREFER_IMMUTABLE_ID},
    )
