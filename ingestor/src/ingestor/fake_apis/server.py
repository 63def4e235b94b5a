"""A small HTTP(S) server on loopback that fake APIs are built on.

It gives every fake the same tools: routes, a log of every request it received, faults
injected on demand (a status with ``Retry-After``, a slow answer), a latency added to each
request, bearer tokens that really expire, and TLS with a certificate made for the run
(Microsoft's sign-in library accepts only ``https`` authorities).

The server never writes an access log: a request line may carry a mailbox or a search.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode("utf-8")).items()}

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lowered), None)


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if self.body is None:
            return b"", "application/json"
        return json.dumps(self.body).encode("utf-8"), "application/json; charset=UTF-8"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: Mapping[str, list[str]]
    status: int
    at: float


@dataclass
class Fault:
    """Answer requests whose path matches ``path`` (a regex) with ``status`` ``times`` times.

    ``delay`` seconds are slept first (a slow response); ``status=None`` only delays.
    """

    path: str
    status: int | None = 429
    retry_after: str | None = None
    times: int = 1
    delay: float = 0.0
    body: Any = None


Handler = Callable[[FakeRequest], FakeResponse]


class FakeApiServer:
    """Routes requests to handlers; subclasses register routes in ``__init__``."""

    def __init__(self, *, tls: bool = False, latency: float = 0.0, log_path: Path | None = None) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.requests: list[LoggedRequest] = []
        self.latency = latency
        self._log_path = log_path
        self._token_key = secrets.token_bytes(32)
        self._tls = tls
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        self.ca_path: Path | None = None

    # --- set-up -------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern), handler))

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake server is not started")
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes | bytearray):
            host = host.decode()
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    def start(self) -> Self:
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        if self._tls:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="lorc-fake-tls-")
            cert, key = _self_signed_certificate(Path(self._tls_dir.name))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.ca_path = cert
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
            self._tls_dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- tokens -------------------------------------------------------------------------
    def issue_token(self, subject: str, ttl: float = 3600.0) -> str:
        """A bearer token for ``subject`` that this server accepts until ``ttl`` seconds pass."""
        claims = json.dumps({"sub": subject, "exp": time.time() + ttl, "n": secrets.token_hex(4)}).encode()
        payload = base64.urlsafe_b64encode(claims).decode().rstrip("=")
        signature = hmac.new(self._token_key, payload.encode(), hashlib.sha256).hexdigest()
        return f"{payload}.{signature}"

    def token_subject(self, request: FakeRequest) -> str | None:
        """The subject of the request's valid, unexpired bearer token; None otherwise."""
        authorization = request.header("Authorization") or ""
        if not authorization.startswith("Bearer "):
            return None
        return self.verify_token(authorization.removeprefix("Bearer "))

    def verify_token(self, token: str) -> str | None:
        """The subject of a token this server issued, if it is genuine and unexpired."""
        payload, _, signature = token.partition(".")
        wanted = hmac.new(self._token_key, payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, wanted):
            return None
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["sub"]) if claims["exp"] > time.time() else None

    # --- request log --------------------------------------------------------------------
    def requests_to(self, pattern: str, method: str | None = None) -> list[LoggedRequest]:
        compiled = re.compile(pattern)
        with self._lock:
            return [r for r in self.requests if compiled.search(r.path) and (method is None or r.method == method)]

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)
            if self._log_path is not None:
                line = json.dumps(
                    {
                        "server": type(self).__name__,
                        "method": entry.method,
                        "path": entry.path,
                        "query": entry.query,
                        "status": entry.status,
                        "at": entry.at,
                    }
                )
                fd = os.open(self._log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as log:
                    log.write(line + "\n")

    # --- dispatch -----------------------------------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and re.search(fault.path, path):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, request: FakeRequest) -> FakeResponse:
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request.path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                return FakeResponse(fault.status, fault.body or {"error": {"code": fault.status}}, headers)
        for method, pattern, handler in self._routes:
            if method == request.method and pattern.fullmatch(request.path):
                return handler(request)
        return FakeResponse(404, {"error": {"code": 404, "status": "NOT_FOUND"}})


class _QuietServer(ThreadingHTTPServer):
    """A client that goes away mid-answer (a killed tap) is normal here, not a traceback:
    the handlers turn every error of a fake into a 500, so only transport errors land here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


def _handler_class(server: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = FakeRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers=dict(self.headers.items()),
                body=self.rfile.read(length) if length else b"",
            )
            try:
                response = server.handle(request)
            except Exception:  # noqa: BLE001 - a fake's bug must answer 500, as a real server would
                response = FakeResponse(500, {"error": {"code": 500, "status": "INTERNAL"}})
            body, content_type = response.encoded()
            server._log(LoggedRequest(request.method, request.path, dict(request.query), response.status, time.time()))
            self.send_response(response.status)
            for name, value in {"Content-Type": content_type, **response.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """No access log: a request line may name a mailbox or carry a search."""

    return _Handler


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and ``localhost``, valid for a day; it is its own CA."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lorc fake api")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def running(*servers: FakeApiServer) -> Iterator[tuple[FakeApiServer, ...]]:
    """Start ``servers`` for the block and stop them afterwards, whatever happens."""
    started: list[FakeApiServer] = []
    try:
        for server in servers:
            started.append(server.start())
        yield servers
    finally:
        for server in reversed(started):
            server.stop()
