"""Writing or checking generated fixture files: shared by the fixture generators."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "src" / "sample_taps" / "fixtures"


def write_or_check(
    documents: Mapping[str, Any], out: Path, render: Callable[[Any], str], argv: list[str], script: str
) -> int:
    """Rewrite every file, or with ``--check`` exit 1 naming the files that differ."""
    stale = []
    out.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        path = out / name
        text = render(document)
        if "--check" in argv:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale fixtures (run {script}):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0
