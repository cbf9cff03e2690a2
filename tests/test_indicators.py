"""Indicator tables: the reviewed YAML against the seeds, the registry, and the loader's errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plansite.errors import PlansiteError
from plansite.indicators import (
    IndicatorRow, check_registry, check_row_cells, check_tables,
    load_registry, load_tables, parse_growth_cell, parse_value_cell, split_markers)

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ["fuzhou-15th", "cangshan-14th", "taijiang-14th", "taishang-14th",
         "fuqing-14th-proposal"]
ROW_COUNTS = {
    ("fuzhou-15th", "main"): 26,
    ("fuzhou-15th", "completion-14th"): 24,
    ("cangshan-14th", "main"): 20,
    ("taijiang-14th", "completion-13th"): 18,
    ("taijiang-14th", "main"): 18,
    ("taishang-14th", "main"): 40,
}



def _source(slug):
    return (ROOT / "seeds" / f"{slug}.txt").read_text(encoding="utf-8").split("\n")


# --- the committed files ----------------------------------------------------------------------


def test_every_plan_has_a_file(tables):
    assert sorted(tables) == sorted(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_check_tables_finds_no_problem(slug, registry):
    problems = check_tables(ROOT, slug, registry)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("key,count", sorted(ROW_COUNTS.items()))
def test_row_counts(tables, key, count):
    slug, tid = key
    assert len(tables.table(slug, tid).rows) == count


def test_fuqing_targets_quote_their_sentences(tables):
    src = _source("fuqing-14th-proposal")
    rows = tables.table("fuqing-14th-proposal", "main-targets").rows
    assert len(rows) >= 10
    for r in rows:
        assert r.quote and r.quote in src[r.line - 1]
        assert 67 <= r.line <= 103  # item 5. 主要目标
    gdp = next(r for r in rows if r.name == "地区生产总值")
    assert (gdp.target.value, gdp.target.strive, gdp.target.year) == (2000, True, 2025)
    income = next(r for r in rows if r.name == "城乡居民人均可支配收入")
    assert (income.growth.kind, income.growth.value, income.growth.qualifier) == \
        ("annual", 8.5, "at_least")


@pytest.mark.parametrize("slug", SLUGS)
def test_cells_verbatim_at_recorded_line(slug, tables):
    """Independent of check_tables: each non-empty cell is in the seed at the row's lines."""
    src = _source(slug)
    for t in tables[slug]:
        for r in t.rows:
            text = "".join("".join(src[r.lines[0] - 1:r.lines[1]]).split())
            extra = ["".join("".join(src[a - 1:b]).split()) for a, b in r.extra_lines]
            for cell in r.cells:
                if cell.strip():
                    c = "".join(cell.split())
                    assert c in text or any(c in e for e in extra), (slug, t.id, r.line, cell)
            if r.cells and r.lines[0] == r.lines[1] and "\t" in src[r.line - 1]:
                # single-line rows are tab-separated in the seed: same fields, same order
                assert [f for f in src[r.line - 1].split("\t") if f.strip()] == \
                    [c for c in r.cells if c.strip()]


