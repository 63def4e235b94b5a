"""The example data and the instrument constants agree with final_form, the authority
on scoring and change (reporter itself does not import it)."""

from __future__ import annotations

import pytest
from reporter.examples import CLIENTS, example_inputs, example_measurements, paired_rows, timeseries_rows
from reporter.instruments import SCALES

final_form_definitions = pytest.importorskip("final_form.definitions")
final_form_timeseries = pytest.importorskip("final_form.timeseries")


@pytest.mark.parametrize("instrument", sorted(SCALES))
def test_bands_and_thresholds_match_final_form(instrument: str) -> None:
    scale, definition = SCALES[instrument], final_form_definitions.load_instrument(instrument)
    assert [(b.low, b.high, b.label) for b in scale.bands] == [tuple(b) for b in definition.bands]
    assert scale.max_total == definition.max_total
    assert (scale.caseness, scale.reliable_change) == (definition.caseness, definition.reliable_change)


def test_example_rows_are_what_final_form_builds_from_the_same_measurements() -> None:
    measurements = example_measurements()
    key = ("client_id", "instrument", "measured_at", "response_id")
    expected = sorted(final_form_timeseries.build_timeseries_rows(measurements), key=lambda r: [r[k] for k in key])
    assert sorted(timeseries_rows(measurements), key=lambda r: [r[k] for k in key]) == expected
    assert paired_rows(measurements) == final_form_timeseries.build_paired_rows(measurements)


def test_example_columns_are_the_warehouse_columns() -> None:
    inputs = example_inputs()
    assert set(inputs["timeseries_rows"][0]) == {c for c, _ in final_form_timeseries.TIMESERIES_COLUMNS}
    assert set(inputs["paired_rows"][0]) == {c for c, _ in final_form_timeseries.PAIRED_COLUMNS}
    inbox = pytest.importorskip("lorchestra.projections.inbox")
    assert all(set(row) == {c.name for c in inbox.COLUMNS} for row in inputs["inbox_rows"])
    assert all(c["email"].endswith("@example.org") for c in CLIENTS.values())
