"""Target summaries and downloads: worked examples from the plans."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from plansite.downloads import all_tables_csv, json_text, table_csv, table_json
from plansite.indicators import (
    Growth, IndicatorRow, Outcome, Registry, RegistryEntry, Value)
from plansite.targets import (
    MET, NOT_ASSESSABLE, NOT_COMPARABLE, NOT_MET, PARTLY, assess, assess_table, compare,
    count_assessments, count_by_attribute, definition_change,
    count_by_category, count_quantified, growth_check, growth_checks, implied_cagr,
    table_summary)

ROOT = Path(__file__).resolve().parent.parent



# --- implied growth -----------------------------------------------------------------------


def test_implied_cagr_formula():
    assert implied_cagr(100, 200, 1) == pytest.approx(100.0)
    assert implied_cagr(100, 121, 2) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        implied_cagr(100, 120, 0)
    with pytest.raises(ValueError):
        implied_cagr(0, 120, 5)


def test_cangshan_gdp_flagged(tables, registry):
    r = tables.row("cangshan-14th", "main", "地区生产总值（GDP）")
    c = growth_check(r, registry)
    assert c is not None and c.years == 5
    assert c.implied == pytest.approx(10.70, abs=0.01)
    assert c.stated == 8 and c.gap == pytest.approx(2.70, abs=0.01) and c.flagged


def test_close_growth_not_flagged(tables, registry):
    c = growth_check(tables.row("cangshan-14th", "main", "每万人发明专利拥有量"), registry)
    assert c.implied == pytest.approx(7.99, abs=0.01) and not c.flagged
    c = growth_check(tables.row("taijiang-14th", "main", "地区生产总值(GDP)"), registry)
    assert c.implied == pytest.approx(7.5, abs=0.01) and not c.flagged


def test_growth_check_skips_rates_shares_and_cumulative(tables, registry):
    t = tables.table("cangshan-14th", "main")
    keys = [c.row.key for c in growth_checks(t, registry)]
    assert keys == ["地区生产总值（GDP）", "人均GDP", "每万人发明专利拥有量"]
    # 居民人均可支配收入增长 3 → 8 with growth 8: a rate, not a level
    assert growth_check(tables.row("cangshan-14th", "main", "居民人均可支配收入增长"),
                        registry) is None
    # 服务业比重 61.6 → 65 with 0.68%: a share
    assert growth_check(tables.row("cangshan-14th", "main",
                             "服务业增加值占地区生产总值比重"), registry) is None


def test_taishang_flags(tables, registry):
    checks = {c.row.key: c for c in growth_checks(tables.table("taishang-14th", "main"),
                                                  registry)}
    assert checks["地区生产总值"].flagged  # 307.51 → 440 implies 7.43 vs 6.5
    assert checks["社会消费品零售额"].flagged  # 126.6 → 155 implies 4.13 vs 10.0
    assert not checks["技术合同交易额"].flagged


# --- completion ----------------------------------------------------------------------------


def _reg(direction="higher"):
    return Registry([RegistryEntry("x", "某指标", "Some indicator", None, direction, "level",
                                   ["某指标"])])


def _completion_row(planned: Value | None, achieved: Value | None,
                    pg: Growth | None = None, ag: Growth | None = None) -> IndicatorRow:
    return IndicatorRow(line=1, lines=(1, 1), cells=[], name="某指标", unit="%",
                        planned=Outcome(planned, pg), achieved=Outcome(achieved, ag))


def test_at_least_target_met_when_equal():
    a = assess(_completion_row(Value(2025, 60.0, qualifier="at_least"), Value(2025, 60.0)),
               _reg())
    assert a.status == MET and "≥" in a.reason
    a = assess(_completion_row(Value(2025, 60.0, qualifier="at_least"), Value(2025, 59.9)),
               _reg())
    assert a.status == NOT_MET


def test_above_target_needs_more():
    a = assess(_completion_row(Value(2025, 40.0, qualifier="above"), Value(2025, 40.0)), _reg())
    assert a.status == NOT_MET


def test_lower_is_better():
    reg = _reg("lower")
    assert assess(_completion_row(Value(2020, 5.0), Value(2020, 4.0)), reg).status == MET
    assert assess(_completion_row(Value(2020, 5.0), Value(2020, 6.0)), reg).status == NOT_MET
    assert compare(0.02, None, 0.035, "below", "lower")
    assert not compare(0.035, None, 0.035, "below", "lower")


def test_not_assessable_cases():
    reg = _reg()
    a = assess(_completion_row(Value(2020, 4.5, cumulative=True),
                               Value(2020, 7.8, unit="亿元人民币"),
                               ag=Growth("annual", text="不可比")), reg)
    assert a.status == NOT_ASSESSABLE
    a = assess(_completion_row(None, None, ag=Growth("annual", text="不可比"),
                               pg=Growth("annual", 5.0)), reg)
    assert a.status == NOT_ASSESSABLE and "不可比" in a.reason
    a = assess(_completion_row(Value(2025, text="控制在省下达指标内"),
                               Value(2025, text="完成省下达指标")), reg)
    assert a.status == NOT_ASSESSABLE and "控制在省下达指标内" in a.reason
    a = assess(_completion_row(Value(2025, 58.5), Value(2025, text="完成省下达指标")), reg)
    assert a.status == NOT_ASSESSABLE


def test_real_completion_rows(tables, registry):
    fz = {a.row.seq: a for a in assess_table(tables.table("fuzhou-15th", "completion-14th"),
                                            registry)}
    assert fz["1"].status == NOT_MET and fz["1"].basis == "growth"   # GDP 6.0% < 7.0%
    assert fz["8"].status == MET                                      # 63.59 vs 60以上
    assert fz["14"].status == MET                                     # 12.7 = 12.7
    assert fz["16"].status == MET                                     # 超过96 vs 96
    assert fz["20"].status == MET                                     # 97.5 vs （97%以上）
    assert fz["12"].status == NOT_ASSESSABLE                          # 不高于全省平均水平
    assert fz["22"].status == NOT_ASSESSABLE                          # achieved is text
    # row 9: 43.45 ≥ 35 in numbers, but note 4 says the 统计口径 changed (产值 for 增加值)
    assert fz["9"].status == NOT_COMPARABLE and fz["9"].definition_note.startswith("注4")
    assert fz["9"].parts[0].status == MET
    tj = {a.row.seq: a for a in assess_table(tables.table("taijiang-14th", "completion-13th"),
                                            registry)}
    # 实际利用外资 (7.8亿元人民币) and 固定资产投资 refer to note 2 (个别指标数据口径调整)
    assert tj["8"].status == NOT_COMPARABLE and "口径调整" in tj["8"].reason
    assert tj["5"].status == NOT_COMPARABLE
    assert tj["17"].status == MET                                     # PM2.5 0.02 < 0.035
    # GDP: level 600.81 ≥ 570左右 met, growth 6.2% < 9%左右 not met → judged separately
    assert tj["1"].status == PARTLY and tj["1"].basis == "both"
    assert [(p.basis, p.status) for p in tj["1"].parts] == [("value", MET), ("growth", NOT_MET)]
    assert "600.81" in tj["1"].reason and "6.2" in tj["1"].reason
    assert tj["6"].status == NOT_MET                                  # 245.3 vs 644.8
    assert tj["7"].status == MET and tj["7"].basis == "growth"        # planned value "/"


def test_definition_change_needs_a_note_naming_the_definition():
    from plansite.indicators import Footnote
    row = _completion_row(Value(2025, 35.0), Value(2025, 43.0))
    notes = [Footnote("1.", "[]为累计数。", 1), Footnote("2.", "统计口径发生改变。", 2)]
    assert definition_change(row, notes) is None          # the row cites no note
    row.notes = ["1."]
    assert definition_change(row, notes) is None          # a note, but not on 口径
    assert assess(row, _reg(), notes).status == MET
    row.notes = ["1.", "2."]
    assert definition_change(row, notes) == "注2：统计口径发生改变。"
    a = assess(row, _reg(), notes)
    assert a.status == NOT_COMPARABLE and a.parts[0].status == MET
    row.notes, row.note = [], "完成情况为另一指标（口径调整）"
    assert assess(row, _reg(), notes).status == NOT_COMPARABLE


def test_level_and_growth_judged_separately():
    reg = _reg()
    both_met = assess(_completion_row(Value(2020, 570.0, qualifier="about"), Value(2020, 600.0),
                                      Growth("annual", 9.0), Growth("annual", 9.5)), reg)
    assert both_met.status == MET and both_met.basis == "both"
    mixed = assess(_completion_row(Value(2020, 570.0), Value(2020, 600.0),
                                   Growth("annual", 9.0), Growth("annual", 6.2)), reg)
    assert mixed.status == PARTLY and "总量" in mixed.reason and "增速" in mixed.reason
    none_met = assess(_completion_row(Value(2020, 570.0), Value(2020, 500.0),
                                      Growth("annual", 9.0), Growth("annual", 6.2)), reg)
    assert none_met.status == NOT_MET
    # growth only judged when the level cannot be: the level side stays not assessable
    one = assess(_completion_row(Value(2020, 570.0), None, Growth("annual", 9.0),
                                 Growth("annual", 9.1)), reg)
    assert one.status == MET and one.basis == "growth"
    assert [p.status for p in one.parts] == [NOT_ASSESSABLE, MET]
    counts = count_assessments([both_met, mixed, none_met, one])
    assert counts == {MET: 2, PARTLY: 1, NOT_MET: 1, NOT_COMPARABLE: 0, NOT_ASSESSABLE: 0}


def test_real_growth_gap_is_explained_as_prices(tables, registry):
    c = growth_check(tables.row("cangshan-14th", "main", "地区生产总值（GDP）"), registry)
    assert c.flagged and c.real_growth and "可比价格" in c.explanation
    c = growth_check(tables.row("taishang-14th", "main", "社会消费品零售额"), registry)
    assert c.flagged and not c.real_growth and "可比价格" not in c.explanation


def test_counts(tables):
    t = tables.table("cangshan-14th", "main")
    assert count_by_category(t) == {"经济发展": 5, "创新驱动": 4, "民生福祉": 6, "绿色生态": 5}
    assert count_by_attribute(t) == {"expected": 15, "binding": 5, "none": 0}
    assert count_quantified(t) == {"quantified": 15, "text_only": 5, "none": 0}
    t = tables.table("fuzhou-15th", "main")
    assert sum(count_by_category(t).values()) == 26


# --- downloads -------------------------------------------------------------------------------


def test_table_csv(tables, registry):
    t = tables.table("cangshan-14th", "main")
    text = table_csv(t, registry)
    assert text.startswith("\ufeff") and "\r" not in text and text.endswith("\n")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:7] == t.columns and len(rows) == 21
    head = rows[0]
    gdp = dict(zip(head, rows[1]))
    assert gdp["指标"] == "1.地区生产总值（GDP）" and gdp["indicator"] == "gdp"
    assert gdp["baseline_value"] == "902.27" and gdp["target_value"] == "1500"
    assert gdp["implied_cagr"] == "10.7" and gdp["growth_flagged"] == "true"
    assert table_csv(t, registry) == text  # deterministic


def test_all_tables_csv(tables, registry):
    text = all_tables_csv(tables, registry)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1 + sum(len(t.rows) for ts in tables.values() for t in ts)
    assert rows[0][:5] == ["plan", "table", "table_kind", "row", "cell_1"]


def test_table_json(tables, registry):
    t = tables.table("taijiang-14th", "completion-13th")
    d = table_json(t, registry)
    assert len(d["rows"]) == 18 and d["summary"]["completion"]["not_assessable"] >= 1
    assert d["rows"][7]["cells"][7] == "7.8亿元人民币"
    assert d["rows"][7]["assessment"]["status"] == NOT_COMPARABLE
    assert d["rows"][0]["assessment"]["status"] == PARTLY
    assert [p["status"] for p in d["rows"][0]["assessment"]["parts"]] == [MET, NOT_MET]
    text = json_text(d)
    assert json.loads(text) == json.loads(json_text(table_json(t, registry)))
    assert text == json_text(table_json(t, registry)) and text.endswith("\n")
    s = table_summary(tables.table("cangshan-14th", "main"), registry)
    assert s["growth_checks"][0]["implied"] == 10.7 and s["growth_checks"][0]["flagged"]
