"""Target summaries for indicator tables: pure functions over :mod:`plansite.indicators` data.

* counts of indicators (指标) by category and by attribute (预期性 expected / 约束性 binding);
  quantified vs text-only targets (目标值);
* the compound annual growth rate implied by baseline (基期值) and target, set beside the stated
  annual average growth (年均增长), flagged where they differ by more than 0.5 percentage points;
* for completion tables (规划目标 vs 完成情况), each indicator classed met / not met / not
  assessable, with the reason.

Nothing here reads files; reasons are Chinese strings for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plansite.indicators import (
    QUALIFIERS, Footnote, Growth, IndicatorRow, IndicatorTable, Registry, RegistryEntry, Value)

#: flag threshold for |implied − stated| in percentage points
GAP_THRESHOLD_PP = 0.5
MET, NOT_MET, NOT_ASSESSABLE = "met", "not_met", "not_assessable"
PARTLY, NOT_COMPARABLE = "partly", "not_comparable"
#: every completion status, in the order the pages count them
STATUSES = (MET, PARTLY, NOT_MET, NOT_COMPARABLE, NOT_ASSESSABLE)
UNCATEGORISED = "未分类"
_EPS = 1e-9
_SYMBOL = {"about": "左右", "at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}


# ---------------------------------------------------------------------------------------------
# counts


def target_value(table: IndicatorTable, row: IndicatorRow) -> Value | None:
    """The row's target: ``row.target`` in a targets table, the planned value (规划目标) in a
    completion table."""
    if table.kind == "completion":
        return row.planned.value if row.planned else None
    return row.target


def target_growth(table: IndicatorTable, row: IndicatorRow) -> Growth | None:
    """The row's targeted growth: ``row.growth``, or the planned growth in a completion table."""
    if table.kind == "completion":
        return row.planned.growth if row.planned else None
    return row.growth


def is_quantified(table: IndicatorTable, row: IndicatorRow) -> bool:
    """True when the target is a number: the target value, or else the targeted growth, has a
    numeric ``value`` (地区生产总值增长 5.5左右 counts; 完成省下达指标 does not)."""
    v, g = target_value(table, row), target_growth(table, row)
    return bool((v is not None and v.value is not None) or (g is not None and g.value is not None))


def count_by_category(table: IndicatorTable) -> dict[str, int]:
    """``{category: number of rows}`` in order of first appearance; rows without a category
    count under :data:`UNCATEGORISED`. Sub-rows (福州 14 执业医师数 / 注册护士数) count
    separately."""
    out: dict[str, int] = {}
    for r in table.rows:
        k = r.category or UNCATEGORISED
        out[k] = out.get(k, 0) + 1
    return out


def count_by_attribute(table: IndicatorTable) -> dict[str, int]:
    """``{"expected": n, "binding": m, "none": k}`` — 预期性, 约束性, and rows without an
    attribute (proposal targets, 台江 表1)."""
    out = {"expected": 0, "binding": 0, "none": 0}
    for r in table.rows:
        out[r.attribute or "none"] += 1
    return out


def count_quantified(table: IndicatorTable) -> dict[str, int]:
    """``{"quantified": n, "text_only": m, "none": k}`` by :func:`is_quantified`; ``text_only``
    are rows whose target is only words (完成省下达指标, 持平 …); ``none`` rows have no target
    at all (no-data cells)."""
    out = {"quantified": 0, "text_only": 0, "none": 0}
    for r in table.rows:
        v, g = target_value(table, r), target_growth(table, r)
        if is_quantified(table, r):
            out["quantified"] += 1
        elif (v is not None and v.text) or (g is not None and g.text):
            out["text_only"] += 1
        else:
            out["none"] += 1
    return out


# ---------------------------------------------------------------------------------------------
# implied growth


def implied_cagr(baseline: float, target: float, years: int) -> float:
    """Compound annual growth rate in percent: ``((target / baseline) ** (1 / years) − 1) × 100``.

    Raises ValueError when ``years <= 0`` or either value is not positive."""
    if years <= 0:
        raise ValueError(f"years must be positive, got {years}")
    if baseline <= 0 or target <= 0:
        raise ValueError("baseline and target must be positive")
    return ((target / baseline) ** (1.0 / years) - 1.0) * 100.0


