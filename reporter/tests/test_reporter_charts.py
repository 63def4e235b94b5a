from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from reporter.bar_charts import week_chart_svg
from reporter.charts import trend_chart_svg

NS = {"s": "http://www.w3.org/2000/svg"}
PHQ9 = [
    ("2026-10-01T08:00:00Z", 15),
    ("2026-10-08T08:00:00Z", 27),
    ("2026-10-15T08:00:00Z", 0),
    ("2026-10-22T08:00:00Z", 10),
]
GAD7 = [("2026-10-01T08:00:00Z", 12), ("2026-10-15T08:00:00Z", 8)]


def panel(svg: str, instrument: str) -> ET.Element:
    root = ET.fromstring(svg)
    found = root.findall(f".//s:g[@class='panel'][@data-instrument='{instrument}']", NS)
    assert len(found) == 1
    return found[0]


def scale_of(p: ET.Element) -> tuple[float, float, int]:
    return float(p.get("data-y0")), float(p.get("data-ymax")), int(p.get("data-max-total"))  # type: ignore[arg-type]


def test_the_svg_parses_and_is_deterministic_and_self_contained() -> None:
    svg = trend_chart_svg({"phq9": PHQ9, "gad7": GAD7})
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg == trend_chart_svg({"phq9": PHQ9, "gad7": GAD7})
    shuffled = PHQ9[:]
    random.Random(4).shuffle(shuffled)
    assert svg == trend_chart_svg({"gad7": GAD7, "phq9": shuffled})  # input order does not matter
    for forbidden in ("href", "<script", "<image", "url(", "@import", "<style"):
        assert forbidden not in svg


@pytest.mark.parametrize(
    ("instrument", "bands", "max_total"),
    [
        (
            "phq9",
            [
                ("minimal", 0, 4),
                ("mild", 5, 9),
                ("moderate", 10, 14),
                ("moderately severe", 15, 19),
                ("severe", 20, 27),
            ],
            27,
        ),
        ("gad7", [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)], 21),
    ],
)
def test_each_instrument_has_its_own_panel_with_one_rect_per_band_on_its_own_scale(
    instrument: str, bands: list[tuple[str, int, int]], max_total: int
) -> None:
    p = panel(trend_chart_svg({"phq9": PHQ9, "gad7": GAD7}), instrument)
    y0, ymax, total = scale_of(p)
    assert total == max_total and y0 > ymax
    rects = p.findall("s:rect[@class='band']", NS)
    assert [(r.get("data-band"), int(r.get("data-low")), int(r.get("data-high"))) for r in rects] == bands  # type: ignore[arg-type]
    per_point = (y0 - ymax) / max_total
    for rect, (_, low, high) in zip(rects, bands, strict=True):
        bottom = float(rect.get("y")) + float(rect.get("height"))  # type: ignore[arg-type]
        top = float(rect.get("y"))  # type: ignore[arg-type]
        upper = min(high + 1, max_total)  # a band reaches up to where the next one starts
        assert bottom == pytest.approx(y0 - low * per_point, abs=0.15)
        assert top == pytest.approx(y0 - upper * per_point, abs=0.15)
    assert len({r.get("fill") for r in rects}) == len(bands)  # distinct grey per band


@pytest.mark.parametrize(("instrument", "caseness"), [("phq9", 10), ("gad7", 8)])
def test_the_dashed_caseness_line_sits_at_the_cut_off(instrument: str, caseness: int) -> None:
    p = panel(trend_chart_svg({"phq9": PHQ9, "gad7": GAD7}), instrument)
    y0, ymax, max_total = scale_of(p)
    lines = p.findall("s:line[@class='caseness']", NS)
    assert len(lines) == 1
    line = lines[0]
    expected = y0 - caseness / max_total * (y0 - ymax)
    assert float(line.get("y1")) == pytest.approx(expected, abs=0.1)  # type: ignore[arg-type]
    assert line.get("y1") == line.get("y2")
    assert line.get("stroke-dasharray")
    assert line.get("data-caseness") == str(caseness)


def test_points_are_placed_on_the_panel_scale() -> None:
    p = panel(trend_chart_svg({"phq9": PHQ9}), "phq9")
    y0, ymax, _ = scale_of(p)
    ys = [float(c.get("cy")) for c in p.findall("s:circle[@class='point']", NS)]  # type: ignore[arg-type]
    assert ys == pytest.approx([y0 - 15 / 27 * (y0 - ymax), ymax, y0, y0 - 10 / 27 * (y0 - ymax)], abs=0.1)
    xs = [float(c.get("cx")) for c in p.findall("s:circle[@class='point']", NS)]  # type: ignore[arg-type]
    assert xs == sorted(xs) and xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.1)  # weekly = equal steps


