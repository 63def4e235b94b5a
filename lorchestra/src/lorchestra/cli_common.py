"""What every ``lorc`` command shares: one-line errors that never quote a record, and JSON output."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from lorchestra.errors_safe import safe_error
from lorchestra.exceptions import LorcError

F = TypeVar("F", bound=Callable[..., Any])


def fail_cleanly(func: F) -> F:
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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def add_plugin_commands(group: click.Group, entry_group: str) -> None:
    """Add to ``group`` the Click commands other packages offer through ``entry_group``
    (``lorc serve``, ``lorc bench console`` from lorc-console), as jobs are discovered:
    lorchestra names none of them. lorc's own commands win a name; one that cannot be
    loaded is left out with a warning, and lorc still works."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=entry_group):
        if entry.name in group.commands:
            continue
        try:
            command = entry.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take every lorc command down
            click.echo(f"warning: command {entry.name} ({entry.value}) cannot be loaded: {safe_error(exc)}", err=True)
            continue
        if isinstance(command, click.Command):
            group.add_command(command, entry.name)
