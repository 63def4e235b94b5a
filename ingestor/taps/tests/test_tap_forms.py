"""``tap-lorc-forms`` end to end: the real executable against the fake Google Forms API on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from tap_process import TapRun, run_tap_process
from tap_process import tap_command as process_command
from target_pipe import pipe_into_target_jsonl

from ingestor.fake_apis import Fault
from ingestor.fake_apis.google import (
    CLIENT_SECRET,
    PRACTICE_ACCOUNT,
    FakeGoogle,
    fake_google,
    refresh_token_for,
)
from ingestor.fake_apis.google_oauth import SHEETS_SCOPE
from lorc_taps.http import AUTH_REFUSED_MARKER, SETTING_MARKER
from sample_taps import practice

INTAKE, FOLLOWUP = practice.form_ids()
RESPONSES = r"^/v1/forms/[^/]+/responses$"
MARIE_EDITED = "ACYDBNZWSJADETUPPKTaB-wUktjVK2eNUkgr0w6dE0VKN8Ff-llM7xIO"


def tap_command(
    fake: FakeGoogle, form_id: str, work: Path, state: dict[str, Any] | None = None, **settings: Any
) -> list[str]:
    return process_command("tap-lorc-forms", work, {**fake.forms_settings(), "form_id": form_id, **settings}, state)


def run_tap(fake: FakeGoogle, form_id: str, work: Path, state: dict[str, Any] | None = None, **settings: Any) -> TapRun:
    return run_tap_process(tap_command(fake, form_id, work, state, **settings), timeout=120)


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["responseId"]: record for record in records}


def bookmark(run: TapRun) -> dict[str, Any]:
    assert run.state is not None, "the tap wrote no STATE"
    return run.state["bookmarks"]["form_responses"]


def newest(records: list[dict[str, Any]]) -> str:
    return max(records, key=lambda r: datetime.fromisoformat(r["lastSubmittedTime"]))["lastSubmittedTime"]


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with fake_google() as server:
        yield server


def test_first_run_emits_both_definitions_and_all_88_responses(fake: FakeGoogle, tmp_path: Path) -> None:
    responses = []
    for form_id in (INTAKE, FOLLOWUP):
        run = run_tap(fake, form_id, tmp_path / form_id)
        assert run.returncode == 0, run.stderr
        assert run.of("forms") == practice.forms(form_id)
        assert by_id(run.of("form_responses")) == by_id(practice.form_responses(1, form_id))
        assert bookmark(run) == {"form_id": form_id, "lastSubmittedTime": newest(run.of("form_responses"))}
        responses += run.of("form_responses")
    assert len(responses) == len(by_id(responses)) == 88
    assert all("filter" not in call.query for call in fake.requests_to(RESPONSES)), "a first run reads all"


def test_through_target_jsonl_the_records_land_as_the_api_sent_them(fake: FakeGoogle, tmp_path: Path) -> None:
    run = pipe_into_target_jsonl(tap_command(fake, FOLLOWUP, tmp_path), tmp_path, stream="form_responses")
    assert (run.tap_returncode, run.target_returncode) == (0, 0), run.stderr
    assert by_id(run.records) == by_id(practice.form_responses(1, FOLLOWUP))
    forms_jsonl = (tmp_path / "jsonl" / "forms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in forms_jsonl] == practice.forms(FOLLOWUP)


def test_a_second_run_asks_after_the_newest_submission_and_emits_nothing(fake: FakeGoogle, tmp_path: Path) -> None:
    first = run_tap(fake, FOLLOWUP, tmp_path)
    newest_submission = newest(practice.form_responses(1, FOLLOWUP))
    with fake_google() as later:  # a new server, as lorc starts one per run
        second = run_tap(later, FOLLOWUP, tmp_path, state=first.state)
        calls = later.requests_to(RESPONSES)
    assert second.returncode == 0, second.stderr
    assert second.of("form_responses") == []
    assert [call.query["filter"] for call in calls] == [[f"timestamp > {newest_submission}"]]
    assert bookmark(second) == bookmark(first)


def test_revision_2_emits_exactly_the_edited_response_with_its_id(fake: FakeGoogle, tmp_path: Path) -> None:
    first = run_tap(fake, FOLLOWUP, tmp_path)
    with fake_google(revision=2) as later:
        second = run_tap(later, FOLLOWUP, tmp_path, state=first.state)
    assert second.returncode == 0, second.stderr
    edited = by_id(practice.form_responses(2, FOLLOWUP))[MARIE_EDITED]
    assert second.of("form_responses") == [edited]
    assert edited != by_id(practice.form_responses(1, FOLLOWUP))[MARIE_EDITED]


def test_the_bookmark_is_the_latest_instant_not_the_largest_string(fake: FakeGoogle, tmp_path: Path) -> None:
    """``…00Z`` sorts after ``…00.5Z`` as a string, but is half a second earlier."""
    template = practice.form_responses(1, FOLLOWUP)[0]
    fake.extra_responses[FOLLOWUP] = [
        {**template, "responseId": "ACYDBN-late-by-half-a-second", "lastSubmittedTime": "2026-11-20T10:00:00.5Z"},
        {**template, "responseId": "ACYDBN-whole-second", "lastSubmittedTime": "2026-11-20T10:00:00Z"},
    ]
    run = run_tap(fake, FOLLOWUP, tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(run.of("form_responses")) == 76
    assert bookmark(run)["lastSubmittedTime"] == "2026-11-20T10:00:00.5Z"


def test_responses_are_paged_across_next_page_tokens(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, FOLLOWUP, tmp_path, page_size=7)
    assert run.returncode == 0, run.stderr
    assert by_id(run.of("form_responses")) == by_id(practice.form_responses(1, FOLLOWUP))
    calls = fake.requests_to(RESPONSES)
    assert len(calls) == 11  # 74 responses, 7 a page
    assert all(call.query["pageSize"] == ["7"] for call in calls)
    assert "pageToken" not in calls[0].query and all("pageToken" in call.query for call in calls[1:])


def test_start_date_limits_the_first_run(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, FOLLOWUP, tmp_path, start_date="2026-11-01")
    assert run.returncode == 0, run.stderr
    wanted = [r for r in practice.form_responses(1, FOLLOWUP) if r["lastSubmittedTime"] >= "2026-11-01"]
    assert 0 < len(wanted) < 74
    assert by_id(run.of("form_responses")) == by_id(wanted)
    assert [call.query["filter"] for call in fake.requests_to(RESPONSES)] == [["timestamp >= 2026-11-01T00:00:00Z"]]


def test_a_state_saved_for_another_form_reads_this_form_from_the_start(fake: FakeGoogle, tmp_path: Path) -> None:
    intake = run_tap(fake, INTAKE, tmp_path)
    moved = run_tap(fake, FOLLOWUP, tmp_path, state=intake.state)
    assert moved.returncode == 0, moved.stderr
    assert len(moved.of("form_responses")) == 74
    assert bookmark(moved)["form_id"] == FOLLOWUP


def test_429_with_retry_after_is_honoured(fake: FakeGoogle, tmp_path: Path) -> None:
    fake.inject(Fault(path=RESPONSES, status=429, retry_after="1"))
    run = run_tap(fake, FOLLOWUP, tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(run.of("form_responses")) == 74
    calls = fake.requests_to(RESPONSES)
    assert [call.status for call in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0, "waited for Retry-After"


def test_an_expired_access_token_is_refreshed_once(fake: FakeGoogle, tmp_path: Path) -> None:
    fake.access_token_ttl = 0.3  # the token endpoint still says 3599 s
    fake.latency = 0.2
    run = run_tap(fake, FOLLOWUP, tmp_path, page_size=20)
    assert run.returncode == 0, run.stderr
    assert by_id(run.of("form_responses")) == by_id(practice.form_responses(1, FOLLOWUP))
    statuses = [call.status for call in fake.requests_to(r"^/v1/forms/")]
    assert 401 in statuses
    assert all(after == 200 for before, after in pairwise(statuses) if before == 401)
    assert len(fake.requests_to(r"^/token$")) == 1 + statuses.count(401)


def test_a_revoked_refresh_token_fails_with_the_marker_and_no_secret(fake: FakeGoogle, tmp_path: Path) -> None:
    fake.revoked.add(PRACTICE_ACCOUNT)
    settings = fake.forms_settings()
    run = run_tap(fake, FOLLOWUP, tmp_path)
    assert run.returncode != 0
    assert AUTH_REFUSED_MARKER in run.stderr and "invalid_grant" in run.stderr
    assert settings["refresh_token"] not in run.stderr and CLIENT_SECRET not in run.stderr
    assert run.records == []


def test_an_unknown_form_id_names_the_setting(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, "1NoSuchFormAtAll", tmp_path)
    assert run.returncode != 0
    assert f"{SETTING_MARKER}: form_id: no form '1NoSuchFormAtAll'" in run.stderr
    assert "HTTP 404" in run.stderr
    assert run.records == []


def test_a_sign_in_without_the_forms_scopes_is_a_clear_error(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, FOLLOWUP, tmp_path, refresh_token=refresh_token_for(PRACTICE_ACCOUNT, [SHEETS_SCOPE]))
    assert run.returncode != 0
    assert [call.status for call in fake.requests_to(r"^/v1/forms/")] == [403]
    assert AUTH_REFUSED_MARKER in run.stderr
    assert "does not grant the forms scope(s)" in run.stderr and "forms.responses.readonly" in run.stderr
    assert "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in run.stderr


def test_an_api_not_enabled_in_the_cloud_project_is_not_a_wrong_form_id(fake: FakeGoogle, tmp_path: Path) -> None:
    disabled = {
        "error": {
            "code": 403,
            "message": "Google Forms API has not been used in project 1 before or it is disabled.",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                }
            ],
        }
    }
    fake.inject(Fault(path=r"^/v1/forms/", status=403, times=5, body=disabled))
    run = run_tap(fake, FOLLOWUP, tmp_path)
    assert run.returncode != 0
    assert "HTTP 403 from" in run.stderr and "(SERVICE_DISABLED)" in run.stderr
    assert SETTING_MARKER not in run.stderr