def test_spot_values_against_source(tables):
    r = tables.row("cangshan-14th", "main", "地区生产总值（GDP）")
    assert r.line == 179 and r.cells[3:6] == ["902.27", "1500", "8%"]
    assert (r.baseline.year, r.baseline.value) == (2020, 902.27)
    assert (r.target.year, r.target.value) == (2025, 1500)
    assert (r.growth.kind, r.growth.value) == ("annual", 8)
    r = tables.row("fuzhou-15th", "main", "每千人口拥有医护人员数：注册护士数")
    assert r.line == 308 and r.seq == "14" and r.category == "民生福祉"
    assert (r.baseline.value, r.target.value, r.growth.kind, r.growth.value) == \
        (4.5, 4.6, "cumulative", 0.1)
    r = tables.row("fuzhou-15th", "main", "工业战略性新兴产业产值占规上工业产值比重")
    assert r.markers == ["[*]"] and r.baseline.year == 2024
    assert (r.target.value, r.target.qualifier) == (40, "above")
    r = tables.row("taijiang-14th", "completion-13th", "实际利用外资")
    assert r.achieved.value.unit == "亿元人民币" and r.achieved.growth.text == "不可比"
    assert r.planned.value.cumulative and r.base.year == 2015
    r = tables.row("taishang-14th", "main", "单位 GDP二氧化硫排放降低")
    assert r.lines == (732, 735) and r.extra_lines == [(728, 728)]
    assert r.target.text == "控制在市下达指标内" and r.target.value is None
    r = tables.row("taishang-14th", "main", "全社会固定资产投资额")
    assert r.lines == (616, 619) and r.past_growth.value == 0.2 and r.growth.value == 8.0
    r = tables.row("taishang-14th", "main", "第三产业占 GDP比重")
    assert (r.growth.kind, r.growth.value) == ("cumulative", 3.6)


def test_taishang_categories_and_attributes(tables):
    rows = tables.table("taishang-14th", "main").rows
    assert [r.seq for r in rows] == [str(i) for i in range(1, 41)]
    cats = {}
    for r in rows:
        cats.setdefault(r.category, []).append(int(r.seq))
    assert {k: (v[0], v[-1]) for k, v in cats.items()} == {
        "经济发展": (1, 10), "创新转型": (11, 18), "民生福祉": (19, 27),
        "绿色发展": (28, 35), "安全保障": (36, 40)}
    assert [int(r.seq) for r in rows if r.attribute == "binding"] == [20] + list(range(28, 41))


# --- parsed values consistent with cells --------------------------------------------------


def test_parse_cells():
    assert parse_value_cell("1500") == {"value": 1500.0}
    assert parse_value_cell("60以上") == {"value": 60.0, "qualifier": "at_least"}
    assert parse_value_cell("2160左右") == {"value": 2160.0, "qualifier": "about"}
    assert parse_value_cell(">40") == {"value": 40.0, "qualifier": "above"}
    assert parse_value_cell("<0.035") == {"value": 0.035, "qualifier": "below"}
    assert parse_value_cell("超过96") == {"value": 96.0, "qualifier": "above"}
    assert parse_value_cell("[60]") == {"value": 60.0, "cumulative": True}
    assert parse_value_cell("7.8亿元人民币") == {"value": 7.8, "unit": "亿元人民币"}
    assert parse_value_cell("完成省下达指标（97%以上）") == {
        "text": "完成省下达指标（97%以上）", "value": 97.0, "qualifier": "at_least"}
    assert parse_value_cell("不高于全省平均水平") == {"text": "不高于全省平均水平"}
    for empty in ("", "—", "-", "/"):
        assert parse_value_cell(empty) is None
    assert parse_growth_cell("8%") == {"kind": "annual", "value": 8.0}
    assert parse_growth_cell("[5以上]") == {"kind": "cumulative", "value": 5.0,
                                            "qualifier": "at_least"}
    assert parse_growth_cell("超[1.2]") == {"kind": "cumulative", "value": 1.2,
                                            "qualifier": "above"}
    assert parse_growth_cell("持平") == {"kind": "annual", "text": "持平"}
    assert split_markers("3.5 [*]") == ("3.5", ["[*]"])


@pytest.mark.parametrize("slug", SLUGS)
def test_parsed_numbers_occur_in_cells(slug, tables):
    """Every parsed number is printed in the row (cells or quote), independent of the parser."""
    for t in tables[slug]:
        for r in t.rows:
            printed = "".join(r.cells) + (r.quote or "")
            vals = [r.baseline, r.target, r.growth, r.past_growth, r.base]
            for o in (r.planned, r.achieved):
                if o:
                    vals += [o.value, o.growth]
            for v in vals:
                if v is not None and v.value is not None:
                    shown = f"{v.value:g}"
                    assert shown in printed or {10: "十", 1000: "千"}.get(v.value, "?") in \
                        printed, (slug, r.line, shown)


