"""A hand-written, deterministic SVG trend chart of PHQ-9 and GAD-7 totals.

Design: the two instruments have different ranges (0-27 and 0-21) and different
caseness cut-offs, so they get **two stacked panels with one shared time axis**, each on
its own full scale with its own severity bands shaded in grey (darker = more severe)
and its caseness cut-off as a dashed line. Nothing is rescaled, so a point's height
reads directly against its own bands, and the panels line up by date.

Black-and-white safe: PHQ-9 is a solid line with filled circles, GAD-7 a dashed line
with open squares; an invalid measurement (no total) breaks the line and is marked with
an "x" on the panel's floor. A legend names all of it. Dates on the x axis are UTC
dates (``dd.mm.yy``). Every text is XML-escaped; there are no external resources, no
scripts and no randomness (coordinates are printed with one decimal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from reporter.instruments import LOCALE, Scale, paired_order, scale
from reporter.svg import attr, svg_root, text
from reporter.weeks import parse_timestamp

Points = Mapping[str, Sequence[tuple[str, int | None]]]
XMap = Callable[[datetime], float]

BAND_FILL = {
    "minimal": "#fafafa",
    "mild": "#ececec",
    "moderate": "#dcdcdc",
    "moderately severe": "#cbcbcb",
    "severe": "#b9b9b9",
}
STYLE: tuple[dict[str, str | None], ...] = (  # line dash, marker: per R13 role (depression, anxiety)
    {"dash": None, "marker": "circle"},
    {"dash": "7 4", "marker": "square"},
)
LEFT, RIGHT_MARGIN, GAP, BOTTOM, PAD = 58.0, 92.0, 30.0, 44.0, 12.0
MIN_LABEL_SPACING = 56.0


def trend_chart_svg(points: Points, width: int = 640, height: int = 420, title: str | None = None) -> str:
    """SVG (a string starting with ``<svg``) for ``{"phq9": [(iso_time, total|None), ...], "gad7": [...]}``.

    Missing instruments are drawn as empty panels. ``title`` (optional) is escaped.
    """
    if width < 400 or height < 280:
        raise ValueError("chart needs width >= 400 and height >= 280")
    order = paired_order()
    unknown = sorted(set(points) - set(order))
    if unknown:
        raise ValueError(f"unknown instrument(s) {unknown}; expected {list(order)}")
    series = {inst: _parsed(points.get(inst, ())) for inst in order}
    times = [t for s in series.values() for t, _ in s]

    title_h = 20.0 if title else 0.0
    legend_y = 8.0 + title_h + 10.0
    top = legend_y + 24.0
    right = width - RIGHT_MARGIN
    panel_h = (height - top - BOTTOM - GAP) / 2
    x_of = _x_mapping(times, LEFT + PAD, right - PAD)

    out = [
        svg_root(width, height, _aria(title)),
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text class="title" x="{LEFT - 50:.1f}" y="22.0" font-size="12" font-weight="bold">{text(title)}</text>'
        )
    out.extend(_legend(LEFT - 50, legend_y))

    ticks = _date_ticks(times, x_of)
    panel_tops = [top + i * (panel_h + GAP) for i in range(len(order))]
    guides = [x for x, _ in ticks]
    for inst, style, panel_top in zip(order, STYLE, panel_tops, strict=True):
        out.extend(_panel(scale(inst), style, series[inst], x_of, panel_top, panel_h, right, guides))

    bottom = panel_tops[-1] + panel_h
    for x, label in ticks:
        out.append(f'<line x1="{x:.1f}" y1="{bottom:.1f}" x2="{x:.1f}" y2="{bottom + 4:.1f}" stroke="#000000"/>')
        out.append(
            f'<text class="date" x="{x:.1f}" y="{bottom + 15:.1f}" font-size="8.5" '
            f'text-anchor="middle">{text(label)}</text>'
        )
    out.append(
        f'<text x="{(LEFT + right) / 2:.1f}" y="{bottom + 34:.1f}" font-size="9" text-anchor="middle">'
        f"Datum der Messung (UTC)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def _parsed(raw: Sequence[tuple[str, int | None]]) -> list[tuple[datetime, int | None]]:
    parsed = []
    for at, total in raw:
        ok = isinstance(total, int) and not isinstance(total, bool)
        parsed.append((parse_timestamp(at, "measured_at"), total if ok else None))
    return sorted(parsed, key=lambda p: p[0])  # stable: equal times keep their input order


def _x_mapping(times: list[datetime], x_min: float, x_max: float) -> XMap:
    if not times or min(times) == max(times):
        return lambda t: (x_min + x_max) / 2
    first, span = min(times), (max(times) - min(times)).total_seconds()
    return lambda t: x_min + (t - first).total_seconds() / span * (x_max - x_min)


def _date_ticks(times: list[datetime], x_of: XMap) -> list[tuple[float, str]]:
    """One label per distinct measurement date, dropping any closer than MIN_LABEL_SPACING to the last kept."""
    ticks: list[tuple[float, str]] = []
    for day in sorted({t.date() for t in times}):
        first_of_day = min(t for t in times if t.date() == day)
        x = x_of(first_of_day)
        if not ticks or x - ticks[-1][0] >= MIN_LABEL_SPACING:
            ticks.append((x, day.strftime("%d.%m.%y")))
    return ticks


def _panel(
    scale: Scale,
    style: dict[str, str | None],
    points: list[tuple[datetime, int | None]],
    x_of: XMap,
    top: float,
    height: float,
    right: float,
    guides: list[float],
) -> list[str]:
    y0 = top + height

    def y_of(value: float) -> float:
        return y0 - min(max(value, 0), scale.max_total) / scale.max_total * height

    out = [
        f'<g class="panel" data-instrument="{scale.id}" data-y0="{y0:.1f}" data-ymax="{top:.1f}" '
        f'data-max-total="{scale.max_total}">',
        f'<text class="panel-title" x="{LEFT:.1f}" y="{top - 6:.1f}" font-size="10" font-weight="bold">'
        f"{text(scale.name)} · {text(scale.construct)} (0–{scale.max_total})</text>",
    ]
    for i, band in enumerate(scale.bands):
        upper = scale.bands[i + 1].low if i + 1 < len(scale.bands) else scale.max_total
        y_top, y_bottom = y_of(upper), y_of(band.low)
        out.append(
            f'<rect class="band" data-band="{attr(band.label)}" data-low="{band.low}" '
            f'data-high="{band.high}" x="{LEFT:.1f}" y="{y_top:.1f}" width="{right - LEFT:.1f}" '
            f'height="{y_bottom - y_top:.1f}" fill="{BAND_FILL.get(band.label, BAND_FILL["mild"])}"/>'
        )
        out.append(
            f'<text class="band-label" x="{right + 5:.1f}" y="{(y_top + y_bottom) / 2 + 3:.1f}" '
            f'font-size="8">{text(band.label_in(LOCALE))} ({band.low}–{band.high})</text>'
        )
    for x in guides:  # light vertical guides at the labelled dates
        out.append(
            f'<line class="guide" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{y0:.1f}" '
            f'stroke="#8a8a8a" stroke-width="0.5" stroke-dasharray="1 2"/>'
        )
    for value in [b.low for b in scale.bands] + [scale.max_total]:
        y = y_of(value)
        out.append(f'<line x1="{LEFT - 4:.1f}" y1="{y:.1f}" x2="{LEFT:.1f}" y2="{y:.1f}" stroke="#000000"/>')
        out.append(f'<text x="{LEFT - 6:.1f}" y="{y + 3:.1f}" font-size="8" text-anchor="end">{value}</text>')
    out.append(
        f'<text x="{LEFT - 36:.1f}" y="{top + height / 2:.1f}" font-size="8.5" text-anchor="middle" '
        f'transform="rotate(-90 {LEFT - 36:.1f} {top + height / 2:.1f})">Summenwert</text>'
    )
    y_case = y_of(scale.caseness)
    out.append(
        f'<line class="caseness" data-caseness="{scale.caseness}" x1="{LEFT:.1f}" y1="{y_case:.1f}" '
        f'x2="{right:.1f}" y2="{y_case:.1f}" stroke="#000000" stroke-width="1.2" '
        f'stroke-dasharray="2 3"/>'
    )
    out.append(
        f'<rect class="frame" x="{LEFT:.1f}" y="{top:.1f}" width="{right - LEFT:.1f}" '
        f'height="{height:.1f}" fill="none" stroke="#000000" stroke-width="0.8"/>'
    )

    if not points:
        out.append(
            f'<text x="{(LEFT + right) / 2:.1f}" y="{top + height / 2:.1f}" font-size="9" '
            f'text-anchor="middle">keine Messung</text>'
        )
    for run in _runs(points):
        d = " ".join(f"{'M' if i == 0 else 'L'}{x_of(t):.1f} {y_of(v):.1f}" for i, (t, v) in enumerate(run))
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        out.append(
            f'<path class="line" data-instrument="{scale.id}" d="{d}" fill="none" stroke="#000000" '
            f'stroke-width="1.8"{dash}/>'
        )
    for t, v in points:
        x = x_of(t)
        if v is None:
            out.append(_cross(x, y0 - 7, "invalid"))
        else:
            out.append(_marker(str(style["marker"]), x, y_of(v)))
    out.append("</g>")
    return out


def _runs(points: list[tuple[datetime, int | None]]) -> list[list[tuple[datetime, int]]]:
    runs: list[list[tuple[datetime, int]]] = [[]]
    for t, v in points:
        if v is None:
            runs.append([])
        else:
            runs[-1].append((t, v))
    return [r for r in runs if r]


def _marker(kind: str, x: float, y: float, cls: str = "point") -> str:
    if kind == "circle":
        return f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="3.3" fill="#000000"/>'
    return (
        f'<rect class="{cls}" x="{x - 3.2:.1f}" y="{y - 3.2:.1f}" width="6.4" height="6.4" '
        f'fill="#ffffff" stroke="#000000" stroke-width="1.3"/>'
    )


def _cross(x: float, y: float, cls: str) -> str:
    return (
        f'<path class="{cls}" d="M{x - 4:.1f} {y - 4:.1f} L{x + 4:.1f} {y + 4:.1f} '
        f'M{x - 4:.1f} {y + 4:.1f} L{x + 4:.1f} {y - 4:.1f}" stroke="#000000" stroke-width="1.6"/>'
    )


def _legend(x: float, y: float) -> list[str]:
    out = ['<g class="legend" font-size="9">']
    for inst, style in zip(paired_order(), STYLE, strict=True):
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        out.append(
            f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 28:.1f}" y2="{y - 3:.1f}" stroke="#000000" '
            f'stroke-width="1.8"{dash}/>'
        )
        out.append(_marker(str(style["marker"]), x + 14, y - 3, "legend-marker"))
        out.append(f'<text x="{x + 33:.1f}" y="{y:.1f}">{text(scale(inst).name)}</text>')
        x += 82
    out.append(
        f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 28:.1f}" y2="{y - 3:.1f}" stroke="#000000" '
        f'stroke-width="1.2" stroke-dasharray="2 3"/>'
    )
    out.append(f'<text x="{x + 33:.1f}" y="{y:.1f}">Caseness-Grenze</text>')
    x += 132
    out.append(_cross(x + 6, y - 3, "legend-invalid"))
    out.append(f'<text x="{x + 16:.1f}" y="{y:.1f}">ungültig (kein Summenwert)</text>')
    out.append("</g>")
    return out


def _aria(title: str | None) -> str:
    base = "Verlauf PHQ-9 und GAD-7"
    return f"{base}: {title}" if title else base
