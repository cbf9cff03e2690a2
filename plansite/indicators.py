"""Indicator tables (指标表) of the plans: schema, loading and checking.

Facts live in ``site_src/indicators/<slug>.yml`` (one file per plan, hand-checked against the
seed text ``seeds/<slug>.txt``) and in ``site_src/indicator_registry.yml`` (printed names →
canonical indicators). This module is the ONE place where their schema is checked.

YAML shape of ``site_src/indicators/<slug>.yml``::

    plan: cangshan-14th
    source: seeds/cangshan-14th.txt
    tables:
      - id: main                      # URL-safe, unique within the plan
        kind: targets                 # targets (基期值→目标值) | completion (规划目标 vs 完成情况)
        title: “十四五”时期主要经济社会发展指标    # as printed
        lines: [178, 198]             # 1-based source line range of the table
        base_year: 2020               # year of the baseline (基期) column (targets tables)
        target_year: 2025             # year of the target (目标值) / planned column
        columns: [类别, 指标, 单位, 2020年, 2025年, 年均增长/累计, 属性]   # header cells
        layout: {category: 0, name: 1, unit: 2, baseline: 3, target: 4, growth: 5, attribute: 6}
        footnotes: [{marker: "（1）", text: "...", line: 200}]
        rows:
          - line: 179                 # source line where the row starts
            lines: [179, 179]         # optional: first and last source line of the row
            extra_lines: [[598, 604]] # optional: lines of merged cells printed outside the row
            cells: [经济发展, 1.地区生产总值（GDP）, 亿元, "902.27", "1500", 8%, 预期性]
            seq: "1"                  # printed 序号 (or null; carried to sub-rows)
            category: 经济发展          # carried down from merged category cells
            name: 地区生产总值（GDP）    # printed name without numbering and markers
            subname: null             # second name cell of split rows (福州 14: 执业医师数)
            unit: 亿元
            baseline: {year: 2020, value: 902.27}
            target: {year: 2025, value: 1500}
            growth: {kind: annual, value: 8}
            attribute: expected       # expected 预期性 | binding 约束性 | null
            markers: ["[*]"]           # footnote markers printed in the row
            notes: ["2"]              # markers of table footnotes that concern this row

A *value* mapping has the keys ``year`` (int), ``value`` (number), ``text`` (printed text of a
text-only value, e.g. 完成省下达指标), ``qualifier`` (see :data:`QUALIFIERS`), ``cumulative``
(true when printed in ``[ ]``, a five-year total), ``unit`` (only when the printed unit differs
from the row's, e.g. 7.8亿元人民币), ``strive`` (true for 力争). Missing keys mean null/false.
A *growth* mapping has ``kind`` (annual 年均增长 | cumulative [累计]), ``value``, ``text``,
``qualifier``, ``strive``. Completion rows have ``planned`` and ``achieved``, each
``{value: <value>, growth: <growth>}``, and may have ``base`` (the value of the year before the
plan, e.g. 台江 表1 2015年). Targets tables of plans may also have ``past_growth`` (台商 "十三五"
年均增长). Proposal (建议) rows have ``quote`` (verbatim clause) and ``line`` instead of cells.

Every problem is reported as ``path:line: message`` (:class:`plansite.errors.Problem`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plansite import indicator_schema as schema
from plansite import paths, yamlfile
from plansite.errors import PlansiteError, Problem
from plansite.indicator_schema import (  # noqa: F401 - the enumerations, re-exported
    DIRECTIONS, GROWTH_KINDS, LAYOUT_FIELDS, MEASURES, TABLE_KINDS)
from plansite.parser.decode import decode_bytes
from plansite.yamlfile import LineDict, LineList

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


# ---------------------------------------------------------------------------------------------
# dataclasses


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


# ---------------------------------------------------------------------------------------------
# cell parsing (shared by the drafting tool and the consistency check)

_NUM = r"-?\d+(?:\.\d+)?"
_MARKER_RE = re.compile(r"\s*(\[\*\]|\*)$")
_NUMBERING_RE = re.compile(r"^(\d+)[.．、]\s*")
_NONE_TEXTS = {"", "—", "-", "/", "－", "——"}


def split_markers(text: str) -> tuple[str, list[str]]:
    """Strip trailing footnote markers (``[*]``) from a cell: ``("3.5 [*]") → ("3.5", ["[*]"])``."""
    markers: list[str] = []
    while True:
        m = _MARKER_RE.search(text)
        if not m or m.group(0).strip() == text.strip():
            break
        markers.insert(0, m.group(1))
        text = text[: m.start()]
    return text.strip(), markers


def split_numbering(text: str) -> tuple[str | None, str]:
    """Split a printed ``1.地区生产总值`` into ``("1", "地区生产总值")``."""
    m = _NUMBERING_RE.match(text)
    if m:
        return m.group(1), text[m.end():].strip()
    return None, text.strip()


def _parse_number_words(s: str) -> dict[str, Any] | None:
    """Parse ``[超]>?number%?(以上|左右)?unit?`` forms; None if s is not such a form."""
    out: dict[str, Any] = {}
    if s.startswith("力争"):
        out["strive"] = True
        s = s[2:]
    cumulative = False
    prefix = None
    for p, q in (("超过", "above"), ("超", "above"), ("≥", "at_least"), ("≤", "at_most"),
                 (">", "above"), ("<", "below"), ("不高于", "at_most"), ("不低于", "at_least")):
        if s.startswith(p):
            prefix, s = q, s[len(p):]
            break
    if s.startswith("[") and s.endswith("]"):
        cumulative, s = True, s[1:-1].strip()
    m = re.fullmatch(rf"({_NUM})\s*%?\s*(以上|左右|以内|以下)?\s*(\S*)", s)
    if not m:
        return None
    out["value"] = float(m.group(1))
    suffix = {"以上": "at_least", "左右": "about", "以内": "at_most", "以下": "at_most"}.get(
        m.group(2) or "")
    if prefix and suffix:
        return None
    if prefix or suffix:
        out["qualifier"] = prefix or suffix
    if cumulative:
        out["cumulative"] = True
    if m.group(3):
        if re.search(r"\d", m.group(3)):
            return None
        out["unit"] = m.group(3)
    return out


def parse_value_cell(text: str) -> dict[str, Any] | None:
    """Parse a printed value cell into a value mapping (without ``year``), or None for an empty
    or no-data cell (``""``, ``—``, ``-``, ``/``).

    ``"1500"`` → ``{value: 1500}``; ``"60以上"`` → ``{value: 60, qualifier: at_least}``;
    ``"[60]"`` → ``{value: 60, cumulative: true}``; ``"7.8亿元人民币"`` → ``{value: 7.8,
    unit: 亿元人民币}``; ``"完成省下达指标（97%以上）"`` → ``{text: ..., value: 97,
    qualifier: at_least}``; any other text → ``{text: ...}``. Footnote markers must be stripped
    first (:func:`split_markers`)."""
    s = text.strip()
    if s in _NONE_TEXTS:
        return None
    parsed = _parse_number_words(s)
    if parsed is not None:
        return parsed
    out: dict[str, Any] = {"text": s}
    m = re.search(rf"[（(]({_NUM})%?(以上|左右)?[）)]$", s)
    if m:
        out["value"] = float(m.group(1))
        if m.group(2):
            out["qualifier"] = {"以上": "at_least", "左右": "about"}[m.group(2)]
    return out


def parse_growth_cell(text: str, default_kind: str = "annual") -> dict[str, Any] | None:
    """Parse a printed growth cell: ``"8%"``/``"8"`` → ``{kind: annual, value: 8}``,
    ``"[4.5]"`` → ``{kind: cumulative, value: 4.5}``, ``"2%以上"`` → ``{..., qualifier:
    at_least}``, ``"持平"`` → ``{kind: annual, text: 持平}``; None when empty or no data."""
    v = parse_value_cell(text)
    if v is None:
        return None
    out: dict[str, Any] = {"kind": "cumulative" if v.pop("cumulative", False) else default_kind}
    v.pop("unit", None)
    out.update(v)
    return out


# ---------------------------------------------------------------------------------------------
# loading: the schema (plansite.indicator_schema), then the checks that relate fields


def _rel(root: Path, path: Path) -> str:
    return paths.shown_path(root, path)


def load_yaml(root: Path, path: Path) -> Any:
    """Load a YAML file keeping line numbers (see :mod:`plansite.yamlfile`), its path shown
    relative to ``root``; the file must lie inside ``root``. Raises :class:`PlansiteError`
    ``path:line: message`` for a missing file, a syntax error or input past a limit."""
    return yamlfile.load_yaml(path, _rel(root, path), root=root)


def _value(m: schema.ValueModel | None) -> Value | None:
    return None if m is None else Value(year=m.year, value=m.value, text=m.text, qualifier=m.qualifier,
                                        cumulative=m.cumulative, unit=m.unit, strive=m.strive)


def _growth(m: schema.GrowthModel | None) -> Growth | None:
    return None if m is None else Growth(kind=m.kind, value=m.value, text=m.text, qualifier=m.qualifier,
                                         strive=m.strive)


def _outcome(m: schema.OutcomeModel | None) -> Outcome | None:
    return None if m is None else Outcome(value=_value(m.value), growth=_growth(m.growth))


def _row(m: schema.RowModel, raw: LineDict, table: IndicatorTable, where: str,
         add) -> IndicatorRow:
    """The row of model ``m``; ``add(line, message)`` receives the problems relating its fields."""
    lines = tuple(m.lines) if m.lines else (m.line, m.line)
    if lines[0] != m.line:
        add(raw.line_of("lines"), f"{where}lines {list(lines)!r} do not start at line {m.line}")
    row = IndicatorRow(
        line=m.line, lines=lines, cells=list(m.cells), name=m.name, seq=m.seq, category=m.category,
        subname=m.subname, unit=m.unit, baseline=_value(m.baseline), target=_value(m.target),
        growth=_growth(m.growth), past_growth=_growth(m.past_growth), base=_value(m.base),
        planned=_outcome(m.planned), achieved=_outcome(m.achieved), attribute=m.attribute,
        markers=list(m.markers), notes=list(m.notes), extra_lines=[tuple(p) for p in m.extra_lines],
        quote=m.quote, note=m.note, yaml_line=raw.line)
    wrong = ("baseline", "target", "growth") if table.kind == "completion" else ("planned", "achieved")
    for k in wrong:
        if getattr(m, k) is not None:
            add(raw.line_of(k), f"{where}{k} belongs to "
                                + ("targets tables; completion rows use planned/achieved"
                                   if table.kind == "completion" else "completion tables"))
    if table.columns and row.cells and len(row.cells) != len(table.columns):
        add(raw.line_of("cells"), f"{where}{len(row.cells)} cells but the table has "
                                  f"{len(table.columns)} columns")
    if not row.cells and row.quote is None:
        add(raw.line, f"{where}needs cells (a printed table row) or quote (a sentence)")
    for v, k in ((row.baseline, "baseline"), (row.target, "target")):
        if v is not None and v.value is not None and v.year is None:
            add(raw[k].line, f"{where}{k}.year is missing")
    if table.lines[0] > row.line or row.lines[1] > table.lines[1]:
        add(raw.line_of("line"), f"{where}line {row.line} is outside the table's lines {list(table.lines)}")
    return row


def _table(m: schema.TableModel, raw: LineDict, plan: str, source: str, shown: str, ids: dict,
           add) -> IndicatorTable:
    where = f"table {m.id}: "
    if m.id in ids:
        add(raw.line_of("id"), f"{where}duplicate table id {m.id!r} (first at line {ids[m.id]})")
    ids.setdefault(m.id, raw.line_of("id"))
    for k, v in m.layout.items():
        if v >= max(len(m.columns), 1):
            add(raw["layout"].line_of(k), f"{where}layout.{k} {v} is not a column index")
    table = IndicatorTable(
        plan=plan, id=m.id, kind=m.kind, title=m.title, lines=tuple(m.lines), columns=list(m.columns),
        layout=dict(m.layout), rows=[], footnotes=[Footnote(f.marker, f.text, f.line, f.last_line)
                                                   for f in m.footnotes],
        base_year=m.base_year, target_year=m.target_year, source=source, path=shown, yaml_line=raw.line)
    for i, (row, row_raw) in enumerate(zip(m.rows, raw["rows"])):
        table.rows.append(_row(row, row_raw, table, f"table {m.id} row {i + 1}: ", add))
    return table


_LABELS = {"tables": lambda i, item: f"table {item.get('id') if isinstance(item, dict) and isinstance(item.get('id'), str) else i + 1}",
           "rows": lambda i, item: f"row {i + 1}"}


def _parse_tables(root: Path, slug: str) -> tuple[list[IndicatorTable], list[Problem], int]:
    """Tables, problems and the line of ``source:`` of ``site_src/indicators/<slug>.yml``."""
    path = root / INDICATORS_DIR / f"{slug}.yml"
    shown = _rel(root, path)
    data = load_yaml(root, path)
    model, problems = schema.validate(schema.IndicatorFileModel, data, shown, _LABELS)
    if model is None:
        model, data = _salvage(data)
        if model is None:
            return [], problems, 0

    def add(line: int, message: str) -> None:
        problems.append(Problem(shown, line, message))

    if model.plan != slug:
        add(data.line_of("plan"), f"plan {model.plan!r} does not match the file name {slug!r}")
    ids: dict = {}
    tables = [_table(t, t_raw, slug, model.source, shown, ids, add)
              for t, t_raw in zip(model.tables, data["tables"])]
    return tables, problems, data.line_of("source")


def _valid(model, raw) -> bool:
    try:
        model.model_validate(raw)
        return True
    except ValueError:
        return False


def _salvage(data: Any):
    """``(model, data)`` of the tables and rows of an invalid indicator file that are valid on
    their own (their problems are reported already), so that the checks against the seed and
    the registry still run on them; ``(None, data)`` when nothing can be kept."""
    if not (isinstance(data, LineDict) and isinstance(data.get("tables"), list)):
        return None, data
    kept = LineList()
    kept.line, kept.item_lines = data["tables"].line, []
    for raw, line in zip(data["tables"], data["tables"].item_lines):
        if isinstance(raw, LineDict) and not _valid(schema.TableModel, raw) and isinstance(raw.get("rows"), list):
            rows = LineList(r for r in raw["rows"] if _valid(schema.RowModel, r))
            rows.line = raw["rows"].line
            rows.item_lines = [n for r, n in zip(raw["rows"], raw["rows"].item_lines) if _valid(schema.RowModel, r)]
            copy = LineDict(raw)
            copy.line, copy.key_lines = raw.line, raw.key_lines
            copy["rows"] = rows
            raw = copy
        if _valid(schema.TableModel, raw):
            kept.append(raw)
            kept.item_lines.append(line)
    copy = LineDict(data)
    copy.line, copy.key_lines = data.line, data.key_lines
    copy["tables"] = kept
    try:
        return schema.IndicatorFileModel.model_validate(copy), copy
    except ValueError:
        return None, data


def load_tables(root: Path, slug: str) -> list[IndicatorTable]:
    """Load and schema-check ``site_src/indicators/<slug>.yml`` under ``root``.

    Returns the plan's tables in file order. Raises :class:`PlansiteError` whose problems are
    ``path:line: message`` lines (YAML syntax errors included). Does not read the seed; see
    :func:`check_tables` for the checks against the source and the registry."""
    tables, problems, _ = _parse_tables(Path(root), slug)
    if problems:
        raise PlansiteError(problems)
    return tables


def load_all_tables(root: Path) -> dict[str, list[IndicatorTable]]:
    """``{slug: tables}`` for every ``site_src/indicators/*.yml``, sorted by slug."""
    d = Path(root) / INDICATORS_DIR
    return {p.stem: load_tables(root, p.stem) for p in sorted(d.glob("*.yml"))}


_REGISTRY_LABELS = {"indicators": lambda i, item: f"indicator {item.get('id') if isinstance(item, dict) and isinstance(item.get('id'), str) else i + 1}"}


def load_registry(root: Path) -> Registry:
    """Load and schema-check ``site_src/indicator_registry.yml``
    (:class:`plansite.indicator_schema.RegistryModel`).

    Shape: ``indicators: [{id, name, name_en, unit, direction, measure, aliases: [...],
    definition?, definition_source?, growth_of?, real_growth?}]``.
    Raises :class:`PlansiteError` (``path:line: message``) on any problem, including duplicate
    ids and an alias claimed by two entries."""
    root = Path(root)
    path = root / REGISTRY_PATH
    shown = _rel(root, path)
    data = load_yaml(root, path)
    model, problems = schema.validate(schema.RegistryModel, data, shown, _REGISTRY_LABELS)
    if model is None:
        raise PlansiteError(problems)
    entries: list[RegistryEntry] = []
    seen_ids: dict[str, int] = {}
    seen_alias: dict[str, str] = {}
    for m, raw in zip(model.indicators, data["indicators"]):
        w = f"indicator {m.id}: "
        if m.id in seen_ids:
            problems.append(Problem(shown, raw.line_of("id"), f"{w}duplicate id (first at line {seen_ids[m.id]})"))
        seen_ids.setdefault(m.id, raw.line_of("id"))
        for a in m.aliases:
            if a in seen_alias and seen_alias[a] != m.id:
                problems.append(Problem(shown, raw.line_of("aliases"), f"{w}alias {a!r} already belongs to "
                                                                        f"{seen_alias[a]}"))
            seen_alias.setdefault(a, m.id)
        entries.append(RegistryEntry(id=m.id, name=m.name, name_en=m.name_en, unit=m.unit,
                                     direction=m.direction, measure=m.measure, aliases=list(m.aliases),
                                     yaml_line=raw.line, definition=m.definition,
                                     definition_source=m.definition_source, growth_of=m.growth_of,
                                     real_growth=m.real_growth))
    for e in entries:
        if e.growth_of is not None and (e.growth_of not in seen_ids or e.growth_of == e.id):
            problems.append(Problem(shown, e.yaml_line, f"indicator {e.id}: growth_of {e.growth_of!r} is not "
                                                        "another indicator's id"))
    if problems:
        raise PlansiteError(problems)
    return Registry(entries, path=shown)


# ---------------------------------------------------------------------------------------------
# checks against the source and the registry


_CN_NUMBERS = {10.0: "十", 100.0: "百", 1000.0: "千", 10000.0: "万"}


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _value_dict(v: Value | Growth | None) -> dict | None:
    if v is None:
        return None
    d = {"value": v.value, "text": v.text, "qualifier": v.qualifier, "strive": v.strive}
    if isinstance(v, Value):
        d.update(cumulative=v.cumulative, unit=v.unit)
    else:
        d["kind"] = v.kind
    return d


def _expected_dict(parsed: dict | None, growth: bool) -> dict | None:
    if parsed is None:
        return None
    d = {"value": parsed.get("value"), "text": parsed.get("text"),
         "qualifier": parsed.get("qualifier"), "strive": parsed.get("strive", False)}
    if growth:
        d["kind"] = parsed["kind"]
    else:
        d.update(cumulative=parsed.get("cumulative", False), unit=parsed.get("unit"))
    return d


def _same(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    for k in a:
        x, y = a[k], b.get(k)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def _describe(d: dict | None) -> str:
    if d is None:
        return "nothing"
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items() if v not in (None, False)) + "}"


def _row_fields(row: IndicatorRow) -> dict[str, Value | Growth | None]:
    return {
        "baseline": row.baseline, "target": row.target, "growth": row.growth,
        "past_growth": row.past_growth, "base": row.base,
        "planned_value": row.planned.value if row.planned else None,
        "planned_growth": row.planned.growth if row.planned else None,
        "achieved_value": row.achieved.value if row.achieved else None,
        "achieved_growth": row.achieved.growth if row.achieved else None,
    }


def check_row_cells(table: IndicatorTable, row: IndicatorRow, source_lines: list[str]
                    ) -> list[str]:
    """Problems (messages only) with one row against the seed and its own cells:

    * each non-empty cell occurs in the source at the row's lines (whitespace ignored, so cells
      broken over several lines by the PDF extraction are found), or in its ``extra_lines``;
      for a tab-separated row the non-empty cells must equal the non-empty tab fields, in order;
    * a proposal row's ``quote`` occurs verbatim on its ``line``;
    * name, number, unit, attribute and each parsed value agree with the printed cell
      (re-parsed with :func:`parse_value_cell` / :func:`parse_growth_cell`)."""
    msgs: list[str] = []
    n = len(source_lines)
    first, last = row.lines
    if not (1 <= first <= last <= n):
        return [f"lines {first}-{last} are outside the source ({n} lines)"]
    own = "\n".join(source_lines[first - 1:last])
    if row.quote is not None:
        if row.quote not in own:
            msgs.append(f'quote "{row.quote}" does not occur at line {row.line}')
        for k, v in (("target", row.target), ("growth", row.growth)):
            if v is not None and v.value is not None:
                shown = f"{v.value:g}"
                if shown not in row.quote and _CN_NUMBERS.get(v.value, "?") not in row.quote:
                    msgs.append(f"{k}.value {shown} does not occur in the quote")
        return msgs
    texts = [own] + ["\n".join(source_lines[a - 1:b]) for a, b in row.extra_lines if b <= n]
    squashed = [_squash(t) for t in texts]
    nonempty = [x for x in row.cells if x.strip()]
    if first == last and "\t" in own and not row.extra_lines:
        fields = [f for f in own.split("\t") if f.strip()]
        if fields != nonempty:
            msgs.append(f"cells {nonempty!r} differ from the printed fields {fields!r} at line "
                        f"{row.line}")
    else:
        for cell in nonempty:
            if not any(_squash(cell) in s for s in squashed):
                msgs.append(f'cell "{cell}" does not occur at lines {first}-{last}')
    lay = table.layout

    def cell(fieldname: str) -> str | None:
        i = lay.get(fieldname)
        return row.cells[i] if i is not None and i < len(row.cells) else None

    name_cell = cell("name")
    if name_cell is not None and name_cell.strip():
        text, marks = split_markers(re.sub(r"\s+", " ", name_cell.replace("\n", "")))
        no, name = split_numbering(text)
        if name != row.name:
            msgs.append(f"name {row.name!r} differs from the printed {name!r}")
        if no is not None and no != row.seq:
            msgs.append(f"no {row.seq!r} differs from the printed {no!r}")
    sub = cell("subname")
    if (sub or None) != row.subname:
        msgs.append(f"subname {row.subname!r} differs from the printed {sub!r}")
    for k in ("seq", "unit"):
        c_ = cell(k)
        if c_ is not None and c_.strip() and c_.strip() != getattr(row, k):
            msgs.append(f"{k} {getattr(row, k)!r} differs from the printed {c_.strip()!r}")
    att = cell("attribute")
    if att is not None and ATTRIBUTES.get(att.strip()) != row.attribute:
        msgs.append(f"attribute {row.attribute!r} differs from the printed {att.strip()!r}")
    cat = cell("category")
    if cat is not None and cat.strip() and _squash(cat) != row.category:
        msgs.append(f"category {row.category!r} differs from the printed {_squash(cat)!r}")
    all_marks: list[str] = []
    for k, v in _row_fields(row).items():
        c_ = cell(k)
        if c_ is None:
            if v is not None and k in lay:
                msgs.append(f"{k} has no cell")
            continue
        text, marks = split_markers(c_)
        all_marks += marks
        growth = k.endswith("growth")
        parsed = parse_growth_cell(text, "annual") if growth else parse_value_cell(text)
        want = _expected_dict(parsed, growth)
        got = _value_dict(v)
        if want is not None and got is not None and not want["strive"]:
            got["strive"] = False  # 力争 may be recorded from context
        if not _same(want, got):
            label = k.replace("_", ".")
            msgs.append(f'{label} {_describe(got)} does not match the printed "{c_}" '
                        f"(parsed {_describe(want)})")
    if name_cell is not None:
        all_marks = split_markers(name_cell)[1] + all_marks
    if all_marks != row.markers:
        msgs.append(f"markers {row.markers!r} differ from the printed {all_marks!r}")
    return msgs


def check_tables(root: Path, slug: str, registry: Registry | None = None,
                 expected_source: str | None = None) -> list[Problem]:
    """All problems with ``site_src/indicators/<slug>.yml``, collected rather than raised.

    Schema problems first (as :func:`load_tables` would raise them); then, per row, the checks
    of :func:`check_row_cells` against the seed file named by ``source``, that each row's
    :attr:`IndicatorRow.key` resolves in the registry (loaded from ``root`` when not given), and
    that notes refer to footnotes of the table. With ``expected_source`` (the plan's seed), a
    file naming another source is a problem and is not checked against it. Each problem is
    ``path:yaml_line: message``."""
    return checked_tables(root, slug, registry, expected_source)[1]


def checked_tables(root: Path, slug: str, registry: Registry | None = None,
                   expected_source: str | None = None) -> tuple[list[IndicatorTable], list[Problem]]:
    """``(tables, problems)``: :func:`check_tables`' problems and the tables it read (those valid
    on their own; use them only when there are no problems). Reads the file once."""
    root = Path(root)
    try:
        tables, problems, source_line = _parse_tables(root, slug)
    except PlansiteError as e:
        return [], list(e.problems)
    path = f"{INDICATORS_DIR}/{slug}.yml"
    if registry is None:
        try:
            registry = load_registry(root)
        except PlansiteError as e:
            problems += e.problems
            registry = None
    sources: dict[str, list[str]] = {}
    for t in tables:
        if t.source not in sources:
            sources[t.source] = []
            try:
                paths.named_path(root, t.source, path, source_line)  # an outside path is named as such
                if expected_source is not None and t.source != expected_source:
                    raise PlansiteError.at(path, source_line, f"source {t.source} is not the plan's "
                                                              f"source {expected_source}")
                sources[t.source] = read_source(root, t.source, path, source_line)
            except PlansiteError as e:
                problems += e.problems
        src = sources[t.source]
        if not src:
            continue
        if t.lines[1] > len(src):
            problems.append(Problem(path, t.yaml_line, f"table {t.id}: lines {list(t.lines)} go past the last "
                                                       f"line ({len(src)}) of {t.source}"))
            continue
        if t.title and not any(_squash(t.title) in _squash(src[i - 1])
                               for i in range(t.lines[0], min(t.lines[1], len(src)) + 1)):
            problems.append(Problem(path, t.yaml_line, f"table {t.id}: title {t.title!r} does "
                                                       f"not occur at lines {list(t.lines)}"))
        fn_markers = {f.marker for f in t.footnotes}
        for f in t.footnotes:
            last = f.last_line or f.line
            if not (1 <= f.line <= last <= len(src)) or _squash(f.text) not in _squash(
                    "".join(src[f.line - 1:last])):
                problems.append(Problem(path, t.yaml_line, f"table {t.id}: footnote "
                                                           f"{f.marker!r} not found at line "
                                                           f"{f.line}"))
        for i, row in enumerate(t.rows):
            where = f"table {t.id} row {i + 1} ({row.key}): "
            for m in check_row_cells(t, row, src):
                problems.append(Problem(path, row.yaml_line, where + m))
            for m in row.notes:
                if m not in fn_markers:
                    problems.append(Problem(path, row.yaml_line,
                                            f"{where}note {m!r} is not a footnote marker"))
            if registry is not None and registry.resolve(row.key) is None:
                problems.append(Problem(path, row.yaml_line,
                                        f"{where}name {row.key!r} is not in {registry.path}"))
    return tables, problems


def read_source(root: Path, source: str, shown: str, line: int = 0) -> list[str]:
    """The lines of the seed an indicator file names in ``source:`` (``shown``:``line`` is that field):
    the path must stay inside the project (:func:`plansite.paths.named_path`) and the file be a
    readable seed. Raises :class:`PlansiteError` naming the indicator file's ``source`` line."""
    from .sources import SEED_MAX_BYTES

    try:
        real = paths.readable_file(root, paths.named_path(root, source, shown, line), shown, line)
        return decode_bytes(paths.read_limited(real, SEED_MAX_BYTES, shown, line), source).lines
    except PlansiteError as e:
        raise PlansiteError.at(shown, line, f"source {source} cannot be read: {e.problems[0].message}") from None


def check_registry(root: Path, slugs: list[str] | None = None) -> list[Problem]:
    """Problems with the registry as a whole: each alias should be used by some row of some
    plan (stale aliases are reported at the entry's line). ``slugs`` defaults to every
    indicator file."""
    root = Path(root)
    d = root / INDICATORS_DIR
    tables = [t for slug in slugs or sorted(p.stem for p in d.glob("*.yml")) for t in load_tables(root, slug)]
    return stale_aliases(load_registry(root), tables)


def stale_aliases(registry: Registry, tables: list[IndicatorTable]) -> list[Problem]:
    """The registry's aliases used by no row of ``tables`` (every plan's), each a problem at its
    entry's line."""
    names = {r.key for t in tables for r in t.rows}
    return [Problem(registry.path, e.yaml_line, f"indicator {e.id}: alias {a!r} is used by no "
                                                "row")
            for e in registry.entries for a in e.aliases if a not in names]


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
