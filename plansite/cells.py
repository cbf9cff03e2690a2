"""Printed table cells and text for display: inline sub/superscript markup and ragged rows.

The seeds carry a little typesetting markup from their conversion to text: HTML tags
(``城市细颗粒物(PM <sub>2.5</sub> )``, taijiang-14th line 135) and TeX-style indices
(``城市细颗粒物 (PM _{2.5}) 浓度``, fuzhou-15th line 314). The data keep the printed text
verbatim; here it is shown as a reader expects:

* :func:`rich` — HTML-escaped text with only those forms turned into real ``<sub>``/``<sup>``
  elements (``PM<sub>2.5</sub>``); every other ``<`` stays escaped;
* :func:`plain` — the same text without markup for CSV, chart labels and ``<title>``
  (``PM2.5``).

:func:`align_rows` lays out a parsed table whose rows are ragged (a minority of rows with one
more cell than the rest, e.g. a name split over two cells) on one grid of columns.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup, escape

# <sub>2.5</sub> (with stray spaces around it, as in "PM <sub>2.5</sub> )") and _{2.5} / ^{2}.
_TAG_RE = re.compile(r"\s*<(sub|sup)>\s*([^<>]{1,12}?)\s*</\1>\s*")
_TEX_RE = re.compile(r"\s*([_^])\{\s*([^{}]{1,12}?)\s*\}\s*")


def _marked(text: str) -> list[tuple[str, str | None]]:
    """Split ``text`` into ``(piece, tag)`` pieces, ``tag`` ``sub``/``sup`` for indices, None
    for plain text; the spaces the conversion put around an index are dropped."""
    spans: list[tuple[int, int, str, str]] = []
    for m in _TAG_RE.finditer(text):
        spans.append((m.start(), m.end(), m.group(1), m.group(2)))
    for m in _TEX_RE.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b, _, _ in spans):
            spans.append((m.start(), m.end(), "sub" if m.group(1) == "_" else "sup", m.group(2)))
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, tag, inner in sorted(spans):
        out.append((text[pos:start], None))
        out.append((inner, tag))
        # a space after the index survives only before a Latin word or number ("PM2.5 浓度")
        tail = text[start:end]
        if tail != tail.rstrip() and end < len(text) and not re.match(r"[)）\]】,，。;；:：]", text[end]):
            out.append((" ", None))
        pos = end
    out.append((text[pos:], None))
    return [(p, t) for p, t in out if p]


def esc(value) -> str:
    """``str(markupsafe.escape(value))``: ``value`` HTML-escaped (``&``, ``<``, ``>``, ``"``, ``'``)
    as Jinja2's autoescaping escapes it, as a plain str (markup, an object with ``__html__``, is
    kept as it is). For the HTML written in Python (:mod:`plansite.blocks`): a str holding none of
    the five (most plan text) comes back as it is, without the two Python calls and the copy of
    ``escape`` making it ``Markup``, nor the copy an f-string makes of a ``Markup`` it formats."""
    if type(value) is str and "&" not in value and "<" not in value and ">" not in value \
            and '"' not in value and "'" not in value:
        return value
    return str(escape(value))


def rich_text(text: str | None) -> str:
    """:func:`rich` as a plain str (for the HTML written in Python)."""
    if not text:
        return ""
    text = str(text)
    if "<" not in text and "{" not in text:  # no index markup can be there (most text)
        return esc(text)
    parts = []
    for piece, tag in _marked(text):
        parts.append(f"<{tag}>{esc(piece)}</{tag}>" if tag else esc(piece))
    return "".join(parts)


def rich(text: str | None) -> Markup:
    """``text`` as safe HTML: escaped, with printed ``<sub>…</sub>`` / ``_{…}`` / ``^{…}``
    indices as ``<sub>``/``<sup>`` elements. ``None`` → empty markup.

    ``rich("城市细颗粒物(PM <sub>2.5</sub> )")`` → ``城市细颗粒物(PM<sub>2.5</sub>)``;
    ``rich("<script>")`` → ``&lt;script&gt;``."""
    return Markup(rich_text(text))


def plain(text: str | None) -> str:
    """``text`` with index markup removed, for CSV cells, chart labels and SVG titles:
    ``plain("城市细颗粒物 (PM _{2.5}) 浓度")`` → ``城市细颗粒物 (PM2.5) 浓度``. Not escaped."""
    if not text:
        return ""
    text = str(text)
    if "<" not in text and "{" not in text:
        return text
    return "".join(piece for piece, _ in _marked(text))


@dataclass
class GridCell:
    """One cell placed on the grid: ``text`` and ``span`` (``colspan``, 1 or more)."""

    text: str
    span: int = 1


def align_rows(rows: list[list[str]]) -> tuple[list[list[GridCell]], int]:
    """Lay the rows of a parsed table (header first) on one grid: ``(rows of GridCell, width)``.

    The usual width is the most common length of the body rows. When a minority of rows is
    longer (fuzhou-15th 表 row 14: 每千人口拥有医护人员数 | 执业医师数, one cell more than
    the others), the extra cells belong to one column split in two: the column whose cells
    are longest on average in the usual rows (the indicator name). That column spans the extra
    columns in every usual row and in a header of the usual width, so the longer rows keep
    their cells under the right headers. Shorter rows (and a header with merged cells) are
    padded with empty cells at the end. Rows are never reordered or cut."""
    if not rows:
        return [], 0
    body = rows[1:] or rows
    usual = Counter(len(r) for r in body).most_common()
    usual.sort(key=lambda kv: (-kv[1], -kv[0]))
    width = usual[0][0]
    widest = max(len(r) for r in rows)
    extra = widest - width
    split = None
    if extra > 0 and width > 0:
        normal = [r for r in body if len(r) == width]
        mean = [sum(len(r[i]) for r in normal) / len(normal) for i in range(width)]
        split = max(range(width), key=lambda i: (mean[i], -i))
    grid = []
    for i, row in enumerate(rows):
        cells = [GridCell(c) for c in row]
        if split is not None and len(row) == width:
            cells[split].span = 1 + extra
        used = sum(c.span for c in cells)
        cells += [GridCell("") for _ in range(widest - used)]
        grid.append(cells)
    return grid, widest
