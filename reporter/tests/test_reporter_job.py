"""generate_weekly_report inside lorc, after both lanes ran on the sample data (real
Meltano): files in the PHI home, delivery to the outbox or a real SMTP server on
loopback, no second delivery for the same week without --resend, and no PHI in
event_log. The safety list's rules are tested in test_reporter_safety_list.py."""

from __future__ import annotations

import json
import stat
from email import policy
from email.parser import BytesParser

import pytest

from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.stack_clients import open_store
from report_support import lorc, query
from smtp_sink import Sink

LANES = [
    "extract_contacts",
    "canonicalize_contacts",
    "extract_email",
    "canonicalize_email",
    "build_inbox_view",
    "extract_forms",
    "canonicalize_questionnaires",
    "score_phq9",
    "score_gad7",
    "build_measurement_timeseries",
]
WEEK = "2026-W45"  # Mon 2026-11-02 .. Sun 2026-11-08: weekly follow-ups of most clients


@pytest.fixture(scope="module")
def lanes_home(tmp_path_factory: pytest.TempPathFactory) -> PhiHome:
    home = PhiHome(tmp_path_factory.mktemp("report") / "lorc-home")
    init_home(home)
    result = lorc(home, "run", *LANES)
    assert result.exit_code == 0, result.stdout + result.stderr
    return home


def report_runs(home: PhiHome, *extra: str) -> dict[str, int]:
    result = lorc(home, "run", "generate_weekly_report", "--week", WEEK, "--json", *extra)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["jobs"][0]["counts"]


def test_reports_are_written_privately_and_delivered_once_per_week(lanes_home: PhiHome) -> None:
    first = report_runs(lanes_home)
    assert first["delivered"] == 1 and first["client_reports"] >= 10
    # the sample story's flags before W45 were never in a report: the first one carries them, marked late
    assert (first["safety_flags"], first["late_safety_flags"]) == (6, 5)
    folder = lanes_home.root / "reports" / WEEK
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == first["attachments"] == first["client_reports"] + 1
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [eml] = list((lanes_home.root / "outbox").glob("*.eml"))
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600 and stat.S_IMODE(eml.parent.stat().st_mode) == 0o700
    parsed = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert parsed["Subject"] == f"Wochenbericht {WEEK}"
    assert len(list(parsed.iter_attachments())) == first["attachments"]
    body = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Sicherheitsliste (Item 9): 6 Einträge, davon 5 positiv und 5 nachgemeldet" in body

    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = report_runs(lanes_home)
    assert (again["delivered"], again["client_reports"], again["attachments"]) == (0, 0, 0)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    resent = report_runs(lanes_home, "--resend")
    assert resent["delivered"] == 1
    assert len(list((lanes_home.root / "outbox").glob("*.eml"))) == 2

    events = query(
        lanes_home,
        "SELECT event_type, payload::VARCHAR AS payload FROM event_log "
        "WHERE event_type LIKE 'report.%' ORDER BY created_at",
    )
    store = open_store(load_config(lanes_home), read_only=True)
    try:
        names = [c["full_name"] for _, c in store.read_objects("canonical_objects", "contact")]
    finally:
        store.close()
    # the second run neither rendered nor sent; the resend sent the stored report again
    assert [e["event_type"] for e in events] == ["report.generated", "report.delivered", "report.delivered"]
    text = json.dumps(events)
    assert not any(name in text for name in names)


def test_smtp_delivery_sends_the_pdfs_to_the_allowed_recipients(lanes_home: PhiHome, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    config = (
        lanes_home.config_path.read_text()
        .replace("  delivery: outbox ", "  delivery: smtp ")
        .replace(
            "  # smtp: {host: smtp.example.org, port: 587, security: starttls}",
            f"  smtp: {{host: 127.0.0.1, port: {port}, security: none}}",
        )
    )
    lanes_home.config_path.write_text(config)
    try:
        counts = report_runs(lanes_home, "--resend")
    finally:
        lanes_home.config_path.write_text(config.replace("  delivery: smtp ", "  delivery: outbox "))
    assert counts["delivered"] == 1
    [(recipients, raw)] = sink.messages
    assert recipients == ["j.weber@praxis-weber.example"]
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    body = parsed.get_body(preferencelist=("plain",)).get_content()
    assert WEEK in body and "Verlaufsbericht" in body
    names = [a.get_filename() for a in parsed.iter_attachments()]
    assert names[0] == f"praxisbericht-{WEEK}.pdf" and len(names) == len(
        list((lanes_home.root / "reports" / WEEK).glob("*.pdf"))
    )


def test_a_recipient_off_the_allowlist_fails_the_job_before_any_report_is_built(lanes_home: PhiHome) -> None:
    config = lanes_home.config_path.read_text()
    lanes_home.config_path.write_text(
        config.replace("recipients: [j.weber@praxis-weber.example]", "recipients: [someone@elsewhere.example]")
    )
    try:
        result = lorc(lanes_home, "run", "generate_weekly_report", "--week", "2026-W44")
    finally:
        lanes_home.config_path.write_text(config)
    assert result.exit_code == 1
    assert "not on the allowlist: reports.recipients item 1" in result.stdout
    assert "elsewhere" not in result.stdout + result.stderr + (lanes_home.root / "logs" / "lorc.log").read_text()
    assert not (lanes_home.root / "reports" / "2026-W44").exists()
