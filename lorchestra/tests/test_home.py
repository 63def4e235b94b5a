from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from lorchestra.exceptions import PhiHomeError
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home


def modes(root: Path) -> dict[str, int]:
    found = {str(root): stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path)] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_init_creates_private_dirs_and_files(tmp_path: Path) -> None:
    os.umask(0o022)
    home = PhiHome(tmp_path / "h")
    report = init_home(home)
    assert str(home.config_path) in report.created
    for path, mode in modes(home.root).items():
        expected = 0o700 if Path(path).is_dir() else 0o600
        assert mode == expected, path
    assert (home.root / "warehouse.duckdb").is_file()


def test_init_is_idempotent_and_keeps_an_edited_config(home: PhiHome) -> None:
    home.config_path.write_text(home.config_path.read_text().replace("Praxis Dr. Weber", "Praxis Test"))
    report = init_home(home)
    assert report.created == []
    assert "Praxis Test" in home.config_path.read_text()


def test_loose_permissions_are_refused_with_the_chmod_that_fixes_them(home: PhiHome) -> None:
    os.chmod(home.config_path, 0o644)
    os.chmod(home.logs_dir, 0o755)
    with pytest.raises(PhiHomeError) as err:
        home.require_private()
    message = str(err.value)
    assert f"chmod 600 {home.config_path}" in message
    assert f"chmod 700 {home.logs_dir}" in message
    assert f"chmod -R u=rwX,go= {home.root}" in message


def test_init_tightens_what_it_finds_too_open(home: PhiHome) -> None:
    os.chmod(home.config_path, 0o666)
    report = init_home(home)
    assert str(home.config_path) in report.tightened
    home.require_private()
