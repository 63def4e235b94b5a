"""``lorc serve``: the console on loopback, one start URL printed, nothing else.

Added to ``lorc`` through the ``lorchestra.commands`` entry-point group (lorchestra never
names this package). Another interface than loopback needs TLS: the console serves
patient data, and a session cookie must not cross a network in clear text.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import webbrowser
from pathlib import Path

import click

from lorchestra.cli_common import fail_cleanly
from lorchestra.config import load_config
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome

DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def has_display() -> bool:
    """Whether a graphical browser can open: without one, Python's webbrowser would start a
    text browser (lynx, w3m) in the terminal that runs the server."""
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@click.command()
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="0: any free port."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Another interface needs --tls-cert and --tls-key."
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM private key.")
@click.option("--no-browser", is_flag=True, help="Do not open the start URL in a browser.")
@click.pass_obj
def serve(home: PhiHome, port: int, host: str, tls_cert: Path | None, tls_key: Path | None, no_browser: bool) -> None:
    """Serve the practice console; prints one start URL (its token works once)."""
    tls = tls_cert is not None or tls_key is not None
    if tls and (tls_cert is None or tls_key is None):
        raise click.UsageError("TLS needs both --tls-cert and --tls-key")
    if not is_loopback(host) and not tls:
        raise click.UsageError(
            f"--host {host} is not loopback: the console serves patient data, so another interface "
            "needs TLS; pass --tls-cert FILE --tls-key FILE (or leave --host out to stay on 127.0.0.1)"
        )
    if is_wildcard(host):
        raise click.UsageError(
            f"--host {host} means every interface, and a browser never names that address: pass the one "
            "address (or name) the practice's browsers use, e.g. --host 10.0.0.5; requests for any other "
            "host are refused"
        )
    _serve(home, port, host, tls_cert, tls_key, open_browser=not no_browser)


class CannotListenError(LorcError):
    """The address or port to serve on is taken or not ours."""


@fail_cleanly
def _serve(
    home: PhiHome, port: int, host: str, tls_cert: Path | None, tls_key: Path | None, *, open_browser: bool
) -> None:
    import uvicorn

    from lorc_console import logs
    from lorc_console.app import create_app
    from lorc_console.sessions import new_token

    tls = tls_cert is not None
    config = load_config(home)
    log_path = logs.configure(home)
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise CannotListenError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from None
    sock.listen(128)  # before the URL is printed: a browser that is quick only waits in the backlog
    bound = sock.getsockname()[1]
    token = new_token()
    authority = f"{url_host(host)}:{bound}"
    hosts = [authority] + ([f"localhost:{bound}"] if is_loopback(host) else [])
    app = create_app(config, token=token, tls=tls, hosts=hosts, warm=True)
    url = f"{'https' if tls else 'http'}://{authority}/login?token={token}"
    click.echo(url)
    click.echo(f"log: {log_path}", err=True)
    if open_browser and has_display():
        webbrowser.open(url)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            access_log=False,
            log_config=None,
            ssl_certfile=str(tls_cert) if tls_cert else None,
            ssl_keyfile=str(tls_key) if tls_key else None,
        )
    )
    server.run(sockets=[sock])
