"""App-only sign-in to a Microsoft resource (client credentials through ``msal``), shared by
the Graph mail tap and the Dataverse tap: one tenant, one application, one ``.default`` scope.

Secrets never reach a log line or an exception: errors carry the token endpoint's error
name and AADSTS code only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msal
import requests
from singer_sdk import typing as th

from lorc_taps.http import ApiError, AuthorizationError, verifying_session

DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
TOKEN_PATH = "/oauth2/v2.0/token"
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


def app_settings() -> list[th.Property[Any]]:
    """The settings every Microsoft tap signs in with (app-only), for its ``config_jsonschema``."""
    return [
        th.Property("tenant_id", th.StringType, required=True, description="The Microsoft Entra tenant id."),
        th.Property(
            "client_id",
            th.StringType,
            required=True,
            secret=True,
            description="The application (client) id of the app registration.",
        ),
        th.Property(
            "client_secret",
            th.StringType,
            required=True,
            secret=True,
            description="A client secret of the app registration.",
        ),
        th.Property(
            "authority_url",
            th.StringType,
            default=DEFAULT_AUTHORITY_URL,
            description="The sign-in authority host; msal's authority is <authority_url>/<tenant_id>.",
        ),
        th.Property(
            "ca_bundle",
            th.StringType,
            description="A PEM file of CA certificates to verify TLS with (a test server's).",
        ),
    ]


class MicrosoftAuthorizationError(AuthorizationError):
    """The identity platform refused the app; ``refusal`` names why (a key of ``REFUSALS``,
    or ``consent_missing``) so callers can name the fix."""

    def __init__(self, refusal: str, reason: str) -> None:
        self.refusal = refusal
        super().__init__(reason)


class ClientCredentials:
    """An ``msal`` confidential client for one tenant and one resource ``scope``; its
    :meth:`token` is the ``TokenProvider`` of :class:`lorc_taps.http.ApiClient`.

    ``consent`` names what an administrator must consent to, for the AADSTS65001 message.
    """

    def __init__(self, settings: Mapping[str, Any], scope: str, *, consent: str) -> None:
        authority_url = str(settings.get("authority_url") or DEFAULT_AUTHORITY_URL).rstrip("/")
        self._scopes = [scope]
        self._consent = consent
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
            raise MicrosoftAuthorizationError(
                "invalid_tenant", f"{REFUSALS['invalid_tenant']} (check tenant_id)"
            ) from None
        except requests.RequestException as exc:
            raise ApiError(0, TOKEN_PATH, type(exc).__name__) from None

    def token(self, force_new: bool = False) -> str:
        """An access token for the scope; ``force_new`` drops the cached one (the API refused it)."""
        if force_new:
            self._app.remove_tokens_for_client()
        try:
            result = self._app.acquire_token_for_client(scopes=self._scopes)
        except requests.RequestException as exc:
            raise ApiError(0, TOKEN_PATH, type(exc).__name__) from None
        if "access_token" in result:
            return str(result["access_token"])
        raise refusal(result, self._consent)


def refusal(result: Mapping[str, Any], consent: str) -> Exception:
    """The exception for a token endpoint error: ``AuthorizationError`` when the stored
    credentials or the tenant's consent are the problem, ``ApiError`` otherwise."""
    error = str(result.get("error") or "unknown")
    codes = [str(c) for c in result.get("error_codes") or []]
    codes += _AADSTS.findall(str(result.get("error_description") or ""))
    code = codes[0] if codes else None
    if CONSENT_MISSING in codes:
        return MicrosoftAuthorizationError(
            "consent_missing", f"admin consent for {consent} is missing (invalid_grant AADSTS{CONSENT_MISSING})"
        )
    if error in REFUSALS:
        return MicrosoftAuthorizationError(error, f"{REFUSALS[error]} ({error}{f' AADSTS{code}' if code else ''})")
    return ApiError(400, TOKEN_PATH, error)
