"""``lorc``: thin Click commands, each calling one library function.

Output is ids, counts and statuses only. Errors of the suite become one line on
stderr and a non-zero exit; unknown jobs exit 2 like any other usage error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lorchestra.errors_safe import safe_error
from lorchestra.exceptions import LorcError
from lorchestra.home import PhiHome

F = TypeVar("F", bound=Callable[..., Any])
_WAIT_HELP = "Seconds to wait while another lorc run, or another program, holds the PHI home or its warehouse."


def _fail_cleanly(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LorcError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # the reader went away (`lorc status | head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:  # never print a raw message: it may quote record contents
            logging.getLogger("lorchestra.cli").exception("unexpected error")
            click.echo(f"error: {safe_error(exc)}; details in the log file under $LORC_HOME/logs", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path), envvar="LORC_HOME",
              help="PHI home (default ~/.lorchestra; env LORC_HOME).")
@click.option("--log-level", envvar="LORC_LOGLEVEL", default=None,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.pass_context
def main(ctx: click.Context, home: Path | None, log_level: str | None) -> None:
    """lorchestra: the data pipelines of a small psychology practice."""
    from lorchestra.config import configured_log_level
    from lorchestra.logging_setup import configure_logging

    # The library holds umask 077 while it works (lorchestra.umask); this process is lorc's
    # alone, so it keeps 077 for its whole life: nothing it creates is ever readable by others.
    os.umask(0o077)

    phi_home = PhiHome(home.expanduser().absolute()) if home else PhiHome.from_env()
    ctx.obj = phi_home
    try:
        configure_logging(phi_home, log_level, configured=configured_log_level(phi_home))
    except LorcError as exc:  # before any command's own error handling: a home we cannot write to
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


@main.command()
@click.pass_obj
@_fail_cleanly
def init(home: PhiHome) -> None:
    """Create the PHI home (0700), its config and the warehouse. Safe to run again."""
    from lorchestra.initialize import init_home

    report = init_home(home)
    for path in report.created:
        click.echo(f"created   {path}")
    for path in report.tightened:
        click.echo(f"tightened {path} (was readable by others)")
    click.echo(f"PHI home ready at {report.home} (backend {report.backend}); next: lorc doctor")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_obj
@_fail_cleanly
def doctor(home: PhiHome, as_json: bool) -> None:
    """Check the PHI home, config, storage, Meltano and job plugins; say what to fix."""
    from lorchestra.doctor import diagnose

    checks = diagnose(home)
    if as_json:
        _emit_json([c.__dict__ for c in checks])
    else:
        for check in checks:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
            if check.fix:
                click.echo(f"     fix: {check.fix}")
    if not all(c.ok for c in checks):
        sys.exit(1)


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
        _emit_json(rows)
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['package']:<14} {row['summary']}")


@main.group()
def connect() -> None:
    """Sign a connection in once; its secrets go to $LORC_HOME/.env (0600), never printed."""


@connect.command("gmail")
@click.argument("name")
@click.option("--client-id", help="The OAuth client's id (default: the stored one, else asked for).")
@click.option("--client-secret", help="Better left out: it is then taken from .env or asked for without echo.")
@click.option("--no-browser", is_flag=True, help="Only print the sign-in address (e.g. over SSH with a tunnel).")
@click.pass_obj
@_fail_cleanly
def connect_gmail_cmd(home: PhiHome, name: str, client_id: str | None, client_secret: str | None,
                      no_browser: bool) -> None:
    """Sign a Gmail mailbox in (Google's consent page, gmail.readonly only) and keep its refresh token."""
    from lorchestra.connect import connect_gmail_mailbox

    stored = connect_gmail_mailbox(home, name, client_id=client_id, client_secret=client_secret,
                                   open_browser=not no_browser,
                                   ask=lambda prompt, hidden: click.prompt(prompt, hide_input=hidden))
    click.echo(f"connection {name}: signed in and the mailbox answers; stored {', '.join(stored)} "
               f"in {home.dotenv_path}")


@connect.command("exchange")
@click.argument("name")
@click.option("--tenant-id", prompt="Directory (tenant) ID", help="The app registration's tenant id.")
@click.option("--client-id", prompt="Application (client) ID", help="The app registration's client id.")
@click.option("--client-secret", prompt="Client secret value", hide_input=True,
              help="Better left out: it is then asked for without echo.")
@click.pass_obj
@_fail_cleanly
def connect_exchange_cmd(home: PhiHome, name: str, tenant_id: str, client_id: str, client_secret: str) -> None:
    """Check an Exchange Online connection's app credentials (a token, one mailbox call) and keep them."""
    from lorchestra.connect import connect_exchange_mailbox

    stored = connect_exchange_mailbox(home, name, tenant_id=tenant_id, client_id=client_id,
                                      client_secret=client_secret)
    click.echo(f"connection {name}: signed in and the mailbox answers; stored {', '.join(stored)} "
               f"in {home.dotenv_path}")


@main.command()
@click.argument("job_names", nargs=-1, metavar="[JOB...]")
@click.option("--pipeline", metavar="NAME", help="Run a pipeline from config (daily, weekly ...) instead of JOBs.")
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 86400), default=0, show_default=True,
              help=_WAIT_HELP)
