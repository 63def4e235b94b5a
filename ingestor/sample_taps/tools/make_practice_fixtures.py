"""Build the practice fixtures (Google Forms, the linked Sheet, Dataverse) in
``src/sample_taps/fixtures/practice/``. The story and the intended PHQ-9/GAD-7 totals
are documented in ``CLIENTS.md``; edit both together, re-run, commit both:

    python ingestor/sample_taps/tools/make_practice_fixtures.py          # rewrite the JSON files
    python ingestor/sample_taps/tools/make_practice_fixtures.py --check  # exit 1 if they differ

Everything is invented. All responses lie in 2026-09-14 .. 2026-11-15, Europe/Berlin
daytime (CEST = UTC+2 until Sun 2026-10-25 03:00, CET = UTC+1 after), stored in UTC.
Standard library only; no dependence on the time-zone database (the offset rule below
is exact for this window).
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fixture_files import FIXTURES_DIR, write_or_check
from practice_answers import Answers, answers_for, parse_token
from practice_dataverse import dataverse
from practice_ids_clock import berlin, from_berlin, hex8, token, z_micros, z_millis
from practice_instruments import (
    DIFFICULTY,
    GAD_ITEMS,
    GAD_STEM,
    OPTIONS,
    OPTIONS_OVER_HALF,
    PHQ_10,
    PHQ_ITEMS,
    PHQ_STEM,
    score,
)
from practice_story import CLIENTS, EDITED, WINDOW, Client

OUT = FIXTURES_DIR / "practice"

# --- Google Forms ---------------------------------------------------------------------------


@dataclass
class Form:
    key: str
    form_id: str
    title: str
    document_title: str
    description: str
    revision_id: str
    intake: bool
    shuffle: bool
    linked_sheet_id: str | None

    def qid(self, label: str) -> str:
        return hex8(self.key, "question", label)

    def item_id(self, label: str) -> str:
        return hex8(self.key, "item", label)


def form_id(key: str) -> str:
    return "1" + token("form", key, length=43).replace("-", "x").replace("_", "Q")


SHEET_ID = "1" + token("sheet", "followup", length=43).replace("-", "k").replace("_", "Z")
INTAKE = Form(
    "intake",
    form_id("intake"),
    "Aufnahmebogen Praxis Dr. Weber",
    "Aufnahmebogen (PHQ-9, GAD-7)",
    "Bitte füllen Sie diesen Bogen vor Ihrem Erstgespräch aus.",
    "00000027",
    True,
    False,
    None,
)
FOLLOWUP = Form(
    "followup",
    form_id("followup"),
    "Wöchentlicher Verlaufsbogen",
    "Verlaufsbogen PHQ-9 / GAD-7",
    "Bitte einmal pro Woche ausfüllen.",
    "00000014",
    False,
    True,
    SHEET_ID,
)
FORMS = [INTAKE, FOLLOWUP]
TEXT_QUESTIONS = [("name", "Vor- und Nachname", True), ("email", "E-Mail", True), ("phone", "Telefonnummer", False)]


def grid_item(form: Form, instrument: str, stem: str, rows: list[str], options: list[str]) -> dict[str, Any]:
    return {
        "itemId": form.item_id(instrument),
        "title": instrument,
        "description": stem,
        "questionGroupItem": {
            "questions": [
                {"questionId": form.qid(f"{instrument}.{n}"), "required": False, "rowQuestion": {"title": title}}
                for n, title in enumerate(rows, 1)
            ],
            "grid": {
                "columns": {"type": "RADIO", "options": [{"value": o} for o in options]},
                "shuffleQuestions": form.shuffle,
            },
        },
    }


def form_resource(form: Form) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if form.intake:
        for label, title, required in TEXT_QUESTIONS:
            items.append(
                {
                    "itemId": form.item_id(label),
                    "title": title,
                    "questionItem": {
                        "question": {"questionId": form.qid(label), "required": required, "textQuestion": {}}
                    },
                }
            )
        items.append({"itemId": form.item_id("page-2"), "title": "Fragebögen", "pageBreakItem": {}})
    items.append(grid_item(form, "PHQ-9", PHQ_STEM, PHQ_ITEMS, OPTIONS))
    if form.intake:
        items.append(
            {
                "itemId": form.item_id("PHQ-9.10"),
                "title": PHQ_10,
                "questionItem": {
                    "question": {
                        "questionId": form.qid("PHQ-9.10"),
                        "required": False,
                        "choiceQuestion": {"type": "RADIO", "options": [{"value": o} for o in DIFFICULTY]},
                    }
                },
            }
        )
    items.append(grid_item(form, "GAD-7", GAD_STEM, GAD_ITEMS, OPTIONS_OVER_HALF if form.intake else OPTIONS))
    resource: dict[str, Any] = {
        "formId": form.form_id,
        "info": {"title": form.title, "documentTitle": form.document_title, "description": form.description},
        "settings": {"emailCollectionType": "RESPONDER_INPUT"},
        "revisionId": form.revision_id,
        "responderUri": f"https://docs.google.com/forms/d/e/1FAIpQL{token('responder', form.key, length=50)}/viewform",
        "items": items,
    }
    if form.linked_sheet_id:
        resource["linkedSheetId"] = form.linked_sheet_id
    return resource


def answer_texts(form: Form, client: Client, answers: Answers, phq_total: int | None) -> dict[str, str]:
    """questionId -> answer text (unanswered questions are left out)."""
    texts: dict[str, str] = {}
    if form.intake:
        texts[form.qid("name")] = client.name
        texts[form.qid("email")] = client.forms_email
        if client.phone_answered:
            texts[form.qid("phone")] = client.mobile or client.telephone or ""
    for n, value in enumerate(answers.phq, 1):
        if value is not None:
            texts[form.qid(f"PHQ-9.{n}")] = answers.phq_raw.get(n - 1) or OPTIONS[value]
    if form.intake and client.difficulty_answered:
        level = 0 if not phq_total else 1 if phq_total < 10 else 2 if phq_total < 20 else 3
        texts[form.qid("PHQ-9.10")] = DIFFICULTY[level]
    options = OPTIONS_OVER_HALF if form.intake else OPTIONS
    for n, value in enumerate(answers.gad, 1):
        if value is not None:
            texts[form.qid(f"GAD-7.{n}")] = answers.gad_raw.get(n - 1) or options[value]
    return texts


def response_record(
    form: Form, client: Client, created: datetime, submitted: datetime, texts: dict[str, str], index: int
) -> dict[str, Any]:
    return {
        "formId": form.form_id,
        "responseId": "ACYDBN" + token("response", client.key, index, length=50),
        "createTime": z_millis(created),
        "lastSubmittedTime": z_micros(submitted),
        "respondentEmail": client.forms_email,
        "answers": {
            qid: {"questionId": qid, "textAnswers": {"answers": [{"value": texts[qid]}]}}
            for qid in sorted(texts)  # opaque order, neither item nor shuffle order
        },
    }


@dataclass
class Measurement:
    client: Client
    index: int
    form: Form
    record: dict[str, Any]
    edited: dict[str, Any] | None


def measurements() -> list[Measurement]:
    found = []
    for client in CLIENTS:
        phq_series, gad_series = client.phq.split(), client.gad.split()
        assert len(phq_series) == len(gad_series), client.key
        y, mo, d, h, mi = client.intake
        first_day = datetime(y, mo, d)
        for index, (phq_text, gad_text) in enumerate(zip(phq_series, gad_series, strict=True)):
            phq, gad = parse_token(phq_text.split("/")[0]), parse_token(gad_text)
            rng = random.Random(f"time:{client.key}:{index}")
            jitter = timedelta(
                minutes=rng.randint(-25, 25) if index else 0,
                seconds=rng.randint(0, 59),
                microseconds=rng.randint(0, 999_999),
            )
            submitted = from_berlin(first_day + timedelta(weeks=index, hours=h, minutes=mi) + jitter)
            created = submitted.replace(microsecond=submitted.microsecond // 1000 * 1000)
            form = INTAKE if index == 0 else FOLLOWUP
            answers = answers_for(client, index, phq, gad)
            check_totals(client, index, answers, phq, gad)
            record = response_record(
                form, client, created, submitted, answer_texts(form, client, answers, phq["total"]), index
            )
            edited = None
            if (client.key, index) == EDITED[:2]:
                _, _, item, value, after = EDITED
                answers.phq[item] = value
                check_totals(client, index, answers, parse_token(phq_text.split("/")[1]), gad)
                edited = response_record(
                    form, client, created, submitted + after, answer_texts(form, client, answers, phq["total"]), index
                )
            found.append(Measurement(client, index, form, record, edited))
    return found


def check_totals(client: Client, index: int, answers: Answers, phq: dict[str, Any], gad: dict[str, Any]) -> None:
    where = (client.key, index)
    total, prorated = score(answers.phq, 9, 2)
    assert (total, prorated) == (phq["total"], phq["prorated"]), (where, answers.phq, total)
    item9 = answers.phq[8]
    assert phq["item9"] == ("?" if item9 is None else "!" if item9 >= 1 else ""), where
    total, prorated = score(answers.gad, 7, 1)
    assert (total, prorated) == (gad["total"], gad["prorated"]), (where, answers.gad, total)


# --- the linked Sheet (Matatika/tap-google-sheets shape) -----------------------------------

SHEET_TITLE = "Wöchentlicher Verlaufsbogen (Antworten)"
SHEET_TAB = "Formularantworten 1"


def sheet_header() -> list[str]:
    return ["Zeitstempel", "E-Mail-Adresse"] + [f"PHQ-9 [{t}]" for t in PHQ_ITEMS] + [f"GAD-7 [{t}]" for t in GAD_ITEMS]


def sheet_key(heading: str) -> str:
    return re.sub(r"\s+", "_", heading.strip())


def sheet_row(record: dict[str, Any]) -> dict[str, str]:
    submitted = datetime.strptime(record["lastSubmittedTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    cells = [berlin(submitted).strftime("%d.%m.%Y %H:%M:%S"), record["respondentEmail"]]
    for instrument, n_items in (("PHQ-9", 9), ("GAD-7", 7)):
        for n in range(1, n_items + 1):
            answer = record["answers"].get(FOLLOWUP.qid(f"{instrument}.{n}"))
            cells.append(answer["textAnswers"]["answers"][0]["value"] if answer else "")
    return {sheet_key(h): v for h, v in zip(sheet_header(), cells, strict=True)}


# --- build, check, write ---------------------------------------------------------------------


def build() -> dict[str, dict[str, Any]]:
    found = measurements()
    by_form = {form.key: [m for m in found if m.form is form] for form in FORMS}
    responses, revision_2 = [], []
    for form in FORMS:
        for m in sorted(by_form[form.key], key=lambda m: m.record["createTime"]):
            responses.append(m.record)
            if m.edited:
                revision_2.append({"replaces": m.record["responseId"], "record": m.edited})
    forms = {
        "source": "google-forms",
        "forms": [form_resource(f) for f in FORMS],
        "responses": responses,
        "revision_2": revision_2,
    }
    followups = [r for r in responses if r["formId"] == FOLLOWUP.form_id]
    sheet_changes = [
        {
            "row": followups.index(next(r for r in followups if r["responseId"] == c["replaces"])) + 2,
            "record": sheet_row(c["record"]),
        }
        for c in revision_2
    ]
    sheets = {
        "source": "google-sheets",
        "spreadsheetId": SHEET_ID,
        "spreadsheetTitle": SHEET_TITLE,
        "tab": SHEET_TAB,
        "stream": sheet_key(SHEET_TAB),
        "header": sheet_header(),
        "records": [sheet_row(r) for r in followups],
        "revision_2": sheet_changes,
    }
    first_response = {m.client.key: parse_z(m.record["lastSubmittedTime"]) for m in found if m.index == 0}
    documents = {"forms.json": forms, "sheets.json": sheets, "dataverse.json": dataverse(first_response)}
    check(documents)
    return documents


def parse_z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check(documents: dict[str, dict[str, Any]]) -> None:
    forms = documents["forms.json"]
    responses = forms["responses"] + [c["record"] for c in forms["revision_2"]]
    for record in responses:
        submitted = parse_z(record["lastSubmittedTime"])
        assert WINDOW[0] <= submitted < WINDOW[1] and 7 <= berlin(submitted).hour <= 21, record["responseId"]
        assert parse_z(record["createTime"]) <= submitted
    ids = [r["responseId"] for r in forms["responses"]]
    assert len(set(ids)) == len(ids)
    question_ids = [hex8(f.key, "question", x) for f in FORMS for x in ("name", "email", "phone", "PHQ-9.10")]
    question_ids += [f.qid(f"{i}.{n}") for f in FORMS for i, k in (("PHQ-9", 9), ("GAD-7", 7)) for n in range(1, k + 1)]
    assert len(set(question_ids)) == len(question_ids)
    texts = [a["textAnswers"]["answers"][0]["value"] for r in forms["responses"] for a in r["answers"].values()]
    for wanted in ("Over half the days", "Manchmal", "  several  DAYS "):
        assert wanted in texts, wanted
    emails = {c.contact_email.strip().lower() for c in CLIENTS if c.contact_email}
    unlinked = {r["respondentEmail"] for r in forms["responses"] if r["respondentEmail"].strip().lower() not in emails}
    assert unlinked == {"lena.schmidt@posteo.de"}, unlinked
    spread_days = {parse_z(r["lastSubmittedTime"]).date() for r in forms["responses"]}
    assert (max(spread_days) - min(spread_days)).days >= 56
    for stream in documents["dataverse.json"]["streams"].values():
        for record in stream:
            for key in ("createdon", "modifiedon"):
                assert WINDOW[0] <= parse_z(record[key]) < WINDOW[1], record
    contacts = documents["dataverse.json"]["streams"]["contact"]
    per_client: dict[str, int] = {}
    for s in documents["dataverse.json"]["streams"]["cr7a2_session"]:
        per_client[s["_cr7a2_contact_value"]] = per_client.get(s["_cr7a2_contact_value"], 0) + 1
    assert sorted(per_client) == sorted(c["contactid"] for c in contacts)
    assert all(1 <= n <= 3 for n in per_client.values())
    assert len(contacts) >= 12


ONE_LINE_LISTS = {"responses", "records"}  # long record lists: one record per line


def render(document: dict[str, Any]) -> str:
    parts = []
    for key, value in document.items():
        if key in ONE_LINE_LISTS:
            lines = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            text = f"[\n{lines}\n ]" if value else "[]"
        else:
            text = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n ")
        parts.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str]) -> int:
    return write_or_check(build(), OUT, render, argv, "tools/make_practice_fixtures.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
