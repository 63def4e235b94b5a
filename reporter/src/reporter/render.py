"""HTML with Jinja2 (autoescaped) and PDF with WeasyPrint.

The HTML is self-contained (the stylesheet is inlined), so a notebook can show it as
is. Output depends only on the report: no clock, no environment.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from reporter.assemble import ClientReport, PracticeReport
from reporter.formatting import de_date, de_datetime, human_duration
from reporter.instruments import CHANGE_DE, instrument_name, severity_label
from reporter.invalid_items import InvalidItem
from reporter.safety import (
    ITEM9_ANSWERED_INVALID,
    ITEM9_NEGATIVE,
    ITEM9_NOT_ANSWERED,
    ITEM9_POSITIVE,
)
from reporter.safety_list import SafetyAlert
from reporter.weeks import parse_week
from shared_schemas.types import InboxStatus

TEMPLATES_DIR = Path(__file__).parent / "templates"
# Rows shown per sales list (new inquiries, awaiting reply); the rest is counted. The
# item-9 safety list is never cut. A week of thousands of inquiries stays a readable
# report, and WeasyPrint's table layout stays fast (600 rows took 18 s, 2 x 100 rows 7.6 s).
SALES_LIST_LIMIT = 50
STATUS_DE: dict[InboxStatus, str] = {
    "new inquiry": "neue Anfrage",
    "awaiting reply": "wartet auf Antwort",
    "in conversation": "im Gespräch",
    "client": "Klient:in",
    "internal": "intern",
}
ITEM9_DE = {
    ITEM9_POSITIVE: "positiv",
    ITEM9_NOT_ANSWERED: "nicht beantwortet",
    ITEM9_ANSWERED_INVALID: "ungültig beantwortet",
    ITEM9_NEGATIVE: "nein",
}
ITEM9_ACTION_DE = {  # the safety lists
    ITEM9_POSITIVE: "positiv – Risiko abklären",
    ITEM9_NOT_ANSWERED: "nicht beantwortet – nachfragen",
    ITEM9_ANSWERED_INVALID: "ungültig beantwortet – nachfragen",
}
INVALID_RULE_DE = {  # clinical-rules.md R9/R10, and what the form gave instead of an answer
    "R9.out_of_range": "Wert außerhalb 0–3",
    "R9.non_integer": "keine ganze Zahl",
    "R9.not_a_number": "keine Zahl",
    "R10.unrecognised_text": "unbekannter Antworttext",
    "R9.wrong_type": "falscher Antworttyp",
    "R9.multiple_values": "mehrere Antworten",
}


def render_html(report: PracticeReport | ClientReport | SafetyAlert) -> str:
    if isinstance(report, PracticeReport):
        template = "practice_report.html.j2"
    elif isinstance(report, ClientReport):
        template = "client_report.html.j2"
    elif isinstance(report, SafetyAlert):
        template = "safety_alert.html.j2"
    else:
        raise TypeError("render_html takes a PracticeReport, a ClientReport or a SafetyAlert")
    return _environment().get_template(template).render(report=report)


def render_client_report_body(report: ClientReport) -> str:
    """The progress report's content without its page (no stylesheet, no ``<html>``): the
    console's client page shows it, so page and PDF show the same tables and chart."""
    return _environment().get_template("client_report_body.html.j2").render(report=report)


def render_pdf(html: str) -> bytes:
    """A4 PDF of ``html`` (relative URLs resolve against the templates directory)."""
    import weasyprint  # imported here: it takes about a second, and assembling needs none of it

    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return bytes(pdf)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=de_date,
        datetime=de_datetime,
        duration=human_duration,
        instrument=instrument_name,
        severity=severity_label,
        change=lambda v: "–" if v is None else CHANGE_DE.get(v, v),
        status=lambda v: STATUS_DE.get(v, v),
        item9=lambda v: "–" if v is None else ITEM9_DE.get(v, v),
        item9_action=lambda v: ITEM9_ACTION_DE.get(v, v),
        invalid_items=_invalid_items,
        yesno=lambda v: "–" if v is None else ("ja" if v else "nein"),
        signed=lambda v: "–" if v is None else (f"+{v}" if v > 0 else f"{v}".replace("-", "−")),
        kw=_kw,
    )
    env.globals["list_limit"] = SALES_LIST_LIMIT
    return env


def _invalid_items(items: tuple[InvalidItem, ...]) -> str:
    """``Item 3: Wert außerhalb 0–3 (R9.out_of_range); Item 9: ...``"""
    return "; ".join(f"Item {i.item}: {INVALID_RULE_DE.get(i.rule, 'ungültig')} ({i.rule})" for i in items)


def _kw(week: str) -> str:
    year, number = parse_week(week)
    return f"KW {number}/{year}"
