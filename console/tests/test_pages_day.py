"""Today, Sales pipeline, Clients and a client's page over a real sample warehouse
(``lorc run --pipeline daily``), through the real app with Starlette's TestClient; the
rendered content is checked against the warehouse, read here on its own path."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from starlette.testclient import TestClient

from browser import SampleHome
from lorc_console.app import create_app
from lorc_console.models.pipeline import FIGURES
from lorchestra.activity import ActivityRecord, activity_path
from lorchestra.config import Config
from lorchestra.followups import mark_followed_up
from lorchestra.stack_clients import open_store
from lorchestra.stack_clients.views import view_path
from reporter.instruments import instrument_name, instrument_order
from reporter.weeks import parse_timestamp
from sample_warehouse import SAMPLE_WEEK, attribute_values, config_of, copy_home, make_day_home, section

TOKEN = "test-start-token"
CLINICIANS = ("Dr. Weber", "M. Klein")


@pytest.fixture(scope="session")
def day_home(tmp_path_factory: pytest.TempPathFactory) -> SampleHome:
    return make_day_home(tmp_path_factory.mktemp("day-sample"))


def signed_in(config: Config) -> TestClient:
    client = TestClient(create_app(config, token=TOKEN), base_url="http://localhost")
    assert client.get(f"/login?token={TOKEN}", follow_redirects=False).status_code == 303
    return client


@pytest.fixture
def console(day_home: SampleHome, tmp_path: Path) -> Iterator[tuple[TestClient, Config]]:
    config = config_of(copy_home(day_home, tmp_path, clinicians=CLINICIANS))
    with signed_in(config) as client:
        yield client, config


def view(config: Config, name: str, sql: str) -> list[tuple[Any, ...]]:
    path = view_path(config.home, name)
    with duckdb.connect() as con:
        return con.execute(sql.replace("VIEW", f"read_parquet('{path}')")).fetchall()


def warehouse(config: Config, read: Any) -> Any:
    store = open_store(config, read_only=True)
    try:
        return read(store)
    finally:
        store.close()


def flag_keys(config: Config) -> set[str]:
    return warehouse(config, lambda s: {k for k, _ in s.read_objects("canonical_objects", "safety_flag")})


def followups(config: Config) -> list[dict[str, Any]]:
    return warehouse(config, lambda s: s.read_table("safety_followups") if s.has_table("safety_followups") else [])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def test_today_shows_the_warehouse_awaiting_list_open_flags_and_last_run(console: tuple[TestClient, Config]) -> None:
    client, config = console
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    awaiting = view(
        config, "inbox_view", "SELECT conversation_key FROM VIEW WHERE awaiting_reply ORDER BY last_inbound_at"
    )
    assert awaiting, "the sample has conversations awaiting a reply"
    assert attribute_values(section(html, "awaiting"), "data-conversation-key") == [k for (k,) in awaiting]
    shown_flags = attribute_values(section(html, "flags"), "data-flag-key")
    assert shown_flags and set(shown_flags) == flag_keys(config) and len(shown_flags) == len(set(shown_flags))
    assert "Warten auf Antwort" in html and "Item 9 (PHQ-9): offen" in html  # practice.locale defaults to de
    last = warehouse(config, lambda s: s.read_events(("job.completed", "job.failed"), limit=1))[0]
    assert attribute_values(section(html, "last-run"), "data-run-id") == [str(last.correlation_id)]
    assert attribute_values(section(html, "last-run"), "data-status") == ["failed"]  # the sample's failing job
    assert "example_synthetic_ingest" in section(html, "last-run")
    options = re.findall(r'<option value="([^"]*)">', section(html, "flags"))
    assert set(options) == {"Dr. Weber", "M. Klein"}
    assert "style=" not in html and "<style" not in html


def test_marking_a_flag_followed_up_records_it_and_it_leaves_today(console: tuple[TestClient, Config]) -> None:
    client, config = console
    html = client.get("/").text
    key = attribute_values(section(html, "flags"), "data-flag-key")[0]
    form = {"csrf_token": csrf_of(html), "flag_key": key, "by": "M. Klein"}
    answer = client.post("/followups", data=form, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/?notice=recorded")
    after = client.get(answer.headers["location"]).text
    assert "Vermerkt" in after
    assert key not in attribute_values(section(after, "flags"), "data-flag-key")
    assert [(r["flag_key"], r["followed_up_by"]) for r in followups(config)] == [(key, "M. Klein")]
    audit = warehouse(config, lambda s: s.read_events(("safety_flag.followed_up",)))
    assert [e.payload for e in audit] == [{"flag_key": key, "by": "M. Klein"}]
    again = client.post("/followups", data={**form, "by": "Dr. Weber"}, follow_redirects=False)
    assert again.headers["location"] == "/?notice=already"
    assert [r["followed_up_by"] for r in followups(config)] == ["M. Klein"]  # the first mark wins


def test_a_form_body_that_cannot_be_read_is_a_400_with_the_headers_and_writes_nothing(
    console: tuple[TestClient, Config],
) -> None:
    client, config = console
    client.get("/")
    answer = client.post(
        "/followups", content=b"garbage", headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert answer.status_code == 400
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    assert answer.headers["cache-control"] == "no-store"
    assert followups(config) == []
    assert warehouse(config, lambda s: s.read_events(("safety_flag.followed_up",))) == []
    assert not (config.home.root / "pending" / "followups.jsonl").exists()


def test_today_shows_a_run_killed_mid_job_as_interrupted_as_runs_does(console: tuple[TestClient, Config]) -> None:
    """The job a run was in when it was killed has no end event: only the activity record
    knows it, and with no live run lock it is interrupted, not running and not succeeded."""
    client, config = console
    record = ActivityRecord(activity_path(config.home))
    record.job_started("run-killed", "example_synthetic_ingest", datetime.now(UTC))  # after the sample's runs
    html = client.get("/").text
    assert attribute_values(section(html, "last-run"), "data-run-id") == ["run-killed"]
    assert attribute_values(section(html, "last-run"), "data-status") == ["interrupted"]
    assert "abgebrochen" in section(html, "last-run")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"csrf_token": None}, 403),
        ({"csrf_token": "forged"}, 403),
        ({"by": "someone else"}, 400),
        ({"by": None}, 400),
        ({"flag_key": "no-such-flag"}, 404),
        ({"flag_key": None}, 400),
    ],
)
def test_a_bad_follow_up_post_is_refused_and_writes_nothing(
    console: tuple[TestClient, Config], change: dict[str, str | None], status: int
) -> None:
    client, config = console
    html = client.get("/").text
    key = attribute_values(section(html, "flags"), "data-flag-key")[0]
    form = {"csrf_token": csrf_of(html), "flag_key": key, "by": "Dr. Weber", **change}
    answer = client.post("/followups", data={k: v for k, v in form.items() if v is not None}, follow_redirects=False)
    assert answer.status_code == status
    assert followups(config) == []
    assert warehouse(config, lambda s: s.read_events(("safety_flag.followed_up",))) == []
    assert key in attribute_values(section(client.get("/").text, "flags"), "data-flag-key")


def test_the_pipeline_page_filters_the_inbox_view_and_names_a_bad_filter(day_home: SampleHome, tmp_path: Path) -> None:
    config = config_of(copy_home(day_home, tmp_path, locale="en"))
    with signed_in(config) as client:
        every = client.get("/pipeline")
        assert every.status_code == 200 and "Conversations" in every.text  # English by practice.locale
        total = view(config, "inbox_view", "SELECT count(*) FROM VIEW")[0][0]
        assert len(attribute_values(every.text, "data-conversation-key", "conversation")) == total
        awaiting = client.get("/pipeline", params={"status": "awaiting reply"})
        expected = view(config, "inbox_view", "SELECT conversation_key FROM VIEW WHERE status = 'awaiting reply'")
        assert sorted(attribute_values(awaiting.text, "data-conversation-key", "conversation")) == sorted(
            k for (k,) in expected
        )
        mailbox = view(config, "inbox_view", "SELECT mailboxes[1] FROM VIEW WHERE len(mailboxes) > 0 LIMIT 1")[0][0]
        in_box = client.get("/pipeline", params={"mailbox": mailbox, "week": SAMPLE_WEEK})
        expected = view(
            config,
            "inbox_view",
            f"SELECT conversation_key FROM VIEW WHERE list_contains(mailboxes, '{mailbox}') "
            "AND first_inbound_at >= '2026-11-09' AND first_inbound_at < '2026-11-16'",
        )
        assert sorted(attribute_values(in_box.text, "data-conversation-key", "conversation")) == sorted(
            k for (k,) in expected
        )
        for query, parameter, hint in [
            ({"status": "lost"}, "status", "Choose a status"),
            ({"mailbox": "x@y"}, "mailbox", "Choose a mailbox"),
            ({"week": "46"}, "week", "A week as YYYY-Www"),
            ({"page": "-1"}, "page", "A page number from 1"),
            ({"sort": "name"}, "sort", "knows only the filters"),
        ]:
            bad = client.get("/pipeline", params=query)
            assert bad.status_code == 400
            assert attribute_values(bad.text, "data-parameter") == [parameter]
            assert hint in bad.text
        assert client.get("/pipeline", params={"page": "2"}).status_code == 200


def test_clients_show_each_clients_latest_scores_and_the_client_page_their_course(
    console: tuple[TestClient, Config],
) -> None:
    client, config = console
    listing = client.get("/clients").text
    rows = view(
        config,
        "measurement_timeseries",
        "SELECT client_id, instrument, measured_at, total FROM VIEW WHERE valid ORDER BY measured_at",
    )
    latest: dict[tuple[str, str], int] = {(c, i): t for c, i, _, t in rows}
    shown_clients = attribute_values(listing, "data-client-id", "client")
    assert set(shown_clients) == {c for c, _ in latest} | {
        c for (c,) in view(config, "measurement_timeseries", "SELECT DISTINCT client_id FROM VIEW")
    }
    for client_id in shown_clients:
        row = re.search(rf'data-client-id="{re.escape(client_id)}">(.*?)</tr>', listing, re.S)
        assert row
        cells = dict(re.findall(r'data-instrument="([a-z0-9]+)">([^<]*)<', row.group(1)))
        assert cells == {i: str(t) for (c, i), t in latest.items() if c == client_id}

    with_pdf = next(p for p in (config.home.root / "reports" / SAMPLE_WEEK).glob("verlauf-*.pdf"))
    client_id = with_pdf.stem.removeprefix(f"verlauf-{SAMPLE_WEEK}-")
    page = client.get(f"/clients/{client_id}")
    assert page.status_code == 200
    order = instrument_order()
    own = sorted(
        (
            (at, i, t)
            for c, i, at, t in view(
                config, "measurement_timeseries", "SELECT client_id, instrument, measured_at, total FROM VIEW"
            )
            if c == client_id
        ),
        key=lambda row: (row[0], order.index(row[1])),
    )
    scores = re.findall(
        r"<tr(?: class=\"in-week\")?><td class=\"nowrap\">([0-9.]+)</td><td>([^<]+)</td><td class=\"num\">([^<]+)</td>",
        page.text,
    )
    assert scores == [
        (parse_timestamp(at).strftime("%d.%m.%Y"), instrument_name(i), "–" if t is None else str(t)) for at, i, t in own
    ]
    assert "<svg" in page.text and "style=" not in page.text and "<style" not in page.text
    assert f'href="/reports/{SAMPLE_WEEK}/{with_pdf.name}"' in page.text
    assert client.get("/clients/no-such-client").status_code == 404


def test_the_ledgers_readers_name_the_columns_the_ledger_job_writes() -> None:
    from reporter.jobs import ledger
    from reporter.ledger_tables import DELIVERIES, DELIVERY_FIELDS, WEEKLY

    assert [c.name for c in ledger.DELIVERY_COLUMNS] == list(DELIVERY_FIELDS)
    assert (ledger.DELIVERIES, ledger.WEEKLY) == (DELIVERIES, WEEKLY)
    import lorc_console.pages.reports as page

    imported = {n.module for n in ast.walk(ast.parse(Path(page.__file__).read_text())) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m and m.startswith("reporter.jobs")}  # a page imports no job adapter


def test_the_weeks_figures_are_the_reporting_snapshots_rows(console: tuple[TestClient, Config]) -> None:
    """The page reads the rows the weekly report reads, so their numbers cannot differ."""
    client, config = console
    html = client.get("/pipeline", params={"week": SAMPLE_WEEK}).text
    rows = view(config, "reporting_snapshots", f"SELECT figure, value, n FROM VIEW WHERE week = '{SAMPLE_WEEK}'")
    snapshot = {figure: (value, n) for figure, value, n in rows}
    shown = dict(
        re.findall(r'<tr data-figure="([a-z_]+)">.*?</td><td class="muted">([^<]*)</td>', section(html, "figures"))
    )
    assert set(shown) == set(FIGURES) and set(FIGURES) <= set(snapshot)
    for figure in FIGURES:
        value, n = snapshot[figure]
        assert shown[figure] == ("" if n is None else f"n = {n}"), figure
        bars = re.findall(rf'data-week="{SAMPLE_WEEK}" data-value="([^"]+)"', html)
        assert value is None or f"{value:g}" in bars, figure
    new = dict(re.findall(r'<tr data-figure="(new_inquiries)"><th>[^<]*</th><td class="num value">([^<]*)</td>', html))
    assert new == {"new_inquiries": f"{snapshot['new_inquiries'][0]:.0f}"}


@contextmanager
def held_warehouse(config: Config) -> Iterator[None]:
    """Another process holds the DuckDB warehouse until the block ends (as a run does)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); input()",
            str(config.duckdb_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.communicate("\n", timeout=30)


def test_a_mark_while_another_process_holds_the_warehouse_is_pending_and_kept(
    console: tuple[TestClient, Config],
) -> None:
    client, config = console
    html = client.get("/").text  # read before the warehouse is held
    key = attribute_values(section(html, "flags"), "data-flag-key")[0]
    with held_warehouse(config):
        form = {"csrf_token": csrf_of(html), "flag_key": key, "by": "Dr. Weber"}
        answer = client.post("/followups", data=form, follow_redirects=False)
        assert answer.headers["location"] == "/?notice=pending"
        after = client.get(answer.headers["location"]).text
        assert "sobald der Lauf endet" in after
        row = re.search(rf'data-flag-key="{re.escape(key)}">(.*?)</tr>', section(after, "flags"), re.S)
        assert row and "vorgemerkt" in row.group(1) and "<form" not in row.group(1)  # shown, and not marked twice
    journal = config.home.root / "pending" / "followups.jsonl"
    assert [json.loads(line)["flag_key"] for line in journal.read_text().splitlines()] == [key]
    assert followups(config) == []  # recorded by the next run (lorchestra.followups)


def test_a_journaled_mark_shows_pending_after_a_restart(day_home: SampleHome, tmp_path: Path) -> None:
    config = config_of(copy_home(day_home, tmp_path, clinicians=CLINICIANS))
    key = sorted(flag_keys(config))[0]
    with held_warehouse(config):
        assert mark_followed_up(config, key, "Dr. Weber") == "pending"
    with signed_in(config) as client:  # a fresh app: nothing in its memory
        html = client.get("/").text
    row = re.search(rf'data-flag-key="{re.escape(key)}">(.*?)</tr>', section(html, "flags"), re.S)
    assert row and "vorgemerkt" in row.group(1) and "<form" not in row.group(1)
    assert html.count('class="pending"') == 1  # the other flags can still be marked
