"""Sentence ends and re-joining rules (plansite.parser.paragraphs) on the normalised view, and
heading-line helpers (plansite.parser.headings)."""

from __future__ import annotations

import pytest

from plansite.parser.headings import heading_like, split_runin
from plansite.parser.levels import match_marker
from plansite.parser.lines import Line
from plansite.parser.normalize import norm
from plansite.parser.paragraphs import continues, ends_sentence, is_prose


@pytest.mark.parametrize("text, expected", [
    ("发展!", True), ("如下:", True), ("继续;", True), ("(2035年)", True), ("一是,", False), ("发展", False),
])
def test_half_width_punctuation_ends_sentences(text, expected):
    assert ends_sentence(text) is expected


def test_continues():
    prose = "综合实力实现跃升,地区生产总值年均增长百分之七,深化边"
    assert continues(prose, prose, "缘计算研究。", wrapped=False, in_front=False)
    assert not continues("发展成就。", "发展成就。", "新的一段。", wrapped=False, in_front=False)
    assert continues("一段文字", "一段文字", ",接着写。", wrapped=False, in_front=False)  # starts with a comma
    assert not continues("主要指标表", "主要指标表", "这是新的一段。", wrapped=False, in_front=False)  # a caption
    assert continues("主要指标表", "主要指标表", "接着", wrapped=True, in_front=False)  # hard-wrapped
    assert continues("《某市国民经济和社会发展第十四个五年规划和二〇三五年远", "《某市国民经济和社会发展第十四个五年规划和二〇三五年远",
                     "景目标纲要》已经审议通过,现印发给你们。", wrapped=False, in_front=True)  # a title cut inside 《》
    assert not is_prose("某某市人民政府关于印发某某市国民经济和社会发展第十四个五年规划纲要的通知", in_front=True)


def _line(text):
    return Line(1, text, text, norm(text))


@pytest.mark.parametrize("text, title, body", [
    ("(一)“十三五”时期昆山发展取得历史性成就。“十三五”时期是昆山综合实力显著提升的五年。",
     "“十三五”时期昆山发展取得历史性成就。", "“十三五”时期是昆山综合实力显著提升的五年。"),
    ("(1)“十四五”时期大连全面振兴取得明显成效。“十四五”时期,面对错综复杂的形势……",
     "“十四五”时期大连全面振兴取得明显成效。", "“十四五”时期,面对错综复杂的形势……"),
    ("一、全面振兴新突破取得明显成效,新时代“两先区”、“三个中心”高质量发展提质升级呈现良好局面",
     "全面振兴新突破取得明显成效,新时代“两先区”、“三个中心”高质量发展提质升级呈现良好局面", ""),
    ("2.新发展阶段面临的新机遇新挑战。当前和今后 一个时期", "新发展阶段面临的新机遇新挑战。", "当前和今后 一个时期"),
])
def test_run_in_titles_cut_at_the_first_full_stop(text, title, body):
    marker = match_marker(text)
    assert heading_like(marker)
    assert split_runin(_line(text), marker)[:2] == (title, body)


def test_a_long_numbered_sentence_is_not_heading_like():
    marker = match_marker("1.当今世界正经历百年未有之大变局,新一轮科技革命和产业变革深入发展,国际力量对比深刻调整,和平与发展仍然是时代主题。")
    assert not heading_like(marker)
