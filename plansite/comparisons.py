"""One canonical indicator (指标) compared across plans and periods. Pure functions.

A comparison *group* is a registry entry with the entries whose ``growth_of`` names it
(``gdp`` with ``gdp-growth``): the level targets (总量, 基期值 → 目标值) and the growth targets
(年均增长 / [累计]) of every plan are shown on one page. Each table row of the group becomes a
:class:`CompareRow`, labelled by the five-year period the *table* covers — a completion table
of 福州“十五五”规划纲要 assesses “十四五” and is labelled 福州“十四五”完成情况.

Units are normalised where they convert (:data:`UNIT_FACTORS`: 万亿元 → 亿元, 毫克/立方米 →
微克/立方米, ug/m³ = 微克/立方米, 人 → 万人); a unit that does not convert (亿美元 against
亿元, or % against 万元/人) is kept as printed and flagged, and such a row is left out of the
chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cells import plain
from .charts import ChartRow, Point
from .indicators import Growth, IndicatorRow, IndicatorTable, Registry, RegistryEntry, Value
from .plans import Plan
from .targets import Assessment, assess

#: printed unit → (family unit, factor to the family unit). Units of one family convert.
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "元": ("元", 1.0), "万元": ("元", 1e4), "亿元": ("元", 1e8), "万亿元": ("元", 1e12),
    "微克/立方米": ("微克/立方米", 1.0), "ug/m³": ("微克/立方米", 1.0),
    "μg/m³": ("微克/立方米", 1.0), "毫克/立方米": ("微克/立方米", 1000.0),
    "人": ("人", 1.0), "万人": ("人", 1e4),
}
#: spellings of one unit shown under one name
UNIT_NAMES = {"ug/m³": "微克/立方米", "μg/m³": "微克/立方米"}
_CN_DIGITS = "零一二三四五六七八九"


def plan_ordinal(end_year: int | None) -> str | None:
    """The five-year plan a period ending in ``end_year`` belongs to: ``2025`` → ``十四五``,
    ``2020`` → ``十三五``, ``2030`` → ``十五五``; None for a year that ends no plan period
    (plans run 1966–1970 (third) and every five years since)."""
    if end_year is None or end_year < 1970 or (end_year - 1970) % 5:
        return None
    n = (end_year - 1970) // 5 + 3
    if n < 10:
        word = _CN_DIGITS[n]
    elif n < 20:
        word = "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    else:
        word = _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return f"{word}五"


def region_name(plan: Plan) -> str:
    """The region as the plan's short title names it: ``福州“十五五”规划纲要`` → ``福州``."""
    return plan.short_title.split("“")[0] or plan.region


def table_period(plan: Plan, table: IndicatorTable) -> tuple[int | None, int | None]:
    """``(first year, last year)`` of the period the table covers: its base year and target
    year, else the plan's period (a proposal's targets)."""
    end = _target_year(plan, table)
    start = table.base_year
    if start is None:
        years = [r.baseline.year for r in table.rows if r.baseline and r.baseline.year]
        start = min(years) if years else (end - 5 if end else None)
    return start, end


def _target_year(plan: Plan, table: IndicatorTable) -> int | None:
    """The last year of :func:`table_period` (no row is read)."""
    return table.target_year or plan.period.end


def table_label(plan: Plan, table: IndicatorTable) -> str:
    """How a table is named on comparison pages, from the table's own period:
    ``福州“十四五”完成情况``, ``仓山区“十四五”目标``, ``福清“十四五”目标（建议）``."""
    end = _target_year(plan, table)
    ordinal = plan_ordinal(end)
    period = f"“{ordinal}”" if ordinal else f"{end}年"
    if table.kind == "completion":
        return f"{region_name(plan)}{period}完成情况"
    return f"{region_name(plan)}{period}目标" + ("（建议）" if plan.kind == "proposal" else "")


def convert(value: float, unit: str | None, to: str | None) -> float | None:
    """``value`` in ``unit`` expressed in unit ``to``; None when they do not convert."""
    if unit == to:
        return value
    a, b = UNIT_FACTORS.get(unit or ""), UNIT_FACTORS.get(to or "")
    if a is None or b is None or a[0] != b[0]:
        return None
    return round(value * a[1] / b[1], 9)


