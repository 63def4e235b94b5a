"""Today (``/``): who waits for an answer, new inquiries since yesterday, open item-9 flags
with the form that marks one followed up, and the last pipeline run."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lorc_console.models.today import inbox_lists, new_inquiries_since, open_flags, today
from lorc_console.pages.display import Display
from lorc_console.pages.followups import marks_of
from lorc_console.pages.runs import current_runs, pipeline_runs
from lorc_console.pages.warehouse import RECENT_JOBS, day_records
from lorc_console.state import render, state_of
from lorchestra.followups import pending_flag_keys

FLAG_LIMIT = 100  # open flags shown at first; the count and a link to all of them always show
NOTICES = ("recorded", "already", "pending")  # lorchestra.followups outcomes, shown after the redirect

TEXTS = {
    "de": {
        "awaiting.title": "Warten auf Antwort",
        "awaiting.none": "Niemand wartet auf eine Antwort.",
        "awaiting.since": "letzte Nachricht",
        "awaiting.age": "wartet seit",
        "who": "Kontakt",
        "subject": "Betreff",
        "new.title": "Neue Anfragen seit gestern",
        "new.since": "seit",
        "new.none": "Keine neuen Anfragen.",
        "more.awaiting": "Alle wartenden Gespräche unter Anfragen",
        "more.new": "Alle Anfragen",
        "new.at": "erste Nachricht",
        "status": "Status",
        "flags.title": "Item 9 (PHQ-9): offen",
        "flags.none": "Keine offenen Item-9-Meldungen.",
        "flags.all": "Alle offenen Item-9-Meldungen zeigen",
        "flags.client": "Klient:in",
        "flags.unlinked": "keinem Kontakt zugeordnet",
        "flags.date": "Datum",
        "flags.answer": "Item 9",
        "flags.score": "PHQ-9",
        "flags.severity": "Schweregrad",
        "flags.by": "nachgegangen durch",
        "flags.mark": "als nachgegangen markieren",
        "flags.pending": "vorgemerkt, wird nach dem Lauf gespeichert",
        "notice.recorded": "Vermerkt: die Meldung ist als nachgegangen gespeichert.",
        "notice.already": "Diese Meldung war schon als nachgegangen vermerkt.",
        "notice.pending": "Vorgemerkt: ein Lauf hält gerade das Warehouse; der Vermerk wird gespeichert, "
        "sobald der Lauf endet.",
        "run.title": "Letzter Lauf",
        "run.none": "Noch kein Lauf im Protokoll.",
        "run.ok": "erfolgreich",
        "run.failed": "fehlgeschlagen",
        "run.running": "läuft",
        "run.interrupted": "abgebrochen",
        "run.started": "begonnen",
        "run.jobs": "Jobs",
        "run.failed_jobs": "fehlgeschlagen",
        "run.details": "Details unter Läufe",
    },
    "en": {
        "awaiting.title": "Awaiting a reply",
        "awaiting.none": "Nobody is waiting for a reply.",
        "awaiting.since": "last message",
        "awaiting.age": "waiting for",
        "who": "Contact",
        "subject": "Subject",
        "new.title": "New inquiries since yesterday",
        "new.since": "since",
        "new.none": "No new inquiries.",
        "more.awaiting": "Every conversation awaiting a reply in the Sales pipeline",
        "more.new": "All inquiries",
        "new.at": "first message",
        "status": "Status",
        "flags.title": "Item 9 (PHQ-9): open",
        "flags.none": "No open item-9 flags.",
        "flags.all": "Show every open item-9 flag",
        "flags.client": "Client",
        "flags.unlinked": "linked to no contact",
        "flags.date": "Date",
        "flags.answer": "Item 9",
        "flags.score": "PHQ-9",
        "flags.severity": "Severity",
        "flags.by": "followed up by",
        "flags.mark": "mark followed up",
        "flags.pending": "pending, recorded after the run",
        "notice.recorded": "Recorded: the flag is marked followed up.",
        "notice.already": "This flag was already marked followed up.",
        "notice.pending": "Pending: a run holds the warehouse; it is applied when the run ends.",
        "run.title": "Last run",
        "run.none": "No run in the log yet.",
        "run.ok": "succeeded",
        "run.failed": "failed",
        "run.running": "running",
        "run.interrupted": "interrupted",
        "run.started": "started",
        "run.jobs": "jobs",
        "run.failed_jobs": "failed",
        "run.details": "details under Runs",
    },
}


def today_page(request: Request) -> Response:
    state = state_of(request)
    inbox = state.reader.view_rows("inbox_view")
    records = state.reader.read("console.day", day_records)
    day = records.value
    now = datetime.now(UTC)
    lists = state.memo(inbox_lists, inbox.value, since=new_inquiries_since(now))
    runs, _ = current_runs(state.config.home, day.runs, RECENT_JOBS)  # as Runs shows them: a killed run is interrupted
    marks = marks_of(request)
    flags = state.memo(open_flags, day.flags, day.followed_up | marks.recorded(), day.clients)
    every_flag = request.query_params.get("flags") == "all"
    notice = request.query_params.get("notice")
    return render(
        request,
        "today.html.j2",
        page="today",
        day=today(lists, flags, now, None if every_flag else FLAG_LIMIT),
        last_run=next(iter(pipeline_runs(runs)), None),
        clinicians=state.clinicians,
        pending=(marks.pending() | pending_flag_keys(state.config.home)) - day.followed_up,
        notice=notice if notice in NOTICES else None,
        show=Display(state.locale),
        stale=inbox.stale or records.stale,
        as_of=min(inbox.as_of, records.as_of),
    )


ROUTES = [Route("/", today_page, methods=["GET"])]
