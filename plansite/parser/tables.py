"""Tables: tab-separated runs of lines, and editor-named line ranges (``table_ranges``) for tables
a PDF broke cell by cell."""

from __future__ import annotations

from .lines import Line, clean_line


def collect_table(lines: list[Line], i: int, in_range: tuple[int, int] | None) -> tuple[list[list[str]], int, int]:
    """The table starting at ``lines[i]``: ``(rows, last source line, index after it)``.

    Inside an editor's ``in_range`` every line is a row (its raw text as one cell, or its tab
    cells). Otherwise the table is the run of lines holding a tab; blank lines inside are allowed
    when a tab line follows them. Cells are cleaned of markup; trailing empty cells dropped.
    """
    j, rows, last = i, [], lines[i].number
    while j < len(lines):
        cur = lines[j]
        inside = in_range and in_range[0] <= cur.number <= in_range[1]
        if not inside and "\t" not in cur.raw:
            k = j
            while k < len(lines) and not lines[k].text:
                k += 1
            if in_range or k == j or k >= len(lines) or "\t" not in lines[k].raw:
                break
            j = k
            continue
        if cur.text:
            cells = [clean_line(c)[0] for c in cur.raw.rstrip("\n").split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
        last = cur.number
        j += 1
    return rows, last, j
