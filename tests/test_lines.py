"""The line model (plansite.parser.lines): decided from measured evidence, reported."""

from __future__ import annotations

from plansite.model import SourceLine
from plansite.parser.lines import blank_after_every_line, build_lines, clean_line, detect_wrap, is_flattened


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