@click.option("--dry-run", is_flag=True, help="Resolve the jobs and check the set-up; run nothing.")
@click.option("--keep-going", is_flag=True, help="Run the remaining jobs after one fails.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter handed to every job (repeatable), e.g. --param week=2026-W46.")
@click.option("--week", metavar="YYYY-Www", help="Shorthand for --param week=YYYY-Www (report jobs).")
@click.option("--resend", is_flag=True, help="Shorthand for --param resend=true (report jobs).")
@click.option("--preview", is_flag=True,
              help="Shorthand for --param preview=true: render a week that has not ended, marked, never delivered.")
@click.option("--full-refresh", is_flag=True,
              help="Extract jobs: ignore the bookmarks and re-read from each connection's start_date.")
@click.option("--connection", metavar="NAME", help="Extract jobs: only this connection.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def run(home: PhiHome, job_names: tuple[str, ...], pipeline: str | None, wait_seconds: float, dry_run: bool,
        keep_going: bool, params: tuple[str, ...], week: str | None, resend: bool, preview: bool,
        full_refresh: bool, connection: str | None, as_json: bool) -> None:
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
        report = run_pipeline(pipeline, home=home, dry_run=dry_run, params=parsed, wait_seconds=wait_seconds,
                              progress=progress)
    else:
        report = run_jobs(job_names, home=home, dry_run=dry_run, keep_going=keep_going, params=parsed,
                          wait_seconds=wait_seconds, progress=progress)
    if as_json:
        _emit_json(report.as_dict())
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
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 86400), default=0, show_default=True,
              help=_WAIT_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def replay(home: PhiHome, paths: tuple[Path, ...], wait_seconds: float, as_json: bool) -> None:
    """Re-emit backup files (backup/{raw|canonical}/...) into the store; safe to repeat."""
    from lorchestra.runner import replay_files

    report = replay_files(list(paths), home=home, wait_seconds=wait_seconds)
    outcome = report.outcomes[0]
    if as_json:
        _emit_json(report.as_dict())
    else:
        click.echo(f"run {report.run_id}: {outcome.status} " + " ".join(f"{k}={v}" for k, v in outcome.counts.items()))
    if not report.ok:
        click.echo(f"error: {outcome.error}", err=True)
        sys.exit(1)


@main.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def status(home: PhiHome, limit: int, as_json: bool) -> None:
    """What runs now, and the recent job runs: job, started, duration, status, counts."""
    from lorchestra.status import run_status

    report = run_status(home, limit)
    if as_json:
        _emit_json([r.as_dict() for r in report.runs])
        return
    if report.live is not None:
        since = f" since {_clock(report.live.since)}" if report.live.since else ""
        job = report.current_job
        doing = f", job {job.job} since {_clock(job.started)}" if job else ""
        click.echo(f"running now: {report.live.describe()}{since}{doing}")
    if report.warehouse_user:
        click.echo(f"(the warehouse is in use by {report.warehouse_user}: runs from {report.source})")
    if not report.runs:
        click.echo("no runs yet")
    for r in report.runs:
        duration = f"{r.duration_ms} ms" if r.duration_ms is not None else "-"
        counts = " ".join(f"{k}={v}" for k, v in r.counts.items())
        click.echo(f"{_clock(r.started)}  {r.status:<11} {r.job:<28} {duration:>9}  run {r.run_id}  {counts}".rstrip())


def _clock(when: Any) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else "?"


@main.group()
def bench() -> None:
    """Benchmarks (figures, not pass/fail)."""


