"""Downloadable forms of the indicator tables: CSV text and JSON-ready dicts. Pure functions.

* :func:`table_csv` — one table: its printed cells under the printed headers, then the parsed
  fields (:data:`PARSED_COLUMNS`);
* :func:`all_tables_csv` — every table of every plan, cells as ``cell_1`` … ``cell_N``;
* :func:`table_json` — one table with rows (verbatim cells and parsed fields) and the summary
  figures of :func:`plansite.targets.table_summary`; :func:`json_text` serialises it.

CSV text is UTF-8 with a byte-order mark (so Excel opens Chinese correctly) when encoded with
``encode("utf-8")`` — the returned str starts with ``"\\ufeff"``; lines end in ``"\\n"``.
Printed index markup (``PM <sub>2.5</sub>``, ``PM _{2.5}``) is written as plain text (``PM2.5``)
in CSV cells and names; JSON keeps the verbatim ``cells`` and adds ``label`` (plain name).
Numbers are written in their shortest form (1500, 902.27); empty cells are ``""``. Output is
deterministic: fixed column order, rows in table order, JSON with sorted keys.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from plansite.indicators import Growth, IndicatorRow, IndicatorTable, Registry, Value, \
    table_dict_row
from plansite.cells import plain
from plansite.jsontext import indented
from plansite.targets import assess, growth_check, table_summary

if TYPE_CHECKING:
    from plansite.comparisons import Group

BOM = "\ufeff"

_VALUE_PARTS = ("year", "value", "text", "qualifier", "cumulative", "unit", "strive")
_GROWTH_PARTS = ("kind", "value", "text", "qualifier", "strive")
_VALUE_FIELDS = ("baseline", "target", "base", "planned_value", "achieved_value")
_GROWTH_FIELDS = ("growth", "past_growth", "planned_growth", "achieved_growth")

#: parsed columns, after the cells, in every CSV
PARSED_COLUMNS: list[str] = (
    ["line", "last_line", "seq", "category", "name", "subname", "indicator", "unit"]
    + [f"{f}_{p}" for f in ("base", "baseline", "target") for p in _VALUE_PARTS]
    + [f"{f}_{p}" for f in ("growth", "past_growth") for p in _GROWTH_PARTS]
    + [f"planned_value_{p}" for p in _VALUE_PARTS]
    + [f"planned_growth_{p}" for p in _GROWTH_PARTS]
    + [f"achieved_value_{p}" for p in _VALUE_PARTS]
    + [f"achieved_growth_{p}" for p in _GROWTH_PARTS]
    + ["attribute", "markers", "notes", "quote", "note",
       "implied_cagr", "stated_growth", "growth_gap", "growth_flagged",
       "completion_status", "completion_reason", "level_status", "growth_status"]
)


def _cell(x: Any) -> str:
    """One CSV cell: None → "", bools → true/false, integral floats without ".0"."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        if x.is_integer():
            return str(int(x))
        return repr(round(x, 10))
    return str(x)


def _field_values(row: IndicatorRow) -> dict[str, Value | Growth | None]:
    return {
        "base": row.base, "baseline": row.baseline, "target": row.target, "growth": row.growth,
        "past_growth": row.past_growth,
        "planned_value": row.planned.value if row.planned else None,
        "planned_growth": row.planned.growth if row.planned else None,
        "achieved_value": row.achieved.value if row.achieved else None,
        "achieved_growth": row.achieved.growth if row.achieved else None,
    }


def parsed_record(table: IndicatorTable, row: IndicatorRow, registry: Registry) -> dict[str, Any]:
    """The parsed fields of one row keyed by :data:`PARSED_COLUMNS` (values not yet
    stringified): flattened values/growths, the registry id, the implied-growth check
    (targets tables) and the completion assessment (completion tables)."""
    entry = registry.resolve(row.key)
    rec: dict[str, Any] = {k: None for k in PARSED_COLUMNS}
    rec.update(line=row.line, last_line=row.lines[1], seq=row.seq, category=row.category,
               name=plain(row.name), subname=plain(row.subname) or None, indicator=entry.id if entry else None,
               unit=row.unit, attribute=row.attribute, markers=" ".join(row.markers),
               notes=" ".join(row.notes), quote=row.quote, note=row.note)
    for f, v in _field_values(row).items():
        if v is None:
            continue
        parts = _GROWTH_PARTS if f in _GROWTH_FIELDS else _VALUE_PARTS
        for p in parts:
            rec[f"{f}_{p}"] = getattr(v, p)
    if table.kind == "targets":
        c = growth_check(row, registry)
        if c is not None:
            rec.update(implied_cagr=round(c.implied, 2), stated_growth=c.stated,
                       growth_gap=round(c.gap, 2) + 0.0, growth_flagged=c.flagged)
    else:
        a = assess(row, registry, table.footnotes)
        parts = {v.basis: v.status for v in a.parts}
        rec.update(completion_status=a.status, completion_reason=a.reason,
                   level_status=parts.get("value"), growth_status=parts.get("growth"))
    return rec


