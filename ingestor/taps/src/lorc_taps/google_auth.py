"""Google sign-in for every Google tap (Gmail, Forms, Sheets): access tokens from a stored
refresh token, the scopes each API needs, and ``probe`` for ``lorc connect`` and ``lorc doctor``.

One Google authorisation may cover several APIs (the user picks the scopes at consent);
each tap asks only for tokens, the API checks the scope. Nothing here ever logs or raises
with a token, a secret or a response body: errors carry the token endpoint's error code only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from singer_sdk import typing as th

from lorc_taps.http import (
    ApiClient,
    ApiError,
    AuthorizationError,
    verifying_session,
    wait_before_retry,
)

DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
GMAIL_SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
FORMS_SCOPES = (
    "https://www.googleapis.com/auth/forms.body.readonly",
    "https://www.googleapis.com/auth/forms.responses.readonly",
)
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly"
# What each API needs; ``probe`` makes one cheap call for each API whose scopes were granted.
API_SCOPES: dict[str, tuple[str, ...]] = {"gmail": (GMAIL_SCOPE,), "forms": FORMS_SCOPES, "sheets": (SHEETS_SCOPE,)}
# The 403 reason Google gives when the token lacks the method's scope (google.rpc.ErrorInfo).
SCOPE_INSUFFICIENT = "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
# ... and when the API is not enabled in the OAuth client's Cloud project (not a wrong id).
SERVICE_DISABLED = "SERVICE_DISABLED"
# Error codes of the token endpoint that mean "these credentials will never work again".
REFUSED_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "access_denied"})
# Renew this many seconds before the advertised expiry, so no request carries a dying token.
EXPIRY_MARGIN = 60.0
TOKEN_ATTEMPTS = 4
TOKEN_MAX_WAIT = 30.0

logger = logging.getLogger(__name__)


def sign_in_settings(api_url: str, refresh_token_from: str) -> list[th.Property[Any]]:
    """The settings every Google tap signs in with, for its ``config_jsonschema``;
    ``refresh_token_from`` says which ``lorc connect`` gives the token, with its scopes."""
    return [
        th.Property(
            "client_id",
            th.StringType,
            required=True,
            secret=True,
            description="The OAuth client (Desktop app) of the practice's Cloud project.",
        ),
        th.Property("client_secret", th.StringType, required=True, secret=True),
        th.Property("refresh_token", th.StringType, required=True, secret=True, description=refresh_token_from),
        th.Property("api_url", th.StringType, default=api_url),
        th.Property("token_url", th.StringType, default=DEFAULT_TOKEN_URL),
        th.Property("ca_bundle", th.StringType, description="A PEM file of CAs to trust instead of the system's."),
    ]


class ScopeMissingError(AuthorizationError):
    """The sign-in is valid but does not grant the scope a call needs: sign in again granting it."""

    def __init__(self, api: str, scopes: Iterable[str]) -> None:
        self.api = api
        self.scopes = tuple(scopes)
        super().__init__(
            f"the Google sign-in does not grant the {api} scope(s) {' '.join(self.scopes)} "
            f"(HTTP 403, {SCOPE_INSUFFICIENT}): sign in again granting them"
        )


class RefreshTokenSource:
    """Access tokens from the refresh-token grant, cached until shortly before they expire.

    Called as an ``ApiClient`` token provider: ``source(False)`` returns the cached token
    (or a new one), ``source(True)`` forces a new one because the API refused the last.
    ``granted_scopes`` holds the scopes the token endpoint said the last token carries.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        missing = [key for key in ("client_id", "client_secret", "refresh_token") if not settings.get(key)]
        if missing:
            raise AuthorizationError(f"missing setting(s) {', '.join(missing)}")
        self._form = {
            "grant_type": "refresh_token",
            "client_id": str(settings["client_id"]),
            "client_secret": str(settings["client_secret"]),
            "refresh_token": str(settings["refresh_token"]),
        }
        self._token_url = str(settings.get("token_url") or DEFAULT_TOKEN_URL)
        self._sleep = sleep
        self._session = session or verifying_session(settings.get("ca_bundle") or None)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.granted_scopes: frozenset[str] | None = None

    def __call__(self, force: bool) -> str:
        with self._lock:
            if force or self._token is None or time.monotonic() >= self._expires_at:
                self._token, lifetime = self._fetch()
                self._expires_at = time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN)
            return self._token

    def _fetch(self) -> tuple[str, float]:
        path = urlsplit(self._token_url).path
        for attempt in range(1, TOKEN_ATTEMPTS + 1):
            try:
                response = self._session.post(self._token_url, data=self._form, timeout=30)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == TOKEN_ATTEMPTS:
                    raise ApiError(0, path, type(exc).__name__) from None
                self._wait(attempt, None, path, type(exc).__name__)
                continue
            body = _json_object(response)
            if response.status_code == 200 and isinstance(body.get("access_token"), str):
                if isinstance(body.get("scope"), str):
                    self.granted_scopes = frozenset(body["scope"].split())
                return body["access_token"], float(body.get("expires_in") or 3600)
            code = body.get("error") if isinstance(body.get("error"), str) else None
            if code in REFUSED_ERRORS:
                raise AuthorizationError(f"the Google token endpoint answered {code}")
            if (response.status_code == 429 or response.status_code >= 500) and attempt < TOKEN_ATTEMPTS:
                self._wait(attempt, response.headers.get("Retry-After"), path, str(response.status_code))
                continue
            raise ApiError(response.status_code, path, code)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, attempt: int, retry_after: str | None, path: str, why: str) -> None:
        wait_before_retry(attempt, retry_after, path, why, max_wait=TOKEN_MAX_WAIT, sleep=self._sleep)


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def api_client(settings: Mapping[str, Any], *, pool_size: int = 10) -> ApiClient:
    """An ``ApiClient`` authorised by the settings' refresh token."""
    return ApiClient(RefreshTokenSource(settings), ca_bundle=settings.get("ca_bundle") or None, pool_size=pool_size)


