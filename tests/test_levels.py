"""Numbering markers and levels from evidence (plansite.parser.levels)."""

from __future__ import annotations

import pytest

from plansite.model import SourceLine
from plansite.parser import parse_document
from plansite.parser.levels import detect_levels, display, level_kinds, match_marker
from plansite.plans import Period, Plan


@pytest.mark.parametrize("text, level, value, number, rest", [
    ("第1章 发展基础", "章", 1, "第1章", "发展基础"),  # Arabic numerals (wuxi)
    ("第 一 章  规划背景", "章", 1, "第一章", "规划背景"),  # letter-spaced, two spaces after
    ("第一節 現實基礎", "节", 1, "第一節", "現實基礎"),  # traditional: recognised, shown as printed
    ("第第一一节节", "节", 1, "第第一一节节", ""),  # PDF fake bold doubles every glyph
    ("(1)“十四五”时期大连全面振兴", "（1）", 1, "(1)", "“十四五”时期大连全面振兴"),
    ("（2）推进", "（1）", 2, "（2）", "推进"),
    ("1、经济发展跃上新台阶。", "1.", 1, "1、", "经济发展跃上新台阶。"),
    ("(一)“十三五”时期", "（一）", 1, "(一)", "“十三五”时期"),
    ("專欄3 重點項目", "专栏", 3, "專欄 3", "重點項目"),
])
def test_markers_on_the_normalised_view(text, level, value, number, rest):
    m = match_marker(text)
    assert m is not None and (m.level, m.value, m.number, m.rest) == (level, value, number, rest)


@pytest.mark.parametrize("text", ["专栏 " + "9" * 4400 + " 重点项目", "第" + "1" * 40 + "章 x", "12345.x",
                                  "(2021年)", "一是加快", "第一批"])
def test_huge_or_false_numbers_are_text(text):
    m = match_marker(text)
    assert m is None or m.level not in ("专栏", "章", "1.", "（1）")


def test_display_removes_spaces_inside_chinese_only():
    assert display("打造更高水平 海上福州") == "打造更高水平海上福州"
    assert display("第十四个五年规划 和 2035 年") == "第十四个五年规划和2035年"
    assert display("GDP per capita") == "GDP per capita"


def _m(text):
    return match_marker(text)


def test_detect_levels_counts_unambiguous_markers_on_first_sight():
    levels, _ = detect_levels([(_m("第三章 x"), True), (_m("一、y"), False)])
    assert levels == ["章", "一、"]


def test_detect_levels_needs_1_or_a_mid_way_start_for_ambiguous_ones():
    assert detect_levels([(_m("2.x。y"), True)])[0] == ["1."]  # first marker of an excerpt
    assert detect_levels([(_m("一、x"), True), (_m("3.x。y"), False)])[0] == ["一、"]  # a 3. later is text


def test_headings_nest_three_deep_then_numbered_paragraphs():
    """xiangtan: 篇 > 章 > 节 > 1、 — the 1、 is a numbered paragraph (warned); yy-style: 章 > 节 >
    1、 and 章 > 节 > (1) are headings at depth 3."""
    doc = _doc(["第一篇 甲", "第一章 乙", "第一节 丙", "1、经济发展跃上新台阶。地区生产总值……"], kind="outline")
    assert [n.kind for n in doc.walk() if n.kind not in ("paragraph", "notice", "preface")] == ["part", "chapter", "section"]
    assert any("nested 4 deep" in w.message for w in doc.warnings)
    doc = _doc(["第1章 发展基础", "第1节 成就", "1、经济实力显著增强。全县……", "2、城乡面貌持续改善。建成区……",
                "第2节 环境", "当前和今后一个时期，我县发展仍处于重要战略机遇期。", "(1)机遇。区域协调……",
                "(2)挑战。产业结构……"], kind="outline")
    got = [(n.number, n.title) for n in doc.walk() if n.kind in ("chapter", "section", "item")]
    assert got == [("第1章", "发展基础"), ("第1节", "成就"), ("1、", "经济实力显著增强。"), ("2、", "城乡面貌持续改善。"),
                   ("第2节", "环境"), ("(1)", "机遇。"), ("(2)", "挑战。")]


def test_level_kinds():
    assert level_kinds(["一、", "（一）", "1."]) == {"一、": "part", "（一）": "section", "1.": "item"}
    assert level_kinds(["章", "一、"]) == {"章": "chapter", "一、": "subsection"}
    assert level_kinds(["1."]) == {"1.": "item"}


