"""``lorc bench ingest|pipeline|backfill``: the benchmarks (figures, never asserted).

Other packages add theirs through the ``lorchestra.bench`` entry-point group (``lorc
bench console`` from lorc-console), as ``lorc`` itself gets ``lorc serve``: lorchestra
names none of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from lorchestra.cli_common import add_plugin_commands, emit_json, fail_cleanly
from lorchestra.home import PhiHome


@click.group()
def bench() -> None:
    """Benchmarks (figures, not pass/fail)."""


@bench.command("ingest")
@click.option("--records", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--memory-limit", default="512MB", show_default=True, help="DuckDB memory_limit.")
@click.option(
    "--floor-memory-limit",
    default="4GB",
    show_default=True,
    help="DuckDB memory_limit of the floor: a merge holds its new rows in memory until it commits.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def bench_ingest_cmd(home: PhiHome, records: int, memory_limit: str, floor_memory_limit: str, as_json: bool) -> None:
    """Write N Gmail-shaped records twice through the batch emit on DuckDB, then through the
    plain DuckDB floor (read_ndjson_objects and a single merge that dedupes the batch); print records/s
    and the ratio to the floor."""
    from lorchestra.bench import bench_ingest

    result = bench_ingest(
        records,
        work_dir=home.tmp_dir if home.exists() else None,
        memory_limit=memory_limit,
        floor_memory_limit=floor_memory_limit,
    )
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(f"records            {result.records} ({result.file_mb} MB of JSONL)")
    click.echo(
        f"first pass         {result.first_pass_records_per_s:>8} records/s "
        f"({result.first_pass_seconds} s) {result.first_pass_counts}"
    )
    click.echo(
        f"second pass        {result.second_pass_records_per_s:>8} records/s "
        f"({result.second_pass_seconds} s) {result.second_pass_counts}"
    )
    click.echo(f"peak RSS           {result.peak_rss_mb} MB (the two passes above)")
    click.echo(
        f"floor, first pass  {result.floor_first_pass_records_per_s:>8} records/s "
        f"({result.floor_first_pass_seconds} s, memory_limit {result.floor_memory_limit}): "
        f"ingest is {result.first_pass_times_floor}x the floor"
    )
    click.echo(
        f"floor, second pass {result.floor_second_pass_records_per_s:>8} records/s "
        f"({result.floor_second_pass_seconds} s): ingest is {result.second_pass_times_floor}x the floor"
    )
    for check in result.targets:
        click.echo(f"{'met   ' if check.met else 'MISSED'} {check.target}: {check.measured}")


@bench.command("pipeline")
@click.option(
    "--emails",
    default=100_000,
    show_default=True,
    type=click.IntRange(1, 10_000_000),
    help="Synthetic e-mails, split evenly over the configured mailboxes.",
)
@click.option(
    "--responses",
    default=10_000,
    show_default=True,
    type=click.IntRange(1, 10_000_000),
    help="Synthetic Forms responses.",
)
@click.option(
    "--clients",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Respondents (one Dataverse contact each); default: one per 10 responses.",
)
@click.option(
    "--new-fraction",
    default=0.01,
    show_default=True,
    type=click.FloatRange(0.0001, 1.0),
    help="Share of new data in the third pass.",
)
@click.option("--skip-meltano", is_flag=True, help="Run the taps directly and time only the ingest of their JSONL.")
@click.option(
    "--skip-report",
    is_flag=True,
    help="Leave out generate_weekly_report: its cost follows the clients measured in the report's week, "
    "not the history, so it adds nothing at large sizes but time.",
)
@click.option(
    "--compare-with",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=lambda _ctx, _param, path: _earlier_stages(path) if path else [],
    help="The --json output of an earlier run (say at a tenth of the size): each first-run stage "
    "should keep 80% of its records/s.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def bench_pipeline_cmd(
    home: PhiHome,
    emails: int,
    responses: int,
    clients: int | None,
    new_fraction: float,
    skip_meltano: bool,
    skip_report: bool,
    compare_with: list[dict[str, Any]],
    as_json: bool,
) -> None:
    """Every stage of the weekly pipeline on DuckDB: first run, no new data, 1% new data."""
    from lorchestra.bench import bench_pipeline

    def show(figure: Any) -> None:
        if not as_json:
            rate = f"{figure.records_per_s:>9,}/s" if figure.records_per_s else " " * 11
            click.echo(
                f"{figure.pass_name:<12} {figure.stage:<30} {figure.records:>8} records "
                f"{figure.seconds:>8.3f} s {rate} {figure.peak_rss_mb:>6.0f} MB"
            )

    result = bench_pipeline(
        emails,
        responses,
        clients=clients or max(1, responses // 10),
        skip_meltano=skip_meltano,
        new_fraction=new_fraction,
        skip_report=skip_report,
        compare_with=compare_with,
        work_dir=home.tmp_dir if home.exists() else None,
        on_stage=show,
    )
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(f"\nlargest worker or tap process: {result.largest_child_rss_mb:.0f} MB\n")
    for check in result.targets:
        click.echo(f"{'met   ' if check.met else 'MISSED'} {check.target}: {check.measured}")


def _earlier_stages(path: Path) -> list[dict[str, Any]]:
    """The stages of an earlier run's ``--json`` output, or a usage error naming the file."""
    try:
        stages = json.loads(path.read_text())["stages"]
        if not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise click.BadParameter(
            f"{path} is not the --json output of lorc bench pipeline ({type(error).__name__})",
            param_hint="--compare-with",
        ) from None
    return stages


@bench.command("backfill")
@click.option("--system", type=click.Choice(["gmail", "exchange"]), default="gmail", show_default=True)
@click.option("--messages", default=20_000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option(
    "--latency-ms",
    default=50.0,
    show_default=True,
    type=click.FloatRange(0, 10_000),
    help="Added to every request of the fake API.",
)
@click.option(
    "--chunk",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="max_messages_per_run of the connection.",
)
@click.option("--no-kill", is_flag=True, help="Skip the run that is killed halfway and resumed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def bench_backfill_cmd(
    home: PhiHome, system: str, messages: int, latency_ms: float, chunk: int, no_kill: bool, as_json: bool
) -> None:
    """A first backfill of one large mailbox through lorc, meltano and the production tap
    against a fake API on loopback; then one killed halfway and resumed."""
    from lorchestra.bench.backfill import bench_backfill

    result = bench_backfill(
        system,
        messages,
        latency=latency_ms / 1000,
        chunk=chunk,
        kill=not no_kill,
        work_dir=home.tmp_dir if home.exists() else None,
    )
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(
        f"backfill           {result.messages} {system} messages, {result.latency_ms:g} ms per request, "
        f"chunks of {result.chunk}"
    )
    click.echo(
        f"uninterrupted      {result.seconds} s ({result.messages_per_s}/s), {result.requests} requests, "
        f"{result.stored} stored"
    )
    if result.killed:
        k = result.killed
        click.echo(
            f"killed after {k.killed_after_s} s  {k.committed_before_kill} committed; the rerun took "
            f"{k.rerun_seconds} s, fetched {k.refetched_committed} of the committed again, "
            f"{k.total_after_rerun} stored in all"
        )


BENCH_GROUP = "lorchestra.bench"
add_plugin_commands(bench, BENCH_GROUP)
