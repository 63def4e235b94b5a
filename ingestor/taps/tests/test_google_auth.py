"""``lorc_taps.google_auth``: one sign-in for Gmail, Forms and Sheets, and the probe that
``lorc connect google`` and ``lorc doctor`` call; the Forms and Sheets plugins in meltano.yml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ingestor.fake_apis.google import (
    PRACTICE_ACCOUNT,
    FakeGoogle,
    fake_google,
    refresh_token_for,
)
from lorc_taps.forms.tap import TapLorcForms
from lorc_taps.google_auth import (
    FORMS_SCOPES,
    GMAIL_SCOPE,
    SHEETS_SCOPE,
    RefreshTokenSource,
    ScopeMissingError,
    apis_of,
    probe,
)
from lorc_taps.http import SETTING_MARKER, AuthorizationError, SettingError
from lorc_taps.sheets.tap import TapLorcSheets
from sample_taps import practice

FOLLOWUP = practice.form_ids()[1]
SHEET = practice.sheet_properties()
MELTANO_YML = Path(__file__).resolve().parents[2] / "src" / "ingestor" / "meltano_project" / "meltano.yml"


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with fake_google(tls=True) as server:
        yield server


def everything(fake: FakeGoogle, scopes: tuple[str, ...]) -> dict[str, str]:
    return {
        **fake.client_settings(PRACTICE_ACCOUNT, scopes),
        "mailbox": PRACTICE_ACCOUNT,
        "form_id": FOLLOWUP,
        "spreadsheet_id": SHEET["spreadsheetId"],
        "sheet": SHEET["tab"],
    }


def test_scopes_name_the_apis_they_cover() -> None:
    assert apis_of([GMAIL_SCOPE, SHEETS_SCOPE]) == ["gmail", "sheets"]
    assert apis_of([FORMS_SCOPES[1]]) == [], "Forms needs both of its scopes"
    assert apis_of([*FORMS_SCOPES, SHEETS_SCOPE]) == ["forms", "sheets"]


def test_probe_makes_one_cheap_call_per_api_the_scopes_cover(fake: FakeGoogle) -> None:
    scopes = (GMAIL_SCOPE, *FORMS_SCOPES, SHEETS_SCOPE)
    probe(everything(fake, scopes), scopes)
    calls = [(call.path, call.status) for call in fake.requests if call.path != "/token"]
    assert calls == [
        (f"/gmail/v1/users/{PRACTICE_ACCOUNT}/profile", 200),
        (f"/v1/forms/{FOLLOWUP}", 200),
        (f"/v1/forms/{FOLLOWUP}/responses", 200),
        (f"/v4/spreadsheets/{SHEET['spreadsheetId']}", 200),
    ]
    assert len(fake.requests_to(r"^/token$")) == 1, "one sign-in covers all three"


def test_the_granted_scopes_are_read_from_the_token_endpoint(fake: FakeGoogle) -> None:
    source = RefreshTokenSource(fake.client_settings(PRACTICE_ACCOUNT, (SHEETS_SCOPE, GMAIL_SCOPE)))
    assert source(False)
    assert source.granted_scopes == {SHEETS_SCOPE, GMAIL_SCOPE}


def test_probe_says_which_scope_the_sign_in_lacks(fake: FakeGoogle) -> None:
    settings = everything(fake, (GMAIL_SCOPE,))
    with pytest.raises(ScopeMissingError, match="does not grant the forms scope") as refused:
        probe(settings, FORMS_SCOPES)
    assert refused.value.scopes == FORMS_SCOPES
    assert isinstance(refused.value, AuthorizationError), "lorc's fix is the same: sign in again"
    assert settings["refresh_token"] not in str(refused.value)


def test_probe_finds_a_consent_that_granted_the_forms_questions_but_not_the_responses(fake: FakeGoogle) -> None:
    body_only = (FORMS_SCOPES[0],)  # Google's consent screen lets the user untick a scope
    with pytest.raises(ScopeMissingError, match="does not grant the forms scope"):
        probe(everything(fake, body_only), FORMS_SCOPES)


@pytest.mark.parametrize(
    ("setting", "value", "scopes"),
    [
        ("form_id", "1NoSuchForm", FORMS_SCOPES),
        ("spreadsheet_id", "1NoSuchSpreadsheet", (SHEETS_SCOPE,)),
        ("sheet", "Form Responses 1", (SHEETS_SCOPE,)),
    ],
)
def test_probe_names_a_wrong_setting(fake: FakeGoogle, setting: str, value: str, scopes: tuple[str, ...]) -> None:
    with pytest.raises(SettingError) as wrong:
        probe({**everything(fake, scopes), setting: value}, scopes)
    assert wrong.value.setting == setting
    assert str(wrong.value).startswith(f"{SETTING_MARKER}: {setting}: ") and "\n" not in str(wrong.value)


def test_probe_refuses_a_revoked_sign_in(fake: FakeGoogle) -> None:
    settings = {
        **everything(fake, (SHEETS_SCOPE,)),
        "refresh_token": refresh_token_for(PRACTICE_ACCOUNT, [SHEETS_SCOPE]),
    }
    fake.revoked.add(PRACTICE_ACCOUNT)
    with pytest.raises(AuthorizationError, match="invalid_grant"):
        probe(settings, (SHEETS_SCOPE,))


@pytest.mark.parametrize("tap", [TapLorcForms, TapLorcSheets])
def test_the_meltano_plugin_declares_every_setting_and_hides_the_secrets(tap: type) -> None:
    plugins = yaml.safe_load(MELTANO_YML.read_text(encoding="utf-8"))["plugins"]["extractors"]
    plugin = next(p for p in plugins if p["name"] == tap.name)
    assert plugin["pip_url"] == "-e ${MELTANO_PROJECT_ROOT}/../../../taps"
    declared = {setting["name"]: setting for setting in plugin["settings"]}
    schema = tap.config_jsonschema["properties"]
    assert set(declared) == set(schema)
    secrets = {name for name, spec in schema.items() if spec.get("secret")}
    assert secrets == {"client_id", "client_secret", "refresh_token"}
    assert all(declared[name].get("sensitive") is True for name in secrets)
    assert "tap-google-sheets" not in {p["name"] for p in plugins}, "ours replaces Matatika's"
