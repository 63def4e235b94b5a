"""The measurement lane's jobs through the runner on both backends (extraction aside):
contacts -> questionnaire responses -> PHQ-9/GAD-7 measurements -> timeseries."""

from __future__ import annotations

import copy
import json
from typing import Any

from backend_sql import sql_rows
from canonizer import get_transform
from lorchestra.config import Config, load_config
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, Store, open_store

CASES = get_transform("questionnaire_response/google_forms").tests_dir
CONTACT = json.loads((get_transform("contact/dataverse").tests_dir / "contact_with_annotations.json").read_text())[
    "input"
]
CASE = json.loads((CASES / "shuffled_grid_missing_item_unmapped_name.json").read_text())
FORM, RESPONSE = CASE["bindings"]["form"], CASE["input"]
JOBS = [
    "canonicalize_contacts",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
]


def answers(phq9: list[str | None], gad7: list[str | None]) -> dict[str, Any]:
    found = {}
    for prefix, values in (("p", phq9), ("g", gad7)):
        for n, value in enumerate(values, start=1):
            if value is not None:
                found[f"{prefix}{n}"] = {"questionId": f"{prefix}{n}", "textAnswers": {"answers": [{"value": value}]}}
    return found


def response(
    response_id: str, submitted: str, phq9: list[str | None], gad7: list[str | None], form_id: str = "F1"
) -> dict[str, Any]:
    found = copy.deepcopy(RESPONSE)
    found.update(
        responseId=response_id,
        formId=form_id,
        lastSubmittedTime=submitted,
        createTime=submitted,
        answers=answers(phq9, gad7),
    )
    return found


NEARLY, SEVERAL, NOT = "Nearly every day", "Several days", "Not at all"


def emit(events: EventClient, system: str, object_type: str, id_field: str, records: list[dict[str, Any]]) -> None:
    events.emit_batch(
        "ingest.completed",
        records,
        spec=ObjectSpec(
            Source(system, {"dataverse": "dataverse"}.get(system, "forms-praxis")), object_type, id_field=id_field
        ),
    )


def measurements(store: Store) -> dict[str, dict[str, Any]]:
    return {
        f"{p['response_id']}:{p['instrument']}": p for _, p in store.read_objects("canonical_objects", "measurement")
    }


def test_the_measurement_jobs_score_link_replace_edits_and_reject_unknown_forms(
    events: EventClient, store: Store, backend_config: Config
) -> None:
    emit(events, "dataverse", "contact", "contactid", [CONTACT])
    emit(events, "google_forms", "form", "formId", [FORM])
    emit(
        events,
        "google_forms",
        "form_response",
        "responseId",
        [
            response(
                "R1", "2026-09-14T08:00:00.000Z", [NEARLY] * 8 + [SEVERAL], [NEARLY] * 7
            ),  # 25 / 21, item 9 positive
            response(
                "R2", "2026-10-12T08:00:00.000Z", [SEVERAL] * 4 + [NOT] * 5, [NOT] * 6 + ["Manchmal"]
            ),  # 4 / invalid
            response("R9", "2026-10-12T09:00:00.000Z", [NOT] * 9, [NOT] * 7, form_id="F-unknown"),
        ],
    )
    store.close()
    home = backend_config.home

    first = run_jobs(JOBS, home=home)
    assert first.ok, first.as_dict()
    counts = {o.name: o.counts for o in first.outcomes}
    assert (counts["canonicalize_questionnaires"]["processed"], counts["canonicalize_questionnaires"]["rejected"]) == (
        2,
        1,
    )
    # two PHQ-9 measurements and the safety flag of R1's positive item 9
    assert counts["score_phq9"]["outputs_inserted"] == 3 and counts["score_gad7"]["outputs_inserted"] == 2

    reopened = open_store(load_config(home))
    try:
        scored = measurements(reopened)
        assert (scored["R1:phq9"]["total"], scored["R1:phq9"]["severity"], scored["R1:phq9"]["item9_positive"]) == (
            25,
            "severe",
            True,
        )
        assert scored["R1:phq9"]["client_id"] == "5d4a5c1e-8f0b-ef11-9f89-000d3a4b2c11"
        assert (scored["R2:phq9"]["total"], scored["R2:gad7"]["valid"], scored["R2:gad7"]["errors"]) == (
            4,
            False,
            ["R10.unrecognised_text:item7"],
        )
        series = sql_rows(
            reopened,
            f"SELECT response_id, instrument, total, change, reliable_change, recovery FROM "
            f"{reopened.table('measurement_timeseries')} ORDER BY instrument, measured_at",
        )
        assert [(r["response_id"], r["instrument"], r["change"], r["reliable_change"]) for r in series] == [
            ("R1", "gad7", 0, "no reliable change"),
            ("R2", "gad7", None, None),
            ("R1", "phq9", 0, "no reliable change"),
            ("R2", "phq9", -21, "reliable improvement"),
        ]
        rejects = sql_rows(reopened, f"SELECT job_name, rule, field FROM {reopened.table('rejects')}")
        assert rejects == [{"job_name": "canonicalize_questionnaires", "rule": "unknown_form", "field": "formId"}]
        # the client edits R2: same responseId, later lastSubmittedTime, one answer changed
        edited = response("R2", "2026-10-12T10:00:00.000Z", [SEVERAL] * 4 + [NOT] * 5, [NOT] * 7)
        emit(
            EventClient(reopened, run_id="r2", job_name="extract_forms", tmp_dir=home.tmp_dir),
            "google_forms",
            "form_response",
            "responseId",
            [edited],
        )
    finally:
        reopened.close()

    second = run_jobs(JOBS, home=home)
    counts = {o.name: o.counts for o in second.outcomes}
    assert (
        counts["score_gad7"]["inputs"],
        counts["score_gad7"]["outputs_updated"],
        counts["score_gad7"]["outputs_inserted"],
    ) == (1, 1, 0)
    reopened = open_store(load_config(home))
    try:
        scored = measurements(reopened)
        assert len(scored) == 4  # replaced, never duplicated
        assert (scored["R2:gad7"]["valid"], scored["R2:gad7"]["total"], scored["R2:gad7"]["measured_at"]) == (
            True,
            0,
            "2026-10-12T10:00:00Z",
        )
        paired = sql_rows(
            reopened, f"SELECT client_id, classification, recovery FROM {reopened.table('measurement_paired')}"
        )
        assert paired == [
            {
                "client_id": "5d4a5c1e-8f0b-ef11-9f89-000d3a4b2c11",
                "classification": "reliable improvement",
                "recovery": True,
            }
        ]
    finally:
        reopened.close()

    third = run_jobs(JOBS, home=home)
    assert all(o.counts.get("inputs", 0) == 0 for o in third.outcomes if o.name != "build_measurement_timeseries")


