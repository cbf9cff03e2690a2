"""The normalised view of a line, for recognition only; pages always show the text as printed.

Plan texts arrive with full-width or half-width punctuation (web copies turn ``，：；（）`` into
``, : ; ( )``), spaces inside words (PDF letter-spacing: ``前 言``, ``第 一 章``), and sometimes in
traditional characters (``目錄``, ``第一節``, Big5 gateways). Markers, keywords and sentence ends are
recognised on one normalised form:

- full-width ASCII (U+FF01–U+FF5E) → half-width, the ideographic and no-break spaces → space;
- traditional → simplified Chinese with OpenCC's ``t2s`` conversion (character by character, so
  positions keep their meaning);
- white space next to a CJK character or CJK punctuation removed; white space between two Latin
  letters or digits kept as one space.

Pinyin glosses that mirror sites insert after characters (``發(fā)展``) are dropped like white
space (they are the mirror's, not the document's; titles are shown without them).

Circled numbers (``①``) and the other enclosed forms are left alone (NFKC would turn ``①`` into
``1``, which is a different numbering level). :class:`Normalized` keeps, for every character of the
normalised text, its index in the printed text, so a cut found in the normalised view (the end of
a run-in title, say) can be applied to the printed text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_SPACES = {"\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u200b", "\t", " ", "\ufeff"}


def _is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms (where spaces are never meaningful)."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF or ch in "“”‘’—…·")


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def _char(ch: str) -> str:
    """One character folded: width, spaces, traditional → simplified (always one character)."""
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if ch in _SPACES:
        return " "
    if o < 0x2E80:
        return ch
    out = _converter().convert(ch)
    return out if len(out) == 1 else ch


class _FoldTable(dict):
    """``{code point: folded character}`` for :meth:`str.translate`, filled as characters are met
    (:func:`_char` of each), so folding a line runs in C once its characters have been seen."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _char(chr(code))
        return folded


_FOLD = _FoldTable()

#: The characters of GB2312 (the simplified character set most plan texts are written in) that
#: :func:`_char` changes: the tab, the ideographic space, the full-width forms, and the 16 that
#: OpenCC's ``t2s`` turns into another character (a test checks this list against OpenCC).
_GB2312_FOLDING = re.compile("[\t\u3000\uff01-\uff5e乾吒夥後徵拚捱摺於榘菸薹袷醣麴麽]")


def _fold(printed: str) -> str:
    """``printed`` with every character folded by :func:`_char` (same length).

    A line of GB2312 characters (most lines; told by the codec, in C) only needs its characters
    of :data:`_GB2312_FOLDING` replaced, a handful of distinct ones (``，（）：``); any other line
    is translated character by character through :data:`_FOLD`, a dictionary look-up for each
    character (on the seeds' lines, folding this way takes half the instructions)."""
    try:
        printed.encode("gb2312")
    except UnicodeEncodeError:  # characters outside GB2312, traditional ones among them
        return printed.translate(_FOLD)
    for ch in set(_GB2312_FOLDING.findall(printed)):
        printed = printed.replace(ch, _FOLD[ord(ch)])
    return printed


@dataclass(frozen=True)
class Normalized:
    """A normalised line: ``text`` (see the module docstring) and ``pos``, the index in the printed
    line of each character of ``text`` (``len(pos) == len(text)``; a ``range`` when no character was dropped)."""

    text: str
    pos: tuple[int, ...] | range

    def printed_end(self, end: int, printed: str) -> int:
        """Index in ``printed`` just after normalised character ``end - 1`` (``0`` for ``end == 0``)."""
        if end <= 0:
            return 0
        if end >= len(self.pos):
            return len(printed)
        return self.pos[end - 1] + 1


#: A pinyin gloss a mirror site inserts after a character: ``發(fā)展``, ``規(guī)劃`` (a tone mark
#: is required, so ``(a)`` or ``(GDP)`` are never glosses).
_GLOSS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[)）]")
_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")


def _glosses(printed: str) -> set[int]:
    """Indexes of the characters of pinyin glosses that follow a CJK character in ``printed``."""
    out: set[int] = set()
    if "(" not in printed and "（" not in printed:
        return out
    for m in _GLOSS.finditer(printed):
        if m.start() and _is_cjk(printed[m.start() - 1]) and _TONED.search(m.group()):
            out.update(range(m.start(), m.end()))
    return out


@functools.lru_cache(maxsize=65536)
def normalize(printed: str) -> Normalized:
    """The :class:`Normalized` view of one printed line (see the module docstring)."""
    folded = _fold(printed)
    gloss = _glosses(printed)
    if gloss:
        folded = "".join(" " if k in gloss else ch for k, ch in enumerate(folded))
    if " " not in folded:  # most lines: nothing to drop
        return Normalized(folded, range(len(folded)))
    text: list[str] = []
    pos: list[int] = []
    before = ""  # the last character kept (never a space: a run of spaces is read at once)
    start = 0
    for run in _SPACE_RUN.finditer(folded):
        i, j = run.span()
        if i > start:
            text.append(folded[start:i])
            pos.extend(range(start, i))
            before = folded[i - 1]
        after = folded[j] if j < len(folded) else ""
        if before and after and not _is_cjk(before) and not _is_cjk(after):
            text.append(" ")
            pos.append(i)
            before = " "
        start = j
    if start < len(folded):
        text.append(folded[start:])
        pos.extend(range(start, len(folded)))
    return Normalized("".join(text), tuple(pos))


_SPACE_RUN = re.compile(" +")


def fold(printed: str) -> str:
    """``printed`` folded character by character (width, spaces, traditional → simplified) with
    its white space kept: same length as ``printed``."""
    return _fold(printed)


def norm(printed: str) -> str:
    """The normalised text of ``printed`` (``"目 錄"`` → ``"目录"``, ``"（一）"`` → ``"(一)"``)."""
    return normalize(printed).text


def squash(text: str) -> str:
    """``text`` without any white space (for comparing titles as printed)."""
    return "".join(text.split())  # str.split() splits at what ``\s`` matches
