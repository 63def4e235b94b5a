"""`extract_to_jsonl` with the real `meltano run` and the sample taps (no mocks).

Each `meltano run` costs about 3-6 s, so the Gmail and Graph extractions are shared by
the tests of this module.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingestor import (
    ExtractionError,
    MeltanoNotFoundError,
    extract_to_jsonl,
    find_meltano_sys_dir,
    iter_jsonl_records,
    meltano_project_dir,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "ingestor" / "sample_taps" / "src" / "sample_taps" / "fixtures"
PRAXIS = "praxis@praxis-weber.example"
WEBER = "j.weber@praxis-weber.example"
GMAIL_TAP = "tap-sample-gmail"  # without a state id suffix: one set of bookmarks for the plugin
GMAIL_PRAXIS = {"TAP_SAMPLE_GMAIL_MAILBOX": PRAXIS}
TIMEOUT = 180


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Files under root (not following symlinks), with mtime and size."""
    found = {}
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).relative_to(root).parts[0] not in skip]
        for name in filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            found[str(path.relative_to(root))] = (info.st_mtime_ns, info.st_size)
    return found


def meltano_user_log_dir() -> Path:
    """Where Meltano writes elt.log without our redirect (platformdirs.user_log_path on Linux)."""
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "meltano" / "log"


@dataclass
class Run:
    home: Path
    result: dict[str, Path]
    log: Path


