"""The guard and the sessions without a browser: expiry, the TLS rule of `lorc serve`, the
Secure cookie over TLS, and an access log that never carries a query or the token."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import re
import ssl
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from browser import LORC, SampleHome, clean_environ, started_server
from lorc_console import logs
from lorc_console.app import create_app
from lorc_console.cli import answered_hosts, write_start_page
from lorc_console.sessions import COOKIE, Sessions
from lorchestra.config import load_config
from lorchestra.home import PhiHome


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_expires_after_its_hours_and_the_token_is_spent_once() -> None:
    clock = Clock()
    sessions = Sessions("start", session_hours=2, clock=clock)
    assert sessions.exchange("wrong") is None
    session = sessions.exchange("start")
    assert session is not None
    assert sessions.exchange("start") is None
    clock.now += 2 * 3600 - 1
    assert sessions.get(session.session_id) == session
    clock.now += 1
    assert sessions.get(session.session_id) is None
    assert sessions.get(None) is None


def test_sessions_expire_by_wall_time_which_runs_on_while_the_machine_sleeps() -> None:
    session = Sessions("start", session_hours=1).exchange("start")
    assert session is not None
    assert abs(session.expires_at - (time.time() + 3600)) < 600  # time.monotonic counts from boot, not the epoch


@pytest.mark.parametrize(
    ("host", "port", "tls", "expected"),
    [
        ("127.0.0.1", 8765, False, ["127.0.0.1:8765", "localhost:8765"]),
        ("127.0.0.1", 80, False, ["127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost"]),
        ("127.0.0.1", 443, False, ["127.0.0.1:443", "localhost:443"]),
        ("10.0.0.5", 443, True, ["10.0.0.5:443", "10.0.0.5"]),
        ("::1", 80, False, ["[::1]:80", "localhost:80", "[::1]", "localhost"]),
        ("localhost", 80, False, ["localhost:80", "localhost"]),
    ],
)
def test_the_host_check_takes_the_authority_without_the_schemes_default_port(
    host: str, port: int, tls: bool, expected: list[str]
) -> None:
    assert answered_hosts(host, port, tls=tls) == expected


def test_the_browser_gets_a_private_start_page_so_the_token_is_on_no_command_line(tmp_path: Path) -> None:
    home = PhiHome(tmp_path / "home")
    home.root.mkdir(mode=0o700)
    url = "http://127.0.0.1:8765/login?token=SECRET-start-token&x=1"
    page = write_start_page(home, url)
    assert page.parent == home.tmp_dir
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert stat.S_IMODE(page.parent.stat().st_mode) == 0o700
    assert "SECRET-start-token" not in page.as_uri()  # what lorc serve gives the browser
    assert 'content="0;url=http://127.0.0.1:8765/login?token=SECRET-start-token&amp;x=1"' in page.read_text()


@pytest.fixture
def app_client(tmp_path: Path) -> TestClient:
    root = tmp_path / "app-home"
    done = subprocess.run([LORC, "init"], env=clean_environ(root, tmp_path), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return TestClient(create_app(load_config(PhiHome(root)), token="start"), base_url="http://localhost")


def test_head_on_login_is_refused_and_does_not_spend_the_token(app_client: TestClient) -> None:
    head = app_client.head("/login?token=start")
    assert head.status_code == 405 and head.headers["allow"] == "GET"
    assert "Content-Security-Policy" in head.headers
    assert app_client.get("/login?token=start", follow_redirects=False).status_code == 303


def test_a_method_not_allowed_names_the_allowed_ones(app_client: TestClient) -> None:
    app_client.get("/login?token=start")
    answer = app_client.head("/followups")  # a HEAD passes the CSRF check, to meet the POST-only route
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


@pytest.fixture
def fresh_home(tmp_path: Path) -> SampleHome:
    user_home = tmp_path / "serve-user"
    user_home.mkdir(mode=0o700)
    home = SampleHome(tmp_path / "serve-home", clean_environ(tmp_path / "serve-home", user_home))
    assert subprocess.run([LORC, "init"], env=home.env, capture_output=True, check=False).returncode == 0
    return home


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--host", "0.0.0.0"], "needs TLS"),
        (["--host", "192.0.2.10"], "needs TLS"),
        (["--host", "127.0.0.1", "--tls-cert", "{cert}"], "both --tls-cert and --tls-key"),
        (["--host", "0.0.0.0", "--tls-cert", "{cert}", "--tls-key", "{cert}"], "every interface"),
    ],
)
def test_serve_refuses_another_interface_without_tls(
    fresh_home: SampleHome, tmp_path: Path, args: list[str], says: str
) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not used")
    done = subprocess.run(
        [LORC, "serve", "--no-browser", *[a.format(cert=cert) for a in args]],
        env=fresh_home.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert says in done.stderr
    assert done.stdout == ""  # no URL, no token


def self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_over_tls_the_url_is_https_and_the_cookie_is_secure(fresh_home: SampleHome, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with started_server(fresh_home, "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        assert server.start_url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as client:
            signed_in = client.get(server.start_url, follow_redirects=False)
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert {"HttpOnly", "Secure", "SameSite=strict"} <= {part.strip() for part in cookie.split(";")}


def test_the_access_log_has_method_path_status_and_duration_only(fresh_home: SampleHome) -> None:
    marker = "ZZ-MARKER-query-Gertrud"
    with started_server(fresh_home) as server:
        token = server.start_url.split("token=")[1]
        httpx.get(server.url(f"/runs?who={marker}"))  # 401: no session yet
        httpx.get(server.url("/login?token=not-the-token"))
        with httpx.Client() as client:
            client.get(server.start_url)
            client.get(server.url(f"/reports?q={marker}"))
            client.post(server.url("/followups"), data={"note": marker})
    assert server.process.stdout is not None
    assert server.process.stdout.read() == ""  # nothing after the URL: it printed that line alone
    log = fresh_home.root / "logs" / "console.log"
    text = log.read_text()
    stderr = server.stderr_path.read_text()
    lines = [line for line in text.splitlines() if "lorc_console.access" in line]
    requests = [tuple(line.split("lorc_console.access ")[1].split()[:3]) for line in lines]
    assert requests == [
        ("GET", "/runs", "401"),
        ("GET", "/login", "401"),
        ("GET", "/login", "303"),
        ("GET", "/reports", "200"),
        ("POST", "/followups", "403"),
    ]
    assert all(re.search(r" \d+ ms$", line) for line in lines)
    for text_seen in (text, stderr):
        assert marker not in text_seen and token not in text_seen and "not-the-token" not in text_seen
    assert lines[0] in stderr  # the same lines on stderr
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert os.path.commonpath([log, fresh_home.root]) == str(fresh_home.root)


def test_lorc_offers_serve_through_the_commands_entry_point_group() -> None:
    from click.testing import CliRunner

    from lorchestra.cli import main

    listed = CliRunner().invoke(main, ["--help"]).output
    assert "serve" in listed
    assert main.commands["serve"].callback.__module__ == "lorc_console.cli"  # type: ignore[union-attr]


@pytest.fixture
def restored_logging() -> Iterator[None]:
    names = [*logs.LOGGERS, logs.SHARED]
    saved = {
        n: (list(logging.getLogger(n).handlers), logging.getLogger(n).level, logging.getLogger(n).propagate)
        for n in names
    }
    try:
        yield
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            for handler in logger.handlers:
                if handler not in handlers:
                    handler.close()
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def test_lorchestras_and_the_form_parsers_lines_go_to_the_console_log_without_client_input(
    tmp_path: Path, restored_logging: None
) -> None:
    home = PhiHome(tmp_path / "home")
    home.root.mkdir(mode=0o700)
    path = logs.configure(home)
    logging.getLogger("lorchestra").setLevel(logging.INFO)
    logging.getLogger("lorchestra.followups").warning("a journaled follow-up names %s", "flag-123")
    logging.getLogger("python_multipart.multipart").warning("Did not find boundary character %r", "ZZ-client-bytes")
    text = path.read_text()
    assert "lorchestra.followups a journaled follow-up names flag-123" in text
    assert "python_multipart.multipart Did not find boundary character %r (arguments left out)" in text
    assert "ZZ-client-bytes" not in text
