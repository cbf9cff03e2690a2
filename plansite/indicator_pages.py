"""Indicator pages, cross-links and downloads.

Pages (site-relative directory URLs):

- ``plans/<slug>/indicators/<table>/``: one indicator table (指标表) as printed, with its summary
  (counts, implied vs stated growth, met / not met), a chart per row, and download links;
- ``indicators/``: every canonical indicator (registry) and the plans that set it;
- ``indicators/<id>/``: one canonical indicator — with its growth rate (``growth_of``) —
  compared across plans and periods (:mod:`plansite.comparisons`), only when there is
  something to compare (rows from two tables or more); an indicator of one table only is
  listed on ``indicators/`` with a link to its row.

Downloads: ``downloads/<slug>-<table>.csv`` / ``.json`` per table, ``downloads/indicator-<id>.csv``
/ ``.json`` per comparison, and ``downloads/all-indicators.csv`` / ``.json`` for all plans (CSV is
UTF-8 with BOM so that Excel opens Chinese text).

Cross-links: a chapter page lists the indicators its text mentions (by the registry's printed
names); an indicator row lists the chapters that mention it and links to its source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cells import plain
from .charts import ChartRow, Point, chart_table, dot_chart
from .comparisons import (Group, build_groups, describe, growth_chart_rows, level_chart_rows,
                          show_value)
from .downloads import all_tables_csv, comparison_csv, json_text, table_csv, table_json
from .indicators import IndicatorRow, IndicatorTable, Registry, RegistryEntry
from .pages import PageUnit, Renderer, unit_nodes
from .project import PlanData, Project
from .targets import GAP_THRESHOLD_PP, STATUSES, assess, growth_check, table_summary

#: Printed names shorter than this (in characters) are not searched for in chapter text: too
#: short to mean the indicator (e.g. "GDP").
MIN_MENTION = 4

STATUS_LABELS = {"met": "已完成", "partly": "部分完成", "not_met": "未完成",
                 "not_comparable": "不可比（口径调整）", "not_assessable": "无法判断"}
BASIS_LABELS = {"value": "总量", "growth": "增速"}
ATTRIBUTE_LABELS = {"expected": "预期性", "binding": "约束性", "none": "未标注"}


def table_url(slug: str, table_id: str) -> str:
    """URL of an indicator table page."""
    return f"plans/{slug}/indicators/{table_id}/"


def indicator_url(indicator_id: str) -> str:
    """URL of a canonical indicator's comparison page."""
    return f"indicators/{indicator_id}/"


def download_path(slug: str, table_id: str, ext: str) -> str:
    """Site path of a table download, ``ext`` ``csv`` or ``json``."""
    return f"downloads/{slug}-{table_id}.{ext}"


@dataclass
class RowView:
    """A row ready for a template: the row, its registry entry, its implied-growth check or
    completion assessment, its chart (SVG markup or ``None``) and the pages that mention it."""

    row: IndicatorRow
    entry: RegistryEntry | None
    check: object | None
    assessment: object | None
    chart: object | None
    anchor: str
    discussed: list[PageUnit] = field(default_factory=list)


@dataclass
class Mention:
    """An indicator a page mentions: registry ``id``, Chinese ``name`` and the ``url`` it links
    to — its comparison page, or (an indicator of one table only) its row on the plan's table."""

    id: str
    name: str
    url: str


@dataclass
class Crosslinks:
    """Which pages mention which indicators: ``by_page[slug][url]`` → :class:`Mention` (document
    order of first mention), ``by_indicator[slug][indicator id]`` → page units; ``groups`` the
    comparison groups (:func:`plansite.comparisons.build_groups`)."""

    by_page: dict[str, dict[str, list[Mention]]]
    by_indicator: dict[str, dict[str, list[PageUnit]]]
    groups: list[Group] = field(default_factory=list)


def row_url(slug: str, table_id: str, index: int) -> str:
    """URL of row ``index`` (1-based) on its table page."""
    return f"{table_url(slug, table_id)}#row-{index}"


def comparison_groups(project: Project, registry: Registry) -> list[Group]:
    """The comparison groups of every plan's tables (see :mod:`plansite.comparisons`)."""
    return build_groups([(d.plan, d.tables) for d in project.plans], registry, row_url)


