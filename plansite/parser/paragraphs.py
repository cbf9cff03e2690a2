"""Sentence ends and paragraph re-joining rules (pure functions on printed text).

Recognition works on the normalised view, so half-width ``!`` ``:`` ``,`` ``)`` (web copies)
count as the full-width punctuation they stand for.
"""

from __future__ import annotations

from .lines import display_width
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


def ends_sentence(text: str, strict: bool = False) -> bool:
    """Whether ``text`` ends a sentence: its last character, closing quotes aside, is one of
    :data:`TERMINAL` (``"…发展。”"`` yes, ``"…“两张清单”"`` no, ``""`` yes; ``"…发展!"`` yes).

    ``strict`` (hard-wrapped text, where a line end says nothing): closing brackets are set aside
    too, so ``"…院士（专家）"`` does not end a sentence but ``"…（2035年）。"`` does.
    """
    view = norm(text.rstrip()) if text else ""
    core = view.rstrip(CLOSING_QUOTES + ("）)】" if strict else ""))
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
