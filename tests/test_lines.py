"""The line model (plansite.parser.lines): decided from measured evidence, reported."""

from __future__ import annotations

from plansite.model import SourceLine
import unicodedata

from plansite.parser.lines import blank_after_every_line, build_lines, clean_line, detect_wrap, display_width, is_flattened


def _src(texts):
    return [SourceLine(i + 1, t) for i, t in enumerate(texts)]


def test_flattened_line_is_split_into_its_printed_lines():
    pieces = ["关于印发苏州市国民经济和社会发展", "第十一个五年规划纲要的通知", "各市、区人民政府"] * 10 + ["2"]
    text = " ".join(pieces) + " " + "正" * 100
    assert is_flattened(text)
    lines, model, _ = build_lines(_src(["标题", text]))
    assert model == "flattened"
    assert [ln.number for ln in lines[1:]] == [2] * (len(pieces) + 1)
    assert lines[1].text == pieces[0] and lines[-2].text == "2"


def test_prose_with_a_few_spaces_is_not_flattened():
    text = "“ 十三五 ” 时期( 2021-2025 年),是我国" + "发展" * 200
    assert not is_flattened(text)


def test_a_chapter_run_into_one_line_is_flattened():
    """A document site joins a whole chapter's lines with single spaces: two 第X章/节 markers
    standing between spaces mark printed lines even in a line under 300 characters; a 目录 run
    together on one line (leaders) and prose citing a chapter are not flattened."""
    chapter = ("第一章 发展基础和发展环境 第一节 发展基础 " + "“十三五”时期，新区主要经济指标增速保持全省前列。" * 4
               + " 第二节 发展环境 " + "从外部看，新一轮科技革命和产业变革深入发展。" * 2)
    assert len(chapter) < 300 and is_flattened(chapter)
    lines, model, _ = build_lines(_src(["标题", chapter]))
    assert model == "flattened" and [ln.text for ln in lines[1:5]] == ["第一章", "发展基础和发展环境", "第一节", "发展基础"]
    toc = "目 录 " + " ".join(f"第{n}章 发展基础和发展环境……{k}" for k, n in enumerate("一二三四五六七", 1) for _ in (1, 2))
    assert len(toc) >= 150 and not is_flattened(toc)
    prose = "本纲要第一章 和第二章 所述目标，" + "应当认真组织实施。" * 20
    assert not is_flattened(prose)


def test_hard_wrapped_text_is_detected_from_widths():
    para = "这是一个按照固定宽度折行的段落，文字内容这是一个按照固定宽"  # one printed line width
    wrapped, width = detect_wrap([para] * 25 + ["短行。"] * 5)
    assert wrapped and 54 <= width <= 60
    assert not detect_wrap(["短"] * 30)[0]  # a common width, but no printed line's
    assert not detect_wrap(["第一节 发展基础建设"] * 30)[0]  # headings of one width, no prose
    assert not detect_wrap([para] * 10)[0]  # too few lines to tell


def test_blank_after_every_line():
    texts = []
    for k in range(12):
        texts += [f"第{k}行。", ""]
    assert blank_after_every_line(_src(texts))
    assert build_lines(_src(texts))[1] == "blank-after-every-line"
    assert not blank_after_every_line(_src([f"第{k}行。" for k in range(12)]))
    assert build_lines(_src([f"第{k}行。" for k in range(12)]))[1] == "paragraph-per-line"


def test_clean_line_strips_nbsp_and_markup():
    assert clean_line("\u00a0\u00a0**第一章 总则**\u3000") == ("第一章 总则", False)


def test_display_width_counts_wide_characters_twice():
    """display_width counts east Asian width W and F characters 2 columns, all others 1: every
    BMP character alone and among others, and characters beyond the BMP (looked up one by one)."""
    def expected(text):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    bmp = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    assert [display_width(ch) for ch in bmp] == [expected(ch) for ch in bmp]
    mixed = "".join(bmp)
    assert display_width(mixed) == expected(mixed)
    for text in ("第一章 发展基础", "GDP 增长 6.5%", "“十四五”——", "", "abc", "𠀀𪚥 a", "\U0001F600中"):
        assert display_width(text) == expected(text)