def _write(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([_cell(x) for x in r])
    return BOM + buf.getvalue()


def _headers(table: IndicatorTable) -> list[str]:
    return [c or f"列{i + 1}" for i, c in enumerate(table.columns)]


def _csv_line():
    """A function ``text(fields)`` giving the CSV line ``csv.writer`` writes for ``fields`` (each
    through :func:`_cell`), without its line end (one writer and buffer for all its calls)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")  # as _write: a cell holding a line end is quoted

    def text(fields) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow([_cell(x) for x in fields])
        return buf.getvalue()[:-1]

    return text


def parsed_texts(table: IndicatorTable, registry: Registry) -> list[str]:
    """The CSV text of the parsed columns (:data:`PARSED_COLUMNS`, :func:`parsed_record`) of each
    row of ``table``, without line end: the end of the row's line in :func:`table_csv` and in
    :func:`all_tables_csv` (made once for both by a plan's build). A CSV line is its fields'
    texts joined by commas, so these texts follow the cells' after a comma."""
    text = _csv_line()
    return [text([rec[k] for k in PARSED_COLUMNS]) for rec in (parsed_record(table, r, registry) for r in table.rows)]


def table_csv(table: IndicatorTable, registry: Registry, parsed: list[str] | None = None) -> str:
    """One table as CSV text: header row = the printed column headers (an unprinted sub-column
    is named 列N) followed by :data:`PARSED_COLUMNS`; one line per row. Proposal tables
    (no printed cells) have only the parsed columns. Starts with a BOM; ``"\\n"`` endings.
    ``parsed`` (optional): :func:`parsed_texts` of ``table`` when already made."""
    text = _csv_line()
    lines = [BOM + text(_headers(table) + PARSED_COLUMNS)]
    for r, tail in zip(table.rows, parsed if parsed is not None else parsed_texts(table, registry)):
        cells = [plain(c) for c in r.cells] + [""] * (len(table.columns) - len(r.cells))
        # the cells' text with the comma after them (an empty last field keeps a lone empty cell
        # unquoted, as inside the whole line), then the parsed columns'
        lines.append(text(cells + [""]) + tail if cells else tail)
    lines.append("")
    return "\n".join(lines)


def all_tables_csv(tables: dict[str, list[IndicatorTable]], registry: Registry) -> str:
    """Every table of every plan in one CSV: columns ``plan, table, table_kind, row,
    cell_1 … cell_N`` (N = the widest table) then :data:`PARSED_COLUMNS`. Plans in sorted slug
    order, tables and rows in file order. Starts with a BOM; ``"\\n"`` endings.
    (:func:`plan_csv_rows` for each plan, joined by :func:`join_csv_rows`.)"""
    return join_csv_rows([plan_csv_rows(slug, tables[slug], registry) for slug in sorted(tables)])


def plan_csv_rows(slug: str, tables: list[IndicatorTable], registry: Registry,
                  parsed: list[list[str]] | None = None) -> tuple[int, list[tuple[int, str, str]]]:
    """One plan's lines of :func:`all_tables_csv` before they are padded to the widest table of
    all plans: ``(its widest table's column count, rows)``, each row ``(number of printed cells,
    CSV text of plan, table, table_kind, row and the cells, CSV text of the parsed columns)``,
    texts without line end. Computed once per plan (kept in its card), so the all-plans file is
    joined without reading every table again. ``parsed`` (optional): each table's
    :func:`parsed_texts` when already made."""
    text = _csv_line()
    out = []
    for k, t in enumerate(tables):
        tails = parsed[k] if parsed is not None else parsed_texts(t, registry)
        for i, (r, tail) in enumerate(zip(t.rows, tails)):
            head = text([slug, t.id, t.kind, i + 1] + [plain(c) for c in r.cells])
            out.append((len(r.cells), head, tail))
    return max((len(t.columns) for t in tables), default=0), out


def join_csv_rows(plans: list[tuple[int, list[tuple[int, str, str]]]]) -> str:
    """:func:`all_tables_csv` from the :func:`plan_csv_rows` of each plan (in slug order): each
    row's cells padded with empty cells to the widest table of all plans."""
    width = max((w for w, _ in plans), default=0)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        ["plan", "table", "table_kind", "row"] + [f"cell_{i + 1}" for i in range(width)] + PARSED_COLUMNS)
    lines = [BOM + buf.getvalue()]
    for _, rows in plans:
        lines += [f"{head}{',' * (width - n)},{tail}\n" for n, head, tail in rows]
    return "".join(lines)


def table_json(table: IndicatorTable, registry: Registry) -> dict[str, Any]:
    """One table as JSON-ready data::

        {"plan", "id", "kind", "title", "source", "lines": [a, b], "columns": [...],
         "footnotes": [{"marker", "text", "line"}],
         "rows": [{"cells": [...], "indicator": id|None, ...parsed fields (table_dict_row),
                   "growth_check": {...}|None, "assessment": {"status", "reason", "basis"}|None}],
         "summary": table_summary(...)}

    Numbers are floats, years ints; serialise with :func:`json_text` for stable output."""
    rows = []
    for r in table.rows:
        entry = registry.resolve(r.key)
        d = {"cells": list(r.cells), "indicator": entry.id if entry else None,
             "label": plain(r.key)}
        d.update(table_dict_row(r))
        d["growth_check"] = None
        d["assessment"] = None
        if table.kind == "targets":
            c = growth_check(r, registry)
            if c is not None:
                d["growth_check"] = {"implied": round(c.implied, 2), "stated": c.stated,
                                     "gap": round(c.gap, 2) + 0.0, "flagged": c.flagged,
                                     "years": c.years, "real_growth": c.real_growth,
                                     "explanation": c.explanation}
        else:
            a = assess(r, registry, table.footnotes)
            d["assessment"] = {"status": a.status, "reason": a.reason, "basis": a.basis,
                               "parts": [{"basis": v.basis, "status": v.status, "reason": v.reason}
                                         for v in a.parts],
                               "definition_note": a.definition_note}
        rows.append(d)
    return {
        "plan": table.plan, "id": table.id, "kind": table.kind, "title": table.title,
        "source": table.source, "lines": list(table.lines), "columns": list(table.columns),
        "footnotes": [{"marker": f.marker, "text": f.text, "line": f.line,
                       "last_line": f.last_line or f.line}
                      for f in table.footnotes],
        "rows": rows, "summary": table_summary(table, registry),
    }


def json_text(data: Any) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, UTF-8 characters kept, final
    ``"\\n"``."""
    return indented(data, sort_keys=True) + "\n"


#: columns of a comparison CSV (:func:`comparison_csv`)
COMPARISON_COLUMNS = [
    "plan", "table", "row", "label", "period_start", "period_end", "role", "indicator", "name",
    "unit", "shown_unit", "unit_note",
    "baseline_text", "baseline_value", "baseline_year", "target_text", "target_value", "target_year",
    "achieved_text", "achieved_value", "achieved_year",
    "growth_base_text", "growth_base_value", "growth_text", "growth_value",
    "growth_achieved_text", "growth_achieved_value", "status",
]


def comparison_csv(group: "Group") -> str:
    """One comparison group (:class:`plansite.comparisons.Group`) as CSV: one line per table
    row, columns :data:`COMPARISON_COLUMNS`. ``*_value`` of level values are in ``shown_unit``
    (the group's unit; empty when the printed unit does not convert), growth values in percent;
    names are plain text (PM2.5). Starts with a BOM; ``"\\n"`` endings."""
    out: list[list[Any]] = [list(COMPARISON_COLUMNS)]
    for r in group.rows:
        rec: dict[str, Any] = {
            "plan": r.plan.slug, "table": r.table.id, "row": r.index, "label": r.label,
            "period_start": r.years[0], "period_end": r.years[1], "role": r.role,
            "indicator": r.entry.id, "name": plain(r.row.key), "unit": r.unit,
            "shown_unit": group.unit if r.role == "level" else "%", "unit_note": r.unit_note,
            "status": r.assessment.status if r.assessment else None,
        }
        for k in ("baseline", "target", "achieved", "growth_base", "growth", "growth_achieved"):
            v = getattr(r, k)
            rec[f"{k}_text"] = v.text if v else None
            rec[f"{k}_value"] = v.number if v else None
            if f"{k}_year" in COMPARISON_COLUMNS:
                rec[f"{k}_year"] = v.year if v else None
        out.append([rec.get(c) for c in COMPARISON_COLUMNS])
    return _write(out)
