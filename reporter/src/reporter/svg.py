"""What the hand-written SVG charts share (the trend chart, the bar charts): the font, the
root element and escaping, so a chart on a page and in a PDF is drawn by one code."""

from __future__ import annotations

from html import escape

FONT = "DejaVu Sans, sans-serif"


def svg_root(width: int, height: int, label: str) -> str:
    """The opening ``<svg>`` element: sized, in the charts' font, labelled for screen readers."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}" role="img" aria-label="{attr(label)}">'
    )


def text(value: str) -> str:
    """``value`` as the content of an element."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """``value`` as an attribute's value."""
    return escape(value, quote=True)
