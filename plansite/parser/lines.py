"""The line model: how the lines of a plan text relate to its paragraphs, decided from evidence.

Plan texts reach us in four shapes, told apart by measuring the text (never by its origin):

- ``paragraph-per-line``: a web page or word-processor copy, one paragraph per line (a page
  break may still cut a paragraph over two lines);
- ``blank-after-every-line``: the same with a blank line after every line (blank lines then
  carry no information);
- ``hard-wrapped``: PDF text broken at a fixed width (:func:`detect_wrap`): a full line goes on
  on the next one;
- ``flattened``: a whole PDF text run into one line, its line breaks turned into spaces
  (:func:`is_flattened`): the line is split back into its printed lines at those spaces and
  then read as hard-wrapped text. All pieces keep the source line number.

:func:`build_lines` returns :class:`Line` objects (the printed text cleaned of extraction markup,
and its normalised view for recognition) and the model's name, reported as an info line and in
the plan JSON.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..model import SourceLine
from .normalize import norm

#: ``(pattern, replacement, text every match holds)``: a line without that text is not searched
_MARKUP = [(re.compile(r"</?b>"), "", "b>"), (re.compile(r"\*\*"), "", "**")]
_HEADING = re.compile(r"^#{1,6}\s*")
#: White space and invisible characters around a line (byte-order mark, zero-width space included).
_BLANKS = " \t\r\n\v\f\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_SPLIT_CJK = re.compile(r"[\u4e00-\u9fff][ \u3000\u00a0]+[\u4e00-\u9fff]")


@dataclass(slots=True)  # a plan has thousands: no attribute dict each
class Line:
    """One line as the parser reads it.

    ``number``: 1-based source line; ``raw``: the source text (tabs and ``**`` kept, for tables and
    bold run-in titles); ``text``: printed text without markup, outer white space stripped;
    ``norm``: its normalised view (see :mod:`plansite.parser.normalize`); ``md``: marked as a
    markdown heading; ``piece``: index of the piece within a flattened source line (0 otherwise).
    """

    number: int
    raw: str
    text: str
    norm: str
    md: bool = False
    piece: int = 0


class _WidthTable(dict):
    """``{code point: "" | "w" | None}`` for :meth:`str.translate`, filled as characters are met, so
    that a width is the length of a translated line (counted in C once its characters were seen):
    :data:`_WIDE` keeps one ``"w"`` per CJK or full-width character (east Asian width W or F) and
    drops the others; :data:`_PRINTED` keeps ``"ww"`` for W, F and A, ``"w"`` for other printed
    characters and drops white space."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def __missing__(self, code: int):
        result = self[code] = self.value(chr(code))
        return result


_WIDE = _WidthTable(lambda ch: "w" if unicodedata.east_asian_width(ch) in "WF" else None)
_PRINTED = _WidthTable(lambda ch: None if ch.isspace() else "ww" if unicodedata.east_asian_width(ch) in "WFA" else "w")


def display_width(text: str) -> int:
    """Width of ``text`` in half-width columns (CJK and full-width characters count 2)."""
    if text.isascii():
        return len(text)
    if _ASTRAL.search(text):  # (rare) characters beyond the BMP: looked up one by one
        return len(text) + len(text.translate(_WIDE))
    return len(text) + len(_narrow_runs().sub("", text))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=1)
def _narrow_runs() -> re.Pattern[str]:
    """Runs of BMP characters that are not CJK or full-width (east Asian width neither W nor F),
    from :mod:`unicodedata` (once per process, ~20 ms): removing them leaves the wide characters,
    counted in C."""
    eaw = unicodedata.east_asian_width
    ranges: list[str] = []
    start = None
    for code in range(0x10001):
        wide = code < 0x10000 and eaw(chr(code)) in "WF"
        if wide and start is None:
            start = code
        elif not wide and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return re.compile(f"[^{''.join(ranges)}\\U00010000-\\U0010ffff]+")


@functools.lru_cache(maxsize=65536)
def printed_width(text: str) -> int:
    """Width of ``text`` as a Chinese typesetter prints it, in half-width columns: CJK, full-width
    and East Asian ambiguous characters (``“”——…``, set full-width in a CJK font) count 2, white
    space 0 (PDF extraction puts a space where the typesetter only spaced Chinese from digits),
    others 1. Measures how much of a printed line a line of PDF text filled."""
    return len(text.translate(_PRINTED))


