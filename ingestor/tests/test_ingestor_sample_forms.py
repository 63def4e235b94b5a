"""tap-sample-forms through the real `meltano run` (extractions shared via conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestor import ExtractionError, extract_to_jsonl, iter_jsonl_records
from ingestor_practice_support import TIMEOUT, Extraction, practice_fixture, same

INTAKE = "15mqM0JpWRqw462xOwsU3Pa2tE0B41jGlJs7KlhGsnfb"
FOLLOWUP = "1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956"
EDITED = "ACYDBNZWSJADETUPPKTaB-wUktjVK2eNUkgr0w6dE0VKN8Ff-llM7xIO"  # CLIENTS.md "Revision 2"


def test_both_streams_are_extracted_with_the_fixture_counts(forms_rev1: Extraction) -> None:
    assert sorted(forms_rev1.paths) == ["form_responses", "forms"]
    assert len(forms_rev1.records("forms")) == 2
    assert len(forms_rev1.records("form_responses")) == 88
    log = forms_rev1.log.read_text(encoding="utf-8")
    assert "not found in catalog schema" not in log
    assert "Block run completed" in log


def test_records_equal_the_fixtures(forms_rev1: Extraction) -> None:
    document = practice_fixture("forms")
    assert same(forms_rev1.records("forms"), document["forms"])
    assert same(forms_rev1.records("form_responses"), document["responses"])


def test_grids_survive_with_their_rows_and_columns(forms_rev1: Extraction) -> None:
    forms = {f["formId"]: f for f in forms_rev1.records("forms")}
    assert set(forms) == {INTAKE, FOLLOWUP}
    for form_id, shuffled in ((INTAKE, False), (FOLLOWUP, True)):
        grids = [i for i in forms[form_id]["items"] if "questionGroupItem" in i]
        assert [g["title"] for g in grids] == ["PHQ-9", "GAD-7"]
        for grid, rows in zip(grids, (9, 7), strict=True):
            group = grid["questionGroupItem"]
            assert len(group["questions"]) == rows
            assert all(len(q["questionId"]) == 8 and q["rowQuestion"]["title"] for q in group["questions"])
            assert group["grid"]["shuffleQuestions"] is shuffled
            assert len(group["grid"]["columns"]["options"]) == 4
    intake_items = forms[INTAKE]["items"]
    assert {"itemId": intake_items[3]["itemId"], "title": "Fragebögen", "pageBreakItem": {}} in intake_items
    assert forms[FOLLOWUP]["linkedSheetId"] and "linkedSheetId" not in forms[INTAKE]


def test_unanswered_questions_are_absent_not_null(forms_rev1: Extraction) -> None:
    responses = forms_rev1.records("form_responses")
    sizes = {len(r["answers"]) for r in responses if r["formId"] == FOLLOWUP}
    assert max(sizes) == 16 and min(sizes) < 16
    for response in responses:
        for question_id, answer in response["answers"].items():
            assert answer["questionId"] == question_id
            assert isinstance(answer["textAnswers"]["answers"][0]["value"], str)


def test_revision_2_re_delivers_exactly_the_edited_response(forms_rev1: Extraction, forms_rev2: Extraction) -> None:
    assert same(forms_rev2.records("forms"), forms_rev1.records("forms"))
    old_all, new_all = forms_rev1.records("form_responses"), forms_rev2.records("form_responses")
    assert [r["responseId"] for r in old_all] == [r["responseId"] for r in new_all]
    changed = [(o, n) for o, n in zip(old_all, new_all, strict=True) if o != n]
    assert len(changed) == 1
    old, new = changed[0]
    assert new["responseId"] == EDITED
    assert {k for k in old if old[k] != new[k]} == {"lastSubmittedTime", "answers"}
    assert new["lastSubmittedTime"] == "2026-10-07T07:24:18.647315Z" > old["lastSubmittedTime"]
    assert new["createTime"] == old["createTime"]
    question_ids = {q for q in old["answers"] if old["answers"][q] != new["answers"][q]}
    assert question_ids == {"ab5f3c05"}  # follow-up PHQ-9 item 3
    values = [r["answers"]["ab5f3c05"]["textAnswers"]["answers"][0]["value"] for r in (old, new)]
    assert values == ["Several days", "More than half the days"]


def test_form_id_selects_one_form_and_its_responses(practice_home: Path) -> None:
    paths = extract_to_jsonl(
        "tap-sample-forms",
        "followup-only",
        work_dir=practice_home,
        env={"TAP_SAMPLE_FORMS_FORM_ID": FOLLOWUP},
        timeout=TIMEOUT,
    )
    assert [f["formId"] for f in iter_jsonl_records(paths["forms"])] == [FOLLOWUP]
    responses = list(iter_jsonl_records(paths["form_responses"]))
    assert len(responses) == 74 and {r["formId"] for r in responses} == {FOLLOWUP}


def test_count_gives_that_many_synthetic_responses_with_valid_answers(practice_home: Path) -> None:
    paths = extract_to_jsonl(
        "tap-sample-forms", "bench", work_dir=practice_home, env={"TAP_SAMPLE_FORMS_COUNT": "300"}, timeout=TIMEOUT
    )
    forms = {f["formId"]: f for f in iter_jsonl_records(paths["forms"])}
    responses = list(iter_jsonl_records(paths["form_responses"]))
    assert len(responses) == 300 and len({r["responseId"] for r in responses}) == 300
    assert {r["formId"] for r in responses} == {INTAKE, FOLLOWUP}
    window = (datetime(2026, 9, 14, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
    for response in responses:
        options = {}
        for item in forms[response["formId"]]["items"]:
            if "questionGroupItem" in item:
                texts = {o["value"] for o in item["questionGroupItem"]["grid"]["columns"]["options"]}
                options.update({q["questionId"]: texts for q in item["questionGroupItem"]["questions"]})
        assert all(
            response["answers"][q]["textAnswers"]["answers"][0]["value"] in texts for q, texts in options.items()
        )
        assert window[0] <= datetime.fromisoformat(response["lastSubmittedTime"]) < window[1]


def test_an_unknown_form_id_fails_the_run(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExtractionError, match="exit code 1") as caught:
        extract_to_jsonl(
            "tap-sample-forms",
            "bad",
            work_dir=tmp_path,
            env={"TAP_SAMPLE_FORMS_FORM_ID": "1NoSuchForm"},
            timeout=TIMEOUT,
        )
    assert "UnknownFormError" in caught.value.log_path.read_text(encoding="utf-8")
    assert capfd.readouterr() == ("", "")
