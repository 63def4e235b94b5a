"""The practice fixtures agree with their generator and with CLIENTS.md (no Meltano here;
the extraction tests prove the taps emit exactly these records).

The totals in CLIENTS.md are re-scored from the fixtures' answer texts by the code below,
written from clinical-rules.md §0 independently of the generator, so CLIENTS.md cannot
drift from the data.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingestor_practice_support import SAMPLE_TAPS, practice_fixture

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2026, 9, 14, tzinfo=BERLIN), datetime(2026, 11, 16, tzinfo=BERLIN))

# clinical-rules.md §1, §2 (item texts) and R1, R10 (answer values)
PHQ9 = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    (
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or "
        "restless that you have been moving around a lot more than usual"
    ),
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
GAD7 = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
]
VALUES = {
    "not at all": 0,
    "several days": 1,
    "more than half the days": 2,
    "over half the days": 2,
    "nearly every day": 3,
}
INVALID = "invalid"


# --- scoring, per clinical-rules.md §0 ------------------------------------------------------


def answer_value(text: str | None) -> int | str | None:
    """R10: trim, collapse whitespace, case-fold, match exactly; '' = unanswered."""
    if text is None:
        return None
    normalised = " ".join(text.split()).casefold()
    if normalised == "":
        return None
    return VALUES.get(normalised, INVALID)


@dataclass(frozen=True)
class Score:
    total: int | None  # None: not valid
    prorated: bool


def score(values: list[int | str | None], max_missing: int) -> Score:
    """R1/R5 sum; R6/R8 proration with R7 round half up; R9 invalid."""
    if INVALID in values:
        return Score(None, False)
    answered = [v for v in values if v is not None]
    missing = len(values) - len(answered)
    if missing > max_missing:
        return Score(None, False)
    if missing == 0:
        return Score(sum(answered), False)
    exact = Fraction(sum(answered) * len(values), len(answered))
    return Score(math.floor(exact + Fraction(1, 2)), True)


def item_map(forms: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    """questionId -> (instrument, item number) from forms.get, by grid title and row title."""
    found = {}
    for form in forms:
        for item in form["items"]:
            if "questionGroupItem" not in item:
                continue
            texts = {"PHQ-9": PHQ9, "GAD-7": GAD7}[item["title"]]
            for question in item["questionGroupItem"]["questions"]:
                found[question["questionId"]] = (item["title"], texts.index(question["rowQuestion"]["title"]) + 1)
    return found


def item_values(response: dict[str, Any], items: dict[str, tuple[str, int]], instrument: str, n: int) -> list:
    values: list[int | str | None] = [None] * n
    for question_id, answer in response["answers"].items():
        if items.get(question_id, ("", 0))[0] == instrument:
            values[items[question_id][1] - 1] = answer_value(answer["textAnswers"]["answers"][0]["value"])
    return values


# --- CLIENTS.md -----------------------------------------------------------------------------


def clients_md() -> str:
    return (SAMPLE_TAPS / "CLIENTS.md").read_text(encoding="utf-8")


def md_table(heading: str) -> list[list[str]]:
    section = clients_md().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    rows = [[cell.strip() for cell in line.strip().split("|")[1:-1]] for line in lines]
    return [row for row in rows[1:] if not set(row[0]) <= {"-"}]


def quoted(cell: str) -> str | None:
    return None if cell == "—" else json.loads(cell.strip("`"))


@dataclass
class Row:
    name: str
    contact_email: str | None
    forms_email: str
    therapist: str
    sessions: int
    phq: list[str]
    gad: list[str]


def client_rows() -> list[Row]:
    return [
        Row(r[0], quoted(r[1]), quoted(r[2]), r[3], int(r[4]), r[6].split(), r[7].split())
        for r in md_table("The clients")
    ]


def norm(email: str) -> str:
    return email.strip().lower()


def parse_token(text: str) -> tuple[Score, str]:
    m = re.fullmatch(r"(\d+|x)(p?)([!?]?)", text)
    assert m, text
    return Score(None if m[1] == "x" else int(m[1]), m[2] == "p"), m[3]


def responses_of(email: str, revision: int = 1) -> list[dict[str, Any]]:
    document = practice_fixture("forms")
    records = document["responses"]
    if revision == 2:
        changes = {c["replaces"]: c["record"] for c in document["revision_2"]}
        records = [changes.get(r["responseId"], r) for r in records]
    mine = [r for r in records if r["respondentEmail"] == email]
    return sorted(mine, key=lambda r: datetime.fromisoformat(r["createTime"]))


# --- tests ----------------------------------------------------------------------------------


def test_the_fixtures_are_what_the_generator_writes() -> None:
    done = subprocess.run(
        [sys.executable, str(SAMPLE_TAPS / "tools" / "make_practice_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_scorer_of_this_module_follows_the_rules() -> None:
    assert score([1] * 8 + [None], 2) == Score(9, True)
    assert score([1, 1, 1, 1, 0, 0, 0, 0, None], 2) == Score(5, True)  # 4.5 -> 5, not 4
    assert score([3, 3, 3, 3, 2, 2, 2, 2, None], 2) == Score(23, True)  # 20 x 9/8 = 22.5 -> 23
    assert score([0, 0, 0, 0, 0, 0, None, None, None], 2) == Score(None, False)
    assert score([3, 3, 3, 0, 0, 0, None], 1) == Score(11, True)  # 10.5 -> 11
    assert score([3] * 5 + [None, None], 1) == Score(None, False)
    assert answer_value("  several  DAYS ") == 1 and answer_value("Over half the days") == 2
    assert answer_value("Manchmal") == INVALID and answer_value("") is None


def test_every_client_is_a_contact_with_their_sessions() -> None:
    streams = practice_fixture("dataverse")["streams"]
    contacts = streams["contact"]
    rows = [row for row in client_rows() if row.contact_email is not None]
    assert len(rows) >= 12 and len(contacts) == len(rows)
    sessions_per_contact: dict[str, int] = {}
    for session in streams["cr7a2_session"]:
        contact_id = session["_cr7a2_contact_value"]
        sessions_per_contact[contact_id] = sessions_per_contact.get(contact_id, 0) + 1
    for row in rows:
        (contact,) = [c for c in contacts if c["emailaddress1"] == row.contact_email]
        assert contact["fullname"] == row.name
        assert contact["_ownerid_value@OData.Community.Display.V1.FormattedValue"].endswith(row.therapist)
        assert sessions_per_contact[contact["contactid"]] == row.sessions
        assert 1 <= row.sessions <= 3
    names = {row.name for row in client_rows()}
    assert {"Jörg Groß", "Anna Müller"} <= names
    assert {"joerg.gross@web.de", "anna.mueller84@gmail.com"} <= {row.forms_email for row in client_rows()}


@pytest.mark.parametrize("revision", [1, 2])
def test_every_response_resolves_to_a_contact_but_the_one_unlinked(revision: int) -> None:
    contacts = {norm(c["emailaddress1"]) for c in practice_fixture("dataverse")["streams"]["contact"]}
    rows = client_rows()
    (unlinked_row,) = [row for row in rows if row.contact_email is None]
    forms_emails = {row.forms_email for row in rows}
    all_responses = [r for row in rows for r in responses_of(row.forms_email, revision)]
    assert len(all_responses) == len(practice_fixture("forms")["responses"])  # every response has a row
    unlinked = [r for r in all_responses if norm(r["respondentEmail"]) not in contacts]
    assert [r["respondentEmail"] for r in unlinked] == [unlinked_row.forms_email]
    assert all(r["respondentEmail"] in forms_emails for r in all_responses)
    differ = [row for row in rows if row.contact_email and row.contact_email != row.forms_email]
    assert len(differ) >= 4  # case and spaces differ on purpose, on either side


def test_the_intended_totals_are_what_the_answers_score() -> None:
    items = item_map(practice_fixture("forms")["forms"])
    checked = 0
    for row in client_rows():
        responses = {1: responses_of(row.forms_email, 1), 2: responses_of(row.forms_email, 2)}
        assert len(responses[1]) == len(row.phq) == len(row.gad), row.name
        for index, (phq_text, gad_text) in enumerate(zip(row.phq, row.gad, strict=True)):
            for revision, phq_token in enumerate(phq_text.split("/"), start=1):
                response = responses[revision][index]
                phq_values = item_values(response, items, "PHQ-9", 9)
                expected, item9 = parse_token(phq_token)
                assert score(phq_values, 2) == expected, (row.name, index + 1, revision, phq_values)
                item9_flag = "?" if phq_values[8] is None else "!" if phq_values[8] not in (0, INVALID) else ""
                assert item9 == item9_flag, (row.name, index + 1)
                gad_values = item_values(response, items, "GAD-7", 7)
                assert score(gad_values, 1) == parse_token(gad_text)[0], (row.name, index + 1, gad_values)
                checked += 1
    assert checked == 89  # 88 responses, one of them also at revision 2


def baseline_and_last(series: list[str]) -> tuple[int, int] | None:
    totals = [parse_token(t.split("/")[0])[0].total for t in series]
    valid = [t for t in totals if t is not None]
    return (valid[0], valid[-1]) if len(valid) >= 2 else None


def test_the_series_cover_the_required_trajectories() -> None:
    """R11/R12 on the first and last valid totals of each client."""
    found = set()
    for row in client_rows():
        phq, gad = baseline_and_last(row.phq), baseline_and_last(row.gad)
        if phq is None or gad is None:
            continue
        (p0, p1), (g0, g1) = phq, gad
        if p0 >= 10 and g0 >= 8 and p1 < 10 and g1 < 8 and p0 - p1 >= 6 and g0 - g1 >= 4:
            found.add("recovery")
        if p0 >= 10 and g0 >= 8 and abs(p1 - p0) < 6 and abs(g1 - g0) < 4:
            found.add("no reliable change")
        if p1 - p0 >= 6 and g1 - g0 >= 4:
            found.add("deterioration")
        if p0 < 10 and g0 < 8:
            found.add("below caseness")
        if p0 - p1 >= 6 and g1 - g0 >= 4:
            found.add("mixed")
    assert found == {"recovery", "no reliable change", "deterioration", "below caseness", "mixed"}


def test_the_edge_cases_of_the_brief_are_present() -> None:
    document = practice_fixture("forms")
    items = item_map(document["forms"])
    texts = [a["textAnswers"]["answers"][0]["value"] for r in document["responses"] for a in r["answers"].values()]
    assert texts.count("Manchmal") == 1 and texts.count("  several  DAYS ") == 1
    assert "Over half the days" in texts
    difficulty = {
        q["questionItem"]["question"]["questionId"]
        for f in document["forms"]
        for q in f["items"]
        if q.get("title", "").startswith("If you checked off any problems")
    }
    assert sum(1 for r in document["responses"] if difficulty & set(r["answers"])) >= 10
    ties = {"PHQ-9": 0, "GAD-7": 0}
    for response in document["responses"]:
        for instrument, n, sums in (("PHQ-9", 9, {4, 12, 20}), ("GAD-7", 7, {3, 9, 15})):
            values = item_values(response, items, instrument, n)
            answered = [v for v in values if v is not None]
            if len(answered) == n - 1 and INVALID not in answered and sum(answered) in sums:
                ties[instrument] += 1
    assert ties["PHQ-9"] >= 1 and ties["GAD-7"] >= 1
    (edit,) = document["revision_2"]
    assert edit["replaces"] == edit["record"]["responseId"]


def test_times_are_berlin_daytime_in_the_window_over_at_least_eight_weeks() -> None:
    document = practice_fixture("forms")
    stamps = []
    for response in document["responses"] + [c["record"] for c in document["revision_2"]]:
        created = datetime.fromisoformat(response["createTime"])
        submitted = datetime.fromisoformat(response["lastSubmittedTime"])
        assert re.fullmatch(r".*T\d\d:\d\d:\d\d\.\d{3}Z", response["createTime"])
        assert re.fullmatch(r".*T\d\d:\d\d:\d\d\.\d{6}Z", response["lastSubmittedTime"])
        assert submitted.tzinfo == UTC and created <= submitted
        local = submitted.astimezone(BERLIN)
        assert WINDOW[0] <= local < WINDOW[1] and 7 <= local.hour < 22
        stamps.append(submitted)
    assert max(stamps) - min(stamps) >= timedelta(weeks=8)


def test_the_responses_worth_a_second_look_are_where_clients_md_says() -> None:
    rows = {row.name: row for row in client_rows()}
    table = md_table("Responses worth a second look")
    assert len(table) >= 12
    for name, number, response_id, submitted, _what in table:
        response = responses_of(rows[name].forms_email)[int(number) - 1]
        assert response["responseId"] == response_id.strip("`")
        local = datetime.fromisoformat(response["lastSubmittedTime"]).astimezone(BERLIN)
        assert local.strftime("%a %d.%m. %H:%M") == submitted


def test_revision_2_is_as_clients_md_says() -> None:
    text = clients_md().split("## Revision 2\n", 1)[1].split("\n## ", 1)[0]
    (edit,) = practice_fixture("forms")["revision_2"]
    (sheet_edit,) = practice_fixture("sheets")["revision_2"]
    (contact_edit,) = practice_fixture("dataverse")["revision_2"]["contact"]
    wanted = [
        edit["replaces"],
        edit["record"]["lastSubmittedTime"],
        f"sheet row {sheet_edit['row']}",
        sheet_edit["record"]["Zeitstempel"],
        contact_edit["replaces"],
        contact_edit["record"]["telephone1"],
        contact_edit["record"]["modifiedon"],
        str(contact_edit["record"]["versionnumber"]),
    ]
    for value in wanted:
        assert value in " ".join(text.split()), value


def test_the_question_id_tables_match_the_forms() -> None:
    forms = practice_fixture("forms")["forms"]
    section = clients_md().split("## Forms: ids and how questions map to items\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([0-9a-f]{8})` \| (.+?) \|$", section, flags=re.MULTILINE)
    questions = []
    for form in forms:
        assert f"`{form['formId']}`" in section
        for item in form["items"]:
            if "questionItem" in item:
                questions.append(item["questionItem"]["question"]["questionId"])
            questions += [q["questionId"] for q in item.get("questionGroupItem", {}).get("questions", [])]
    assert [question_id for question_id, _ in rows] == questions
    items = item_map(forms)
    for question_id, label in rows:
        if question_id in items:
            assert label == "{} {}".format(*items[question_id])
    assert sum(1 for _, label in rows if label.startswith("PHQ-9 10")) == 1


def load_schemas():
    spec = importlib.util.spec_from_file_location(
        "practice_schemas_under_test", SAMPLE_TAPS / "src" / "sample_taps" / "practice_schemas.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def undeclared(value: object, schema: dict, path: str = "") -> list[str]:
    """Keys the Singer SDK would drop: present in the record, not declared, no additionalProperties."""
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key in schema["properties"]:
                found += undeclared(item, schema["properties"][key], f"{path}.{key}")
            elif not schema.get("additionalProperties"):
                found.append(f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            found += undeclared(item, schema["items"], f"{path}[]")
    return found


def test_the_schemas_declare_every_field_of_every_record() -> None:
    schemas = load_schemas()
    forms = practice_fixture("forms")
    for form in forms["forms"]:
        assert undeclared(form, schemas.FORM_SCHEMA) == []
    for response in forms["responses"] + [c["record"] for c in forms["revision_2"]]:
        assert undeclared(response, schemas.FORM_RESPONSE_SCHEMA) == []
    sheets = practice_fixture("sheets")
    for row in sheets["records"] + [c["record"] for c in sheets["revision_2"]]:
        assert list(row) == list(sheets["records"][0]) and all(isinstance(v, str) for v in row.values())
    dataverse = practice_fixture("dataverse")
    for stream, records in dataverse["streams"].items():
        for record in records + [c["record"] for c in dataverse["revision_2"][stream]]:
            assert undeclared(record, schemas.DATAVERSE_SCHEMAS[stream]) == []