def _doc(texts, levels=(), kind="proposal"):
    plan = Plan(slug="t", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind=kind, levels=list(levels), source="seeds/t.txt")
    return parse_document(plan, [SourceLine(i + 1, t) for i, t in enumerate(texts)])


def test_mid_way_start_is_accepted_with_a_warning():
    doc = _doc(["上页的结尾。", "2.新发展阶段面临的新机遇新挑战。当前和今后一个时期……", "3.指导思想。坚持……"])
    items = [n for n in doc.walk() if n.kind == "item"]
    assert [i.number for i in items] == ["2.", "3."]
    assert any("mid-way" in w.message and w.line == 2 for w in doc.warnings)


def test_numbering_restarts_per_parent_and_out_of_sequence_warns():
    doc = _doc(["第一篇 甲", "第一章 子", "正文。", "第二章 丑", "正文。", "第二篇 乙", "第一章 寅", "正文。",
                "第五章 卯", "正文。"])
    chapters = [n for n in doc.walk() if n.kind == "chapter"]
    assert [c.number for c in chapters] == ["第一章", "第二章", "第一章"]
    assert any("out of sequence" in w.message and w.line == 9 for w in doc.warnings)


def test_levels_default_with_a_warning():
    doc = _doc(["没有任何编号的正文。", "第二段。"])
    assert doc.levels == ["一、"] and any("default" in w.message for w in doc.warnings)


def test_metadata_levels_override_detection():
    doc = _doc(["一、总体要求", "1.指导思想。坚持……", "2.基本原则。坚持……"], levels=["一、"])
    assert [n.kind for n in doc.walk() if n.kind in ("part", "item")] == ["part"]


def test_parts_named_bufen_and_colon_after_the_marker():
    m = match_marker("第二部分：主要任务")
    assert (m.level, m.value, m.rest) == ("部分", 2, "主要任务")
    doc = _doc(["第一部分 总体要求", "正文。", "第一章：发展基础", "正文。"], kind="outline")
    assert [(n.kind, n.number, n.title) for n in doc.walk() if n.kind in ("part", "chapter")] == [
        ("part", "第一部分", "总体要求"), ("chapter", "第一章", "发展基础")]


def test_a_text_starting_mid_way_accepts_each_level_where_it_first_appears():
    """An e-paper page continued from the front page: item 2 of part 一 first, then part 二 with
    its items numbered on."""
    doc = _doc(["2.新发展阶段面临的新机遇新挑战。当前……", "二、“十四五”时期的指导方针和主要目标",
                "3.指导思想。高举……", "4.基本原则。坚持……"])
    got = [(n.kind, n.number) for n in doc.walk() if n.kind in ("part", "item")]
    assert got == [("item", "2."), ("part", "二、"), ("item", "3."), ("item", "4.")]
    assert sum("mid-way" in w.message for w in doc.warnings) == 2


def test_decimal_numbering_markers_only_with_space_and_when_asked():
    """``2.1 指导思想`` is a decimal marker when white space follows the number as printed and the
    caller reads decimal numbering; ``2.1亿元`` and ``1.5%`` are quantities; ``1.`` stays an item."""
    m = match_marker("2.1 指导思想", decimal=True)
    assert (m.level, m.value, m.number, m.rest) == ("1.1", 1, "2.1", "指导思想")
    assert match_marker("3 总体要求", decimal=True).level == "1"
    assert match_marker("1.2.3\t发展目标", decimal=True).level == "1.1.1"
    assert match_marker("2.1 指导思想") is None  # not asked: a table row ``1 地区生产总值 亿元 …`` elsewhere
    for text in ("2.1亿元投资", "1.5 %", "2020 年", "0.5 个百分点"):
        assert match_marker(text, decimal=True) is None
    assert match_marker("1.发展基础", decimal=True).level == "1."
    assert level_kinds(["1", "1.1", "1.1.1"]) == {"1": "chapter", "1.1": "section", "1.1.1": "subsection"}


