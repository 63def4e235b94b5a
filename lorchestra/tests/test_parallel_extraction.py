"""Connections extract concurrently, at most ``extraction.max_parallel_connections`` at once,
each in its own environment; one failing or hanging connection fails alone while the others
are extracted and ingested. The production taps run through `meltano run` against the fake
Graph API on loopback; each mailbox's first delta request is held a while by the fake, so
runs that overlap are seen to overlap."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from cli_support import lorc, table_rows
from ingestor.fake_apis import Fault
from ingestor.fake_apis.microsoft import FakeMicrosoft, fake_microsoft
from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.home import PhiHome

EXCHANGE = [
    {"name": "exchange-weber", "system": "exchange", "mailbox": "j.weber@praxis-weber.example"},
    {"name": "exchange-klein", "system": "exchange", "mailbox": "m.klein@praxis-weber.example"},
    {"name": "exchange-team", "system": "exchange", "mailbox": "team@praxis-weber.example"},
]
HELD_SECONDS = 3.0
DELTA = r"/messages/delta$"


@pytest.fixture
def graph() -> Iterator[FakeMicrosoft]:
    with fake_microsoft() as server:
        yield server


def _hold_first_delta(graph: FakeMicrosoft, mailbox: str, seconds: float) -> None:
    either = f"(?:{re.escape(mailbox)}|{re.escape(quote(mailbox))})"
    graph.inject(Fault(rf"/users/{either}/mailFolders/[^/]+/messages/delta$", status=None, delay=seconds))


class ProcessWatch:
    """Samples the environments of the processes that run Meltano for ``home`` (guard,
    Meltano, tap, target) until stopped: which mailboxes run at the same moment, and every
    environment variable name those processes had."""

    def __init__(self, home: PhiHome) -> None:
        self.marker = f"MELTANO_DATABASE_URI=sqlite:///{home.root}/".encode()
        self.most_at_once: set[str] = set()
        self.variable_names: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            running = set()
            for environ in self._environments():
                self.variable_names |= set(environ)
                running.add(environ.get("TAP_LORC_GRAPH_MAILBOX", "?"))
            if len(running) > len(self.most_at_once):
                self.most_at_once = running

    def _environments(self) -> Iterator[dict[str, str]]:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            try:
                raw = (proc / "environ").read_bytes()
            except OSError:
                continue
            if self.marker in raw:
                pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
                yield {key.decode(errors="replace"): value.decode(errors="replace") for key, _, value in pairs}


def _secrets_into_the_environment(home: PhiHome) -> dict[str, str]:
    """The connections' secrets from .env, moved into lorc's environment (where a tap could inherit them)."""
    lines = home.dotenv_path.read_text().splitlines()
    home.dotenv_path.write_text("")
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_at_most_max_parallel_connections_run_at_once_and_no_tap_sees_another_connections_secrets(
    home: PhiHome, graph: FakeMicrosoft
) -> None:
    point_at_fakes(
        home,
        EXCHANGE,
        lambda _system, source: graph.tap_settings(source["mailbox"]),
        extraction={"max_parallel_connections": 2},
    )
    first = lorc("run", "extract_email", "--json")  # a new home's first run migrates Meltano's database alone
    assert first.returncode == 0, first.stdout + first.stderr
    for connection in EXCHANGE:
        _hold_first_delta(graph, connection["mailbox"], HELD_SECONDS)
    secrets = _secrets_into_the_environment(home)
    assert any(name.startswith("EXCHANGE_KLEIN_") for name in secrets)
    graph.requests.clear()

    with ProcessWatch(home) as watch:
        result = lorc("run", "extract_email", "--json", env=secrets)

    assert result.returncode == 0, result.stdout + result.stderr
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["inputs"], counts["connections_failed"]) == (0, 0), "nothing new, and every mailbox asked"
    asked = {call.path.split("/users/")[1].split("/")[0] for call in graph.requests_to(DELTA)}
    assert len(asked) == len(EXCHANGE), "every mailbox was asked for its changes"
    assert len(watch.most_at_once) == 2, f"two connections at once, never three: {watch.most_at_once}"
    inherited = sorted(name for name in watch.variable_names if name in secrets)
    assert inherited == [], "no Meltano, tap or target process inherits a connection's secret from lorc"


def test_a_failing_and_a_hanging_connection_fail_alone_while_the_other_is_extracted_and_ingested(
    home: PhiHome, graph: FakeMicrosoft
) -> None:
    connections = [dict(c) for c in EXCHANGE]
    connections[2]["timeout_seconds"] = 8  # exchange-team's API never answers in time
    point_at_fakes(home, connections, lambda _system, source: graph.tap_settings(source["mailbox"]))
    _hold_first_delta(graph, "team@praxis-weber.example", 120)
    home.dotenv_path.write_text(
        home.dotenv_path.read_text().replace(
            f"EXCHANGE_KLEIN_CLIENT_SECRET={graph.client_secret}", "EXCHANGE_KLEIN_CLIENT_SECRET=revoked-long-ago"
        )
    )

    result = lorc("run", "extract_email", "--json")

    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    failures = {
        str(e["connection_name"]): str(e["error_message"])
        for e in table_rows(home, {}, "event_log", "created_at")
        if e["event_type"] == "ingest.failed"
    }
    assert sorted(failures) == ["exchange-klein", "exchange-team"]
    assert "sign in again with `lorc connect exchange exchange-klein`" in failures["exchange-klein"]
    assert "timed out after 8 s" in failures["exchange-team"]
    raw = table_rows(home, {}, "raw_objects", "idem_key")
    assert {row["connection_name"] for row in raw} == {"exchange-weber"}
    assert counts["connections_failed"] == 2 and counts["inserted"] == len(raw) > 0
