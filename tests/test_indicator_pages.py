"""Indicator pages, charts, cross-links, downloads and the API's indicator_tables."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from html import unescape
from pathlib import Path

import pytest

from plansite.cells import plain
from plansite.indicator_pages import MIN_MENTION, download_path, indicator_url, table_url
from plansite.project import load_project
from plansite.site import site_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built():
    project = load_project(ROOT)
    return project, site_outputs(project, ROOT / "templates")


def _page(outputs, url):
    return outputs[f"{url}index.html"]


def test_every_table_has_a_page_with_one_row_per_indicator(built):
    project, out = built
    tables = [(d.plan.slug, t) for d in project.plans for t in d.tables]
    assert len(tables) == 7
    for slug, table in tables:
        html = _page(out, table_url(slug, table.id))
        row_ids = re.findall(r'<tr id="row-(\d+)"', html)
        assert [int(i) for i in row_ids] == list(range(1, len(table.rows) + 1)), (slug, table.id)
        for row in table.rows:
            assert f"source/#L{row.line}" in html


def test_implied_growth_flag_shown_for_cangshan_gdp(built):
    _, out = built
    html = _page(out, table_url("cangshan-14th", "main"))
    line = next(row for row in html.splitlines() if "902.27（2020）" in row)
    assert "10.7%" in line and "⚠" in line
    assert "8%" in line


def test_completion_rows_show_status_and_reason(built):
    project, out = built
    table = next(t for t in project.get("taijiang-14th").tables if t.kind == "completion")
    html = _page(out, table_url("taijiang-14th", table.id))
    statuses = re.findall(r'<dd class="status-(met|partly|not_met|not_comparable|not_assessable)">', html)
    assert len(statuses) == len(table.rows)
    assert "无法判断" in html and "完成情况的判断规则" in html
    # the verdict is in the printed table's own row, not only far below it
    for i, status in enumerate(statuses, start=1):
        row = html.split(f'<tr id="row-{i}"', 1)[1].split("</tr>", 1)[0]
        assert f'class="status status-{status}"' in row, i


def test_charts_are_accessible_and_match_the_numbers(built):
    project, out = built
    table = project.get("cangshan-14th").tables[0]
    html = _page(out, table_url("cangshan-14th", table.id))
    charts = re.findall(r'<svg class="chart" role="img" aria-labelledby="([^"]+) ([^"]+)"', html)
    assert charts, "no charts"
    for title_id, desc_id in charts:
        assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
    gdp = table.rows[0]
    desc = re.search(r'<desc id="c-main-1-d">([^<]+)</desc>', html).group(1)
    assert f"{gdp.baseline.value:g}" in desc and f"{gdp.target.value:g}" in desc
    svg = html.split('aria-labelledby="c-main-1-t c-main-1-d"', 1)[1].split("</svg>", 1)[0]
    ticks = [float(t) for t in re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', svg)]
    assert len(ticks) >= 3 and ticks[0] <= gdp.baseline.value and ticks[-1] >= gdp.target.value
    assert "单位：亿元" in svg and 'class="axis"' in svg
    # a data table alternative follows each chart
    after = html.split('aria-labelledby="c-main-1-t c-main-1-d"', 1)[1].split("</figure>", 1)[0]
    assert "图表数据" in after and "<td>902.27</td>" in after and "<td>1500</td>" in after
    assert "<script" not in html


def test_close_values_get_an_axis_that_shows_the_difference(built):
    """福州 常住人口城镇化率 planned 76, achieved 74.99: the axis starts near the values."""
    _, out = built
    html = _page(out, table_url("fuzhou-15th", "completion-14th"))
    svg = html.split('aria-labelledby="c-completion-14th-4-t', 1)[1].split("</svg>", 1)[0]
    ticks = [float(t) for t in re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', svg)]
    assert ticks[0] > 0 and ticks[0] <= 74.99 and ticks[-1] >= 76
    xs = [float(x) for x in re.findall(r'class="pt pt-(?:target|achieved)" (?:cx|x)="([\d.]+)"', svg)]
    assert abs(xs[0] - xs[1]) > 30   # px apart, not on top of each other (then the legend)


def test_downloads_csv_has_bom_and_one_line_per_row_and_json_matches(built):
    project, out = built
    for data in project.plans:
        for table in data.tables:
            text = out[download_path(data.plan.slug, table.id, "csv")]
            assert text.startswith("\ufeff")
            rows = list(csv.reader(io.StringIO(text[1:])))
            assert len(rows) == len(table.rows) + 1
            doc = json.loads(out[download_path(data.plan.slug, table.id, "json")])
            assert [r["cells"] for r in doc["rows"]] == [list(r.cells) for r in table.rows]
    assert out["downloads/all-indicators.csv"].startswith("\ufeff")
    total = sum(len(t.rows) for d in project.plans for t in d.tables)
    assert len(out["downloads/all-indicators.csv"].strip().splitlines()) == total + 1


def test_plan_api_gains_indicator_tables(built):
    project, out = built
    for data in project.plans:
        api = json.loads(out[f"api/plans/{data.plan.slug}.json"])
        assert [t["id"] for t in api["indicator_tables"]] == [t.id for t in data.tables]
        for t, table in zip(api["indicator_tables"], data.tables):
            assert len(t["rows"]) == len(table.rows)
            assert t["summary"]["rows"] == len(table.rows)
            assert f"{t['downloads']['csv']}" in out


def test_comparison_page_lists_every_plan_with_the_indicator(built):
    project, out = built
    registry = project.registry
    ids = {"gdp", "gdp-growth"}
    expected = [(d.plan.slug, t.id, i) for d in project.plans for t in d.tables
                for i, r in enumerate(t.rows, start=1) if registry.resolve(r.key).id in ids]
    assert len({s for s, _, _ in expected}) >= 3
    html = _page(out, indicator_url("gdp"))
    for slug, table_id, i in expected:
        assert f'../../plans/{slug}/indicators/{table_id}/#row-{i}"' in html, (slug, table_id, i)
    # level and growth on one page; no separate page for the growth indicator
    assert "地区生产总值增长" in html and "indicators/gdp-growth/index.html" not in out
    # rows are named by the period of their own table
    assert "福州“十四五”完成情况" in html and "福州“十五五”目标" in html
    assert "台江区“十三五”完成情况" in html
    index = _page(out, "indicators/")
    assert 'href="gdp/"' in index


def test_comparison_normalises_units_and_flags_the_rest(built):
    _, out = built
    html = _page(out, indicator_url("pm25"))
    assert "毫克/立方米" in html and "已换算为微克/立方米" in html
    assert "33（原表 0.033）" in html       # taijiang 2015 0.033 毫克/立方米
    assert "单位：微克/立方米" in html and "PM<sub>2.5</sub>" in html
    gdp = _page(out, indicator_url("gdp"))
    assert "15100（原表 1.51）" in gdp        # fuzhou 1.51 万亿元
    fdi = _page(out, indicator_url("fdi"))
    assert "不能换算" in fdi or "亿元人民币" in fdi


def test_comparison_downloads_and_definition(built):
    project, out = built
    html = _page(out, indicator_url("gdp"))
    assert "定义" in html and "可比价格" in html and "越高越好" in html
    text = out["downloads/indicator-gdp.csv"]
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    doc = json.loads(out["downloads/indicator-gdp.json"])
    assert len(rows) == len(doc["rows"]) >= 7
    fz = next(r for r in rows if r["plan"] == "fuzhou-15th" and r["table"] == "completion-14th")
    assert fz["achieved_value"] == "15100" and fz["shown_unit"] == "亿元" and fz["unit"] == "万亿元"
    assert fz["label"] == "福州“十四五”完成情况" and fz["period_end"] == "2025"
    assert 'href="../../downloads/indicator-gdp.csv"' in html


def test_indicators_index_lists_every_indicator_once(built):
    project, out = built
    index = _page(out, "indicators/")
    registry = project.registry
    used = {registry.resolve(r.key).id for d in project.plans for t in d.tables for r in t.rows}
    groups = {registry.get(i).growth_of or i for i in used}
    pages = {p.split("/")[1] for p in out if re.fullmatch(r"indicators/[a-z0-9-]+/index.html", p)}
    for gid in groups:
        name = registry.get(gid).name
        assert name in unescape(index), gid
    for gid in pages:
        tables = {(d.plan.slug, t.id) for d in project.plans for t in d.tables for r in t.rows
                  if (registry.resolve(r.key).growth_of or registry.resolve(r.key).id) == gid}
        assert len(tables) >= 2, gid          # a page only where there is something to compare
    single = groups - pages
    assert single and all(f'href="{indicator_url(g).replace("indicators/", "")}"' not in index
                          for g in single)
    assert index.count("<li><a href=") >= len(single)


def test_chapter_mentions_link_to_indicators_the_text_names(built):
    project, out = built
    registry = project.registry
    checked = 0
    for data in project.plans:
        names = {registry.resolve(r.key).id: registry.resolve(r.key) for t in data.tables for r in t.rows}
        for path, html in out.items():
            if not path.startswith(f"plans/{data.plan.slug}/chapter-") and not path.startswith(f"plans/{data.plan.slug}/part-"):
                continue
            main = html.split("<main", 1)[1].split("本页提及的指标")[0]
            main = unescape(main) + unescape(re.sub(r"<[^>]+>", "", main))  # PM<sub>2.5</sub> → PM2.5
            tail = html.split("本页提及的指标")[-1] if "本页提及的指标" in html else ""
            linked = dict(re.findall(r'<li data-indicator="([a-z0-9-]+)"><a href="([^"]+)"', tail))
            for entry in names.values():
                named = any(len(a) >= MIN_MENTION and plain(a) in main for a in entry.aliases)
                assert named == (entry.id in linked), (path, entry.id)
                if named:   # the link goes to a page that exists
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), linked[entry.id].split("#")[0]))
                    assert f"{target}/index.html" in out, (path, linked[entry.id])
                checked += named
    assert checked > 0


def test_rows_link_back_to_chapters_that_mention_them(built):
    _, out = built
    html = _page(out, table_url("cangshan-14th", "main"))
    block = html.split('id="row-1-h"', 1)[1].split("</section>", 1)[0]
    assert "相关章节" in block and "chapter-1/" in block


def test_chapter_showing_a_printed_table_links_to_its_indicator_page(built):
    project, out = built
    for data in project.plans:
        slug = data.plan.slug
        for table in data.tables:
            target = f'href="../indicators/{table.id}/"'
            pages = [p for p, html in out.items() if p.startswith(f"plans/{slug}/")
                     and "本页的指标表" in html and target in html]
            printed = any(n.kind == "table" and n.lines[0] <= table.lines[1] and table.lines[0] <= n.lines[1]
                          for n in data.doc.walk())
            assert len(pages) == (1 if printed else 0), (slug, table.id, pages)


def test_all_tables_csv_joined_from_per_plan_rows_is_plain_csv(built):
    """``downloads/all-indicators.csv`` is joined from each plan's rows (``plan_csv_rows``, kept
    in the cards): the same text as writing every row with ``csv.writer``, cells padded to the
    widest table of all plans, also when that table has no rows and cells hold commas, quotes
    and line ends."""
    import dataclasses

    from plansite.downloads import PARSED_COLUMNS, _cell, all_tables_csv, parsed_record

    project, _ = built
    tables = {d.plan.slug: list(d.tables) for d in project.plans if d.tables}
    slug = sorted(tables)[0]
    first = tables[slug][0]
    row = first.rows[0]
    odd = dataclasses.replace(row, cells=[f'a,b "q"\nline{i}' if i % 2 else c for i, c in enumerate(row.cells)])
    wide = dataclasses.replace(first, id=first.id + "-wide", rows=[], columns=list(first.columns) * 3 + ["x"])
    tables[slug] = [dataclasses.replace(first, rows=[odd] + list(first.rows[1:])), *tables[slug][1:], wide]
    registry = project.registry

    width = max(len(t.columns) for ts in tables.values() for t in ts)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["plan", "table", "table_kind", "row"] + [f"cell_{i + 1}" for i in range(width)] + PARSED_COLUMNS)
    for s in sorted(tables):
        for t in tables[s]:
            for i, r in enumerate(t.rows):
                rec = parsed_record(t, r, registry)
                cells = [plain(c) for c in r.cells] + [""] * (width - len(r.cells))
                w.writerow([_cell(x) for x in [s, t.id, t.kind, i + 1] + cells + [rec[k] for k in PARSED_COLUMNS]])
    text = all_tables_csv(tables, registry)
    assert text == "\ufeff" + buf.getvalue()
    assert '"a,b ""q""\nline1"' in text and len(wide.columns) == width


def test_table_csv_from_parsed_texts_is_plain_csv(built):
    """A table's CSV download is written from its rows' parsed columns made once
    (``parsed_texts``, shared with the all-plans lines): the same text as writing every row with
    ``csv.writer``, also for cells holding commas, quotes and line ends, a lone empty cell, a row
    shorter than the headers and a table without printed columns."""
    import dataclasses

    from plansite.downloads import PARSED_COLUMNS, _cell, _headers, parsed_record, parsed_texts, table_csv

    project, _ = built
    registry = project.registry
    first = next(t for d in project.plans for t in d.tables if t.columns and len(t.rows) > 3)
    rows = list(first.rows)
    rows[0] = dataclasses.replace(rows[0], cells=[f'a,b "q"\nline{i}' if i % 2 else c for i, c in enumerate(rows[0].cells)])
    rows[1] = dataclasses.replace(rows[1], cells=rows[1].cells[:1])
    tables = [dataclasses.replace(first, rows=rows),
              dataclasses.replace(first, columns=[""], rows=[dataclasses.replace(rows[2], cells=[""])]),
              dataclasses.replace(first, columns=[], rows=[dataclasses.replace(rows[3], cells=[])])]
    for t in tables:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(_headers(t) + PARSED_COLUMNS)
        for r in t.rows:
            rec = parsed_record(t, r, registry)
            cells = [plain(c) for c in r.cells] + [""] * (len(t.columns) - len(r.cells))
            w.writerow([_cell(x) for x in cells + [rec[k] for k in PARSED_COLUMNS]])
        assert table_csv(t, registry) == "\ufeff" + buf.getvalue()
        assert table_csv(t, registry, parsed_texts(t, registry)) == "\ufeff" + buf.getvalue()
    assert '"a,b ""q""\nline1"' in table_csv(tables[0], registry)


def test_a_group_built_alone_and_the_listed_groups_match_all_groups(built):
    """The cross-plan step builds each comparison group alone, from the plans with rows in it
    (``assemble_groups(only=…)``), and the indicator list from :class:`ListedRow` s: the very rows
    of :func:`build_groups` over every plan."""
    from plansite.comparisons import assemble_groups, build_groups, group_members
    from plansite.indicator_pages import row_url

    project, _ = built
    registry = project.registry
    plans = [(d.plan, d.tables) for d in project.plans]
    whole = build_groups(plans, registry, row_url)
    members = [(plan, group_members(tables, registry)) for plan, tables in plans]
    listed = assemble_groups(members, registry, row_url, listed=True)
    assert [g.entry.id for g in listed] == [g.entry.id for g in whole]
    assert any(g.compared for g in whole) and any(not g.compared for g in whole)
    for group, shown in zip(whole, listed):
        assert [(r.plan.slug, r.table.id, r.label, r.url) for r in shown.rows] == \
            [(r.plan.slug, r.table.id, r.label, r.url) for r in group.rows]
        assert shown.compared == group.compared
        having = [(plan, m) for plan, m in members if group.entry.id in m]
        [alone] = assemble_groups(having, registry, row_url, only=group.entry.id)
        assert alone == group  # entry, growth entries, unit and every row with its values
