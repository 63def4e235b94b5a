"""Opt-in immediate safety alerts (reports.safety_alerts): a positive item 9 is e-mailed
at once, each flag once, with no health data in the body; the weekly report still lists
it (issue 11, item 1)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from report_support import (
    NOT,
    SCORING,
    SEVERAL,
    at,
    carried,
    emit,
    lorc,
    new_home,
    report,
    response,
    run,
)

ALERTS_ON = {
    "  safety_alerts:           # an e-mail as soon as a positive PHQ-9 item 9 is scored (besides the "
    "weekly list)\n    enabled: false": "  safety_alerts:\n    enabled: true"
}


def alerts(home_root: Path) -> list[Path]:
    return sorted((home_root / "outbox").glob("sicherheitsmeldung-*.eml"))


def test_alerts_are_off_unless_the_practice_turns_them_on(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL)])
    outcome = run(home, *SCORING, "send_safety_alerts").outcomes[-1]
    assert (outcome.status, outcome.counts["alerts"]) == ("ok", 0)
    assert not (home.root / "outbox").exists()


def test_each_positive_item9_is_alerted_once_without_health_data_in_the_body_and_still_reported_weekly(
    tmp_path: Path,
) -> None:
    home = new_home(tmp_path, **ALERTS_ON)
    emit(
        home,
        "form_response",
        "responseId",
        [
            response("R1", at("2026-W45"), SEVERAL, email="c1@example.org"),
            response("R2", at("2026-W45", 2), None),  # unanswered: weekly only
            response("R3", at("2026-W45", 3), NOT),
        ],
    )
    first = run(home, *SCORING, "send_safety_alerts").outcomes[-1]
    assert first.counts == {"alerts": 1, "safety_flags": 1}
    [eml] = alerts(home.root)
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "1 neue positive Antwort(en)" in body and "c1@example.org" not in body and "R1" not in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content().startswith(b"%PDF")
    html = next((home.root / "reports" / "safety-alerts").glob("*.html")).read_text()
    assert "c1@example.org" in html  # the attachment says who; the body does not

    assert run(home, *SCORING, "send_safety_alerts").outcomes[-1].counts == {"alerts": 0, "safety_flags": 0}
    emit(home, "form_response", "responseId", [response("R4", at("2026-W45", 4), "Nearly every day")])
    assert run(home, *SCORING, "send_safety_alerts").outcomes[-1].counts == {"alerts": 1, "safety_flags": 1}
    assert len(alerts(home.root)) == 2

    report(home, "2026-W45")
    assert sorted((rid, answer) for rid, answer, _ in carried(home)["2026-W45"]) == [
        ("R1", "positive"),
        ("R2", "not answered, follow up"),
        ("R4", "positive"),
    ]


def test_turning_alerts_on_does_not_announce_flags_a_weekly_report_already_carried(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    emit(home, "form_response", "responseId", [response("R1", at("2026-W44"), SEVERAL)])
    assert run(home, *SCORING).ok
    report(home, "2026-W44")
    home.config_path.write_text(home.config_path.read_text().replace(*next(iter(ALERTS_ON.items()))))
    emit(home, "form_response", "responseId", [response("R2", at("2026-W45"), SEVERAL)])
    assert run(home, *SCORING, "send_safety_alerts").outcomes[-1].counts == {"alerts": 1, "safety_flags": 1}


def test_doctor_fails_when_alerts_are_on_but_no_pipeline_runs_them(tmp_path: Path) -> None:
    home = new_home(tmp_path, **ALERTS_ON)
    text = home.config_path.read_text()
    home.config_path.write_text(text.replace(", send_safety_alerts]", "]"))  # a config from before
    done = lorc(home, "doctor")
    assert done.exit_code == 1
    assert (
        "FAIL report delivery: reports.safety_alerts.enabled is true, but no pipeline runs send_safety_alerts"
        in done.stdout
    )
    home.config_path.write_text(text)
    done = lorc(home, "doctor")
    assert "ok   report delivery: reports go to the outbox; safety alerts on" in done.stdout
