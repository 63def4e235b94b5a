"""No module of the suite's packages (``*/src``) or their fixture tools is over ~400 lines:
one concept per module, and a file past that wants a split."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def test_no_source_module_is_far_over_400_lines() -> None:
    modules = [
        *REPO.glob("*/src/**/*.py"),
        *REPO.glob("ingestor/*/src/**/*.py"),
        *REPO.glob("*/*/tools/*.py"),
        *REPO.glob("*/tools/*.py"),
    ]
    assert len(modules) > 150  # the globs see the tree
    too_long = {
        str(path.relative_to(REPO)): n
        for path in modules
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
