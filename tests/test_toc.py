"""The 目录 (plansite.parser.toc): labelled or not, page numbers or not, never body headings."""

from __future__ import annotations

import re

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


def test_unlabelled_toc_opens_at_an_entry_behind_odd_white_space_and_markup():
    """find_toc only reads lines whose normalised view can start a marker: white space Python
    strips but the line cleaning keeps (U+2000), a zero-width space and bold markup in front of
    the first entry still open the 目录 there."""
    texts = ["某市规划纲要", "", "\u2000**第一篇  总体要求**", "\u200b第一章  发展基础", "第二章  发展环境",
             "第二篇  创新驱动", "第一章  建设人才高地"]
    lines = _lines(texts)
    label, start, end = find_toc(lines)
    assert label == -1 and lines[start].number == 3 and end == len(lines)


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


_BODY = ["第一章 发展基础", "“十三五”以来，全市经济持续发展。", "第二章 发展环境", "当前，外部环境复杂。",
         "第三章 加快建设现代产业体系", "坚持把发展经济着力点放在实体经济上。"]


def test_page_numbers_wrapped_onto_their_own_line_belong_to_the_entry():
    """``第三章 加快建设现代产业体系 ……`` / ``15``: one entry with its page, in the 目录 (the lone
    number is not dropped as a page number, the entries are not body headings)."""
    texts = ["某市国民经济和社会发展第十四个五年规划纲要", "目录", "第一章 发展基础 ……", "3", "第二章 发展环境 ……………",
             "8", "第三章 加快建设现代产业体系 ……", "15", ""] + _BODY
    doc = _doc(texts)
    assert [(e.number, e.title, e.page, e.line) for e in doc.toc] == [
        ("第一章", "发展基础", "3", 3), ("第二章", "发展环境", "8", 5), ("第三章", "加快建设现代产业体系", "15", 7)]
    assert doc.front[-1].kind == "toc" and doc.front[-1].lines == (2, 8)
    assert doc.front[-1].children[0].rows[-1] == ["第三章 加快建设现代产业体系 ……", "15"]
    assert not doc.dropped and not doc.warnings
    assert [(n.number, n.lines[0]) for n in doc.body if n.kind == "chapter"] == [("第一章", 10), ("第二章", 12),
                                                                              ("第三章", 14)]


def test_unlabelled_toc_with_pages_on_their_own_lines():
    texts = ["某市国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "3", "第二章 发展环境", "8",
             "第三章 加快建设现代产业体系", "15", "第四章 建设创新城市", "19"] + _BODY + ["第四章 建设创新城市", "正文。"]
    doc = _doc(texts)
    assert [(e.number, e.page) for e in doc.toc] == [("第一章", "3"), ("第二章", "8"), ("第三章", "15"), ("第四章", "19")]
    assert [n.lines[0] for n in doc.body if n.kind == "chapter"] == [10, 12, 14, 16] and not doc.dropped


def test_title_wrapped_over_two_lines_with_its_page_below():
    """A 篇 title printed over two lines, its leader and page number on the second, or the page on
    a third line of its own."""
    texts = ["某市国民经济和社会发展第十四个五年规划纲要", "目 录", "第一篇 加快建设现代化国际城市，在中国式现代化",
             "新征程中奋勇争先……………………1", "第一章 发展基础……3", "第二篇 筑牢实体经济根基，构建具有国际竞争力的",
             "现代化产业体系……", "", "12", "第二章 发展环境……8",
             "第一篇 加快建设现代化国际城市，在中国式现代化新征程中奋勇争先", "第一章 发展基础", "“十三五”以来，全市经济持续发展。",
             "第二篇 筑牢实体经济根基，构建具有国际竞争力的现代化产业体系", "第二章 发展环境", "当前，外部环境复杂。"]
    doc = _doc(texts)
    assert [(e.number, re.sub(r"\s", "", e.title), e.page) for e in doc.toc] == [
        ("第一篇", "加快建设现代化国际城市，在中国式现代化新征程中奋勇争先", "1"), ("第一章", "发展基础", "3"),
        ("第二篇", "筑牢实体经济根基，构建具有国际竞争力的现代化产业体系", "12"), ("第二章", "发展环境", "8")]
    assert [n.title for n in doc.body if n.kind == "part"] == ["加快建设现代化国际城市，在中国式现代化新征程中奋勇争先",
                                                             "筑牢实体经济根基，构建具有国际竞争力的现代化产业体系"]
    assert not doc.dropped and not doc.warnings


