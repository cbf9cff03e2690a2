"""Heading lines: which marker lines look like headings, run-in titles, titles wrapped onto a
second line.

All decisions are made on the normalised view; titles are returned as printed with white space
inside Chinese text removed (:func:`plansite.parser.levels.display`), bodies as printed.
"""

from __future__ import annotations

import re

from .levels import Marker, display, match_marker
from .lines import Line, clean_line, display_width
from .normalize import normalize, norm
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


def title_goes_on(title: str, nxt: Line, marker: Marker, top: bool, wrapped: bool, wrap_width: int,
                  head: Line) -> bool:
    """Whether the next non-blank line ``nxt`` is the rest of heading ``head``'s title ``title``.

    ``nxt`` must be a short line that is not itself numbered, holds no tab and does not end with
    ``。；：``. Then it is joined when the heading has no title yet (``第一节`` alone on its line),
    when the title stops on a word that cannot end it (:data:`OPEN_ENDS`), for a top-level heading
    (a split title: both markdown headings up to 60 columns, or plain lines up to 24 columns), or
    when hard-wrapped text filled the heading's line.
    """
    text = nxt.text
    view = nxt.norm
    if not text or not view or "\t" in nxt.raw or match_marker(text) or view[-1] in "。;:":
        return False
    width = display_width(text)
    if not title:
        return width <= 60 and not ends_sentence(text)
    view_title = norm(title)
    if view_title[-1:] and view_title[-1] in OPEN_ENDS and not view_title.endswith(CLOSED_WORDS) and width <= 30:
        return True
    if top and head.md and nxt.md and width <= 60:
        return True
    return top and not head.md and not nxt.md and width <= 24


def wrapped_title_run(lines: list[Line], i: int, wrap_width: int) -> list[int]:
    """In hard-wrapped text, the indexes of the lines that may continue heading ``lines[i]`` when
    it filled its line and holds no 。: the following full lines up to the first one that holds a
    。 or is shorter (where a title or a run-in title ends), at most three, none numbered or
    holding a tab. ``[]`` when the heading line was not full or no such end comes."""
    if display_width(lines[i].text) < wrap_width - 4 or "。" in lines[i].norm:
        return []
    run: list[int] = []
    k = i + 1
    while k < len(lines) and len(run) < 3:
        line = lines[k]
        if not line.text:
            k += 1
            continue
        if "\t" in line.raw or match_marker(line.text):
            return []
        run.append(k)
        if "。" in line.norm or display_width(line.text) < wrap_width - 4:
            return run
        k += 1
    return []


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
