"""Numbering levels of Chinese plan documents: markers, their values, and which levels a document
uses (decided from evidence).

A plan's structure is read from how its headings are numbered, never from markdown ``#`` levels
or bold. Markers are recognised on the normalised view (:mod:`plansite.parser.normalize`), so
``（一）``/``(一)``, ``1．``/``1.``, ``第 一 章`` and traditional ``第一節`` are the same marker:

===========  ======================  =============================================
level        examples                typical role
===========  ======================  =============================================
``篇``       第五篇, 第5篇           part (unambiguous)
``部分``     第二部分                part (unambiguous; some plans say 部分 for 篇)
``章``       第十二章, 第1章         chapter (unambiguous)
``节``       第三节, 第第三三节节     section (unambiguous; PDF bold doubles glyphs)
``一、``     三、主要指标            part (no 篇/章) or subsection
``（一）``   （二）, (二)            section (no 节) or subsection
``1.``       12., 12．, 1、          item
``（1）``    (1), （1）              item below ``1.``
``专栏``     专栏 3, 专栏3：         box
``1``        2 总体要求              chapter (decimal numbering, with ``1.1``)
``1.1``      2.1 指导思想            section (decimal numbering)
``1.1.1``    2.1.3 发展目标          subsection (decimal numbering)
===========  ======================  =============================================

Decimal numbering (``1`` / ``1.1`` / ``1.1.1``, as consultancies and some development zones
write) is recognised only when white space follows the number as printed (``2.1 指导思想``;
``2.1亿元`` is a quantity), and counts as evidence only when a ``X.1`` line follows its ``X``.

Numbers are bounded (at most 4 Arabic digits, 5 Chinese numeral characters): a longer "number"
is text, so a pathological line cannot make a heading.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .normalize import fold, normalize

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
CN_NUM = "〇零一二两三四五六七八九十百"

#: Rank of each level, outermost first. Boxes are not ranked: they sit inside any level.
LEVEL_ORDER = ["篇", "部分", "章", "节", "一、", "（一）", "1.", "（1）", "1", "1.1", "1.1.1"]
#: Decimal numbering levels, outermost first.
DECIMAL = ("1", "1.1", "1.1.1")
#: Levels whose marker says what they are on first sight.
UNAMBIGUOUS = ("篇", "部分", "章", "节")
#: Heading depth a document's numbering is read to when its metadata names no levels: plan
#: outlines nest three heading levels (篇 > 章 > 节, 章 > 节 > 1、, 一、 > （一） > 1.); numbering
#: nested deeper (``1、`` under a 节 under a 章 under a 篇) numbers paragraphs of a section.
MAX_DEPTH = 3


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

    ``level`` is one of :data:`LEVEL_ORDER` or ``"专栏"``; ``value`` the number as an int;
    ``number`` the marker as printed, white space removed (``"第五章"``, ``"（三）"``, ``"(1)"``,
    ``"12."`` — ``1.``-level markers written ``12．`` are shown ``12.`` — ``"专栏 3"``, ``"專欄 3"``);
    ``rest`` the text after it as printed, white space inside Chinese text removed.
    """

    level: str
    value: int
    number: str
    rest: str


_NUM = rf"[{CN_NUM}]{{1,5}}|\d{{1,4}}"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("篇", re.compile(rf"^(第({_NUM})篇)(?!\d)")),
    ("部分", re.compile(rf"^(第({_NUM})部分)")),
    ("章", re.compile(rf"^(第({_NUM})章)")),
    ("节", re.compile(rf"^(第({_NUM})节)")),
    ("专栏", re.compile(rf"^(专栏\s?(\d{{1,4}}|[{CN_NUM}]{{1,3}}))(?![\d{CN_NUM}])\s?:?\s?")),
    ("一、", re.compile(rf"^(([{CN_NUM}]{{1,5}})、)")),
    ("（一）", re.compile(rf"^(\(([{CN_NUM}]{{1,5}})\))")),
    ("（1）", re.compile(r"^(\((\d{1,4})\))")),
    ("1.", re.compile(r"^((\d{1,4}) ?(?:\.(?!\d)|、))\s?")),
]


#: The first character of every marker pattern above but ``\d`` (a quick rejection of most lines).
_STARTS = frozenset("第专(" + CN_NUM)


def may_start_marker(view: str) -> bool:
    """Whether a line whose normalised view (:func:`~plansite.parser.normalize.normalize`)
    is ``view`` can start with a numbering marker of :data:`_PATTERNS`: its first character
    starts one of them, or is a digit (``\\d`` is :meth:`str.isdecimal`). False for most lines."""
    return bool(view) and (view[0] in _STARTS or view[0].isdecimal())

_DECIMAL = re.compile(r"^((?:[1-9]\d?)(?:\.[1-9]\d?){0,2})[ \t]+(?=[^\s\d.%])")


def _undouble(text: str) -> tuple[str, int]:
    """``text`` with a leading run of doubled glyphs (PDF fake bold: ``第第一一节节``) undoubled,
    and the length of that run in ``text`` (0 when there is none of at least three pairs)."""
    out, i = [], 0
    while i + 1 < len(text) and text[i] == text[i + 1] and not text[i].isspace():
        out.append(text[i])
        i += 2
    if len(out) < 3:
        return text, 0
    return "".join(out) + text[i:], i


