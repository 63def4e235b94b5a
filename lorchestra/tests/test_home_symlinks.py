"""The PHI home's checks follow symlinks (issue 11, item 7; DESIGN §7).

Nothing of the home may resolve to a place outside it or to a directory others can read.
The home itself may be a link to a private directory the user owns (``~/.lorchestra ->
/data/praxis``). A refusal names the path, where it points and the command that fixes
it; directories and files the suite creates at run time never follow a planted link.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import lorc
from ingestor import find_meltano_sys_dir
from lorchestra.exceptions import PhiHomeError
from lorchestra.home import PhiHome, private_file
from lorchestra.initialize import init_home
from lorchestra.stack_clients.spill import spill_file


@pytest.fixture
def open_temp_dirs() -> Iterator[tuple[Path, Path]]:
    """Two 0777 directories in the system temp dir, as someone might share reports."""
    made = [Path(tempfile.mkdtemp(prefix="lorc-shared-", dir=tempfile.gettempdir())) for _ in range(2)]
    for directory in made:
        directory.chmod(0o777)
    try:
        yield made[0], made[1]
    finally:
        for directory in made:
            for path in sorted(directory.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            directory.rmdir()


def everything_under(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def test_a_home_that_links_to_a_directory_others_can_read_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "data" / "praxis"
    init_home(PhiHome(target))
    target.chmod(0o755)
    link = tmp_path / "dot-lorchestra"
    link.symlink_to(target, target_is_directory=True)
    env = {"LORC_HOME": str(link)}

    doctor = lorc("doctor", env=env)
    run = lorc("run", "warehouse_stats", env=env)

    assert doctor.returncode == 1
    assert run.returncode == 1
    for output in (doctor.stdout, run.stderr):
        assert str(link) in output and str(target) in output, output
        assert f"chmod 700 {target}" in output, output
    assert "warehouse_stats" not in run.stdout


@pytest.mark.example_plugin
def test_a_home_that_links_to_a_private_directory_of_the_user_is_a_normal_set_up(tmp_path: Path) -> None:
    target = tmp_path / "data" / "praxis"
    link = tmp_path / "dot-lorchestra"
    target.parent.mkdir()
    target.parent.chmod(0o755)
    target.mkdir(mode=0o700)
    link.symlink_to(target, target_is_directory=True)
    env = {"LORC_HOME": str(link)}

    assert lorc("init", env=env).returncode == 0
    doctor = lorc("doctor", env=env)
    run = lorc("run", "example_synthetic_ingest", "--param", "count=3", env=env)

    assert "ok   permissions" in doctor.stdout, doctor.stdout
    assert run.returncode == 0, run.stdout + run.stderr
    assert (target / "warehouse.duckdb").is_file()


def test_reports_and_outbox_linked_to_open_temp_dirs_are_refused_and_get_nothing(
    home: PhiHome, open_temp_dirs: tuple[Path, Path]
) -> None:
    shared_reports, shared_outbox = open_temp_dirs
    (home.root / "reports").symlink_to(shared_reports, target_is_directory=True)
    (home.root / "outbox").symlink_to(shared_outbox, target_is_directory=True)

    doctor = lorc("doctor")
    run = lorc("run", "generate_weekly_report", "--week", "2026-W46")

    assert doctor.returncode == 1
    assert run.returncode == 1
    for output in (doctor.stdout, run.stderr):
        assert f"{home.root / 'reports'} is a symlink to {shared_reports}" in output, output
        assert f"rm {home.root / 'reports'} && mkdir -m 700 {home.root / 'reports'}" in output, output
    assert f"{home.root / 'outbox'} is a symlink to {shared_outbox}" in run.stderr + doctor.stdout
    assert everything_under(shared_reports) == []
    assert everything_under(shared_outbox) == []


def test_a_file_linked_outside_the_home_is_refused_with_a_private_copy_as_the_fix(
    home: PhiHome, tmp_path: Path
) -> None:
    outside = tmp_path / "dotfiles" / "lorc.env"
    outside.parent.mkdir()
    outside.write_text("LORC_SMTP_PASSWORD=x\n")
    home.dotenv_path.symlink_to(outside)

    with pytest.raises(PhiHomeError) as refused:
        home.require_private()

    message = str(refused.value)
    assert f"{home.dotenv_path} is a symlink to {outside}" in message
    assert f"cp --remove-destination {outside} {home.dotenv_path} && chmod 600 {home.dotenv_path}" in message


def test_a_link_inside_the_home_is_checked_where_it_points(home: PhiHome) -> None:
    week = home.subdir("reports", "2026-W46")
    (home.root / "latest").symlink_to(week, target_is_directory=True)
    assert home.permission_problems() == []
    week.chmod(0o755)
    assert [str(p.path) for p in home.permission_problems()] == [str(week)]


def test_directories_made_at_run_time_never_follow_a_planted_link(home: PhiHome, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (home.root / "reports").symlink_to(outside, target_is_directory=True)
    os.rename(home.tmp_dir, home.root / "tmp-was-here")
    home.tmp_dir.symlink_to(outside, target_is_directory=True)

    with pytest.raises(PhiHomeError, match=f"{home.root / 'reports'} is a symlink to {outside}"):
        home.subdir("reports", "2026-W46")
    with pytest.raises(PhiHomeError, match=f"{home.tmp_dir} is a symlink to {outside}"), spill_file(home.tmp_dir):
        pass
    assert everything_under(outside) == []


def test_a_file_made_at_run_time_never_follows_a_planted_link(home: PhiHome, tmp_path: Path) -> None:
    outside = tmp_path / "report.pdf"
    outside.write_bytes(b"someone else's file")
    outside.chmod(0o644)
    planted = home.subdir("reports", "2026-W46") / "praxisbericht-2026-W46.pdf"
    planted.symlink_to(outside)

    with pytest.raises(PhiHomeError, match=f"{planted} is a symlink to {outside}"):
        private_file(planted)
    assert outside.read_bytes() == b"someone else's file"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


def test_the_meltano_plugin_links_of_the_home_pass(home: PhiHome) -> None:
    """``meltano/connections/<tap>-<connection>/extractors`` etc. link to the shared plugin
    installs (code, no PHI); so do ``meltano/extractors`` etc. of a home from before
    connections had their own Meltano system directories."""
    run = lorc("run", "extract_contacts")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (home.root / "meltano" / "connections" / "tap-lorc-dataverse-dataverse" / "extractors").is_symlink()
    (home.root / "meltano" / "extractors").symlink_to(find_meltano_sys_dir() / "extractors")
    assert home.permission_problems() == []
