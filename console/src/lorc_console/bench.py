"""``lorc bench console``: every page of the console, timed server-side on a warehouse of
the pipeline benchmark's size (issue 17: each page in at most 200 ms on 100,000 e-mails
and 10,000 responses). Figures, never asserted.

The warehouse is the pipeline benchmark's first run (``lorchestra.bench.pipeline``) in a
temporary home, removed afterwards. The pages are called in process through the ASGI app
(httpx's ASGI transport, signed in through ``/login`` like a browser), so the figures are
the app's own time, without a network. The reader caches what it read, so three figures
are kept apart: **cold**, the first request of a fresh app with nothing cached (what a
console without its warmer would answer first after each new build), **warmed**, the first
request of a fresh app after its warmer's pass (what ``lorc serve`` answers first: the
warmer reads each new build in the background), and **warm**, the same page again on one
warmed app. The
warmer's own pass is timed too (``warm_up_s``): it is paid off any request. Added to
``lorc bench`` through the ``lorchestra.bench`` entry-point group.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import click

from lorchestra.bench.targets import CONSOLE_PAGE_MS, TargetCheck, page_target
from lorchestra.cli_common import emit_json, fail_cleanly
from lorchestra.config import Config, load_config
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome
from lorchestra.warehouse_reader import WarehouseReader

if TYPE_CHECKING:  # the app and the HTTP client load when the benchmark runs, not with every lorc command
    import httpx


@dataclass(frozen=True)
class PageFigure:
    page: str
    path: str  # with ids left out: the figures may be shared
    cache: str  # cold | warmed | warm
    samples: int
    median_ms: float
    p95_ms: float


@dataclass(frozen=True)
class ConsoleBench:
    emails: int
    responses: int
    clients: int
    limit_ms: float
    warm_up_s: list[float]  # each warmer pass of the warmed figures (background, per new build)
    pages: list[PageFigure]
    targets: list[TargetCheck]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConsoleBenchError(LorcError):
    """A page did not answer 200 during the benchmark; the message names the page and status."""


def pages(config: Config) -> list[tuple[str, str, str]]:
    """``(page, path, path as shown)`` of every page, the Pipeline with and without filters,
    and one client's page (a client with measurements, read from the published view)."""
    from lorchestra.bench.pipeline import REPORT_WEEK

    reader = WarehouseReader(config)
    try:
        measured = reader.view_rows("measurement_timeseries").value
        inbox = reader.view_rows("inbox_view").value
    finally:
        reader.close()
    if not measured or not inbox:
        raise ConsoleBenchError("the benchmark warehouse has no measurements or no inbox view: its build failed")
    mailbox = next((str(row["mailboxes"][0]) for row in inbox if row.get("mailboxes")), None)
    filters = {"status": "awaiting reply", "week": REPORT_WEEK, **({"mailbox": mailbox} if mailbox else {})}
    client_id = str(measured[0]["client_id"])
    filtered = "/pipeline?" + urlencode(filters)
    return [
        ("Today", "/", "/"),
        ("Sales pipeline", "/pipeline", "/pipeline"),
        ("Sales pipeline, filtered", filtered, "/pipeline?status&week" + ("&mailbox" if mailbox else "")),
        ("Clients", "/clients", "/clients"),
        ("Client page", f"/clients/{client_id}", "/clients/{client_id}"),
        ("Runs", "/runs", "/runs"),
        ("Runs, live progress", "/runs/live.json", "/runs/live.json"),
        ("Reports", "/reports", "/reports"),
    ]


def time_pages(config: Config, *, repeat: int, cold: int) -> tuple[list[PageFigure], list[float]]:
    """Each page ``cold`` times on a fresh app, ``cold`` times on a fresh app its warmer
    has passed over, then ``repeat`` times on one warmed app (after one request of every
    page); and the seconds of each warmer pass."""
    return asyncio.run(_time_pages(config, pages(config), repeat=repeat, cold=cold))


async def _time_pages(
    config: Config, found: list[tuple[str, str, str]], *, repeat: int, cold: int
) -> tuple[list[PageFigure], list[float]]:
    figures: list[PageFigure] = []
    warm_ups: list[float] = []
    for cache in ("cold", "warmed"):
        for page, path, shown in found:
            samples = []
            for _ in range(cold):
                async with signed_in(config, warm_ups=warm_ups if cache == "warmed" else None) as client:
                    samples.append(await _timed(client, page, path))
            figures.append(_figure(page, shown, cache, samples))
    async with signed_in(config, warm_ups=warm_ups) as client:  # as lorc serve runs it: warmed first
        for page, path, _ in found:
            await _timed(client, page, path)
        for page, path, shown in found:
            figures.append(_figure(page, shown, "warm", [await _timed(client, page, path) for _ in range(repeat)]))
    return figures, warm_ups