def entry_url(groups: list[Group], registry: Registry, entry: RegistryEntry, slug: str) -> str:
    """Where a mention of ``entry`` in plan ``slug`` links: the comparison page of its group
    when it has one, else its first row in that plan's tables."""
    gid = entry.growth_of or entry.id
    for g in groups:
        if g.entry.id == gid:
            if g.compared:
                return indicator_url(gid)
            rows = [r for r in g.rows if r.plan.slug == slug and r.entry is entry] or g.rows
            return rows[0].url
    return "indicators/"


def find_mentions(project: Project, renderer: Renderer, registry: Registry, groups=None) -> Crosslinks:
    """Find, for every plan, the pages whose text mentions an indicator of that plan's tables.

    A mention is an exact occurrence of one of the indicator's printed names (registry aliases
    of at least :data:`MIN_MENTION` characters) in the page's paragraphs, headings and tables.
    ``groups`` (optional, default :func:`comparison_groups` of ``project``): the comparison
    groups that decide where a mention links (the cached build passes one plan's groups with
    ``compared`` as in the whole project).
    """
    if groups is None:
        groups = comparison_groups(project, registry)
    by_page: dict[str, dict[str, list[Mention]]] = {}
    by_indicator: dict[str, dict[str, list[PageUnit]]] = {}
    for data in project.plans:
        slug = data.plan.slug
        units = renderer.units[slug]
        texts = ["\n".join(_node_text(n) for _, n in unit_nodes(unit)) for unit in units]
        # each page's text is part of the whole: a name not in the whole is on no page, so each
        # page is searched only for the names the plan holds (most of a registry's are not there)
        whole = "\n".join(texts)
        entries = [(e, names) for e in _plan_entries(data, registry)
                   if (names := [a for a in e.aliases if len(a) >= MIN_MENTION and a in whole])]
        by_page[slug], by_indicator[slug] = {}, {}
        for unit, text in zip(units, texts):
            found = [e for e, names in entries if any(a in text for a in names)]
            if found:
                by_page[slug][unit.url] = [Mention(e.id, e.name, entry_url(groups, registry, e, slug))
                                           for e in found]
                for entry in found:
                    by_indicator[slug].setdefault(entry.id, []).append(unit)
    return Crosslinks(by_page, by_indicator, groups)


def _node_text(node) -> str:
    if node.kind == "table":
        return "\n".join("\t".join(row) for row in node.rows)
    return node.text or node.title


def _plan_entries(data: PlanData, registry: Registry) -> list[RegistryEntry]:
    seen: dict[str, RegistryEntry] = {}
    for table in data.tables:
        for row in table.rows:
            entry = registry.resolve(row.key)
            if entry and entry.id not in seen:
                seen[entry.id] = entry
    return list(seen.values())


def _number(v) -> float | None:
    return v.value if v is not None and v.value is not None else None


def row_chart(table: IndicatorTable, row: IndicatorRow, chart_id: str) -> dict | None:
    """The chart of one row: baseline → target (targets tables) or planned → achieved
    (completion tables), when both are numbers in the row's unit and neither is a five-year
    total; ``None`` otherwise. Returns ``{"svg": Markup, "table": chart_table rows}``."""
    unit = row.unit or ""
    if table.kind == "targets":
        a, b = row.baseline, row.target
        kinds = ("baseline", "target")
        years = (a.year or table.base_year if a else None, b.year or table.target_year if b else None)
    else:
        a = row.planned.value if row.planned else None
        b = row.achieved.value if row.achieved else None
        kinds = ("target", "achieved")
        years = (a.year if a else None, b.year if b else None)
    x, y = _number(a), _number(b)
    if x is None or y is None or (b.unit and b.unit != (a.unit or b.unit)) or a.cumulative or b.cumulative:
        return None
    label = plain(row.key)
    names = {"baseline": "基期值", "target": "目标值" if table.kind == "targets" else "规划目标",
             "achieved": "实际完成"}
    pts = [Point(k, v.value, show_value(v)) for k, v in zip(kinds, (a, b))]
    when = "→".join(f"{t}年" for t in years if t)
    crow = ChartRow(f"{label}（{when}）" if when else label, pts)
    title = f"{label}：{names[kinds[0]]} {pts[0].text}{unit}，{names[kinds[1]]} {pts[1].text}{unit}"
    desc = (f"{names[kinds[0]]}为{pts[0].text}{unit}；{names[kinds[1]]}为{pts[1].text}{unit}；"
            f"差 {y - x:+.4g}{'个百分点' if unit == '%' else unit}。")
    return {"svg": dot_chart(chart_id, title, desc, [crow], unit), "table": chart_table([crow])}


