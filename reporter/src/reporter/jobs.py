"""Job ``generate_weekly_report``: the practice report and one progress report per client
measured in the week, as HTML and PDF in ``$LORC_HOME/reports/<week>/``, delivered by
e-mail (or to the outbox). Idempotent: a week that was delivered is neither rendered
nor sent again unless ``--resend``. Events carry the week and counts, never report contents."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import JobContext
from lorchestra.stack_clients.faults import checkpoint
from lorchestra.stack_clients.map_pool import MapPool

from reporter.assemble import assemble_client_reports, assemble_practice_report
from reporter.delivery import Attachment, SmtpSettings, build_message, check_recipients, send_smtp, write_outbox
from reporter.render import render_html, render_pdf
from reporter.weeks import last_full_week, parse_week

PROJECTIONS = ("inbox_view", "measurement_timeseries", "measurement_paired")
RENDER_IN_PROCESS_MAX = 8  # more PDFs than this are rendered on every core


def generate_weekly_report(ctx: JobContext) -> JobResult:
    """Weekly practice report and client progress reports (HTML + PDF), delivered by e-mail."""
    week = str(ctx.params.get("week") or last_full_week(datetime.now(UTC).date()))
    parse_week(week)
    resend = str(ctx.params.get("resend", "")).lower() == "true"
    settings = ctx.config.section("reports")
    recipients = [str(r) for r in settings.get("recipients") or []]
    allowlist = [str(a) for a in settings.get("allowlist") or []]
    check_recipients(recipients, allowlist)  # refuse before any work, let alone a connection
    if _delivered(ctx, week) and not resend:
        # What was sent stays as it was sent: no new files, no new e-mail.
        ctx.logger.info("week %s was delivered before; not generating or sending again (use --resend)", week)
        return JobResult(counts={"client_reports": 0, "attachments": 0, "delivered": 0},
                         note=f"{week} already delivered")

    inbox, series, paired = (_rows(ctx, name) for name in PROJECTIONS)
    clients = {c["contact_id"]: {"name": c.get("full_name") or "", "email": c.get("email") or ""}
               for _, c in ctx.read_objects("canonical_objects", "contact")}
    practice = assemble_practice_report(week, inbox, series, paired, clients)
    client_reports = assemble_client_reports(week, series, clients)

    folder = ctx.home.subdir("reports", week)
    pages = [(f"praxisbericht-{week}", render_html(practice))]
    pages += [(f"verlauf-{week}-{report.client_id}", render_html(report)) for report in client_reports]
    with MapPool(render_pdf, min_items=RENDER_IN_PROCESS_MAX) as pool:  # WeasyPrint is CPU-bound
        pdfs = pool.map([html for _, html in pages])
    attachments = [_write(folder, stem, html, pdf) for (stem, html), pdf in zip(pages, pdfs, strict=True)]
    ctx.events.audit("report.generated", payload={"week": week, "client_reports": len(client_reports),
                                                  "files": 2 * len(attachments)})

    counts = {"client_reports": len(client_reports), "attachments": len(attachments), "delivered": 0}
    message = build_message(
        sender=str(settings.get("from") or "reports@localhost"), recipients=recipients,
        subject=f"Wochenbericht {week}",
        body=(f"Im Anhang: der Praxisbericht {week} und {len(client_reports)} Verlaufsbericht(e).\n"
              "Die Berichte enthalten Gesundheitsdaten; bitte nicht weiterleiten.\n"),
        attachments=attachments,
    )
    method = str(settings.get("delivery") or "outbox")
    checkpoint("report.before_delivery")
    if method == "smtp":
        smtp = settings.get("smtp") or {}
        if not smtp.get("host"):
            raise ValueError("reports.delivery is smtp but reports.smtp.host is not set")
        send_smtp(message, SmtpSettings(
            host=str(smtp["host"]), port=int(smtp.get("port", 587)), security=str(smtp.get("security", "starttls")),
            timeout_seconds=float(smtp.get("timeout_seconds", 30)),
            username=ctx.config.secrets.get("LORC_SMTP_USERNAME"), password=ctx.config.secrets.get("LORC_SMTP_PASSWORD"),
        ), allowlist=allowlist)
    else:
        write_outbox(message, ctx.home.subdir("outbox"), f"wochenbericht-{week}")
    ctx.events.audit("report.delivered", payload={"week": week, "method": method, "recipients": len(recipients),
                                                  "attachments": len(attachments), "resend": resend})
    counts["delivered"] = 1
    return JobResult(counts=counts)


def _rows(ctx: JobContext, table: str) -> list[dict[str, Any]]:
    """A projection's rows with timestamps as ISO strings; an unbuilt projection is empty."""
    if not ctx.store.has_table(table):
        ctx.logger.warning("projection %s is not built yet; the report shows it empty", table)
        return []
    rows = ctx.store.query(f"SELECT * FROM {ctx.store.table(table)}")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, datetime):
                row[key] = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
            elif isinstance(value, tuple):
                row[key] = list(value)
    return rows


def _write(folder: Path, stem: str, html: str, pdf: bytes) -> Attachment:
    for suffix, content in ((".html", html.encode("utf-8")), (".pdf", pdf)):
        fd = os.open(folder / f"{stem}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    return Attachment(f"{stem}.pdf", pdf)


def _delivered(ctx: JobContext, week: str) -> bool:
    rows = ctx.store.query(
        f"SELECT payload FROM {ctx.store.table('event_log')} "
        "WHERE event_type = 'report.delivered' AND status = 'ok'"
    )
    for row in rows:
        payload = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload)
        if isinstance(payload, Mapping) and payload.get("week") == week:
            return True
    return False
