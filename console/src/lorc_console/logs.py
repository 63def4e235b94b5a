"""The console's log: our access lines and the server's errors, to a 0600 file and stderr.

uvicorn's own access log is off (it would write the query string, where the start token
travels); ours writes method, path, status and duration. Errors of the server are
written with frames and exception type only, never an exception's message (it may quote
a record), as lorc's own log does.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from lorchestra.errors_safe import safe_traceback
from lorchestra.home import PhiHome, private_dir, private_file

LOG_NAME = "console.log"
# uvicorn and the form parser (python_multipart, once named multipart): warnings only, no
# start-up or parsing chatter.
LOGGERS = {
    "lorc_console": logging.INFO,
    "uvicorn": logging.WARNING,
    "multipart": logging.WARNING,
    "python_multipart": logging.WARNING,
}
# lorc configured this one (its level, lorc.log, warnings on stderr): console.log is added,
# so the reader's and the follow-ups' lines are where the console's PHI checks look.
SHARED = "lorchestra"
UNTRUSTED = ("uvicorn", "multipart", "python_multipart")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class SafeFormatter(logging.Formatter):
    """Tracebacks as frames and type only, whatever another handler cached on the record."""

    def formatException(self, ei: object) -> str:
        exc = ei[1] if isinstance(ei, tuple) and len(ei) == 3 else None
        return safe_traceback(exc) if isinstance(exc, BaseException) else ""

    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith(UNTRUSTED) and record.args:  # their lines may carry a client's input
            record.msg, record.args = f"{record.msg} (arguments left out)", None
        cached = record.exc_text
        record.exc_text = None  # Formatter.format reuses it instead of asking formatException
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def console_log_path(home: PhiHome) -> Path:
    return home.logs_dir / LOG_NAME


def configure(home: PhiHome) -> Path:
    """Send the console's, lorchestra's, uvicorn's and the form parser's log records to ``logs/console.log`` and stderr."""
    private_dir(home.logs_dir, stop_at=home.root)
    path = console_log_path(home)
    file_handler = logging.StreamHandler(open(private_file(path, "a"), "a", encoding="utf-8", closefd=True))  # noqa: SIM115
    formatter = SafeFormatter(FORMAT)
    for handler in (file_handler, logging.StreamHandler(sys.stderr)):
        handler.setFormatter(formatter)
        for name, level in LOGGERS.items():
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(level)
            logger.propagate = False
    logging.getLogger(SHARED).addHandler(file_handler)
    return path
