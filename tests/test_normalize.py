"""The folding of plansite.parser.normalize: the GB2312 way (a codec test, then a few replacements)
gives what folding every character through the table gives."""

from __future__ import annotations

import pytest

from plansite.parser import normalize


def _gb2312_characters() -> list[str]:
    out = []
    for code in range(0x10000):  # GB2312 has no character beyond the BMP
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.append(chr(code))
    return out


def test_the_gb2312_characters_that_fold_are_listed_exactly():
    """``_GB2312_FOLDING`` holds every GB2312 character that ``_char`` changes (OpenCC's ``t2s``
    included) and no other: a GB2312 line folds by replacing only those."""
    chars = _gb2312_characters()
    assert len(chars) > 7000
    changed = {ch for ch in chars if normalize._char(ch) != ch}
    listed = {ch for ch in chars if normalize._GB2312_FOLDING.fullmatch(ch)}
    assert changed == listed
    assert {"，", "\u3000", "\t", "乾", "後", "於"} <= listed and "后" not in listed


@pytest.mark.parametrize("printed", [
    "", "abc def", "一、总体要求", "（一）发展目标：到2025年，全省ＧＤＰ达到１２３４亿元；",
    "\t指标\t单位\t", "第一節　發展環境", "乾隆年间，後来", "——加快发展。", "专栏1 ①重点工程", "員工·服務",
    "發(fā)展 A B", "Ｉｎｔｅｒｎｅｔ＋", "〇 二〇二五年",
])
def test_folding_a_line_equals_folding_each_character(printed):
    """Whatever way a line is folded (GB2312 or not), it is its characters folded one by one."""
    expected = "".join(normalize._char(ch) for ch in printed)
    assert normalize._fold(printed) == expected == normalize.fold(printed)
    assert len(normalize._fold(printed)) == len(printed)
