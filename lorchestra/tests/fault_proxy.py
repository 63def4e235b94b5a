"""An HTTP proxy on loopback that answers some requests with injected errors (429, 5xx,
4xx) and forwards the rest to the BigQuery emulator: transient faults for real.

A plan answers by status code alone; a ``Rule`` also sees the request body and can answer
with a JSON body of its own, or let the emulator act on the request first and then answer
otherwise or drop the connection: what a client sees when the service accepted a request
whose answer was lost."""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import Message
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
        return error_body(self.status, self.reason, self.message)


# (method, path) -> status (or a shaped answer) to inject, or None to forward
Plan = Callable[[str, str], int | Answer | None]


@dataclass
class Rule:
    """For the first ``times`` requests of ``method`` whose path holds ``path_part`` and whose
    body holds ``body_part``: forward first when ``forward``, then answer ``status`` with
    ``body`` (a generic error without one), or drop the connection unanswered when ``drop``."""

    path_part: str
    body_part: bytes = b""
    method: str = "POST"
    status: int = 0
    body: bytes = b""
    forward: bool = False
    drop: bool = False
    times: int = 1

    def matches(self, method: str, path: str, body: bytes) -> bool:
        return self.times > 0 and method == self.method and self.path_part in path and self.body_part in body


def error_body(status: int, reason: str, message: str) -> bytes:
    """A BigQuery error answer: ``{"error": {"code", "message", "errors": [{"reason", "message",
    "domain"}], "status"}}``."""
    error = {"reason": reason, "message": message, "domain": "global"}
    return json.dumps(
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [error],
                "status": RPC_STATUS.get(status, "UNKNOWN"),
            }
        }
    ).encode()


def forward_all(method: str, path: str) -> int | None:
    """A plan that injects nothing: the proxy only records."""
    return None


class FaultProxy:
    def __init__(self, upstream: str, plan: Plan = forward_all, rules: Sequence[Rule] = ()) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = plan
        self.rules = list(rules)
        self.injected: list[tuple[str, str, int]] = []  # status 0: the connection was dropped
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
                rule = next((r for r in proxy.rules if r.matches(self.command, self.path, body or b"")), None)
                if rule is not None:
                    rule.times -= 1
                    if rule.forward:
                        self._forward(body)
                    proxy.injected.append((self.command, self.path, 0 if rule.drop else rule.status))
                    if rule.drop:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self._answer(rule.status, rule.body or error_body(rule.status, "injected", "injected"))
                    return
                answer = proxy.plan(self.command, self.path)
                if answer is not None:
                    status = answer.status if isinstance(answer, Answer) else answer
                    proxy.injected.append((self.command, self.path, status))
                    self._answer(
                        status, answer.body() if isinstance(answer, Answer) else Answer(status, "injected").body()
                    )
                    return
                status_code, answer_headers, content = self._forward(body)
                self.send_response(status_code)
                for key, value in answer_headers.items():
                    if key.lower() == "location":  # a resumable upload's session: through the proxy too
                        value = value.replace(proxy.upstream, proxy.endpoint, 1)
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def _forward(self, body: bytes | None) -> tuple[int, Message, bytes]:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=body, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        result = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    result = error.code, error.headers, error.read()
                proxy.forwarded += 1
                return result

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

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
