"""An OAuth 2.0 token endpoint on loopback: it answers every grant (a refresh token, a
service account's signed JWT, a workload identity token exchange) with an access token
named after its path, and records each grant's form fields, so a test can point a real
credentials file's ``token_uri`` / ``token_url`` here and follow the token to BigQuery."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TokenServer:
    def __init__(self, *, refuse: bool = False) -> None:
        self.grants: list[tuple[str, dict[str, str]]] = []  # (path, form fields) of each token request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                server.grants.append((self.path, form))
                if refuse:  # as Google answers a revoked refresh token or a deleted key
                    self._answer(400, {"error": "invalid_grant", "error_description": "invalid_grant-detail"})
                    return
                self._answer(
                    200,
                    {
                        "access_token": server.token_for(self.path),
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                    },
                )

            def _answer(self, status: int, answer: dict[str, object]) -> None:
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def token_for(path: str) -> str:
        return "access-" + path.strip("/").replace("/", "-")

    def __enter__(self) -> TokenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def refusing_token_server() -> TokenServer:
    """A token endpoint that refuses every grant with ``invalid_grant``."""
    return TokenServer(refuse=True)
