"""Numbering conventions of Chinese plan documents.

A plan's structure is read from how its headings are numbered, never from markdown ``#`` levels:

=========  ================  =============================
marker     example           typical role
=========  ================  =============================
``篇``     第五篇 …          part
``章``     第十二章 …        chapter
``节``     第三节 …          section
``一、``   三、主要指标      part (no 篇/章) or subsection
``（一）`` （二）坚持…       section (no 节) or subsection
``1.``     12.实施…          item
``专栏``   专栏 3 …          box
=========  ================  =============================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
CN_NUM = "〇零一二两三四五六七八九十百"


def cn_to_int(text: str) -> int:
    """Value of a Chinese numeral up to 999: ``"十二"`` → 12, ``"二十"`` → 20, ``"七十五"`` → 75.

    Raises ``ValueError`` on any other character.
    """
    if not text:
        raise ValueError("empty numeral")
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """Inverse of :func:`cn_to_int` for 1–999: 12 → ``"十二"``, 75 → ``"七十五"``."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("〇" + digits[rest] if rest < 10 else int_to_cn(rest) if rest >= 20 else "一" + int_to_cn(rest))
    return digits[n // 100] + "百" + tail


@dataclass(frozen=True)
class Marker:
    """A numbering marker found at the start of a line.

    ``level`` is one of ``"篇" "章" "节" "一、" "（一）" "1." "专栏"``; ``value`` the number as an int;
    ``number`` the marker as printed (``"第五章"``, ``"（三）"``, ``"12."``, ``"专栏 3"``); ``rest`` the text after it.
    """

    level: str
    value: int
    number: str
    rest: str


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("篇", re.compile(rf"^(第([{CN_NUM}]+)篇)\s*(.*)$")),
    ("章", re.compile(rf"^(第([{CN_NUM}]+)章)\s*(.*)$")),
    ("节", re.compile(rf"^(第([{CN_NUM}]+)节)\s*(.*)$")),
    ("专栏", re.compile(r"^(专栏\s*(\d+))\s*[：:]?\s*(.*)$")),
    ("一、", re.compile(rf"^(([{CN_NUM}]+)、)\s*(.*)$")),
    ("（一）", re.compile(rf"^([（(]([{CN_NUM}]+)[）)])\s*(.*)$")),
    ("1.", re.compile(r"^((\d{1,2})\s?[.．](?!\d))\s*(.*)$")),
]

#: Rank of each level, outermost first. Boxes are not ranked: they sit inside any level.
LEVEL_ORDER = ["篇", "章", "节", "一、", "（一）", "1."]


def match_marker(text: str) -> Marker | None:
    """The numbering marker that starts ``text`` (already stripped of markdown), or ``None``."""
    for level, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(2)
        value = int(raw) if raw.isdigit() else cn_to_int(raw)
        number = m.group(1)
        if level == "专栏":
            number = f"专栏 {value}"
        elif level == "1.":
            number = f"{value}."
        return Marker(level, value, number, m.group(3).strip())
    return None
