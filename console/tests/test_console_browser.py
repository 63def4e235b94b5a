"""The console in a real browser over a real `lorc serve` on the sample warehouse:
signing in, refusals, headers, nothing leaving loopback, and the Runs and Reports pages
checked against the warehouse."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from selenium.webdriver.common.by import By

from browser import Browser, Server
from lorc_console.guard import HEADERS
from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.runlock import lock_path, run_lock
from lorchestra.stack_clients import open_store

PAGES = ("/", "/pipeline", "/clients", "/runs", "/reports")
BROWSER_INTERNAL = {"chrome", "data", "about", "blob"}  # Chromium's own pages (the new tab), never the network


def warehouse(server: Server, read: object) -> object:
    """``read(store)`` on the sample warehouse, read-only, as a notebook would."""
    env = {k: v for k, v in server.home.env.items() if k.startswith("LORC_")}
    store = open_store(load_config(PhiHome(server.home.root), {**os.environ, **env}), read_only=True)
    try:
        return read(store)  # type: ignore[operator]
    finally:
        store.close()


def signed_in_client(browser: Browser) -> httpx.Client:
    cookie = browser.cookie()
    return httpx.Client(base_url=browser.server.base, cookies={cookie["name"]: cookie["value"]})


def test_the_start_url_signs_in_and_leaves_the_address_bar(browser: Browser) -> None:
    assert browser.landed_at == browser.server.url("/")
    cookie = browser.cookie()
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # no TLS on loopback
    assert "token" not in browser.driver.current_url


def test_the_start_token_works_once(browser: Browser) -> None:
    again = httpx.get(browser.server.start_url, follow_redirects=False)
    assert again.status_code == 401
    assert "set-cookie" not in again.headers
    assert "lorc serve" in again.text  # how to get a new URL


@pytest.mark.parametrize("path", ["/", "/runs", "/reports", "/runs/live.json", "/static/console.css", "/nowhere"])
def test_a_request_without_the_session_cookie_is_401(server: Server, path: str) -> None:
    response = httpx.get(server.url(path), follow_redirects=False)
    assert response.status_code == 401
    assert {k.lower(): v for k, v in HEADERS.items()}.items() <= {
        k.lower(): v for k, v in response.headers.items()
    }.items()


def test_every_response_has_the_strict_headers(browser: Browser) -> None:
    with signed_in_client(browser) as client:
        responses = [client.get(path) for path in ("/runs", "/reports", "/static/console.css", "/static/console.js")]
        responses += [client.get("/nowhere"), httpx.get(browser.server.url("/runs"))]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 401]
    for response in responses:
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)


def test_a_foreign_host_header_is_refused(browser: Browser) -> None:
    cookie = browser.cookie()
    response = httpx.get(
        browser.server.url("/runs"), headers={"Host": "rebound.example"}, cookies={cookie["name"]: cookie["value"]}
    )
    assert response.status_code == 400


def test_a_post_without_the_csrf_token_is_403(browser: Browser) -> None:
    with signed_in_client(browser) as client:
        assert client.post("/followups", data={"flag_key": "x"}).status_code == 403
        assert client.post("/followups", data={"flag_key": "x", "csrf_token": "wrong"}).status_code == 403


def test_no_request_leaves_loopback_and_the_csp_is_never_violated(browser: Browser) -> None:
    for path in PAGES:
        browser.open(path)
    browser.open("/clients")
    clients = browser.driver.find_elements(By.CSS_SELECTOR, "a[href^='/clients/']")
    assert clients
    browser.open(urlsplit(str(clients[0].get_attribute("href"))).path)  # a client page: charts, tables
    network = [urlsplit(url) for url in browser.requests if urlsplit(url).scheme not in BROWSER_INTERNAL]
    assert {(u.scheme, u.hostname) for u in network} == {("http", "127.0.0.1")}
    assert browser.server.url("/static/console.js") in browser.requests  # the log does see the page's requests
    violations = [e["message"] for e in browser.console if "Content Security Policy" in e["message"]]
    assert violations == []
    errors = [e["message"] for e in browser.console if e["level"] == "SEVERE"]
    assert errors == []


def test_the_runs_page_shows_each_failure_with_its_message_from_event_log(browser: Browser) -> None:
    failed = warehouse(browser.server, lambda store: store.read_events(("job.failed",)))
    assert failed, "the sample home has a failed job"
    browser.open("/runs")
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "tr.failure")
    shown = {
        (r.find_element(By.CSS_SELECTOR, "td:nth-child(2)").text, r.find_element(By.CSS_SELECTOR, ".fix").text)
        for r in rows
    }
    for event in failed:  # type: ignore[attr-defined]
        assert (event.payload["job"], event.error_message) in shown
    assert "Erika Mustermann" not in browser.driver.page_source  # what the job's exception quoted


def test_the_reports_page_lists_the_delivered_weeks_and_serves_their_pdfs(browser: Browser) -> None:
    delivered = warehouse(browser.server, lambda store: store.read_table("report_deliveries"))
    weeks = {row["week"] for row in delivered if row["kind"] == "weekly_report"}  # type: ignore[attr-defined]
    assert weeks
    page = browser.open("/reports")
    listed = {row.get_attribute("data-week") for row in browser.driver.find_elements(By.CSS_SELECTOR, "tr.week")}
    assert weeks <= listed
    recipients = load_config(PhiHome(browser.server.home.root)).section("reports").get("recipients") or []
    assert recipients and not [address for address in recipients if address in page]
    links = [a.get_attribute("href") for a in browser.driver.find_elements(By.CSS_SELECTOR, "ul.pdfs a")]
    assert links
    with signed_in_client(browser) as client:
        pdf = client.get(links[0])
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-disposition"].startswith("attachment")
        week = urlsplit(links[0]).path.split("/")[2]
        for bad in (f"/reports/{week}/..%2F..%2Fconfig.yaml", "/reports/..%2F/config.pdf", f"/reports/{week}/x.pdf"):
            assert client.get(bad).status_code == 404


def test_the_runs_page_follows_a_running_pipeline_live(browser: Browser) -> None:
    """console.js polls /runs/live.json: the current job appears, and the page reloads when the run ends."""
    from selenium.webdriver.support.ui import WebDriverWait

    home = PhiHome(browser.server.home.root)
    record = ActivityRecord(activity_path(home))
    started = datetime.now(UTC)
    with run_lock(lock_path(home), run_id="run-live-browser"):
        record.job_started("run-live-browser", "extract_email", started)
        browser.open("/runs")
        live = browser.driver.find_element(By.ID, "live")
        assert live.get_attribute("data-running") == "true"
        WebDriverWait(browser.driver, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#live .live-current").text == "extract_email"
        )
        record.job_ended(
            "run-live-browser", "extract_email", at=started, status="ok", duration_ms=1, counts={}, error=None
        )
    WebDriverWait(browser.driver, 30).until(
        lambda d: d.find_element(By.ID, "live").get_attribute("data-running") == "false"
    )  # the run ended: the page loaded again, without it
    browser.collect()