@pytest.fixture(scope="module")
def outside() -> dict[str, dict[str, tuple[int, int]]]:
    """What exists outside the PHI home before the first extraction of this module."""
    return {
        "sys_dir": snapshot(find_meltano_sys_dir(), skip=("extractors", "loaders")),
        "project": snapshot(meltano_project_dir()),
        "user_logs": snapshot(meltano_user_log_dir()),
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("phi-home")


@pytest.fixture(scope="module")
def gmail_run(home: Path, outside: dict) -> Run:
    result = extract_to_jsonl(GMAIL_TAP, "run-1", work_dir=home, env=GMAIL_PRAXIS, timeout=TIMEOUT)
    return Run(home, result, home / "logs" / f"extract-run-1-{GMAIL_TAP}.log")


@pytest.fixture(scope="module")
def graph_run(home: Path, outside: dict) -> Run:
    result = extract_to_jsonl(
        "tap-sample-graph",
        "run-1",
        work_dir=home,
        env={"TAP_SAMPLE_GRAPH_MAILBOX": WEBER},
        state_id_suffix="exchange-weber",
        timeout=TIMEOUT,
    )
    return Run(home, result, home / "logs" / "extract-run-1-tap-sample-graph-exchange-weber.log")


def test_one_gmail_and_one_graph_mailbox_give_a_messages_file_each(gmail_run: Run, graph_run: Run) -> None:
    home = gmail_run.home
    assert gmail_run.result == {"messages": home / "extract" / "run-1" / GMAIL_TAP / "messages.jsonl"}
    assert graph_run.result == {
        "messages": home / "extract" / "run-1" / "tap-sample-graph-exchange-weber" / "messages.jsonl"
    }


def test_files_are_0600_and_directories_0700(gmail_run: Run, graph_run: Run) -> None:
    home = gmail_run.home
    for run in (gmail_run, graph_run):
        path = run.result["messages"]
        assert mode(path) == 0o600
        assert mode(run.log) == 0o600
        for directory in (path.parent, path.parent.parent, home / "extract", home / "logs", home / "meltano"):
            assert mode(directory) == 0o700, directory
        assert sorted(p.name for p in path.parent.iterdir()) == ["messages.jsonl"]
    assert mode(home / "meltano" / "meltano.db") == 0o600


@pytest.mark.parametrize(
    ("run_name", "fixture_file"), [("gmail", "gmail-praxis.json"), ("graph", "graph-j.weber.json")]
)
def test_records_are_the_fixture_records_unchanged(
    run_name: str, fixture_file: str, gmail_run: Run, graph_run: Run
) -> None:
    run = gmail_run if run_name == "gmail" else graph_run
    records = list(iter_jsonl_records(run.result["messages"]))
    expected = fixture(fixture_file)["messages"]
    assert len(records) == len(expected)
    # Same content and the same key order: the SDK's schema dropped nothing, at any depth.
    assert json.dumps(records, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    log = run.log.read_text(encoding="utf-8", errors="replace")
    assert "not found in catalog schema" not in log


def test_nested_mime_parts_survive(gmail_run: Run) -> None:
    records = {r["id"]: r for r in iter_jsonl_records(gmail_run.result["messages"])}
    mixed = records["1a1c9ac95bba5b3c"]["payload"]  # multipart/mixed > multipart/alternative + PDF
    assert [p["mimeType"] for p in mixed["parts"]] == ["multipart/alternative", "application/pdf"]
    assert [p["partId"] for p in mixed["parts"][0]["parts"]] == ["0.0", "0.1"]
    assert "data" in mixed["parts"][0]["parts"][1]["body"]
    assert set(mixed["parts"][1]["body"]) == {"attachmentId", "size"}


def test_the_log_file_holds_meltanos_and_the_taps_output(gmail_run: Run) -> None:
    log = gmail_run.log.read_text(encoding="utf-8")
    assert f"meltano run {GMAIL_TAP} target-jsonl" in log
    assert "Beginning sync of 'messages'" in log
    assert "Block run completed" in log


def test_each_home_keeps_its_own_bookmarks_per_plugin_and_suffix(gmail_run: Run, graph_run: Run) -> None:
    with sqlite3.connect(gmail_run.home / "meltano" / "meltano.db") as db:
        state_ids = {row[0] for row in db.execute("select state_id from state")}
    assert f"dev:{GMAIL_TAP}-to-target-jsonl" in state_ids
    assert "dev:tap-sample-graph-to-target-jsonl:exchange-weber" in state_ids


def test_a_second_extraction_goes_to_a_new_directory(gmail_run: Run) -> None:
    first = gmail_run.result["messages"]
    before = first.stat()
    with pytest.raises(FileExistsError, match="fresh directory"):
        extract_to_jsonl(GMAIL_TAP, "run-1", work_dir=gmail_run.home, env=GMAIL_PRAXIS, timeout=TIMEOUT)
    second = extract_to_jsonl(GMAIL_TAP, "run-2", work_dir=gmail_run.home, env=GMAIL_PRAXIS, timeout=TIMEOUT)[
        "messages"
    ]
    assert second.parent != first.parent
    assert second == gmail_run.home / "extract" / "run-2" / GMAIL_TAP / "messages.jsonl"
    assert (first.stat().st_size, first.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert list(iter_jsonl_records(second)) == list(iter_jsonl_records(first))  # same revision, same records


def test_revision_2_moves_a_graph_message_to_a_new_id(gmail_run: Run) -> None:
    result = extract_to_jsonl(
        "tap-sample-graph",
        "run-rev2",
        work_dir=gmail_run.home,
        env={"TAP_SAMPLE_GRAPH_MAILBOX": WEBER, "TAP_SAMPLE_GRAPH_REVISION": "2"},
        timeout=TIMEOUT,
    )
    document = fixture("graph-j.weber.json")
    (change,) = document["revision_2"]
    expected = [change["record"] if r["id"] == change["replaces"] else r for r in document["messages"]]
    records = list(iter_jsonl_records(result["messages"]))
    assert records == expected
    ids = {r["id"] for r in records}
    assert change["record"]["id"] in ids and change["replaces"] not in ids


def test_nothing_is_written_outside_the_phi_home(outside: dict, gmail_run: Run, graph_run: Run) -> None:
    assert snapshot(find_meltano_sys_dir(), skip=("extractors", "loaders")) == outside["sys_dir"]
    assert snapshot(meltano_project_dir()) == outside["project"]
    assert snapshot(meltano_user_log_dir()) == outside["user_logs"]
    # Meltano's own per-run elt.log was redirected into the home and removed after the run.
    assert not any((gmail_run.home / "meltano" / "run-logs").iterdir())


def test_count_gives_that_many_distinct_synthetic_messages(tmp_path: Path) -> None:
    result = extract_to_jsonl(
        "tap-sample-gmail",
        "bench",
        work_dir=tmp_path,
        env={"TAP_SAMPLE_GMAIL_MAILBOX": PRAXIS, "TAP_SAMPLE_GMAIL_COUNT": "50"},
        full_refresh=True,
        timeout=TIMEOUT,
    )
    log = (tmp_path / "logs" / "extract-bench-tap-sample-gmail.log").read_text(encoding="utf-8")
    assert "Performing full refresh" in log
    records = list(iter_jsonl_records(result["messages"]))
    assert len(records) == 50
    assert len({r["id"] for r in records}) == 50
    sizes = [len(json.dumps(r)) for r in records]
    assert 3500 < sum(sizes) / len(sizes) < 5000
    week = (1794182400000, 1794787200000)  # 2026-11-09T00:00Z .. 2026-11-16T00:00Z
    assert all(week[0] <= int(r["internalDate"]) < week[1] for r in records)


def test_a_failing_tap_raises_extraction_error_and_keeps_its_output_off_the_console(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_to_jsonl(
            "tap-sample-gmail",
            "bad",
            work_dir=tmp_path,
            env={"TAP_SAMPLE_GMAIL_MAILBOX": "nobody@praxis-weber.example"},
            timeout=TIMEOUT,
        )
    error = caught.value
    log = tmp_path / "logs" / "extract-bad-tap-sample-gmail.log"
    assert error.tap_name == "tap-sample-gmail"
    assert error.exit_code == 1
    assert error.log_path == log
    assert not error.timed_out
    assert "tap-sample-gmail" in str(error) and "exit code 1" in str(error) and str(log) in str(error)
    assert "nobody@" not in str(error)  # the message names, it does not quote
    text = log.read_text(encoding="utf-8")
    assert "UnknownMailboxError" in text and "no gmail fixtures for mailbox 'nobody@praxis-weber.example'" in text
    assert mode(log) == 0o600
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_an_unknown_plugin_raises_extraction_error(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExtractionError, match=r"tap-does-not-exist.*exit code 1.*extract-x-tap-does-not-exist\.log"):
        extract_to_jsonl("tap-does-not-exist", "x", work_dir=tmp_path, timeout=TIMEOUT)
    assert "tap-does-not-exist" in (tmp_path / "logs" / "extract-x-tap-does-not-exist.log").read_text()
    assert capfd.readouterr() == ("", "")


def test_a_run_over_its_timeout_is_stopped_and_reported(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractionError, match=r"timed out after 0\.5 s") as caught:
        extract_to_jsonl(GMAIL_TAP, "slow", work_dir=tmp_path, env=GMAIL_PRAXIS, timeout=0.5)
    assert caught.value.timed_out
    assert time.monotonic() - started < 15


def test_env_may_not_move_the_output_or_the_state(tmp_path: Path) -> None:
    for key in ("TARGET_JSONL_DESTINATION_PATH", "MELTANO_DATABASE_URI", "MELTANO_SYS_DIR_ROOT"):
        with pytest.raises(ValueError, match=key):
            extract_to_jsonl("tap-sample-gmail", "r", work_dir=tmp_path, env={key: "/elsewhere"})
    assert not (tmp_path / "extract").exists()


@pytest.mark.parametrize("bad", ["", "../up", "a/b", "run 1", ".hidden", "x" * 200])
def test_names_that_could_escape_the_home_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        extract_to_jsonl("tap-sample-gmail", bad, work_dir=tmp_path)
    with pytest.raises(ValueError):
        extract_to_jsonl(bad, "r", work_dir=tmp_path)
    with pytest.raises(ValueError):
        extract_to_jsonl("tap-sample-gmail", "r", work_dir=tmp_path, state_id_suffix=bad)


def test_the_shared_sys_dir_is_found_beside_meltanos_virtualenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LORC_MELTANO", raising=False)
    monkeypatch.delenv("LORC_MELTANO_SYS_DIR", raising=False)
    assert find_meltano_sys_dir() == REPO / ".venvs" / "meltano-sys"


def test_lorc_meltano_sys_dir_overrides_and_is_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LORC_MELTANO_SYS_DIR", str(tmp_path))
    with pytest.raises(MeltanoNotFoundError, match=r"\./dev setup"):
        find_meltano_sys_dir()
    (tmp_path / "extractors").mkdir()
    assert find_meltano_sys_dir() == tmp_path
