"""A hand-written, deterministic SVG bar chart of records per source per day.

The runs page shows it (how much each connection delivered, day by day, so a source that
went quiet stands out); it is drawn like the trend chart (:mod:`reporter.charts`): black
and greys only, so print and screen agree, one fill per source named in a legend,
every text escaped, no scripts, no external resources, coordinates with one decimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from reporter.charts import FONT

FILLS = ("#000000", "#6e6e6e", "#b0b0b0", "#ffffff", "#3c3c3c", "#d6d6d6", "#8f8f8f", "#1e1e1e")
LEFT, RIGHT, TOP, BOTTOM = 52.0, 16.0, 40.0, 40.0


def volume_chart_svg(
    days: Sequence[str], counts: Mapping[str, Sequence[int]], width: int = 640, height: int = 260, title: str = ""
) -> str:
    """SVG for ``counts = {source: [count per day in days order]}``; ``days`` as labels
    (``2026-11-16``). Sources beyond the eighth share the last fill."""
    if width < 320 or height < 180:
        raise ValueError("chart needs width >= 320 and height >= 180")
    for source, values in counts.items():
        if len(values) != len(days):
            raise ValueError(f"{source}: {len(values)} counts for {len(days)} days")
    sources = sorted(counts)
    peak = max((v for values in counts.values() for v in values), default=0)
    top_value = _nice_ceiling(peak)
    right = width - RIGHT
    bottom = height - BOTTOM
    plot_h = bottom - TOP
    slot = (right - LEFT) / max(len(days), 1)
    bar = max(min(slot * 0.8 / max(len(sources), 1), 24.0), 1.0)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}" role="img" aria-label="{_attr(title or "records per source")}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text class="title" x="6.0" y="16.0" font-size="12" font-weight="bold">{_text(title)}</text>')
    x = LEFT
    for i, source in enumerate(sources):  # legend
        out.append(
            f'<rect x="{x:.1f}" y="23.0" width="9.0" height="9.0" fill="{_fill(i)}" stroke="#000000" '
            f'stroke-width="0.6"/>'
        )
        out.append(f'<text x="{x + 13:.1f}" y="31.0" font-size="9">{_text(source)}</text>')
        x += 22 + 5.5 * len(source)
    for step in range(5):  # y axis: five steps of the rounded peak
        value = top_value * step / 4
        y = bottom - plot_h * step / 4
        out.append(
            f'<line x1="{LEFT:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#c8c8c8" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{LEFT - 6:.1f}" y="{y + 3:.1f}" font-size="8" text-anchor="end">{value:g}</text>')
    for d, day in enumerate(days):
        start = LEFT + d * slot + (slot - bar * len(sources)) / 2
        for i, source in enumerate(sources):
            value = counts[source][d]
            h = plot_h * value / top_value if top_value else 0.0
            out.append(
                f'<rect class="bar" data-source="{_attr(source)}" data-day="{_attr(day)}" data-count="{value}" '
                f'x="{start + i * bar:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_fill(i)}" stroke="#000000" stroke-width="0.5"/>'
            )
        out.append(
            f'<text class="date" x="{LEFT + (d + 0.5) * slot:.1f}" y="{bottom + 14:.1f}" font-size="8.5" '
            f'text-anchor="middle">{_text(day[5:])}</text>'
        )
    out.append(
        f'<line x1="{LEFT:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" stroke="#000000" '
        f'stroke-width="0.8"/>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _nice_ceiling(peak: int) -> int:
    """The smallest of 1, 2, 5 x 10^k (at least 4, so the steps are whole) that is >= peak."""
    if peak <= 4:
        return 4
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude >= peak:
                return factor * magnitude
        magnitude *= 10


def _fill(index: int) -> str:
    return FILLS[min(index, len(FILLS) - 1)]


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)