def display(printed: str) -> str:
    """``printed`` as shown in titles: white space inside Chinese text removed (it is an
    extraction artefact), everything else as printed. Same length as ``normalize(printed).text``."""
    pos = normalize(printed).pos
    kept = printed if len(pos) == len(printed) else "".join(map(printed.__getitem__, pos))
    return _WHITE.sub(" ", kept)  # ``\s`` is what str.isspace() calls white space


_WHITE = re.compile(r"\s")


def match_marker(text: str, decimal: bool = False) -> Marker | None:
    """The numbering marker that starts ``text`` (printed, markdown already stripped), or ``None``.

    Recognition works on the normalised view; ``number`` and ``rest`` are taken from the printed
    text (see :class:`Marker`). Decimal numbers (``2.1 指导思想``) are markers only with
    ``decimal`` (while levels are detected, or in a document that uses them): elsewhere a line
    ``1 地区生产总值 亿元 …`` is a table row, not a numbered line.
    """
    return _marker(text, decimal)


@functools.lru_cache(maxsize=8192)  # each stage asks again of the same line (目录, levels, body, checks)
def _marker(text: str, decimal: bool) -> Marker | None:
    """:func:`match_marker`, remembered (one key however ``decimal`` was passed)."""
    view = normalize(text).text
    found = None
    if decimal:
        # a decimal number starts with 1-9: the first printed characters tell whether one can
        # start the line (most lines: no), without folding a whole paragraph
        head = fold(text[:64]).lstrip()
        if not head or head[0] in "123456789":
            found = _DECIMAL.match(fold(text).lstrip())
    if found:
        number = found.group(1)
        parts = number.split(".")
        return Marker(DECIMAL[len(parts) - 1], int(parts[-1]), number, display(text)[len(number):].strip())
    if not may_start_marker(view):
        return None  # no marker pattern starts with this character (most lines)
    shown = display(text)
    undoubled, run = _undouble(view)
    for candidate, doubled in ((view, False), (undoubled, True)) if run else ((view, False),):
        for level, pattern in _PATTERNS:
            m = pattern.match(candidate)
            if not m:
                continue
            raw = m.group(2)
            value = int(raw) if raw.isdigit() else cn_to_int(raw)
            end = m.end()
            if doubled:
                if m.end(1) * 2 > run:
                    continue
                number, end = shown[: m.end(1) * 2], m.end(1) * 2
            else:
                number = shown[: m.end(1)]
            if level == "专栏":
                number = f"{number[:2]} {value}"  # 专栏 3 (專欄 3 in traditional text)
            elif level == "1." and not number.endswith("、"):
                number = f"{value}."
            rest = shown[end:].strip()
            if level in UNAMBIGUOUS:
                rest = rest.lstrip(":：、.． ")  # 第一章：总体要求
            return Marker(level, value, number, rest)
    return None


def level_kinds(levels: list[str]) -> dict[str, str]:
    """Outline kind of each numbering level a document uses.

    篇 → part, 章 → chapter, 节 → section, 1. and （1） → item. 一、 is the part when the document has
    neither 篇 nor 章 (a proposal, or a plan without chapters), else a subsection; （一） is the
    section when 一、 is the part and there is no 节, else a subsection.
    """
    kinds = {"篇": "part", "部分": "part", "章": "chapter", "节": "section", "1.": "item", "（1）": "item",
             "1": "chapter", "1.1": "section", "1.1.1": "subsection"}
    out = {lv: kinds[lv] for lv in levels if lv in kinds}
    if "一、" in levels:
        out["一、"] = "part" if not {"篇", "部分", "章"} & set(levels) else "subsection"
    if "（一）" in levels:
        out["（一）"] = "section" if out.get("一、") == "part" and "节" not in levels else "subsection"
    if levels and levels[0] in ("（一）", "1.", "（1）") and out.get(levels[0]) != "part":
        out[levels[0]] = out.get(levels[0], "item")
    return out


def detect_levels(markers: list[tuple[Marker, bool]]) -> tuple[list[str], list[str]]:
    """Numbering levels a document uses, outermost first, from the heading-like marker lines of
    its body in order (``(marker, is_first_of_document)``), and notes on how they were decided.

    Evidence: 篇/部分/章/节 count on first sight; an ambiguous level (一、, （一）, 1., （1）) counts
    when it is numbered from 1, when two consecutive numbers follow each other, or — in a text
    that starts mid-way (an excerpt, an e-paper page continued from the front page: its first
    marker is above 1) — at its first occurrence. Levels are ranked by :data:`LEVEL_ORDER`; how
    deep headings may nest is the body parser's (:data:`MAX_DEPTH`).
    """
    found: set[str] = set()
    notes = []
    midway = False
    seen: dict[str, set[int]] = {}
    last: dict[str, str] = {}  # decimal levels: the number last seen at each
    for marker, first in markers:
        if marker.level == "专栏":
            continue
        if marker.level in DECIMAL:
            # ``X.Y`` counts when its ``X`` came before it (and then ``X`` counts too)
            rank = DECIMAL.index(marker.level)
            parent = marker.number.rsplit(".", 1)[0] if rank else ""
            if rank and last.get(DECIMAL[rank - 1]) == parent:
                found.update(DECIMAL[: rank + 1])
            last[marker.level] = marker.number
            continue
        values = seen.setdefault(marker.level, set())
        if marker.level in UNAMBIGUOUS or marker.value == 1 or marker.value - 1 in values:
            found.add(marker.level)
        elif first or (midway and not values):
            found.add(marker.level)  # a text starting mid-way (the body parser warns)
            midway = True
        values.add(marker.value)
    levels = [lv for lv in LEVEL_ORDER if lv in found]
    return levels, notes
