from __future__ import annotations

from pathlib import Path

import pytest

from ingestor import MeltanoNotFoundError, find_meltano, meltano_version


def test_the_set_up_installs_meltano_next_to_the_suite() -> None:
    assert find_meltano().name == "meltano"
    assert meltano_version().startswith("meltano, version 4.")


def test_lorc_meltano_points_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "meltano"
    fake.write_text("#!/bin/sh\necho 'meltano, version 9.9.9'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LORC_MELTANO", str(fake))
    assert find_meltano() == fake
    assert meltano_version() == "meltano, version 9.9.9"


def test_a_broken_meltano_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "meltano"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LORC_MELTANO", str(fake))
    with pytest.raises(MeltanoNotFoundError, match="exited 3"):
        meltano_version()
