"""Logging is configured only by the CLI (importing lorchestra configures nothing).

Log lines carry ids, counts and rule names. Tracebacks are written without exception
messages, which may quote record contents.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from lorchestra.errors_safe import safe_traceback
from lorchestra.exceptions import PhiHomeError
from lorchestra.home import PhiHome, private_file

LOGGER_NAME = "lorchestra"


class _NoMessageTracebacks(logging.Formatter):
    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def, override]
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


def configure_logging(home: PhiHome | None, level: str | None = None, *, configured: str | None = None,
                      console: bool = True) -> Path | None:
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
        stream = logging.StreamHandler()
        stream.setLevel(explicit or max(logging.WARNING, logging.getLevelName(level_name)))
        stream.setFormatter(_ConsoleFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    log_path = None
    if home is not None and home.exists():
        log_path = home.logs_dir / "lorc.log"
        try:
            home.subdir("logs")
            os.close(private_file(log_path, "ab"))
        except OSError as exc:  # the OS's reason ("Read-only file system") names no record
            raise PhiHomeError(
                f"cannot write the log file {log_path}: {exc.strerror or type(exc).__name__}; "
                f"lorc needs a writable PHI home (remount {home.root} read-write, or point "
                "LORC_HOME / --home at a writable one)"
            ) from None
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    root.propagate = False
    return log_path


def job_logger(job_name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.jobs.{job_name}")
