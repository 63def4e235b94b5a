"""Every item-9 flag reaches exactly one delivered weekly report (issue 11, item 1).

Responses go into the warehouse through the extraction write path; scoring and the
report job run through lorc's runner on a real DuckDB warehouse; reports go to the
outbox. What a delivered report carried is read back from the ledger and from the
report itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lorchestra.home import PhiHome
from report_support import (
    NOT,
    SCORING,
    SEVERAL,
    at,
    carried,
    emit,
    lorc,
    new_home,
    now_week,
    query,
    report,
    response,
    run,
)

POSITIVE, FOLLOW_UP, INVALID = "positive", "not answered, follow up", "answered invalidly, follow up"


def practice_html(home: PhiHome, week: str) -> str:
    return (home.root / "reports" / week / f"praxisbericht-{week}.html").read_text()


def safety_rows(html: str) -> list[str]:
    section = html.split('<section class="safety">', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<tr><td.*?</tr>", section, flags=re.DOTALL)


def test_a_running_week_is_refused_and_only_previewed_never_recorded(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    week = now_week()
    emit(home, "form_response", "responseId", [response("R1", at(week, 0.5), SEVERAL)])
    assert run(home, *SCORING).ok
    command = ["run", "generate_weekly_report", "--week", week]
    refused = lorc(home, *command)
    assert refused.exit_code == 1
    assert f"week {week} has not ended yet" in refused.stdout and "--preview" in refused.stdout
    previewed = lorc(home, *command, "--preview", "--json")
    assert previewed.exit_code == 0, previewed.stdout + previewed.stderr
    assert json.loads(previewed.stdout)["jobs"][0]["counts"] == {"previews": 1, "delivered": 0, "safety_flags": 1}
    html = (home.root / "reports" / week / f"vorschau-praxisbericht-{week}.html").read_text()
    assert "VORSCHAU – die Woche läuft noch" in html and len(safety_rows(html)) == 1
    assert not (home.root / "outbox").exists()
    assert query(home, "SELECT count(*) AS n FROM report_deliveries") == [{"n": 0}]
    assert query(home, "SELECT count(*) AS n FROM safety_flag_deliveries") == [{"n": 0}]


def test_a_flag_that_arrives_after_its_week_was_reported_goes_into_the_next_report_marked_late(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W44"), SEVERAL)])
    assert run(home, *SCORING).ok
    assert report(home, "2026-W44")["safety_flags"] == 1
    # extracted late: a positive answer from W44, and an unanswered item 9 in W45
    emit(
        home,
        "form_response",
        "responseId",
        [response("R2", at("2026-W44", 40), "Nearly every day"), response("R3", at("2026-W45"), None)],
    )
    assert run(home, *SCORING).ok
    assert report(home, "2026-W44")["delivered"] == 0  # what was sent stays as it was sent
    counts = report(home, "2026-W45")
    assert (counts["delivered"], counts["safety_flags"], counts["late_safety_flags"]) == (1, 2, 1)
    assert carried(home) == {
        "2026-W44": [("R1", POSITIVE, False)],
        "2026-W45": [("R2", POSITIVE, True), ("R3", FOLLOW_UP, False)],
    }
    rows = safety_rows(practice_html(home, "2026-W45"))
    assert len(rows) == 2 and "nachgemeldet (KW 44/2026)" in rows[0] and "nachgemeldet" not in rows[1]
    assert sorted(p.name for p in (home.root / "outbox").iterdir()) == [
        "wochenbericht-2026-W44.eml",
        "wochenbericht-2026-W45.eml",
    ]


def test_edits_add_new_flags_once_and_never_take_a_seen_flag_away(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(
        home,
        "form_response",
        "responseId",
        [
            response("R1", at("2026-W44"), SEVERAL),  # reported positive, later edited: still positive
            response("R2", at("2026-W44", 2), NOT),  # negative, later edited to positive
            response("R3", at("2026-W44", 4), "More than half the days"),  # positive, edited to negative unreported
        ],
    )
    assert run(home, *SCORING).ok
    emit(home, "form_response", "responseId", [response("R3", at("2026-W44", 5), NOT)])
    assert run(home, *SCORING).ok
    report(home, "2026-W44")
    emit(
        home,
        "form_response",
        "responseId",
        [response("R1", at("2026-W45"), "Nearly every day"), response("R2", at("2026-W45", 1), SEVERAL)],
    )
    assert run(home, *SCORING).ok
    report(home, "2026-W45")
    assert carried(home) == {
        "2026-W44": [("R3", POSITIVE, False), ("R1", POSITIVE, False)],
        "2026-W45": [("R2", POSITIVE, False)],
    }


def test_an_item9_answered_with_no_valid_answer_is_a_follow_up_of_its_own(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), "Manchmal")])
    assert run(home, *SCORING).ok
    report(home, "2026-W45")
    assert carried(home) == {"2026-W45": [("R1", INVALID, False)]}
    [row] = safety_rows(practice_html(home, "2026-W45"))
    assert "ungültig beantwortet – nachfragen" in row


def test_a_respondent_linked_to_no_client_is_on_the_list_with_the_address_to_find_them(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL, email="Neu@Example.org")])
    assert run(home, *SCORING).ok
    report(home, "2026-W45")
    [row] = safety_rows(practice_html(home, "2026-W45"))
    assert "(keinem Kontakt zugeordnet)" in row and "neu@example.org" in row


def test_weeks_an_earlier_version_delivered_are_not_sent_again_and_their_flags_not_repeated(tmp_path: Path) -> None:
    """Earlier versions recorded a delivered week only as a report.delivered event."""
    from lorchestra.config import load_config
    from lorchestra.stack_clients import EventRow, open_store
    from lorchestra.stack_clients.clock import new_id, utcnow

    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL)])
    assert run(home, *SCORING).ok
    store = open_store(load_config(home))
    try:  # what the old generate_weekly_report left after delivering W45
        store.append_events(
            [
                EventRow(
                    event_id=new_id(),
                    event_type="report.delivered",
                    created_at=utcnow(),
                    payload={
                        "job": "generate_weekly_report",
                        "week": "2026-W45",
                        "method": "outbox",
                        "recipients": 1,
                        "attachments": 1,
                    },
                )
            ]
        )
    finally:
        store.close()
    # extracted after that delivery: it was in no report
    emit(home, "form_response", "responseId", [response("R2", at("2026-W45", 50), "Nearly every day")])
    assert run(home, *SCORING).ok
    assert report(home, "2026-W45")["delivered"] == 0
    outcome = run(home, "generate_weekly_report", week="2026-W45", resend="true").outcomes[0]
    assert outcome.status == "failed" and "earlier version of lorc" in str(outcome.error)
    counts = report(home, "2026-W46")
    assert (counts["delivered"], counts["safety_flags"], counts["late_safety_flags"]) == (1, 1, 1)
    assert carried(home) == {"2026-W45": [("R1", POSITIVE, False)], "2026-W46": [("R2", POSITIVE, True)]}


def test_a_run_stopped_after_creating_the_ledger_still_enters_the_weeks_an_earlier_version_delivered(
    tmp_path: Path,
) -> None:
    """Whether the earlier weeks were entered is a job state, not inferred from the ledger
    table being new: a run killed between creating it and entering them must not lose them."""
    from lorchestra.config import load_config
    from lorchestra.stack_clients import EventRow, open_store
    from lorchestra.stack_clients.clock import new_id, utcnow
    from reporter.jobs.ledger import Ledger

    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL)])
    assert run(home, *SCORING).ok
    store = open_store(load_config(home))
    try:
        store.append_events(
            [
                EventRow(
                    event_id=new_id(),
                    event_type="report.delivered",
                    created_at=utcnow(),
                    payload={
                        "job": "generate_weekly_report",
                        "week": "2026-W45",
                        "method": "outbox",
                        "recipients": 1,
                        "attachments": 1,
                    },
                )
            ]
        )
        Ledger(store)  # this version's first run got as far as creating the ledger tables
    finally:
        store.close()
    assert report(home, "2026-W45")["delivered"] == 0
    assert not (home.root / "outbox").exists() or not list((home.root / "outbox").iterdir())
    assert carried(home) == {"2026-W45": [("R1", POSITIVE, False)]}


def test_resend_delivers_the_report_as_it_was_with_a_new_message_id_and_claims_nothing(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL)])
    assert run(home, *SCORING).ok
    report(home, "2026-W45")
    emit(home, "form_response", "responseId", [response("R2", at("2026-W45", 3), SEVERAL)])
    assert run(home, *SCORING).ok
    assert report(home, "2026-W45", resend="true")["delivered"] == 1
    outbox = sorted((home.root / "outbox").iterdir())
    assert len(outbox) == 2
    first, again = (p.read_bytes() for p in outbox)
    ids = [re.search(rb"Message-ID: (<[^>]+>)", m).group(1) for m in (first, again)]  # type: ignore[union-attr]
    assert ids[0] != ids[1]
    assert first.split(b"\r\n\r\n", 1)[1].count(b"Content-Disposition: attachment") == 1
    assert carried(home) == {"2026-W45": [("R1", POSITIVE, False)]}  # R2 waits for the next report