def row_views(data: PlanData, table: IndicatorTable, registry: Registry, links: Crosslinks) -> list[RowView]:
    """:class:`RowView` for every row of ``table``, in printed order."""
    views = []
    for i, row in enumerate(table.rows, start=1):
        entry = registry.resolve(row.key)
        anchor = f"row-{i}"
        check = growth_check(row, registry) if table.kind == "targets" else None
        assessment = assess(row, registry, table.footnotes) if table.kind == "completion" else None
        discussed = links.by_indicator[data.plan.slug].get(entry.id, []) if entry else []
        views.append(RowView(row, entry, check, assessment, row_chart(table, row, f"c-{table.id}-{i}"),
                             anchor, discussed))
    return views


def show(v) -> str:
    """A parsed value or growth as a reader reads it: ``≥97%``-style qualifier, number, or its text.

    ``None`` → ``"—"``.
    """
    if v is None:
        return "—"
    if getattr(v, "value", None) is None:
        return v.text or "—"
    q = {"at_least": "≥", "at_most": "≤", "about": "约", "above": ">", "below": "<"}.get(
        getattr(v, "qualifier", None) or "", "")
    text = f"{q}{v.value:g}"
    if getattr(v, "kind", None) == "cumulative" or getattr(v, "cumulative", False):
        text = f"[{text}]"
    return text


def comparison_charts(group: Group) -> list[dict]:
    """The charts of a comparison page: levels (display unit) and annual growth rates (%), each
    ``{"kind", "svg", "table", "unit"}``; a chart is left out when no row has its numbers."""
    out = []
    for kind, rows, unit, what in (("level", level_chart_rows(group), group.unit or "", "总量"),
                                   ("growth", growth_chart_rows(group), "%", "年均增速")):
        if not rows:
            continue
        cid = f"cmp-{kind}"
        title = f"{group.entry.name}：各规划{what}（{unit}）"
        out.append({"kind": kind, "unit": unit, "table": chart_table(rows),
                    "svg": dot_chart(cid, title, describe(rows, unit), rows, unit)})
    return out


def indicator_outputs(project: Project, renderer: Renderer, registry: Registry,
                      links: Crosslinks) -> dict[str, str]:
    """Indicator pages and downloads as ``{site path: text}`` (pages as ``…/index.html``)."""
    out: dict[str, str] = {}
    common = {"show": show, "show_printed": show_value, "status_labels": STATUS_LABELS, "attribute_labels": ATTRIBUTE_LABELS,
              "basis_labels": BASIS_LABELS, "statuses": STATUSES, "num": _shown, "pct": _shown,
              "threshold": GAP_THRESHOLD_PP, "table_url": table_url, "indicator_url": indicator_url}
    all_tables = {}
    for data in project.plans:
        slug = data.plan.slug
        all_tables[slug] = data.tables
        for table in data.tables:
            url = table_url(slug, table.id)
            csv_path, json_path = download_path(slug, table.id, "csv"), download_path(slug, table.id, "json")
            out[f"{url}index.html"] = renderer.render(
                "indicator_table.html", url, data=data, plan=data.plan, table=table,
                rows=row_views(data, table, registry, links), summary=table_summary(table, registry),
                csv_url=csv_path, json_url=json_path, urls=renderer.urls[slug],
                group_url=lambda e: indicator_url(e.growth_of or e.id) if _compared(links, e) else None,
                **common)
            out[csv_path] = table_csv(table, registry)
            out[json_path] = json_text(table_json(table, registry))
    groups = links.groups
    compared = [g for g in groups if g.compared]
    single = [g for g in groups if not g.compared]
    by_table: dict[str, list[Group]] = {}
    for g in single:
        by_table.setdefault(f"{g.rows[0].label}（{g.rows[0].plan.short_title}）", []).append(g)
    out["indicators/index.html"] = renderer.render("indicators.html", "indicators/", compared=compared,
                                                   single=single, single_by_table=by_table, **common)
    for group in compared:
        url = indicator_url(group.entry.id)
        csv_path = f"downloads/indicator-{group.entry.id}.csv"
        json_path = f"downloads/indicator-{group.entry.id}.json"
        ids = [group.entry.id] + [e.id for e in group.growth_entries]
        discussed = []
        for d in project.plans:
            units: dict[str, PageUnit] = {}
            for i in ids:
                for u in links.by_indicator[d.plan.slug].get(i, []):
                    units.setdefault(u.url, u)
            if units:
                discussed.append((d.plan, list(units.values())))
        out[f"{url}index.html"] = renderer.render(
            "indicator.html", url, group=group, entry=group.entry, rows=group.rows,
            charts=comparison_charts(group), discussed=discussed, csv_url=csv_path,
            json_url=json_path, **common)
        out[csv_path] = comparison_csv(group)
        out[json_path] = json_text(comparison_json(group))
    out["downloads/all-indicators.csv"] = all_tables_csv(all_tables, registry)
    out["downloads/all-indicators.json"] = json_text(
        {"plans": {slug: [table_json(t, registry) for t in tables] for slug, tables in all_tables.items() if tables}})
    return out