def raise_for_scope(error: ApiError, api: str) -> None:
    """Raise ``ScopeMissingError`` when ``error`` is Google's "token lacks the scope" 403."""
    if error.status == 403 and error.code == SCOPE_INSUFFICIENT:
        raise ScopeMissingError(api, API_SCOPES[api]) from None


def names_a_wrong_id(error: ApiError) -> bool:
    """A 404, or a 403 that is about the resource (not a disabled API): the id is wrong or
    the signed-in account may not read it."""
    return error.status == 404 or (error.status == 403 and error.code != SERVICE_DISABLED)


def apis_of(scopes: Iterable[str]) -> list[str]:
    """The APIs (``gmail``, ``forms``, ``sheets``) whose every scope is in ``scopes``."""
    granted = set(scopes)
    return [api for api, needed in API_SCOPES.items() if granted.issuperset(needed)]


def probe(settings: Mapping[str, Any], scopes: Iterable[str]) -> None:
    """Get a token and make the cheap calls for each API that ``scopes`` cover: Gmail's
    ``users.getProfile`` (needs ``mailbox``), Forms' ``forms.get`` and one response
    (``form_id``; each needs its own scope), Sheets' ``spreadsheets.get`` of the tab's
    properties (``spreadsheet_id``, ``sheet``).

    Raises ``AuthorizationError`` when Google refuses the credentials (``ScopeMissingError``
    when the sign-in lacks an API's scope), ``SettingError`` when a form, spreadsheet or tab
    does not exist for this account, ``ApiError`` when an API does not answer (not enabled
    in the Cloud project, wrong mailbox).
    """
    apis = apis_of(scopes)
    if not apis:
        raise ValueError(f"no Google API is covered by the scopes {' '.join(scopes)}")
    client = api_client(settings, pool_size=1)
    for api in apis:
        if api == "gmail":
            from lorc_taps.gmail.client import GmailClient

            GmailClient(settings, client).profile()
        elif api == "forms":
            from lorc_taps.forms.client import FormsClient

            forms = FormsClient(settings, client)
            forms.form()
            next(iter(forms.response_pages(None, page_size=1)), None)  # a consent may grant one Forms scope only
        else:
            from lorc_taps.sheets.client import SheetsClient

            SheetsClient(settings, client).tab()
