"""``lorc``: thin Click commands, each calling one library function.

Output is ids, counts and statuses only. Errors of the suite become one line on
stderr and a non-zero exit; unknown jobs exit 2 like any other usage error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from lorchestra.cli_bench import bench
from lorchestra.cli_common import add_plugin_commands, emit_json, fail_cleanly
from lorchestra.cli_connect import connect
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome

_WAIT_HELP = "Seconds to wait while another lorc run, or another program, holds the PHI home or its warehouse."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    envvar="LORC_HOME",
    help="PHI home (default ~/.lorchestra; env LORC_HOME).",
)
@click.option(
    "--log-level",
    envvar="LORC_LOGLEVEL",
    default=None,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@click.pass_context
def main(ctx: click.Context, home: Path | None, log_level: str | None) -> None:
    """lorchestra: the data pipelines of a small psychology practice."""
    from lorchestra.config import configured_log_level
    from lorchestra.logging_setup import configure_logging, release_logging

    # The library holds umask 077 while it works (lorchestra.umask); lorc keeps 077 for the
    # whole command, so nothing it creates is ever readable by others. A caller that runs
    # lorc in its own process (a notebook, a test) gets its umask and logging back after.
    callers_umask = os.umask(0o077)
    ctx.call_on_close(lambda: os.umask(callers_umask))

    phi_home = PhiHome(home.expanduser().absolute()) if home else PhiHome.from_env()
    ctx.obj = phi_home
    ctx.call_on_close(release_logging)
    try:
        configure_logging(phi_home, log_level, configured=configured_log_level(phi_home))
    except LorcError as exc:  # before any command's own error handling: a home we cannot write to
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


@main.command()
@click.option(
    "--create-dataset",
    is_flag=True,
    help="BigQuery: create the dataset in storage.bigquery.location if it is missing "
    "(needs bigquery.datasets.create; runs never create it).",
)
@click.pass_obj
@fail_cleanly
def init(home: PhiHome, create_dataset: bool) -> None:
    """Create the PHI home (0700), its config and the warehouse. Safe to run again."""
    from lorchestra.initialize import init_home

    report = init_home(home, create_dataset=create_dataset)
    for path in report.created:
        click.echo(f"created   {path}")
    for path in report.tightened:
        click.echo(f"tightened {path} (was readable by others)")
    click.echo(f"PHI home ready at {report.home} (backend {report.backend}); next: lorc doctor")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option(
    "--bigquery-dry-run",
    "dry_run",
    is_flag=True,
    help="Instead of the checks, send every statement of a run to BigQuery as a dry run (free, "
    "writes nothing) and print the bytes each kind would scan.",
)
@click.pass_obj
@fail_cleanly
def doctor(home: PhiHome, as_json: bool, dry_run: bool) -> None:
    """Check the PHI home, config, storage, Meltano and job plugins; say what to fix."""
    if dry_run:
        _print_dry_run(home, as_json)
        return
    from lorchestra.doctor import diagnose

    checks = diagnose(home)
    if as_json:
        emit_json([c.__dict__ for c in checks])
    else:
        for check in checks:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
            if check.fix:
                click.echo(f"     fix: {check.fix}")
    if not all(c.ok for c in checks):
        sys.exit(1)


def _print_dry_run(home: PhiHome, as_json: bool) -> None:
    from lorchestra.config import load_config
    from lorchestra.stack_clients.bigquery_store.dry_run import estimate_run

    estimate = estimate_run(load_config(home))
    if as_json:
        emit_json({"bytes_by_kind": estimate.by_kind, "total_bytes": estimate.total})
        return
    width = max((len(kind) for kind in estimate.by_kind), default=0)
    for kind, scanned in estimate.by_kind.items():
        click.echo(f"{kind:<{width}}  {scanned:>15,} bytes")
    click.echo(f"{'total':<{width}}  {estimate.total:>15,} bytes (a dry run: nothing was written or billed)")


@main.group()
def jobs() -> None:
    """Jobs discovered through the lorchestra.jobs entry-point group."""


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
def jobs_list(as_json: bool) -> None:
    """List every job with the package that provides it."""
    from lorchestra.jobs import JobRegistry

    registry = JobRegistry.discover()
    for warning in registry.warnings:
        click.echo(f"warning: {warning}", err=True)
    rows = registry.describe()
    if as_json:
        emit_json(rows)
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['package']:<14} {row['summary']}")


@main.command()
@click.argument("job_names", nargs=-1, metavar="[JOB...]")
@click.option("--pipeline", metavar="NAME", help="Run a pipeline from config (daily, weekly ...) instead of JOBs.")
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 86400), default=0, show_default=True, help=_WAIT_HELP)
@click.option("--dry-run", is_flag=True, help="Resolve the jobs and check the set-up; run nothing.")
@click.option("--keep-going", is_flag=True, help="Run the remaining jobs after one fails.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter handed to every job (repeatable), e.g. --param week=2026-W46.",
)
@click.option("--week", metavar="YYYY-Www", help="Shorthand for --param week=YYYY-Www (report jobs).")
@click.option("--resend", is_flag=True, help="Shorthand for --param resend=true (report jobs).")
@click.option(
    "--preview",
    is_flag=True,
    help="Shorthand for --param preview=true: render a week that has not ended, marked, never delivered.",
)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Extract jobs: ignore the bookmarks and re-read from each connection's start_date.",
)
@click.option("--connection", metavar="NAME", help="Extract jobs: only this connection.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def run(
    home: PhiHome,
    job_names: tuple[str, ...],
    pipeline: str | None,
    wait_seconds: float,
    dry_run: bool,
    keep_going: bool,
    params: tuple[str, ...],
    week: str | None,
    resend: bool,
    preview: bool,
    full_refresh: bool,
    connection: str | None,
    as_json: bool,
) -> None:
    """Run jobs (or a pipeline) in order under one run id. Exit 0 only if every job succeeded."""
    from lorchestra.runner import run_jobs, run_pipeline

    if bool(job_names) == bool(pipeline):
        raise click.UsageError("name the jobs to run, or --pipeline NAME (not both)")

    parsed: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        parsed[key] = value
    if week:
        parsed["week"] = week
    if resend:
        parsed["resend"] = "true"
    if preview:
        parsed["preview"] = "true"
    if full_refresh:
        parsed["full_refresh"] = "true"
    if connection:
        parsed["connection"] = connection
    from lorchestra.progress import NoProgress, TerminalProgress

    # A live line only for a person at a terminal; never in cron, pipes or --json.
    progress = TerminalProgress(sys.stderr) if sys.stdout.isatty() and not as_json else NoProgress()
    if pipeline:
        report = run_pipeline(
            pipeline, home=home, dry_run=dry_run, params=parsed, wait_seconds=wait_seconds, progress=progress
        )
    else:
        report = run_jobs(
            job_names,
            home=home,
            dry_run=dry_run,
            keep_going=keep_going,
            params=parsed,
            wait_seconds=wait_seconds,
            progress=progress,
        )
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(f"run {report.run_id}{' (dry run)' if dry_run else ''}")
        for outcome in report.outcomes:
            counts = " ".join(f"{k}={v}" for k, v in outcome.counts.items())
            line = f"  {outcome.status:<8} {outcome.name} {outcome.duration_ms} ms {counts}".rstrip()
            click.echo(line)
            if outcome.error:
                click.echo(f"           {outcome.error}")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 86400), default=0, show_default=True, help=_WAIT_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def replay(home: PhiHome, paths: tuple[Path, ...], wait_seconds: float, as_json: bool) -> None:
    """Re-emit backup files (backup/{raw|canonical}/...) into the store; safe to repeat."""
    from lorchestra.runner import replay_files

    report = replay_files(list(paths), home=home, wait_seconds=wait_seconds)
    outcome = report.outcomes[0]
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(f"run {report.run_id}: {outcome.status} " + " ".join(f"{k}={v}" for k, v in outcome.counts.items()))
    if not report.ok:
        click.echo(f"error: {outcome.error}", err=True)
        sys.exit(1)


@main.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def status(home: PhiHome, limit: int, as_json: bool) -> None:
    """What runs now, the recent job runs (job, started, duration, status, counts) and the
    questionnaire responses that match no contact (JSON: {"runs": [...], "unlinked_responses": [ids]})."""
    from lorchestra.status import run_status

    report = run_status(home, limit)
    if as_json:
        emit_json(report.as_dict())
        return
    if report.live is not None:
        since = f" since {_clock(report.live.since)}" if report.live.since else ""
        job = report.current_job
        doing = f", job {job.job} since {_clock(job.started)}" if job else ""
        click.echo(f"running now: {report.live.describe()}{since}{doing}")
    if report.warehouse_user:
        click.echo(f"(the warehouse is in use by {report.warehouse_user}: runs from {report.source})")
    if report.unlinked_responses:
        click.echo(
            f"{len(report.unlinked_responses)} questionnaire response(s) match no contact "
            "(ids: lorc status --json, unlinked_responses)"
        )
    if not report.runs:
        click.echo("no runs yet")
    for r in report.runs:
        duration = f"{r.duration_ms} ms" if r.duration_ms is not None else "-"
        counts = " ".join(f"{k}={v}" for k, v in r.counts.items())
        click.echo(f"{_clock(r.started)}  {r.status:<11} {r.job:<28} {duration:>9}  run {r.run_id}  {counts}".rstrip())


def _clock(when: Any) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else "?"


main.add_command(connect)
main.add_command(bench)

COMMANDS_GROUP = "lorchestra.commands"
add_plugin_commands(main, COMMANDS_GROUP)
