"""``lorc connect SYSTEM NAME``: sign a connection in once and keep its secrets in
``$LORC_HOME/.env`` under the connection's own names (see ``lorchestra.connections``).

Each system's sign-in is a module of its own (``gmail``, ``exchange``); this package
stores what they return and never prints a value, only the names it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lorchestra.config import load_config
from lorchestra.connections import Connection, env_name, find_connection
from lorchestra.dotenv import store_secrets
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome


class ConnectError(LorcError):
    """A connection cannot sign in or read its mailbox; the message names the cause and
    the fix, never a secret."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(f"{message}; {fix}" if fix else message)
        self.detail = message
        self.fix = fix


def verify_connection(connection: Connection, secrets: Mapping[str, str]) -> None:
    """Sign in with ``secrets`` (tap setting names) and make one cheap call on the mailbox;
    raise ``ConnectError`` naming the fix otherwise."""
    endpoints = dict(connection.endpoints)
    if connection.system == "exchange":
        from lorchestra.connect.exchange import connect_exchange

        connect_exchange(connection.name, connection.mailbox, tenant_id=secrets["tenant_id"],
                         client_id=secrets["client_id"], client_secret=secrets["client_secret"], endpoints=endpoints)
    else:
        from lorchestra.connect.gmail import verify_gmail

        verify_gmail(connection.name, connection.mailbox, secrets, endpoints=endpoints)


def store_connection_secrets(home: PhiHome, connection_name: str, values: Mapping[str, str]) -> list[str]:
    """Store ``{KEY: value}`` as ``<CONNECTION>_<KEY>`` in ``.env``; the names stored."""
    named = {f"{env_name(connection_name)}_{key}": value for key, value in values.items()}
    store_secrets(home.dotenv_path, named)
    return sorted(named)


def connect_exchange_mailbox(home: PhiHome, name: str, *, tenant_id: str, client_id: str, client_secret: str
                             ) -> list[str]:
    """``lorc connect exchange NAME``: verify the app registration's credentials against the
    connection's mailbox and store them; the names stored."""
    from lorchestra.connect.exchange import connect_exchange

    connection = _configured(home, name, "exchange")
    values = connect_exchange(connection.name, connection.mailbox, tenant_id=tenant_id, client_id=client_id,
                              client_secret=client_secret, endpoints=dict(connection.endpoints))
    return store_connection_secrets(home, connection.name, values)


def connect_gmail_mailbox(home: PhiHome, name: str, *, ask: Callable[[str, bool], str],
                          client_id: str | None = None, client_secret: str | None = None,
                          open_browser: bool = True) -> list[str]:
    """``lorc connect gmail NAME``: Google's installed-app sign-in for the connection's
    mailbox (``gmail.readonly``), then one call on the mailbox; stores client id, secret and
    refresh token and returns the names stored. The client id and secret come from the
    arguments, else the connection's or ``GOOGLE_*`` secrets, else ``ask(prompt, hidden)``."""
    from lorc_taps.http import ApiError, AuthorizationError

    from lorchestra.connect.gmail import DEFAULT_AUTH_URL, connect_gmail, mailbox_fix

    connection = _configured(home, name, "gmail")
    known, _ = connection.secrets(load_config(home).secrets)
    client_id = client_id or known.get("client_id") or ask("OAuth client ID (Desktop app)", False)
    client_secret = client_secret or known.get("client_secret") or ask("OAuth client secret", True)
    endpoints = dict(connection.endpoints)
    try:
        values = connect_gmail(mailbox=connection.mailbox, client_id=client_id, client_secret=client_secret,
                               auth_url=endpoints.get("auth_url", DEFAULT_AUTH_URL),
                               **{k: v for k, v in endpoints.items() if k in ("token_url", "api_url", "ca_bundle")},
                               open_browser=open_browser)
    except AuthorizationError:
        raise ConnectError("Google refused the OAuth client or the grant",
                           fix="check the client id and secret of the Cloud project's Desktop app client "
                               f"(README, Going to production), then run `lorc connect gmail {name}` again") from None
    except ApiError as exc:
        raise ConnectError(f"signed in, but the mailbox {connection.mailbox} did not answer: {exc}",
                           fix=mailbox_fix(name, exc)) from None
    return store_connection_secrets(home, connection.name, values)


def _configured(home: PhiHome, name: str, system: str) -> Connection:
    home.require_private()
    try:
        connection = find_connection(load_config(home), name)
    except ValueError as exc:
        raise ConnectError(str(exc)) from None
    if connection.system != system:
        raise ConnectError(f"connection {name} is a {connection.system} connection in {home.config_path}: "
                           f"run `{connection.connect_command}`")
    return connection