@bench.command("ingest")
@click.option("--records", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--memory-limit", default="512MB", show_default=True, help="DuckDB memory_limit.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def bench_ingest_cmd(home: PhiHome, records: int, memory_limit: str, as_json: bool) -> None:
    """Write N Gmail-shaped records twice through the batch emit on DuckDB; print records/s."""
    from lorchestra.bench import bench_ingest

    result = bench_ingest(records, work_dir=home.tmp_dir if home.exists() else None,
                          memory_limit=memory_limit)
    if as_json:
        _emit_json(result.as_dict())
        return
    click.echo(f"records            {result.records} ({result.file_mb} MB of JSONL)")
    click.echo(f"first pass         {result.first_pass_records_per_s:>8} records/s "
               f"({result.first_pass_seconds} s) {result.first_pass_counts}")
    click.echo(f"second pass        {result.second_pass_records_per_s:>8} records/s "
               f"({result.second_pass_seconds} s) {result.second_pass_counts}")
    click.echo(f"peak RSS           {result.peak_rss_mb} MB")


@bench.command("pipeline")
@click.option("--emails", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="Synthetic e-mails, split evenly over the configured mailboxes.")
@click.option("--responses", default=10_000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="Synthetic Forms responses.")
@click.option("--clients", type=click.IntRange(1, 1_000_000), default=None,
              help="Respondents (one Dataverse contact each); default: one per 10 responses.")
@click.option("--new-fraction", default=0.01, show_default=True, type=click.FloatRange(0.0001, 1.0),
              help="Share of new data in the third pass.")
@click.option("--skip-meltano", is_flag=True, help="Run the taps directly and time only the ingest of their JSONL.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def bench_pipeline_cmd(home: PhiHome, emails: int, responses: int, clients: int | None, new_fraction: float,
                       skip_meltano: bool, as_json: bool) -> None:
    """Every stage of the weekly pipeline on DuckDB: first run, no new data, 1% new data."""
    from lorchestra.bench import bench_pipeline

    def show(figure: Any) -> None:
        if not as_json:
            rate = f"{figure.records_per_s:>9,}/s" if figure.records_per_s else " " * 11
            click.echo(f"{figure.pass_name:<12} {figure.stage:<30} {figure.records:>8} records "
                       f"{figure.seconds:>8.3f} s {rate} {figure.peak_rss_mb:>6.0f} MB")

    result = bench_pipeline(emails, responses, clients=clients or max(1, responses // 10),
                            skip_meltano=skip_meltano, new_fraction=new_fraction,
                            work_dir=home.tmp_dir if home.exists() else None, on_stage=show)
    if as_json:
        _emit_json(result.as_dict())
        return
    click.echo(f"\nlargest worker or tap process: {result.largest_child_rss_mb:.0f} MB\n")
    for check in result.targets:
        click.echo(f"{'met   ' if check.met else 'MISSED'} {check.target}: {check.measured}")


@bench.command("backfill")
@click.option("--system", type=click.Choice(["gmail", "exchange"]), default="gmail", show_default=True)
@click.option("--messages", default=20_000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--latency-ms", default=50.0, show_default=True, type=click.FloatRange(0, 10_000),
              help="Added to every request of the fake API.")
@click.option("--chunk", default=2000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="max_messages_per_run of the connection.")
@click.option("--no-kill", is_flag=True, help="Skip the run that is killed halfway and resumed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def bench_backfill_cmd(home: PhiHome, system: str, messages: int, latency_ms: float, chunk: int, no_kill: bool,
                       as_json: bool) -> None:
    """A first backfill of one large mailbox through lorc, meltano and the production tap
    against a fake API on loopback; then one killed halfway and resumed."""
    from lorchestra.bench.backfill import bench_backfill

    result = bench_backfill(system, messages, latency=latency_ms / 1000, chunk=chunk, kill=not no_kill,
                            work_dir=home.tmp_dir if home.exists() else None)
    if as_json:
        _emit_json(result.as_dict())
        return
    click.echo(f"backfill           {result.messages} {system} messages, {result.latency_ms:g} ms per request, "
               f"chunks of {result.chunk}")
    click.echo(f"uninterrupted      {result.seconds} s ({result.messages_per_s}/s), {result.requests} requests, "
               f"{result.stored} stored")
    if result.killed:
        k = result.killed
        click.echo(f"killed after {k.killed_after_s} s  {k.committed_before_kill} committed; the rerun took "
                   f"{k.rerun_seconds} s, fetched {k.refetched_committed} of the committed again, "
                   f"{k.total_after_rerun} stored in all")