def test_an_answer_of_the_wrong_type_is_invalid_not_missing_and_item9_stays_on_the_follow_up_list(
    events: EventClient, store: Store, backend_config: Config
) -> None:
    """Issue 11.2 end to end: score -> timeseries -> the report's item-9 list."""
    from reporter.assemble import assemble_practice_report
    from reporter.safety import ITEM9_ANSWERED_INVALID

    emit(events, "dataverse", "contact", "contactid", [CONTACT])
    emit(events, "google_forms", "form", "formId", [FORM])
    wrong = response("R5", "2026-10-13T08:00:00.000Z", [SEVERAL] * 9, [None] + [NOT] * 5 + ["Manchmal"])
    wrong["answers"]["p9"]["textAnswers"]["answers"] = [{"value": 1}]  # a number where the form gives text
    emit(events, "google_forms", "form_response", "responseId", [wrong])
    store.close()
    home = backend_config.home

    result = run_jobs(JOBS, home=home)
    assert result.ok, result.as_dict()
    reopened = open_store(load_config(home))
    try:
        [response_row] = [p for _, p in reopened.read_objects("canonical_objects", "questionnaire_response")]
        phq9 = response_row["instruments"]["phq9"]
        assert (phq9["missing_items"], phq9["invalid_items"], phq9["answers"][8]) == (
            [],
            [{"item": 9, "rule": "wrong_type"}],
            None,
        )
        scored = measurements(reopened)
        # not prorated and reported valid as if item 9 were unanswered
        assert (scored["R5:phq9"]["valid"], scored["R5:phq9"]["total"], scored["R5:phq9"]["n_missing"]) == (
            False,
            None,
            0,
        )
        assert scored["R5:phq9"]["invalid_items"] == [{"item": 9, "rule": "R9.wrong_type"}]
        assert (scored["R5:phq9"]["item9_positive"], scored["R5:phq9"]["item9_answered"]) == (False, False)
        assert (scored["R5:gad7"]["n_missing"], scored["R5:gad7"]["invalid_items"]) == (
            1,
            [{"item": 7, "rule": "R10.unrecognised_text"}],
        )
        series = sql_rows(reopened, f"SELECT * FROM {reopened.table('measurement_timeseries')} ORDER BY instrument")
    finally:
        reopened.close()
    assert [(r["instrument"], r["n_missing"], list(r["invalid_items"])) for r in series] == [
        ("gad7", 1, ["7:R10.unrecognised_text"]),
        ("phq9", 0, ["9:R9.wrong_type"]),
    ]
    report = assemble_practice_report("2026-W42", [], series, [], {})
    assert [(e.response_id, e.answer) for e in report.item9] == [("R5", ITEM9_ANSWERED_INVALID)]


