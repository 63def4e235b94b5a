"""Reports: the delivered weeks from the reporter's ledger, their recipients as configured
positions ("recipient 1 of 2", never an address), and downloads of the week's PDFs.

A download names a week and a file; both must match strict patterns and the file must
resolve inside ``$LORC_HOME/reports/`` (no ``..``, no symlink out), else 404.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from lorc_console.i18n import translator
from lorc_console.state import render, state_of
from lorchestra.stack_clients import Store
from lorchestra.warehouse_reader import WarehouseBusy
from reporter.ledger_tables import DELIVERIES, WEEKLY

WEEK = re.compile(r"^\d{4}-W\d{2}$")
PDF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*\.pdf$")


@dataclass
class Target:
    label: str  # "recipient 1 of 2", "outbox" ... never the address
    status: str
    accepted_at: datetime | None


@dataclass
class Week:
    week: str
    prepared_at: datetime | None = None
    method: str | None = None
    targets: list[Target] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)


def read_deliveries(store: Store) -> list[dict[str, Any]]:
    return store.read_table(DELIVERIES) if store.has_table(DELIVERIES) else []


def target_label(target: str, recipients: Sequence[str], t: Any) -> str:
    if target == "outbox":
        return str(t("target.outbox"))
    wanted = [r.strip().lower() for r in recipients]
    if target.strip().lower() in wanted:
        return str(t("target.position")).format(n=wanted.index(target.strip().lower()) + 1, of=len(wanted))
    return str(t("target.former"))


def reports_dir(request: Request) -> Path:
    return state_of(request).config.home.root / "reports"


def weeks_of(rows: Sequence[dict[str, Any]], folder: Path, recipients: Sequence[str], t: Any) -> list[Week]:
    weeks: dict[str, Week] = {}
    for row in sorted(rows, key=lambda r: (str(r["week"]), str(r["target"]))):
        if row["kind"] != WEEKLY or not row["week"]:
            continue
        week = weeks.setdefault(str(row["week"]), Week(str(row["week"])))
        week.prepared_at = row["prepared_at"]
        week.method = str(row["method"])
        week.targets.append(
            Target(target_label(str(row["target"]), recipients, t), str(row["status"]), row["accepted_at"])
        )
    if folder.is_dir():
        for sub in folder.iterdir():
            if WEEK.match(sub.name) and sub.is_dir() and not sub.is_symlink():
                week = weeks.setdefault(sub.name, Week(sub.name))
                week.pdfs = sorted(p.name for p in sub.iterdir() if PDF.match(p.name) and p.is_file())
    return sorted(weeks.values(), key=lambda w: w.week, reverse=True)


def reports_page(request: Request) -> Response:
    state = state_of(request)
    t = translator(state.locale, TEXTS)
    stale, as_of, rows = False, None, []
    try:
        fresh = state.reader.read("report_deliveries", read_deliveries)
        rows, stale, as_of = fresh.value, fresh.stale, fresh.as_of
    except WarehouseBusy:
        stale = True
    recipients = [str(r) for r in state.config.section("reports").get("recipients") or []]
    weeks = weeks_of(rows, reports_dir(request), recipients, t)
    return render(request, "reports.html.j2", page="reports", stale=stale, as_of=as_of, weeks=weeks)


def download(request: Request) -> Response:
    """One PDF of a week's folder, as an attachment; anything else is 404."""
    week, name = request.path_params["week"], request.path_params["filename"]
    if not WEEK.match(week) or not PDF.match(name):
        raise HTTPException(404)
    root = reports_dir(request).resolve()
    path = (root / week / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type="application/pdf", filename=name, content_disposition_type="attachment")


ROUTES = [Route("/reports", reports_page), Route("/reports/{week}/{filename}", download)]

TEXTS = {
    "de": {
        "weeks.none": "Noch kein Wochenbericht zugestellt.",
        "col.week": "Woche",
        "col.prepared": "Erstellt",
        "col.method": "Weg",
        "col.recipients": "Empfänger",
        "col.pdfs": "PDFs",
        "target.outbox": "Postausgang (Datei)",
        "target.position": "Empfänger {n} von {of}",
        "target.former": "früherer Empfänger",
        "delivery.accepted": "zugestellt",
        "delivery.pending": "ausstehend",
        "delivery.withdrawn": "zurückgezogen",
        "pdfs.none": "keine",
    },
    "en": {
        "weeks.none": "No weekly report delivered yet.",
        "col.week": "Week",
        "col.prepared": "Prepared",
        "col.method": "Method",
        "col.recipients": "Recipients",
        "col.pdfs": "PDFs",
        "target.outbox": "outbox (file)",
        "target.position": "recipient {n} of {of}",
        "target.former": "former recipient",
        "delivery.accepted": "delivered",
        "delivery.pending": "pending",
        "delivery.withdrawn": "withdrawn",
        "pdfs.none": "none",
    },
}
