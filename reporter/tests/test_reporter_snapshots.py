"""reporter.snapshots: each week's figures are the ones the practice report of that week
computes over all rows, and a change recomputes the weeks it can touch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from assemble_week46 import CLIENTS, INBOX, PAIRED, TIMESERIES, WEEK
from reporter.assemble import assemble_practice_report
from reporter.examples import example_inputs
from reporter.figures import FIGURES, figure_names
from reporter.safety import flags_from_timeseries
from reporter.snapshots import SnapshotInputs, affected_weeks, figures_of, snapshot_rows, weeks_between

TODAY = date(2026, 12, 1)  # a Tuesday of 2026-W49


def datasets() -> list[dict[str, Any]]:
    return [
        {"inbox_rows": INBOX, "timeseries_rows": TIMESERIES, "paired_rows": PAIRED, "clients": CLIENTS},
        {k: v for k, v in example_inputs().items() if k != "week"},
    ]


@pytest.mark.parametrize("data", datasets(), ids=["week46", "examples"])
def test_every_week_holds_the_figures_its_report_computes(data: dict[str, Any]) -> None:
    flags = flags_from_timeseries(data["timeseries_rows"])
    inputs = SnapshotInputs(data["inbox_rows"], data["timeseries_rows"], data["paired_rows"], flags)
    span = inputs.span(TODAY)
    assert span is not None and span[1] == "2026-W49"
    weeks = weeks_between(*span)
    assert len(weeks) > 1
    for week in weeks:
        report = assemble_practice_report(week, **data, week_flags=flags)
        assert inputs.figures(week) == report.figures, week
    assert any(inputs.figures(w)["new_inquiries"].value for w in weeks)
    assert any(inputs.figures(w)["clients_measured"].value for w in weeks)


def test_rows_hold_every_figure_of_every_week_and_read_back_as_figures() -> None:
    inputs = SnapshotInputs(INBOX, TIMESERIES, PAIRED, flags_from_timeseries(TIMESERIES))
    rows = snapshot_rows(inputs, [WEEK], updated_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert [r["figure"] for r in rows] == list(figure_names())
    assert set(FIGURES) <= {r["figure"] for r in rows}
    assert figures_of(rows) == inputs.figures(WEEK)


def test_weeks_between_crosses_the_iso_year() -> None:
    assert weeks_between("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]


def test_a_change_touches_the_weeks_its_item_counts_in_before_and_after() -> None:
    span = weeks_between("2026-W40", "2026-W49")
    before = {
        "inbox:a": ("1", "2026-W41 2026-W42+"),
        "client:x": ("2", "2026-W43 2026-W45"),
        "flag:f": ("3", "2026-W44"),
    }
    replied = {**before, "inbox:a": ("9", "2026-W41")}  # the reply: no longer awaiting since W42
    assert affected_weeks(before, replied, span) == (["inbox:a"], set(span[1:]))
    edited = {**before, "client:x": ("8", "2026-W43 2026-W45 2026-W46")}
    assert affected_weeks(before, edited, span) == (["client:x"], {"2026-W43", "2026-W45", "2026-W46"})
    gone = {k: v for k, v in before.items() if k != "flag:f"}
    assert affected_weeks(before, gone, span) == (["flag:f"], {"2026-W44"})
    assert affected_weeks(before, dict(before), span) == ([], set())
