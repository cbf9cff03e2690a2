"""Indicator pages, charts, cross-links, downloads and the API's indicator_tables."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path

import pytest

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
        row_ids = re.findall(r'<tr id="row-(\d+)">', html)
        assert [int(i) for i in row_ids] == list(range(1, len(table.rows) + 1)), (slug, table.id)
        for row in table.rows:
            assert f"source/#L{row.line}" in html


def test_implied_growth_flag_shown_for_cangshan_gdp(built):
    _, out = built
    html = _page(out, table_url("cangshan-14th", "main"))
    line = next(l for l in html.splitlines() if "902.27（2020）" in l)
    assert "10.7%" in line and "⚠" in line
    assert "8%" in line


def test_completion_rows_show_status_and_reason(built):
    project, out = built
    table = next(t for t in project.get("taijiang-14th").tables if t.kind == "completion")
    html = _page(out, table_url("taijiang-14th", table.id))
    statuses = re.findall(r'<dd class="status-(met|not_met|not_assessable)">', html)
    assert len(statuses) == len(table.rows)
    assert "无法判断" in html and "完成情况的判断规则" in html


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
    assert "<script" not in html


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
    gdp = registry.get("gdp")
    expected = {d.plan.short_title for d in project.plans for t in d.tables for r in t.rows
                if registry.resolve(r.key) is gdp}
    assert len(expected) >= 3
    html = _page(out, indicator_url("gdp"))
    shown = set(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html))
    assert shown == expected
    index = _page(out, "indicators/")
    assert f'href="{indicator_url("gdp").replace("indicators/", "")}"' in index or 'href="gdp/"' in index


def test_chapter_mentions_link_to_indicators_the_text_names(built):
    project, out = built
    registry = project.registry
    checked = 0
    for data in project.plans:
        names = {registry.resolve(r.key).id: registry.resolve(r.key) for t in data.tables for r in t.rows}
        for path, html in out.items():
            if not path.startswith(f"plans/{data.plan.slug}/chapter-") and not path.startswith(f"plans/{data.plan.slug}/part-"):
                continue
            main = unescape(html.split("<main", 1)[1].split("本页提及的指标")[0])
            linked = set(re.findall(r'indicators/([a-z0-9-]+)/">', html.split("本页提及的指标")[-1])) \
                if "本页提及的指标" in html else set()
            for entry in names.values():
                named = any(len(a) >= MIN_MENTION and a in main for a in entry.aliases)
                assert named == (entry.id in linked), (path, entry.id)
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
