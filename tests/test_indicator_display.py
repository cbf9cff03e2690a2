"""How indicator data are shown: printed markup, ragged chapter tables, proposal targets,
verdicts in the rows, reader wording, comparison periods and units, chart axes."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest

from plansite.cells import align_rows, plain, rich
from plansite.charts import ChartRow, Point, axis_range, dot_chart, nice_step
from plansite.comparisons import convert, plan_ordinal, table_label
from plansite.indicator_pages import download_path, indicator_url, table_url
from plansite.project import load_project
from plansite.site import site_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built():
    project = load_project(ROOT)
    return project, site_outputs(project, ROOT / "templates")


def _page(out, url):
    return out[f"{url}index.html"]


def _text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", "", main))


# --- printed markup ------------------------------------------------------------------------


def test_rich_turns_printed_indices_into_sub_and_escapes_the_rest():
    assert rich("城市细颗粒物(PM <sub>2.5</sub> )年均浓度") == "城市细颗粒物(PM<sub>2.5</sub>)年均浓度"
    assert rich("城市细颗粒物 (PM _{2.5}) 浓度") == "城市细颗粒物 (PM<sub>2.5</sub>) 浓度"
    assert rich("m^{3}") == "m<sup>3</sup>"
    assert rich("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert rich("<sub><b>2</b></sub>") == "&lt;sub&gt;&lt;b&gt;2&lt;/b&gt;&lt;/sub&gt;"  # only text inside
    assert rich('<sub>"&</sub>') == "<sub>&#34;&amp;</sub>"
    assert plain("城市细颗粒物(PM <sub>2.5</sub> )年均浓度") == "城市细颗粒物(PM2.5)年均浓度"
    assert plain("城市细颗粒物 (PM _{2.5}) 浓度") == "城市细颗粒物 (PM2.5) 浓度"
    assert plain(None) == "" and rich(None) == ""


def test_pm25_markup_is_a_subscript_on_pages_and_plain_in_csv(built):
    project, out = built
    pages = {
        "taijiang table": _page(out, table_url("taijiang-14th", "completion-13th")),
        "fuzhou table": _page(out, table_url("fuzhou-15th", "main")),
        "comparison": _page(out, indicator_url("pm25")),
    }
    chapter = [html for path, html in out.items()
               if path.startswith("plans/fuzhou-15th/chapter-") and "细颗粒物" in html and "<table" in html]
    assert chapter, "the fuzhou chapter with the main table"
    pages["fuzhou chapter"] = chapter[0]
    for name, html in pages.items():
        assert "PM<sub>2.5</sub>" in html, name
        assert "&lt;sub&gt;" not in html and "_{2.5}" not in html, name
    for path in (download_path("taijiang-14th", "completion-13th", "csv"),
                 download_path("fuzhou-15th", "main", "csv"), "downloads/all-indicators.csv",
                 "downloads/indicator-pm25.csv"):
        assert "PM2.5" in out[path] and "<sub>" not in out[path] and "_{" not in out[path], path
    # chart titles and descriptions are plain text too
    for title in re.findall(r"<title[^>]*>([^<]*)</title>", pages["comparison"]):
        assert "sub&gt;" not in title and "_{" not in title
    # the data keep the printed cell verbatim
    row = next(r for t in project.get("taijiang-14th").tables for r in t.rows if "PM" in r.name)
    assert "<sub>2.5</sub>" in row.name


# --- chapter tables ------------------------------------------------------------------------


def test_align_rows_spans_the_split_column_and_pads_short_rows():
    rows = [["序号", "指标", "单位"], ["1", "地区生产总值", "亿元"],
            ["2", "每千人口拥有医护人员数", "执业医师数", "人"], ["", "", "注册护士数", "人"],
            ["3", "人均预期寿命", "岁"], ["4", "人均地区生产总值", "万元"], ["5", "短"]]
    grid, width = align_rows(rows)
    assert width == 4
    assert [c.span for c in grid[0]] == [1, 2, 1]          # header 指标 spans name + subname
    assert [c.span for c in grid[1]] == [1, 2, 1]
    assert [c.text for c in grid[2]] == ["2", "每千人口拥有医护人员数", "执业医师数", "人"]
    assert [c.text for c in grid[3]][-1] == "人"            # unit stays under 单位
    assert sum(c.span for c in grid[6]) == 4                # short row padded
    assert all(sum(c.span for c in row) == width for row in grid)
    assert align_rows([]) == ([], 0)


def test_fuzhou_main_table_in_its_chapter_keeps_columns_aligned(built):
    _, out = built
    html = next(h for p, h in out.items() if p.startswith("plans/fuzhou-15th/chapter-")
                and "每千人口拥有医护人员数" in h and "<table" in h)
    table = html.split("每千人口拥有医护人员数", 1)[0].rsplit("<table", 1)[1] + \
        html.split("每千人口拥有医护人员数", 1)[1].split("</table>", 1)[0]
    head = re.search(r"<thead>(.*?)</thead>", "<table" + table, re.S).group(1)
    assert 'colspan="2">指标名称</th>' in head
    width = sum(int(s or 1) for s in re.findall(r'<t[hd][^>]*?(?: colspan="(\d+)")?>', head))
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        assert sum(int(s or 1) for s in re.findall(r'<td(?: colspan="(\d+)")?>', tr)) in (width, 0)
    nurses = re.search(r"<tr>((?:(?!</tr>).)*注册护士数(?:(?!</tr>).)*)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", nurses)
    assert cells[3:5] == ["注册护士数", "人"]                # under 指标名称 (2nd half) and 单位
    assert width == 9                                       # no empty ninth column beyond it


# --- proposal targets ------------------------------------------------------------------------


def test_proposal_targets_table_shows_names_targets_and_quotes(built):
    project, out = built
    table = project.get("fuqing-14th-proposal").tables[0]
    html = _page(out, table_url("fuqing-14th-proposal", table.id))
    for i, row in enumerate(table.rows, start=1):
        tr = html.split(f'<tr id="row-{i}"', 1)[1].split("</tr>", 1)[0]
        assert unescape(row.key) in unescape(tr) and unescape(row.quote) in unescape(tr), i
        assert f"第{row.line}行" in tr
    gdp = html.split('<tr id="row-1"', 1)[1].split("</tr>", 1)[0]
    assert "力争2000" in gdp


# --- verdicts, growth notes, wording ---------------------------------------------------------------


def test_definition_change_and_partial_verdicts_shown_in_rows(built):
    _, out = built
    fz = _page(out, table_url("fuzhou-15th", "completion-14th"))
    row9 = fz.split('<tr id="row-9"', 1)[1].split("</tr>", 1)[0]
    assert "不可比（口径调整）" in row9 and "统计口径" in row9 and "已完成</span>" not in row9.split("<ul", 1)[0]
    tj = _page(out, table_url("taijiang-14th", "completion-13th"))
    row1 = tj.split('<tr id="row-1"', 1)[1].split("</tr>", 1)[0]
    assert "部分完成" in row1 and "总量" in row1 and "增速" in row1
    for n in (5, 8):   # 固定资产投资, 实际利用外资: note 2 个别指标数据口径调整
        assert "不可比（口径调整）" in tj.split(f'<tr id="row-{n}"', 1)[1].split("</tr>", 1)[0]
    plan = _page(out, "plans/taijiang-14th/")
    assert "部分完成 2" in plan and "不可比 2" in plan


def test_flagged_implied_growth_says_nominal_level_against_real_rate(built):
    _, out = built
    html = _page(out, table_url("cangshan-14th", "main"))
    block = html.split('id="row-1-h"', 1)[1].split("</section>", 1)[0]
    assert "⚠" in block and "当年价格" in block and "可比价格" in block
    assert "名义目标对实际增速" in html


def test_public_indicator_pages_speak_chinese(built):
    _, out = built
    pages = [p for p in out if p.endswith("index.html") and (p.startswith("indicators/")
             or "/indicators/" in p)]
    assert len(pages) > 10
    for path in pages:
        text = _text(out[path])
        for word in ("registry", "measure", "level", "not_met", "not_assessable", "None"):
            assert word not in text, (path, word)


# --- comparisons -------------------------------------------------------------------------------


def test_plan_ordinal_and_labels(built):
    assert plan_ordinal(2025) == "十四五" and plan_ordinal(2020) == "十三五"
    assert plan_ordinal(2030) == "十五五" and plan_ordinal(1970) == "三五"
    assert plan_ordinal(2024) is None and plan_ordinal(None) is None
    project, _ = built
    fz = project.get("fuzhou-15th")
    labels = {t.id: table_label(fz.plan, t) for t in fz.tables}
    assert labels == {"completion-14th": "福州“十四五”完成情况", "main": "福州“十五五”目标"}
    fq = project.get("fuqing-14th-proposal")
    assert table_label(fq.plan, fq.tables[0]) == "福清“十四五”目标（建议）"


def test_unit_conversion():
    assert convert(1.51, "万亿元", "亿元") == pytest.approx(15100)
    assert convert(0.033, "毫克/立方米", "微克/立方米") == pytest.approx(33)
    assert convert(17.3, "ug/m³", "微克/立方米") == 17.3
    assert convert(5, "亿美元", "亿元") is None and convert(5, "%", "万元/人") is None
    assert convert(3, None, "亿元") is None and convert(3, "件", "件") == 3


def test_comparison_csv_levels_are_in_one_unit(built):
    _, out = built
    rows = list(csv.DictReader(io.StringIO(out["downloads/indicator-pm25.csv"][1:])))
    assert {r["shown_unit"] for r in rows if r["role"] == "level"} == {"微克/立方米"}
    tj = next(r for r in rows if r["plan"] == "taijiang-14th")
    assert tj["unit"] == "毫克/立方米" and float(tj["baseline_value"]) == pytest.approx(33)


# --- charts ----------------------------------------------------------------------------------------


def test_axis_ticks():
    assert nice_step(1500) == 500 and nice_step(0.035) == 0.01 and nice_step(10) == 2.5
    with pytest.raises(ValueError):
        nice_step(0)
    lo, hi, step = axis_range([902.27, 1500])
    assert lo == 0 and hi >= 1500 and step > 0
    lo, hi, step = axis_range([76, 74.99])
    assert 0 < lo <= 74.99 and hi >= 76 and (hi - lo) / step <= 8
    lo, hi, step = axis_range([-2.0, 5.5])
    assert lo <= -2 and hi >= 5.5


def test_chart_labels_escape_and_do_not_overlap():
    rows = [ChartRow("<b>甲</b>", [Point("baseline", 369.6, "369.6"), Point("target", 570, "570左右"),
                                   Point("achieved", 600.81, "600.81")])]
    svg = str(dot_chart("t", "标题<", "说明&", rows, "亿元"))
    assert "&lt;b&gt;甲" in svg and "标题&lt;" in svg and "说明&amp;" in svg
    assert 'role="img"' in svg and 'aria-labelledby="t-t t-d"' in svg
    labels = re.findall(r'<text class="val" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)">([^<]+)</text>', svg)
    spans = []
    for x, y, anchor, text in labels:
        w = len(text) * 6.6
        left = float(x) - {"start": 0, "middle": w / 2, "end": w}[anchor]
        spans.append((float(y), left, left + w))
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            assert a[0] != b[0] or a[2] <= b[1] or b[2] <= a[1], (a, b)
    with pytest.raises(ValueError):
        dot_chart("e", "", "", [ChartRow("x", [])])
