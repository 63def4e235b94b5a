"""``lorc connect google|gmail|exchange|dataverse NAME``: sign a connection in once (see ``lorchestra.connect``)."""

from __future__ import annotations

from collections.abc import Callable

import click

from lorchestra.cli_common import fail_cleanly
from lorchestra.home import PhiHome


@click.group()
def connect() -> None:
    """Sign a connection in once; its secrets go to $LORC_HOME/.env (0600), never printed."""


_CLIENT_ID = click.option("--client-id", help="The OAuth client's id (default: the stored one, else asked for).")
_CLIENT_SECRET = click.option(
    "--client-secret", help="Better left out: it is then taken from .env or asked for without echo."
)
_NO_BROWSER = click.option(
    "--no-browser", is_flag=True, help="Only print the sign-in address (e.g. over SSH with a tunnel)."
)


def _app_registration(command: Callable[..., None]) -> Callable[..., None]:
    """The Microsoft Entra app registration's tenant id, client id and secret (asked for if not given)."""
    for option in reversed(
        (
            click.option("--tenant-id", prompt="Directory (tenant) ID", help="The app registration's tenant id."),
            click.option("--client-id", prompt="Application (client) ID", help="The app registration's client id."),
            click.option(
                "--client-secret",
                prompt="Client secret value",
                hide_input=True,
                help="Better left out: it is then asked for without echo.",
            ),
        )
    ):
        command = option(command)
    return command


@connect.command("google")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["gmail", "forms", "sheets"]),
    help="Also grant this API (repeatable), beyond what the named connections need.",
)
@_CLIENT_ID
@_CLIENT_SECRET
@_NO_BROWSER
@click.pass_obj
@fail_cleanly
def connect_google_cmd(
    home: PhiHome,
    names: tuple[str, ...],
    scopes: tuple[str, ...],
    client_id: str | None,
    client_secret: str | None,
    no_browser: bool,
) -> None:
    """Sign Google connections in with one consent: a mailbox, forms and response sheets of one account."""
    from lorchestra.connect import connect_google_accounts

    stored = connect_google_accounts(
        home,
        names,
        scopes=scopes,
        client_id=client_id,
        client_secret=client_secret,
        open_browser=not no_browser,
        ask=lambda prompt, hidden: click.prompt(prompt, hide_input=hidden),
    )
    click.echo(
        f"connection(s) {', '.join(names)}: signed in and each answers; stored {', '.join(stored)} "
        f"in {home.dotenv_path}"
    )


@connect.command("gmail")
@click.argument("name")
@_CLIENT_ID
@_CLIENT_SECRET
@_NO_BROWSER
@click.pass_obj
@fail_cleanly
def connect_gmail_cmd(
    home: PhiHome, name: str, client_id: str | None, client_secret: str | None, no_browser: bool
) -> None:
    """Sign a Gmail mailbox in (Google's consent page, gmail.readonly only) and keep its refresh token."""
    from lorchestra.connect import connect_google_accounts

    stored = connect_google_accounts(
        home,
        [name],
        client_id=client_id,
        client_secret=client_secret,
        open_browser=not no_browser,
        mailboxes_only=True,
        ask=lambda prompt, hidden: click.prompt(prompt, hide_input=hidden),
    )
    click.echo(
        f"connection {name}: signed in and the mailbox answers; stored {', '.join(stored)} in {home.dotenv_path}"
    )


@connect.command("exchange")
@click.argument("name")
@_app_registration
@click.pass_obj
@fail_cleanly
def connect_exchange_cmd(home: PhiHome, name: str, tenant_id: str, client_id: str, client_secret: str) -> None:
    """Check an Exchange Online connection's app credentials (a token, one mailbox call) and keep them."""
    from lorchestra.connect import connect_exchange_mailbox

    stored = connect_exchange_mailbox(home, name, tenant_id=tenant_id, client_id=client_id, client_secret=client_secret)
    click.echo(
        f"connection {name}: signed in and the mailbox answers; stored {', '.join(stored)} in {home.dotenv_path}"
    )


@connect.command("dataverse")
@click.argument("name")
@_app_registration
@click.pass_obj
@fail_cleanly
def connect_dataverse_cmd(home: PhiHome, name: str, tenant_id: str, client_id: str, client_secret: str) -> None:
    """Check a Dataverse connection's app credentials (a token, WhoAmI, the session table) and keep them."""
    from lorchestra.connect import connect_dataverse_environment

    stored, found = connect_dataverse_environment(
        home, name, tenant_id=tenant_id, client_id=client_id, client_secret=client_secret
    )
    click.echo(f"connection {name}: {found}; stored {', '.join(stored)} in {home.dotenv_path}")
