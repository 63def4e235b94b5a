from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from reporter import volume_chart_svg

NS = {"s": "http://www.w3.org/2000/svg"}
DAYS = ["2026-11-16", "2026-11-17", "2026-11-18"]


def bars(svg: str) -> dict[tuple[str, str], tuple[int, float]]:
    """(source, day) -> (count, drawn height)."""
    root = ET.fromstring(svg)
    return {
        (b.get("data-source"), b.get("data-day")): (int(b.get("data-count")), float(b.get("height")))  # type: ignore[arg-type,misc]
        for b in root.findall(".//s:rect[@class='bar']", NS)
    }


def test_one_bar_per_source_and_day_with_heights_in_proportion() -> None:
    svg = volume_chart_svg(DAYS, {"gmail-praxis": [10, 0, 5], "forms": [20, 3, 0]}, title="Records")
    found = bars(svg)
    assert {k: c for k, (c, _) in found.items()} == {
        ("gmail-praxis", "2026-11-16"): 10,
        ("gmail-praxis", "2026-11-17"): 0,
        ("gmail-praxis", "2026-11-18"): 5,
        ("forms", "2026-11-16"): 20,
        ("forms", "2026-11-17"): 3,
        ("forms", "2026-11-18"): 0,
    }
    assert found[("forms", "2026-11-16")][1] == pytest.approx(2 * found[("gmail-praxis", "2026-11-16")][1])
    assert found[("gmail-praxis", "2026-11-17")][1] == 0
    assert svg == volume_chart_svg(DAYS, {"forms": [20, 3, 0], "gmail-praxis": [10, 0, 5]}, title="Records")


def test_texts_are_escaped_and_nothing_external_is_drawn() -> None:
    svg = volume_chart_svg(DAYS, {"<script>&": [1, 2, 3]}, title='a "b" <c>')
    ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg
    for forbidden in ("href", "<image", "url(", "<style", "style="):
        assert forbidden not in svg


def test_no_data_draws_an_empty_chart_and_bad_input_is_refused() -> None:
    assert bars(volume_chart_svg(DAYS, {})) == {}
    with pytest.raises(ValueError, match="2 counts for 3 days"):
        volume_chart_svg(DAYS, {"forms": [1, 2]})
    with pytest.raises(ValueError, match="width"):
        volume_chart_svg(DAYS, {}, width=100)
