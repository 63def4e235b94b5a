"""The real ``tap-lorc-graph`` executable against ``FakeMicrosoft`` on loopback (TLS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tap_process import TapRun, run_tap_process
from tap_process import tap_command as process_command
from target_pipe import pipe_into_target_jsonl

from ingestor.fake_apis import Fault, running
from ingestor.fake_apis.microsoft import FakeMicrosoft, fake_microsoft
from lorc_taps.graph.auth import probe
from lorc_taps.http import AUTH_REFUSED_MARKER, ApiError, AuthorizationError
from sample_taps.mailboxes import load_messages

WEBER = "j.weber@praxis-weber.example"
TEAM = "team@praxis-weber.example"
DELTA = r"/messages/delta$"
# The folder the revision-2 message of j.weber was moved to (a user folder, not Inbox).
MOVED_TO = "AAMkAGE1M2IyNGNmLTZwL3NFbsDWb56sqLDvYq8S8k_pNg7I0RCJ7nL7iSAuAAAAAAC0mCl5t3DJQ4mnp0xQ9K0pAQzV00w22rV2Z2tGxT77VtnnoxAAA="


def tap_command(
    fake: FakeMicrosoft, mailbox: str, work: Path, state: dict[str, Any] | None = None, **settings: Any
) -> list[str]:
    return process_command(
        "tap-lorc-graph", work, {**fake.tap_settings(mailbox), "mailbox": mailbox, **settings}, state
    )


def run_tap(
    fake: FakeMicrosoft, mailbox: str, work: Path, state: dict[str, Any] | None = None, **settings: Any
) -> TapRun:
    return run_tap_process(tap_command(fake, mailbox, work, state, **settings), timeout=120)


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in records}


@pytest.fixture
def fake() -> Iterator[FakeMicrosoft]:
    server = fake_microsoft()
    with running(server):
        yield server


@pytest.mark.parametrize("mailbox", [WEBER, TEAM])
def test_first_sync_equals_the_fixture_records_of_inbox_and_sent_items(
    fake: FakeMicrosoft, tmp_path: Path, mailbox: str
) -> None:
    run = run_tap(fake, mailbox, tmp_path, page_size=2)
    assert run.returncode == 0, run.stderr
    assert len(run.records) == len(by_id(run.records))
    assert by_id(run.records) == by_id(load_messages("graph", mailbox, 1))
    assert all(record["internetMessageHeaders"] for record in run.records)
    assert {"inbox", "sentitems"} == set(run.state["bookmarks"]["messages"]["folders"])
    assert fake.url not in json.dumps(run.states), "the state holds no server address"


def test_a_second_run_makes_only_delta_token_calls_and_emits_nothing(fake: FakeMicrosoft, tmp_path: Path) -> None:
    first = run_tap(fake, WEBER, tmp_path)
    assert first.returncode == 0, first.stderr
    fake.requests.clear()
    with running(fake_microsoft()) as (later,):  # a new server, as lorc starts one per run
        second = run_tap(later, WEBER, tmp_path, state=first.state)
        assert second.returncode == 0, second.stderr
        assert second.records == []
        delta_calls = later.requests_to(DELTA)
        assert len(delta_calls) == 2 and all("$deltatoken" in call.query for call in delta_calls)
        assert later.requests_to(r"/users/[^/]+/messages/") == []


def test_revision_2_emits_exactly_the_changed_messages(fake: FakeMicrosoft, tmp_path: Path) -> None:
    folders = ["inbox", "sentitems", MOVED_TO]
    first = run_tap(fake, WEBER, tmp_path, folders=folders)
    assert first.returncode == 0, first.stderr
    default = run_tap(fake, WEBER, tmp_path)
    revision_1, revision_2 = load_messages("graph", WEBER, 1), load_messages("graph", WEBER, 2)
    moved_index = next(i for i, (a, b) in enumerate(zip(revision_1, revision_2, strict=True)) if a != b)
    with running(fake_microsoft(revision=2)) as (later,):
        # Immutable ids: the moved message keeps its id and shows up, changed, in its new folder.
        followed = run_tap(later, WEBER, tmp_path, state=first.state, folders=folders)
        assert followed.returncode == 0, followed.stderr
        assert followed.records == [{**revision_2[moved_index], "id": revision_1[moved_index]["id"]}]
        # With the default folders it only leaves the Inbox: an @removed entry, no record.
        inbox_only = run_tap(later, WEBER, tmp_path, state=default.state)
        assert inbox_only.returncode == 0, inbox_only.stderr
        assert inbox_only.records == []
        assert "0 emitted (0 without id), 1 removed entries skipped" in inbox_only.stderr


def test_items_that_come_back_without_content_are_read_again_by_id(fake: FakeMicrosoft, tmp_path: Path) -> None:
    folders = ["inbox", "sentitems", MOVED_TO]
    first = run_tap(fake, WEBER, tmp_path, folders=folders)
    with running(fake_microsoft(revision=2)) as (later,):
        later.partial_updates = True
        second = run_tap(later, WEBER, tmp_path, state=first.state, folders=folders)
        assert second.returncode == 0, second.stderr
        moved = load_messages("graph", WEBER, 2)[2]
        assert second.records == [{**moved, "id": load_messages("graph", WEBER, 1)[2]["id"]}]
        assert len(later.requests_to(r"/users/[^/]+/messages/[^/]+$")) == 1


def test_a_chunked_sync_resumes_without_refetching(fake: FakeMicrosoft, tmp_path: Path) -> None:
    records: list[dict[str, Any]] = []
    state, runs = None, 0
    while True:
        run = run_tap(fake, TEAM, tmp_path, state=state, page_size=2, max_messages_per_run=3)
        assert run.returncode == 0, run.stderr
        records += run.records
        state, runs = run.state, runs + 1
        if len(run.records) < 3:
            break
    assert runs >= 3
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in load_messages("graph", TEAM, 1))
    # Each page of a round is fetched once; only a finished folder's delta link is asked again.
    pages = [
        call.path + json.dumps(call.query, sort_keys=True)
        for call in fake.requests_to(DELTA)
        if "$deltatoken" not in call.query
    ]
    assert len(pages) == len(set(pages)) == 4  # Inbox 4 and Sent Items 3 messages, 2 a page


def test_an_expired_delta_token_reads_that_folder_again(fake: FakeMicrosoft, tmp_path: Path) -> None:
    first = run_tap(fake, WEBER, tmp_path)
    fake.expire_delta_tokens = True
    second = run_tap(fake, WEBER, tmp_path, state=first.state)
    assert second.returncode == 0, second.stderr
    assert by_id(second.records) == by_id(load_messages("graph", WEBER, 1))
    assert [call.status for call in fake.requests_to(DELTA)].count(410) == 2
    assert "folders resynced after an expired delta token: inbox, sentitems" in second.stderr


def test_429_with_retry_after_and_503_are_retried(fake: FakeMicrosoft, tmp_path: Path) -> None:
    fake.inject(Fault(path=DELTA, status=429, retry_after="1"))
    fake.inject(Fault(path=DELTA, status=503))
    run = run_tap(fake, WEBER, tmp_path)
    assert run.returncode == 0, run.stderr
    assert by_id(run.records) == by_id(load_messages("graph", WEBER, 1))
    statuses = [call.status for call in fake.requests_to(DELTA)]
    assert statuses[:3] == [429, 503, 200]


def test_an_expired_access_token_is_replaced(tmp_path: Path) -> None:
    fake = FakeMicrosoft(token_ttl=0.3)  # tokens say "an hour" but die after 0.3 s
    fake.latency = 0.2
    with running(fake):
        run = run_tap(fake, TEAM, tmp_path, page_size=1)
        assert run.returncode == 0, run.stderr
        assert by_id(run.records) == by_id(load_messages("graph", TEAM, 1))
        assert 401 in [call.status for call in fake.requests_to(DELTA)]
        assert len(fake.requests_to(r"/oauth2/v2\.0/token$")) >= 2


@pytest.mark.parametrize(
    ("knob", "reason"),
    [
        ("secret", "client secret was refused"),
        ("consent", "admin consent for the Mail.Read application permission is missing"),
    ],
)
def test_refused_credentials_fail_with_the_marker_and_no_secret(
    fake: FakeMicrosoft, tmp_path: Path, knob: str, reason: str
) -> None:
    settings = fake.tap_settings(WEBER)
    if knob == "secret":
        fake.client_secret = "the-rotated-secret"
    else:
        fake.consent_granted = False
    run = run_tap(fake, WEBER, tmp_path, client_secret=settings["client_secret"])
    assert run.returncode != 0
    assert AUTH_REFUSED_MARKER in run.stderr and reason in run.stderr
    assert settings["client_secret"] not in run.stderr and "the-rotated-secret" not in run.stderr
    assert run.records == []


def test_a_malformed_message_does_not_stop_the_run(fake: FakeMicrosoft, tmp_path: Path) -> None:
    """Through the real target-jsonl: a message with wrong-typed properties lands in the JSONL
    as Graph sent it (lorc rejects it, with its id), the rest too, and the run exits 0."""
    inbox = fake.mail.folder_ids(WEBER)["inbox"]
    malformed = {
        "id": "AAMkMalformed=",
        "receivedDateTime": "yesterday",
        "body": None,
        "from": "Frau Therapieplatz",
        "toRecipients": {"emailAddress": "Therapieplatz"},
        "isRead": "Therapieplatz",
        "internetMessageHeaders": None,
    }
    fake.extra_items[(WEBER, inbox)] = [malformed, "not an object", {"subject": "Therapieplatz"}]
    run = pipe_into_target_jsonl(tap_command(fake, WEBER, tmp_path), tmp_path)
    assert (run.tap_returncode, run.target_returncode) == (0, 0), run.stderr
    assert [r for r in run.records if "id" not in r] == [{"subject": "Therapieplatz"}], "kept for a rejects row"
    records = by_id([r for r in run.records if "id" in r])
    assert records.pop("AAMkMalformed=") == malformed
    assert records == by_id(load_messages("graph", WEBER, 1))
    assert "(1 without id)" in run.stderr and "1 items that are not objects skipped" in run.stderr
    assert "Therapieplatz" not in run.stderr, "content never reaches the log"


def test_start_date_limits_the_first_sync(fake: FakeMicrosoft, tmp_path: Path) -> None:
    run = run_tap(fake, WEBER, tmp_path, start_date="2026-11-11")
    assert run.returncode == 0, run.stderr
    wanted = [r for r in load_messages("graph", WEBER, 1) if r["receivedDateTime"] >= "2026-11-11T00:00:00Z"]
    assert 0 < len(wanted) < 6
    assert by_id(run.records) == by_id(wanted)
    assert all(
        call.query["$filter"] == ["receivedDateTime ge 2026-11-11T00:00:00Z"] for call in fake.requests_to(DELTA)
    )


def test_probe_signs_in_and_opens_the_mailbox_or_says_why_not(fake: FakeMicrosoft) -> None:
    settings = {**fake.tap_settings(WEBER), "mailbox": WEBER}
    probe(settings)
    assert [call.status for call in fake.requests_to(r"/mailFolders/inbox$")] == [200]
    fake.denied_mailboxes.add(WEBER)  # an application access policy without this mailbox
    with pytest.raises(ApiError) as refused:
        probe(settings)
    assert (refused.value.status, refused.value.code) == (403, "ErrorAccessDenied")
    fake.client_secret = "the-rotated-secret"
    with pytest.raises(AuthorizationError, match="client secret was refused"):
        probe(settings)


def test_the_ca_bundle_wins_over_requests_ca_bundle(fake: FakeMicrosoft, monkeypatch: pytest.MonkeyPatch) -> None:
    # requests lets REQUESTS_CA_BUNDLE override Session.verify; the tap's bundle must win.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    probe({**fake.tap_settings(WEBER), "mailbox": WEBER})
    assert [call.status for call in fake.requests_to(r"/mailFolders/inbox$")] == [200]
