"""The fake Google's sign-in (accounts, scopes), Forms API and Sheets API over real HTTP on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from ingestor.fake_apis.google import (
    CLIENT_ID,
    CLIENT_SECRET,
    PRACTICE_ACCOUNT,
    FakeGoogle,
    fake_google,
)
from ingestor.fake_apis.google_oauth import (
    FORMS_BODY_SCOPE,
    FORMS_RESPONSES_SCOPE,
    GMAIL_SCOPE,
    SHEETS_SCOPE,
    refresh_token_for,
)
from sample_taps import practice

INTAKE, FOLLOWUP = practice.form_ids()
SHEET = practice.sheet_properties()


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with fake_google() as server:
        yield server


def access_token(fake: FakeGoogle, refresh_token: str) -> dict[str, Any]:
    response = requests.post(
        fake.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token,
        },
        timeout=10,
    )
    return {"status": response.status_code, **response.json()}


def get(fake: FakeGoogle, path: str, token: str, **params: Any) -> requests.Response:
    return requests.get(fake.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def practice_token(fake: FakeGoogle, *scopes: str) -> str:
    return access_token(fake, refresh_token_for(PRACTICE_ACCOUNT, scopes))["access_token"]


def consent(fake: FakeGoogle, scope: str) -> requests.Response:
    return requests.get(
        fake.auth_url,
        allow_redirects=False,
        timeout=10,
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": "http://127.0.0.1:9/",
            "response_type": "code",
            "scope": scope,
            "access_type": "offline",
            "login_hint": PRACTICE_ACCOUNT,
        },
    )


def test_consent_grants_exactly_the_scopes_asked_and_each_api_checks_its_own(fake: FakeGoogle) -> None:
    redirect = consent(fake, f"{FORMS_BODY_SCOPE} {FORMS_RESPONSES_SCOPE}")
    assert redirect.status_code == 302
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]
    granted = requests.post(
        fake.token_url,
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9/",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()
    assert granted["scope"].split() == sorted([FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE])
    assert granted["refresh_token"] == refresh_token_for(PRACTICE_ACCOUNT, [FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE])
    token = granted["access_token"]
    assert get(fake, f"/v1/forms/{FOLLOWUP}", token).status_code == 200
    for path in (f"/v4/spreadsheets/{SHEET['spreadsheetId']}", "/gmail/v1/users/me/profile"):
        refused = get(fake, path, token)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["status"] == "PERMISSION_DENIED"
        assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


@pytest.mark.parametrize("scope", ["", "https://www.googleapis.com/auth/drive", f"{SHEETS_SCOPE} openid"])
def test_consent_refuses_an_empty_or_unknown_scope(fake: FakeGoogle, scope: str) -> None:
    response = consent(fake, scope)
    assert (response.status_code, response.content) == (400, b"Error 400: invalid_scope")


def test_a_refresh_token_of_an_unknown_or_revoked_account_is_refused(fake: FakeGoogle) -> None:
    assert access_token(fake, refresh_token_for("nobody@praxis-weber.example", [SHEETS_SCOPE]))["status"] == 400
    wider = refresh_token_for(PRACTICE_ACCOUNT, [SHEETS_SCOPE, GMAIL_SCOPE]).rsplit(".", 1)[0]
    forged = f"{wider}.{refresh_token_for(PRACTICE_ACCOUNT, [SHEETS_SCOPE]).rsplit('.', 1)[1]}"
    assert access_token(fake, forged)["status"] == 400
    fake.revoked.add(PRACTICE_ACCOUNT)
    assert access_token(fake, refresh_token_for(PRACTICE_ACCOUNT, [SHEETS_SCOPE]))["error"] == "invalid_grant"


def test_forms_get_serves_the_story_and_applies_renamed_questions(fake: FakeGoogle) -> None:
    token = practice_token(fake, FORMS_BODY_SCOPE)
    assert get(fake, f"/v1/forms/{INTAKE}", token).json() == practice.forms(INTAKE)[0]
    fake.renamed_questions = {"ab5f3c05": "Sleep problems"}
    rows = [
        row
        for item in get(fake, f"/v1/forms/{FOLLOWUP}", token).json()["items"]
        for row in item.get("questionGroupItem", {}).get("questions", [])
    ]
    assert {row["questionId"]: row["rowQuestion"]["title"] for row in rows}["ab5f3c05"] == "Sleep problems"
    missing = get(fake, "/v1/forms/1NoSuchForm", token)
    assert (missing.status_code, missing.json()["error"]["status"]) == (404, "NOT_FOUND")
    gmail_only = access_token(fake, refresh_token_for(PRACTICE_ACCOUNT, [GMAIL_SCOPE, FORMS_RESPONSES_SCOPE]))
    assert get(fake, f"/v1/forms/{INTAKE}", gmail_only["access_token"]).status_code == 403, "forms.body is needed"


@pytest.mark.parametrize(
    "bad",
    [
        "timestamp > yesterday",
        "timestamp < 2026-10-01T00:00:00Z",
        "respondentEmail = x",
        "timestamp > 2026-10-01T00:00:00",
    ],
)
def test_responses_list_refuses_any_other_filter(fake: FakeGoogle, bad: str) -> None:
    response = get(fake, f"/v1/forms/{FOLLOWUP}/responses", practice_token(fake, FORMS_RESPONSES_SCOPE), filter=bad)
    assert (response.status_code, response.json()["error"]["status"]) == (400, "INVALID_ARGUMENT")


def test_responses_list_filters_on_last_submitted_time_and_pages_in_no_time_order(fake: FakeGoogle) -> None:
    token = practice_token(fake, FORMS_RESPONSES_SCOPE)
    records = practice.form_responses(1, FOLLOWUP)
    boundary = sorted(records, key=lambda r: datetime.fromisoformat(r["lastSubmittedTime"]))[40]["lastSubmittedTime"]
    moment = datetime.fromisoformat(boundary)
    for operator, wanted in ((">", 33), (">=", 34)):
        got, params = [], {"filter": f"timestamp {operator} {boundary}", "pageSize": 10}
        while True:
            page = get(fake, f"/v1/forms/{FOLLOWUP}/responses", token, **params).json()
            got += page.get("responses", [])
            if "nextPageToken" not in page:
                break
            params["pageToken"] = page["nextPageToken"]
        assert len(got) == wanted
        assert all(datetime.fromisoformat(r["lastSubmittedTime"]) >= moment for r in got)
        times = [r["lastSubmittedTime"] for r in got]
        assert times != sorted(times), "Google documents no order; the fake uses none"
    other_filter = get(fake, f"/v1/forms/{FOLLOWUP}/responses", token, pageToken=params["pageToken"])
    assert other_filter.status_code == 400, "a page token belongs to its filter"


def test_at_revision_2_the_filter_finds_the_edited_response_after_every_revision_1_one() -> None:
    newest = max(datetime.fromisoformat(r["lastSubmittedTime"]) for r in practice.form_responses(1))
    with fake_google(revision=2) as fake:
        token = practice_token(fake, FORMS_RESPONSES_SCOPE)
        page = get(
            fake,
            f"/v1/forms/{FOLLOWUP}/responses",
            token,
            filter=f"timestamp > {newest.isoformat().replace('+00:00', 'Z')}",
        ).json()
    edited = [r for r in practice.form_responses(2, FOLLOWUP) if r not in practice.form_responses(1, FOLLOWUP)]
    assert page["responses"] == edited and len(edited) == 1


def values(fake: FakeGoogle, token: str, range_text: str) -> requests.Response:
    return get(fake, f"/v4/spreadsheets/{SHEET['spreadsheetId']}/values/{quote(range_text, safe='')}", token)


def test_sheets_serves_the_tab_with_google_s_trimming_and_the_knobs(fake: FakeGoogle) -> None:
    token = practice_token(fake, SHEETS_SCOPE)
    spreadsheet = get(fake, f"/v4/spreadsheets/{SHEET['spreadsheetId']}", token).json()
    assert spreadsheet["properties"] == {"title": SHEET["title"], "locale": "de_DE", "timeZone": "Europe/Berlin"}
    assert [s["properties"]["title"] for s in spreadsheet["sheets"]] == [SHEET["tab"]]
    grid = values(fake, token, f"'{SHEET['tab']}'!1:5000").json()["values"]
    assert grid[0] == SHEET["header"] and len(grid) == 75
    assert all(row and row[-1] != "" for row in grid), "trailing empty cells are left out"
    fake.sheet_order = "reversed"
    fake.renamed_questions = {"ab5f3c05": "Sleep problems"}
    reordered = values(fake, token, f"'{SHEET['tab']}'!1:5000").json()["values"]
    assert reordered[1:] == grid[1:][::-1]
    assert "PHQ-9 [Sleep problems]" in reordered[0]
    fake.sheet_order, fake.deleted_rows = None, {2}
    assert values(fake, token, f"'{SHEET['tab']}'!2:2").json()["values"] == [grid[2]]
    assert "values" not in values(fake, token, f"'{SHEET['tab']}'!200:300").json()


@pytest.mark.parametrize("range_text", ["'Form Responses 1'!1:10", "Formularantworten!1:10", "'Formularantworten 1"])
def test_an_unknown_tab_is_unable_to_parse_range(fake: FakeGoogle, range_text: str) -> None:
    response = values(fake, practice_token(fake, SHEETS_SCOPE), range_text)
    assert response.status_code == 400
    assert re.match(r"Unable to parse range: ", response.json()["error"]["message"])
