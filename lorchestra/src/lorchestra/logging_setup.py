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


def configure_logging(home: PhiHome | None, level: str | None = None, *, console: bool = True) -> Path | None:
    """``$LORC_HOME/logs/lorc.log`` (0600) at INFO, and warnings on stderr; an explicit
    ``level`` (``--log-level`` / ``LORC_LOGLEVEL``) applies to both."""
    explicit = (level or os.environ.get("LORC_LOGLEVEL") or "").upper()
    level_name = explicit or "INFO"
    root = logging.getLogger(LOGGER_NAME)
    root.setLevel(level_name)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = _NoMessageTracebacks("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(explicit or "WARNING")
        stream.setFormatter(_ConsoleFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    log_path = _private_log(home) if home is not None and home.exists() else None
    if log_path is not None:
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    root.propagate = False
    return log_path


def _private_log(home: PhiHome) -> Path | None:
    """``logs/lorc.log``, or none while ``logs`` is a symlink: every command that needs a
    private home then says what to fix (``lorc doctor`` first of all)."""
    try:
        log_path = home.subdir("logs") / "lorc.log"
        os.close(private_file(log_path, "ab"))
    except PhiHomeError:
        return None
    return log_path


def job_logger(job_name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.jobs.{job_name}")
