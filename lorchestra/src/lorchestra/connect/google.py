"""``lorc connect google NAME...`` (and ``lorc connect gmail NAME``): Google's installed-app
OAuth flow with a loopback redirect.

The practice's Google Workspace admin creates an OAuth client of type "Desktop app" in a
Cloud project; its id and secret go in here. The user signs in once in a browser and grants
exactly the scopes the named connections need — ``gmail.readonly`` for a mailbox,
``forms.body.readonly`` and ``forms.responses.readonly`` for a form,
``spreadsheets.readonly`` for a response sheet — plus any picked with ``--scope``, so one
authorisation of the practice's account can cover its mailbox, its forms and its sheet.
Google redirects to a one-shot server on 127.0.0.1, the code is exchanged for a refresh
token, and each connection's source is probed once with it. Nothing here prints or logs a
secret; the caller stores what is returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from lorc_taps.google_auth import (
    API_SCOPES,
    DEFAULT_TOKEN_URL,
    FORMS_SCOPES,
    GMAIL_SCOPE,
    SHEETS_SCOPE,
    probe,
)
from lorc_taps.http import ApiError, AuthorizationError, SettingError
from lorchestra.connect.errors import ConnectError
from lorchestra.connections import Connection

DEFAULT_AUTH_URL = "https://accounts.google.com/o/oauth2/auth"
PROMPT = "Open this address in a browser and sign in as {account}:\n{{url}}"
SYSTEM_SCOPES: Mapping[str, tuple[str, ...]] = {
    "gmail": (GMAIL_SCOPE,),
    "google_forms": FORMS_SCOPES,
    "google_sheets": (SHEETS_SCOPE,),
}
PICKABLE = tuple(API_SCOPES)  # --scope gmail|forms|sheets


class GoogleConnectError(ConnectError):
    """The sign-in finished without a usable grant (no refresh token, nobody signed in), or
    a Google source does not answer with it."""


def google_sign_in(
    *,
    client_id: str,
    client_secret: str,
    scopes: Iterable[str],
    account: str | None = None,
    auth_url: str = DEFAULT_AUTH_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    ca_bundle: str | None = None,
    open_browser: bool = True,
    timeout_seconds: int = 600,
) -> str:
    """Run the consent flow for ``scopes`` (as ``account`` when given); the refresh token.

    Raises ``AuthorizationError`` when Google refuses the client or the grant,
    ``GoogleConnectError`` when nobody signed in or no refresh token came back.
    """
    client_config = {
        "installed": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": auth_url,
            "token_uri": token_url,
            "redirect_uris": ["http://127.0.0.1"],
        }
    }
    flow = InstalledAppFlow.from_client_config(client_config, scopes=sorted(set(scopes)))
    if ca_bundle:
        flow.oauth2session.verify = ca_bundle
        flow.oauth2session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides ``verify``
    hint = {"login_hint": account} if account else {}
    try:
        credentials = flow.run_local_server(
            host="127.0.0.1",
            port=0,
            open_browser=open_browser,
            timeout_seconds=timeout_seconds,
            authorization_prompt_message=PROMPT.format(account=account or "the practice's Google account"),
            # A refresh token comes only with offline access, and only on a fresh consent.
            access_type="offline",
            prompt="consent",
            **hint,
        )
    except OAuth2Error as exc:
        raise AuthorizationError(f"the Google token endpoint answered {exc.error}") from None
    except WSGITimeoutError:
        raise GoogleConnectError("nobody signed in before the time ran out; run it again") from None
    if not credentials.refresh_token:
        raise GoogleConnectError(
            "Google granted no refresh token: remove the app's access in the Google "
            "account's security settings and run `lorc connect` again"
        )
    return str(credentials.refresh_token)


def verify_google(connection: Connection, secrets: Mapping[str, str]) -> None:
    """Refresh a token with ``secrets`` and make the connection's one cheap call (the
    mailbox's profile, the form, the sheet's tab); raise ``ConnectError`` naming the fix."""
    settings = {**connection.tap_settings(), **secrets}
    try:
        probe(settings, SYSTEM_SCOPES[connection.system])
    except AuthorizationError as exc:
        raise GoogleConnectError(
            f"Google refused the stored sign-in ({_reason(exc)})", fix=f"run `{connection.connect_command}`"
        ) from None
    except SettingError as exc:
        raise GoogleConnectError(
            f"{connection.described}: {exc.reason}",
            fix=f"correct `{exc.setting}` of connection {connection.name} in config.yaml, or "
            "share it with the signed-in Google account",
        ) from None
    except ApiError as exc:
        raise GoogleConnectError(
            f"{connection.described} did not answer: {exc}", fix=source_fix(connection, exc)
        ) from None


def source_fix(connection: Connection, error: ApiError) -> str:
    api = {"gmail": "Gmail API", "google_forms": "Google Forms API", "google_sheets": "Google Sheets API"}
    if error.status in (401, 403):
        who = "the mailbox's own user" if connection.system == "gmail" else "an account that may edit it"
        return (
            f"enable the {api[connection.system]} in the OAuth client's Cloud project, and sign in as {who}: "
            f"`{connection.connect_command}`"
        )
    if error.status == 400 and connection.system == "gmail":
        return "check the connection's mailbox in config.yaml: it must be the signed-in user's address"
    if error.status == 0:
        return "check the network and the connection's api_url/token_url settings"
    return "try again later; if it persists, check Google Workspace's status page"


def _reason(error: AuthorizationError) -> str:
    """The refusal without the marker lorc reads from tap logs."""
    return str(error).split(": ", 1)[-1]
