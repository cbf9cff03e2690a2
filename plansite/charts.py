"""Inline SVG dot charts with an axis and a scale: accessible, no JavaScript.

One chart shows one or more rows (a plan's table, or one indicator row); each row holds a few
points on a shared horizontal value axis — baseline (基期值, hollow circle), target (目标值 or
规划目标, filled circle), achieved (完成值, filled square) — joined by a line. The axis has
"nice" ticks (1, 2, 2.5 or 5 × 10ⁿ), grid lines and the unit; every point is labelled with its
printed value. The SVG carries ``role="img"``, ``<title>`` and ``<desc>`` (every number, in
words); :func:`chart_table` gives the same numbers as rows for a data-table alternative.

Pure functions; output is deterministic (coordinates rounded to 0.1 px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from .cells import esc

WIDTH = 400      # px, the viewBox width (the chart scales down to its container)
PAD_L = 12       # px, left margin
PAD_R = 28       # px, right margin (room for the last tick label)
ROW_H = 56       # px, one row: its label, then the points
AXIS_H = 34      # px, the axis with tick labels and the unit
TOP = 6

#: point kinds: (legend text, SVG shape)
KINDS = {"baseline": "基期值", "target": "目标值", "achieved": "实际完成"}


@dataclass
class Point:
    """One value on a row: ``kind`` baseline | target | achieved, numeric ``value`` (already in
    the chart's unit), ``text`` as shown (``1500``, ``≥60``)."""

    kind: str
    value: float
    text: str


@dataclass
class ChartRow:
    """One row of a chart: its ``label`` (plan and period, or ``2020年→2025年``) and points."""

    label: str
    points: list[Point] = field(default_factory=list)


def nice_step(span: float, ticks: int = 4) -> float:
    """A tick step of 1, 2, 2.5 or 5 × 10ⁿ giving about ``ticks`` intervals over ``span`` (> 0).

    ``nice_step(1500)`` → 500; ``nice_step(0.035)`` → 0.01."""
    if span <= 0:
        raise ValueError("span must be positive")
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag + 1e-12:
            return m * mag
    return 10 * mag


def axis_range(values: list[float]) -> tuple[float, float, float]:
    """``(low, high, step)`` of an axis covering ``values``: from 0 (or below the smallest
    negative value) to the next tick above the largest. When every value is positive and they
    differ by less than a quarter of the largest (76 and 74.99), the axis starts at a tick
    below the smallest so that the difference is visible; the start is labelled like every
    tick."""
    lo, hi = min(values + [0.0]), max(values + [0.0])
    positive = [v for v in values if v > 0]
    if positive and len(positive) == len(values) and (max(values) - min(values)) < 0.25 * max(values):
        span = max(values) - min(values) or max(values) * 0.1
        step = nice_step(span * 2, 4)
        lo = math.floor((min(values) - step / 2) / step) * step
        lo = max(lo, 0.0)
        hi = max(values)
    else:
        step = nice_step((hi - lo) or 1.0, 4)
        lo = math.floor(lo / step) * step
    top = math.ceil(hi / step - 1e-9) * step
    if top <= hi - 1e-12 or top == lo:
        top += step
    return lo, top, step


def _fmt(x: float) -> str:
    return f"{round(x, 10):g}"


def _shape(kind: str, x: float, y: float) -> str:
    if kind == "achieved":
        return f'<rect class="pt pt-achieved" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>'
    cls = "pt-baseline" if kind == "baseline" else "pt-target"
    return f'<circle class="pt {cls}" cx="{x:.1f}" cy="{y:.1f}" r="5"/>'


CHAR_W = 6.6    # px, estimated width of one digit or Latin character of a value label
CJK_W = 11.0    # px, of one Chinese character


def _text_width(text: str) -> float:
    return sum(CJK_W if ord(c) > 0x2E7F else CHAR_W for c in text)


def _place_labels(points: list[Point], xs: list[float], cy: float
                  ) -> list[tuple[float, float, str, str]]:
    """Value labels of one row without overlaps: ``(x, y, anchor, text)``. Points are taken
    from left to right; each label goes below its point, else above, whichever lane is still
    free there; a label that fits in neither is left out (its value is in ``<desc>`` and in
    the data table)."""
    lanes = {cy + 17: -1e9, cy - 9: -1e9}   # y → right end of the last label in the lane
    out = []
    for i in sorted(range(len(points)), key=lambda k: (xs[k], k)):
        text, x = points[i].text, xs[i]
        w = _text_width(text)
        if x > WIDTH - PAD_R - w / 2:
            left, anchor = x - w, "end"
        elif x < PAD_L + w / 2:
            left, anchor = x, "start"
        else:
            left, anchor = x - w / 2, "middle"
        for y in lanes:
            if left >= lanes[y] + 4:
                lanes[y] = left + w
                out.append((x, y, anchor, text))
                break
    return out


def dot_chart(chart_id: str, title: str, description: str, rows: list[ChartRow],
              unit: str = "") -> Markup:
    """The SVG markup of a dot chart of ``rows`` on one axis labelled with ``unit``.

    ``chart_id`` must be unique on the page (it names the title and description elements).
    Raises ValueError when no row has a point."""
    values = [p.value for r in rows for p in r.points]
    if not values:
        raise ValueError("a chart needs at least one point")
    lo, hi, step = axis_range(values)
    plot_w = WIDTH - PAD_L - PAD_R

    def xpos(v: float) -> float:
        return PAD_L + (v - lo) / (hi - lo) * plot_w

    height = TOP + len(rows) * ROW_H + AXIS_H
    axis_y = TOP + len(rows) * ROW_H
    kinds = [k for k in KINDS if any(p.kind == k for r in rows for p in r.points)]
    out = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {WIDTH} {height + 18}" width="{WIDTH}" height="{height + 18}">',
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<desc id="{chart_id}-d">{esc(description)}</desc>',
    ]
    n = int(round((hi - lo) / step))
    for i in range(n + 1):
        v = lo + i * step
        x = xpos(v)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{axis_y}"/>')
        out.append(f'<text class="tick" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">'
                   f'{esc(_fmt(v))}</text>')
    out.append(f'<line class="axis" x1="{PAD_L}" y1="{axis_y}" x2="{WIDTH - PAD_R}" y2="{axis_y}"/>')
    out.append(f'<text class="unit" x="{WIDTH - PAD_R}" y="{axis_y + 29}" text-anchor="end">'
               f'单位：{esc(unit or "—")}</text>')
    for i, row in enumerate(rows):
        y0 = TOP + i * ROW_H
        cy = y0 + 34
        out.append(f'<text class="row-label" x="{PAD_L}" y="{y0 + 13}">{esc(row.label)}</text>')
        xs = [xpos(p.value) for p in row.points]
        if len(xs) > 1:
            out.append(f'<line class="link" x1="{min(xs):.1f}" y1="{cy}" x2="{max(xs):.1f}" y2="{cy}"/>')
        for p, x in zip(row.points, xs):
            out.append(_shape(p.kind, x, cy))
        for x, ty, anchor, text in _place_labels(row.points, xs, cy):
            out.append(f'<text class="val" x="{x:.1f}" y="{ty}" text-anchor="{anchor}">'
                       f'{esc(text)}</text>')
    lx = PAD_L
    ly = height + 10
    for k in kinds:
        out.append(_shape(k, lx + 5, ly))
        out.append(f'<text class="legend" x="{lx + 14}" y="{ly + 4}">{KINDS[k]}</text>')
        lx += 80
    out.append("</svg>")
    return Markup("".join(out))


def chart_table(rows: list[ChartRow]) -> dict:
    """The chart's numbers for a data table: ``{"kinds": [column labels], "rows": [(row label,
    {column label: text})]}``, columns in the order baseline, target, achieved."""
    kinds = [KINDS[k] for k in KINDS if any(p.kind == k for r in rows for p in r.points)]
    return {"kinds": kinds,
            "rows": [(r.label, {KINDS[p.kind]: p.text for p in r.points}) for r in rows]}
