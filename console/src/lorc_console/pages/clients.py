"""Clients (``/clients``) and a client's page (``/clients/{client_id}``, the contact id):
the latest PHQ-9/GAD-7 per client, and one client's course as the progress report shows
it (the reporter's own partial), with links to their progress-report PDFs."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lorc_console.models.clients import client_report, client_summaries
from lorc_console.pages.display import Display
from lorc_console.pages.warehouse import contacts
from lorc_console.state import render, state_of
from reporter.instruments import paired_order
from reporter.render import render_client_report_body

TEXTS = {
    "de": {
        "list.none": "Noch keine Messungen.",
        "col.client": "Klient:in",
        "col.latest": "zuletzt",
        "col.severity": "Schweregrad",
        "col.change": "Veränderung",
        "col.pair": "PHQ-9 + GAD-7 (NHS Talking Therapies)",
        "col.last": "letzte Messung",
        "unnamed": "ohne Namen",
        "recovery": "Recovery",
        "client.report": "Verlauf wie im Verlaufsbericht",
        "client.pdfs": "Verlaufsberichte (PDF)",
        "client.no_pdfs": "Noch kein Verlaufsbericht als PDF.",
        "client.week": "Woche",
        "client.back": "Alle Klient:innen",
    },
    "en": {
        "list.none": "No measurements yet.",
        "col.client": "Client",
        "col.latest": "latest",
        "col.severity": "Severity",
        "col.change": "Change",
        "col.pair": "PHQ-9 + GAD-7 (NHS Talking Therapies)",
        "col.last": "last measured",
        "unnamed": "no name",
        "recovery": "recovery",
        "client.report": "Course as in the progress report (German, like the PDF)",
        "client.pdfs": "Progress reports (PDF)",
        "client.no_pdfs": "No progress report as a PDF yet.",
        "client.week": "Week",
        "client.back": "All clients",
    },
}


def clients_page(request: Request) -> Response:
    state = state_of(request)
    series = state.reader.view_rows("measurement_timeseries")
    paired = state.reader.view_rows("measurement_paired")
    names = state.reader.read("console.contacts", contacts)
    return render(
        request,
        "clients.html.j2",
        page="clients",
        clients=state.memo(client_summaries, series.value, paired.value, names.value),
        instruments=paired_order(),
        show=Display(state.locale),
        stale=series.stale or paired.stale or names.stale,
        as_of=min(series.as_of, paired.as_of, names.as_of),
    )


def client_detail(request: Request) -> Response:
    state = state_of(request)
    client_id = str(request.path_params["client_id"])
    series = state.reader.view_rows("measurement_timeseries")
    names = state.reader.read("console.contacts", contacts)
    report = client_report(client_id, series.value, names.value)
    if report is None:
        raise HTTPException(404)
    pdfs = progress_pdf_weeks(state.config.home.root / "reports", client_id)
    return render(
        request,
        "client.html.j2",
        page="clients",
        title=report.name,
        report=report,
        pdfs=pdfs,
        body=Markup(render_client_report_body(report)),
        pdf_name=progress_pdf_name,
        stale=series.stale or names.stale,
        as_of=min(series.as_of, names.as_of),
    )


def progress_pdf_weeks(reports_dir: Path, client_id: str) -> list[str]:
    """The weeks under ``$LORC_HOME/reports`` holding this (known) client's progress-report PDF, newest first."""
    if not reports_dir.is_dir():
        return []
    found = [d.name for d in reports_dir.iterdir() if (d / progress_pdf_name(d.name, client_id)).is_file()]
    return sorted(found, reverse=True)


def progress_pdf_name(week: str, client_id: str) -> str:
    """As ``generate_weekly_report`` names it."""
    return f"verlauf-{week}-{client_id}.pdf"


ROUTES = [
    Route("/clients", clients_page, methods=["GET"]),
    Route("/clients/{client_id}", client_detail, methods=["GET"]),
]
