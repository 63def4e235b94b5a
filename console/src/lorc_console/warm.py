"""Keeping the pages current in the background, so no request pays for a new build.

A page over a whole projection costs one pass over it the first time it sees a new build
(at 100,000 e-mails about a second to read the view into Python, then the page's model),
and every later request is served from the reader's cache and the pages' memo in a few
milliseconds. Without help the first visitor after each nightly run would pay that
second. The warmer pays it instead: when the console starts, and whenever a view is
republished or the warehouse changes (DuckDB; polled through file stats, nothing opened),
it calls the GET endpoint of every page once, off any request, so the reads and models
the pages keep are already there when someone asks; and again before the reader's cache
of warehouse reads ages out. On BigQuery it warms once at the
start only: every re-read there is a billed query, so reads follow requests.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Hashable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from lorc_console.state import state_of
from lorchestra.warehouse_reader import WarehouseBusy

WARM_PATHS = ("/", "/pipeline", "/clients", "/runs", "/reports")  # each page's default view
POLL_SECONDS = 2.0

log = logging.getLogger(__name__)


class Warmer:
    """One background thread per app; :meth:`warm_once` is also what the benchmark times."""

    def __init__(self, app: Starlette, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._app = app
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self._endpoints = [
            (route.path, route.endpoint)
            for route in app.routes
            if isinstance(route, Route) and route.path in WARM_PATHS and "GET" in (route.methods or ())
        ]

    def warm_once(self) -> Hashable:
        """Call every page's default view once; returns the warehouse generation it saw
        before starting (a change during the pass warms again on the next poll)."""
        reader = state_of(self._request("/")).reader
        generation = reader.generation()
        for path, endpoint in self._endpoints:
            try:
                endpoint(self._request(path))
            except WarehouseBusy:  # a run holds the warehouse and nothing was read yet: the next pass reads it
                continue
            except Exception as exc:  # a page that cannot be read now is read by its request
                log.warning("warming %s failed: %s", path, type(exc).__name__)
        # What the pages keep lives until the next build: the cyclic collector need not walk
        # it again and again (hundreds of thousands of row objects, and none in a cycle).
        gc.freeze()
        self.passes += 1
        return generation

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lorc-console-warmer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        reader = state_of(self._request("/")).reader
        seen, warmed = self.warm_once(), time.monotonic()
        if seen is None:  # BigQuery: no generation to watch, and re-reads cost money
            return
        # The reader also forgets a warehouse read after max_age_seconds: read it again first.
        refresh = 0.8 * reader.max_age_seconds
        while not self._stop.wait(self._poll):
            if reader.generation() != seen or time.monotonic() - warmed >= refresh:
                seen, warmed = self.warm_once(), time.monotonic()

    def _request(self, path: str) -> Request:
        """A GET of ``path`` from inside the server: no session, no client, no query."""
        return Request(
            {
                "type": "http",
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": b"",
                "headers": [],
                "app": self._app,
                "state": {},
            }
        )
