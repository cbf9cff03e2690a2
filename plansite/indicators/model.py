"""The indicator data model: parsed values, rows, tables and the registry of canonical
indicators (see :mod:`plansite.indicators` for the YAML shape they are loaded from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any




ATTRIBUTES = {"预期性": "expected", "约束性": "binding"}
#: qualifier codes and the printed words they stand for
QUALIFIERS = {
    "about": "左右",        # approximately the number
    "at_least": "以上",     # ≥ (以上, 不低于, ≥)
    "above": "超过",        # > (超过, 超, 突破, >)
    "at_most": "不高于",    # ≤ (不高于, 以内, 以下, ≤)
    "below": "低于",        # < (<)
}
INDICATORS_DIR = "site_src/indicators"
REGISTRY_PATH = "site_src/indicator_registry.yml"




@dataclass
class Value:
    """One parsed value cell: a number (``value``) or a text-only value (``text``), or both when
    a text carries a number (完成省下达指标（97%以上）). ``year`` is the year the value refers
    to; ``unit`` is set only when it differs from the row's unit; ``cumulative`` marks a
    five-year total printed in ``[ ]``; ``qualifier`` is a key of :data:`QUALIFIERS`."""

    year: int | None = None
    value: float | None = None
    text: str | None = None
    qualifier: str | None = None
    cumulative: bool = False
    unit: str | None = None
    strive: bool = False

    @property
    def quantified(self) -> bool:
        """True when the value is a number (text-only values are not quantified)."""
        return self.value is not None


@dataclass
class Growth:
    """A growth cell: ``kind`` annual (年均增长, percent a year) or cumulative ([累计], the
    five-year total in the row's unit or percentage points); ``value`` or ``text`` (持平,
    不可比)."""

    kind: str = "annual"
    value: float | None = None
    text: str | None = None
    qualifier: str | None = None
    strive: bool = False

    @property
    def quantified(self) -> bool:
        """True when the growth is a number."""
        return self.value is not None


@dataclass
class Outcome:
    """The planned (规划目标) or achieved (完成情况) side of a completion-table row."""

    value: Value | None = None
    growth: Growth | None = None


@dataclass
class Footnote:
    """A table footnote (注/备注) as printed: ``marker`` (e.g. ``1.``, ``（1）``), ``text``,
    source ``line`` (and ``last_line`` when it runs over several lines)."""

    marker: str
    text: str
    line: int
    last_line: int | None = None


@dataclass
class IndicatorRow:
    """One row of an indicator table (or one target of a proposal).

    ``cells`` are the printed cells verbatim, aligned with the table's ``columns``;
    ``line``/``lines`` the source lines; the rest is the parsed meaning (see module docstring).
    ``yaml_line`` is the line of the row in the YAML file (for error messages)."""

    line: int
    lines: tuple[int, int]
    cells: list[str]
    name: str
    seq: str | None = None
    category: str | None = None
    subname: str | None = None
    unit: str | None = None
    baseline: Value | None = None
    target: Value | None = None
    growth: Growth | None = None
    past_growth: Growth | None = None
    base: Value | None = None
    planned: Outcome | None = None
    achieved: Outcome | None = None
    attribute: str | None = None
    markers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra_lines: list[tuple[int, int]] = field(default_factory=list)
    quote: str | None = None
    note: str | None = None
    yaml_line: int = 0

    @property
    def key(self) -> str:
        """The name looked up in the registry: ``name``, or ``name：subname`` for split rows."""
        return f"{self.name}：{self.subname}" if self.subname else self.name


@dataclass
class IndicatorTable:
    """One indicator table of a plan. ``kind`` is targets or completion; ``lines`` the source
    line range; ``columns`` the header cells (two-line headers joined with a space);
    ``layout`` maps parsed fields to column indexes; ``path`` the YAML file (relative);
    ``source`` the seed file (relative)."""

    plan: str
    id: str
    kind: str
    title: str
    lines: tuple[int, int]
    columns: list[str]
    layout: dict[str, int]
    rows: list[IndicatorRow]
    footnotes: list[Footnote] = field(default_factory=list)
    base_year: int | None = None
    target_year: int | None = None
    source: str = ""
    path: str = ""
    yaml_line: int = 0


@dataclass
class RegistryEntry:
    """A canonical indicator: ``id`` (URL-safe), ``name`` (Chinese), ``name_en``, ``unit``
    (null where plans print different units), ``direction`` higher | lower (is better),
    ``measure`` level | rate | share | count | other (CAGR is computed only for levels),
    ``aliases`` the printed names (``IndicatorRow.key``) that mean it.

    For the comparison pages (optional): ``definition`` (Chinese, one or two sentences) and
    ``definition_source`` (where it is taken from); ``growth_of`` the id of the level indicator
    whose growth rate this is (``gdp-growth`` → ``gdp``: compared on one page);
    ``real_growth`` true when the plans state its growth at comparable (constant) prices while
    the level is in current prices (GDP, value added), so a level target implies a nominal rate."""

    id: str
    name: str
    name_en: str
    unit: str | None
    direction: str
    measure: str
    aliases: list[str]
    yaml_line: int = 0
    definition: str | None = None
    definition_source: str | None = None
    growth_of: str | None = None
    real_growth: bool = False


@dataclass
class Registry:
    """All canonical indicators; :meth:`resolve` maps a printed name to its entry."""

    entries: list[RegistryEntry]
    path: str = REGISTRY_PATH

    def __post_init__(self) -> None:
        self._by_alias = {a: e for e in self.entries for a in e.aliases}
        self._by_id = {e.id: e for e in self.entries}

    def resolve(self, name: str) -> RegistryEntry | None:
        """The entry whose aliases contain ``name`` exactly, or None."""
        return self._by_alias.get(name)

    def get(self, indicator_id: str) -> RegistryEntry | None:
        """The entry with this id, or None."""
        return self._by_id.get(indicator_id)




def table_dict_row(row: IndicatorRow) -> dict[str, Any]:
    """Parsed fields of a row as plain JSON-ready data (numbers, strings, None), in a fixed key
    order. Used by :mod:`plansite.downloads`."""
    def v(x: Value | Growth | None) -> dict | None:
        if x is None:
            return None
        d: dict[str, Any] = {}
        if isinstance(x, Growth):
            d["kind"] = x.kind
        else:
            d["year"] = x.year
        d.update(value=x.value, text=x.text, qualifier=x.qualifier, strive=x.strive)
        if isinstance(x, Value):
            d.update(cumulative=x.cumulative, unit=x.unit)
        return d

    def o(x: Outcome | None) -> dict | None:
        return None if x is None else {"value": v(x.value), "growth": v(x.growth)}

    return {
        "line": row.line, "lines": list(row.lines), "seq": row.seq, "category": row.category,
        "name": row.name, "subname": row.subname, "unit": row.unit,
        "baseline": v(row.baseline), "target": v(row.target), "growth": v(row.growth),
        "past_growth": v(row.past_growth), "base": v(row.base),
        "planned": o(row.planned), "achieved": o(row.achieved),
        "attribute": row.attribute, "markers": list(row.markers), "notes": list(row.notes),
        "quote": row.quote, "note": row.note,
    }
