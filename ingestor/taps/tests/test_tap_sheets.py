"""``tap-lorc-sheets`` end to end: the real executable against the fake Google Sheets API on loopback."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from tap_process import TapRun, run_tap_process
from tap_process import tap_command as process_command
from target_pipe import pipe_into_target_jsonl

from ingestor.fake_apis.google import (
    PRACTICE_ACCOUNT,
    FakeGoogle,
    fake_google,
    refresh_token_for,
)
from ingestor.fake_apis.google_oauth import FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE
from lorc_taps.http import AUTH_REFUSED_MARKER, SETTING_MARKER
from sample_taps import practice

SHEET = practice.sheet_properties()
SPREADSHEET_ID, TAB, HEADER = SHEET["spreadsheetId"], SHEET["tab"], SHEET["header"]
VALUES = r"^/v4/spreadsheets/[^/]+/values/"


def tap_command(fake: FakeGoogle, work: Path, **settings: Any) -> list[str]:
    config = {**fake.sheets_settings(), "spreadsheet_id": SPREADSHEET_ID, "sheet": TAB, **settings}
    return process_command("tap-lorc-sheets", work, config)


def run_tap(fake: FakeGoogle, work: Path, **settings: Any) -> TapRun:
    return run_tap_process(tap_command(fake, work, **settings), timeout=120)


def by_row_id(run: TapRun) -> dict[str, str]:
    """Each record as the JSON text the tap wrote, by rowId (byte-identical comparison)."""
    records = run.of("sheet_responses")
    assert len({r["rowId"] for r in records}) == len(records), "rowIds are unique"
    return {record["rowId"]: json.dumps(record, ensure_ascii=False, sort_keys=False) for record in records}


def expected_values(revision: int = 1) -> list[dict[str, str]]:
    """The fixture rows keyed by the header cells exactly (the fixture keys mangle whitespace)."""
    return [
        {
            title: row[re.sub(r"\s+", "_", title.strip())]
            for title in HEADER
            if row[re.sub(r"\s+", "_", title.strip())] != ""
        }
        for row in practice.sheet_rows(revision)
    ]


def row_id(timestamp: str, email: str) -> str:
    return hashlib.sha256(f"{SPREADSHEET_ID}\x1f{TAB}\x1f{timestamp}\x1f{email.strip().lower()}".encode()).hexdigest()[
        :32
    ]


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with fake_google() as server:
        yield server


def test_74_rows_keyed_by_the_header_cells_exactly(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path)
    assert run.returncode == 0, run.stderr
    records = run.of("sheet_responses")
    assert len(records) == 74
    assert [r["values"] for r in records] == expected_values()
    assert set(records[0]["values"]) == set(HEADER), "no `_` mangling, every header cell a key"
    first = records[0]
    assert {key: value for key, value in first.items() if key != "values"} == {
        "rowId": row_id(first["values"]["Zeitstempel"], first["values"]["E-Mail-Adresse"]),
        "spreadsheetId": SPREADSHEET_ID,
        "sheet": TAB,
        "timeZone": "Europe/Berlin",
        "locale": "de_DE",
        "timestampColumn": "Zeitstempel",
        "emailColumn": "E-Mail-Adresse",
    }


def test_through_target_jsonl_the_records_land_unchanged(fake: FakeGoogle, tmp_path: Path) -> None:
    direct = run_tap(fake, tmp_path / "direct")
    piped = pipe_into_target_jsonl(tap_command(fake, tmp_path / "piped"), tmp_path / "piped", stream="sheet_responses")
    assert (piped.tap_returncode, piped.target_returncode) == (0, 0), piped.stderr
    assert piped.records == direct.of("sheet_responses")


@pytest.mark.parametrize("order", ["reversed", lambda cells: (cells[1], cells[0])])
def test_re_sorting_the_sheet_changes_no_record(fake: FakeGoogle, tmp_path: Path, order: Any) -> None:
    before = run_tap(fake, tmp_path / "before")
    fake.sheet_order = order
    after = run_tap(fake, tmp_path / "after")
    assert after.returncode == 0, after.stderr
    assert [r["rowId"] for r in after.of("sheet_responses")] != [r["rowId"] for r in before.of("sheet_responses")]
    assert by_row_id(after) == by_row_id(before)


def test_a_deleted_row_removes_only_its_record(fake: FakeGoogle, tmp_path: Path) -> None:
    before = by_row_id(run_tap(fake, tmp_path / "before"))
    deleted = practice.sheet_rows()[5 - 2]
    fake.deleted_rows = {5}
    after = by_row_id(run_tap(fake, tmp_path / "after"))
    gone = row_id(deleted["Zeitstempel"], deleted["E-Mail-Adresse"])
    assert set(before) - set(after) == {gone}
    assert after == {key: text for key, text in before.items() if key != gone}


def test_rows_are_read_in_blocks(fake: FakeGoogle, tmp_path: Path) -> None:
    whole = run_tap(fake, tmp_path / "whole")
    fake.requests.clear()
    blocks = run_tap(fake, tmp_path / "blocks", block_rows=25)
    assert blocks.returncode == 0, blocks.stderr
    assert by_row_id(blocks) == by_row_id(whole)
    ranges = [unquote(call.path.rsplit("/", 1)[1]) for call in fake.requests_to(VALUES)]
    assert ranges[:4] == [f"'{TAB}'!1:25", f"'{TAB}'!26:50", f"'{TAB}'!51:75", f"'{TAB}'!76:100"]
    assert len(ranges) == 40, "up to the grid's 1000 rows, empty blocks included"


def test_an_empty_block_inside_the_data_does_not_end_the_reading(fake: FakeGoogle, tmp_path: Path) -> None:
    fake.blank_rows = set(range(21, 31))  # rows 21-30 cleared by hand: block 21:30 comes back empty
    run = run_tap(fake, tmp_path, block_rows=10)
    assert run.returncode == 0, run.stderr
    assert len(run.of("sheet_responses")) == 74 - 10
    assert [call.status for call in fake.requests_to(VALUES)][:4] == [200, 200, 200, 200]
    assert [r["values"] for r in run.of("sheet_responses")][-1] == expected_values()[-1]


def test_revision_2_gives_row_17_a_new_timestamp_and_so_a_new_row_id(fake: FakeGoogle, tmp_path: Path) -> None:
    """An edit through the form rewrites the row's timestamp: the edited response is a new rowId."""
    first = by_row_id(run_tap(fake, tmp_path / "1"))
    with fake_google(revision=2) as later:
        second = by_row_id(run_tap(later, tmp_path / "2"))
    old_row, new_row = practice.sheet_rows(1)[17 - 2], practice.sheet_rows(2)[17 - 2]
    old_id = row_id(old_row["Zeitstempel"], old_row["E-Mail-Adresse"])
    new_id = row_id(new_row["Zeitstempel"], new_row["E-Mail-Adresse"])
    assert set(first) - set(second) == {old_id}
    assert set(second) - set(first) == {new_id}
    assert {k: v for k, v in first.items() if k != old_id} == {k: v for k, v in second.items() if k != new_id}
    assert json.loads(second[new_id])["values"]["Zeitstempel"] == "07.10.2026 09:24:18"


