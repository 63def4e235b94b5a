"""Commands from other distributions (``lorchestra.commands``, ``lorchestra.bench``): found
through real entry-point metadata on ``sys.path`` (a distribution written for the test),
added by name; lorc's own commands win a name, and one that cannot be loaded is a warning."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lorchestra.cli_common import add_plugin_commands

MODULE = """
import click

@click.command()
def extra() -> None:
    click.echo("extra ran")

not_a_command = 42
"""


@pytest.fixture
def plugin_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lorc_test_bench_plugin.py").write_text(MODULE)
    info = tmp_path / "lorc_test_bench_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lorc-test-bench-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[lorc.test.group]\n"
        "extra = lorc_test_bench_plugin:extra\n"
        "ingest = lorc_test_bench_plugin:extra\n"
        "broken = lorc_test_no_such_module:extra\n"
        "number = lorc_test_bench_plugin:not_a_command\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))


def test_plugin_commands_are_added_by_name_and_a_broken_one_is_a_warning(
    plugin_dist: None, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.group()
    def group() -> None: ...

    @group.command("ingest")
    def own() -> None:
        click.echo("own ran")

    add_plugin_commands(group, "lorc.test.group")
    assert sorted(group.commands) == ["extra", "ingest"]
    assert CliRunner().invoke(group, ["extra"]).output == "extra ran\n"
    assert CliRunner().invoke(group, ["ingest"]).output == "own ran\n"  # lorc's own wins
    warned = capsys.readouterr().err
    assert "warning: command broken (lorc_test_no_such_module:extra) cannot be loaded" in warned
    assert "number" not in warned  # not a command: left out silently
