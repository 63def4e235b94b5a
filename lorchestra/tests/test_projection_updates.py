"""A projection updated with only what changed equals the same projection built from scratch.

The practice fixtures at revision 1, then revision 2 of the mail (re-delivered and moved
messages) and of the forms (an edited response): both builds after revision 2 must be
updates, not rebuilds, and must leave exactly the tables a full build gives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend_sql import sql_rows
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.runner import run_jobs
from lorchestra.stack_clients import open_store

DAILY = [
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
TABLES = {
    "inbox_view": "conversation_key",
    "inbox_view_members": "member_key, email_key",
    "measurement_timeseries": "client_id, instrument, measured_at, response_id",
    "measurement_paired": "client_id",
}

INBOX = ("inbox_view", "inbox_view_members")


def counts(home: PhiHome, jobs: list[str], **params: str) -> dict[str, dict[str, int]]:
    report = run_jobs(jobs, home=home, params=params)
    assert report.ok, report.as_dict()
    return {o.name: dict(o.counts) for o in report.outcomes}


def snapshot(home: PhiHome, tables: tuple[str, ...] = tuple(TABLES)) -> dict[str, list[dict[str, Any]]]:
    store = open_store(load_config(home))
    try:
        return {name: sql_rows(store, f"SELECT * FROM {name} ORDER BY {TABLES[name]}") for name in tables}
    finally:
        store.close()


def test_updates_after_new_data_equal_a_full_rebuild(home: PhiHome) -> None:
    first = counts(home, DAILY)
    assert first["build_inbox_view"]["full_rebuild"] == 1 and first["build_measurement_timeseries"]["full_rebuild"] == 1

    mail = counts(home, ["extract_email", "canonicalize_email", "build_inbox_view"], revision="2")
    assert mail["canonicalize_email"]["outputs_inserted"] + mail["canonicalize_email"]["outputs_updated"] > 0
    assert mail["build_inbox_view"]["full_rebuild"] == 0 and mail["build_inbox_view"]["conversations"] > 0
    forms = counts(
        home,
        ["extract_forms", "canonicalize_questionnaires", "score_phq9", "score_gad7", "build_measurement_timeseries"],
        revision="2",
    )
    assert forms["build_measurement_timeseries"]["full_rebuild"] == 0
    assert forms["build_measurement_timeseries"]["clients_updated"] >= 1
    updated = snapshot(home)
    assert all(updated[name] for name in TABLES)

    again = counts(home, ["build_inbox_view", "build_measurement_timeseries"])
    assert again["build_inbox_view"] == {"emails": 0, "conversations": 0, "full_rebuild": 0}  # nothing new

    store = open_store(load_config(home))
    try:
        # a warehouse of an earlier version: no job state, a build state in the map ledger instead
        sql_rows(store, "DELETE FROM job_state WHERE consumer LIKE 'projection:%'")
        store.mark_processed(
            "projection:inbox_view+inbox_view_members",
            [("inputs", "an-earlier-basis", "ok")],
            run_id="earlier",
            now=datetime.now(UTC),
        )
    finally:
        store.close()
    rebuilt = counts(home, ["build_inbox_view", "build_measurement_timeseries"])
    assert rebuilt["build_inbox_view"]["full_rebuild"] == rebuilt["build_measurement_timeseries"]["full_rebuild"] == 1
    assert snapshot(home) == updated
    store = open_store(load_config(home))
    try:  # the earlier state was dropped, once; the build state is a named job state
        assert sql_rows(store, "SELECT count(*) AS n FROM processed_inputs WHERE consumer LIKE 'projection:%'") == [
            {"n": 0}
        ]
        assert {r["consumer"] for r in sql_rows(store, "SELECT consumer FROM job_state WHERE state_key = 'build'")} == {
            "projection:inbox_view+inbox_view_members",
            "projection:measurement_timeseries+measurement_paired",
        }
    finally:
        store.close()


def test_a_full_inbox_build_in_tiny_pages_and_ranges_and_its_update_equal_one_in_large_ones(
    home: PhiHome, monkeypatch: Any
) -> None:
    """The full build reads in key ranges (DuckDB) and builds pages of whole conversations;
    with one e-mail a page and two objects a range, every conversation of several e-mails is
    read back by key and every range border is crossed: the tables, and an update after
    new mail, must be what one large page gives."""
    import canonizer.inbox_pages as pages
    from lorchestra.stack_clients.duckdb_store import reads

    mail = ["extract_email", "canonicalize_email", "build_inbox_view"]
    counts(home, ["extract_contacts", "canonicalize_contacts", *mail])
    large = snapshot(home, INBOX)
    monkeypatch.setattr(pages, "PAGE_EMAILS", 1)
    monkeypatch.setattr(reads, "READ_RANGE_ROWS", 2)
    _forget_inbox_projection(home)
    assert counts(home, ["build_inbox_view"])["build_inbox_view"]["full_rebuild"] == 1
    tiny = snapshot(home, INBOX)
    assert tiny == large
    assert any(row["message_count"] > 1 for row in tiny["inbox_view"])  # conversations read back by key

    assert counts(home, mail, revision="2")["build_inbox_view"]["full_rebuild"] == 0
    updated = snapshot(home, INBOX)
    monkeypatch.undo()
    _forget_inbox_projection(home)
    assert counts(home, ["build_inbox_view"])["build_inbox_view"]["full_rebuild"] == 1
    rebuilt = snapshot(home, INBOX)
    assert rebuilt == updated


def _forget_inbox_projection(home: PhiHome) -> None:
    """The next build_inbox_view is a full one."""
    store = open_store(load_config(home))
    try:
        sql_rows(store, "DELETE FROM job_state WHERE consumer LIKE 'projection:inbox%'")
    finally:
        store.close()
