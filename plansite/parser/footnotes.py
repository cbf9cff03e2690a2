"""Footnotes: which paragraph each printed note belongs to.

A PDF prints a note at the foot of the page, so in the text the note (``③ “一核”指创智核…``) comes
after its reference mark (``…“一核引领，两轴两带六组团”③布局…``), often cutting the paragraph it
interrupts (the body parser already makes each note a paragraph of its own, see
:meth:`.body.BodyParser.add_text`). Here a note is paired with its reference; the pages then show
the note under the paragraph that references it and link the mark both ways. Nothing is moved in
the document tree: every source line stays where the parser placed it.

Rules (general, not per plan): a *note* is a paragraph whose text starts with a circled number
(:data:`.paragraphs.FOOTNOTE_MARKS`) followed by text; its *reference* is the nearest paragraph
before it, in document order and not itself a note, that prints the same mark after its first
character. A note with no such reference is left where it was printed, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Problem
from ..model import Document, Node
from .paragraphs import FOOTNOTE_MARKS


@dataclass
class Footnotes:
    """The notes of one document, paired with their references.

    - ``after``: ``{reference paragraph id: [note paragraphs]}``, in the order printed;
    - ``refs``: ``{reference paragraph id: {mark: note paragraph id}}`` (the marks to link);
    - ``placed``: ids of the notes shown under their reference (not where printed);
    - ``unpaired``: notes whose reference was not found (shown where printed).
    """

    after: dict[str, list[Node]] = field(default_factory=dict)
    refs: dict[str, dict[str, str]] = field(default_factory=dict)
    placed: set[str] = field(default_factory=set)
    unpaired: list[Node] = field(default_factory=list)


def note_mark(node: Node) -> str:
    """The circled mark a note paragraph starts with (``"③"``), or ``""`` when ``node`` is not a
    note (not a paragraph, no mark first, or nothing but the mark)."""
    text = node.text.lstrip() if node.kind == "paragraph" else ""
    if text[:1] and text[0] in FOOTNOTE_MARKS and text[1:].strip(FOOTNOTE_MARKS + " 　"):
        return text[0]
    return ""


_MARKS = re.compile(f"[{FOOTNOTE_MARKS}]")


def pair_footnotes(doc: Document) -> Footnotes:
    """Pair every note of ``doc`` with its reference paragraph (see the module's rules).
    Linear in the number of paragraphs; never raises."""
    out = Footnotes()
    pending: dict[str, Node] = {}
    for node in doc.walk():
        if node.kind != "paragraph":
            continue
        mark = note_mark(node)
        if mark:
            ref = pending.pop(mark, None)
            if ref is None:
                out.unpaired.append(node)
                continue
            out.after.setdefault(ref.id, []).append(node)
            out.refs.setdefault(ref.id, {})[mark] = node.id
            out.placed.add(node.id)
            continue
        for char in _MARKS.findall(node.text.lstrip(), 1):
            pending[char] = node
    return out


def footnote_problems(source: str, doc: Document) -> list[Problem]:
    """One warning per note of ``doc`` whose reference mark was not found in the text before it."""
    return [Problem(source, n.lines[0], f"footnote {note_mark(n)} has no reference marker in the text "
                                         f"before it; shown where it is printed")
            for n in pair_footnotes(doc).unpaired]
