"""Sales pipeline (``/pipeline``): ``inbox_view`` filtered and paged, and the week's figures
with their week-over-week charts from ``reporting_snapshots``."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lorc_console.models.pipeline import (
    STATUSES,
    FilterError,
    figures_week,
    inbox_page,
    mailboxes_of,
    matching,
    parse_filters,
    week_figures,
)
from lorc_console.pages.display import Display
from lorc_console.state import render, state_of
from reporter.bar_charts import week_chart_svg

TEXTS = {
    "de": {
        "filter.status": "Status",
        "filter.mailbox": "Postfach",
        "filter.week": "Woche (erste Nachricht)",
        "filter.any": "alle",
        "filter.apply": "Anzeigen",
        "filter.bad": "Dieser Filter ist ungültig",
        "filter.hint.status": "Wählen Sie einen Status aus der Liste.",
        "filter.hint.mailbox": "Wählen Sie ein Postfach aus der Liste.",
        "filter.hint.week": "Eine Woche im Format JJJJ-Www, z. B. 2026-W46.",
        "filter.hint.page": "Eine Seitenzahl ab 1.",
        "filter.hint.unknown": "Diese Seite kennt nur die Filter status, mailbox, week und page.",
        "filter.reset": "Alle Filter zurücksetzen",
        "figures.title": "Kennzahlen der Woche",
        "figures.n": "n",
        "fig.new_inquiries": "Neue Anfragen",
        "fig.median_first_response_minutes": "Median erste Antwort",
        "fig.became_clients": "davon Klient:innen",
        "fig.awaiting_reply_at_week_end": "Warten am Wochenende auf Antwort",
        "table.title": "Gespräche",
        "table.count": "Gespräche",
        "table.page": "Seite",
        "table.of": "von",
        "table.previous": "zurück",
        "table.next": "weiter",
        "table.none": "Keine Gespräche zu diesen Filtern.",
        "col.who": "Kontakt",
        "col.subject": "Betreff",
        "col.mailboxes": "Postfach",
        "col.status": "Status",
        "col.first_inbound": "erste Nachricht",
        "col.last_message": "letzte Nachricht",
        "col.messages": "Nachrichten",
        "col.response": "erste Antwort nach",
    },
    "en": {
        "filter.status": "Status",
        "filter.mailbox": "Mailbox",
        "filter.week": "Week (first message)",
        "filter.any": "all",
        "filter.apply": "Show",
        "filter.bad": "This filter is invalid",
        "filter.hint.status": "Choose a status from the list.",
        "filter.hint.mailbox": "Choose a mailbox from the list.",
        "filter.hint.week": "A week as YYYY-Www, e.g. 2026-W46.",
        "filter.hint.page": "A page number from 1.",
        "filter.hint.unknown": "This page knows only the filters status, mailbox, week and page.",
        "filter.reset": "Reset all filters",
        "figures.title": "The week's figures",
        "figures.n": "n",
        "fig.new_inquiries": "New inquiries",
        "fig.median_first_response_minutes": "Median first response",
        "fig.became_clients": "became clients",
        "fig.awaiting_reply_at_week_end": "Awaiting a reply at week end",
        "table.title": "Conversations",
        "table.count": "conversations",
        "table.page": "Page",
        "table.of": "of",
        "table.previous": "previous",
        "table.next": "next",
        "table.none": "No conversations match these filters.",
        "col.who": "Contact",
        "col.subject": "Subject",
        "col.mailboxes": "Mailbox",
        "col.status": "Status",
        "col.first_inbound": "first message",
        "col.last_message": "last message",
        "col.messages": "Messages",
        "col.response": "first response after",
    },
}


def pipeline_page(request: Request) -> Response:
    state = state_of(request)
    inbox = state.reader.view_rows("inbox_view")
    show = Display(state.locale)
    mailboxes = state.memo(mailboxes_of, inbox.value)
    try:
        filters = parse_filters(dict(request.query_params), mailboxes)
    except FilterError as exc:
        known = exc.parameter in ("status", "mailbox", "week", "page")
        hint = f"filter.hint.{exc.parameter if known else 'unknown'}"
        return render(request, "pipeline_bad_filter.html.j2", page="pipeline", status_code=400, error=exc, hint=hint)
    found = state.memo(matching, inbox.value, status=filters.status, mailbox=filters.mailbox, week=filters.week)
    snapshots = state.reader.view_rows("reporting_snapshots")
    figures = week_figures(snapshots.value, figures_week(filters, datetime.now(UTC).date()))
    t_chart = dict(_chart_titles(state.locale))
    charts = [Markup(week_chart_svg(series, title=t_chart[name])) for name, series in figures.series]
    return render(
        request,
        "pipeline.html.j2",
        page="pipeline",
        inbox=inbox_page(found, filters, mailboxes),
        figures=figures,
        charts=charts,
        statuses=STATUSES,
        show=show,
        stale=inbox.stale or snapshots.stale,
        as_of=min(inbox.as_of, snapshots.as_of),
    )


def _chart_titles(locale: str) -> list[tuple[str, str]]:
    texts = TEXTS[locale]
    return [(k.removeprefix("fig."), v) for k, v in texts.items() if k.startswith("fig.")]


ROUTES = [Route("/pipeline", pipeline_page, methods=["GET"])]
