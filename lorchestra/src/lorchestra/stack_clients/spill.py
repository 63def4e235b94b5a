"""Private scratch files inside the PHI home for staging batches (``0600``, removed after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lorchestra.home import private_dir, private_file


@contextmanager
def spill_file(tmp_dir: Path, suffix: str = ".jsonl") -> Iterator[tuple[Path, BinaryIO]]:
    """Yield a fresh private file opened for binary writing; delete it afterwards."""
    private_dir(tmp_dir)
    path = tmp_dir / f"spill-{uuid.uuid4().hex}{suffix}"
    handle = os.fdopen(private_file(path), "wb")
    try:
        yield path, handle
    finally:
        handle.close()
        path.unlink(missing_ok=True)
