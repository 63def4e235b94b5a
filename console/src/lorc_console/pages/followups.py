"""``POST /followups``: a clinician marks an open item-9 flag followed up.

The guard has checked the session and the CSRF token before this runs. The flag key must
be a recorded ``safety_flag`` and the clinician one of the configured names (never free
text); anything else is a 4xx and nothing is written. The answer is a redirect to Today
with the outcome as a notice (``recorded``, ``already``, ``pending``).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from lorc_console.pages.warehouse import day_records
from lorc_console.state import state_of
from lorchestra.followups import mark_followed_up

TEXTS: dict[str, dict[str, str]] = {"de": {}, "en": {}}


async def mark(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    flag_key, by = form.get("flag_key"), form.get("by")
    if not isinstance(by, str) or by not in state.clinicians:
        return PlainTextResponse("Refused: 'by' must be one of the clinicians configured in console.clinicians.", 400)
    if not isinstance(flag_key, str) or not flag_key:
        return PlainTextResponse("Refused: the form names no flag ('flag_key' is missing).", 400)
    known = (await run_in_threadpool(state.reader.read, "console.day", day_records)).value
    if flag_key not in {f.flag_key for f in known.flags}:
        return PlainTextResponse("Refused: 'flag_key' names no recorded item-9 flag; reload the page.", 404)
    outcome = await run_in_threadpool(mark_followed_up, state.config, flag_key, by)
    return RedirectResponse(f"/?notice={outcome}", status_code=303)


ROUTES = [Route("/followups", mark, methods=["POST"])]
