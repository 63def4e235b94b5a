"""Describe an exception without its message, which may quote record contents."""

from __future__ import annotations

import traceback
from pathlib import Path

from lorchestra.exceptions import LorcError


def safe_error(exc: BaseException) -> str:
    """Our own errors, and any exception class that declares ``phi_safe = True`` (the
    suite's packages do so for errors whose messages name only paths, ids and rules), are
    shown as they are; any other shows type and location only."""
    if isinstance(exc, LorcError) or getattr(type(exc), "phi_safe", False) is True:
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" at {Path(last.filename).name}:{last.lineno} in {last.name}"
    return f"{type(exc).__name__}{where} (message withheld: it may quote record contents)"


def safe_traceback(exc: BaseException) -> str:
    """Frames (file, line, function) and the exception type; no message, no source lines
    (a line like ``raise X(f"... {record}")`` would reveal nothing, but keep it uniform)."""
    frames = "".join(
        f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
        for f in traceback.extract_tb(exc.__traceback__)
    )
    return f"Traceback (most recent call last):\n{frames}{safe_error(exc)}"
