"""Today, Sales pipeline, Clients and a client's page in a real browser over a real
`lorc serve` on the sample warehouse, checked against the warehouse; and a clinician
marking an item-9 flag followed up in the browser, which the next weekly report shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import Browser, SampleHome, lorc, open_browser, started_server
from lorchestra.stack_clients import open_store
from lorchestra.stack_clients.views import view_path
from sample_warehouse import SAMPLE_WEEK, config_of, copy_home, make_day_home

CLINICIANS = ("Dr. Weber", "M. Klein")


@pytest.fixture(scope="module")
def day_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    built = make_day_home(tmp_path_factory.mktemp("day-browser-sample"))
    home = copy_home(built, tmp_path_factory.mktemp("day-browser"), clinicians=CLINICIANS)
    with started_server(home) as server, open_browser(server) as browser:
        yield browser


def view(home: SampleHome, name: str, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect() as con:
        return con.execute(sql.replace("VIEW", f"read_parquet('{view_path(config_of(home).home, name)}')")).fetchall()


def warehouse(home: SampleHome, read: Any) -> Any:
    store = open_store(config_of(home), read_only=True)
    try:
        return read(store)
    finally:
        store.close()


def attributes(browser: Browser, css: str, attribute: str) -> list[str]:
    return [str(e.get_attribute(attribute)) for e in browser.driver.find_elements(By.CSS_SELECTOR, css)]


def test_the_pages_show_what_the_warehouse_holds(day_browser: Browser) -> None:
    home = day_browser.server.home
    day_browser.open("/")
    awaiting = view(
        home, "inbox_view", "SELECT conversation_key FROM VIEW WHERE awaiting_reply ORDER BY last_inbound_at"
    )
    assert attributes(day_browser, "#awaiting tr.waiting", "data-conversation-key") == [k for (k,) in awaiting]
    flags = warehouse(home, lambda s: {k for k, _ in s.read_objects("canonical_objects", "safety_flag")})
    assert set(attributes(day_browser, "#flags tr.flag", "data-flag-key")) == flags
    assert attributes(day_browser, "#last-run p", "data-status") == ["failed"]

    day_browser.open("/pipeline")
    total = view(home, "inbox_view", "SELECT count(*) FROM VIEW")[0][0]
    assert len(attributes(day_browser, "tr.conversation", "data-conversation-key")) == total
    assert len(day_browser.driver.find_elements(By.CSS_SELECTOR, ".week-charts svg")) == 4

    day_browser.open("/clients")
    measured = {c for (c,) in view(home, "measurement_timeseries", "SELECT DISTINCT client_id FROM VIEW")}
    assert set(attributes(day_browser, "tr.client", "data-client-id")) == measured

    pdf = next((home.root / "reports" / SAMPLE_WEEK).glob("verlauf-*.pdf"))
    client_id = pdf.stem.removeprefix(f"verlauf-{SAMPLE_WEEK}-")
    day_browser.open(f"/clients/{client_id}")
    scores = view(home, "measurement_timeseries", f"SELECT count(*) FROM VIEW WHERE client_id = '{client_id}'")[0][0]
    tables = day_browser.driver.find_elements(By.CSS_SELECTOR, ".progress-report table")
    assert len(tables[-1].find_elements(By.CSS_SELECTOR, "tbody tr")) == scores  # "Alle Werte": every score
    assert day_browser.driver.find_elements(By.CSS_SELECTOR, ".progress-report svg g.panel")
    links = attributes(day_browser, "#pdfs a", "href")
    assert links == [day_browser.server.url(f"/reports/{SAMPLE_WEEK}/{pdf.name}")]


def test_a_clinician_marks_a_flag_followed_up_in_the_browser_and_the_next_report_shows_it(
    day_browser: Browser,
) -> None:
    home = day_browser.server.home
    reported = warehouse(
        home, lambda s: {r["flag_key"] for r in s.read_table("safety_flag_deliveries") if r["kind"] == "weekly_report"}
    )
    day_browser.open("/")
    rows = day_browser.driver.find_elements(By.CSS_SELECTOR, "#flags tr.flag")
    row = next(r for r in rows if r.get_attribute("data-flag-key") in reported)  # a flag a report carried
    key = str(row.get_attribute("data-flag-key"))
    Select(row.find_element(By.CSS_SELECTOR, "select[name=by]")).select_by_visible_text("M. Klein")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(day_browser.driver, 30).until(lambda d: "notice=" in d.current_url)
    assert day_browser.driver.current_url == day_browser.server.url("/?notice=recorded")
    assert day_browser.driver.find_elements(By.CSS_SELECTOR, ".notice-recorded")
    assert key not in attributes(day_browser, "#flags tr.flag", "data-flag-key")
    marks = warehouse(home, lambda s: s.read_table("safety_followups"))
    assert [(m["flag_key"], m["followed_up_by"]) for m in marks] == [(key, "M. Klein")]
    day_browser.collect()
    assert not [e for e in day_browser.console if "Content Security Policy" in e["message"]]

    iso = datetime.now(UTC).isocalendar()
    week = f"{iso.year:04d}-W{iso.week:02d}"  # the next report's week: running, so previewed
    done = lorc(home, "run", "generate_weekly_report", "--week", week, "--preview")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (home.root / "reports" / week / f"vorschau-praxisbericht-{week}.html").read_text()
    section = re.search(r'<section class="followed-up">.*?</section>', html, re.S)
    assert section, "the report lists the follow-ups recorded since the last report"
    [shown] = re.findall(r"<tr><td.*?</tr>", section.group(0), re.S)
    assert "M. Klein" in shown and f"{marks[0]['followed_up_at']:%d.%m.%Y}" in shown
