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


@dataclass(frozen=True)
class Normalized:
    """A normalised line: ``text`` (see the module docstring) and ``pos``, the index in the printed
    line of each character of ``text`` (``len(pos) == len(text)``)."""

    text: str
    pos: tuple[int, ...]

    def printed_end(self, end: int, printed: str) -> int:
        """Index in ``printed`` just after normalised character ``end - 1`` (``0`` for ``end == 0``)."""
        if end <= 0:
            return 0
        if end >= len(self.pos):
            return len(printed)
        return self.pos[end - 1] + 1


@functools.lru_cache(maxsize=65536)
def normalize(printed: str) -> Normalized:
    """The :class:`Normalized` view of one printed line (see the module docstring)."""
    folded = [_char(ch) for ch in printed]
    text: list[str] = []
    pos: list[int] = []
    i, n = 0, len(folded)
    while i < n:
        ch = folded[i]
        if ch == " ":
            j = i
            while j < n and folded[j] == " ":
                j += 1
            before = text[-1] if text else ""
            after = folded[j] if j < n else ""
            if before and after and not _is_cjk(before) and not _is_cjk(after):
                text.append(" ")
                pos.append(i)
            i = j
            continue
        text.append(ch)
        pos.append(i)
        i += 1
    return Normalized("".join(text), tuple(pos))


def norm(printed: str) -> str:
    """The normalised text of ``printed`` (``"目 錄"`` → ``"目录"``, ``"（一）"`` → ``"(一)"``)."""
    return normalize(printed).text


def squash(text: str) -> str:
    """``text`` without any white space (for comparing titles as printed)."""
    return re.sub(r"\s+", "", text)
