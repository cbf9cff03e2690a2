"""The 目录 (plansite.parser.toc): labelled or not, page numbers or not, never body headings."""

from __future__ import annotations

from plansite.model import SourceLine
from plansite.parser import parse_document
from plansite.parser.lines import build_lines
from plansite.parser.toc import find_toc, parse_toc, strip_page
from plansite.plans import Period, Plan


def _lines(texts):
    return build_lines([SourceLine(i + 1, t) for i, t in enumerate(texts)])[0]


def _doc(texts):
    plan = Plan(slug="t", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind="outline", source="seeds/t.txt")
    return parse_document(plan, [SourceLine(i + 1, t) for i, t in enumerate(texts)])


def test_strip_page_numbers_and_leaders():
    assert strip_page("序 言……………………(8)") == ("序 言", "8")
    assert strip_page("一、高水平全面建成小康社会取得决定性成就 (6)") == ("一、高水平全面建成小康社会取得决定性成就", "6")
    assert strip_page("第二节\t完善市政基础设施·····\t34") == ("第二节\t完善市政基础设施", "34")
    assert strip_page("第三节 2035年远景目标") == ("第三节 2035年远景目标", "")
    assert strip_page("第一章 发展基础12") == ("第一章 发展基础", "12")


def test_unlabelled_toc_without_page_numbers():
    """Headings following each other with no text between (siblings in a row) are a 目录."""
    texts = ["某市规划纲要", "", "第一篇  总体要求", "", "第一章  发展基础", "", "第二章  发展环境", "",
             "第二篇  创新驱动", "", "第一章  建设人才高地"]
    lines = _lines(texts)
    label, start, end = find_toc(lines)
    assert label == -1 and lines[start].number == 3 and end == len(lines)
    entries = parse_toc(lines[start:end])
    assert [(e.number, e.title) for e in entries][:3] == [("第一篇", "总体要求"), ("第一章", "发展基础"),
                                                         ("第二章", "发展环境")]


def test_toc_ends_where_the_body_repeats_its_first_entry():
    texts = ["目 录", "第一章 发展成就", "第一节 发展成就", "第二节 发展环境", "第二章 总体要求",
             "第一章 发展成就", "第一节 发展成就", "“十三五”以来，全区经济持续发展。", "第二节 发展环境", "正文。",
             "第二章 总体要求", "正文。"]
    doc = _doc(texts)
    assert [e.number for e in doc.toc] == ["第一章", "第一节", "第二节", "第二章"]
    chapters = [n for n in doc.body if n.kind == "chapter"]
    assert [(c.number, c.lines[0]) for c in chapters] == [("第一章", 6), ("第二章", 11)]
    assert not any("目录" in w.message for w in doc.warnings)


def test_paged_toc_ends_at_an_unnumbered_heading_followed_by_text():
    texts = ["目录", "前言\t1", "第一章 总体要求………3", "第二章 创新驱动………9", "前言", "“十四五”时期是关键时期。",
             "第一章 总体要求", "正文。", "第二章 创新驱动", "正文。"]
    doc = _doc(texts)
    assert [(e.level, e.number, e.page) for e in doc.toc] == [("前言", "", "1"), ("章", "第一章", "3"),
                                                             ("章", "第二章", "9")]
    assert [n.kind for n in doc.front] == ["toc", "preface"] and doc.front[1].title == "前言"


def test_run_together_entries_are_split():
    lines = _lines(["目录", "第一章 发展基础 第二章 发展环境 第三章 总体要求"])
    entries = parse_toc(lines[1:])
    assert [(e.number, e.title) for e in entries] == [("第一章", "发展基础"), ("第二章", "发展环境"),
                                                      ("第三章", "总体要求")]


def test_toc_unlike_the_body_is_a_warning():
    texts = ["目录", "第一章 发展基础 1", "第二章 发展环境 5", "第一章 发展基础", "正文。", "第二章 另一个标题", "正文。"]
    doc = _doc(texts)
    assert any("differs" in w.message for w in doc.warnings)


def test_numbered_list_is_not_a_toc():
    """Notes under a table end in 。: no 目录 entry does."""
    lines = _lines(["注：", "1. 指标表“-”表示暂无基础数据。", "2. []为累计数。", "3. 价格按可比价计算。",
                    "4. 其余同上。"])
    assert find_toc(lines) is None


def test_toc_ends_at_a_bare_first_heading_with_its_title_below():
    doc = _doc(["目  录", "第一章 发展基础 第二章 发展环境", "第一章", "发展基础", "“十三五”时期成就显著。", "第二章",
                "发展环境", "当前机遇和挑战并存。"])
    assert [(e.number, e.title) for e in doc.toc] == [("第一章", "发展基础"), ("第二章", "发展环境")]
    assert [(n.number, n.title, n.lines[0]) for n in doc.body] == [("第一章", "发展基础", 3), ("第二章", "发展环境", 6)]


def test_unpaged_toc_ends_at_the_preface_heading():
    doc = _doc(["目录", "第一章 发展基础", "第二章 发展环境", "前言", "“十四五”时期是关键时期。", "第一章 发展基础", "正文。"])
    assert [e.number for e in doc.toc] == ["第一章", "第二章"]
    assert [(n.kind, n.title) for n in doc.front] == [("toc", "目录"), ("preface", "前言")]
