"""Heading lines: which marker lines look like headings, run-in titles, titles wrapped onto a
second line.

All decisions are made on the normalised view; titles are returned as printed with white space
inside Chinese text removed (:func:`plansite.parser.levels.display`), bodies as printed.
"""

from __future__ import annotations

import re

from .levels import Marker, display, match_marker
from .lines import Line, Widths, clean_line, display_width
from .normalize import normalize, norm, squash
from .paragraphs import ends_sentence

#: A run-in title ends at its first 。 when that comes within this many characters.
RUNIN_MAX = 40
#: Characters a title cannot end with: the title goes on on the next line (``…与“十四五”面临的`` /
#: ``形势``).
OPEN_ENDS = "的与和及、，,“(（—"
#: Words ending in one of :data:`OPEN_ENDS` that are whole (a verb or noun, not a conjunction).
CLOSED_WORDS = ("参与", "给与", "普及", "涉及", "波及", "顾及", "目的", "有的", "共和")


def heading_like(marker: Marker) -> bool:
    """Whether a line starting with ``marker`` reads as a heading (evidence for its level): a
    standalone title (no 。 inside, at most 120 columns; or nothing after the marker, the title
    being on the next line), or a run-in title closed by 。 within :data:`RUNIN_MAX` characters."""
    rest = norm(marker.rest)
    cut = rest.find("。")
    if cut < 0:
        return display_width(marker.rest) <= 120
    return 0 < cut <= RUNIN_MAX or cut == len(rest) - 1 and display_width(marker.rest) <= 60


def split_runin(line: Line, marker: Marker) -> tuple[str, str, bool]:
    """Split a numbered line into ``(title, run-in body text, guessed)``.

    A bold title ``**5. 人民生活更加幸福。**居民收入…`` ends where the bold ends; an unmarked one
    ``1.突出创新引领、落实赶超，速度更快、质量更优。2020 年…`` ends at its first 。 when that comes
    within :data:`RUNIN_MAX` characters and text follows. A ``1.``/``（1）`` line running on with no
    such 。 is a numbered paragraph with no title (``("", rest)``). A 一、/（一） title longer than 100
    columns that holds a 。 is cut there by guess (``guessed`` true, for a warning). Otherwise the
    whole rest is the title.
    """
    rest = marker.rest
    bold = re.match(r"^[#\s]*\*\*(.+?)\*\*(.+)$", line.raw.strip())
    if bold:
        inner = clean_line(bold.group(1))[0]
        m = match_marker(inner)
        title = m.rest if m else display(inner)
        body = clean_line(bold.group(2))[0]
        if body:
            return title, body, False
    if marker.level in ("1.", "（一）", "一、", "（1）"):
        cut = rest.find("。")
        if 0 < cut <= RUNIN_MAX and cut < len(rest) - 1:
            return rest[: cut + 1], _printed_after(line.text, rest, cut + 1), False
        if marker.level in ("1.", "（1）") and display_width(rest) > 50 and not 0 < cut <= RUNIN_MAX:
            return "", _printed_after(line.text, rest, 0), False  # a numbered paragraph with no title
        if marker.level in ("一、", "（一）") and display_width(rest) > 100 and 0 < cut < len(rest) - 1:
            return rest[: cut + 1], _printed_after(line.text, rest, cut + 1), True
    return rest, "", False


def _printed_after(printed: str, rest: str, k: int) -> str:
    """The printed text of line ``printed`` after the first ``k`` characters of its displayed
    ``rest`` (``rest`` is the tail of ``display(printed)``)."""
    shown = display(printed)
    start = len(shown) - len(rest) + k
    return printed[normalize(printed).printed_end(start, printed):].strip()


