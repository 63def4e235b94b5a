"""Job ``generate_weekly_report``: the practice report and one progress report per client
measured in the week, as HTML and PDF in ``$LORC_HOME/reports/<week>/``, delivered by
e-mail (or to the outbox).

A week is reported once it has ended; a running week can only be previewed (rendered,
marked, never delivered). The report carries every item-9 flag no delivered report has
carried (``reporter.safety``), recorded with the delivery in the ledger, so each flag
reaches exactly one delivered report; and it lists the flags earlier reports carried
whose follow-up was recorded since the last report was prepared and up to its own
preparation (``reporter.safety_list.followed_up_since``), so each follow-up reaches one
too. A preview writes its report's files and a ``report.previewed`` event, and brings
``reporting_snapshots`` up to date first when anything it is built from changed (its
tables, job state, published view and ``projection.rebuilt`` event, as its own job would); it delivers nothing and claims no flag: the
ledger gains no delivery (only, once, the weeks an earlier version delivered, which any
run of this job enters first). Delivery is prepared once and then completed per
recipient (``dispatch``): a rerun never sends twice to anyone. Events carry the week
and counts, never report contents or addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from lorchestra.jobkit import JobContext, JobResult, MapPool, checkpoint, utcnow
from reporter.assemble import (
    PracticeReport,
    assemble_client_reports,
    assemble_practice_report,
)
from reporter.clients import Clients
from reporter.delivery import Attachment
from reporter.exceptions import WeekError
from reporter.jobs.dispatch import Channel, complete, finish_unfinished, prepare
from reporter.jobs.ledger import WEEKLY, Delivery, Ledger
from reporter.jobs.legacy import LEGACY
from reporter.jobs.reading import clients_of, followups_of, open_ledger, projection_rows
from reporter.jobs.snapshots import week_figures_of
from reporter.render import render_html, render_pdf
from reporter.safety import ITEM9_POSITIVE, CarriedFlag, SafetyFlag, carried_flags
from reporter.safety_list import FollowUp, followed_up_since
from reporter.weeks import has_ended, last_full_week, parse_week, week_bounds

PROJECTIONS = ("inbox_view", "measurement_timeseries", "measurement_paired")
RENDER_IN_PROCESS_MAX = 8  # more PDFs than this are rendered on every core
RESEND = ":resend:"  # in the id of a delivery that sends an earlier report again


@dataclass(frozen=True)
class _Safety:
    """What a report shows of the safety flags."""

    carried: list[CarriedFlag]
    followed_up: list[SafetyFlag]  # carried by earlier reports, followed up since the last one
    followups: dict[str, FollowUp]


def generate_weekly_report(ctx: JobContext) -> JobResult:
    """Weekly practice report and client progress reports (HTML + PDF), delivered by e-mail."""
    now = utcnow()
    week = str(ctx.params.get("week") or last_full_week(now.date()))
    parse_week(week)
    resend, preview = _flag(ctx, "resend"), _flag(ctx, "preview")
    channel = Channel.from_config(ctx.config.section("reports"), ctx.config.secrets)  # refuse before any work
    if preview:
        return _preview(ctx, week, now)
    if not has_ended(week, now):
        raise WeekError(
            f"week {week} has not ended yet (it ends {week_bounds(week)[1]:%Y-%m-%d %H:%M} UTC): its "
            "report would miss what is still to come, safety flags included. Pass --preview to "
            "see it now (not delivered), or wait for the week to end"
        )
    ledger, flags = open_ledger(ctx)
    resumed = finish_unfinished(ctx, ledger, channel, WEEKLY)
    counts = {
        "client_reports": 0,
        "attachments": 0,
        "safety_flags": 0,
        "late_safety_flags": 0,
        "delivered": sum(1 for d in resumed if d.week == week),
        "resumed": len(resumed),
    }
    original = ledger.delivery(_delivery_id(week))
    if resend:
        if original is None:
            raise WeekError(
                f"week {week} was never delivered, so there is nothing to send again; "
                "run without --resend to deliver it"
            )
        if original.method == LEGACY:
            raise WeekError(
                f"week {week} was delivered by an earlier version of lorc, which kept no copy of "
                "the message to send again; its PDFs are in the reports folder of the PHI home"
            )
        if not counts["delivered"]:  # this run has not just completed a delivery of the week (a rerun)
            _resend(ctx, ledger, channel, original, week)
        counts["delivered"] = 1
        return JobResult(counts=counts)
    if original is not None:
        # What was sent stays as it was sent: no new files, no new e-mail.
        if not counts["delivered"]:
            ctx.logger.info("week %s was delivered before; not generating or sending again (use --resend)", week)
        return JobResult(counts=counts, note=None if counts["delivered"] else f"{week} already delivered")

    safety = _safety(ctx, week, ledger, flags, now)
    carried = safety.carried
    practice, attachments, client_reports = _render_week(ctx, week, safety)
    counts.update(
        client_reports=client_reports,
        attachments=len(attachments),
        safety_flags=len(practice.item9),
        late_safety_flags=practice.late_item9_count,
    )
    delivery = prepare(
        ctx,
        ledger,
        channel,
        delivery_id=_delivery_id(week),
        kind=WEEKLY,
        week=week,
        folder=ctx.home.subdir("reports", week),
        stem=f"wochenbericht-{week}",
        subject=f"Wochenbericht {week}",
        body=(
            f"Im Anhang: der Praxisbericht {week} und {client_reports} Verlaufsbericht(e).\n"
            f"{_safety_line(carried)}"
            "Die Berichte enthalten Gesundheitsdaten; bitte nicht weiterleiten.\n"
        ),
        attachments=attachments,
        flags=carried,
        prepared_at=now,  # the next report lists the follow-ups recorded after it
    )
    checkpoint("report.before_delivery")
    complete(ctx, ledger, channel, delivery)
    counts["delivered"] = 1
    return JobResult(counts=counts)


def _safety(ctx: JobContext, week: str, ledger: Ledger, flags: Sequence[SafetyFlag], now: datetime) -> _Safety:
    reported = ledger.carried_keys((f.flag_key for f in flags), WEEKLY)
    followups = followups_of(ctx)
    prepared = [at for key, at in ledger.prepared(WEEKLY).items() if RESEND not in key]
    return _Safety(
        carried=carried_flags(week, flags, reported),
        followed_up=followed_up_since(flags, followups, reported, after=max(prepared, default=None), until=now),
        followups=followups,
    )


def _render_week(ctx: JobContext, week: str, safety: _Safety) -> tuple[PracticeReport, list[Attachment], int]:
    inbox, series, paired = (projection_rows(ctx, name) for name in PROJECTIONS)
    clients = clients_of(ctx)
    practice = _practice(ctx, week, (inbox, series, paired), clients, safety, preview=False)
    client_reports = assemble_client_reports(week, series, clients)
    pages = [(f"praxisbericht-{week}", render_html(practice))]
    pages += [(f"verlauf-{week}-{report.client_id}", render_html(report)) for report in client_reports]
    folder = ctx.home.subdir("reports", week)
    with MapPool(render_pdf, min_items=RENDER_IN_PROCESS_MAX) as pool:  # WeasyPrint is CPU-bound
        pdfs = pool.map([html for _, html in pages])
    attachments = [_write(ctx, folder, stem, html, pdf) for (stem, html), pdf in zip(pages, pdfs, strict=True)]
    ctx.events.audit(
        "report.generated",
        payload={
            "week": week,
            "client_reports": len(client_reports),
            "files": 2 * len(attachments),
            "safety_flags": len(practice.item9),
            "late_safety_flags": practice.late_item9_count,
        },
    )
    return practice, attachments, len(client_reports)


def _practice(
    ctx: JobContext,
    week: str,
    rows: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
    clients: Clients,
    safety: _Safety,
    *,
    preview: bool,
) -> PracticeReport:
    """The practice report: its figures from ``reporting_snapshots`` (brought up to date
    first), its lists from the projections, its safety list with the recorded follow-ups."""
    figures = week_figures_of(ctx, week)
    return assemble_practice_report(
        week,
        *rows,
        clients,
        safety=safety.carried,
        figures=figures,
        followups=safety.followups,
        followed_up=safety.followed_up,
        preview=preview,
    )


def _preview(ctx: JobContext, week: str, now: datetime) -> JobResult:
    """The practice report of a week so far, marked as a preview, in the reports folder;
    ``reporting_snapshots`` is brought up to date for it; no delivery, nothing sent."""
    ledger, flags = open_ledger(ctx)
    safety = _safety(ctx, week, ledger, flags, now)
    inbox, series, paired = (projection_rows(ctx, name) for name in PROJECTIONS)
    practice = _practice(ctx, week, (inbox, series, paired), clients_of(ctx), safety, preview=True)
    html = render_html(practice)
    _write(ctx, ctx.home.subdir("reports", week), f"vorschau-praxisbericht-{week}", html, render_pdf(html))
    ctx.events.audit("report.previewed", payload={"week": week, "safety_flags": len(practice.item9)})
    return JobResult(
        counts={"previews": 1, "delivered": 0, "safety_flags": len(practice.item9)},
        note=f"preview of {week}: not delivered",
    )


def _resend(ctx: JobContext, ledger: Ledger, channel: Channel, original: Delivery, week: str) -> None:
    """The report as it was delivered, again, to everyone configured now, under a new Message-ID
    (a copy with the old one may be dropped by a mail client that has seen it)."""
    path = ctx.home.root / original.message_path
    if not path.is_file():
        raise WeekError(
            f"the report of {week} as it was delivered is no longer at {path}, so it cannot be sent "
            "again; its PDFs may still be in that folder"
        )
    stored = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    attachments = [Attachment(str(part.get_filename()), part.get_content()) for part in stored.iter_attachments()]
    body_part = stored.get_body(preferencelist=("plain",))
    body = body_part.get_content() if body_part is not None else ""
    stem = f"wochenbericht-{week}-erneut-{ctx.run_id}"
    delivery = prepare(
        ctx,
        ledger,
        channel,
        delivery_id=f"{_delivery_id(week)}:resend:{ctx.run_id}",
        kind=WEEKLY,
        week=week,
        folder=path.parent,
        stem=stem,
        subject=f"Wochenbericht {week} (erneut)",
        body=body,
        attachments=attachments,
        flags=(),
    )
    complete(ctx, ledger, channel, delivery)


def _safety_line(carried: Sequence[CarriedFlag]) -> str:
    """Counts only: the body of the e-mail carries no health data."""
    if not carried:
        return "Sicherheitsliste (Item 9): keine Einträge.\n"
    positive = sum(1 for c in carried if c.flag.answer == ITEM9_POSITIVE)
    late = sum(1 for c in carried if c.late)
    return (
        f"Sicherheitsliste (Item 9): {len(carried)} Einträge, davon {positive} positiv"
        f"{f' und {late} nachgemeldet' if late else ''}; bitte zuerst lesen.\n"
    )


def _write(ctx: JobContext, folder: Path, stem: str, html: str, pdf: bytes) -> Attachment:
    ctx.home.write_file(folder / f"{stem}.html", html.encode("utf-8"))
    ctx.home.write_file(folder / f"{stem}.pdf", pdf)
    return Attachment(f"{stem}.pdf", pdf)


def _delivery_id(week: str) -> str:
    return f"weekly:{week}"


def _flag(ctx: JobContext, name: str) -> bool:
    return str(ctx.params.get(name, "")).lower() == "true"