def test_check_row_cells_catches_a_wrong_number(tables):
    t = tables.table("cangshan-14th", "main")
    r = t.rows[0]
    src = _source("cangshan-14th")
    assert check_row_cells(t, r, src) == []
    bad = IndicatorRow(**{**r.__dict__, "target": type(r.target)(year=2025, value=1600.0)})
    msgs = check_row_cells(t, bad, src)
    assert len(msgs) == 1 and "target" in msgs[0] and '"1500"' in msgs[0]
    moved = IndicatorRow(**{**r.__dict__, "line": 180, "lines": (180, 180)})
    assert any("differ from the printed fields" in m for m in check_row_cells(t, moved, src))


# --- registry ---------------------------------------------------------------------------


def test_every_row_name_is_in_the_registry(tables, registry):
    missing = [(s, t.id, r.key) for s, ts in tables.items() for t in ts for r in t.rows
               if registry.resolve(r.key) is None]
    assert missing == []


def test_every_registry_alias_is_used():
    assert [str(p) for p in check_registry(ROOT)] == []


def test_registry_keeps_level_and_growth_apart(registry):
    assert registry.resolve("地区生产总值（GDP）").id == "gdp"
    assert registry.resolve("地区生产总值").id == "gdp"
    assert registry.resolve("地区生产总值(GDP)").id == "gdp"
    assert registry.resolve("地区生产总值增长").id == "gdp-growth"
    assert registry.resolve("城镇登记失业率").direction == "lower"
    ids = [e.id for e in registry.entries]
    assert len(ids) == len(set(ids))
    for e in registry.entries:
        assert e.name and e.name_en and e.aliases and e.direction in ("higher", "lower")


# --- broken files give one line: path:line: message -----------------------------------------


def _copy_tree(tmp_path: Path) -> Path:
    (tmp_path / "site_src" / "indicators").mkdir(parents=True)
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / "seeds" / "cangshan-14th.txt", tmp_path / "seeds")
    shutil.copy(ROOT / "site_src" / "indicator_registry.yml", tmp_path / "site_src")
    return tmp_path


def _line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.split("\n")) if needle in line)


def test_non_number_target_value(tmp_path):
    root = _copy_tree(tmp_path)
    text = (ROOT / "site_src/indicators/cangshan-14th.yml").read_text(encoding="utf-8")
    bad = text.replace("target: {year: 2025, value: 1500}", "target: {year: 2025, value: 1500x}")
    assert bad != text
    (root / "site_src/indicators/cangshan-14th.yml").write_text(bad, encoding="utf-8")
    line = _line_of(bad, "1500x")
    with pytest.raises(PlansiteError) as e:
        load_tables(root, "cangshan-14th")
    assert str(e.value) == (f"site_src/indicators/cangshan-14th.yml:{line}: "
                            'table main row 1: target.value "1500x" is not a number')
    assert len(str(e.value).splitlines()) == 1


def test_yaml_syntax_error(tmp_path):
    root = _copy_tree(tmp_path)
    text = (ROOT / "site_src/indicators/cangshan-14th.yml").read_text(encoding="utf-8")
    lines = text.split("\n")
    i = _line_of(text, "name: 人均GDP")
    lines[i - 1] = lines[i - 1].replace("name: 人均GDP", "name: [人均GDP")
    (root / "site_src/indicators/cangshan-14th.yml").write_text("\n".join(lines),
                                                                 encoding="utf-8")
    with pytest.raises(PlansiteError) as e:
        load_tables(root, "cangshan-14th")
    msg = str(e.value)
    assert len(msg.splitlines()) == 1
    path, line, rest = msg.split(":", 2)
    assert path == "site_src/indicators/cangshan-14th.yml"
    assert i <= int(line) <= i + 2 and "YAML syntax error" in rest
    # check_tables reports it too rather than raising
    problems = check_tables(root, "cangshan-14th")
    assert [str(p) for p in problems] == [msg]