@dataclass(frozen=True)
class Widths:
    """The measured printed widths of a hard-wrapped text (:func:`measure_widths`), in columns of
    :func:`printed_width`.

    ``full``: the width of a full printed line (the mode of the prose lines' widths; a typesetter
    justifies every line of a paragraph but its last to that width); ``indent``: how many columns
    the first line of a paragraph is short of ``full`` (the first-line indent the extraction
    dropped, usually 2 characters = 4 columns), ``0`` when the text shows no clear indent.
    """

    full: int
    indent: int = 0

    def fills(self, line: "Line") -> bool:
        """Whether ``line`` filled its printed line: at least ``full - 2`` columns by any measure
        (its printed text, or its source text with markup, which took the same room when the
        text was wrapped)."""
        width = max(printed_width(line.text), display_width(line.text), display_width(line.raw.strip()))
        return width >= self.full - 2

    def starts_paragraph(self, width: int, first: bool = False) -> bool | None:
        """What a line of ``width`` columns after a full line says about a paragraph break:
        ``False`` when it is full itself (``full - 1`` to ``full + 3``: no indent, the paragraph
        goes on), ``True`` when it is short of ``full`` by the measured indent (±1 column: a new,
        indented paragraph), ``None`` when the widths cannot tell (no measured indent — a full
        line then proves nothing —, or a shorter line: a one-line paragraph and the last line of
        a paragraph look alike)."""
        if not self.indent:
            return None
        if self.full - 1 <= width <= self.full + 3:
            return False
        if abs(width - (self.full - self.indent)) <= 1:
            return True
        return None


#: Sentence ends, for measuring indents (the full set is :data:`plansite.parser.paragraphs.TERMINAL`).
_ENDS = re.compile(r"[。！？；：.!?;:][”’」』]?$")


def measure_widths(texts: list[str]) -> Widths | None:
    """The :class:`Widths` of a hard-wrapped text's lines ``texts`` (printed, markup removed), or
    ``None`` when fewer than 20 lines hold prose.

    ``full`` is the most common :func:`printed_width` of the lines holding prose punctuation
    (``，、。；``). The indent is read from the lines that open a paragraph for certain: a line
    after one that ends a sentence short of ``full`` (the previous paragraph's last line), itself
    not ending a sentence (so not a one-line paragraph) and not numbered. When at least 5 such
    lines exist and over half of them share one width 3 to 8 columns short of ``full`` (1.5 to 4
    characters), that shortfall is the indent; otherwise ``indent`` is 0 (no evidence: web copies
    re-wrapped without indents, or a PDF that sets paragraphs apart by space).
    """
    filled = [t for t in texts if t]
    prose = [printed_width(t) for t in filled if re.search(r"[，、。；,;]", t)]
    if len(prose) < 20:
        return None
    counts: dict[int, int] = {}
    for w in prose:
        counts[w] = counts.get(w, 0) + 1
    full = max(counts, key=lambda w: (counts[w], w))
    firsts: dict[int, int] = {}
    for prev, text in zip(filled, filled[1:]):
        if (_ENDS.search(prev) and printed_width(prev) < full - 2 and not _ENDS.search(text)
                and not re.match(r"^\s*[(（]?[\d一二三四五六七八九十]{1,3}[、.．)）]", text)):
            w = printed_width(text)
            firsts[w] = firsts.get(w, 0) + 1
    total = sum(firsts.values())
    indent = 0
    if total >= 5:
        best = max(firsts, key=lambda w: (sum(firsts.get(w + d, 0) for d in (-1, 0, 1)), w))
        share = sum(firsts.get(best + d, 0) for d in (-1, 0, 1)) / total
        if share > 0.5 and 3 <= full - best <= 8:
            indent = full - best
    return Widths(full, indent)


