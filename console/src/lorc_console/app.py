"""The console's ASGI app: the pages, ``/login`` and the static files behind the guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from lorc_console.guard import UNAUTHORIZED_PAGE, Guard
from lorc_console.i18n import translator
from lorc_console.pages import ROUTES
from lorc_console.sessions import COOKIE, DEFAULT_SESSION_HOURS, Sessions, new_token
from lorc_console.state import build_state, render
from lorc_console.warm import Warmer
from lorchestra.config import Config
from lorchestra.exceptions import LorcError
from lorchestra.warehouse_reader import WarehouseBusy, WarehouseReader

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def create_app(
    config: Config,
    *,
    reader: WarehouseReader | None = None,
    token: str | None = None,
    tls: bool = False,
    hosts: Iterable[str] | None = None,
    warm: bool = False,
) -> Starlette:
    """The console over ``config``'s warehouse. ``token``: the one-time start token (a fresh
    one nobody knows when None); ``hosts``: the Host headers it answers (``host:port`` of
    the bound address; default the loopback names on any port, as a TestClient needs
    ``base_url="http://localhost"``); ``warm``: keep the pages' reads current in the
    background while the app runs (``lorc_console.warm``; the server's, not a test's)."""
    state = build_state(config, reader or WarehouseReader(config))
    hours = float(config.section("console").get("session_hours") or DEFAULT_SESSION_HOURS)
    sessions = Sessions(token or new_token(), session_hours=hours)
    t = translator(state.locale)
    unauthorized = (state.locale, t("unauthorized.title"), t("unauthorized.body"))
    answered = list(hosts) if hosts is not None else [n + s for n in LOOPBACK_NAMES for s in ("", ":*")]

    async def login(request: Request) -> Response:
        if request.method != "GET":  # Starlette routes HEAD with GET; a HEAD (a link preview) must not spend the token
            raise HTTPException(405, headers={"Allow": "GET"})
        session = sessions.exchange(request.query_params.get("token", ""))
        if session is None:
            lang, title, body = unauthorized
            return HTMLResponse(UNAUTHORIZED_PAGE.format(lang=lang, title=title, body=body), 401)
        # A redirect, so the spent token leaves the address bar and the history.
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            session.session_id,
            max_age=sessions.lifetime_seconds,
            path="/",
            httponly=True,
            samesite="strict",
            secure=tls,
        )
        return response

    async def busy(request: Request, exc: Exception) -> Response:
        return render(request, "message.html.j2", page=_page_of(request), status_code=503, message=t("busy"))

    async def unreadable(request: Request, exc: Exception) -> Response:
        """The suite's own errors name no record (a locked or broken warehouse, a bad config)."""
        message = f"{t('unreadable')} {exc}"
        return render(request, "message.html.j2", page=_page_of(request), status_code=503, message=message)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code != 404 or getattr(request.state, "session", None) is None:
            return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
        return render(request, "message.html.j2", page=_page_of(request), status_code=404, message=t("not_found"))

    routes: list[BaseRoute] = [
        Route("/login", login, methods=["GET"]),
        Mount("/static", app=StaticFiles(packages=[("lorc_console", "static")]), name="static"),
        *ROUTES,
    ]
    app = Starlette(
        routes=routes,
        lifespan=warming if warm else None,
        middleware=[
            Middleware(Guard, sessions=sessions, hosts=answered, unauthorized=unauthorized, internal=t("internal"))
        ],
        exception_handlers={WarehouseBusy: busy, LorcError: unreadable, HTTPException: not_found},
    )
    app.state.console = state
    return app


@asynccontextmanager
async def warming(app: Starlette) -> AsyncIterator[None]:
    warmer = app.state.warmer = Warmer(app)
    warmer.start()
    try:
        yield
    finally:
        warmer.stop()


def _page_of(request: Request) -> str:
    """The nav entry a URL belongs to (for the frame of an error page)."""
    first = request.url.path.strip("/").split("/")[0]
    return first if first in ("pipeline", "clients", "runs", "reports") else "today"
