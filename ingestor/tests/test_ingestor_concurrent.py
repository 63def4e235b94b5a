"""`extract_to_jsonl` called from several threads at once, as lorc runs connections, with
the real `meltano run` and the sample taps: each connection keeps its own records, run files
and bookmarks; a run can be cancelled from another thread."""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ingestor import ExtractionError, code_links, extract_to_jsonl, iter_jsonl_records

FIXTURES = Path(__file__).resolve().parents[1] / "sample_taps" / "src" / "sample_taps" / "fixtures"
MAILBOXES = {
    "gmail-praxis": ("praxis@praxis-weber.example", "gmail-praxis.json"),
    "gmail-anmeldung": ("anmeldung@praxis-weber.example", "gmail-anmeldung.json"),
    "gmail-termine": ("termine@praxis-weber.example", "gmail-termine.json"),
}
TIMEOUT = 180


def _extract(home: Path, connection: str, start: threading.Barrier) -> dict[str, Path]:
    start.wait()
    return extract_to_jsonl(
        "tap-sample-gmail",
        "run-1",
        work_dir=home,
        env={"TAP_SAMPLE_GMAIL_MAILBOX": MAILBOXES[connection][0]},
        state_id_suffix=connection,
        timeout=TIMEOUT,
        exclusive=True,  # each run also clears its system directory's leftover config files
    )


def test_connections_of_one_plugin_run_at_once_each_with_its_own_records_and_bookmarks(tmp_path: Path) -> None:
    start = threading.Barrier(len(MAILBOXES))
    with ThreadPoolExecutor(len(MAILBOXES)) as pool:
        futures = {name: pool.submit(_extract, tmp_path, name, start) for name in MAILBOXES}
        results = {name: future.result() for name, future in futures.items()}

    for name, (_mailbox, fixture) in MAILBOXES.items():
        expected = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))["messages"]
        assert list(iter_jsonl_records(results[name]["messages"])) == expected, name
        sys_dir = tmp_path / "meltano" / "connections" / f"tap-sample-gmail-{name}"
        assert (sys_dir / "run" / "tap-sample-gmail").is_dir(), "Meltano's run files are the connection's own"
        assert not list((sys_dir / "run").glob("*/*.config.json")), "no config file (secrets) left behind"
    with sqlite3.connect(tmp_path / "meltano" / "meltano.db") as db:
        state_ids = {row[0] for row in db.execute("select state_id from state")}
    assert state_ids == {f"dev:tap-sample-gmail-to-target-jsonl:{name}" for name in MAILBOXES}
    links = set(code_links(tmp_path))
    outward = {path for path in tmp_path.rglob("*") if path.is_symlink()}
    assert outward and outward <= links, "every link out of the home is a known link to code"


def test_a_run_cancelled_from_another_thread_is_stopped_and_says_so(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()  # already set: the run is stopped at its first look, however fast the machine
    with pytest.raises(ExtractionError, match="was stopped: its run was interrupted") as caught:
        extract_to_jsonl(
            "tap-sample-gmail",
            "cancelled",
            work_dir=tmp_path,
            env={"TAP_SAMPLE_GMAIL_MAILBOX": MAILBOXES["gmail-praxis"][0]},
            timeout=TIMEOUT,
            cancel=cancel,
        )
    assert caught.value.cancelled and not caught.value.timed_out
    assert caught.value.exit_code != 0