@dataclass
class Shown:
    """A value as the comparison shows it: ``text`` as printed (with qualifier), ``number``
    in the display unit (None when not a number or not convertible), ``year``."""

    text: str
    number: float | None
    year: int | None = None
    converted: bool = False

    def __str__(self) -> str:
        """As shown in a comparison table: ``15100（原表 1.51）（2025年）``-style."""
        s = self.text
        if self.converted and self.number is not None:
            s = f"{round(self.number, 6):g}（原表 {self.text}）"
        return f"{s}（{self.year}年）" if self.year else s


@dataclass
class CompareRow:
    """One table row of a comparison group.

    ``role`` is ``level`` (the row's numbers are the indicator's level) or ``growth`` (a
    growth-rate row such as 地区生产总值增长: its numbers are rates); ``label`` names the
    plan and the period assessed or targeted (:func:`table_label`); ``years`` the period;
    ``unit`` the printed unit and ``unit_note`` how it was converted or why it was not;
    ``baseline``/``target``/``achieved`` level values and ``growth_base``/``growth``/
    ``growth_achieved`` growth values, each :class:`Shown` or None; ``assessment`` for
    completion rows; ``url`` the row on its table page."""

    plan: Plan
    table: IndicatorTable
    row: IndicatorRow
    entry: RegistryEntry
    role: str
    label: str
    years: tuple[int | None, int | None]
    unit: str | None
    unit_note: str | None
    convertible: bool
    baseline: Shown | None = None
    target: Shown | None = None
    achieved: Shown | None = None
    growth_base: Shown | None = None
    growth: Shown | None = None
    growth_achieved: Shown | None = None
    assessment: Assessment | None = None
    url: str = ""
    index: int = 0

    @property
    def has_level(self) -> bool:
        """True when the row shows a level value (baseline, target or achieved)."""
        return any(v is not None for v in (self.baseline, self.target, self.achieved))

    @property
    def has_growth(self) -> bool:
        """True when the row shows a growth value."""
        return any(v is not None for v in (self.growth_base, self.growth, self.growth_achieved))


@dataclass
class Group:
    """A comparison group: the level ``entry``, its growth entries, its ``rows`` (plan order,
    then table order), the ``unit`` levels are shown in, and whether it gets a page."""

    entry: RegistryEntry
    growth_entries: list[RegistryEntry]
    rows: list[CompareRow] = field(default_factory=list)
    unit: str | None = None

    @property
    def compared(self) -> bool:
        """True when there is something to compare: rows from two tables or more (two plans,
        or one plan's completion of the last period and its new targets)."""
        return len({(r.plan.slug, r.table.id) for r in self.rows}) >= 2

    @property
    def plans(self) -> list[Plan]:
        """The plans with a row in the group, in order, each once."""
        out: dict[str, Plan] = {}
        for r in self.rows:
            out.setdefault(r.plan.slug, r.plan)
        return list(out.values())


def show_value(v: Value | Growth | None) -> str:
    """A parsed value or growth as printed-like text: ``≥60``, ``5.5左右``, ``[60]``,
    ``力争2000``, or its text; ``""`` for None."""
    if v is None:
        return ""
    if v.value is None:
        return v.text or ""
    s = f"{v.value:g}"
    q = v.qualifier
    if q == "about":
        s += "左右"
    elif q:
        s = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}[q] + s
    if isinstance(v, Growth) and v.kind == "cumulative" or isinstance(v, Value) and v.cumulative:
        s = f"[{s}]"
    if isinstance(v, Value) and v.unit:
        s += v.unit
    if v.strive:
        s = "力争" + s
    if v.text and v.value is not None:
        s = f"{v.text}（{s}）"
    return s


def _shown(v: Value | Growth | None, unit: str | None, to: str | None,
           default_year: int | None = None) -> Shown | None:
    if v is None:
        return None
    number = None
    if v.value is not None:
        number = convert(v.value, getattr(v, "unit", None) or unit, to)
    year = getattr(v, "year", None) or default_year
    return Shown(show_value(v), number, year,
                 converted=number is not None and abs(number - v.value) > 1e-12)


def group_ids(registry: Registry) -> dict[str, str]:
    """``{entry id: group id}``: a growth entry belongs to the group of its ``growth_of``."""
    return {e.id: e.growth_of or e.id for e in registry.entries}


