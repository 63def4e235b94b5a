from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporter.weeks import last_full_week, parse_timestamp, parse_week, week_bounds, week_end, week_of, week_start


def test_a_week_is_monday_to_sunday_with_utc_bounds() -> None:
    assert parse_week("2026-W46") == (2026, 46)
    assert week_start("2026-W46") == date(2026, 11, 9)
    assert week_end("2026-W46") == date(2026, 11, 15)
    assert week_bounds("2026-W46") == (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))


def test_week_53_exists_only_in_long_iso_years() -> None:
    assert week_start("2026-W53") == date(2026, 12, 28)
    assert week_end("2026-W53") == date(2027, 1, 3)
    with pytest.raises(ValueError, match=r"2027 has weeks W01-W52 \(format YYYY-Www\)"):
        parse_week("2027-W53")


@pytest.mark.parametrize(
    "bad",
    [
        "2026-46",
        "2026W46",
        "2026-w46",
        "26-W46",
        "2026-W4",
        "2026-W046",
        " 2026-W46",
        "2026-W46 ",
        "2026-W46\n",
        "",
        "２０２６-W46",
        "2026-Ｗ46",
        None,
        202646,
    ],
)
def test_malformed_weeks_are_rejected_naming_the_format(bad: object) -> None:
    with pytest.raises(ValueError, match=r"format YYYY-Www \(e\.g\. 2026-W46\)"):
        parse_week(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2026-W00", "2026-W54", "0000-W01"])
def test_weeks_that_do_not_exist_are_rejected_naming_the_format(bad: str) -> None:
    with pytest.raises(ValueError, match="does not exist.*YYYY-Www"):
        parse_week(bad)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 1, 1), "2026-W52"),  # Friday of 2026-W53: that week is not over yet
        (date(2027, 1, 3), "2026-W52"),  # Sunday of 2026-W53: still not over
        (date(2027, 1, 4), "2026-W53"),  # Monday: 2026's 53rd week is the last full one
        (date(2026, 1, 1), "2025-W52"),  # Thursday of 2026-W01 (2025 has 52 ISO weeks)
        (date(2026, 1, 5), "2026-W01"),
        (date(2026, 11, 16), "2026-W46"),
        (date(2026, 11, 15), "2026-W45"),
    ],
)
def test_last_full_week_across_year_boundaries(today: date, expected: str) -> None:
    assert last_full_week(today) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_last_full_week_is_over_and_the_next_one_is_not(today: date) -> None:
    week = last_full_week(today)
    parse_week(week)
    assert week_end(week) < today <= week_end(week) + timedelta(days=7)
    assert week_of(week_start(week)) == week


def test_timestamps_are_read_as_utc_and_errors_do_not_quote_the_value() -> None:
    assert parse_timestamp("2026-11-09T00:00:00Z") == datetime(2026, 11, 9, tzinfo=UTC)
    assert parse_timestamp("2026-11-09T01:30:00+01:00") == datetime(2026, 11, 9, 0, 30, tzinfo=UTC)
    assert parse_timestamp("2026-11-09T00:00:00.250Z") == datetime(2026, 11, 9, 0, 0, 0, 250000, tzinfo=UTC)
    assert parse_timestamp("2026-11-09T00:00:00") == datetime(2026, 11, 9, tzinfo=UTC)
    with pytest.raises(ValueError) as error:
        parse_timestamp("Frau Beispiel, 9.11.", "measured_at")
    assert str(error.value) == "measured_at is not an ISO-8601 timestamp"
