"""Job ``send_safety_alerts`` (opt-in, ``reports.safety_alerts.enabled``): an e-mail as soon
as a positive item 9 is scored, instead of waiting for the weekly report.

It alerts each positive flag at most once, and only flags no delivered weekly report has
carried yet (switching it on does not re-announce history). The body carries counts
only; the attached PDF names the responses. The weekly report still lists every flag:
the alert adds speed, it does not replace the record.
"""

from __future__ import annotations

from lorchestra.jobkit import JobContext, JobResult, utcnow
from reporter.delivery import Attachment
from reporter.jobs.dispatch import Channel, complete, finish_unfinished, prepare
from reporter.jobs.ledger import ALERT, WEEKLY
from reporter.jobs.reading import clients_of, open_ledger
from reporter.render import render_html, render_pdf
from reporter.safety import ITEM9_POSITIVE, CarriedFlag
from reporter.safety_list import assemble_safety_alert

ALERTS_FOLDER = "safety-alerts"


def send_safety_alerts(ctx: JobContext) -> JobResult:
    """E-mail new positive item-9 answers at once (when reports.safety_alerts.enabled)."""
    reports = ctx.config.section("reports")
    settings = ctx.config.section("reports", "safety_alerts")
    if not settings.get("enabled"):
        return JobResult(counts={"alerts": 0, "safety_flags": 0}, note="safety alerts are off (reports.safety_alerts)")
    listed = settings.get("recipients")
    channel = Channel.from_config(
        reports,
        ctx.config.secrets,
        recipients_key="reports.safety_alerts.recipients" if listed else "reports.recipients",
        recipients=[str(r) for r in listed] if listed else None,
    )
    ledger, flags = open_ledger(ctx)
    resumed = finish_unfinished(ctx, ledger, channel, ALERT)
    positive = [f for f in flags if f.answer == ITEM9_POSITIVE]
    keys = [f.flag_key for f in positive]
    done = ledger.carried_keys(keys, ALERT) | ledger.carried_keys(keys, WEEKLY)
    new = sorted((f for f in positive if f.flag_key not in done), key=lambda f: (f.measured_at, f.flag_key))
    if not new:
        return JobResult(counts={"alerts": len(resumed), "safety_flags": 0})

    now = utcnow()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    alert = assemble_safety_alert(new, clients_of(ctx), now.isoformat().replace("+00:00", "Z"))
    html = render_html(alert)
    pdf = render_pdf(html)
    folder = ctx.home.subdir("reports", ALERTS_FOLDER)
    stem = f"sicherheitsmeldung-{stamp}-{ctx.run_id}"
    ctx.home.write_file(folder / f"{stem}.html", html.encode("utf-8"))
    ctx.home.write_file(folder / f"{stem}.pdf", pdf)
    delivery = prepare(
        ctx,
        ledger,
        channel,
        delivery_id=f"alert:{stamp}:{ctx.run_id}",
        kind=ALERT,
        week=None,
        folder=folder,
        stem=stem,
        subject="Sicherheitsmeldung: Item 9 (PHQ-9) positiv",
        body=(
            f"{len(new)} neue positive Antwort(en) auf Item 9 des PHQ-9 (Gedanken, lieber tot zu sein oder "
            "sich Leid zuzufügen). Bitte das Risiko abklären.\nDetails im Anhang; er enthält Gesundheitsdaten, "
            "bitte nicht weiterleiten.\n"
        ),
        attachments=[Attachment(f"{stem}.pdf", pdf)],
        flags=[CarriedFlag(f, late=False) for f in new],
    )
    complete(ctx, ledger, channel, delivery)
    return JobResult(counts={"alerts": len(resumed) + 1, "safety_flags": len(new)})