def _display_unit(entry: RegistryEntry, units: list[str]) -> str | None:
    """The registry's unit, else the unit most level rows print (first seen on a tie)."""
    if entry.unit:
        return entry.unit
    names = [UNIT_NAMES.get(u, u) for u in units]
    return max(dict.fromkeys(names), key=names.count) if names else None


def group_tables(slug: str, tables: list, registry) -> dict[str, frozenset]:
    """``{comparison group id: {(slug, table id), …}}`` of the rows of one plan's ``tables``
    (the membership :func:`plansite.comparisons.build_groups` finds, without building rows)."""
    if registry is None:
        return {}
    of = group_ids(registry)
    found: dict[str, set] = {}
    for t in tables:
        for r in t.rows:
            entry = registry.resolve(r.key)
            if entry is not None:
                found.setdefault(of[entry.id], set()).add((slug, t.id))
    return {gid: frozenset(v) for gid, v in found.items()}


def build_groups(plans: list[tuple[Plan, list[IndicatorTable]]], registry: Registry,
                 row_url) -> list[Group]:
    """Every comparison group with at least one row, in registry order.

    ``plans`` is ``[(plan, tables)]`` in site order; ``row_url(slug, table_id, index)`` gives
    the URL of a row on its table page (``index`` 1-based)."""
    return assemble_groups([(plan, group_members(tables, registry)) for plan, tables in plans],
                           registry, row_url)


def group_members(tables: list[IndicatorTable], registry: Registry) -> dict[str, list[tuple]]:
    """``{comparison group id: [(table, row, entry, index), …]}`` of one plan's ``tables``, in
    table then row order (``index`` 1-based in its table): the part of :func:`build_groups` that
    reads one plan, kept by the cross-plan step per plan (:func:`plansite.site.cross_outputs`)."""
    of = group_ids(registry)
    found: dict[str, list[tuple]] = {}
    for table in tables:
        for i, row in enumerate(table.rows, start=1):
            entry = registry.resolve(row.key)
            if entry is not None:
                found.setdefault(of[entry.id], []).append((table, row, entry, i))
    return found


@dataclass
class ListedRow:
    """What the indicator list shows of a row of a group (:func:`assemble_groups` with
    ``listed``): its ``plan``, ``table``, ``label`` (:func:`table_label`) and ``url`` on its table
    page; enough for :attr:`Group.compared` and :attr:`Group.plans`, no values."""

    plan: Plan
    table: IndicatorTable
    label: str
    url: str


def assemble_groups(plans: list[tuple[Plan, dict[str, list[tuple]]]], registry: Registry, row_url,
                    only: str | None = None, listed: bool = False) -> list[Group]:
    """:func:`build_groups` from each plan's :func:`group_members` (``[(plan, members)]`` in site
    order); ``only`` (optional): that group alone (its rows are those of the plans given, which
    must be every plan with rows in it). ``listed``: each row a :class:`ListedRow` (what the
    indicator list reads), and no ``unit``."""
    groups = {e.id: Group(e, [g for g in registry.entries if g.growth_of == e.id])
              for e in registry.entries if not e.growth_of and (only is None or e.id == only)}
    out = []
    tables: dict[int, tuple] = {}  # id of a table → (its table_label, table_period): once per table

    def named(plan: Plan, table: IndicatorTable) -> tuple:
        if id(table) not in tables:
            tables[id(table)] = (table_label(plan, table), table_period(plan, table), table)
        return tables[id(table)]

    for gid, group in groups.items():
        members = [(plan, *m) for plan, found in plans for m in found.get(gid, ())]
        if not members:
            continue
        if listed:
            group.rows = [ListedRow(plan, table, table_label(plan, table), row_url(plan.slug, table.id, i))
                          for plan, table, _, _, i in members]
            out.append(group)
            continue
        level_units = [r.unit for _, _, r, e, _ in members if e.id == gid and r.unit]
        group.unit = _display_unit(group.entry, level_units)
        for plan, table, row, entry, i in members:
            label, years, _ = named(plan, table)
            group.rows.append(_compare_row(plan, table, row, entry, i, group, registry,
                                           row_url(plan.slug, table.id, i), label, years))
        out.append(group)
    return out