@functools.lru_cache(maxsize=8192)  # every line is cleaned again to check that it is placed
def clean_line(raw: str) -> tuple[str, bool]:
    """``raw`` without extraction markup, and whether it was marked as a markdown heading.

    ``"## **二、加强…**  "`` → ``("二、加强…", True)``. Inner spaces are kept; outer white space,
    including the full-width space U+3000 and the no-break space, is stripped.
    """
    text = raw.strip(_BLANKS)
    is_heading = False
    if text.startswith("#"):  # (most lines: no markup at all, and no pattern is tried)
        is_heading = bool(_HEADING.match(text))
        text = _HEADING.sub("", text)
    for pattern, repl, needed in _MARKUP:
        if needed in text:
            text = pattern.sub(repl, text)
    return text.strip(_BLANKS), is_heading


_SPACED_MARKER = re.compile(r"(?:^|\s)第[一二三四五六七八九十百\d]{1,4}[篇章节節](?=\s)")


def is_flattened(text: str) -> bool:
    """Whether one line is a flattened PDF text: at least 300 characters with at least 8 spaces
    between two Chinese characters (the printed line breaks; prose never spaces words), or a whole
    chapter run into one line: at least 150 characters holding two 第X章/节/篇 markers each standing
    between spaces as printed lines do, and no 目录 leaders (a 目录 run together is not flattened)."""
    if len(text) >= 300 and len(_SPLIT_CJK.findall(text)) >= 8:
        return True
    return (len(text) >= 150 and len(_SPACED_MARKER.findall(text)) >= 2
            and not re.search(r"…|\.{3}|·{3}|^目\s*[录錄]", text))


def detect_wrap(texts: list[str]) -> tuple[bool, int]:
    """Whether the texts are hard-wrapped (PDF extraction) and at what width, in columns (the
    widest of the lines of the common width).

    Hard-wrapped when there are at least 20 non-blank lines, over 30 % of them have the same width
    (±2 columns), that width is a printed line's (24 to 80 columns: a newspaper column to a
    page), and at least half of those full lines are prose (hold ``，、。；``: a run of 目录 entries
    or headings of one width is not a wrap). A short text is never taken for hard-wrapped.
    """
    filled = [t for t in texts if t]
    widths = [display_width(t) for t in filled]
    if len(widths) < 20:
        return False, 0
    counts = Counter(widths)
    near = {w: sum(counts.get(w + d, 0) for d in range(-2, 3)) for w in counts}  # lines within ±2 columns
    common = max(near, key=lambda w: (near[w], -w))
    full = [t for t, x in zip(filled, widths) if abs(x - common) <= 2]
    share = len(full) / len(widths)
    prose = sum(1 for t in full if re.search(r"[，、。；,;]", t)) / len(full)
    return (share > 0.3 and 24 <= common < 80 and prose >= 0.5), max(x for x in widths if abs(x - common) <= 2)


def blank_after_every_line(lines: list[SourceLine]) -> bool:
    """Whether (nearly) every non-blank line is followed by a blank one: at least 10 non-blank
    lines and at most 10 % of them directly followed by another non-blank line."""
    texts = [sl.text.strip() for sl in lines]
    filled = [i for i, t in enumerate(texts) if t]
    if len(filled) < 10:
        return False
    glued = sum(1 for i in filled[:-1] if texts[i + 1])
    return glued <= 0.1 * len(filled)


def build_lines(lines: list[SourceLine]) -> tuple[list[Line], str, int]:
    """The parser's lines, the line model's name and, for hard-wrapped text, the wrap width.

    Flattened source lines are split at white space into their printed lines (each piece a
    :class:`Line` with the same ``number``).
    """
    out: list[Line] = []
    flattened = False
    for sl in lines:
        text, md = clean_line(sl.text)
        if len(text) >= 150 and is_flattened(text) and "\t" not in sl.text:  # (shorter: never flattened)
            flattened = True
            for k, piece in enumerate(p for p in re.split(r"[ \u3000\u00a0]+", text) if p):
                out.append(Line(sl.number, piece, piece, norm(piece), False, k + 1))
            continue
        view = norm(text) if text else ""
        out.append(Line(sl.number, sl.text, text if view else "", view, md))
    if flattened:
        return out, "flattened", 0
    wrapped, width = detect_wrap([ln.text for ln in out])
    if wrapped:
        return out, "hard-wrapped", width
    if blank_after_every_line(lines):
        return out, "blank-after-every-line", 0
    return out, "paragraph-per-line", 0
