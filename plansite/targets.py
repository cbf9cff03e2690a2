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

from dataclasses import dataclass

from plansite.indicators import (
    QUALIFIERS, Growth, IndicatorRow, IndicatorTable, Registry, RegistryEntry, Value)

#: flag threshold for |implied − stated| in percentage points
GAP_THRESHOLD_PP = 0.5
MET, NOT_MET, NOT_ASSESSABLE = "met", "not_met", "not_assessable"
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
    ``|gap| > GAP_THRESHOLD_PP``."""

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
                       gap=gap, flagged=abs(gap) > threshold + _EPS)


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


@dataclass
class Assessment:
    """Whether one completion-table indicator met its planned target (规划目标).

    ``status`` is ``met``, ``not_met`` or ``not_assessable``; ``basis`` is ``value`` (the
    planned level), ``growth`` (the planned growth) or None; ``reason`` says why, in Chinese,
    with the numbers compared."""

    row: IndicatorRow
    status: str
    reason: str
    basis: str | None = None
    indicator: str | None = None


def _fmt(x: float) -> str:
    return f"{x:g}"


def _show(v: Value | Growth) -> str:
    if v.value is None:
        return v.text or ""
    s = _fmt(v.value)
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


def assess(row: IndicatorRow, registry: Registry) -> Assessment:
    """Class one completion-table row as met / not met / not assessable.

    Rules, in order:

    1. the name must resolve in the registry (its ``direction`` is needed) — else not
       assessable;
    2. if the planned value (规划目标 level) is a number: the achieved value must be a number
       too (text such as 完成省下达指标 or no data → not assessable), in the same unit
       (7.8亿元人民币 against a target in 亿美元 → not assessable) and equally cumulative; then
       :func:`compare`;
    3. else if the planned growth is a number: the achieved growth must be a number of the
       same kind (annual / cumulative; 不可比 → not assessable); then :func:`compare` on the
       growth rates;
    4. else (text target such as 控制在省下达指标内, 不高于全省平均水平, or none) → not
       assessable.
    """
    entry = registry.resolve(row.key)
    if entry is None:
        return Assessment(row, NOT_ASSESSABLE, f"指标“{row.key}”未登记，方向未知")
    pv = row.planned.value if row.planned else None
    pg = row.planned.growth if row.planned else None
    av = row.achieved.value if row.achieved else None
    ag = row.achieved.growth if row.achieved else None
    if pv is not None and pv.value is not None:
        return _assess_pair(row, entry, pv, av, "value")
    if pg is not None and pg.value is not None:
        return _assess_pair(row, entry, pg, ag, "growth")
    planned_text = (pv.text if pv else None) or (pg.text if pg else None)
    achieved_text = _show(av) if av else "暂无数据"
    if planned_text:
        return Assessment(row, NOT_ASSESSABLE,
                          f"规划目标为文字表述（{planned_text}），完成情况：{achieved_text}",
                          None, entry.id)
    return Assessment(row, NOT_ASSESSABLE, "无规划目标值", None, entry.id)


def _assess_pair(row: IndicatorRow, entry: RegistryEntry, planned: Value | Growth,
                 achieved: Value | Growth | None, basis: str) -> Assessment:
    label = "规划目标" if basis == "value" else "规划增速"
    done = "完成值" if basis == "value" else "完成增速"

    def na(why: str) -> Assessment:
        return Assessment(row, NOT_ASSESSABLE, why, basis, entry.id)

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
    return Assessment(row, MET if ok else NOT_MET, reason, basis, entry.id)


def assess_table(table: IndicatorTable, registry: Registry) -> list[Assessment]:
    """:func:`assess` for every row of a completion table, in row order (empty for targets
    tables)."""
    if table.kind != "completion":
        return []
    return [assess(r, registry) for r in table.rows]


def count_assessments(assessments: list[Assessment]) -> dict[str, int]:
    """``{"met": n, "not_met": m, "not_assessable": k}``."""
    out = {MET: 0, NOT_MET: 0, NOT_ASSESSABLE: 0}
    for a in assessments:
        out[a.status] += 1
    return out


def table_summary(table: IndicatorTable, registry: Registry) -> dict:
    """The summary figures of one table as JSON-ready data::

        {"rows": n, "by_category": {...}, "by_attribute": {...},
         "quantified": {...},                      # count_quantified
         "growth_checks": [{"line", "name", "indicator", "baseline_year", "target_year",
                            "baseline", "target", "implied", "stated", "gap", "flagged"}],
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
             "stated": c.stated, "gap": round(c.gap, 2) + 0.0, "flagged": c.flagged}
            for c in checks],
        "completion": count_assessments(assessments) if table.kind == "completion" else None,
    }
