from __future__ import annotations

import dataclasses
import importlib.util
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from reporter import (
    ClientReport,
    PracticeReport,
    assemble_client_reports,
    assemble_practice_report,
    render_html,
    render_pdf,
    trend_chart_svg,
)
from reporter.examples import example_inputs
from reporter.render import render_client_report_body

REPO = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftoppm, pdfinfo) not installed",
)

# The client report's fixed layout (report.css.j2): A4 page margins 18 mm (top) and 16 mm (left),
# a 22 mm header, then the chart block of 178 x 111.25 mm.
CHART_MM = (16.0, 18.0 + 22.0, 16.0 + 178.0, 18.0 + 22.0 + 111.25)


@pytest.fixture(scope="module")
def inputs() -> dict:  # type: ignore[type-arg]
    return example_inputs()


@pytest.fixture(scope="module")
def practice(inputs) -> PracticeReport:  # type: ignore[no-untyped-def]
    return assemble_practice_report(**inputs)


@pytest.fixture(scope="module")
def client(inputs) -> ClientReport:  # type: ignore[no-untyped-def]
    return assemble_client_reports(inputs["week"], inputs["timeseries_rows"], inputs["clients"])[0]


def pages_as_png(pdf: bytes, tmp_path: Path, dpi: int = 60) -> list[Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(source), str(tmp_path / "page")], check=True)
    return sorted(tmp_path.glob("page-*.png"))


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    source = tmp_path / "info.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))  # type: ignore[union-attr]


def chart_region(png: Path, dpi: int = 60) -> list[int]:
    px = dpi / 25.4
    box = tuple(round(mm * px) for mm in CHART_MM)
    with Image.open(png) as image:
        return list(image.convert("L").crop(box).tobytes())  # type: ignore[arg-type]


def test_html_escapes_names_and_subjects(inputs) -> None:  # type: ignore[no-untyped-def]
    inbox = [dict(inputs["inbox_rows"][1], counterpart_name="<b>Bob & Co</b>", subject="<b>&amp; Termin")]
    clients = dict(inputs["clients"], **{"c-002": {"name": "<script>alert(1)</script> & Söhne", "email": "x"}})
    practice_html = render_html(
        assemble_practice_report(inputs["week"], inbox, inputs["timeseries_rows"], inputs["paired_rows"], clients)
    )
    assert "&lt;b&gt;Bob &amp; Co&lt;/b&gt;" in practice_html
    assert "&lt;b&gt;&amp;amp; Termin" in practice_html
    assert "<b>" not in practice_html and "<script" not in practice_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne" in practice_html  # item-9 list and measured list
    reports = assemble_client_reports(inputs["week"], inputs["timeseries_rows"], clients)
    client_html = render_html(next(r for r in reports if r.client_id == "c-002"))
    assert "<script" not in client_html
    assert client_html.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne") >= 3  # title, h1, chart


def test_the_practice_report_puts_the_item9_safety_list_first(practice) -> None:  # type: ignore[no-untyped-def]
    html = render_html(practice)
    order = [html.index(h) for h in ("Item 9 (PHQ-9): Sicherheitsliste", "Anfragen (Vertrieb)", "Messungen (PHQ-9")]
    assert order == sorted(order)
    safety = html[order[0] : order[1]]
    assert safety.count("positiv – Risiko abklären") == 1 and safety.count("nicht beantwortet – nachfragen") == 1


def test_html_is_deterministic_and_self_contained(practice, client) -> None:  # type: ignore[no-untyped-def]
    for report in (practice, client):
        html = render_html(report)
        assert html == render_html(report)
        assert "<link" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "counter(pages)" in html and '"DejaVu Sans"' in html
    with pytest.raises(TypeError):
        render_html({"week": "2026-W46"})  # type: ignore[arg-type]


@needs_poppler
def test_render_pdf_gives_a4_pages_with_page_numbers_in_dejavu_sans(practice, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(render_html(practice))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf, tmp_path)
    assert pages >= 1
    (tmp_path / "p.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "p.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "p.pdf")], check=True, capture_output=True, text=True).stdout
    assert "DejaVu-Sans" in fonts and "Serif" not in fonts  # margin boxes do not fall back to serif
    info = subprocess.run(["pdfinfo", str(tmp_path / "p.pdf")], check=True, capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    assert render_pdf(render_html(practice)) == pdf  # no clock in the output


@needs_poppler
def test_the_client_reports_chart_is_drawn_where_the_layout_puts_it(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = render_pdf(render_html(client))
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf, tmp_path) >= 1
    pngs = pages_as_png(pdf, tmp_path / "with")
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    with_chart = chart_region(pngs[0])
    n = len(with_chart)
    assert sum(v < 235 for v in with_chart) > 0.25 * n  # shaded bands, lines, text
    assert sum(v < 100 for v in with_chart) > 0.015 * n  # black ink: axes, text, lines, markers

    # Control 1: the same report without the chart leaves exactly that region blank,
    # so the region measured above is the chart's and nothing else's.
    blank = chart_region(
        pages_as_png(render_pdf(render_html(dataclasses.replace(client, chart_svg=""))), tmp_path / "without")[0]
    )
    assert sum(v < 235 for v in blank) < 0.005 * n

    # Control 2: the same chart with every score at the same dates invalid keeps the axes, dates,
    # bands and text but draws no lines and no points; what differs is the data ink. (Measured:
    # about 1300 pixels; about 550 with the lines missing, about 300 with lines and points missing.)
    invalid = {
        inst: [(s.measured_at, None) for s in client.scores if s.instrument == inst] for inst in ("phq9", "gad7")
    }
    no_data = dataclasses.replace(
        client, chart_svg=trend_chart_svg(invalid, width=640, height=400, title=f"Verlauf: {client.name}")
    )
    without_data = chart_region(pages_as_png(render_pdf(render_html(no_data)), tmp_path / "no-data")[0])
    assert sum(abs(a - b) > 60 for a, b in zip(with_chart, without_data, strict=True)) > 800


@needs_poppler
def test_every_example_client_report_renders(inputs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reports = assemble_client_reports(inputs["week"], inputs["timeseries_rows"], inputs["clients"])
    assert [r.client_id for r in reports] == ["c-001", "c-002", "c-003", "c-004"]  # c-005: not measured in W46
    for report in reports:
        pdf = render_pdf(render_html(report))
        assert pdf.startswith(b"%PDF") and pdf_pages(pdf, tmp_path) >= 1


@needs_poppler
def test_the_example_tool_writes_page_one_pngs(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("render_examples", REPO / "reporter/tools/render_examples.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.main(["--out", str(tmp_path), "--dpi", "30"]) == 0
    for name in ("client-report-page1.png", "practice-report-page1.png"):
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG" and image.size in ((248, 351), (249, 351))  # A4 at 30 dpi


def test_the_client_report_body_is_the_pdf_pages_content() -> None:
    """The console's client page shows the body the PDF page wraps: same tables, same chart."""
    data = example_inputs()
    report = assemble_client_reports(data["week"], data["timeseries_rows"], data["clients"])[0]
    body, page = render_client_report_body(report), render_html(report)
    assert body.strip() and body.strip() in page
    assert "<html" not in body and "<style" not in body and report.chart_svg in body
