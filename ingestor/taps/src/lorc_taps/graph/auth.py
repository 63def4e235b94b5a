"""App-only sign-in to Microsoft Graph (client credentials through ``msal``) and the one
cheap call that proves a mailbox answers; shared by the tap, ``lorc connect exchange`` and
``lorc doctor``.

Secrets never reach a log line or an exception: errors carry the token endpoint's error
name and AADSTS code only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import msal
import requests

from lorc_taps.http import ApiClient, ApiError, AuthorizationError, verifying_session

DEFAULT_API_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
# Ids stay the same when a message moves to another folder (sent on every request).
PREFER_IMMUTABLE_ID = 'IdType="ImmutableId"'
# What each refusal means for the person who set the connection up.
REFUSALS = {
    "invalid_client": "the client secret was refused (wrong, expired or deleted secret)",
    "unauthorized_client": "the application (client id) is not known in this tenant",
    "invalid_grant": "the grant was refused",
    "invalid_tenant": "the tenant id is not known",
    "invalid_request": "the request was refused",
}
CONSENT_MISSING = "65001"
_AADSTS = re.compile(r"AADSTS(\d+)")


class GraphAuthorizationError(AuthorizationError):
    """The identity platform refused the app; ``refusal`` names why (a key of ``REFUSALS``,
    or ``consent_missing``) so callers can name the fix."""

    def __init__(self, refusal: str, reason: str) -> None:
        self.refusal = refusal
        super().__init__(reason)


class GraphCredentials:
    """An ``msal`` confidential client for one tenant; its :meth:`token` is the
    ``TokenProvider`` of :class:`lorc_taps.http.ApiClient`."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        authority_url = str(settings.get("authority_url") or DEFAULT_AUTHORITY_URL).rstrip("/")
        session = verifying_session(settings.get("ca_bundle") or None)
        try:
            self._app = msal.ConfidentialClientApplication(
                str(settings["client_id"]),
                client_credential=str(settings["client_secret"]),
                authority=f"{authority_url}/{settings['tenant_id']}",
                http_client=session,
                # Instance discovery asks login.microsoftonline.com about the authority's
                # host; a test server's host is not known there.
                instance_discovery=None if authority_url == DEFAULT_AUTHORITY_URL else False,
            )
        except ValueError:  # msal's tenant discovery failed: an unknown tenant
            raise GraphAuthorizationError("invalid_tenant", f"{REFUSALS['invalid_tenant']} (check tenant_id)") from None
        except requests.RequestException as exc:
            raise ApiError(0, "/oauth2/v2.0/token", type(exc).__name__) from None

    def token(self, force_new: bool = False) -> str:
        """An access token for Graph; ``force_new`` drops the cached one (Graph refused it)."""
        if force_new:
            self._app.remove_tokens_for_client()
        try:
            result = self._app.acquire_token_for_client(scopes=GRAPH_SCOPES)
        except requests.RequestException as exc:
            raise ApiError(0, "/oauth2/v2.0/token", type(exc).__name__) from None
        if "access_token" in result:
            return str(result["access_token"])
        raise refusal(result)


def refusal(result: Mapping[str, Any]) -> Exception:
    """The exception for a token endpoint error: ``AuthorizationError`` when the stored
    credentials or the tenant's consent are the problem, ``ApiError`` otherwise."""
    error = str(result.get("error") or "unknown")
    codes = [str(c) for c in result.get("error_codes") or []]
    codes += _AADSTS.findall(str(result.get("error_description") or ""))
    code = codes[0] if codes else None
    if CONSENT_MISSING in codes:
        return GraphAuthorizationError("consent_missing", "admin consent for the Mail.Read application permission "
                                       f"is missing (invalid_grant AADSTS{CONSENT_MISSING})")
    if error in REFUSALS:
        return GraphAuthorizationError(error, f"{REFUSALS[error]} ({error}{f' AADSTS{code}' if code else ''})")
    return ApiError(400, "/oauth2/v2.0/token", error)


def mailbox_path(mailbox: str) -> str:
    return f"/users/{quote(mailbox, safe='@')}"


def probe(settings: Mapping[str, Any]) -> None:
    """Get a token and read the mailbox's Inbox id: raises ``AuthorizationError`` when the
    credentials are refused and ``ApiError`` when Graph refuses the mailbox (403
    ``ErrorAccessDenied``: no Mail.Read role or an application access policy; 404
    ``ErrorInvalidUser``: no such mailbox)."""
    credentials = GraphCredentials(settings)
    client = ApiClient(credentials.token, ca_bundle=settings.get("ca_bundle") or None, max_attempts=3)
    api_url = str(settings.get("api_url") or DEFAULT_API_URL).rstrip("/")
    client.get_json(f"{api_url}{mailbox_path(str(settings['mailbox']))}/mailFolders/inbox",
                    params={"$select": "id"}, headers={"Prefer": PREFER_IMMUTABLE_ID})
