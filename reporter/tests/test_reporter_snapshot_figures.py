"""The weekly report takes its figures from reporting_snapshots (so the report and the
console cannot differ) and shows who followed up a safety flag (safety_followups), on the
sample data through both lanes (real Meltano)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lorchestra.config import Config, load_config
from lorchestra.followups import mark_followed_up
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.stack_clients import connect_views, open_store
from report_support import lorc, new_home, query
from reporter.formatting import human_duration
from reporter.weeks import week_bounds

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
    "build_reporting_snapshots",
]
WEEK = "2026-W46"  # the sample mail is of this week; measurements since W38
KEY_FIGURES = {  # the report's key figure labels, and the figure each shows
    "neue Anfragen": "new_inquiries",
    "davon inzwischen Klient:innen": "became_clients",
    "warten auf Antwort": "awaiting_reply_at_week_end",
    "Klient:innen gemessen": "clients_measured",
    "Fragebogen-Rückläufe": "responses",
    "ungültige Werte": "invalid_responses",
    "hochgerechnete Werte": "prorated_responses",
}


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> PhiHome:
    home = PhiHome(tmp_path_factory.mktemp("snapshot") / "lorc-home")
    init_home(home)
    result = lorc(home, "run", *LANES)
    assert result.exit_code == 0, result.stdout + result.stderr
    return home


def snapshot(home: PhiHome, week: str) -> dict[str, dict[str, Any]]:
    rows = query(home, f"SELECT figure, value, n FROM reporting_snapshots WHERE week = '{week}'")
    return {r["figure"]: r for r in rows}


def preview(home: PhiHome) -> str:
    result = lorc(home, "run", "generate_weekly_report", "--week", WEEK, "--preview")
    assert result.exit_code == 0, result.stdout + result.stderr
    return (home.root / "reports" / WEEK / f"vorschau-praxisbericht-{WEEK}.html").read_text()


def shown(html: str) -> dict[str, str]:
    """``{label start: value}`` of the report's key figures."""
    found = re.findall(r'<span class="value">([^<]*)</span><span class="label">([^<(]*)', html)
    return {label.strip(): value for value, label in found}


def change_cell(html: str, label: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", html)
    assert row is not None, label
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_rendered_report_shows_the_snapshot_rows_of_its_week(sample_home: PhiHome) -> None:
    figures = snapshot(sample_home, WEEK)
    assert figures["new_inquiries"]["value"] > 0 and figures["clients_measured"]["value"] > 0  # a week with data
    html = preview(sample_home)
    values = shown(html)
    for label, figure in KEY_FIGURES.items():
        assert values[label] == str(int(figures[figure]["value"])), label
    median = figures["median_first_response_minutes"]
    assert values["Median erste Antwort"] == human_duration(median["value"])
    assert f"Median erste Antwort ({median['n']} beantwortet)" in html
    assert change_cell(html, "reliable Verbesserung") == [
        str(int(figures[f"{i}.improvement"]["value"])) for i in ("phq9", "gad7", "combined")
    ]
    assert figures["improvement"] == {**figures["combined.improvement"], "figure": "improvement"}
    # the console reads the same rows from the published view, while a run holds the warehouse
    published = (
        connect_views(sample_home)
        .execute("SELECT figure, value, n FROM reporting_snapshots WHERE week = ?", [WEEK])
        .fetchall()
    )
    assert {f: {"figure": f, "value": v, "n": n} for f, v, n in published} == figures


def test_the_report_reads_the_snapshot_rather_than_counting_again(sample_home: PhiHome) -> None:
    """A snapshot value the projections do not give (written here; nothing it is built from
    changed, so the build before the report leaves it) is the one the report shows."""
    store = open_store(load_config(sample_home))
    try:
        store.connection.execute(  # type: ignore[attr-defined]
            "UPDATE reporting_snapshots SET value = 4711 WHERE week = ? AND figure = 'new_inquiries'", [WEEK]
        )
    finally:
        store.close()
    assert shown(preview(sample_home))["neue Anfragen"] == "4711"
    _forget_snapshot(sample_home)  # as if never built: the report job builds it before it reads it
    assert shown(preview(sample_home))["neue Anfragen"] == str(
        int(snapshot(sample_home, WEEK)["new_inquiries"]["value"])
    )
    assert snapshot(sample_home, WEEK)["new_inquiries"]["value"] != 4711


def test_a_followed_up_flag_shows_who_followed_it_up_and_when(sample_home: PhiHome) -> None:
    html = preview(sample_home)
    assert "nachverfolgt von" not in html  # nothing followed up yet
    end = week_bounds(WEEK)[1]
    flags = [
        r["idem_key"]
        for r in query(
            sample_home,
            "SELECT idem_key, payload->>'measured_at' AS at FROM canonical_objects WHERE object_type = 'safety_flag' "
            "ORDER BY idem_key",
        )
        if datetime.fromisoformat(r["at"].replace("Z", "+00:00")) < end
    ]
    assert flags, "the sample has item-9 flags up to the week"
    config = home_config_with_clinicians(sample_home, "JW")
    assert mark_followed_up(config, flags[0], "JW", now=datetime(2026, 11, 10, 9, 30, tzinfo=UTC)) == "recorded"
    html = preview(sample_home)
    assert html.count("nachverfolgt von JW am 10.11.2026") == 1


def home_config_with_clinicians(home: PhiHome, *names: str) -> Config:
    text = home.config_path.read_text()
    assert "  clinicians: []" in text
    home.config_path.write_text(text.replace("  clinicians: []", f"  clinicians: [{', '.join(names)}]"))
    return load_config(home)


def _forget_snapshot(home: PhiHome) -> None:
    store = open_store(load_config(home))
    try:
        store.connection.execute(  # type: ignore[attr-defined]
            "DELETE FROM job_state WHERE consumer = 'projection:reporting_snapshots+reporting_snapshots_inputs'"
        )
    finally:
        store.close()


def test_doctor_names_a_config_whose_pipelines_do_not_build_the_snapshot(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    assert "ok   report delivery: reports go to the outbox\n" in lorc(home, "doctor").stdout
    text = home.config_path.read_text()
    home.config_path.write_text(text.replace("build_reporting_snapshots, ", ""))  # a config from before
    done = lorc(home, "doctor")
    assert "add build_reporting_snapshots to pipelines.daily.jobs" in done.stdout
