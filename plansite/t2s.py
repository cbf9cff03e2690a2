"""Traditional → simplified characters for the search page: ``assets/t2s.json``.

The plans are printed in simplified characters and Pagefind indexes them as they are, so a reader
who types traditional characters (``數字經濟``) would find nothing. At build time OpenCC's ``t2s``
conversion (the ``opencc`` package) is asked for every CJK code point, one per line in one call;
the table keeps the pairs whose simplified character occurs somewhere in the plans' text (a few
hundred pairs, a few KB), and the search page converts the query with it before searching.

Shape: ``{"t": "數經…", "s": "数经…"}`` — two strings of equal length, aligned character by
character. Character-level conversion is exact for the plans' vocabulary; OpenCC's phrase-level
rules (rare variant readings) are not needed for search.
"""

from __future__ import annotations

import json

#: CJK Unified Ideographs, Extension A and the compatibility ideographs.
CJK_RANGES = ((0x4E00, 0xA000), (0x3400, 0x4DC0), (0xF900, 0xFB00))
T2S_PATH = "assets/t2s.json"


def t2s_table(texts) -> dict[str, str]:
    """``{traditional: simplified}`` for every CJK character OpenCC ``t2s`` changes into a single
    character that occurs in ``texts`` (an iterable of strings), except characters that occur in
    ``texts`` themselves. Ordered by code point within :data:`CJK_RANGES`.

    Raises ``ImportError`` when the ``opencc`` package is missing (it is a pinned dependency).
    """
    import opencc

    convert = opencc.OpenCC("t2s").convert
    used = set()
    for text in texts:
        used.update(text)
    chars = [chr(cp) for start, end in CJK_RANGES for cp in range(start, end)]
    # one call for all of them, a line each (no conversion rule spans a line break: the same
    # result as a call per character, a sixth of the time), else a call per character
    simples = convert("\n".join(chars)).split("\n")
    if len(simples) != len(chars):
        simples = [convert(char) for char in chars]
    table = {}
    for char, simple in zip(chars, simples):
        # a character the plans themselves use (乾, 於 …) is left alone: it is already what they print
        if simple != char and len(simple) == 1 and simple in used and char not in used:
            table[char] = simple
    return table


def t2s_file(project) -> dict[str, str]:
    """``{"assets/t2s.json": JSON text}`` built from every source line of every plan in ``project``."""
    table = t2s_table(line.text for data in project.plans for line in data.lines)
    text = json.dumps({"t": "".join(table), "s": "".join(table.values())}, ensure_ascii=False)
    return {T2S_PATH: text + "\n"}