def _shown(v) -> str:
    """A :class:`~plansite.comparisons.Shown` value as text; ``None`` → ``—``."""
    return "—" if v is None or not str(v) else str(v)


def _compared(links: Crosslinks, entry: RegistryEntry) -> bool:
    gid = entry.growth_of or entry.id
    return any(g.entry.id == gid and g.compared for g in links.groups)


def comparison_json(group: Group) -> dict:
    """One comparison as JSON-ready data::

        {"indicator", "name", "name_en", "definition", "definition_source", "direction",
         "measure", "unit", "growth_indicators": [...],
         "rows": [{"plan", "table", "row", "label", "period": [a, b], "role", "indicator",
                   "name", "unit", "unit_note", "baseline", "target", "achieved",
                   "growth_base", "growth", "growth_achieved", "status"}]}

    Each value is ``{"text", "value", "year"}`` (``value`` in the group's ``unit`` for level
    values, percent for growth values; None when not a number or not convertible)."""
    def v(x):
        return None if x is None else {"text": x.text, "value": x.number, "year": x.year}
    e = group.entry
    return {
        "indicator": e.id, "name": e.name, "name_en": e.name_en, "definition": e.definition,
        "definition_source": e.definition_source, "direction": e.direction, "measure": e.measure,
        "unit": group.unit, "growth_indicators": [g.id for g in group.growth_entries],
        "rows": [{"plan": r.plan.slug, "table": r.table.id, "row": r.index, "label": r.label,
                  "period": list(r.years), "role": r.role, "indicator": r.entry.id,
                  "name": plain(r.row.key), "unit": r.unit, "unit_note": r.unit_note,
                  "baseline": v(r.baseline), "target": v(r.target), "achieved": v(r.achieved),
                  "growth_base": v(r.growth_base), "growth": v(r.growth),
                  "growth_achieved": v(r.growth_achieved),
                  "status": r.assessment.status if r.assessment else None}
                 for r in group.rows],
    }


def api_extra(data: PlanData, registry: Registry, jsons: list[dict] | None = None) -> dict:
    """Keys added to ``api/plans/<slug>.json``: ``indicator_tables`` (rows with verbatim cells and
    parsed fields, plus summary figures), each with its page and download URLs. ``jsons``
    (optional): the tables' ``table_json`` already made (copied, not changed)."""
    tables = []
    for k, table in enumerate(data.tables):
        t = dict(jsons[k]) if jsons is not None else table_json(table, registry)
        t["url"] = table_url(data.plan.slug, table.id)
        t["downloads"] = {"csv": download_path(data.plan.slug, table.id, "csv"),
                          "json": download_path(data.plan.slug, table.id, "json")}
        tables.append(t)
    return {"indicator_tables": tables}