def test_an_unknown_tab_names_the_sheet_setting(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path, sheet="Form Responses 1")
    assert run.returncode != 0
    assert f"{SETTING_MARKER}: sheet: spreadsheet '{SPREADSHEET_ID}' has no tab named 'Form Responses 1'" in run.stderr
    assert run.records == []


def test_an_unknown_spreadsheet_names_the_spreadsheet_id_setting(fake: FakeGoogle, tmp_path: Path) -> None:
    run = run_tap(fake, tmp_path, spreadsheet_id="1NoSuchSpreadsheet")
    assert run.returncode != 0
    assert f"{SETTING_MARKER}: spreadsheet_id: no spreadsheet '1NoSuchSpreadsheet'" in run.stderr
    assert "HTTP 404" in run.stderr


def test_a_sign_in_without_the_sheets_scope_is_a_clear_error(fake: FakeGoogle, tmp_path: Path) -> None:
    token = refresh_token_for(PRACTICE_ACCOUNT, [FORMS_BODY_SCOPE, FORMS_RESPONSES_SCOPE])
    run = run_tap(fake, tmp_path, refresh_token=token)
    assert run.returncode != 0
    assert AUTH_REFUSED_MARKER in run.stderr and "spreadsheets.readonly" in run.stderr
    assert token not in run.stderr


def test_a_renamed_question_renames_its_key_and_keeps_the_row_id(fake: FakeGoogle, tmp_path: Path) -> None:
    before = run_tap(fake, tmp_path / "before").of("sheet_responses")
    fake.renamed_questions = {"ab5f3c05": "Sleep problems"}  # PHQ-9 item 3 of the follow-up form
    after = run_tap(fake, tmp_path / "after").of("sheet_responses")
    old_title = "PHQ-9 [Trouble falling or staying asleep, or sleeping too much]"
    assert [r["rowId"] for r in after] == [r["rowId"] for r in before]
    answers = [r["values"].get(old_title) for r in before]
    assert [r["values"].get("PHQ-9 [Sleep problems]") for r in after] == answers
    assert answers.count(None) < len(answers) / 2, "an unanswered cell is left out, most are answered"
    assert all(old_title not in r["values"] for r in after)
