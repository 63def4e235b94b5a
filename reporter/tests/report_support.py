"""A PHI home with questionnaire responses written straight into the warehouse (the
extraction step's own write path), and the measurement jobs and the report job run
through lorc's runner: the report lane in-process, without Meltano."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from canonizer import get_transform
from lorchestra.cli import main
from lorchestra.config import load_config
from lorchestra.home import PhiHome
from lorchestra.initialize import init_home
from lorchestra.runner import RunReport, run_jobs
from lorchestra.stack_clients import EventClient, ObjectSpec, Source, open_store
from reporter.weeks import week_bounds

_CASE = json.loads(
    (
        get_transform("questionnaire_response/google_forms").tests_dir / "shuffled_grid_missing_item_unmapped_name.json"
    ).read_text()
)
FORM, _RESPONSE = _CASE["bindings"]["form"], _CASE["input"]
SCORING = ["canonicalize_questionnaires", "score_phq9"]
NOT, SEVERAL = "Not at all", "Several days"


def new_home(root: Path, **reports: Any) -> PhiHome:
    home = PhiHome(root / "lorc-home")
    init_home(home)
    if reports:
        text = home.config_path.read_text()
        for old, new in reports.items():
            text = text.replace(old, new)
        home.config_path.write_text(text)
    emit(home, "form", "formId", [FORM])
    return home


def at(week: str, hours: float = 30) -> str:
    """A moment ``hours`` after the start of ``week`` (UTC), as the Forms API writes it."""
    moment = week_bounds(week)[0] + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def response(
    response_id: str, submitted: str, item9: str | None, email: str = "nobody@unlinked.example"
) -> dict[str, Any]:
    """A PHQ-9 response with items 1-8 "Not at all" and item 9 as given (None: unanswered)."""
    found = copy.deepcopy(_RESPONSE)
    answers = {f"p{n}": {"questionId": f"p{n}", "textAnswers": {"answers": [{"value": NOT}]}} for n in range(1, 9)}
    if item9 is not None:
        answers["p9"] = {"questionId": "p9", "textAnswers": {"answers": [{"value": item9}]}}
    found.update(
        responseId=response_id,
        formId=FORM["formId"],
        lastSubmittedTime=submitted,
        createTime=submitted,
        respondentEmail=email,
        answers=answers,
    )
    return found


def emit(home: PhiHome, object_type: str, id_field: str, records: list[dict[str, Any]]) -> None:
    store = open_store(load_config(home))
    try:
        store.ensure_schema()
        EventClient(store, run_id="test", job_name="extract_forms", tmp_dir=home.tmp_dir).emit_batch(
            "ingest.completed",
            records,
            spec=ObjectSpec(Source("google_forms", "forms-praxis"), object_type, id_field=id_field),
        )
    finally:
        store.close()


def lorc(home: PhiHome, *args: str) -> Result:
    """``lorc ARGS`` on ``home``, in this process through Click (the exit code, stdout, stderr)."""
    return CliRunner().invoke(main, list(args), env={"LORC_HOME": str(home.root)}, catch_exceptions=False)


def run(home: PhiHome, *jobs: str, **params: str) -> RunReport:
    return run_jobs(list(jobs), home=home, params=params)


def report(home: PhiHome, week: str, **params: str) -> dict[str, int]:
    outcome = run(home, "generate_weekly_report", week=week, **params).outcomes[0]
    assert outcome.status == "ok", outcome.error
    return dict(outcome.counts)


def query(home: PhiHome, sql: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` on the DuckDB warehouse's own connection (the store has no SQL method)."""
    store = open_store(load_config(home), read_only=True)
    try:
        cursor = store.connection.execute(sql)  # type: ignore[attr-defined]
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        store.close()


def carried(home: PhiHome) -> dict[str, list[tuple[str, str, bool]]]:
    """``{delivery week: [(response_id, answer, late)]}`` of the accepted weekly reports."""
    delivered = {
        r["delivery_id"]
        for r in query(home, "SELECT delivery_id, status FROM report_deliveries")
        if r["status"] == "accepted"
    }
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for row in query(
        home,
        "SELECT delivery_id, week, response_id, answer, late FROM safety_flag_deliveries "
        "WHERE kind = 'weekly_report' ORDER BY week, measured_at, response_id",
    ):
        if row["delivery_id"] in delivered:
            found.setdefault(row["week"], []).append((row["response_id"], row["answer"], row["late"]))
    return found


def now_week() -> str:
    iso = datetime.now(UTC).isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"
