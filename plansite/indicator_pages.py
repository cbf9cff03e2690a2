"""Indicator pages, cross-links and downloads.

Pages (site-relative directory URLs):

- ``plans/<slug>/indicators/<table>/``: one indicator table (指标表) as printed, with its summary
  (counts, implied vs stated growth, met / not met), a chart per row, and download links;
- ``indicators/``: every canonical indicator (registry) and the plans that set it;
- ``indicators/<id>/``: one canonical indicator compared across plans.

Downloads: ``downloads/<slug>-<table>.csv`` / ``.json`` per table and ``downloads/all-indicators.csv``
/ ``.json`` for all plans (CSV is UTF-8 with BOM so that Excel opens Chinese text).

Cross-links: a chapter page lists the indicators its text mentions (by the registry's printed
names); an indicator row lists the chapters that mention it and links to its source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .charts import Bar, bar_chart
from .downloads import all_tables_csv, json_text, table_csv, table_json
from .indicators import IndicatorRow, IndicatorTable, Registry, RegistryEntry
from .pages import PageUnit, Renderer, unit_nodes
from .project import PlanData, Project
from .targets import GAP_THRESHOLD_PP, assess, growth_check, table_summary, target_growth, target_value

#: Printed names shorter than this (in characters) are not searched for in chapter text: too
#: short to mean the indicator (e.g. "GDP").
MIN_MENTION = 4

STATUS_LABELS = {"met": "已完成", "not_met": "未完成", "not_assessable": "无法判断"}
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
class Crosslinks:
    """Which pages mention which indicators: ``by_page[slug][url]`` → entries (document order of
    first mention), ``by_indicator[slug][indicator id]`` → page units."""

    by_page: dict[str, dict[str, list[RegistryEntry]]]
    by_indicator: dict[str, dict[str, list[PageUnit]]]


def find_mentions(project: Project, renderer: Renderer, registry: Registry) -> Crosslinks:
    """Find, for every plan, the pages whose text mentions an indicator of that plan's tables.

    A mention is an exact occurrence of one of the indicator's printed names (registry aliases
    of at least :data:`MIN_MENTION` characters) in the page's paragraphs, headings and tables.
    """
    by_page: dict[str, dict[str, list[RegistryEntry]]] = {}
    by_indicator: dict[str, dict[str, list[PageUnit]]] = {}
    for data in project.plans:
        slug = data.plan.slug
        entries = _plan_entries(data, registry)
        by_page[slug], by_indicator[slug] = {}, {}
        for unit in renderer.units[slug]:
            text = "\n".join(_node_text(n) for _, n in unit_nodes(unit))
            found = [e for e in entries if any(len(a) >= MIN_MENTION and a in text for a in e.aliases)]
            if found:
                by_page[slug][unit.url] = found
                for entry in found:
                    by_indicator[slug].setdefault(entry.id, []).append(unit)
    return Crosslinks(by_page, by_indicator)


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


def row_chart(table: IndicatorTable, row: IndicatorRow, chart_id: str) -> object | None:
    """The chart of one row: baseline → target (targets tables) or planned → achieved
    (completion tables), when both are numbers in the row's unit; ``None`` otherwise."""
    unit = row.unit or ""
    if table.kind == "targets":
        a, b = row.baseline, row.target
        labels = (f"{a.year or table.base_year or ''}年基期", f"{b.year or table.target_year or ''}年目标") if a and b else ("", "")
    else:
        a = row.planned.value if row.planned else None
        b = row.achieved.value if row.achieved else None
        labels = ("规划目标", "实际完成")
    x, y = _number(a), _number(b)
    if x is None or y is None or (b.unit and b.unit != (a.unit or b.unit)) or x < 0 or y < 0:
        return None
    title = f"{row.key}：{labels[0]} {x:g}{unit}，{labels[1]} {y:g}{unit}"
    desc = f"{labels[0]}为{x:g}{unit}；{labels[1]}为{y:g}{unit}。"
    return bar_chart(chart_id, title, desc, [Bar(labels[0], x, f"{x:g}"), Bar(labels[1], y, f"{y:g}")], unit)


def row_views(data: PlanData, table: IndicatorTable, registry: Registry, links: Crosslinks) -> list[RowView]:
    """:class:`RowView` for every row of ``table``, in printed order."""
    views = []
    for i, row in enumerate(table.rows, start=1):
        entry = registry.resolve(row.key)
        anchor = f"row-{i}"
        check = growth_check(row, registry) if table.kind == "targets" else None
        assessment = assess(row, registry) if table.kind == "completion" else None
        discussed = links.by_indicator[data.plan.slug].get(entry.id, []) if entry else []
        views.append(RowView(row, entry, check, assessment, row_chart(table, row, f"c-{table.id}-{i}"),
                             anchor, discussed))
    return views


def comparison_rows(project: Project, registry: Registry, entry: RegistryEntry) -> list[dict]:
    """Every plan's row for canonical indicator ``entry``: dicts with ``data``, ``table``, ``row``,
    ``target`` (Value), ``growth`` (Growth), ``url`` (the row on its table page)."""
    out = []
    for data in project.plans:
        for table in data.tables:
            for i, row in enumerate(table.rows, start=1):
                if registry.resolve(row.key) is entry:
                    out.append({"data": data, "table": table, "row": row,
                                "target": target_value(table, row), "growth": target_growth(table, row),
                                "url": f"{table_url(data.plan.slug, table.id)}#row-{i}"})
    return out


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


def indicator_outputs(project: Project, renderer: Renderer, registry: Registry,
                      links: Crosslinks) -> dict[str, str]:
    """Indicator pages and downloads as ``{site path: text}`` (pages as ``…/index.html``)."""
    out: dict[str, str] = {}
    common = {"show": show, "status_labels": STATUS_LABELS, "attribute_labels": ATTRIBUTE_LABELS,
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
                csv_url=csv_path, json_url=json_path, urls=renderer.urls[slug], **common)
            out[csv_path] = table_csv(table, registry)
            out[json_path] = json_text(table_json(table, registry))
    compared = [(e, rows) for e in registry.entries if (rows := comparison_rows(project, registry, e))]
    out["indicators/index.html"] = renderer.render("indicators.html", "indicators/", entries=compared, **common)
    for entry, rows in compared:
        url = indicator_url(entry.id)
        out[f"{url}index.html"] = renderer.render(
            "indicator.html", url, entry=entry, rows=rows,
            discussed=[(d.plan, links.by_indicator[d.plan.slug][entry.id]) for d in project.plans
                       if links.by_indicator[d.plan.slug].get(entry.id)],
            **common)
    out["downloads/all-indicators.csv"] = all_tables_csv(all_tables, registry)
    out["downloads/all-indicators.json"] = json_text(
        {"plans": {slug: [table_json(t, registry) for t in tables] for slug, tables in all_tables.items() if tables}})
    return out


def api_extra(data: PlanData, registry: Registry) -> dict:
    """Keys added to ``api/plans/<slug>.json``: ``indicator_tables`` (rows with verbatim cells and
    parsed fields, plus summary figures), each with its page and download URLs."""
    tables = []
    for table in data.tables:
        t = table_json(table, registry)
        t["url"] = table_url(data.plan.slug, table.id)
        t["downloads"] = {"csv": download_path(data.plan.slug, table.id, "csv"),
                          "json": download_path(data.plan.slug, table.id, "json")}
        tables.append(t)
    return {"indicator_tables": tables}
