"""The middleware every request passes: Host check, session, CSRF, headers, access log.

Order matters and is fixed here: a request's Host must name the bound address (a page
from another site that resolves its own name to 127.0.0.1 cannot talk to us), then it
needs a live session (only ``/login`` is open, to exchange the start token), then a POST
needs its session's CSRF token. Every response, refusals and static files included,
gets the same strict headers, and one access-log line (method, path without query,
status, duration): never the query (the start token travels there), never a body.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp

from lorc_console.sessions import COOKIE, Sessions

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
OPEN_PATHS = frozenset({"/login"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

access_log = logging.getLogger("lorc_console.access")
error_log = logging.getLogger("lorc_console.errors")

UNAUTHORIZED_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{body}</p></body></html>
"""


class Guard(BaseHTTPMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: Sessions,
        hosts: Iterable[str],
        unauthorized: tuple[str, str, str],
        internal: str,
    ) -> None:
        super().__init__(app)
        self.sessions = sessions
        self.hosts = frozenset(h.lower() for h in hosts)  # "host:port", or "host:*" for any port
        self.unauthorized = unauthorized  # (lang, title, body) in the practice's locale
        self.internal = internal  # the answer to an unexpected error

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await self._answer(request, call_next)
        response.headers.update(HEADERS)
        access_log.info(
            "%s %s %d %d ms",
            request.method,
            request.url.path,
            response.status_code,
            round((time.perf_counter() - started) * 1000),
        )
        return response

    async def _answer(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        host = request.headers.get("host", "").lower()
        if host not in self.hosts and f"{host.rsplit(':', 1)[0]}:*" not in self.hosts:
            return PlainTextResponse("This console answers only at the address lorc serve printed.", 400)
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            lang, title, body = self.unauthorized
            return HTMLResponse(UNAUTHORIZED_PAGE.format(lang=lang, title=title, body=body), 401)
        request.state.session = session
        try:
            if request.method not in ("GET", "HEAD") and not await _csrf_ok(request, session.csrf_token):
                return PlainTextResponse("Refused: the form's CSRF token is missing or wrong; reload the page.", 403)
        except (HTTPException, ClientDisconnect, MultiPartException) as exc:  # a body that cannot be read as a form
            error_log.warning("unreadable body of %s %s (%s)", request.method, request.url.path, type(exc).__name__)
            return PlainTextResponse("Refused: the form could not be read; reload the page and send it again.", 400)
        try:
            return await call_next(request)
        except Exception:  # here, not in Starlette's outermost handler: the answer gets our headers
            error_log.exception("error answering %s %s", request.method, request.url.path)  # frames only
            return PlainTextResponse(self.internal, 500)


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        await request.body()  # cached, so the endpoint reads the same form again
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and secrets.compare_digest(sent.encode(), expected.encode())