def test_an_invalid_measurement_breaks_the_line_into_two_segments_and_is_marked() -> None:
    points = [
        ("2026-10-01T08:00:00Z", 15),
        ("2026-10-08T08:00:00Z", 14),
        ("2026-10-15T08:00:00Z", None),
        ("2026-10-22T08:00:00Z", 12),
        ("2026-10-29T08:00:00Z", 11),
    ]
    p = panel(trend_chart_svg({"phq9": points}), "phq9")
    segments = p.findall("s:path[@class='line']", NS)
    assert len(segments) == 2
    assert [s.get("d").count("L") for s in segments] == [1, 1]  # type: ignore[union-attr]
    assert len(p.findall("s:path[@class='invalid']", NS)) == 1
    assert len(p.findall("s:circle[@class='point']", NS)) == 4
    complete = panel(trend_chart_svg({"phq9": [pt for pt in points if pt[1] is not None]}), "phq9")
    assert len(complete.findall("s:path[@class='line']", NS)) == 1
    assert complete.findall("s:path[@class='invalid']", NS) == []


def test_instruments_differ_in_dash_and_marker_and_the_legend_names_them() -> None:
    svg = trend_chart_svg({"phq9": PHQ9, "gad7": GAD7})
    phq, gad = panel(svg, "phq9"), panel(svg, "gad7")
    assert phq.find("s:path[@class='line']", NS).get("stroke-dasharray") is None  # type: ignore[union-attr]
    assert gad.find("s:path[@class='line']", NS).get("stroke-dasharray")  # type: ignore[union-attr]
    assert len(phq.findall("s:circle[@class='point']", NS)) == 4 and phq.findall("s:rect[@class='point']", NS) == []
    assert len(gad.findall("s:rect[@class='point']", NS)) == 2 and gad.findall("s:circle[@class='point']", NS) == []
    legend = "".join(ET.fromstring(svg).find(".//s:g[@class='legend']", NS).itertext())  # type: ignore[union-attr]
    for label in ("PHQ-9", "GAD-7", "Caseness-Grenze", "ungültig"):
        assert label in legend


def test_the_x_axis_has_the_measurement_dates_and_the_axes_are_labelled() -> None:
    root = ET.fromstring(trend_chart_svg({"phq9": PHQ9, "gad7": GAD7}))
    dates = [t.text for t in root.findall(".//s:text[@class='date']", NS)]
    assert dates == ["01.10.26", "08.10.26", "15.10.26", "22.10.26"]
    texts = "".join(root.itertext())
    assert "Datum der Messung" in texts and "Summenwert" in texts


def test_crowded_dates_are_thinned_so_labels_do_not_overlap() -> None:
    points = [(f"2026-10-{day:02d}T08:00:00Z", 10) for day in range(1, 31)]
    root = ET.fromstring(trend_chart_svg({"phq9": points}))
    xs = [float(t.get("x")) for t in root.findall(".//s:text[@class='date']", NS)]  # type: ignore[arg-type]
    assert 3 <= len(xs) < 30
    assert all(b - a >= 56 for a, b in zip(xs, xs[1:], strict=False))


def test_user_text_is_escaped() -> None:
    title = "<script>alert('x')</script> & Söhne \"Ü\""
    svg = trend_chart_svg({"phq9": PHQ9}, title=title)
    assert "<script" not in svg and "& S" not in svg
    root = ET.fromstring(svg)
    assert root.find("s:text[@class='title']", NS).text == title  # type: ignore[union-attr]
    assert root.get("aria-label") == f"Verlauf PHQ-9 und GAD-7: {title}"


def test_no_data_gives_empty_panels_and_bad_input_a_clear_error() -> None:
    root = ET.fromstring(trend_chart_svg({}))
    assert "".join(root.itertext()).count("keine Messung") == 2
    with pytest.raises(ValueError, match="unknown instrument"):
        trend_chart_svg({"bdi2": [("2026-10-01T08:00:00Z", 3)]})
    with pytest.raises(ValueError, match="^measured_at is not an ISO-8601 timestamp$"):
        trend_chart_svg({"phq9": [("Anna, 1. Oktober", 3)]})


def test_charts_carry_no_inline_style_so_a_strict_csp_page_can_show_them() -> None:
    """The console serves these SVGs inline under ``style-src 'self'``: presentation attributes only."""
    for svg in (
        trend_chart_svg({"phq9": PHQ9, "gad7": GAD7}),
        week_chart_svg([("2026-W45", 3.0), ("2026-W46", None)], "t"),
    ):
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg


def test_the_week_chart_draws_a_bar_per_valued_week_and_a_dash_for_none() -> None:
    svg = week_chart_svg(
        [("2026-W44", 0.0), ("2026-W45", 4.0), ("2026-W46", None), ("2026-W47", 8.0)], "Neue <Anfragen>"
    )
    root = ET.fromstring(svg)
    bars = root.findall(".//s:rect[@class='bar']", NS)
    assert [(b.get("data-week"), b.get("data-value")) for b in bars] == [
        ("2026-W44", "0"),
        ("2026-W45", "4"),
        ("2026-W47", "8"),
    ]
    heights = [float(b.get("height") or "nan") for b in bars]
    assert heights[0] == 0.0 and heights[2] == pytest.approx(2 * heights[1], abs=0.1)
    assert [t.get("data-week") for t in root.findall(".//s:text[@class='no-value']", NS)] == ["2026-W46"]
    assert "Neue &lt;Anfragen&gt;" in svg
    assert svg == week_chart_svg(
        [("2026-W44", 0.0), ("2026-W45", 4.0), ("2026-W46", None), ("2026-W47", 8.0)], "Neue <Anfragen>"
    )
    with pytest.raises(ValueError):
        week_chart_svg([], "empty")
