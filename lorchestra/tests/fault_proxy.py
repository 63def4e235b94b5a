"""An HTTP proxy on loopback that answers some requests with injected errors (429, 5xx,
4xx) and forwards the rest to the BigQuery emulator: transient faults for real."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The google.rpc status names BigQuery puts beside the HTTP code in an error body.
RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


@dataclass(frozen=True)
class Answer:
    """An error answer shaped like BigQuery's: HTTP ``status`` and one error of ``reason``
    (``accessDenied``, ``billingNotEnabled``, ``notFound`` ...) with ``message``."""

    status: int
    reason: str
    message: str = "injected"

    def body(self) -> bytes:
        error = {"message": self.message, "domain": "global", "reason": self.reason}
        return json.dumps(
            {
                "error": {
                    "code": self.status,
                    "message": self.message,
                    "errors": [error],
                    "status": RPC_STATUS.get(self.status, "UNKNOWN"),
                }
            }
        ).encode()


# (method, path) -> status (or a shaped answer) to inject, or None to forward
Plan = Callable[[str, str], int | Answer | None]


def forward_all(method: str, path: str) -> int | None:
    """A plan that injects nothing: the proxy only records."""
    return None


class FaultProxy:
    def __init__(self, upstream: str, plan: Plan) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = plan
        self.injected: list[tuple[str, str, int]] = []
        self.requests: list[tuple[str, str, bytes]] = []  # every request: method, path, body
        self.request_headers: list[dict[str, str]] = []  # and its headers (names in lower case), in order
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.requests.append((self.command, self.path, body or b""))
                proxy.request_headers.append({k.lower(): v for k, v in self.headers.items()})
                answer = proxy.plan(self.command, self.path)
                if answer is not None:
                    status = answer.status if isinstance(answer, Answer) else answer
                    proxy.injected.append((self.command, self.path, status))
                    payload = answer.body() if isinstance(answer, Answer) else Answer(status, "injected").body()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=body, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        status_code, answer_headers, content = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    status_code, answer_headers, content = error.code, error.headers, error.read()
                proxy.forwarded += 1
                self.send_response(status_code)
                for key, value in answer_headers.items():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def fail_first(n: int, status: int, *, method: str = "POST", path_part: str = "/jobs") -> Plan:
    """Inject ``status`` for the first ``n`` matching requests, then forward everything."""
    remaining = [n]

    def plan(request_method: str, path: str) -> int | None:
        if request_method == method and path_part in path and remaining[0] > 0:
            remaining[0] -= 1
            return status
        return None

    return plan


def answer_matching(answer: Answer, *, method: str, path: str) -> Plan:
    """Answer every ``method`` request whose path (without its query) matches the regular
    expression ``path`` with ``answer``; forward everything else."""
    pattern = re.compile(path)

    def plan(request_method: str, request_path: str) -> int | Answer | None:
        if request_method == method and pattern.search(request_path.split("?", 1)[0]):
            return answer
        return None

    return plan