@dataclass
class GrowthCheck:
    """Implied vs stated annual growth for one row. ``implied`` and ``stated`` are percent a
    year; ``gap`` = implied − stated in percentage points; ``flagged`` when
    ``|gap| > GAP_THRESHOLD_PP``. ``real_growth`` (from the registry) marks a level in current
    prices (地区生产总值, 增加值) whose stated growth is at comparable prices: the implied rate is
    nominal, the stated one real, and price rises alone make the implied rate higher."""

    row: IndicatorRow
    indicator: str
    baseline_year: int
    target_year: int
    baseline: float
    target: float
    implied: float
    stated: float
    gap: float
    flagged: bool
    real_growth: bool = False

    @property
    def explanation(self) -> str:
        """How a reader should take the gap, in Chinese (empty when not flagged)."""
        if not self.flagged:
            return ""
        if self.real_growth and self.gap > 0:
            return ("目标值按当年价格（名义值）计算，规划年均增速按可比价格（扣除价格因素的实际增速）"
                    "计算：隐含增速包含物价上涨，差距的大部分可能来自价格变动，并不一定说明目标"
                    "定得更高。")
        if self.real_growth:
            return ("目标值按当年价格计算、增速按可比价格计算，隐含的名义增速反而低于实际增速："
                    "两者不一致，需要对照原文。")
        return "目标值与规划年均增速不一致（两者口径相同），需要对照原文。"

    @property
    def years(self) -> int:
        """``target_year − baseline_year``."""
        return self.target_year - self.baseline_year


def growth_check(row: IndicatorRow, registry: Registry,
                 threshold: float = GAP_THRESHOLD_PP) -> GrowthCheck | None:
    """The implied-growth check of one targets-table row, or None when it does not apply.

    It applies only when: baseline and target are both numbers with years, not cumulative
    ([累计]) totals, in the row's own unit; years = target.year − baseline.year > 0; both
    values are positive; the stated growth is ``annual`` and a number; and the indicator is a
    *level* in the registry (``measure: level``) with a unit other than % or 百分点 (rates and
    shares grow by percentage points, not compound rates). Qualifiers (左右, 以上) are ignored
    for the arithmetic. Example (仓山 GDP): 902.27 (2020) → 1500 (2025) implies 10.70 %/yr
    against the stated 8 %, a gap of 2.70 pp: flagged."""
    b, t, g = row.baseline, row.target, row.growth
    if b is None or t is None or g is None:
        return None
    if b.value is None or t.value is None or g.value is None or g.kind != "annual":
        return None
    if b.year is None or t.year is None or t.year <= b.year:
        return None
    if b.cumulative or t.cumulative or b.unit or t.unit:
        return None
    entry = registry.resolve(row.key)
    if entry is None or entry.measure != "level" or row.unit in ("%", "百分点"):
        return None
    if b.value <= 0 or t.value <= 0:
        return None
    implied = implied_cagr(b.value, t.value, t.year - b.year)
    gap = implied - g.value
    return GrowthCheck(row=row, indicator=entry.id, baseline_year=b.year, target_year=t.year,
                       baseline=b.value, target=t.value, implied=implied, stated=g.value,
                       gap=gap, flagged=abs(gap) > threshold + _EPS, real_growth=entry.real_growth)


def growth_checks(table: IndicatorTable, registry: Registry,
                  threshold: float = GAP_THRESHOLD_PP) -> list[GrowthCheck]:
    """:func:`growth_check` for every row of a targets table where it applies, in row order
    (empty for completion tables)."""
    if table.kind != "targets":
        return []
    out = []
    for r in table.rows:
        c = growth_check(r, registry, threshold)
        if c is not None:
            out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# completion


#: words in a table note that say the statistical definition (口径) changed during the period
DEFINITION_CHANGE_WORDS = ("口径调整", "口径变化", "口径改变", "口径发生改变", "统计口径", "口径不一致")


@dataclass
class Verdict:
    """One side of a completion check: ``basis`` ``value`` (the planned level, 总量) or
    ``growth`` (the planned growth, 增速); ``status`` met / not_met / not_assessable; ``reason``
    in Chinese with the numbers compared."""

    basis: str
    status: str
    reason: str


@dataclass
class Assessment:
    """Whether one completion-table indicator met its planned target (规划目标).

    ``status`` is ``met``, ``not_met``, ``partly`` (level and growth judged differently),
    ``not_comparable`` (a note of the table says the statistical definition changed, 口径调整)
    or ``not_assessable``; ``basis`` is ``value`` (the planned level), ``growth`` (the planned
    growth), ``both`` or None; ``parts`` the level and growth :class:`Verdict` where a number
    was planned; ``reason`` says why, in Chinese, with the numbers compared; ``definition_note``
    the note text on a changed definition."""

    row: IndicatorRow
    status: str
    reason: str
    basis: str | None = None
    indicator: str | None = None
    parts: list[Verdict] = field(default_factory=list)
    definition_note: str | None = None


def _fmt(x: float) -> str:
    return f"{x:g}"


