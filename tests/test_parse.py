"""Unit tests of the structure parser: numbering, line cleaning, paragraph re-joining, split titles,
run-in item titles, footnotes, boxes, PDF-broken tables and dropped lines.

Examples come from the seeds (line numbers of the seed files) or are synthetic; each test states
the rule it checks, so that a regression in :mod:`plansite.parser` makes it fail.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from plansite.model import SourceLine
from plansite.parser.levels import cn_to_int, int_to_cn, match_marker
from plansite.parser import parse_document
from plansite.parser.chrome import find_chrome
from plansite.parser.lines import clean_line
from plansite.parser.paragraphs import ends_sentence
from plansite.project import load_project

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def plan_data(slug: str):
    return load_project(ROOT, only=[slug]).plans[0]


def node_at(doc, line: int, kind: str = "paragraph"):
    """The ``kind`` node whose line range starts at or covers seed ``line`` (innermost)."""
    found = [n for n in doc.walk() if n.kind == kind and n.lines[0] <= line <= n.lines[1]]
    assert found, f"no {kind} covers line {line}"
    return found[-1]


def seed_text(slug: str, line: int) -> str:
    return clean_line(plan_data(slug).seed[line - 1])[0]


# -- numbering -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("七十五", 75), ("两", 2),
    ("一百", 100), ("一百零五", 105), ("一百二十三", 123),
])
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "十x", "12", "第一"])
def test_cn_to_int_rejects_other_characters(bad):
    with pytest.raises(ValueError):
        cn_to_int(bad)


def test_int_to_cn_round_trips():
    assert int_to_cn(75) == "七十五" and int_to_cn(10) == "十" and int_to_cn(13) == "十三"
    for n in range(1, 1000):
        assert cn_to_int(int_to_cn(n)) == n, n


@pytest.mark.parametrize("text, level, value, number, rest", [
    ("第五章 推进农业现代化", "章", 5, "第五章", "推进农业现代化"),
    ("第十三篇 构建现代化基础设施体系", "篇", 13, "第十三篇", "构建现代化基础设施体系"),
    ("第二节发展环境", "节", 2, "第二节", "发展环境"),
    ("十一、聚力生态优先", "一、", 11, "十一、", "聚力生态优先"),
    ("（三）二〇三五年远景目标", "（一）", 3, "（三）", "二〇三五年远景目标"),
    ("(二)半角括号", "（一）", 2, "(二)", "半角括号"),
    ("12.实施产业转型升级工程。", "1.", 12, "12.", "实施产业转型升级工程。"),
    ("3．全角点", "1.", 3, "3.", "全角点"),
    ("专栏 3 城市全域数字化提升行动", "专栏", 3, "专栏 3", "城市全域数字化提升行动"),
    ("专栏3：“十四五”社会事业重点项目", "专栏", 3, "专栏 3", "“十四五”社会事业重点项目"),
])
def test_match_marker(text, level, value, number, rest):
    m = match_marker(text)
    assert m is not None
    assert (m.level, m.value, m.number, m.rest) == (level, value, number, rest)


@pytest.mark.parametrize("text", ["1.5亿元", "2020年实现地区生产总值", "“十四五”时期", "第一批项目", ""])
def test_match_marker_leaves_text_alone(text):
    m = match_marker(text)
    assert m is None or m.level not in ("1.", "章", "篇", "节"), m


# -- line cleaning and dropped lines ---------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("## **二、加强基础设施**  ", ("二、加强基础设施", True)),
    ("### 第一节 发展基础", ("第一节 发展基础", True)),
    ("<b>第一章 开启</b>", ("第一章 开启", False)),
    ("**金融项目：**民生银行区域总部大楼。", ("金融项目：民生银行区域总部大楼。", False)),
    ("\u3000\u3000“十四五”时期是 ", ("“十四五”时期是", False)),
    ("序号 指 标 单位", ("序号 指 标 单位", False)),
])
def test_clean_line(raw, expected):
    assert clean_line(raw) == expected


@pytest.mark.parametrize("text, rule", [
    ("12", "page-number"), ("- 41 -", "page-number"), ("---", "markdown-rule"),
    ("编辑/晶晶", "editor-credit"), ("责任编辑：张三", "editor-credit"),
    ("2020年", None), ("12.实施", None), ("奋进新征程，谱写新篇章。", None), ("40", "page-number"),
])
def test_drop_rule(text, rule):
    assert find_chrome([text]).get(0) == rule


@pytest.mark.parametrize("text, strict, expected", [
    ("发展。", False, True), ("发展。”", False, True), ("“两张清单”", False, False),
    ("院士（专家）", False, True), ("院士（专家）", True, False), ("（2035年）。", True, True),
    ("深化边", False, False), ("", False, True),
])
def test_ends_sentence(text, strict, expected):
    assert ends_sentence(text, strict=strict) is expected


# -- paragraphs ------------------------------------------------------------------------------


def test_hard_wrapped_paragraph_is_rejoined():
    """taishang: the preamble is wrapped every ~30 characters over lines 1–9: one paragraph."""
    data = plan_data("taishang-14th")
    para = node_at(data.doc, 1)
    assert para.lines == (1, 9)
    assert para.text == "".join(seed_text("taishang-14th", n) for n in (1, 3, 5, 7, 9))


def test_hard_wrapped_paragraph_goes_on_across_a_page_number():
    """taishang 1883 "…增进对祖（籍）" / 1887 page number "41" / 1889 "国的感情…": one paragraph,
    the page number dropped by the page-number rule."""
    data = plan_data("taishang-14th")
    para = node_at(data.doc, 1883)
    assert para is node_at(data.doc, 1889)
    assert "增进对祖（籍）国的感情" in para.text and "41" not in para.text
    assert any(d.line == 1887 and d.rule == "page-number" for d in data.doc.dropped)


def test_wrapped_line_ending_in_a_bracket_goes_on():
    """taishang 76–80: "…院士（专家）" is cut by the wrap, not a sentence end."""
    para = node_at(plan_data("taishang-14th").doc, 76)
    assert "院士（专家）工作站 8家" in para.text


def test_wrapped_sentence_end_starts_a_new_paragraph():
    """taishang 232 ends "…重点专科建设。" and 234 "围绕“六稳”…" is a new paragraph."""
    doc = plan_data("taishang-14th").doc
    assert node_at(doc, 232) is not node_at(doc, 234)
    assert node_at(doc, 234).text.startswith("围绕“六稳”")


@pytest.mark.parametrize("slug, first, second, joined", [
    ("fuqing-14th-proposal", 95, 97, "——人民群众生活水平得到进一步提高。"),
    ("fuzhou-15th", 353, 355, "深化边缘计算"),
    ("fuzhou-15th", 1651, 1653, "中职学校联办“三二分段制”"),
    ("fuzhou-15th", 1365, 1367, "“双高速+双高铁”走廊"),
    ("cangshan-14th", 96, 98, "产业变革深入发展"),
    ("fuqing-14th-proposal", 17, 19, "“全国双拥模范城”、“2020中国社会保障百佳县市”"),
])
def test_paragraph_cut_by_a_page_break_is_rejoined(slug, first, second, joined):
    doc = plan_data(slug).doc
    para = node_at(doc, first)
    assert para is node_at(doc, second)
    assert joined in para.text


@pytest.mark.parametrize("slug, line", [
    ("fuzhou-15th", 7),  # 关于印发《…纲要》的通知 is a title, not cut prose
    ("fuzhou-15th", 175),  # a table caption
    ("fuzhou-15th", 1375),  # "1. 城际交通网" inside 专栏 17
    ("taijiang-14th", 16),  # the end of the 附件 line, before the issuer's name
    ("fuqing-14th-proposal", 3),  # the title, before the adoption line
])
def test_titles_and_captions_stay_apart(slug, line):
    para = node_at(plan_data(slug).doc, line)
    assert para.lines[1] == line, para.text


def test_synthetic_page_break_and_titles():
    """A paragraph cut at a page break (no sentence end) goes on; a caption line does not."""
    texts = ["第一章 总则", "", "第一节 发展基础", "",
             "综合实力实现跃升。地区生产总值年均增长百分之七，三次产业结构持续优化，创新能力显著增强，深化边",
             "", "缘计算研究。", "", "主要指标表", "", "这是新的一段。"]
    doc = _synthetic(texts, ["章", "节"])
    section = doc.body[0].children[0]
    paras = [c for c in section.children if c.kind == "paragraph"]
    assert [p.lines for p in paras] == [(5, 7), (9, 9), (11, 11)]
    assert paras[0].text.endswith("深化边缘计算研究。")


# -- headings: split titles, run-in titles ---------------------------------------------------


@pytest.mark.parametrize("slug, node_id, title, lines", [
    ("cangshan-14th", "chapter-1", "开启高质量发展新篇章 建设现代化国际城市先行示范区", (66, 68)),
    ("taijiang-14th", "chapter-1", "开启高质量发展新篇章 加快建设现代商贸金融服务核心区", (83, 85)),
    ("taishang-14th", "part-1", "科学分析，抢抓机遇，开启全面建设高水平台商投资区新征程", (11, 13)),
])
def test_split_titles_are_joined(slug, node_id, title, lines):
    doc = plan_data(slug).doc
    node = doc.find(node_id)
    assert node.title == title
    assert (node.lines[0], max(c.lines[0] for c in node.children) > lines[1]) == (lines[0], True)
    # the second title line is not also a paragraph
    assert not any(n.kind == "paragraph" and n.lines[0] == lines[1] for n in doc.walk())


@pytest.mark.parametrize("slug, node_id, title, body_start", [
    ("taishang-14th", "part-1-1-1", "突出创新引领、落实赶超，速度更快、质量更优。", "2020 年实现地区生产总值"),
    ("cangshan-14th", "chapter-1-5-2-1", "中心地位更加凸显。", ""),
    ("fuqing-14th-proposal", "part-3-6", "构建县域创新发展体系。", ""),
])
def test_run_in_item_titles(slug, node_id, title, body_start):
    node = plan_data(slug).doc.find(node_id)
    assert node.kind == "item" and node.title == title
    first = next(c for c in node.children if c.kind == "paragraph")
    assert first.text and first.text.startswith(body_start)
    assert not first.text.startswith(title)


def test_numbered_paragraph_without_title():
    """taishang （二）1.–3. are numbered paragraphs: an item with no title and all its text."""
    node = plan_data("taishang-14th").doc.find("part-1-2-1")
    assert node.kind == "item" and node.title == ""
    assert node.children[0].text.startswith("当今世界正经历百年未有之大变局")


# -- boxes, tables, footnotes, residue -------------------------------------------------------


def test_boxes_hold_their_own_text_only():
    """Every 专栏 ends before the next heading, holds paragraphs only, numbered 1..n."""
    for slug in ("fuzhou-15th", "taijiang-14th"):
        doc = plan_data(slug).doc
        boxes = [n for n in doc.walk() if n.kind == "box"]
        assert [b.number for b in boxes] == [f"专栏 {i}" for i in range(1, len(boxes) + 1)]
        for box in boxes:
            assert box.children and all(c.kind == "paragraph" for c in box.children), box.id
    box17 = plan_data("fuzhou-15th").doc.find("box-17")
    assert box17.children[0].text == "1. 城际交通网"  # a sub-heading in the box stays text


def test_broken_indicator_table_is_one_table():
    """taishang 571–776 (table_ranges): one table, raw lines as rows; no paragraph or heading inside."""
    doc = plan_data("taishang-14th").doc
    table = node_at(doc, 600, "table")
    assert table.lines == (571, 776)
    assert table.rows[0] == ["“十四五”时期经济社会发展主要目标"]
    assert ["1 地区生产总值 亿元 307.51 5.4 440 6.5 预期性"] in table.rows
    inside = [n for n in doc.walk() if n is not table and n.kind != "table" and 571 < n.lines[0] <= 776]
    assert inside == []


def test_footnotes_are_kept_apart_and_the_paragraph_goes_on():
    """taishang: the ② footnote (1478–1485) printed at the page foot cuts the paragraph 1460–1486."""
    doc = plan_data("taishang-14th").doc
    footnote = node_at(doc, 1479)
    assert footnote.text.startswith("②泉州台商投资区总体规划") and footnote.text.endswith("蓝色产业区。")
    para = node_at(doc, 1476)
    assert para is not footnote and "方面的衔接互动。" in para.text
    assert "“两带一心环八区”②为主架构" in node_at(doc, 1450).text  # the reference mark stays in place


def test_fuqing_banner_dropped_and_closing_paragraph_kept():
    data = plan_data("fuqing-14th-proposal")
    rules = {(d.line, d.rule) for d in data.doc.dropped}
    assert {(401, "web-banner"), (403, "web-banner"), (407, "editor-credit")} <= rules
    texts = [n.text for n in data.doc.walk() if n.kind == "paragraph"]
    assert any(t.startswith("实现“十四五”规划和二〇三五年远景目标，责重千钧") for t in texts)
    assert not any("奋进新征程" in t or "编辑/" in t for t in texts)


def _synthetic(texts, levels):
    from plansite.plans import Period, Plan

    plan = Plan(slug="t", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind="outline", levels=levels)
    return parse_document(plan, [SourceLine(i + 1, t) for i, t in enumerate(texts)])


def test_note_list_under_a_table_is_not_items():
    """Numbered lines after "注：" (the notes under a table) are text, not items of the plan."""
    doc = _synthetic(["第一章 总则", "第一节 指标", "1.主要指标。", "指标\t单位\t目标", "增长\t%\t6",
                      "注：", "1. 指标表“-”表示暂无基础数据。", "2. []为累计数。", "第二节 措施",
                      "1.扩大内需。"], ["章", "节", "1."])
    items = [n for n in doc.walk() if n.kind == "item"]
    assert [(i.id, i.lines[0]) for i in items] == [("chapter-1-1-1", 3), ("chapter-1-2-1", 10)]
    notes = [n.text for n in doc.find("chapter-1-1-1").children if n.kind == "paragraph"]
    assert notes == ["注：", "1. 指标表“-”表示暂无基础数据。", "2. []为累计数。"]


def test_a_line_on_no_page_is_an_error():
    """Every source line is on a page, in the 目录 or dropped; a line lost by the tree is reported
    as ``source:line`` (the loader raises, ``check`` reports it)."""
    from plansite.errors import PlansiteError
    from plansite.parser.document import check_placed, unplaced_lines

    texts = ["第一章 总则", "第一节 指标", "正文第一段。", "正文第二段。"]
    doc = _synthetic(texts, ["章", "节"])
    lines = [SourceLine(i + 1, t) for i, t in enumerate(texts)]
    assert unplaced_lines(doc, lines) == []
    section = doc.body[0].children[0]
    section.children = section.children[:1]  # lose the paragraph of line 4
    assert unplaced_lines(doc, lines) == [4]
    with pytest.raises(PlansiteError) as err:
        check_placed("seeds/t.txt", doc, lines)
    assert str(err.value.problems[0]).startswith("seeds/t.txt:4: ")


def test_bold_run_in_leads_are_kept_on_the_paragraph():
    """cangshan 74: "**——综合实力实现跃升。**招商引资…" — the lead is flagged, the text whole."""
    para = node_at(plan_data("cangshan-14th").doc, 74)
    assert para.lead == "——综合实力实现跃升。" and para.text.startswith("——综合实力实现跃升。招商引资")
    doc = _synthetic(["第一章 总则", "第一段。", "**整行粗体的说明。**", "普通段落。"], ["章"])
    assert [p.lead for p in doc.walk() if p.kind == "paragraph"] == ["", "", ""]


@pytest.mark.parametrize("texts", [
    ["**", "建议（一）", "第1节", "", ")第二章注：目 录关于印发第1节", "现印发给你们关于制定通过)"],
    ["\ufeff", "第一章", "\ufeff", "正文。"],
    ["一、", "\u200b", "", "1."],
    ["目录", "", "第一章 1", "第一章"],
])
def test_odd_text_never_raises_and_every_line_is_placed(texts):
    """Markup-only, invisible-only and marker-only lines (found by fuzzing) neither crash the parser
    nor leave a line off the pages."""
    from plansite.parser.document import unplaced_lines

    for levels in ([], ["一、", "1."], ["章", "节"]):
        doc = _synthetic(texts, levels)
        assert unplaced_lines(doc, [SourceLine(i + 1, t) for i, t in enumerate(texts)]) == []
