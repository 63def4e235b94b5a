"""Messages a user should never see (issue 11, item 12): a read-only home, a bad
environment override, duplicate keys in config.yaml, and the config's logging level."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cli_support import lorc
from lorchestra.config import load_config
from lorchestra.exceptions import ConfigError
from lorchestra.home import PhiHome
from process_support import LORC

# Bind the home onto itself read-only in a mount namespace of its own, then run the command.
READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def run_on_read_only_home(home: PhiHome, *command: str) -> subprocess.CompletedProcess[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed: no way to mount the home read-only")
    namespace = [unshare, "--mount", "--propagation", "private"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    probe = subprocess.run(
        [*namespace, "sh", "-c", READ_ONLY, "sh", str(home.root), "touch", str(home.root / "probe")],
        capture_output=True,
        text=True,
        check=False,
    )
    if "Read-only file system" not in probe.stderr:
        pytest.skip(f"the kernel refused a read-only bind mount here: {probe.stderr.strip() or 'writable'}")
    return subprocess.run(
        [*namespace, "sh", "-c", READ_ONLY, "sh", str(home.root), *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [["status"], ["doctor"], ["run", "warehouse_stats"], ["jobs", "list"]])
def test_a_home_on_a_read_only_filesystem_is_one_clear_line(home: PhiHome, args: list[str]) -> None:
    done = run_on_read_only_home(home, LORC, *args)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(home.root) in lines[0] and "read-only file system" in lines[0].lower()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("LORC_STORAGE__BACKEND", "postgres", "storage.backend: must be one of duckdb, bigquery"),
        ("LORC_STORAGE__DUCKDB__THREADS", "two", "storage.duckdb.threads"),
        ("LORC_STORAGE__DUCKDB__CACHE", "1", "'cache' was unexpected"),
        ("LORC_REPORTS", "[a, b]", "reports: "),
    ],
)
def test_an_environment_override_error_names_the_variable_not_the_file(
    home: PhiHome, name: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(home, {name: value, "LORC_PROFILE": "sample"})
    message = str(caught.value)
    assert f"environment variable {name}" in message and expected in message
    assert "config.yaml" not in message and "LORC_PROFILE" not in message


def test_an_error_in_the_file_still_names_the_file_beside_overrides(home: PhiHome) -> None:
    home.config_path.write_text("profile: sample\nstorage: {backend: duckdb, batch_rows: many}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(home, {"LORC_STORAGE__BACKEND": "duckdb"})
    assert str(home.config_path) in str(caught.value) and "LORC_" not in str(caught.value)


def test_the_cli_names_the_variable(home: PhiHome) -> None:
    done = lorc("run", "warehouse_stats", env={"LORC_STORAGE__BACKEND": "postgres"})
    assert done.returncode == 1
    assert "environment variable LORC_STORAGE__BACKEND" in done.stderr and "config.yaml" not in done.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "profile: sample\nstorage: {backend: duckdb}\nprofile: production\n",
            "line 3: key profile appears twice (first at line 1)",
        ),
        (
            "profile: sample\nstorage:\n  backend: duckdb\n  memory_limit: 1GB\n  backend: bigquery\n",
            "line 5: key storage.backend appears twice (first at line 3)",
        ),
        (
            (
                "profile: sample\nstorage: {backend: duckdb}\nconnections:\n  email:\n"
                "    - {name: a, system: gmail, mailbox: a@b.example, name: b}\n"
            ),
            "line 5: key connections.email.0.name appears twice (first at line 5)",
        ),
    ],
)
def test_duplicate_keys_in_config_are_refused_naming_key_and_line(home: PhiHome, text: str, expected: str) -> None:
    home.config_path.write_text(text)
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")):
        load_config(home)


def info_lines(home: PhiHome) -> int:
    return sum(" INFO " in line for line in (home.logs_dir / "lorc.log").read_text().splitlines())


def test_logging_level_from_config_is_honoured_below_the_flag_and_the_variable(home: PhiHome) -> None:
    assert lorc("run", "warehouse_stats").returncode == 0
    default = info_lines(home)
    assert default > 0  # INFO when nothing says otherwise

    home.config_path.write_text(home.config_path.read_text().replace("level: INFO", "level: WARNING"))
    assert lorc("run", "warehouse_stats").returncode == 0
    assert info_lines(home) == default  # the config says WARNING

    assert lorc("run", "warehouse_stats", env={"LORC_LOGLEVEL": "INFO"}).returncode == 0
    after_variable = info_lines(home)
    assert after_variable > default
    flagged = lorc("--log-level", "INFO", "run", "warehouse_stats")
    assert flagged.returncode == 0
    assert info_lines(home) > after_variable
    assert "INFO lorchestra" in flagged.stderr  # the flag reaches the console too

    assert lorc("run", "warehouse_stats", env={"LORC_LOGGING__LEVEL": "INFO"}).returncode == 0
    assert info_lines(home) > after_variable  # an override of the key is config too


def test_a_bad_config_does_not_stop_the_command_from_saying_so(home: PhiHome) -> None:
    home.config_path.write_text("profile: sample\nstorage: {backend: duckdb}\nlogging: {level: LOUD}\n")
    done = lorc("status")
    assert done.returncode == 1
    assert "logging.level" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
