"""``can``: run, list and test transforms, and validate data against a schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click
import orjson

from canonizer.api import canonicalize_many
from canonizer.exceptions import CanonizerError
from canonizer.golden import run_golden_tests
from canonizer.registry import list_transforms, load_transform


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """canonizer: raw source records to canonical records."""


@main.group()
def transform() -> None:
    """The transform registry."""


@transform.command("list")
@click.option("--json", "as_json", is_flag=True)
def transform_list(as_json: bool) -> None:
    """Every transform with its version, schemas and status."""
    rows = [
        {
            "ref": t.ref,
            "id": t.id,
            "version": t.version,
            "status": t.status,
            "input": t.input_schema,
            "output": t.output_schema,
        }
        for t in list_transforms()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['ref']:<36} {row['status']:<8} {row['input']} -> {row['output']}")


@transform.command("run")
@click.option(
    "--meta",
    "meta",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The transform's meta.yaml (or its directory).",
)
@click.option("--input", "input_file", type=click.File("rb"), default="-", help="JSONL in (default stdin).")
@click.option("--output", "output_file", type=click.File("wb"), default="-", help="JSONL out (default stdout).")
@click.option("--bind", "binds", multiple=True, metavar="NAME=JSON", help="A binding, e.g. mailbox='\"a@b\"'.")
def transform_run(meta: Path, input_file: IO[bytes], output_file: IO[bytes], binds: tuple[str, ...]) -> None:
    """Canonicalize JSONL records; rejected lines are reported on stderr by line and rule."""
    try:
        loaded = load_transform(meta if meta.is_dir() else meta.parent)
    except CanonizerError as exc:
        raise click.ClickException(str(exc)) from None
    bindings: dict[str, Any] = {}
    for item in binds:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=JSON", param_hint="--bind")
        try:
            bindings[name] = json.loads(value)
        except json.JSONDecodeError:
            raise click.BadParameter(f"the value of {name} is not JSON", param_hint="--bind") from None
    records = (orjson.loads(line) for line in input_file if line.strip())
    rejected = 0
    try:
        for outcome in canonicalize_many(records, loaded, bindings):
            if outcome.output is not None:
                output_file.write(orjson.dumps(outcome.output) + b"\n")
            else:
                rejected += 1
                assert outcome.error is not None
                click.echo(
                    f"line {outcome.index + 1}: rejected, field {outcome.error.field!r} "
                    f"violates rule {outcome.error.rule!r}",
                    err=True,
                )
    except orjson.JSONDecodeError:
        raise click.ClickException("the input is not JSONL (one JSON object per line)") from None
    except CanonizerError as exc:
        raise click.ClickException(str(exc)) from None
    if rejected:
        sys.exit(1)


@transform.command("test")
def transform_test() -> None:
    """Run every golden test of every transform."""
    results = run_golden_tests()
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        click.echo(f"{mark} {result.transform} {result.case} {result.detail}".rstrip())
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        sys.exit(1)


@main.command()
@click.option("--schema", required=True, help="An iglu: URI from shared-schemas.")
@click.option("--data", required=True, type=click.File("rb"), help="A JSON document or JSONL file.")
def validate(schema: str, data: IO[bytes]) -> None:
    """Validate JSON or JSONL against a schema; report failures by line, rule and field."""
    from shared_schemas import SchemaNotFoundError, compile_validator

    try:
        check = compile_validator(schema)
    except SchemaNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    text = data.read()
    try:
        documents = [orjson.loads(text)]
    except orjson.JSONDecodeError:
        try:
            documents = [orjson.loads(line) for line in text.splitlines() if line.strip()]
        except orjson.JSONDecodeError:
            raise click.ClickException("the data is neither JSON nor JSONL") from None
    failures = 0
    for number, document in enumerate(documents, start=1):
        violation = check(document)
        if violation is not None:
            failures += 1
            click.echo(f"document {number}: {violation.message()}", err=True)
    click.echo(f"{len(documents) - failures} valid, {failures} invalid")
    if failures:
        sys.exit(1)


@main.command()
@click.option("--transform", "transform_id", default="email/gmail", show_default=True, help="A transform id.")
@click.option("--calls", default=2000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--json", "as_json", is_flag=True)
def bench(transform_id: str, calls: int, as_json: bool) -> None:
    """CPU per notebook call by id against a call with the resolved transform (figures only)."""
    from canonizer.bench import bench_notebook_call

    try:
        figures = bench_notebook_call(transform_id, calls)
    except CanonizerError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(figures.as_dict(), indent=2))
        return
    click.echo(f"{figures.transform}, {figures.calls} calls, CPU µs per call (best of 3)")
    click.echo(f"resolved Transform  {figures.resolved_us:8.1f}")
    click.echo(f"by id               {figures.by_id_us:8.1f}  ({100 * figures.overhead:+.1f}%, target ≤ +10%)")
