"""reporting_snapshots updated with only what changed equals a full rebuild, on both backends.

Canonical e-mails and questionnaire responses are written as the canonizer writes them;
the real jobs score them and build inbox_view, the measurement series and the snapshot.
After each change (new e-mails, a reply to a conversation awaiting one since weeks, new
responses, an edited earlier response, a new item-9 flag, a new week) the build must be
an update of only some weeks, and the table must equal the rows a full computation gives;
at the end a forced full rebuild must give the same table once more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from canonizer.jobs_inbox import build_inbox_view
from final_form.jobs import build_measurement_timeseries, score_gad7, score_phq9
from lorchestra.config import Config
from lorchestra.jobkit import CanonicalRow, JobContext, projection
from lorchestra.stack_clients import EventClient, Store, open_store
from reporter.jobs import snapshots as snapshot_job
from reporter.jobs.reading import projection_rows, safety_flags
from reporter.snapshots import SnapshotInputs, snapshot_rows, weeks_between
from reporter.weeks import week_bounds, week_of

PRACTICE = "praxis@praxis-weber.example"
ANSWERS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
NOW = datetime.now(UTC)
THIS_WEEK = week_of(NOW.date())
START = week_bounds(THIS_WEEK)[0] - timedelta(weeks=5)  # the Monday five weeks ago


def at(days: float) -> str:
    """``days`` after the Monday five weeks ago (never later than now)."""
    return min(START + timedelta(days=days), NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def email(key: str, days: float, frm: str, *, to: str = PRACTICE, reply_to: str | None = None) -> dict[str, Any]:
    return {
        "message_id": f"<{key}>",
        "message_key": key,
        "source": {"system": "gmail", "mailbox": PRACTICE, "native_id": f"n-{key}", "thread_id": None},
        "thread_key": None,
        "from": {"name": frm.split("@")[0].title(), "email": frm},
        "to": [{"name": None, "email": to}],
        "cc": [],
        "subject": "Anfrage",
        "sent_at": at(days),
        "sent_at_source": "date_header",
        "received_at": at(days),
        "direction": "outbound" if frm == PRACTICE else "inbound",
        "preview": "",
        "body_text": "",
        "labels": [],
        "has_attachments": False,
        "in_reply_to": reply_to,
        "references": [reply_to] if reply_to else [],
    }


def response(response_id: str, client: str | None, days: float, phq9: list[int], gad7: list[int]) -> dict[str, Any]:
    def bound(prefix: str, scores: list[int]) -> dict[str, Any]:
        return {
            "answers": [ANSWERS[s] for s in scores],
            "question_ids": [f"{prefix}{n}" for n in range(1, len(scores) + 1)],
            "missing_items": [],
            "invalid_items": [],
            "difficulty": None,
        }

    return {
        "response_id": response_id,
        "form_id": "form-1",
        "form_title": "Verlauf",
        "respondent_email": f"{client or 'nobody'}@example.test",
        "client_id": client,
        "submitted_at": at(days),
        "created_at": at(days),
        "instruments": {"phq9": bound("p", phq9), "gad7": bound("g", gad7)},
        "unmapped_question_ids": [],
    }


class Warehouse:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.store: Store = open_store(config)
        self.store.ensure_schema(create_dataset=True)
        self.events = EventClient(self.store, run_id="run-test", job_name="test", tmp_dir=config.home.tmp_dir)

    def write(self, object_type: str, objects: dict[str, dict[str, Any]]) -> None:
        schema = {
            "email": "iglu:org.canonical/email/jsonschema/1-0-0",
            "contact": "iglu:org.canonical/contact/jsonschema/1-0-0",
            "questionnaire_response": "iglu:org.canonical/questionnaire_response/jsonschema/1-0-0",
        }[object_type]
        self.store.upsert_canonical(
            [
                CanonicalRow(key, object_type, schema, f"raw:{key}", str(hash(repr(p))), "test", p)
                for key, p in objects.items()
            ],
            run_id="run-test",
            now=datetime.now(UTC),
        )

    def run(self, job: Callable[[JobContext], Any]) -> dict[str, int]:
        ctx = self.context(job.__name__)
        return dict(job(ctx).counts)

    def context(self, name: str) -> JobContext:
        return JobContext(
            store=self.store,
            events=self.events,
            config=self.config,
            run_id="run-test",
            job_name=name,
            logger=logging.getLogger("test"),
        )

    def build(self) -> dict[str, int]:
        for job in (build_inbox_view, score_phq9, score_gad7, build_measurement_timeseries):
            self.run(job)
        return self.run(snapshot_job.build_reporting_snapshots)

    def table(self) -> list[tuple[Any, ...]]:
        return sorted(
            (r["week"], r["figure"], r["value"], r["n"]) for r in self.store.read_table("reporting_snapshots")
        )

    def full_computation(self) -> list[tuple[Any, ...]]:
        """What a full build of the current projections gives, computed here."""
        ctx = self.context("check")
        inputs = SnapshotInputs(*(projection_rows(ctx, name) for name in snapshot_job.READS), safety_flags(ctx))
        span = inputs.span(snapshot_job.utcnow().date())
        assert span is not None
        rows = snapshot_rows(inputs, weeks_between(*span), NOW)
        return sorted((r["week"], r["figure"], r["value"], r["n"]) for r in rows)


@pytest.fixture
def warehouse(backend_config: Config) -> Iterator[Warehouse]:
    opened = Warehouse(backend_config)
    try:
        yield opened
    finally:
        opened.store.close()


def updated(warehouse: Warehouse) -> dict[str, int]:
    """Build; the snapshot must be an update equal to the full computation."""
    counts = warehouse.build()
    assert counts["full_rebuild"] == 0, counts
    assert warehouse.table() == warehouse.full_computation()
    return counts


def test_updates_equal_a_full_rebuild(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    w = warehouse
    w.write("contact", {"c-ada": {"contact_id": "ada", "full_name": "Ada", "email": "ada@example.test"}})
    w.write(
        "email",
        {
            "m1": email("m1", 0.5, "ada@example.test"),
            "m2": email("m2", 0.6, PRACTICE, to="ada@example.test", reply_to="m1"),
            "m3": email("m3", 8.2, "ben@example.test"),  # awaiting a reply since week 2
            "m4": email("m4", 15.0, "cem@example.test"),
        },
    )
    w.write(
        "questionnaire_response",
        {
            "r1": response("r1", "ada", 1.0, [3, 3, 2, 2, 2, 2, 2, 2, 0], [2] * 7),
            "r2": response("r2", "ada", 9.0, [1, 1, 1, 1, 1, 1, 1, 1, 0], [1] * 7),
            "r3": response("r3", "bea", 9.5, [2, 2, 2, 2, 2, 2, 2, 2, 0], [2] * 7),
        },
    )
    first = w.build()
    assert first["full_rebuild"] == 1 and first["weeks"] == 6
    assert w.table() == w.full_computation()
    awaiting = {r[0]: r[2] for r in w.table() if r[1] == "awaiting_reply_at_week_end"}
    assert [awaiting[week] for week in sorted(awaiting)] == [0, 1, 2, 2, 2, 2]
    assert w.build() == {"weeks": 0, "rows": 0, "full_rebuild": 0}  # nothing changed

    # new e-mails: a new inquiry this week
    w.write("email", {"m5": email("m5", 36.0, "dan@example.test")})
    assert updated(w)["weeks"] == 1

    # a reply now to the conversation awaiting one since week 2: every week from then on changes
    w.write("email", {"m6": email("m6", 36.5, PRACTICE, to="ben@example.test", reply_to="m3")})
    assert updated(w)["weeks"] >= 4
    awaiting = {r[0]: r[2] for r in w.table() if r[1] == "awaiting_reply_at_week_end"}
    assert awaiting[week_of(START.date() + timedelta(days=8))] == 0

    # new responses, one of them with item 9 positive (a new flag)
    w.write(
        "questionnaire_response",
        {
            "r4": response("r4", "ada", 22.0, [0, 0, 0, 0, 0, 0, 0, 0, 0], [0] * 7),
            "r5": response("r5", "cem", 23.0, [2, 2, 2, 2, 2, 2, 2, 2, 2], [2] * 7),
        },
    )
    counts = updated(w)
    assert 0 < counts["weeks"] < 6
    flags = {r[0]: r[2] for r in w.table() if r[1] == "item9_flags"}
    assert flags[week_of(START.date() + timedelta(days=23))] == 1

    # an edited earlier response: Ada's course changes in every week she was measured
    w.write("questionnaire_response", {"r2": response("r2", "ada", 9.0, [3] * 8 + [0], [3] * 7)})
    updated(w)

    # a new week: its rows are added, nothing else is recomputed
    later = NOW + timedelta(weeks=1)
    for module in (snapshot_job, projection):  # the snapshot's clock and the one its build state is checked by
        monkeypatch.setattr(module, "utcnow", lambda: later)
    counts = w.build()
    assert counts["full_rebuild"] == 0 and counts["weeks"] == 1 and counts["items_changed"] == 0
    assert {r[0] for r in w.table()} >= {week_of(later.date())}
    monkeypatch.undo()

    # the same table from scratch
    before = [r for r in w.table() if r[0] != week_of(later.date())]
    w.context("forget").state.put("projection:reporting_snapshots+reporting_snapshots_inputs", {"build": None})
    assert w.build()["full_rebuild"] == 1
    assert w.table() == before
