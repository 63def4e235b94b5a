"""The real ``tap-lorc-dataverse`` executable against ``FakeDataverse`` on loopback (TLS)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tap_process import TapRun, run_tap_process
from tap_process import tap_command as process_command
from target_pipe import pipe_into_target_jsonl

from ingestor.fake_apis import Fault, running
from ingestor.fake_apis.dataverse import FakeDataverse, fake_dataverse
from lorc_taps.dataverse.client import probe
from lorc_taps.http import (
    AUTH_REFUSED_MARKER,
    SETTING_MARKER,
    AuthorizationError,
    SettingError,
)
from sample_taps.practice import dataverse_records

CONTACTS = r"/api/data/v9\.2/contacts$"
SESSIONS = r"/api/data/v9\.2/cr7a2_sessions$"
RICHTER = "74ae7566-c52b-ef11-9f89-000d3a4b219c"


def tap_command(fake: FakeDataverse, work: Path, state: dict[str, Any] | None = None, **settings: Any) -> list[str]:
    return process_command("tap-lorc-dataverse", work, {**fake.tap_settings(), **settings}, state)


def run_tap(fake: FakeDataverse, work: Path, state: dict[str, Any] | None = None, **settings: Any) -> TapRun:
    return run_tap_process(tap_command(fake, work, state, **settings), timeout=120)


def as_sent(record: dict[str, Any]) -> dict[str, Any]:
    """A fixture row as the Web API sends it with all annotations."""
    return {"@odata.etag": f'W/"{record["versionnumber"]}"', **record}


def stream(run: TapRun, name: str) -> list[dict[str, Any]]:
    """The records of stream ``contact`` or ``session`` (only contacts have a ``contactid``)."""
    return [record for record in run.records if ("contactid" in record) == (name == "contact")]


def by_key(records: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {record[key]: record for record in records}


def bookmarks(run: TapRun) -> dict[str, str]:
    assert run.state is not None, "the tap wrote no STATE"
    return {name: value["replication_key_value"] for name, value in run.state["bookmarks"].items()}


@pytest.fixture
def fake() -> Iterator[FakeDataverse]:
    server = fake_dataverse()
    with running(server):
        yield server


def test_first_run_through_target_jsonl_delivers_every_contact_and_session_as_sent(
    fake: FakeDataverse, tmp_path: Path
) -> None:
    run = pipe_into_target_jsonl(tap_command(fake, tmp_path), tmp_path)
    assert (run.tap_returncode, run.target_returncode) == (0, 0), run.stderr
    contacts, sessions = run.stream_records("contact"), run.stream_records("session")
    assert (len(contacts), len(sessions)) == (13, 26)
    assert contacts == sorted(map(as_sent, dataverse_records("contact")), key=lambda r: r["modifiedon"])
    assert by_key(sessions, "cr7a2_sessionid") == by_key(
        [as_sent(r) for r in dataverse_records("cr7a2_session")], "cr7a2_sessionid"
    )
    assert [call.query.get("$filter") for call in fake.requests_to(CONTACTS)] == [None]
    assert fake.client_secret not in run.stderr


def test_a_second_run_filters_on_the_bookmark_and_emits_only_the_boundary_rows(
    fake: FakeDataverse, tmp_path: Path
) -> None:
    first = run_tap(fake, tmp_path)
    assert first.returncode == 0, first.stderr
    assert bookmarks(first) == {"contact": "2026-11-12T10:50:10Z", "session": "2026-11-10T09:00:00Z"}
    with running(fake_dataverse()) as (later,):  # a new server, as lorc starts one per run
        second = run_tap(later, tmp_path, state=first.state)
        assert second.returncode == 0, second.stderr
        assert [call.query["$filter"] for call in later.requests_to(CONTACTS)] == [
            ["modifiedon ge 2026-11-12T10:50:10Z"]
        ]
        assert [call.query["$filter"] for call in later.requests_to(SESSIONS)] == [
            ["modifiedon ge 2026-11-10T09:00:00Z"]
        ]
    # `ge`: the row of the bookmark's second comes again (lorc's ingest leaves it unchanged).
    assert [r["modifiedon"] for r in second.records] == ["2026-11-12T10:50:10Z", "2026-11-10T09:00:00Z"]
    assert bookmarks(second) == bookmarks(first)


def test_at_revision_2_the_changed_contact_arrives(fake: FakeDataverse, tmp_path: Path) -> None:
    first = run_tap(fake, tmp_path)
    assert first.returncode == 0, first.stderr
    with running(fake_dataverse(revision=2)) as (later,):
        second = run_tap(later, tmp_path, state=first.state)
    assert second.returncode == 0, second.stderr
    contacts = by_key(stream(second, "contact"), "contactid")
    changed = as_sent(by_key(dataverse_records("contact", 2), "contactid")[RICHTER])
    assert contacts[RICHTER] == changed and changed != as_sent(
        by_key(dataverse_records("contact", 1), "contactid")[RICHTER]
    )
    assert len(contacts) == 2  # Thomas Richter and the boundary row
    assert bookmarks(second)["contact"] == changed["modifiedon"]


def test_pages_are_followed_through_the_next_link(fake: FakeDataverse, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path, page_size=4)
    assert run.returncode == 0, run.stderr
    assert len(by_key(stream(run, "contact"), "contactid")) == 13
    assert len(by_key(stream(run, "session"), "cr7a2_sessionid")) == 26
    pages = fake.requests_to(SESSIONS)
    assert len(pages) == 7 and all("$skiptoken" in call.query for call in pages[1:])
    assert all(call.query["$orderby"] == ["modifiedon asc,cr7a2_sessionid asc"] for call in pages)


def test_429_retry_after_is_honoured(fake: FakeDataverse, tmp_path: Path) -> None:
    fake.inject(Fault(path=CONTACTS, status=429, retry_after="2"))
    run = run_tap(fake, tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(stream(run, "contact")) == 13
    refused, retried = fake.requests_to(CONTACTS)
    assert (refused.status, retried.status) == (429, 200)
    assert retried.at - refused.at >= 1.9, "the retry waited for Retry-After"


def test_an_expired_token_is_replaced_once_and_the_read_goes_on(tmp_path: Path) -> None:
    fake = FakeDataverse(token_ttl=0.3)  # tokens say "an hour" but die after 0.3 s
    fake.latency = 0.2
    with running(fake):
        run = run_tap(fake, tmp_path, page_size=5)
        assert run.returncode == 0, run.stderr
        assert len(by_key(stream(run, "session"), "cr7a2_sessionid")) == 26
        statuses = [call.status for call in fake.requests_to(r"/api/data/")]
        assert 401 in statuses
        assert all(a != 401 or b != 401 for a, b in itertools.pairwise(statuses)), (
            "a refused token is replaced once, then the request goes through"
        )
        assert len(fake.requests_to(r"/oauth2/v2\.0/token$")) == statuses.count(401) + 1


def test_a_wrong_client_secret_fails_with_the_marker_and_no_secret(fake: FakeDataverse, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path, client_secret="a-wrong-secret")
    assert run.returncode != 0
    assert AUTH_REFUSED_MARKER in run.stderr and "client secret was refused" in run.stderr
    assert "a-wrong-secret" not in run.stderr and fake.client_secret not in run.stderr
    assert run.records == []


def test_another_publisher_prefix_works_by_settings_alone(tmp_path: Path) -> None:
    with running(fake_dataverse(publisher_prefix="new_")) as (fake,):
        assert (fake.tap_settings()["session_table"], fake.tap_settings()["session_entity_set"]) == (
            "new_session",
            "new_sessions",
        )
        run = pipe_into_target_jsonl(
            tap_command(fake, tmp_path, session_table="new_session", session_entity_set="new_sessions"), tmp_path
        )
    assert (run.tap_returncode, run.target_returncode) == (0, 0), run.stderr
    sessions = run.stream_records("session")
    assert len(sessions) == 26
    assert {r["new_sessionid"] for r in sessions} == {r["cr7a2_sessionid"] for r in dataverse_records("cr7a2_session")}
    assert not any("cr7a2_" in name for record in sessions for name in record)


def test_the_fixture_prefix_against_another_prefix_fails_naming_the_entity_set(tmp_path: Path) -> None:
    with running(fake_dataverse(publisher_prefix="new_")) as (fake,):
        run = pipe_into_target_jsonl(
            tap_command(fake, tmp_path, session_table="cr7a2_session", session_entity_set="cr7a2_sessions"), tmp_path
        )
    assert run.tap_returncode != 0, "never 0 sessions and success"
    assert (
        f"{SETTING_MARKER}: session_entity_set: no entity set 'cr7a2_sessions' in the environment "
        "(HTTP 404, 0x80060888)"
    ) in run.stderr
    assert run.stream_records("session") == []


def test_a_wrong_logical_name_with_the_right_entity_set_fails_naming_the_table(tmp_path: Path) -> None:
    with running(fake_dataverse(publisher_prefix="new_")) as (fake,):
        run = run_tap(fake, tmp_path, session_table="cr7a2_session", session_entity_set="new_sessions")
    assert run.returncode != 0
    assert (
        f"{SETTING_MARKER}: session_table: the entity set 'new_sessions' has no column 'cr7a2_sessionid'" in run.stderr
    )
    assert stream(run, "session") == []


def test_a_session_table_the_application_user_may_not_read_fails_naming_the_entity_set(
    fake: FakeDataverse, tmp_path: Path
) -> None:
    fake.denied_entity_sets.add("cr7a2_sessions")
    run = run_tap(fake, tmp_path)
    assert run.returncode != 0
    assert (
        f"{SETTING_MARKER}: session_entity_set: the application user may not read 'cr7a2_sessions': give its "
        "security role read access to the table (HTTP 403, 0x80040220)"
    ) in run.stderr
    assert len(stream(run, "contact")) == 13 and stream(run, "session") == []


def test_start_date_limits_the_first_run(fake: FakeDataverse, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path, start_date="2026-11-01")
    assert run.returncode == 0, run.stderr
    wanted = [r for r in dataverse_records("cr7a2_session") if r["modifiedon"] >= "2026-11-01T00:00:00Z"]
    assert 0 < len(wanted) < 26
    assert by_key(stream(run, "session"), "cr7a2_sessionid") == by_key(list(map(as_sent, wanted)), "cr7a2_sessionid")
    assert [call.query["$filter"] for call in fake.requests_to(SESSIONS)] == [["modifiedon ge 2026-11-01T00:00:00Z"]]


def test_probe_signs_in_and_names_the_session_tables_entity_set(fake: FakeDataverse) -> None:
    result = probe(fake.tap_settings())
    assert (result.session_table, result.session_entity_set) == ("cr7a2_session", "cr7a2_sessions")
    assert result.user_id and [call.status for call in fake.requests_to(r"/WhoAmI$")] == [200]
    with pytest.raises(
        SettingError,
        match=r"^lorc-taps: setting wrong: session_table: no table with the logical "
        r"name 'new_session' in the environment \(HTTP 404, 0x80041102\)$",
    ):
        probe({**fake.tap_settings(), "session_table": "new_session"})
    with pytest.raises(
        SettingError,
        match="session_entity_set: the table 'cr7a2_session' has the entity set 'cr7a2_sessions', not 'cr7a2_session'",
    ):
        probe({**fake.tap_settings(), "session_entity_set": "cr7a2_session"})
    with pytest.raises(AuthorizationError, match="client secret was refused"):
        probe({**fake.tap_settings(), "client_secret": "a-wrong-secret"})
