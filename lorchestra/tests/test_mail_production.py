"""The production profile as a practice runs it: `lorc` (a real subprocess) runs the
production taps through `meltano run` against fake Gmail and Graph APIs on loopback,
with the connections in config.yaml and their secrets in .env.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import LORC, lorc, run_jobs_json, table_rows
from ingestor.fake_apis import Fault
from ingestor.fake_apis.google import (
    CLIENT_ID,
    CLIENT_SECRET,
    FakeGoogle,
    fake_google,
    refresh_token_for,
)
from ingestor.fake_apis.microsoft import FakeMicrosoft, fake_microsoft
from lorchestra.bench.fake_production import point_at_fakes
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from production_fakes import sign_in_in_browser
from sample_taps.mailboxes import load_messages

EXCHANGE = [
    {"name": "exchange-weber", "system": "exchange", "mailbox": "j.weber@praxis-weber.example"},
    {"name": "exchange-klein", "system": "exchange", "mailbox": "m.klein@praxis-weber.example"},
    {"name": "exchange-team", "system": "exchange", "mailbox": "team@praxis-weber.example"},
]
DELTA = r"/messages/delta$"


@pytest.fixture
def graph() -> Iterator[FakeMicrosoft]:
    with fake_microsoft() as server:
        yield server


def _production(
    home: PhiHome, graph: FakeMicrosoft, connections: list[dict[str, object]] = EXCHANGE, **extraction: object
) -> None:
    point_at_fakes(
        home, connections, lambda _system, source: graph.tap_settings(source["mailbox"]), extraction=extraction or None
    )


def _failures(home: PhiHome) -> dict[str, str]:
    return {
        str(e["connection_name"]): str(e["error_message"])
        for e in table_rows(home, {}, "event_log", "created_at")
        if e["event_type"] == "ingest.failed"
    }


def test_exchange_mailboxes_are_read_once_then_only_their_changes(home: PhiHome, graph: FakeMicrosoft) -> None:
    _production(home, graph)

    first = run_jobs_json(["extract_email"], {})["extract_email"]
    assert (first["inserted"], first["rejected"], first["connections_failed"]) == (19, 0, 0)
    raw = table_rows(home, {}, "raw_objects", "idem_key")
    assert {row["connection_name"] for row in raw} == {c["name"] for c in EXCHANGE}
    assert all(json.loads(row["payload"])["internetMessageHeaders"] for row in raw), (
        "In-Reply-To and References survive"
    )

    graph.requests.clear()
    second = run_jobs_json(["extract_email"], {})["extract_email"]
    assert second["inputs"] == 0, "nothing changed, so nothing is fetched"
    calls = graph.requests_to(DELTA)
    assert calls and all("$deltatoken" in call.query for call in calls), "only delta-token rounds"
    assert table_rows(home, {}, "raw_objects", "idem_key") == raw


def test_429_and_503_are_retried_and_the_run_succeeds(home: PhiHome, graph: FakeMicrosoft) -> None:
    _production(home, graph)
    graph.inject(Fault(DELTA, 429, retry_after="1"))
    graph.inject(Fault(DELTA, 503, times=2))

    counts = run_jobs_json(["extract_email"], {})["extract_email"]

    assert (counts["inserted"], counts["connections_failed"]) == (19, 0)
    assert [c.status for c in graph.requests_to(DELTA)][:4] == [429, 503, 503, 200]


def test_refused_credentials_fail_that_mailbox_with_the_sign_in_command_and_the_others_go_on(
    home: PhiHome,
    graph: FakeMicrosoft,
) -> None:
    _production(home, graph)
    home.dotenv_path.write_text(
        home.dotenv_path.read_text().replace(
            f"EXCHANGE_KLEIN_CLIENT_SECRET={graph.client_secret}", "EXCHANGE_KLEIN_CLIENT_SECRET=revoked-long-ago"
        )
    )

    result = lorc("run", "extract_email", "--json")

    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["connections_failed"], counts["inserted"]) == (1, 13)
    failures = _failures(home)
    assert list(failures) == ["exchange-klein"]
    assert "sign in again with `lorc connect exchange exchange-klein`" in failures["exchange-klein"]
    assert "revoked-long-ago" not in result.stdout + result.stderr + failures["exchange-klein"]
    logs = "".join(p.read_text(errors="replace") for p in (home.root / "logs").glob("*"))
    assert "revoked-long-ago" not in logs and graph.client_secret not in logs


def test_missing_secrets_fail_the_connection_naming_the_variables_only(home: PhiHome, graph: FakeMicrosoft) -> None:
    _production(home, graph)
    home.dotenv_path.write_text(
        "".join(
            line
            for line in home.dotenv_path.read_text().splitlines(keepends=True)
            if not line.startswith("EXCHANGE_TEAM_")
        )
    )

    result = lorc("run", "extract_email", "--json")

    assert result.returncode == 1
    failure = _failures(home)["exchange-team"]
    assert failure.startswith(
        "secrets missing: EXCHANGE_TEAM_TENANT_ID, EXCHANGE_TEAM_CLIENT_ID, "
        "EXCHANGE_TEAM_CLIENT_SECRET; run `lorc connect exchange exchange-team`"
    )


def test_a_chunked_backfill_ingests_each_chunk_before_the_next_and_a_rerun_fetches_nothing(
    home: PhiHome,
    graph: FakeMicrosoft,
) -> None:
    _production(home, graph, EXCHANGE[:1], max_messages_per_run=2)

    counts = run_jobs_json(["extract_email"], {})["extract_email"]

    assert counts["inserted"] == 6
    ingests = [e for e in table_rows(home, {}, "event_log", "created_at") if e["event_type"] == "ingest.completed"]
    per_chunk = [
        json.loads(e["payload"])["inserted"] if isinstance(e["payload"], str) else e["payload"]["inserted"]
        for e in ingests
    ]
    # the tap stops after the page that reaches the limit (Inbox: 4, then Sent Items: 2)
    assert per_chunk == [4, 2, 0], "each chunk is in the warehouse before the next meltano run"
    graph.requests.clear()
    again = run_jobs_json(["extract_email"], {})["extract_email"]
    assert again["inputs"] == 0
    assert all("$deltatoken" in call.query for call in graph.requests_to(DELTA))


def test_full_refresh_of_one_connection_reads_it_again_from_the_start(home: PhiHome, graph: FakeMicrosoft) -> None:
    _production(home, graph)
    run_jobs_json(["extract_email"], {})
    graph.requests.clear()

    counts = run_jobs_json(["extract_email"], {}, "--full-refresh", "--connection", "exchange-weber")

    assert (counts["extract_email"]["connections"], counts["extract_email"]["unchanged"]) == (1, 6)
    calls = graph.requests_to(DELTA)
    assert calls and all("j.weber@" in call.path and "$deltatoken" not in call.query for call in calls)


def test_doctor_proves_each_mailbox_and_names_the_fix(home: PhiHome, graph: FakeMicrosoft) -> None:
    _production(home, graph)
    graph.denied_mailboxes.add("team@praxis-weber.example")
    home.dotenv_path.write_text(
        "".join(
            line
            for line in home.dotenv_path.read_text().splitlines(keepends=True)
            if not line.startswith("EXCHANGE_KLEIN_CLIENT_ID")
        )
    )

    result = lorc("doctor", "--json")

    assert result.returncode == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert checks["connection exchange-weber"]["ok"]
    klein, team = checks["connection exchange-klein"], checks["connection exchange-team"]
    assert not klein["ok"] and klein["detail"] == "secrets missing: EXCHANGE_KLEIN_CLIENT_ID"
    assert "lorc connect exchange exchange-klein" in klein["fix"]
    assert not team["ok"] and "application access policy" in team["detail"] + (team["fix"] or "")
    assert graph.client_secret not in result.stdout + result.stderr


def test_lorc_connect_exchange_checks_the_credentials_and_keeps_them_without_printing_them(
    home: PhiHome,
    graph: FakeMicrosoft,
) -> None:
    _production(home, graph)
    home.dotenv_path.write_text("SMTP_PASSWORD=kept\n")
    settings = graph.tap_settings("j.weber@praxis-weber.example")
    args = (
        "connect",
        "exchange",
        "exchange-weber",
        "--tenant-id",
        settings["tenant_id"],
        "--client-id",
        settings["client_id"],
    )

    wrong = lorc(*args, input_text="not-the-secret\n")
    assert wrong.returncode == 1 and "create a new one" in wrong.stderr
    assert "not-the-secret" not in wrong.stdout + wrong.stderr + home.dotenv_path.read_text()

    right = lorc(*args, input_text=settings["client_secret"] + "\n")
    assert right.returncode == 0, right.stderr
    assert "EXCHANGE_WEBER_CLIENT_SECRET" in right.stdout and settings["client_secret"] not in right.stdout
    assert f"EXCHANGE_WEBER_CLIENT_SECRET={settings['client_secret']}" in home.dotenv_path.read_text()
    assert "SMTP_PASSWORD=kept" in home.dotenv_path.read_text()

    other = lorc("connect", "exchange", "gmail-praxis", "--tenant-id", "t", "--client-id", "c", input_text="s\n")
    assert other.returncode == 1 and "no connection named 'gmail-praxis'" in other.stderr


def _processes_of(home: PhiHome) -> list[int]:
    """Live processes whose command line or environment names the PHI home (Meltano, taps)."""
    found = []
    marker = str(home.root).encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if (proc / "stat").read_text().split()[2] == "Z":
                continue
            if marker in (proc / "cmdline").read_bytes() or marker in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _raw_state(home: PhiHome) -> list[tuple[str, str]]:
    return sorted((str(r["idem_key"]), str(r["payload_hash"])) for r in table_rows(home, {}, "raw_objects", "idem_key"))


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    home = PhiHome(tmp_path_factory.mktemp("clean") / "home")
    init_home(home)
    with fake_microsoft() as graph:
        _production(home, graph, max_messages_per_run=2)
        result = lorc("run", "extract_email", env={"LORC_HOME": str(home.root)})
        assert result.returncode == 0, result.stdout + result.stderr
    return _raw_state(home)


@pytest.mark.parametrize("kill_at", ["extract.before_ingest", "mid-fetch"])
def test_sigkill_of_lorc_during_extraction_then_a_rerun_ends_like_a_clean_run(
    home: PhiHome,
    kill_at: str,
    clean_raw: list[tuple[str, str]],
) -> None:
    with fake_microsoft() as graph:
        _production(home, graph, max_messages_per_run=2)
        env = {**os.environ, "LORC_HOME": str(home.root)}
        if kill_at == "mid-fetch":
            graph.latency = 0.3
            process = subprocess.Popen(
                [LORC, "run", "extract_email"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 120
            while len(graph.requests_to(DELTA)) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            assert process.wait() == -9
        else:
            # the second chunk of the first mailbox: its JSONL written and its state saved, not ingested
            crashed = subprocess.run(
                [LORC, "run", "extract_email"],
                check=False,
                capture_output=True,
                env={**env, "LORC_FAULT_AT": "extract.before_ingest:exchange-weber", "LORC_FAULT_MODE": "kill"},
            )
            assert crashed.returncode == -9
        deadline = time.monotonic() + 15
        while _processes_of(home) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_of(home) == [], "Meltano or a tap outlived lorc"
        if kill_at == "mid-fetch":
            left = list((home.root / "meltano").rglob("run/*/*.config.json"))
            assert left, "Meltano's plugin config (with the secret) outlives the kill until the next run"

        graph.latency = 0.0
        again = lorc("run", "extract_email")
        assert again.returncode == 0, again.stdout + again.stderr
    assert _raw_state(home) == clean_raw
    assert not any((home.root / "extract").iterdir())
    assert not list((home.root / "meltano").rglob("run/*/*.config.json")), "no tap secret stays on disk"


GMAIL = [
    {"name": "gmail-praxis", "system": "gmail", "mailbox": "praxis@praxis-weber.example"},
    {"name": "gmail-anmeldung", "system": "gmail", "mailbox": "anmeldung@praxis-weber.example"},
]


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with fake_google(tls=True) as server:
        yield server


def _gmail_production(home: PhiHome, google: FakeGoogle) -> None:
    point_at_fakes(
        home, GMAIL, lambda _system, source: {**google.tap_settings(source["mailbox"]), "auth_url": google.auth_url}
    )


def test_a_revoked_gmail_token_fails_that_mailbox_naming_lorc_connect_and_doctor_says_the_same(
    home: PhiHome,
    google: FakeGoogle,
) -> None:
    _gmail_production(home, google)
    google.revoked.add("anmeldung@praxis-weber.example")

    result = lorc("run", "extract_email", "--json")

    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert counts["connections_failed"] == 1 and counts["inserted"] > 0
    assert "sign in again with `lorc connect gmail gmail-anmeldung`" in _failures(home)["gmail-anmeldung"]
    logs = "".join(p.read_text(errors="replace") for p in (home.root / "logs").glob("*"))
    for secret in (CLIENT_SECRET, *(refresh_token_for(c["mailbox"]) for c in GMAIL)):
        assert secret not in logs + result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(lorc("doctor", "--json").stdout)}
    assert checks["connection gmail-praxis"]["ok"]
    anmeldung = checks["connection gmail-anmeldung"]
    assert not anmeldung["ok"] and anmeldung["fix"] == "run `lorc connect gmail gmail-anmeldung`"


def test_lorc_connect_gmail_signs_in_through_the_browser_and_stores_the_refresh_token(
    home: PhiHome,
    google: FakeGoogle,
) -> None:
    _gmail_production(home, google)
    home.dotenv_path.write_text(f"GOOGLE_CLIENT_ID={CLIENT_ID}\nGOOGLE_CLIENT_SECRET={CLIENT_SECRET}\n")
    returncode, shown = sign_in_in_browser(home, ["connect", "gmail", "gmail-praxis"], google.ca_path)

    assert returncode == 0, shown
    assert "GMAIL_PRAXIS_REFRESH_TOKEN" in shown
    token = refresh_token_for("praxis@praxis-weber.example")
    assert f"GMAIL_PRAXIS_REFRESH_TOKEN={token}" in home.dotenv_path.read_text()
    assert token not in shown and CLIENT_SECRET not in shown
    assert [request.status for request in google.requests_to(r"/profile$")] == [200], "the mailbox is probed once"
    consent = google.requests_to(r"^/o/oauth2/auth$")
    assert [r.query["scope"] for r in consent] == [["https://www.googleapis.com/auth/gmail.readonly"]]


def test_a_message_the_api_returns_malformed_becomes_a_reject_the_rest_is_written_and_it_is_kept(
    home: PhiHome,
    google: FakeGoogle,
) -> None:
    _gmail_production(home, google)
    records = load_messages("gmail", "praxis@praxis-weber.example", 1)
    broken = records[2]
    google.malformed[broken["id"]] = {"threadId": broken["threadId"], "snippet": "Therapieplatz gesucht"}

    result = lorc("run", "extract_email", "--json")

    # 1 of praxis@'s 10 is over the 1% limit: the connection fails, naming rule and quarantine
    assert result.returncode == 1
    counts = json.loads(result.stdout)["jobs"][0]["counts"]
    assert (counts["rejected"], counts["connections_failed"]) == (1, 1)
    rejects = table_rows(home, {}, "rejects", "reject_key")
    assert [(r["connection_name"], r["rule"]) for r in rejects] == [("gmail-praxis", "missing_external_id")]
    stored = {
        r["external_id"]
        for r in table_rows(home, {}, "raw_objects", "idem_key")
        if r["connection_name"] == "gmail-praxis"
    }
    assert stored == {r["id"] for r in records} - {broken["id"]}
    failure = _failures(home)["gmail-praxis"]
    assert "missing_external_id (1)" in failure and "quarantine" in failure
    (kept,) = (home.root / "quarantine").glob("*/tap-lorc-gmail-gmail-praxis/messages.jsonl")
    assert "Therapieplatz gesucht" in kept.read_text(), "the malformed record is kept, not lost"
    logs = "".join(p.read_text(errors="replace") for p in (home.root / "logs").glob("*"))
    assert "Therapieplatz" not in logs + result.stdout + result.stderr + failure
