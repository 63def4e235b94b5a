"""``lorc serve``: the console on loopback, one start URL printed, nothing else.

Added to ``lorc`` through the ``lorchestra.commands`` entry-point group (lorchestra never
names this package). Another interface than loopback needs TLS: the console serves
patient data, and a session cookie must not cross a network in clear text.
"""

from __future__ import annotations

import html
import ipaddress
import os
import secrets
import socket
import sys
import webbrowser
from pathlib import Path

import click

from lorchestra.cli_common import fail_cleanly
from lorchestra.config import load_config
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome, private_dir, private_file

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


def answered_hosts(host: str, port: int, *, tls: bool) -> list[str]:
    """The Host headers the console answers: the bound address (and ``localhost`` on
    loopback) with the port, and without it when the port is the scheme's default (a
    browser leaves it out there)."""
    names = [url_host(host)] + (["localhost"] if is_loopback(host) and host != "localhost" else [])
    default = port == (443 if tls else 80)
    return [f"{name}:{port}" for name in names] + (names if default else [])


def write_start_page(home: PhiHome, url: str) -> Path:
    """A private file that sends a browser on to ``url``, as Jupyter does: a browser is
    started with this file's path, so the token never shows on another process's
    command line. It is a local file, not served, so the console's CSP does not apply."""
    directory = private_dir(home.tmp_dir, stop_at=home.root)
    path = directory / f"lorc-serve-{secrets.token_hex(8)}.html"
    target = html.escape(url, quote=True)
    page = (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
        f'<title>lorc serve</title></head><body><a href="{target}">lorc serve</a></body></html>\n'
    )
    fd = private_file(path, "wb")
    try:
        os.write(fd, page.encode("utf-8"))
    finally:
        os.close(fd)
    return path


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
    app = create_app(config, token=token, tls=tls, hosts=answered_hosts(host, bound, tls=tls), warm=True)
    url = f"{'https' if tls else 'http'}://{authority}/login?token={token}"
    click.echo(url)
    click.echo(f"log: {log_path}", err=True)
    start_page = write_start_page(home, url) if open_browser and has_display() else None
    if start_page is not None:
        webbrowser.open(start_page.as_uri())
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            access_log=False,
            log_config=None,
            ssl_certfile=str(tls_cert) if tls_cert else None,
            ssl_keyfile=str(tls_key) if tls_key else None,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        if start_page is not None:
            start_page.unlink(missing_ok=True)