def test_decimal_numbering_read_from_evidence():
    """A plan numbered 1 / 1.1 (no 章/节): ``X.Y`` counts under its ``X``; a ``2.1`` under ``1`` stays
    text with a warning; a table row numbered ``1 地区生产总值 …`` in a 章/节 plan is no heading."""
    doc = _doc(["某某新区国民经济和社会发展第十四个五年规划纲要", "1 发展基础", "1.1 “十三五”发展成就", "正文。", "1.2 发展环境",
                "正文。", "2 总体要求", "3.1 指导思想", "正文。", "2.1 发展目标", "正文。"])
    assert doc.levels == ["1", "1.1"]
    assert [(n.number, n.title, [c.number for c in n.children if c.kind == "section"]) for n in doc.body] == [
        ("1", "发展基础", ["1.1", "1.2"]), ("2", "总体要求", ["2.1"])]
    assert any("3.1" in w.message for w in doc.warnings)
    doc = _doc(["第一章 发展基础", "第一节 发展成就", "表1 主要指标", "1 地区生产总值 亿元 100 150", "2 人均地区生产总值 万元 10 15",
                "第二节 发展环境", "正文。"])
    assert doc.levels == ["章", "节"]
    assert [c.number for c in doc.body[0].children if c.kind == "section"] == ["第一节", "第二节"]


def test_box_numbered_in_chinese_numerals():
    """``专栏一`` / ``专栏十二`` number boxes like ``专栏 1`` / ``专栏 12``."""
    assert (match_marker("专栏一 重大项目").level, match_marker("专栏一 重大项目").value) == ("专栏", 1)
    assert match_marker("专栏十二：民生实事").value == 12 and match_marker("专栏十二：民生实事").rest == "民生实事"
    assert match_marker("专栏作家撰文") is None


def test_numbered_entries_of_a_box_are_no_level_evidence():
    """A 专栏 numbers its own entries: （1）… inside one are box text, not a heading level (nor
    numbered lines left as text), while a level seen outside the box still ends it."""
    doc = _doc(["第一章 发展基础", "第一节 发展成就", "正文。", "专栏1 主要成就", "（1）能源基地建设。产能达到3000万吨。",
                "（2）生态建设。完成任务120万亩。", "第二节 发展环境", "正文。"], kind="outline")
    assert doc.levels == ["章", "节"]
    box = next(n for n in doc.walk() if n.kind == "box")
    assert [n.kind for n in box.children] == ["paragraph", "paragraph"]
    assert [n.number for n in doc.walk() if n.kind in ("chapter", "section")] == ["第一章", "第一节", "第二节"]
    assert not any("read as text" in w.message for w in doc.warnings)
    # the same entries outside a box are a level
    doc = _doc(["第一章 发展基础", "第一节 发展成就", "正文。", "（1）能源基地建设。产能达到3000万吨。",
                "（2）生态建设。完成任务120万亩。"], kind="outline")
    assert doc.levels == ["章", "节", "（1）"]


def test_a_box_closed_by_a_new_numbering_from_1_warns():
    """Box entries numbered like the body's items (1. inside 专栏 under （一）) cannot be told from
    the section's first item: read as headings, with a warning at the line; a box closed by the
    next section (（二）) is no doubt."""
    doc = _doc(["某某市国民经济和社会发展第十四个五年规划纲要", "一、发展基础", "（一）发展成就", "全市经济较快发展。",
                "专栏1 重大工程", "1.交通工程。建设高速公路100公里。", "2.水利工程。建设水库3座。", "（二）发展环境",
                "我市面临新机遇。", "专栏2 主要指标", "年均增长6%。", "（三）发展目标", "1.经济发展。总量提升。"],
               kind="outline")
    doubts = [w for w in doc.warnings if "专栏" in w.message]
    assert [(w.line, "专栏 1" in w.message) for w in doubts] == [(6, True)]


def test_box_entries_after_the_sections_items_stay_in_the_box():
    """A 专栏 after items 1. 2. of a section numbers its own entries 1. 2.: the section's numbering
    does not restart under the same parent, so they are box text; the next section ends the box."""
    doc = _doc(["某某区国民经济和社会发展第十四个五年规划纲要", "一、发展基础", "（一）发展成就", "全区经济较快发展。",
                "1.综合实力明显增强。总量提升。", "2.产业转型步伐加快。结构优化。", "专栏1 重大工程",
                "1.交通工程。建设城际铁路。", "2.水利工程。完成河道整治。", "（二）发展环境", "我区面临新机遇。"],
               kind="outline")
    got = [(n.kind, n.number) for n in doc.walk() if n.kind in ("part", "section", "item", "box")]
    assert got == [("part", "一、"), ("section", "（一）"), ("item", "1."), ("item", "2."), ("box", "专栏 1"),
                   ("section", "（二）")]
    box = next(n for n in doc.walk() if n.kind == "box")
    assert box.lines == (7, 9) and not any("sequence" in w.message for w in doc.warnings)
