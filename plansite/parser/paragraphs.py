"""Sentence ends and paragraph re-joining rules (pure functions on printed text).

Recognition works on the normalised view, so half-width ``!`` ``:`` ``,`` ``)`` (web copies)
count as the full-width punctuation they stand for.
"""

from __future__ import annotations

from .lines import Widths, display_width, printed_width
from .normalize import norm

#: Characters that end a sentence: a paragraph whose text ends with one is complete
#: (normalised view: full-width ``！：；？）`` appear as ``!:;?)``).
TERMINAL = "。！？；：…”’」』）)】!?;:"
#: Closing quotes: they end a sentence only after a sentence end (``…。”``); ``…“两张清单”`` at the
#: end of a line is a sentence cut by a page break.
CLOSING_QUOTES = "”’」』"
#: Circled numbers: footnote marks (taishang-14th: a lone ``①`` in the text, and the footnote
#: ``① “一核”指…`` printed at the foot of the page, cutting the paragraph it interrupts).
FOOTNOTE_MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: Punctuation found inside running prose (``职业教育提质培优行动：扩大…``), not in a title.
PROSE = "，。、；：,;:"
#: Characters that cannot begin a paragraph: a line starting with one continues the previous one.
CONTINUES = "，。；：、！？）)》」』%％,;:!?"


#: How many characters of a long text :func:`ends_sentence` reads.
_TAIL = 64


def ends_sentence(text: str, strict: bool = False) -> bool:
    """Whether ``text`` ends a sentence: its last character, closing quotes aside, is one of
    :data:`TERMINAL` (``"…发展。”"`` yes, ``"…“两张清单”"`` no, ``""`` yes; ``"…发展!"`` yes).

    ``strict`` (hard-wrapped text, where a line end says nothing): closing brackets are set aside
    too, so ``"…院士（专家）"`` does not end a sentence but ``"…（2035年）。"`` does.
    """
    text = text.rstrip()
    closers = CLOSING_QUOTES + ("）)】" if strict else "")
    if len(text) > _TAIL:
        # A long paragraph is read from its last characters (normalising the whole paragraph each
        # time a line is added would be quadratic): the same answer once the tail's view keeps more
        # than a gloss or a run of spaces at its cut (see plansite.parser.normalize).
        core = norm(text[-_TAIL:]).rstrip(closers)
        if len(core) > 16:
            return core[-1] in TERMINAL
    view = norm(text) if text else ""
    core = view.rstrip(closers)
    if not core:
        return not view
    return core[-1] in TERMINAL


def is_prose(text: str, in_front: bool = False) -> bool:
    """Whether ``text`` (one line) is running prose rather than a title or caption: it holds prose
    punctuation (``，。、；：``), or — outside the front matter — is 60 columns wide or more or is a
    ``——`` list entry. In the front matter only punctuation counts: ``…纲要的通知`` is a title
    however long."""
    view = norm(text)
    if any(ch in view for ch in PROSE):
        return True
    return not in_front and (display_width(text) >= 60 or view.startswith("——"))


def continues(para_text: str, last_line: str, text: str, wrapped: bool, in_front: bool) -> bool:
    """Whether the line ``text`` continues the open paragraph (``para_text``, whose last line was
    ``last_line``) rather than starting a new one.

    Always when it starts with a character no paragraph begins with (``，``, ``）`` …). Otherwise
    only when the paragraph so far does not end a sentence (see :func:`ends_sentence`), and:

    - hard-wrapped text (PDF extraction): always — a sentence cut at a line end goes on;
    - other text (one line per paragraph): when the paragraph's last line is running prose
      (:func:`is_prose`) or leaves a 《 or “ open (:func:`unclosed`), and the line does not open
      a ``——`` list entry.
    """
    view = norm(text)
    if view and view[0] in CONTINUES:
        return True
    if ends_sentence(para_text, strict=wrapped):
        return False
    if wrapped:
        return True
    if view.startswith("—"):
        return False
    return is_prose(last_line, in_front) or unclosed(last_line)


def unclosed(text: str) -> bool:
    """Whether ``text`` leaves a 《 or “ open: a line cut inside a quoted title goes on."""
    return text.count("《") > text.count("》") or text.count("“") > text.count("”")


def break_after_full_line(last_line: str, text: str, widths: Widths, last_is_first: bool,
                          numbered: bool = False) -> bool | None:
    """In hard-wrapped text, whether the line ``text`` starts a new paragraph after a paragraph
    that ends a sentence and whose last line is ``last_line`` (``last_is_first``: that line is the
    paragraph's first, so it may be short by the indent).

    A PDF extraction keeps no sign of a paragraph's first-line indent but its trace: the first
    line holds about two characters fewer than a full line. So when ``last_line`` filled its line
    (:meth:`~plansite.parser.lines.Widths.fills`, or the indented width for a first line), the
    sentence end may fall on the line end by chance, and ``text``'s own width decides
    (:meth:`~plansite.parser.lines.Widths.starts_paragraph`): ``False`` — full width, the
    paragraph goes on; ``True`` — short by the indent, a new paragraph; ``None`` — the widths
    cannot tell (the caller keeps the break and counts it for a warning). A ``last_line`` short
    of its line ended its paragraph: ``True``. A numbered line (``numbered``: it starts with a
    numbering marker) always starts anew: ``True``.
    """
    width = printed_width(last_line)
    filled = widths.full - 2 <= width <= widths.full + 3
    if last_is_first and widths.indent:
        filled = filled or abs(width - (widths.full - widths.indent)) <= 1
    if not filled or numbered:
        return True
    return widths.starts_paragraph(printed_width(text))
