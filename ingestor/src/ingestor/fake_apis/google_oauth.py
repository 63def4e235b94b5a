"""The fake Google's sign-in: accounts, scopes, the consent screen and the token endpoint.

Refresh tokens are signed over (account, scopes) with a fixed key, so a server started
later accepts what an earlier one handed out (they live in ``$LORC_HOME/.env``); access
tokens are the base server's expiring tokens and carry the same grant. Each API checks
its scope and answers Google's 403 ``ACCESS_TOKEN_SCOPE_INSUFFICIENT`` without it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from ingestor.fake_apis.server import FakeApiServer, FakeRequest, FakeResponse

GMAIL_SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
FORMS_BODY_SCOPE = "https://www.googleapis.com/auth/forms.body.readonly"
FORMS_RESPONSES_SCOPE = "https://www.googleapis.com/auth/forms.responses.readonly"
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly"
KNOWN_SCOPES = frozenset({GMAIL_SCOPE, FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE, SHEETS_SCOPE})
CLIENT_ID = "lorc-fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "lorc-fake-client-secret"
# The practice's Google account that owns the forms and their linked spreadsheet.
PRACTICE_ACCOUNT = "praxis@praxis-weber.example"
# Refresh tokens must survive the server, so they are signed with a fixed key: this is a
# fake, and the key guards nothing.
_REFRESH_KEY = b"lorc fake google refresh tokens"

Grant = tuple[str, frozenset[str]]
"""(account, granted scopes)"""


def api_error(code: int, status: str, message: str, reason: str) -> FakeResponse:
    """Google's JSON error body for its REST APIs."""
    return FakeResponse(
        code,
        {
            "error": {
                "code": code,
                "message": message,
                "status": status,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
            }
        },
    )


def oauth_error(code: int, error: str, description: str) -> FakeResponse:
    """Google's error body for its token endpoint."""
    return FakeResponse(code, {"error": error, "error_description": description})


def scope_insufficient(service: str) -> FakeResponse:
    """Google's 403 for a token without the method's scope (an ErrorInfo in ``details``)."""
    message = "Request had insufficient authentication scopes."
    return FakeResponse(
        403,
        {
            "error": {
                "code": 403,
                "message": message,
                "status": "PERMISSION_DENIED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                        "domain": "googleapis.com",
                        "metadata": {"service": service},
                    }
                ],
            }
        },
    )


def refresh_token_for(account: str, scopes: Iterable[str] = (GMAIL_SCOPE,)) -> str:
    """The refresh token the fake hands out for ``account`` granting ``scopes``."""
    payload = json.dumps([account, sorted(set(scopes))]).encode()
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    signature = hmac.new(_REFRESH_KEY, payload, hashlib.sha256).hexdigest()[:32]
    return f"1//lorc-fake.{encoded}.{signature}"


def grant_of_refresh_token(token: str) -> Grant | None:
    prefix, _, rest = token.partition(".")
    encoded, _, signature = rest.partition(".")
    if prefix != "1//lorc-fake" or not signature:
        return None
    try:
        account, scopes = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(refresh_token_for(account, scopes), token):
        return None
    return account, frozenset(scopes)