def test_check_tables_collects_all_problems(tmp_path):
    root = _copy_tree(tmp_path)
    text = (ROOT / "site_src/indicators/cangshan-14th.yml").read_text(encoding="utf-8")
    bad = (text.replace("cells: [经济发展, 1.地区生产总值（GDP）, 亿元, '902.27'",
                        "cells: [经济发展, 1.地区生产总值（GDP）, 亿元, '902.28'")
               .replace("name: 人均预期寿命", "name: 人均预期寿命X")
               .replace("attribute: binding", "attribute: mandatory", 1))
    (root / "site_src/indicators/cangshan-14th.yml").write_text(bad, encoding="utf-8")
    problems = [str(p) for p in check_tables(root, "cangshan-14th")]
    assert any('''attribute must be one of 'expected' or 'binding', not "mandatory"''' in p for p in problems)
    assert any("'902.28'" in p and "printed fields" in p for p in problems)
    assert any("人均预期寿命X" in p and "indicator_registry.yml" in p for p in problems)
    assert all(p.startswith("site_src/indicators/cangshan-14th.yml:") for p in problems)
    assert len(problems) >= 3


def test_missing_file_and_unknown_key(tmp_path):
    root = _copy_tree(tmp_path)
    with pytest.raises(PlansiteError) as e:
        load_tables(root, "cangshan-14th")
    assert str(e.value).startswith("site_src/indicators/cangshan-14th.yml:0: cannot read")
    text = (ROOT / "site_src/indicators/cangshan-14th.yml").read_text(encoding="utf-8")
    bad = text.replace("        unit: 亿元\n", "        unit: 亿元\n        colour: red\n", 1)
    (root / "site_src/indicators/cangshan-14th.yml").write_text(bad, encoding="utf-8")
    with pytest.raises(PlansiteError) as e:
        load_tables(root, "cangshan-14th")
    assert str(e.value) == (f"site_src/indicators/cangshan-14th.yml:{_line_of(bad, 'colour')}: "
                            "table main row 1: unknown field 'colour'")


def test_registry_errors_name_file_and_line(tmp_path):
    root = _copy_tree(tmp_path)
    path = root / "site_src" / "indicator_registry.yml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace("direction: lower", "direction: down", 1)
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PlansiteError) as e:
        load_registry(root)
    assert str(e.value) == (f"site_src/indicator_registry.yml:{_line_of(bad, 'direction: down')}"
                            ": indicator registered-unemployment: direction must be one of "
                            "'higher' or 'lower', not \"down\"")
    dup = text.replace("aliases: [人均地区生产总值增长]", "aliases: [人均地区生产总值增长, 人均GDP]")
    path.write_text(dup, encoding="utf-8")
    with pytest.raises(PlansiteError) as e:
        load_registry(root)
    assert "alias '人均GDP' already belongs to gdp-per-capita" in str(e.value)


def test_block_style_value_error_points_at_the_value_line(tmp_path):
    root = _copy_tree(tmp_path)
    text = (ROOT / "site_src/indicators/cangshan-14th.yml").read_text(encoding="utf-8")
    bad = text.replace("        target: {year: 2025, value: 13.1}\n",
                       "        target:\n          year: 2025\n          value: abc\n", 1)
    assert bad != text
    (root / "site_src/indicators/cangshan-14th.yml").write_text(bad, encoding="utf-8")
    with pytest.raises(PlansiteError) as e:
        load_tables(root, "cangshan-14th")
    assert str(e.value) == (f"site_src/indicators/cangshan-14th.yml:{_line_of(bad, 'value: abc')}"
                            ': table main row 2: target.value "abc" is not a number')
