"""The console's pages: one module per page, each with ``ROUTES`` and ``TEXTS``.

URL map (fixed): ``/`` Today, ``/pipeline``, ``/clients``, ``/clients/{client_id}``,
``/runs``, ``/runs/live.json``, ``/reports``, ``/reports/{week}/{filename}``,
``/followups`` (POST); ``/login`` and ``/static/...`` are the app's own.
"""

from __future__ import annotations

from types import ModuleType

from starlette.routing import BaseRoute

from lorc_console.pages import clients, followups, pipeline, reports, runs, today

PAGE_MODULES: tuple[ModuleType, ...] = (today, followups, pipeline, clients, runs, reports)
ROUTES: list[BaseRoute] = [route for module in PAGE_MODULES for route in module.ROUTES]
