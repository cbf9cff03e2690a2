"""Small inline SVG charts: accessible (``role="img"``, ``<title>``, ``<desc>``), no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 280  # px, the whole chart
LABEL = 86   # px, the label column
BAR_H = 16   # px, one bar
GAP = 8      # px, between bars


@dataclass
class Bar:
    """One bar: ``label`` (e.g. ``2020年``), numeric ``value``, ``text`` as printed (``1500``)."""

    label: str
    value: float
    text: str


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar], unit: str = "") -> Markup:
    """A horizontal bar chart of ``bars`` (non-negative values) as SVG markup.

    ``chart_id`` must be unique on the page (it names the title and description elements).
    Bars are scaled to the largest value; a value ≤ 0 draws no bar but keeps its label and text.
    """
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - LABEL - 70
    height = len(bars) * (BAR_H + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_H + GAP)
        width = max(0.0, bar.value) / top * span
        parts.append(f'<text x="0" y="{y + BAR_H - 4}" class="chart-label">{escape(bar.label)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR_H}" class="bar bar-{i}"/>')
        parts.append(f'<text x="{LABEL + width + 4:.1f}" y="{y + BAR_H - 4}" class="chart-value">'
                     f'{escape(bar.text)}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
