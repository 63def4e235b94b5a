"""The registry's resolution cache: the notebook call ``canonicalize(record, "<id>")``
does not scan the transform folders on every call, yet a version added on disk is seen."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from canonizer import registry
from canonizer.exceptions import CanonizerError, TransformNotFoundError

LONG_AGO = 1_600_000_000  # a modification time well before any test run


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A registry of one id, ``email/gmail`` at 1.1.0, its folders last changed long ago."""
    copy = tmp_path / "transforms"
    shutil.copytree(registry.TRANSFORMS_ROOT / "email" / "gmail" / "1.1.0", copy / "email" / "gmail" / "1.1.0")
    monkeypatch.setattr(registry, "TRANSFORMS_ROOT", copy)
    monkeypatch.setattr(registry, "_ROOT", str(copy))
    monkeypatch.setattr(registry, "_resolved", {})
    for folder in (copy / "email" / "gmail", copy / "email", copy):
        os.utime(folder, (LONG_AGO, LONG_AGO))
    yield copy


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per scan of the transform folders."""
    counted: list[int] = []
    scan = registry.list_transforms

    def counting() -> list[registry.Transform]:
        counted.append(1)
        return scan()

    monkeypatch.setattr(registry, "list_transforms", counting)
    return counted


def _add_version(root: Path, version: str, *, with_meta: bool = True) -> Path:
    source = root / "email" / "gmail" / "1.1.0"
    target = root / "email" / "gmail" / version
    shutil.copytree(source, target)
    if with_meta:
        meta = yaml.safe_load((source / "meta.yaml").read_text())
        (target / "meta.yaml").write_text(yaml.safe_dump({**meta, "version": version}))
    else:
        (target / "meta.yaml").unlink()
    return target


def test_a_resolved_id_is_not_scanned_again(root: Path, scans: list[int]) -> None:
    first = registry.get_transform("email/gmail")
    assert registry.get_transform("email/gmail") is first
    assert registry.get_transform("email/gmail@1.1.0") is first
    assert first.directory == (root / "email" / "gmail" / "1.1.0").resolve()
    assert len(scans) == 2  # once for the newest stable version, once for 1.1.0 by name


def test_a_version_added_on_disk_is_seen_on_the_next_call(root: Path, scans: list[int]) -> None:
    assert registry.get_transform("email/gmail").version == "1.1.0"
    _add_version(root, "1.2.0")
    assert registry.get_transform("email/gmail").version == "1.2.0"
    assert registry.get_transform("email/gmail@1.2.0").version == "1.2.0"


def test_a_version_removed_on_disk_is_no_longer_resolved(root: Path) -> None:
    added = _add_version(root, "1.2.0")
    assert registry.get_transform("email/gmail").version == "1.2.0"
    shutil.rmtree(added)
    assert registry.get_transform("email/gmail").version == "1.1.0"


def test_a_version_folder_still_without_its_meta_is_not_cached(root: Path, scans: list[int]) -> None:
    half_written = _add_version(root, "1.2.0", with_meta=False)
    os.utime(root / "email" / "gmail", (LONG_AGO, LONG_AGO))  # as if the folder had been made long ago
    assert registry.get_transform("email/gmail").version == "1.1.0"
    source_meta = yaml.safe_load((root / "email" / "gmail" / "1.1.0" / "meta.yaml").read_text())
    (half_written / "meta.yaml").write_text(yaml.safe_dump({**source_meta, "version": "1.2.0"}))
    assert registry.get_transform("email/gmail").version == "1.2.0"  # the id's folder did not change
    assert len(scans) == 2


def test_a_folder_changed_within_the_last_seconds_is_scanned_again(root: Path, scans: list[int]) -> None:
    os.utime(root / "email" / "gmail")  # now: a change in this clock tick could go unnoticed
    registry.get_transform("email/gmail")
    registry.get_transform("email/gmail")
    assert len(scans) == 2


def test_an_unknown_id_names_the_known_ones(root: Path) -> None:
    with pytest.raises(TransformNotFoundError, match=r"known: email/gmail@1\.1\.0"):
        registry.get_transform("email/outlook")
    with pytest.raises(TransformNotFoundError, match="no transform 'email/gmail@9.9.9'"):
        registry.get_transform("email/gmail@9.9.9")


def test_a_meta_whose_id_is_not_its_path_is_refused(root: Path) -> None:
    misplaced = root / "email" / "graph" / "1.1.0"
    shutil.copytree(root / "email" / "gmail" / "1.1.0", misplaced)  # says email/gmail
    with pytest.raises(CanonizerError, match=r"transforms/<id>/<version>/"):
        registry.list_transforms()


def test_can_bench_reports_both_calls_on_a_golden_input_and_names_a_wrong_id() -> None:
    from click.testing import CliRunner

    from canonizer.cli import main

    result = CliRunner().invoke(main, ["bench", "--calls", "3", "--json"], catch_exceptions=False)
    figures = json.loads(result.output)
    assert figures["transform"] == "email/gmail" and figures["calls"] == 3
    assert figures["resolved_us_per_call"] > 0 and figures["by_id_us_per_call"] > 0
    wrong = CliRunner().invoke(main, ["bench", "--transform", "email/outlook", "--calls", "1"])
    assert wrong.exit_code == 1 and "no transform 'email/outlook'" in wrong.output


def test_cpu_per_record_counts_rejects_as_records() -> None:
    from canonizer.bench import cpu_per_record

    transform = registry.get_transform("email/gmail")
    bindings = {"mailbox": "praxis@example.org", "practice_addresses": []}
    assert cpu_per_record(transform, [{"id": "x"}, {}], bindings) > 0  # both rejected, none raised
