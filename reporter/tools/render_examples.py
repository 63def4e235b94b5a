"""Render the invented example reports and save page 1 of each as a PNG.

    .venv/bin/python reporter/tools/render_examples.py [--out docs] [--dpi 80] [--pdf-dir DIR]

Writes ``client-report-page1.png`` (the first client report, by name) and
``practice-report-page1.png`` into ``--out`` (default: ``docs/`` at the repository root).
Needs ``pdftoppm`` (poppler-utils). The data is made up (``reporter.examples``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reporter import (
    ClientReport,
    PracticeReport,
    assemble_client_reports,
    assemble_practice_report,
    render_html,
    render_pdf,
)
from reporter.examples import example_inputs

REPO = Path(__file__).resolve().parents[2]


def page1_png(pdf: bytes, target: Path, dpi: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        shutil.copyfile(Path(tmp) / "page.png", target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--pdf-dir", type=Path, help="also keep the PDFs here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    inputs = example_inputs()
    practice = assemble_practice_report(**inputs)
    clients = assemble_client_reports(inputs["week"], inputs["timeseries_rows"], inputs["clients"])
    documents: dict[str, PracticeReport | ClientReport] = {"practice-report": practice, "client-report": clients[0]}
    for stem, report in documents.items():
        started = time.perf_counter()
        pdf = render_pdf(render_html(report))
        print(f"{stem}: {len(pdf)} bytes PDF in {time.perf_counter() - started:.2f} s", file=sys.stderr)
        if args.pdf_dir:
            args.pdf_dir.mkdir(parents=True, exist_ok=True)
            (args.pdf_dir / f"{stem}.pdf").write_bytes(pdf)
        page1_png(pdf, args.out / f"{stem}-page1.png", args.dpi)
        print(args.out / f"{stem}-page1.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