def test_a_lone_number_after_a_toc_is_not_taken_without_evidence():
    """One lone number after an entry without leaders is a page footer: still dropped."""
    texts = ["某市国民经济和社会发展第十四个五年规划纲要", "目录", "第一章 发展基础", "第二章 发展环境", "第三章 加快建设现代产业体系",
             "2"] + _BODY
    doc = _doc(texts)
    assert [e.page for e in doc.toc] == ["", "", ""]
    assert [(d.line, d.rule) for d in doc.dropped] == [(6, "page-number")]


def test_fuzhou_toc_with_its_pages_on_lines_of_their_own():
    """fuzhou-15th's 目录 prints ``第一章 发展成效<TAB>7``; with every page number moved onto a line
    of its own (as some PDF extractions give it) the 目录 entries, their pages and the outline are
    the same, and no line is dropped as a page number."""
    import dataclasses

    from plansite.project import load_project

    from conftest import ROOT

    data = load_project(ROOT, only=["fuzhou-15th"]).plans[0]
    toc = next(n for n in data.doc.front if n.kind == "toc")
    from plansite.parser.levels import match_marker

    def paged(sl):
        title, _, page = sl.text.rpartition("\t")
        inside = toc.lines[0] <= sl.number <= toc.lines[1] and title and page.strip().isdigit()
        return (title, page) if inside and "\t" not in title else None

    texts = []
    for k, sl in enumerate(data.lines):
        row = paged(sl)
        nxt = paged(data.lines[k + 1]) if k + 1 < len(data.lines) else None
        if row and nxt and not match_marker(nxt[0]) and nxt[1] == row[1] and "言" not in nxt[0]:
            texts.append(row[0])  # a title wrapped onto the next line, which carries the page
        elif row:
            texts += [row[0] + " ……", row[1]]
        else:
            texts.append(sl.text)
    plan = dataclasses.replace(data.plan, table_ranges=[], drop=[])
    doc = parse_document(plan, [SourceLine(i + 1, t) for i, t in enumerate(texts)])
    assert [(e.number, re.sub(r"\s", "", e.title), e.page) for e in doc.toc] == \
        [(e.number, re.sub(r"\s", "", e.title), e.page) for e in data.doc.toc]
    outline = [(n.kind, n.number, n.title) for n in doc.walk() if n.kind in ("part", "chapter", "section", "box")]
    assert outline == [(n.kind, n.number, n.title) for n in data.doc.walk() if n.kind in ("part", "chapter", "section", "box")]
    assert not any(d.rule == "page-number" for d in doc.dropped)


def test_body_title_over_two_lines_joined_by_the_toc():
    """A 篇 title printed over two lines in the body (a second line too long to be taken for the
    rest of a title by its width) is joined because the 目录 lists the whole title; without a 目录
    the second line stays text."""
    body = ["第一篇 坚持创新驱动发展", "加快建设具有全国影响力的科技创新高地", "第一章 发展基础", "“十三五”以来，全市经济持续发展。",
            "第二章 发展环境", "当前，外部环境复杂。"]
    toc = ["某市国民经济和社会发展第十四个五年规划纲要", "目录", "第一篇 坚持创新驱动发展加快建设具有全国影响力的科技创新高地……1",
           "第一章 发展基础……3", "第二章 发展环境……8"]
    doc = _doc(toc + body)
    part = next(n for n in doc.body if n.kind == "part")
    assert part.title == "坚持创新驱动发展加快建设具有全国影响力的科技创新高地" and part.lines[0] == 6
    assert not doc.warnings
    bare = _doc(["某市国民经济和社会发展第十四个五年规划纲要"] + body)
    assert next(n for n in bare.body if n.kind == "part").title == "坚持创新驱动发展"