def opaque_token(key: Any) -> str:
    """A page token as APIs hand them out: opaque to the client, decodable by the fake."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def opaque_key(token: str | None) -> Any:
    """What ``opaque_token`` encoded; None for no token or one the fake never made."""
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None


class GoogleOAuth(FakeApiServer):
    """The OAuth endpoints; subclasses say which accounts exist (``account_exists``)."""

    def _init_oauth(self) -> None:
        self.revoked: set[str] = set()
        self.access_token_ttl = 3600.0
        self.advertised_expires_in = 3599
        self.consent_mailbox: str | None = None
        self.route("POST", r"/token", self._token)
        self.route("GET", r"/o/oauth2/auth", self._consent)

    def account_exists(self, account: str) -> bool:
        raise NotImplementedError

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/o/oauth2/auth"

    def client_settings(self, account: str, scopes: Iterable[str]) -> dict[str, str]:
        """What a tap needs to sign in as ``account`` with ``scopes`` (and trust the server)."""
        settings = {
            "api_url": self.url,
            "token_url": self.token_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token_for(account, scopes),
        }
        if self.ca_path is not None:
            settings["ca_bundle"] = str(self.ca_path)
        return settings

    # --- checks the APIs make ---------------------------------------------------------------------
    def grant(self, request: FakeRequest) -> Grant | None:
        """The account and scopes of the request's valid bearer token; None otherwise."""
        subject = self.token_subject(request)
        if subject is None:
            return None
        account, scopes = json.loads(subject)
        return account, frozenset(scopes)

    def authorize(self, request: FakeRequest, service: str, *accepted: str) -> str | FakeResponse:
        """The account when the token is valid and carries one of the ``accepted`` scopes,
        else Google's 401 or 403."""
        grant = self.grant(request)
        if grant is None:
            return api_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "authError")
        account, scopes = grant
        if not scopes.intersection(accepted):
            return scope_insufficient(service)
        return account

    # --- the endpoints ------------------------------------------------------------------------------
    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.header("Authorization") or ""
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return oauth_error(401, "invalid_client", "The OAuth client was not found.")
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            grant = grant_of_refresh_token(form.get("refresh_token", ""))
            if grant is None or grant[0] in self.revoked or not self.account_exists(grant[0]):
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            return FakeResponse(200, self._access_token(*grant))
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + str(grant_type))

    def _access_token(self, account: str, scopes: Iterable[str]) -> dict[str, Any]:
        granted = sorted(set(scopes))
        return {
            "access_token": self.issue_token(json.dumps([account, granted]), self.access_token_ttl),
            "expires_in": self.advertised_expires_in,
            "scope": " ".join(granted),
            "token_type": "Bearer",
        }

    def _consent(self, request: FakeRequest) -> FakeResponse:
        """The consent screen, already agreed to for every scope asked: redirect at once with a code."""
        redirect_uri = request.param("redirect_uri") or ""
        if request.param("client_id") != CLIENT_ID:
            return FakeResponse(401, b"Error 401: invalid_client", {"Content-Type": "text/html"})
        if (
            urlsplit(redirect_uri).hostname not in ("localhost", "127.0.0.1")
            or request.param("response_type") != "code"
        ):
            return FakeResponse(400, b"Error 400: invalid_request", {"Content-Type": "text/html"})
        scopes = (request.param("scope") or "").split()
        if not scopes or not KNOWN_SCOPES.issuperset(scopes):
            return FakeResponse(400, b"Error 400: invalid_scope", {"Content-Type": "text/html"})
        account = request.param("login_hint") or self.consent_mailbox or PRACTICE_ACCOUNT
        code = self.issue_token(
            json.dumps(
                {
                    "account": account,
                    "scopes": sorted(set(scopes)),
                    "redirect_uri": redirect_uri,
                    "challenge": request.param("code_challenge"),
                    "offline": request.param("access_type") == "offline",
                }
            ),
            ttl=600,
        )
        query = urlencode({"state": request.param("state") or "", "code": code, "scope": " ".join(scopes)})
        return FakeResponse(302, None, {"Location": f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"})

    def _exchange_code(self, form: dict[str, str]) -> FakeResponse:
        subject = self.verify_token(form.get("code", ""))
        grant = json.loads(subject) if subject else None
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return oauth_error(400, "invalid_grant", "Malformed auth code.")
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
            if not hmac.compare_digest(digest, grant["challenge"]):
                return oauth_error(400, "invalid_grant", "Invalid code verifier.")
        body = self._access_token(grant["account"], grant["scopes"])
        if grant["offline"]:
            body["refresh_token"] = refresh_token_for(grant["account"], grant["scopes"])
        return FakeResponse(200, body)
