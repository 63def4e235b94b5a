"""A scorer re-scores what it scored when its instrument's definition changed, even at the
same version: the definition's digest is the scorer's basis in job state."""

from __future__ import annotations

from final_form.definitions import load_instrument
from final_form.jobs import SCORER_REVISION
from lorchestra.config import Config, load_config
from lorchestra.jobkit import JobState, JobStates
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import EventClient, Store, open_store
from test_measurement_lane_jobs import CONTACT, FORM, NEARLY, SEVERAL, emit, response


def test_a_changed_definition_rescores_every_response_once(
    events: EventClient, store: Store, backend_config: Config
) -> None:
    emit(events, "dataverse", "contact", "contactid", [CONTACT])
    emit(events, "google_forms", "form", "formId", [FORM])
    emit(
        events,
        "google_forms",
        "form_response",
        "responseId",
        [response("R1", "2026-09-14T08:00:00.000Z", [NEARLY] * 8 + [SEVERAL], [NEARLY] * 7)],
    )
    store.close()
    home = backend_config.home
    jobs = ["canonicalize_contacts", "canonicalize_questionnaires", "score_phq9"]
    assert run_jobs(jobs, home=home).ok

    def scored() -> int:
        report = run_jobs(["score_phq9"], home=home)
        assert report.ok, report.as_dict()
        return int(report.outcomes[0].counts["inputs"])

    assert scored() == 0  # nothing new
    definition = load_instrument("phq9")
    reopened = open_store(load_config(home))
    try:
        states = JobStates(reopened, "test")
        consumer = f"score_phq9:final_form.phq9@{definition.version}+r{SCORER_REVISION}"
        assert states.get(consumer, "definition") == JobState(definition.digest)
        # what the job state holds after a run under an earlier content of the same version
        states.put(consumer, {"definition": JobState("digest-of-an-earlier-phq9")})
    finally:
        reopened.close()
    assert scored() == 1  # re-scored once
    assert scored() == 0
