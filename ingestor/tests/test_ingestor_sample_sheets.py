"""tap-sample-sheets through the real `meltano run`: the follow-up form's linked Sheet,
consistent with the Forms API responses (extractions shared via conftest.py)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from ingestor_practice_support import Extraction, practice_fixture, same

STREAM = "Formularantworten_1"
FOLLOWUP = "1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956"
BERLIN = ZoneInfo("Europe/Berlin")


def test_one_stream_named_after_the_tab_with_the_fixture_rows(sheets_rev1: Extraction) -> None:
    assert list(sheets_rev1.paths) == [STREAM]
    rows = sheets_rev1.records(STREAM)
    assert len(rows) == 74
    assert same(rows, practice_fixture("sheets")["records"])
    assert "not found in catalog schema" not in sheets_rev1.log.read_text(encoding="utf-8")


def test_keys_are_the_header_row_with_whitespace_runs_as_underscores(sheets_rev1: Extraction) -> None:
    header = practice_fixture("sheets")["header"]
    keys = [re.sub(r"\s+", "_", h.strip()) for h in header]
    assert keys[:3] == ["Zeitstempel", "E-Mail-Adresse", "PHQ-9_[Little_interest_or_pleasure_in_doing_things]"]
    for row in sheets_rev1.records(STREAM):
        assert list(row) == keys
        assert all(isinstance(v, str) for v in row.values())
        assert re.fullmatch(r"\d\d\.\d\d\.2026 \d\d:\d\d:\d\d", row["Zeitstempel"])
    assert any(v == "" for row in sheets_rev1.records(STREAM) for v in row.values())  # unanswered cells


def test_every_row_is_a_follow_up_response_in_berlin_time(sheets_rev1: Extraction, forms_rev1: Extraction) -> None:
    forms = {f["formId"]: f for f in forms_rev1.records("forms")}
    columns = []  # questionId per answer column, from the form's grid titles and row titles
    for item in forms[FOLLOWUP]["items"]:
        for question in item["questionGroupItem"]["questions"]:
            heading = f"{item['title']} [{question['rowQuestion']['title']}]"
            columns.append((re.sub(r"\s+", "_", heading), question["questionId"]))
    responses = [r for r in forms_rev1.records("form_responses") if r["formId"] == FOLLOWUP]
    responses.sort(key=lambda r: datetime.fromisoformat(r["createTime"]))
    rows = sheets_rev1.records(STREAM)
    assert len(rows) == len(responses)
    for row, response in zip(rows, responses, strict=True):
        submitted = datetime.fromisoformat(response["lastSubmittedTime"]).astimezone(BERLIN)
        assert row["Zeitstempel"] == submitted.strftime("%d.%m.%Y %H:%M:%S")
        assert row["E-Mail-Adresse"] == response["respondentEmail"]
        for key, question_id in columns:
            answer = response["answers"].get(question_id)
            assert row[key] == (answer["textAnswers"]["answers"][0]["value"] if answer else "")


def test_the_dst_day_shows_local_time_without_offset(sheets_rev1: Extraction) -> None:
    stamps = [row["Zeitstempel"] for row in sheets_rev1.records(STREAM)]
    assert any(s.startswith("25.10.2026 17:21:") for s in stamps)  # 16:21Z, CET (CLIENTS.md, Jonas Fuchs #6)
    assert "21.09.2026 18:27:31" in stamps                        # 16:27:31Z, CEST


def test_revision_2_changes_only_the_edited_row(sheets_rev1: Extraction, sheets_rev2: Extraction) -> None:
    old_rows, new_rows = sheets_rev1.records(STREAM), sheets_rev2.records(STREAM)
    changed = [n for n, (o, r) in enumerate(zip(old_rows, new_rows, strict=True), start=2) if o != r]
    assert changed == [17]  # sheet row (the header is row 1)
    old, new = old_rows[15], new_rows[15]
    item3 = "PHQ-9_[Trouble_falling_or_staying_asleep,_or_sleeping_too_much]"
    assert {k for k in old if old[k] != new[k]} == {"Zeitstempel", item3}
    assert new["Zeitstempel"] == "07.10.2026 09:24:18"
    assert (old[item3], new[item3]) == ("Several days", "More than half the days")