def _show(v: Value | Growth) -> str:
    if v.value is None:
        return v.text or ""
    s = _fmt(v.value)
    if isinstance(v, Growth) and v.kind == "annual":
        s += "%"
    if isinstance(v, Growth) and v.kind == "cumulative" or isinstance(v, Value) and v.cumulative:
        s = f"[{s}]"
    q = v.qualifier
    if q in ("about", "at_least"):
        return s + QUALIFIERS[q]
    if q:
        return _SYMBOL[q] + s
    return s


def compare(achieved: float, achieved_qualifier: str | None, planned: float,
            planned_qualifier: str | None, direction: str) -> bool:
    """True when an achieved number meets a planned one.

    Rules: the planned qualifier decides when it states a bound — 以上/≥ (``at_least``):
    achieved ≥ planned, so equality is met; >/超过 (``above``): achieved > planned; 不高于/≤
    (``at_most``): achieved ≤ planned; < (``below``): achieved < planned. Otherwise (plain
    number or 左右 ``about``) the registry direction decides: higher is better → achieved ≥
    planned; lower is better → achieved ≤ planned. An achieved value printed as 超过96
    (``above``) counts as just over 96."""
    nudge = 0.0
    if achieved_qualifier in ("above", "at_least"):
        nudge = _EPS * 10 if achieved_qualifier == "above" else 0.0
    elif achieved_qualifier in ("below", "at_most"):
        nudge = -_EPS * 10 if achieved_qualifier == "below" else 0.0
    a = achieved + nudge
    q = planned_qualifier
    if q == "at_least":
        return a >= planned - _EPS
    if q == "above":
        return a > planned + _EPS
    if q == "at_most":
        return a <= planned + _EPS
    if q == "below":
        return a < planned - _EPS
    if direction == "lower":
        return a <= planned + _EPS
    return a >= planned - _EPS


def definition_change(row: IndicatorRow, footnotes: list[Footnote] | tuple = ()) -> str | None:
    """The note that says the row's statistical definition (口径) changed, or None.

    Looked for in the table footnotes the row refers to (``row.notes``) and in the editors'
    ``row.note``, by the words of :data:`DEFINITION_CHANGE_WORDS`. Example: fuzhou-15th
    completion row 9 → note 4. (自2024年起，工业战略性新兴产业统计口径发生改变…)."""
    by_marker = {f.marker: f for f in footnotes}
    for m in row.notes:
        f = by_marker.get(m)
        if f is not None and any(w in f.text for w in DEFINITION_CHANGE_WORDS):
            return f"注{f.marker.rstrip('.')}：{f.text}"
    if row.note and any(w in row.note for w in DEFINITION_CHANGE_WORDS):
        return row.note
    return None


def assess(row: IndicatorRow, registry: Registry,
           footnotes: list[Footnote] | tuple = ()) -> Assessment:
    """Class one completion-table row as met / partly / not met / not comparable / not
    assessable.

    Rules, in order:

    1. the name must resolve in the registry (its ``direction`` is needed) — else not
       assessable;
    2. the level (planned value, 规划目标) and the growth (planned growth) are judged
       separately wherever a number was planned (:class:`Verdict`): the achieved value or
       growth must be a number too (text such as 完成省下达指标, 不可比 or no data → not
       assessable), in the same unit (7.8亿元人民币 against 亿美元 → not assessable) and of the
       same kind (cumulative / annual); then :func:`compare`;
    3. the row is ``met`` when every judged side is met, ``not_met`` when none is, ``partly``
       when they differ (台江 GDP: 600.81 亿元 ≥ 570左右, but 6.2% < 9%左右), not assessable
       when no side can be judged (text target such as 控制在省下达指标内, or none);
    4. whatever the numbers say, a note on a changed statistical definition
       (:func:`definition_change`) makes the row ``not_comparable`` (口径调整); the sides are
       kept in ``parts`` for reference.
    """
    entry = registry.resolve(row.key)
    if entry is None:
        return Assessment(row, NOT_ASSESSABLE, f"指标“{row.key}”未登记，方向未知")
    pv = row.planned.value if row.planned else None
    pg = row.planned.growth if row.planned else None
    av = row.achieved.value if row.achieved else None
    ag = row.achieved.growth if row.achieved else None
    parts = []
    if pv is not None and pv.value is not None:
        parts.append(_assess_pair(row, entry, pv, av, "value"))
    if pg is not None and pg.value is not None:
        parts.append(_assess_pair(row, entry, pg, ag, "growth"))
    note = definition_change(row, footnotes)
    judged = [p for p in parts if p.status != NOT_ASSESSABLE]
    basis = None
    if judged:
        basis = judged[0].basis if len(judged) == 1 else "both"
    elif parts:
        basis = parts[0].basis
    if note:
        return Assessment(row, NOT_COMPARABLE, f"统计口径调整，前后数据不可比（{note}）", basis,
                          entry.id, parts, note)
    if not parts:
        planned_text = (pv.text if pv else None) or (pg.text if pg else None)
        achieved_text = _show(av) if av else "暂无数据"
        if planned_text:
            return Assessment(row, NOT_ASSESSABLE,
                              f"规划目标为文字表述（{planned_text}），完成情况：{achieved_text}",
                              None, entry.id)
        return Assessment(row, NOT_ASSESSABLE, "无规划目标值", None, entry.id)
    if not judged:
        status = NOT_ASSESSABLE
    elif all(p.status == MET for p in judged):
        status = MET
    elif all(p.status == NOT_MET for p in judged):
        status = NOT_MET
    else:
        status = PARTLY
    if len(parts) == 1:
        reason = parts[0].reason
    else:
        reason = "；".join(f"{'总量' if p.basis == 'value' else '增速'}：{p.reason}" for p in parts)
    return Assessment(row, status, reason, basis, entry.id, parts)


