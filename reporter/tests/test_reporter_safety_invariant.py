"""The safety list's invariant under any order of extractions, edits, scoring and report
runs (issue 11, item 1): every item-9 flag appears in exactly one delivered weekly report.

A Hypothesis state machine drives a real warehouse (DuckDB, the runner, the report job
with outbox delivery) and keeps a model of what was submitted and scored. After every
report run it checks: no flag is in two delivered reports; every flag scored before a
report was delivered and measured before that report's week ended is in a delivered
report; and each delivered report's safety list shows exactly what the ledger says it
carried. Settings are fixed (derandomized, no example database) so CI runs the same
cases every time; about 40 s here.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from report_support import SCORING, emit, new_home, query, report, response, run
from reporter.weeks import parse_timestamp, week_bounds
from test_reporter_safety_list import safety_rows

WEEKS = [f"2026-W{n}" for n in range(40, 49)]  # all ended before this test was written
ANSWERS = [None, "Not at all", "Several days", "Nearly every day", "Manchmal"]  # the last is no valid answer
RESPONSES = ["R1", "R2", "R3", "R4", "R5"]


def flag_of(item9: str | None) -> str | None:
    return {None: "item9_unanswered", "Not at all": None, "Manchmal": "item9_invalid"}.get(item9, "item9_positive")


class SafetyListMachine(RuleBasedStateMachine):
    @initialize()
    def fresh_home(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="safety-"))
        self.home = new_home(self.tmp)
        self.submitted: dict[str, tuple[str, str | None]] = {}  # latest extraction: (lastSubmittedTime, item 9)
        self.flags: dict[tuple[str, str], str] = {}  # scored (response, flag) -> measured_at of its last scoring

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(
        rid=st.sampled_from(RESPONSES),
        week=st.sampled_from(WEEKS),
        hours=st.integers(0, 160),
        item9=st.sampled_from(ANSWERS),
        then_score=st.booleans(),
    )
    def extract(self, rid: str, week: str, hours: int, item9: str | None, then_score: bool) -> None:
        """A new response, or an edit of one (never earlier than the version before it);
        scored at once, as the daily pipeline does, or only at a later step."""
        moment = week_bounds(week)[0] + timedelta(hours=hours)
        if rid in self.submitted:
            moment = max(moment, parse_timestamp(self.submitted[rid][0]) + timedelta(hours=1))
        submitted = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        emit(self.home, "form_response", "responseId", [response(rid, submitted, item9)])
        self.submitted[rid] = (submitted, item9)
        if then_score:
            self.score()

    @rule()
    def score(self) -> None:
        assert run(self.home, *SCORING).ok
        for rid, (submitted, item9) in self.submitted.items():
            flag = flag_of(item9)
            if flag:
                self.flags[(rid, flag)] = submitted.replace(".000Z", "Z")

    @rule(week=st.sampled_from(WEEKS))
    def weekly_report(self, week: str) -> None:
        counts = report(self.home, week)
        if counts["delivered"]:
            end = week_bounds(week)[1]
            due = {key for key, measured in self.flags.items() if parse_timestamp(measured) < end}
            assert due <= self.delivered_flags(), f"{week}: a flag that was due is in no delivered report"

    def delivered_flags(self) -> set[tuple[str, str]]:
        rows = query(
            self.home,
            "SELECT response_id, answer FROM safety_flag_deliveries f JOIN report_deliveries d "
            "USING (delivery_id) WHERE f.kind = 'weekly_report' AND d.status = 'accepted'",
        )
        names = {
            "positive": "item9_positive",
            "not answered, follow up": "item9_unanswered",
            "answered invalidly, follow up": "item9_invalid",
        }
        return {(r["response_id"], names[r["answer"]]) for r in rows}

    @invariant()
    def each_flag_in_at_most_one_report_and_each_report_shows_what_it_carried(self) -> None:
        if not hasattr(self, "home") or not (self.home.root / "reports").exists():
            return
        twice = query(
            self.home,
            "SELECT flag_key, count(*) AS n FROM safety_flag_deliveries "
            "WHERE kind = 'weekly_report' GROUP BY flag_key HAVING count(*) > 1",
        )
        assert twice == []
        per_week = {
            r["week"]: r["n"]
            for r in query(self.home, "SELECT week, count(*) AS n FROM safety_flag_deliveries GROUP BY week")
        }
        for folder in (self.home.root / "reports").iterdir():
            html = folder / f"praxisbericht-{folder.name}.html"
            if html.exists():
                assert len(safety_rows(html.read_text())) == per_week.get(folder.name, 0), folder.name


TestSafetyList = SafetyListMachine.TestCase
TestSafetyList.settings = settings(
    max_examples=20,
    stateful_step_count=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
