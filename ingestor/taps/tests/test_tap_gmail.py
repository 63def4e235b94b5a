"""``tap-lorc-gmail`` end to end: the real executable against the fake Google on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from gmail_harness import run_tap, tap_command, tap_env
from target_pipe import pipe_into_target_jsonl

from ingestor.fake_apis import Fault
from ingestor.fake_apis.google import FakeGoogle, api_error, fake_google
from lorc_taps.http import AUTH_REFUSED_MARKER
from sample_taps.mailboxes import known_mailboxes, load_messages

PRAXIS = "praxis@praxis-weber.example"
SYNTHETIC = "synthetic@praxis-weber.example"
CHANGED_AT_REVISION_2 = {"1a1d058555356414"}


def api_calls(server: FakeGoogle) -> list[str]:
    """The Gmail API methods the server was asked for, in order (token requests left out)."""
    names = []
    for request in server.requests:
        parts = request.path.split("/")
        if parts[1:3] != ["gmail", "v1"]:
            continue
        names.append("get" if len(parts) == 7 else parts[5])
    return names


def got_ids(server: FakeGoogle) -> list[str]:
    return [
        request.path.rsplit("/", 1)[1] for request in server.requests_to(r"/messages/[^/]+$") if request.status == 200
    ]


@pytest.mark.parametrize("mailbox", known_mailboxes("gmail"))
def test_backfill_emits_the_mailbox_exactly_as_the_api_returns_it(tmp_path: Path, mailbox: str) -> None:
    with fake_google() as server:
        run = run_tap(tmp_path, server.tap_settings(mailbox))
        profile_history_id = server.mailbox(mailbox).history_id
    assert run.returncode == 0, run.stderr
    expected = load_messages("gmail", mailbox, 1)
    assert sorted(run.records, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    dates = [int(record["internalDate"]) for record in run.records]
    assert dates == sorted(dates, reverse=True), "records come in Gmail's listing order"
    assert run.bookmark == {
        "mailbox": mailbox,
        "history_id": str(profile_history_id),
        "newest_internal_date": str(max(dates)),
    }
    assert api_calls(server)[:2] == ["profile", "messages"], "the history id is taken before listing"


def test_second_run_asks_only_for_history_and_emits_nothing(tmp_path: Path) -> None:
    with fake_google() as server:
        first = run_tap(tmp_path / "1", server.tap_settings(PRAXIS))
    with fake_google() as server:  # a new server, as lorc starts for every run
        second = run_tap(tmp_path / "2", server.tap_settings(PRAXIS), first.state)
    assert second.returncode == 0, second.stderr
    assert second.records == []
    assert api_calls(server) == ["history"]
    assert second.bookmark == first.bookmark


def test_a_state_saved_for_another_mailbox_starts_a_fresh_backfill(tmp_path: Path) -> None:
    other = next(mailbox for mailbox in known_mailboxes("gmail") if mailbox != PRAXIS)
    with fake_google() as server:
        first = run_tap(tmp_path / "1", server.tap_settings(PRAXIS))
        moved = run_tap(tmp_path / "2", server.tap_settings(other), first.state)
    assert moved.returncode == 0, moved.stderr
    assert sorted(moved.ids) == sorted(record["id"] for record in load_messages("gmail", other, 1))
    assert moved.bookmark["mailbox"] == other
    assert moved.bookmark["history_id"] == str(server.mailbox(other).history_id)


def test_revision_2_emits_exactly_the_changed_messages(tmp_path: Path) -> None:
    states = {}
    with fake_google(revision=1) as server:
        for mailbox in known_mailboxes("gmail"):
            states[mailbox] = run_tap(tmp_path / mailbox / "1", server.tap_settings(mailbox)).state
    with fake_google(revision=2) as server:
        runs = {
            mailbox: run_tap(tmp_path / mailbox / "2", server.tap_settings(mailbox), states[mailbox])
            for mailbox in known_mailboxes("gmail")
        }
    revision_2 = {record["id"]: record for record in load_messages("gmail", PRAXIS, 2)}
    assert runs[PRAXIS].records == [revision_2[message_id] for message_id in sorted(CHANGED_AT_REVISION_2)]
    for mailbox, run in runs.items():
        assert run.returncode == 0, run.stderr
        if mailbox != PRAXIS:
            assert run.records == []
    assert set(api_calls(server)) == {"history", "get"}
    assert sorted(got_ids(server)) == sorted(CHANGED_AT_REVISION_2)
    assert runs[PRAXIS].bookmark["history_id"] == str(server.mailbox(PRAXIS).history_id)


def run_in_chunks(tmp_path: Path, server: FakeGoogle, mailbox: str, limit: int, **settings: object) -> list[list[str]]:
    """Run the tap with ``max_messages_per_run`` until a run emits fewer (lorc's loop)."""
    state = None
    chunks: list[list[str]] = []
    while len(chunks) < 50:
        run = run_tap(
            tmp_path / str(len(chunks)),
            {**server.tap_settings(mailbox), "max_messages_per_run": limit, **settings},
            state,
        )
        assert run.returncode == 0, run.stderr
        chunks.append(run.ids)
        if state is not None:
            assert run.states[0] == state, "a run starts from the state it was given"
        state = run.state
        if len(run.records) < limit:
            return chunks
    raise AssertionError("the chunks never ended")


def test_chunked_backfill_resumes_without_refetching(tmp_path: Path) -> None:
    with fake_google(synthetic=(130, 0)) as server:
        chunks = run_in_chunks(tmp_path, server, SYNTHETIC, limit=25, concurrency=4)
        every_id = [entry.id for entry in server.mailbox(SYNTHETIC).entries]
    emitted = [message_id for chunk in chunks for message_id in chunk]
    assert [len(chunk) for chunk in chunks] == [25, 25, 25, 25, 25, 5]
    assert emitted == every_id, "each message once, newest first"
    assert sorted(got_ids(server)) == sorted(every_id), "no message is fetched twice"


def test_chunks_that_end_inside_one_second_do_not_refetch(tmp_path: Path) -> None:
    with fake_google() as server:
        box = server.mailbox(PRAXIS)
        chunks = run_in_chunks(tmp_path, server, PRAXIS, limit=1)
    assert [message_id for chunk in chunks for message_id in chunk] == [entry.id for entry in box.entries]
    assert sorted(got_ids(server)) == sorted(entry.id for entry in box.entries)


def test_a_chunked_backfill_over_an_unsorted_listing_gets_every_message_once(tmp_path: Path) -> None:
    """Google does not document messages.list as strictly newest first: chunks resume from
    the listing's page token and the ids of the current page not yet fetched, not from a date."""
    with fake_google(synthetic=(1100, 0)) as server:
        server.unsorted_listing = True
        chunks = run_in_chunks(tmp_path, server, SYNTHETIC, limit=300, quota_units_per_second=100_000)
        every_id = [entry.id for entry in server.mailbox(SYNTHETIC).entries]
    emitted = [message_id for chunk in chunks for message_id in chunk]
    assert [len(chunk) for chunk in chunks] == [300, 300, 300, 200]
    assert sorted(emitted) == sorted(every_id), "each message once"
    assert sorted(got_ids(server)) == sorted(every_id), "no message is fetched twice"
    listings = server.requests_to(r"/messages$")
    assert [("pageToken" in call.query, call.query.get("q")) for call in listings] == [
        (False, None),
        (True, None),
        (True, None),
    ], "three pages of one listing, resumed by page token"


def test_an_expired_page_token_falls_back_to_a_date_query_with_a_days_overlap(tmp_path: Path) -> None:
    with fake_google(synthetic=(1100, 0)) as server:
        server.unsorted_listing = True
        server.expire_page_tokens = True
        chunks = run_in_chunks(tmp_path, server, SYNTHETIC, limit=300, quota_units_per_second=100_000)
        every_id = [entry.id for entry in server.mailbox(SYNTHETIC).entries]
    emitted = [message_id for chunk in chunks for message_id in chunk]
    assert set(emitted) == set(every_id), "refetches are fine (the warehouse dedupes), gaps are not"
    listings = server.requests_to(r"/messages$")
    assert 400 in [call.status for call in listings]
    assert any("before:" in " ".join(call.query.get("q", [])) for call in listings if call.status == 200)


def test_expired_history_id_falls_back_to_a_listing_after_the_newest_mail(tmp_path: Path) -> None:
    with fake_google(revision=1) as server:
        first = run_tap(tmp_path / "1", server.tap_settings(PRAXIS))
    with fake_google(revision=2) as server:
        server.expire_history()
        second = run_tap(tmp_path / "2", server.tap_settings(PRAXIS), first.state)
        history_id = server.mailbox(PRAXIS).history_id
    assert second.returncode == 0, second.stderr
    assert api_calls(server)[:3] == ["history", "profile", "messages"]
    assert server.requests_to(r"/history$")[0].status == 404
    newest = int(first.bookmark["newest_internal_date"]) // 1000
    assert server.requests_to(r"/messages$")[0].query["q"] == [f"after:{newest - 86_400}"]
    revision_2 = {record["id"]: record for record in load_messages("gmail", PRAXIS, 2)}
    recent = [record for record in revision_2.values() if int(record["internalDate"]) >= (newest - 86_400) * 1000]
    assert sorted(run_id for run_id in second.ids) == sorted(record["id"] for record in recent)
    assert set(second.ids) >= CHANGED_AT_REVISION_2
    assert all(record == revision_2[record["id"]] for record in second.records)
    assert second.bookmark["history_id"] == str(history_id)
    assert "backfill" not in second.bookmark
    with fake_google(revision=2) as server:
        server.expire_history()
        third = run_tap(tmp_path / "3", server.tap_settings(PRAXIS), second.state)
    assert third.returncode == 0, third.stderr
    assert (third.records, api_calls(server)) == ([], ["history"])


def test_start_date_limits_the_first_listing(tmp_path: Path) -> None:
    with fake_google() as server:
        run = run_tap(tmp_path, {**server.tap_settings(PRAXIS), "start_date": "2026-11-12"})
    assert run.returncode == 0, run.stderr
    start_ms = 1_794_441_600_000  # 2026-11-12T00:00:00Z
    assert server.requests_to(r"/messages$")[0].query["q"] == [f"after:{start_ms // 1000}"]
    expected = [record["id"] for record in load_messages("gmail", PRAXIS, 1) if int(record["internalDate"]) >= start_ms]
    assert sorted(run.ids) == sorted(expected)
    assert 0 < len(expected) < 10


def test_429_with_retry_after_and_500_are_retried(tmp_path: Path) -> None:
    with fake_google() as server:
        server.inject(Fault(r"/messages/", status=429, retry_after="1", times=3))
        server.inject(Fault(r"/messages$", status=500, times=1))
        server.inject(Fault(r"/history$", status=503, retry_after="1", times=1))
        run = run_tap(tmp_path, server.tap_settings(PRAXIS))
    assert run.returncode == 0, run.stderr
    assert sorted(run.ids) == sorted(record["id"] for record in load_messages("gmail", PRAXIS, 1))
    statuses = [request.status for request in server.requests]
    assert (statuses.count(429), statuses.count(500), statuses.count(503)) == (3, 1, 1)


def test_403_rate_limits_are_retried_like_429(tmp_path: Path) -> None:
    with fake_google() as server:
        for path, reason, times in (
            (r"/messages/", "userRateLimitExceeded", 3),
            (r"/messages$", "rateLimitExceeded", 1),
        ):
            body = api_error(403, "PERMISSION_DENIED", "Rate Limit Exceeded", reason).body
            server.inject(Fault(path, status=403, retry_after="1", times=times, body=body))
        run = run_tap(tmp_path, server.tap_settings(PRAXIS))
    assert run.returncode == 0, run.stderr
    assert sorted(run.ids) == sorted(record["id"] for record in load_messages("gmail", PRAXIS, 1))
    assert [request.status for request in server.requests].count(403) == 4


def test_the_fakes_per_user_quota_answers_429_and_the_tap_still_finishes(tmp_path: Path) -> None:
    with fake_google(synthetic=(80, 0)) as server:
        server.quota_units_per_second = 100  # the tap is told 1000: it overruns and meets 429s
        run = run_tap(tmp_path, {**server.tap_settings(SYNTHETIC), "quota_units_per_second": 1000})
        every_id = [entry.id for entry in server.mailbox(SYNTHETIC).entries]
    assert run.returncode == 0, run.stderr
    assert run.ids == every_id
    assert any(request.status == 429 for request in server.requests)


def test_an_expired_access_token_is_refreshed(tmp_path: Path) -> None:
    with fake_google(synthetic=(40, 0), latency=0.02) as server:
        server.access_token_ttl = 0.3  # the token endpoint still says 3599 s
        run = run_tap(tmp_path, {**server.tap_settings(SYNTHETIC), "concurrency": 2})
        every_id = [entry.id for entry in server.mailbox(SYNTHETIC).entries]
    assert run.returncode == 0, run.stderr
    assert run.ids == every_id
    assert any(request.status == 401 for request in server.requests)
    assert len(server.requests_to(r"^/token$")) > 1


@pytest.mark.parametrize("refusal", ["revoked", "wrong_secret"])
def test_refused_credentials_fail_with_the_marker_and_no_secret(tmp_path: Path, refusal: str) -> None:
    with fake_google() as server:
        settings = server.tap_settings(PRAXIS)
        if refusal == "revoked":
            server.revoked.add(PRAXIS)
        else:
            settings["client_secret"] = "not-the-secret"
        run = run_tap(tmp_path, settings)
    assert run.returncode != 0
    assert AUTH_REFUSED_MARKER in run.stderr
    for secret in (settings["refresh_token"], settings["client_secret"]):
        assert secret not in run.stderr
    assert run.records == []
    assert api_calls(server) == []


def test_malformed_and_deleted_messages_do_not_stop_the_run(tmp_path: Path) -> None:
    """Through the real target-jsonl: every object the API answered lands in the JSONL, the
    malformed ones too (lorc rejects them with a reason), and the run exits 0."""
    records = load_messages("gmail", PRAXIS, 1)
    without_id, wrong_types, not_an_object, deleted = (records[i]["id"] for i in (2, 3, 4, 6))
    with fake_google() as server:
        server.malformed[without_id] = {"threadId": records[2]["threadId"], "snippet": "Therapieplatz"}
        server.malformed[wrong_types] = {
            **records[3],
            "labelIds": "INBOX",
            "sizeEstimate": "Therapieplatz",
            "payload": ["Therapieplatz"],
            "snippet": {"text": "Therapieplatz"},
            "historyId": 7,
        }
        server.malformed[not_an_object] = ["Therapieplatz"]
        server.deleted.add(deleted)
        run = pipe_into_target_jsonl(tap_command(tmp_path, server.tap_settings(PRAXIS)), tmp_path, env=tap_env())
    assert (run.tap_returncode, run.target_returncode) == (0, 0), run.stderr
    expected = [
        server.malformed.get(record["id"], record)
        for record in records
        if record["id"] not in (without_id, not_an_object, deleted)
    ]
    assert sorted((r for r in run.records if "id" in r), key=lambda r: r["id"]) == sorted(
        expected, key=lambda r: r["id"]
    )
    assert [r for r in run.records if "id" not in r] == [server.malformed[without_id]]
    assert not_an_object in run.stderr, "the skipped id is named"
    assert "Therapieplatz" not in run.stderr, "content never reaches the log"


def test_tls_with_the_configured_ca_bundle(tmp_path: Path) -> None:
    with fake_google(tls=True) as server:
        settings = server.tap_settings(PRAXIS)
        run = run_tap(tmp_path, settings)
    assert settings["ca_bundle"] and settings["api_url"].startswith("https://")
    assert run.returncode == 0, run.stderr
    assert sorted(run.ids) == sorted(record["id"] for record in load_messages("gmail", PRAXIS, 1))
