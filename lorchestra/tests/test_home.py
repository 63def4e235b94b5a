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


def test_a_write_that_fails_halfway_leaves_the_old_file_or_none_never_a_partial_one(tmp_path: Path) -> None:
    """What reports, the outbox and activity.json are written with."""
    import subprocess
    import sys
    import textwrap

    from lorchestra.home import write_atomically

    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o700)
    write_atomically(folder / "before.eml", b"the earlier message\n")
    assert stat.S_IMODE((folder / "before.eml").stat().st_mode) == 0o600
    # a real short write: the kernel refuses to grow any file past 4 KiB (RLIMIT_FSIZE)
    child = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from lorchestra.home import write_atomically
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        for name in ("before.eml", "new.eml"):
            try:
                write_atomically(Path({str(folder)!r}) / name, b"x" * 100_000)
            except OSError:
                pass
            else:
                sys.exit("the write should have failed")
    """)
    result = subprocess.run([sys.executable, "-c", child], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["before.eml"]
    assert (folder / "before.eml").read_bytes() == b"the earlier message\n"
