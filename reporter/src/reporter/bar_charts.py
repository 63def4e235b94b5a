"""Hand-written, deterministic SVG bar charts, drawn like the trend chart
(:mod:`reporter.charts`, with :mod:`reporter.svg`): black and greys only, so print and
screen agree, every text escaped, no scripts, no external resources, coordinates with
one decimal.

- :func:`volume_chart_svg`: records per source per day, one fill per source named in a
  legend (the runs page: a source that went quiet stands out);
- :func:`week_chart_svg`: one figure over weeks (the sales pipeline page's
  week-over-week view of ``reporting_snapshots``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reporter.svg import attr, svg_root, text

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
        svg_root(width, height, title or "records per source"),
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text class="title" x="6.0" y="16.0" font-size="12" font-weight="bold">{text(title)}</text>')
    x = LEFT
    for i, source in enumerate(sources):  # legend
        out.append(
            f'<rect x="{x:.1f}" y="23.0" width="9.0" height="9.0" fill="{_fill(i)}" stroke="#000000" '
            f'stroke-width="0.6"/>'
        )
        out.append(f'<text x="{x + 13:.1f}" y="31.0" font-size="9">{text(source)}</text>')
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
                f'<rect class="bar" data-source="{attr(source)}" data-day="{attr(day)}" data-count="{value}" '
                f'x="{start + i * bar:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_fill(i)}" stroke="#000000" stroke-width="0.5"/>'
            )
        out.append(
            f'<text class="date" x="{LEFT + (d + 0.5) * slot:.1f}" y="{bottom + 14:.1f}" font-size="8.5" '
            f'text-anchor="middle">{text(day[5:])}</text>'
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


def week_chart_svg(series: Sequence[tuple[str, float | None]], title: str, width: int = 360, height: int = 150) -> str:
    """A bar chart of one figure over weeks (``[("2026-W46", value|None), ...]``, oldest first):
    the console's week-over-week view of ``reporting_snapshots``. A week without a value gets
    no bar and a dash, so "none" never reads as zero. Labels are ``Wnn``; ``title`` is escaped."""
    if not series:
        raise ValueError("a week chart needs at least one week")
    top, bottom, left, right = 24.0, height - 18.0, 8.0, width - 8.0
    values = [v for _, v in series if v is not None]
    peak = max([*values, 0.0]) or 1.0
    slot = (right - left) / len(series)
    bar = max(slot * 0.7, 1.0)
    out = [
        svg_root(width, height, title),
        f'<text class="title" x="{left:.1f}" y="14.0" font-size="11" font-weight="bold">{text(title)}</text>',
        f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" stroke="#000000"/>',
    ]
    for i, (week, value) in enumerate(series):
        x = left + i * slot + (slot - bar) / 2
        mid = x + bar / 2
        label = week.rsplit("-", 1)[-1]
        out.append(f'<text x="{mid:.1f}" y="{bottom + 12:.1f}" font-size="8" text-anchor="middle">{text(label)}</text>')
        if value is None:
            out.append(
                f'<text class="no-value" data-week="{attr(week)}" x="{mid:.1f}" y="{bottom - 3:.1f}" '
                f'font-size="9" text-anchor="middle">–</text>'
            )
            continue
        h = max(value, 0.0) / peak * (bottom - top - 12)
        out.append(
            f'<rect class="bar" data-week="{attr(week)}" data-value="{value:g}" x="{x:.1f}" y="{bottom - h:.1f}" '
            f'width="{bar:.1f}" height="{h:.1f}" fill="#8a8a8a"/>'
        )
        out.append(
            f'<text x="{mid:.1f}" y="{bottom - h - 3:.1f}" font-size="8" text-anchor="middle">{value:.0f}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