ANN, BEN, CLEO = (f"00000000-0000-0000-0000-00000000000{n}" for n in "abc")


def _series_tables(home: Any) -> dict[str, list[dict[str, Any]]]:
    reopened = open_store(load_config(home))
    try:
        return {
            name: sql_rows(reopened, f"SELECT * FROM {reopened.table(name)} ORDER BY {order}")
            for name, order in (
                ("measurement_timeseries", "client_id, instrument, measured_at, response_id"),
                ("measurement_paired", "client_id"),
            )
        }
    finally:
        reopened.close()


def test_an_update_after_relinked_and_new_responses_equals_a_full_rebuild(
    events: EventClient, store: Store, backend_config: Config
) -> None:
    """An update rebuilds the series of the clients new measurements touch: a response that
    moves from one client to another, one that loses its client, new ones of a client with
    history (over two updates) and a client untouched must all end as a full build has them."""
    ann, ben = (dict(CONTACT, contactid=c, emailaddress1=f"{n}@example.org") for c, n in ((ANN, "ann"), (BEN, "ben")))
    cleo = dict(CONTACT, contactid=CLEO, emailaddress1="cleo@example.org")

    def by(email: str, response_id: str, submitted: str, phq9: list[str | None]) -> dict[str, Any]:
        return dict(response(response_id, submitted, phq9, [SEVERAL] * 7), respondentEmail=email)

    emit(events, "dataverse", "contact", "contactid", [ann, ben, cleo])
    emit(events, "google_forms", "form", "formId", [FORM])
    emit(
        events,
        "google_forms",
        "form_response",
        "responseId",
        [
            by("ann@example.org", "A1", "2026-09-01T08:00:00.000Z", [NEARLY] * 9),
            by("ann@example.org", "A2", "2026-09-08T08:00:00.000Z", [SEVERAL] * 9),
            by("ben@example.org", "B1", "2026-09-02T08:00:00.000Z", [NOT] * 9),
            by("cleo@example.org", "C1", "2026-09-03T08:00:00.000Z", [SEVERAL] * 9),
        ],
    )
    store.close()
    home = backend_config.home
    first = run_jobs(JOBS, home=home)
    assert first.ok, first.as_dict()

    reopened = open_store(load_config(home))
    try:
        later = EventClient(reopened, run_id="r2", job_name="extract_test", tmp_dir=home.tmp_dir)
        # ann's address now belongs to ben (ann's responses move to him); cleo's contact loses
        # its address (C1 loses its client); ben answers again, from his new address
        emit(
            later,
            "dataverse",
            "contact",
            "contactid",
            [
                dict(ann, emailaddress1="ann.new@example.org"),
                dict(ben, emailaddress1="ann@example.org"),
                dict(cleo, emailaddress1=None),
            ],
        )
        emit(
            later,
            "google_forms",
            "form_response",
            "responseId",
            [by("ann@example.org", "B2", "2026-09-09T08:00:00.000Z", [NEARLY] * 9)],
        )
    finally:
        reopened.close()
    second = run_jobs(JOBS, home=home)
    assert second.ok, second.as_dict()
    build = next(o.counts for o in second.outcomes if o.name == "build_measurement_timeseries")
    assert (build["full_rebuild"], build["clients_updated"]) == (0, 3)  # ann, ben, cleo
    assert {r["response_id"]: r["client_id"] for r in _series_tables(home)["measurement_timeseries"]} == {
        "A1": BEN,
        "A2": BEN,
        "B2": BEN,  # B1 was sent from ben's old address: unlinked now
    }
    # ben answers once more: his course now holds the responses that moved to him last time
    reopened = open_store(load_config(home))
    try:
        emit(
            EventClient(reopened, run_id="r3", job_name="extract_test", tmp_dir=home.tmp_dir),
            "google_forms",
            "form_response",
            "responseId",
            [by("ann@example.org", "B3", "2026-09-16T08:00:00.000Z", [NOT] * 9)],
        )
    finally:
        reopened.close()
    third = run_jobs(JOBS, home=home)
    build = next(o.counts for o in third.outcomes if o.name == "build_measurement_timeseries")
    assert (build["full_rebuild"], build["clients_updated"], build["measurements"]) == (0, 1, 8)
    updated = _series_tables(home)

    reopened = open_store(load_config(home))
    try:  # forget the build: the next one is a full one
        sql_rows(reopened, f"DELETE FROM {reopened.table('job_state')} WHERE consumer LIKE 'projection:measurement%'")
    finally:
        reopened.close()
    rebuilt = run_jobs(["build_measurement_timeseries"], home=home)
    assert rebuilt.ok and rebuilt.outcomes[0].counts["full_rebuild"] == 1
    assert _series_tables(home) == updated
