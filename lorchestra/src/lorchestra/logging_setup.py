"""Logging is configured only by the CLI (importing lorchestra configures nothing).

Log lines carry ids, counts and rule names. Tracebacks are written without exception
messages, which may quote record contents. A handler that cannot write (a full disk, a
closed stderr) says so once, in one line without exception text: Python's own
``Handler.handleError`` would print the traceback, the failed exception's message and
the record's arguments to stderr, i.e. into cron's mail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from lorchestra.errors_safe import disk_full, safe_error, safe_traceback
from lorchestra.exceptions import PhiHomeError
from lorchestra.home import PhiHome, private_file

LOGGER_NAME = "lorchestra"

OptExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class _NoMessageTracebacks(logging.Formatter):
    def formatException(self, ei: OptExcInfo) -> str:
        return safe_traceback(ei[1]) if ei and ei[1] else ""


class _ConsoleFormatter(logging.Formatter):
    """One line per record on the console; tracebacks go to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved


class _LogFileHandler(logging.FileHandler):
    """Says once, without exception text, that the log cannot be written."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8")
        self._failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self._say_once(sys.exc_info()[1])  # logging calls this inside its `except`

    def close(self) -> None:
        """The last flush fails too on a full disk: said once like any failed write, never raised."""
        try:
            super().close()
        except (OSError, ValueError) as error:
            self._say_once(error)

    def _say_once(self, error: BaseException | None) -> None:
        if self._failed or error is None:
            return
        self._failed = True
        full = disk_full(error, where=Path(self.baseFilename).parent)  # a failed write names no file
        why = str(full) if full is not None else safe_error(error)
        with contextlib.suppress(OSError, ValueError):  # stderr itself is gone: nowhere left to say it
            sys.stderr.write(
                f"lorc: cannot write the log {self.baseFilename}: {why}; log lines are lost until this is fixed\n"
            )


class _ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    def handleError(self, record: logging.LogRecord) -> None:
        """stderr is closed or full: nowhere to say so, and nothing to gain from a traceback."""


def configure_logging(
    home: PhiHome | None, level: str | None = None, *, configured: str | None = None, console: bool = True
) -> Path | None:
    """``$LORC_HOME/logs/lorc.log`` (0600) at the ``configured`` level (config
    ``logging.level``, default INFO), and warnings (or less, if the config says so) on
    stderr; an explicit ``level`` (``--log-level`` / ``LORC_LOGLEVEL``) wins and applies to both."""
    explicit = (level or os.environ.get("LORC_LOGLEVEL") or "").upper()
    level_name = explicit or (configured or "INFO").upper()
    root = logging.getLogger(LOGGER_NAME)
    root.setLevel(level_name)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = _NoMessageTracebacks("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if console:
        stream = _ConsoleHandler()
        stream.setLevel(explicit or max(logging.WARNING, logging.getLevelName(level_name)))
        stream.setFormatter(_ConsoleFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    log_path = _private_log(home) if home is not None and home.exists() else None
    if log_path is not None:
        file_handler = _LogFileHandler(log_path)
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    root.propagate = False
    return log_path


def release_logging() -> None:
    """Undo :func:`configure_logging`: close the log file and hand ``lorchestra``'s records
    back to the caller's logging, as before lorc configured it."""
    root = logging.getLogger(LOGGER_NAME)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.NOTSET)
    root.propagate = True


def _private_log(home: PhiHome) -> Path | None:
    """``logs/lorc.log``, or none while ``logs`` is a symlink: every command that needs a
    private home then says what to fix (``lorc doctor`` first of all). A home that cannot
    be written to at all is one clear error."""
    log_path = home.logs_dir / "lorc.log"
    try:
        home.subdir("logs")
        os.close(private_file(log_path, "ab"))
    except PhiHomeError:
        return None
    except OSError as exc:  # the OS's reason ("Read-only file system") names no record
        raise PhiHomeError(
            f"cannot write the log file {log_path}: {exc.strerror or type(exc).__name__}; "
            f"lorc needs a writable PHI home (remount {home.root} read-write, or point "
            "LORC_HOME / --home at a writable one)"
        ) from None
    return log_path


def job_logger(job_name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.jobs.{job_name}")
