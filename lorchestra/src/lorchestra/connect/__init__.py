"""``lorc connect SYSTEM NAME``: sign a connection in once and keep its secrets in
``$LORC_HOME/.env`` under the connection's own names (see ``lorchestra.connections``).

Each vendor's sign-in is a module of its own (``google``, ``exchange``, ``dataverse``); this package
stores what they return and never prints a value, only the names it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from lorchestra.config import load_config
from lorchestra.connect.errors import ConnectError
from lorchestra.connections import Connection, env_name, find_connection
from lorchestra.dotenv import store_secrets
from lorchestra.home import PhiHome


def verify_connection(connection: Connection, secrets: Mapping[str, str]) -> str:
    """Sign in with ``secrets`` (tap setting names) and make one cheap call on the source;
    what it found, or ``ConnectError`` naming the fix."""
    if connection.system == "dataverse":
        from lorchestra.connect.dataverse import described, verify_dataverse

        return described(verify_dataverse(connection, secrets))
    if connection.system == "exchange":
        from lorchestra.connect.exchange import connect_exchange

        connect_exchange(
            connection.name,
            connection.mailbox,
            tenant_id=secrets["tenant_id"],
            client_id=secrets["client_id"],
            client_secret=secrets["client_secret"],
            endpoints=dict(connection.endpoints),
        )
    else:
        from lorchestra.connect.google import verify_google

        verify_google(connection, secrets)
    return f"{connection.described}: signed in, it answers"


def store_connection_secrets(home: PhiHome, connection_name: str, values: Mapping[str, str]) -> list[str]:
    """Store ``{KEY: value}`` as ``<CONNECTION>_<KEY>`` in ``.env``; the names stored."""
    named = {f"{env_name(connection_name)}_{key}": value for key, value in values.items()}
    store_secrets(home.dotenv_path, named)
    return sorted(named)


def connect_exchange_mailbox(
    home: PhiHome, name: str, *, tenant_id: str, client_id: str, client_secret: str
) -> list[str]:
    """``lorc connect exchange NAME``: verify the app registration's credentials against the
    connection's mailbox and store them; the names stored."""
    from lorchestra.connect.exchange import connect_exchange

    connection = _configured(home, name, "exchange")
    values = connect_exchange(
        connection.name,
        connection.mailbox,
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=client_secret,
        endpoints=dict(connection.endpoints),
    )
    return store_connection_secrets(home, connection.name, values)


def connect_dataverse_environment(
    home: PhiHome, name: str, *, tenant_id: str, client_id: str, client_secret: str
) -> tuple[list[str], str]:
    """``lorc connect dataverse NAME``: verify the app's credentials against the connection's
    environment and session table, and store them; the names stored and what was found."""
    from lorchestra.connect.dataverse import connect_dataverse, described

    connection = _configured(home, name, "dataverse")
    values, found = connect_dataverse(connection, tenant_id=tenant_id, client_id=client_id, client_secret=client_secret)
    return store_connection_secrets(home, connection.name, values), described(found)


def connect_google_accounts(
    home: PhiHome,
    names: Sequence[str],
    *,
    ask: Callable[[str, bool], str],
    scopes: Sequence[str] = (),
    client_id: str | None = None,
    client_secret: str | None = None,
    open_browser: bool = True,
    mailboxes_only: bool = False,
) -> list[str]:
    """``lorc connect google NAME...``: one Google sign-in whose scopes cover every named
    connection (a mailbox, forms, a sheet) plus the APIs picked in ``scopes`` (``gmail``,
    ``forms``, ``sheets``); then each connection's source is probed once and its client id,
    secret and refresh token are stored under its name. Returns the names stored.

    The client id and secret come from the arguments, else the first connection's or the
    ``GOOGLE_*`` secrets, else ``ask(prompt, hidden)``. A mailbox signs in as itself, so at
    most one mailbox can share a sign-in.
    """
    from lorc_taps.google_auth import API_SCOPES, DEFAULT_TOKEN_URL
    from lorc_taps.http import AuthorizationError
    from lorchestra.connect.google import (
        DEFAULT_AUTH_URL,
        SYSTEM_SCOPES,
        google_sign_in,
        verify_google,
    )

    home.require_private()
    connections = [_configured(home, name, *(("gmail",) if mailboxes_only else SYSTEM_SCOPES)) for name in names]
    mailboxes = sorted({c.mailbox for c in connections if c.system == "gmail"})
    if len(mailboxes) > 1:
        raise ConnectError(
            f"one Google sign-in is one account, but {', '.join(mailboxes)} are different mailboxes",
            fix="sign each mailbox in on its own: `lorc connect gmail NAME`",
        )
    wanted = {scope for c in connections for scope in SYSTEM_SCOPES[c.system]}
    wanted |= {scope for api in scopes for scope in API_SCOPES[api]}
    known, _ = connections[0].secrets(load_config(home).secrets)
    client_id = client_id or known.get("client_id") or ask("OAuth client ID (Desktop app)", False)
    client_secret = client_secret or known.get("client_secret") or ask("OAuth client secret", True)
    endpoints = dict(connections[0].endpoints)
    try:
        refresh_token = google_sign_in(
            client_id=client_id,
            client_secret=client_secret,
            scopes=wanted,
            account=next(iter(mailboxes), None),
            auth_url=endpoints.get("auth_url", DEFAULT_AUTH_URL),
            open_browser=open_browser,
            token_url=endpoints.get("token_url", DEFAULT_TOKEN_URL),
            ca_bundle=endpoints.get("ca_bundle"),
        )
    except AuthorizationError:
        raise ConnectError(
            "Google refused the OAuth client or the grant",
            fix="check the client id and secret of the Cloud project's Desktop app client "
            "(README, Going to production), then run `lorc connect` again",
        ) from None
    values = {"CLIENT_ID": client_id, "CLIENT_SECRET": client_secret, "REFRESH_TOKEN": refresh_token}
    for connection in connections:  # every source answers before anything is stored
        verify_google(connection, {key.lower(): value for key, value in values.items()})
    return [name for c in connections for name in store_connection_secrets(home, c.name, values)]


def _configured(home: PhiHome, name: str, *systems: str) -> Connection:
    home.require_private()
    try:
        connection = find_connection(load_config(home), name)
    except ValueError as exc:
        raise ConnectError(str(exc)) from None
    if connection.system not in systems:
        raise ConnectError(
            f"connection {name} is a {connection.system} connection in {home.config_path}: "
            f"run `{connection.connect_command}`"
        )
    return connection
