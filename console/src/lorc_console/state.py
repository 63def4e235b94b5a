"""What every page needs: the config, the reader, the locale's texts, and the frame.

``render`` puts a page's template into ``base.html.j2``: the nav of the five pages, the
page title, a banner when the data shown is stale (a run held the warehouse), ``t("key")``
in the practice's locale and the session's ``csrf_token`` for forms.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from lorc_console.i18n import DEFAULT_LOCALE, LOCALES, translator
from lorc_console.memo import Memo
from lorchestra.config import Config
from lorchestra.followups import allowed_clinicians
from lorchestra.warehouse_reader import WarehouseReader

NAV = (("today", "/"), ("pipeline", "/pipeline"), ("clients", "/clients"), ("runs", "/runs"), ("reports", "/reports"))


@dataclass
class ConsoleState:
    config: Config
    reader: WarehouseReader
    locale: str
    clinicians: list[str]
    templates: Environment
    memo: Memo  # the pages' models over what this app's reader read (never another app's rows)


def build_state(config: Config, reader: WarehouseReader) -> ConsoleState:
    locale = str(config.section("practice").get("locale") or DEFAULT_LOCALE)
    if locale not in LOCALES:  # the config schema refuses others; a hand-built Config may not
        locale = DEFAULT_LOCALE
    return ConsoleState(
        config=config,
        reader=reader,
        locale=locale,
        clinicians=allowed_clinicians(config),
        templates=templates(),
        memo=Memo(),
    )


def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("lorc_console", "templates"),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    return env


def clock(when: datetime | None) -> str:
    """A timestamp as the practice reads it (UTC, minutes)."""
    return when.strftime("%Y-%m-%d %H:%M") if when else "–"


def state_of(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


def render(request: Request, template: str, *, page: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """``template`` inside the frame; ``page`` names the nav entry and the page module whose
    ``TEXTS`` the template's ``t`` reads."""
    state = state_of(request)
    module = sys.modules.get(f"lorc_console.pages.{page}")
    tables = [module.TEXTS] if module is not None and hasattr(module, "TEXTS") else []
    t = translator(state.locale, *tables)
    session = getattr(request.state, "session", None)
    html = state.templates.get_template(template).render(
        t=t,
        page=page,
        title=values.pop("title", None) or t(f"nav.{page}"),
        nav=[(name, url, t(f"nav.{name}")) for name, url in NAV],
        locale=state.locale,
        csrf_token=session.csrf_token if session else "",
        stale=values.pop("stale", False),
        as_of=values.pop("as_of", None),
        **values,
    )
    return HTMLResponse(html, status_code=status_code)