def run_console_bench(
    emails: int,
    responses: int,
    *,
    clients: int,
    repeat: int,
    cold: int,
    skip_meltano: bool = True,
    work_dir: Any = None,
    on_build: Callable[[str], None] | None = None,
) -> ConsoleBench:
    from lorchestra.bench.pipeline import built_warehouse

    with built_warehouse(
        emails,
        responses,
        clients=clients,
        skip_meltano=skip_meltano,
        work_dir=work_dir,
        on_stage=(lambda f: on_build(f"{f.stage:<30} {f.records:>8} records {f.seconds:>8.3f} s"))
        if on_build
        else None,
    ) as home:
        figures, warm_ups = time_pages(load_config(home, {}), repeat=repeat, cold=cold)
    return ConsoleBench(
        emails=emails,
        responses=responses,
        clients=clients,
        limit_ms=CONSOLE_PAGE_MS,
        warm_up_s=[round(seconds, 3) for seconds in warm_ups],
        pages=figures,
        targets=[page_target(f.page, f.cache, f.p95_ms) for f in figures],
    )


@asynccontextmanager
async def signed_in(config: Config, *, warm_ups: list[float] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh app (and so a fresh reader, nothing cached) with a session, as a browser gets
    one; with ``warm_ups``, after one pass of its warmer, whose seconds are appended there."""
    try:
        import httpx
    except ImportError:
        raise ConsoleBenchError("lorc bench console needs httpx: pip install httpx (./dev setup installs it)") from None

    from lorc_console.app import create_app
    from lorc_console.sessions import new_token
    from lorc_console.warm import Warmer

    token = new_token()
    app = create_app(config, token=token)
    if warm_ups is not None:
        started = time.perf_counter()
        Warmer(app).warm_once()
        warm_ups.append(time.perf_counter() - started)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        answer = await client.get(f"/login?token={token}")
        if answer.status_code != 303:
            raise ConsoleBenchError(f"signing in answered {answer.status_code}, not 303")
        yield client


async def _timed(client: httpx.AsyncClient, page: str, path: str) -> float:
    started = time.perf_counter()
    answer = await client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise ConsoleBenchError(f"{page} answered {answer.status_code}")
    return elapsed


def _figure(page: str, path: str, cache: str, samples: list[float]) -> PageFigure:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank: one of the samples
    return PageFigure(page, path, cache, len(samples), round(statistics.median(ordered), 1), round(p95, 1))


@click.command("console")
@click.option("--emails", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--responses", default=10_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option(
    "--clients",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Respondents (one Dataverse contact each); default: one per 10 responses.",
)
@click.option("--repeat", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Warm requests per page.")
@click.option(
    "--cold",
    default=5,
    show_default=True,
    type=click.IntRange(1, 1_000),
    help="Requests per page, each on a fresh app with nothing cached.",
)
@click.option("--meltano", is_flag=True, help="Build the warehouse through Meltano (default: the taps directly).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def bench_console(
    home: PhiHome,
    emails: int,
    responses: int,
    clients: int | None,
    repeat: int,
    cold: int,
    meltano: bool,
    as_json: bool,
) -> None:
    """Every console page, server-side, on a warehouse of N e-mails and M responses: median
    and p95 per page, cold (nothing cached), warmed (first request after the background
    warm-up) and warm, against the 200 ms target."""
    result = run_console_bench(
        emails,
        responses,
        clients=clients or max(1, responses // 10),
        repeat=repeat,
        cold=cold,
        skip_meltano=not meltano,
        work_dir=home.tmp_dir if home.exists() else None,
        on_build=None if as_json else lambda line: click.echo(f"built  {line}", err=True),
    )
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(f"{'page':<26} {'cache':<6} {'median ms':>10} {'p95 ms':>8}  target")
    for figure, check in zip(result.pages, result.targets, strict=True):
        click.echo(
            f"{figure.page:<26} {figure.cache:<6} {figure.median_ms:>10.1f} {figure.p95_ms:>8.1f}  "
            f"<= {result.limit_ms:g} ms {'met' if check.met else 'MISSED'}"
        )
    if result.warm_up_s:
        click.echo(
            f"warmer pass (background, once per new build): median {statistics.median(result.warm_up_s):.2f} s, "
            f"max {max(result.warm_up_s):.2f} s"
        )