def _compare_row(plan: Plan, table: IndicatorTable, row: IndicatorRow, entry: RegistryEntry,
                 index: int, group: Group, registry: Registry, url: str, label: str,
                 years: tuple) -> CompareRow:
    """``label`` and ``years``: the table's :func:`table_label` and :func:`table_period`."""
    role = "growth" if entry.growth_of else "level"
    start, end = years
    unit = row.unit
    to = group.unit if role == "level" else unit
    convertible = role == "growth" or convert(1.0, unit, to) is not None
    note = None
    if role == "level" and unit != to:
        if not unit:
            note = "原表未注明单位，未列入图表"
        elif convertible and UNIT_NAMES.get(unit) == to:
            note = f"原表单位写作{unit}，即{to}"
        elif convertible:
            note = f"原表单位为{unit}，已换算为{to}"
        elif not convertible:
            note = f"原表单位为{unit}，与{to}不能换算，未列入图表"
    cr = CompareRow(plan, table, row, entry, role, label, (start, end), unit,
                    note, convertible, url=url, index=index)
    if role == "growth":
        # a growth-rate row: its baseline is the base year's growth, its target the rate
        cr.growth_base = _shown(row.baseline, "%", "%")
        cr.growth = _shown(row.growth, "%", "%") or _shown(row.target, "%", "%")
        if table.kind == "completion":
            cr.growth = _shown(row.planned.value if row.planned else None, "%", "%") or \
                _shown(row.planned.growth if row.planned else None, "%", "%")
            cr.growth_achieved = _shown(row.achieved.value if row.achieved else None, "%", "%") or \
                _shown(row.achieved.growth if row.achieved else None, "%", "%")
    elif table.kind == "completion":
        cr.baseline = _shown(row.base, unit, to, start)
        cr.target = _shown(row.planned.value if row.planned else None, unit, to, end)
        cr.achieved = _shown(row.achieved.value if row.achieved else None, unit, to, end)
        cr.growth = _shown(row.planned.growth if row.planned else None, "%", "%")
        cr.growth_achieved = _shown(row.achieved.growth if row.achieved else None, "%", "%")
    else:
        cr.baseline = _shown(row.baseline, unit, to, start)
        cr.target = _shown(row.target, unit, to, end)
        cr.growth = _shown(row.growth, "%", "%")
    if not convertible:
        for k in ("baseline", "target", "achieved"):
            v = getattr(cr, k)
            if v is not None:
                v.number = None
    if table.kind == "completion":
        cr.assessment = assess(row, registry, table.footnotes)
    return cr


def _point_text(v: Shown) -> str:
    return f"{round(v.number, 6):g}" if v.number is not None else v.text


def level_chart_rows(group: Group) -> list[ChartRow]:
    """Chart rows of the level values (display unit), one per row with two numbers or more
    (baseline → target, or planned → achieved); cumulative totals ([60]) are left out."""
    out = []
    for r in group.rows:
        if r.role != "level":
            continue
        pts = []
        for kind, v in (("baseline", r.baseline), ("target", r.target), ("achieved", r.achieved)):
            if v is not None and v.number is not None and not v.text.startswith("["):
                pts.append(Point(kind, v.number, _point_text(v)))
        if len(pts) >= 1 and any(p.kind != "baseline" for p in pts) or len(pts) >= 2:
            out.append(ChartRow(_years_label(r), pts))
    return out


def growth_chart_rows(group: Group) -> list[ChartRow]:
    """Chart rows of the annual growth rates (%): base-year rate, target rate, achieved rate;
    cumulative growth ([4.5]) is left out (it is not a rate a year)."""
    out = []
    for r in group.rows:
        pts = []
        for kind, v in (("baseline", r.growth_base), ("target", r.growth),
                        ("achieved", r.growth_achieved)):
            if v is not None and v.number is not None and not v.text.startswith("["):
                pts.append(Point(kind, v.number, _point_text(v)))
        if any(p.kind != "baseline" for p in pts):
            out.append(ChartRow(_years_label(r), pts))
    return out


def _years_label(r: CompareRow) -> str:
    a, b = r.years
    years = f"（{a}→{b}）" if a and b else ""
    return plain(f"{r.label}{years}")


def describe(rows: list[ChartRow], unit: str) -> str:
    """The numbers of a chart in words for its ``<desc>``."""
    parts = []
    for r in rows:
        vals = "，".join(f"{KIND_WORDS[p.kind]}{p.text}" for p in r.points)
        parts.append(f"{r.label}：{vals}")
    return f"单位{unit}。" + "；".join(parts) + "。"


KIND_WORDS = {"baseline": "基期", "target": "目标", "achieved": "实际完成"}