def title_goes_on(title: str, nxt: Line, marker: Marker, top: bool, widths: Widths | None, head: Line,
                  listed: str = "") -> bool:
    """Whether the next non-blank line ``nxt`` is the rest of heading ``head``'s title ``title``.

    ``nxt`` must be a short line that is not itself numbered, holds no tab and does not end with
    ``。；：``. Then it is joined when the heading has no title yet (``第一节`` alone on its line),
    when the title stops on a word that cannot end it (:data:`OPEN_ENDS`), for a top-level heading
    (a split title: both markdown headings up to 60 columns, or plain lines up to 24 columns), or,
    in hard-wrapped text (``widths``), when ``head`` filled its printed line without ending a
    sentence and ``nxt`` does not (the wrap cut the title). Whatever its width, ``nxt`` is joined
    when the 目录 lists this heading (``listed``: its title there, normalised, no white space) and
    the title with ``nxt`` is that title or its beginning (a 篇 title printed over two lines).
    """
    text = nxt.text
    view = nxt.norm
    if not text or not view or "\t" in nxt.raw or match_marker(text, decimal=True) or view[-1] in "。;:":
        return False
    width = display_width(text)
    if listed and title:
        so_far, joined = squash(norm(title)), squash(norm(title + text))
        if so_far != listed and listed.startswith(joined):
            return True
    if not title:
        return width <= 60 and not ends_sentence(text)
    view_title = norm(title)
    if view_title[-1:] and view_title[-1] in OPEN_ENDS and not view_title.endswith(CLOSED_WORDS) and width <= 30:
        return True
    if top and head.md and nxt.md and width <= 60:
        return True
    if widths is not None and widths.fills(head) and not widths.fills(nxt) and not ends_sentence(head.text, strict=True):
        return True
    return top and not head.md and not nxt.md and width <= 24


def wrapped_title_run(lines: list[Line], i: int, widths: Widths) -> list[int]:
    """In hard-wrapped text, the indexes of the lines that may continue heading ``lines[i]``, cut
    by the wrap: ``[]`` unless the heading line filled its printed line (:meth:`Widths.fills`) and
    does not end a sentence. Then the following lines up to the first one that is short of a full
    line or holds a 。 (where a title or a run-in title ends), at most three, none of them numbered,
    holding a tab or ending in ``；：``. ``[]`` when no such end comes."""
    head = lines[i]
    if not widths.fills(head) or ends_sentence(head.text, strict=True) or "。" in head.norm:
        return []
    run: list[int] = []
    k = i + 1
    while k < len(lines) and len(run) < 3:
        line = lines[k]
        if not line.text:
            k += 1
            continue
        if "\t" in line.raw or match_marker(line.text, decimal=True) or line.norm[-1] in ";:":
            return []
        run.append(k)
        if "。" in line.norm or not widths.fills(line):
            return run
        k += 1
    return []


def standalone_levels(lines: list[Line], widths: Widths | None) -> set[str]:
    """The numbering levels whose titles stand alone, so that a wrap cannot have cut a run-in title
    of theirs (``1.突出创新引领、落实赶超，速度`` / ``更快、质量更优。2020 年…`` is one elsewhere),
    judged from the document's own uncut heading lines: some titles of the level stand on lines
    that did not fill their printed line, and none runs in. (A title that filled its line and is
    followed by a paragraph cannot be told from a cut run-in title by the lines alone; the
    document's habit decides.)"""
    alone: dict[str, int] = {}
    run_in: dict[str, int] = {}
    for line in lines:
        marker = match_marker(line.text) if line.text else None
        if not marker or not heading_like(marker):
            continue
        title, body, _ = split_runin(line, marker)
        if body and title:
            run_in[marker.level] = run_in.get(marker.level, 0) + 1
        elif title and (widths is None or not widths.fills(line)):
            alone[marker.level] = alone.get(marker.level, 0) + 1
    return {level for level in alone if not run_in.get(level)}


def join_title(first: str, second: str, spaced: bool) -> str:
    """Join two lines of one title. Markdown-heading titles keep a space between their phrases
    where the title already used spaces (``开启高质量发展新篇章 建设…``); others are joined as
    printed, white space inside Chinese removed."""
    second = display(second)
    if not first:
        return second
    if spaced and not (display_width(first) >= 40 and " " not in first):
        return f"{first} {second}"
    return first + second
