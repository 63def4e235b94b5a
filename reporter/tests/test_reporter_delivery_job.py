"""Delivery of the weekly report through a real SMTP server on loopback, as the job does
it: exactly once per recipient and week, across refusals, dropped connections, kills
and reruns; refused recipients named by their place in the config, never by address
(issue 11, items 8 and 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from lorchestra.home import PhiHome
from report_support import (
    SCORING,
    SEVERAL,
    at,
    emit,
    lorc,
    new_home,
    query,
    response,
    run,
)
from smtp_sink import Sink

WEBER, KLEIN = "j.weber@praxis-weber.example", "m.klein@praxis-weber.example"


def smtp_home(tmp_path: Path, port: int, recipients: list[str]) -> PhiHome:
    home = new_home(
        tmp_path,
        **{
            "  delivery: outbox ": "  delivery: smtp ",
            "  # smtp: {host: smtp.example.org, port: 587, security: starttls}": f"  smtp: {{host: 127.0.0.1, port: {port}, security: none, timeout_seconds: 5}}",
            "recipients: [j.weber@praxis-weber.example]": f"recipients: [{', '.join(recipients)}]",
        },
    )
    emit(home, "form_response", "responseId", [response("R1", at("2026-W45"), SEVERAL)])
    assert run(home, *SCORING).ok
    return home


def copies(sink: Sink) -> dict[str, list[str]]:
    """Message-IDs each recipient received, in order."""
    found: dict[str, list[str]] = {}
    for recipients, raw in sink.messages:
        message_id = str(BytesParser(policy=policy.default).parsebytes(raw)["Message-ID"])
        for recipient in recipients:
            found.setdefault(recipient, []).append(message_id)
    return found


def test_a_refused_recipient_fails_the_run_and_a_rerun_sends_only_to_them(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    home = smtp_home(tmp_path, port, [WEBER, KLEIN])
    sink.refuse[KLEIN] = "550 5.1.1 mailbox unavailable"
    failed = lorc(home, "run", "generate_weekly_report", "--week", "2026-W45", "--json")
    assert failed.exit_code == 1
    error = json.loads(failed.stdout)["jobs"][0]["error"]
    assert "refused reports.recipients item 2 (reply 550)" in error
    assert list(copies(sink)) == [WEBER]
    # the address is nowhere but in the config: not on the console, in the log or the audit trail
    log = (home.root / "logs" / "lorc.log").read_text()
    events = json.dumps(query(home, "SELECT error_message, payload::VARCHAR AS p FROM event_log"))
    for text in (failed.stdout, failed.stderr, log, events):
        assert KLEIN not in text and "m.klein" not in text

    again = lorc(home, "run", "generate_weekly_report", "--week", "2026-W45")  # still refused: still only them
    assert again.exit_code == 1 and list(copies(sink)) == [WEBER]
    del sink.refuse[KLEIN]  # the address was fixed at the server's end
    done = lorc(home, "run", "generate_weekly_report", "--week", "2026-W45", "--json")
    assert done.exit_code == 0, done.stdout + done.stderr
    received = copies(sink)
    assert sorted(received) == [WEBER, KLEIN] and len(received[WEBER]) == len(received[KLEIN]) == 1
    assert received[WEBER] == received[KLEIN]  # one message, one Message-ID
    assert lorc(home, "run", "generate_weekly_report", "--week", "2026-W45").exit_code == 0
    assert len(sink.messages) == 2  # nothing more


def test_removing_a_refused_recipient_from_the_config_completes_the_week(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    home = smtp_home(tmp_path, port, [WEBER, KLEIN])
    sink.refuse[KLEIN] = "550 5.1.1 mailbox unavailable"
    assert lorc(home, "run", "generate_weekly_report", "--week", "2026-W45").exit_code == 1
    home.config_path.write_text(
        home.config_path.read_text().replace(f"recipients: [{WEBER}, {KLEIN}]", f"recipients: [{WEBER}]")
    )
    assert lorc(home, "run", "generate_weekly_report", "--week", "2026-W45").exit_code == 0
    statuses = {r["target"]: r["status"] for r in query(home, "SELECT target, status FROM report_deliveries")}
    assert statuses == {WEBER: "accepted", KLEIN: "withdrawn"} and list(copies(sink)) == [WEBER]


def test_a_run_killed_between_two_recipients_sends_the_rest_the_same_message_on_the_next_run(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    home = smtp_home(tmp_path, port, [WEBER, KLEIN])
    killed = subprocess.run(
        [str(Path(sys.executable).parent / "lorc"), "run", "generate_weekly_report", "--week", "2026-W45"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "LORC_HOME": str(home.root),
            "LORC_FAULT_AT": "delivery.accepted",
            "LORC_FAULT_MODE": "kill",
        },
    )
    assert killed.returncode == -9
    assert list(copies(sink)) == [WEBER]
    assert lorc(home, "run", "generate_weekly_report", "--week", "2026-W45").exit_code == 0
    received = copies(sink)
    assert received == {WEBER: received[WEBER], KLEIN: received[WEBER]} and len(received[WEBER]) == 1


def test_a_connection_dropped_after_acceptance_gives_one_copy_each(tmp_path: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    home = smtp_home(tmp_path, port, [WEBER, KLEIN])
    sink.drop_after_accept = 2
    assert lorc(home, "run", "generate_weekly_report", "--week", "2026-W45").exit_code == 0
    assert {r: len(ids) for r, ids in copies(sink).items()} == {WEBER: 1, KLEIN: 1}


@pytest.mark.parametrize("week", ["2026-W4", "2026-W99"])
def test_a_mistyped_week_is_named_with_the_format_before_any_work(tmp_path: Path, week: str) -> None:
    home = new_home(tmp_path)
    result = lorc(home, "run", "generate_weekly_report", "--week", week)
    assert result.exit_code == 1
    assert "YYYY-Www" in result.stdout and "message withheld" not in result.stdout + result.stderr


def test_plain_smtp_to_a_remote_host_is_refused_before_rendering_and_by_doctor(tmp_path: Path) -> None:
    home = new_home(
        tmp_path,
        **{
            "  delivery: outbox ": "  delivery: smtp ",
            "  # smtp: {host: smtp.example.org, port: 587, security: starttls}": "  smtp: {host: mail.praxis-weber.example, port: 25, security: none}",
        },
    )
    result = lorc(home, "run", "generate_weekly_report", "--week", "2026-W45")
    assert result.exit_code == 1 and "needs TLS" in result.stdout
    assert not (home.root / "reports").exists()
    doctor = lorc(home, "doctor")
    assert doctor.exit_code == 1
    assert "FAIL report delivery: SMTP to mail.praxis-weber.example needs TLS" in doctor.stdout