def _assess_pair(row: IndicatorRow, entry: RegistryEntry, planned: Value | Growth,
                 achieved: Value | Growth | None, basis: str) -> Verdict:
    label = "规划目标" if basis == "value" else "规划增速"
    done = "完成值" if basis == "value" else "完成增速"

    def na(why: str) -> Verdict:
        return Verdict(basis, NOT_ASSESSABLE, why)

    if achieved is None:
        return na(f"{label} {_show(planned)}，完成情况暂无数据")
    if achieved.value is None:
        return na(f"{label} {_show(planned)}，完成情况为文字表述（{achieved.text}）")
    if isinstance(planned, Value) and isinstance(achieved, Value):
        pu, au = planned.unit or row.unit, achieved.unit or row.unit
        if pu != au:
            return na(f"{label}单位为{pu}，完成值 {_fmt(achieved.value)}{au}，不可比")
        if planned.cumulative != achieved.cumulative:
            return na(f"{label} {_show(planned)} 与{done} {_show(achieved)} 口径不同（累计/当年）")
    if isinstance(planned, Growth) and isinstance(achieved, Growth):
        if planned.kind != achieved.kind:
            return na(f"{label} {_show(planned)} 与{done} {_show(achieved)} 口径不同（年均/累计）")
        if achieved.text:
            return na(f"{done}：{achieved.text}")
    ok = compare(achieved.value, achieved.qualifier, planned.value, planned.qualifier,
                 entry.direction)
    if planned.qualifier in ("at_least", "above", "at_most", "below"):
        rule = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}[planned.qualifier]
    else:
        rule = "≤" if entry.direction == "lower" else "≥"
    better = "越低越好" if entry.direction == "lower" else "越高越好"
    if ok:
        reason = f"{done} {_show(achieved)} {rule} {label} {_show(planned)}（{better}）"
    else:
        reason = f"{done} {_show(achieved)} 未达到 {label} {_show(planned)}（需 {rule}，{better}）"
    return Verdict(basis, MET if ok else NOT_MET, reason)


def assess_table(table: IndicatorTable, registry: Registry) -> list[Assessment]:
    """:func:`assess` for every row of a completion table, in row order (empty for targets
    tables)."""
    if table.kind != "completion":
        return []
    return [assess(r, registry, table.footnotes) for r in table.rows]


def count_assessments(assessments: list[Assessment]) -> dict[str, int]:
    """``{status: n}`` for every status of :data:`STATUSES`, in that order."""
    out = {k: 0 for k in STATUSES}
    for a in assessments:
        out[a.status] += 1
    return out


def table_summary(table: IndicatorTable, registry: Registry) -> dict:
    """The summary figures of one table as JSON-ready data::

        {"rows": n, "by_category": {...}, "by_attribute": {...},
         "quantified": {...},                      # count_quantified
         "growth_checks": [{"line", "name", "indicator", "baseline_year", "target_year",
                            "baseline", "target", "implied", "stated", "gap", "flagged",
                            "real_growth"}],
         "completion": {"met": n, ...} | None}     # completion tables only

    ``implied``, ``stated`` and ``gap`` are rounded to 2 decimals (percent / pp)."""
    checks = growth_checks(table, registry)
    assessments = assess_table(table, registry)
    return {
        "rows": len(table.rows),
        "by_category": count_by_category(table),
        "by_attribute": count_by_attribute(table),
        "quantified": count_quantified(table),
        "growth_checks": [
            {"line": c.row.line, "name": c.row.key, "indicator": c.indicator,
             "baseline_year": c.baseline_year, "target_year": c.target_year,
             "baseline": c.baseline, "target": c.target, "implied": round(c.implied, 2),
             "stated": c.stated, "gap": round(c.gap, 2) + 0.0, "flagged": c.flagged,
             "real_growth": c.real_growth}
            for c in checks],
        "completion": count_assessments(assessments) if table.kind == "completion" else None,
    }
