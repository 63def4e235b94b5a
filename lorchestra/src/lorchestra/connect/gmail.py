"""``lorc connect gmail NAME``: Google's installed-app OAuth flow with a loopback redirect.

The practice's Google Workspace admin creates an OAuth client of type "Desktop app" in a
Cloud project; its id and secret go in here. The user signs in once in a browser and
grants ``gmail.readonly`` (nothing else is asked for); Google redirects to a one-shot
server on 127.0.0.1, the code is exchanged for a refresh token, and the mailbox is probed
once with it. Nothing here prints or logs a secret; the caller stores what is returned.
"""

from __future__ import annotations

from collections.abc import Mapping

from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
from lorc_taps.gmail.client import DEFAULT_API_URL
from lorc_taps.google_auth import DEFAULT_TOKEN_URL, GMAIL_SCOPE, probe
from lorc_taps.http import ApiError, AuthorizationError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from lorchestra.connect import ConnectError

DEFAULT_AUTH_URL = "https://accounts.google.com/o/oauth2/auth"
PROMPT = "Open this address in a browser and sign in as {mailbox}:\n{{url}}"


class GmailConnectError(ConnectError):
    """The sign-in finished without a usable grant (no refresh token, nobody signed in)."""


def connect_gmail(
    *,
    mailbox: str,
    client_id: str,
    client_secret: str,
    auth_url: str = DEFAULT_AUTH_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    api_url: str = DEFAULT_API_URL,
    ca_bundle: str | None = None,
    open_browser: bool = True,
    timeout_seconds: int = 600,
) -> dict[str, str]:
    """Run the sign-in for ``mailbox``, probe the mailbox, return ``CLIENT_ID``,
    ``CLIENT_SECRET`` and ``REFRESH_TOKEN`` to store in ``$LORC_HOME/.env``.

    Raises ``AuthorizationError`` when Google refuses the client or the grant,
    ``ApiError`` when the mailbox does not answer, ``GmailConnectError`` otherwise.
    """
    client_config = {"installed": {
        "client_id": client_id, "client_secret": client_secret,
        "auth_uri": auth_url, "token_uri": token_url, "redirect_uris": ["http://127.0.0.1"],
    }}
    flow = InstalledAppFlow.from_client_config(client_config, scopes=[GMAIL_SCOPE])
    if ca_bundle:
        flow.oauth2session.verify = ca_bundle
        flow.oauth2session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides ``verify``
    try:
        credentials = flow.run_local_server(
            host="127.0.0.1", port=0, open_browser=open_browser, timeout_seconds=timeout_seconds,
            authorization_prompt_message=PROMPT.format(mailbox=mailbox), login_hint=mailbox,
            # A refresh token comes only with offline access, and only on a fresh consent.
            access_type="offline", prompt="consent",
        )
    except OAuth2Error as exc:
        raise AuthorizationError(f"the Google token endpoint answered {exc.error}") from None
    except WSGITimeoutError:
        raise GmailConnectError("nobody signed in before the time ran out; run it again") from None
    if not credentials.refresh_token:
        raise GmailConnectError("Google granted no refresh token: remove the app's access in the Google "
                                "account's security settings and run `lorc connect gmail` again")
    secrets = {"CLIENT_ID": client_id, "CLIENT_SECRET": client_secret, "REFRESH_TOKEN": credentials.refresh_token}
    settings = {"mailbox": mailbox, "client_id": client_id, "client_secret": client_secret,
                "refresh_token": credentials.refresh_token, "api_url": api_url, "token_url": token_url}
    if ca_bundle:
        settings["ca_bundle"] = ca_bundle
    probe(settings, (GMAIL_SCOPE,))
    return secrets


def verify_gmail(name: str, mailbox: str, secrets: Mapping[str, str], *, endpoints: Mapping[str, str]) -> None:
    """Refresh a token with the stored secrets and read the mailbox's profile once; raise
    ``ConnectError`` naming the fix (never a secret)."""
    settings = {**{k: v for k, v in endpoints.items() if k != "auth_url"}, **secrets, "mailbox": mailbox}
    try:
        probe(settings, (GMAIL_SCOPE,))
    except AuthorizationError:
        raise GmailConnectError("Google refused the stored sign-in (expired, revoked, or a changed client secret)",
                                fix=f"run `lorc connect gmail {name}`") from None
    except ApiError as exc:
        raise GmailConnectError(f"the mailbox {mailbox} did not answer: {exc}", fix=mailbox_fix(name, exc)) from None


def mailbox_fix(name: str, error: ApiError) -> str:
    if error.status in (401, 403):
        return ("enable the Gmail API in the OAuth client's Cloud project, and sign in as the mailbox's own user: "
                f"`lorc connect gmail {name}`")
    if error.status == 400:
        return "check the connection's mailbox in config.yaml: it must be the signed-in user's address"
    if error.status == 0:
        return "check the network and the connection's api_url/token_url settings"
    return "try again later; if it persists, check Google Workspace's status page"

