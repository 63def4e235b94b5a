"""reporter package of the lorchestra suite: weekly practice and client reports.

A pure core: plain warehouse rows in, report data, SVG, HTML and PDF out.
"""

from reporter.assemble import ClientReport, PracticeReport, assemble_client_reports, assemble_practice_report
from reporter.bar_charts import volume_chart_svg
from reporter.charts import trend_chart_svg
from reporter.render import render_html, render_pdf
from reporter.weeks import last_full_week

__all__: list[str] = [
    "ClientReport",
    "PracticeReport",
    "assemble_client_reports",
    "assemble_practice_report",
    "last_full_week",
    "render_html",
    "render_pdf",
    "trend_chart_svg",
    "volume_chart_svg",
]
