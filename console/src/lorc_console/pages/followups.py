"""``POST /followups``: a clinician marks an open item-9 flag followed up.

The guard has checked the session and the CSRF token before this runs. The flag key must
be a recorded ``safety_flag`` and the clinician one of the configured names (never free
text); anything else is a 4xx and nothing is written. The answer is a redirect to Today
with the outcome as a notice (``recorded``, ``already``, ``pending``).
"""

from __future__ import annotations

import threading

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lorc_console.pages.warehouse import day_records
from lorc_console.state import render, state_of
from lorchestra.followups import FollowUpError, FollowUpOutcome, mark_followed_up

TEXTS = {
    "de": {
        "refused.title": "Nicht vermerkt",
        "refused.by": "Nicht vermerkt: wählen Sie eine der in console.clinicians eingetragenen Personen.",
        "refused.no_flag": "Nicht vermerkt: das Formular nennt keine Meldung.",
        "refused.unknown_flag": "Nicht vermerkt: diese Meldung gibt es im Warehouse nicht. Laden Sie „Heute“ neu.",
    },
    "en": {
        "refused.title": "Not recorded",
        "refused.by": "Not recorded: choose one of the people listed in console.clinicians.",
        "refused.no_flag": "Not recorded: the form names no flag.",
        "refused.unknown_flag": "Not recorded: the warehouse has no such flag. Reload Today.",
    },
}


async def mark(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    flag_key, by = form.get("flag_key"), form.get("by")
    if not isinstance(by, str) or by not in state.clinicians:
        return _refused(request, "refused.by", 400)
    if not isinstance(flag_key, str) or not flag_key:
        return _refused(request, "refused.no_flag", 400)
    known = (await run_in_threadpool(state.reader.read, "console.day", day_records)).value
    if flag_key not in {f.flag_key for f in known.flags}:
        return _refused(request, "refused.unknown_flag", 404)
    try:
        outcome = await run_in_threadpool(mark_followed_up, state.config, flag_key, by)
    except FollowUpError:  # the warehouse disagrees with what was read a moment ago: nothing written
        return _refused(request, "refused.unknown_flag", 404)
    marks_of(request).add(flag_key, outcome)
    return RedirectResponse(f"/?notice={outcome}", status_code=303)


class Marks:
    """The flags this server has marked. The reader may serve a read from before the mark
    (on BigQuery for up to its cache's age), so Today leaves a recorded flag out at once; a
    pending one (journaled while a run holds the warehouse) shows as pending until a run
    records it. Today also reads the journal (``pending_flag_keys``), which outlives a
    restart; these cover a run that has emptied the journal before the reader sees its rows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recorded: set[str] = set()
        self._pending: set[str] = set()

    def add(self, flag_key: str, outcome: FollowUpOutcome) -> None:
        with self._lock:
            (self._pending if outcome == "pending" else self._recorded).add(flag_key)

    def recorded(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._recorded)

    def pending(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._pending)


_MARKS_LOCK = threading.Lock()


def marks_of(request: Request) -> Marks:
    """The app's marks (one per app: each serves its own warehouse)."""
    with _MARKS_LOCK:
        marks: Marks | None = getattr(request.app.state, "followup_marks", None)
        if marks is None:
            marks = Marks()
            request.app.state.followup_marks = marks
        return marks


def _refused(request: Request, key: str, status_code: int) -> Response:
    texts = TEXTS[state_of(request).locale]
    return render(
        request,
        "message.html.j2",
        page="followups",
        title=texts["refused.title"],
        message=texts[key],
        status_code=status_code,
    )


ROUTES = [Route("/followups", mark, methods=["POST"])]
