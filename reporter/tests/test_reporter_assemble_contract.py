"""The practice report's week and its contract: plain data in, a frozen result out, and
errors about bad rows that name the field, never the value.

The rows are the hand-made 2026-W46 data set of assemble_week46.py; every expected number
is counted by hand from them.
"""

from __future__ import annotations

from datetime import date

import pytest

from assemble_week46 import CLIENTS, INBOX, PAIRED, TIMESERIES, WEEK
from reporter import assemble_practice_report


def test_header_fields(report) -> None:  # type: ignore[no-untyped-def]
    assert (report.week, report.week_start, report.week_end) == (WEEK, date(2026, 11, 9), date(2026, 11, 15))


def test_errors_about_bad_rows_name_the_field_not_the_value() -> None:
    broken = [dict(TIMESERIES[0], measured_at="Ada, am 1.10.")]
    with pytest.raises(ValueError) as error:
        assemble_practice_report(WEEK, [], broken, [], CLIENTS)
    assert str(error.value) == "measured_at is not an ISO-8601 timestamp"
    odd = [dict(TIMESERIES[2], reliable_change="Ada geht es besser")]
    with pytest.raises(ValueError) as error:
        assemble_practice_report(WEEK, [], [TIMESERIES[0], *odd], [], CLIENTS)
    assert "Ada" not in str(error.value)


def test_inputs_are_plain_data_and_the_result_is_frozen(report) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        report.week = "2026-W47"  # type: ignore[misc]
    assert assemble_practice_report(WEEK, INBOX, TIMESERIES, PAIRED, CLIENTS) == report
