"""The 目录 (table of contents): where it is, its entries, and how it compares with the body.

A 目录 is found with or without its label:

- labelled: a line reading ``目录`` (``目 录``, ``目錄``); the entries follow;
- unlabelled: a run of at least four numbered lines with no text between them, two of them
  siblings in a row (in a body, text always separates two sibling headings).

Entries are numbered lines (any level), 前言/序言/结束语-style labels, or lines ending in a page
number (after ``……`` leaders, in ``(8)`` brackets, after a tab or spaces). A page number may be
wrapped onto a line of its own (``第三章 加快建设现代产业体系 ……`` / ``15``), also after a title
wrapped over two lines: it belongs to the entry above (:func:`toc_page_lines` keeps such lines
from being dropped as page chrome). The 目录 ends at the
first line that is none of these (prose, or an unnumbered line once entries carried page numbers),
or where the first entry comes round again (the body's first heading). Entries run together on
one line (``第一章 发展基础 第二章 发展环境``) are split at each 第X篇/章/节.
"""

from __future__ import annotations

import functools
import re

from ..errors import Problem
from ..model import Document, TocEntry
from .levels import Marker, display, level_kinds, match_marker, may_start_marker
from .lines import Line, display_width
from .normalize import norm, squash

#: Unnumbered entries a 目录 lists (normalised, white space removed).
LABELS = ("前言", "序言", "引言", "导言", "结束语", "结语", "后记", "附件", "附表", "附录", "名词解释", "说明")
_PAGE = re.compile(r"^(?P<title>.*?)(?:[.·…．。_\-]{2,}\s*[(（]?\s*|\s*[(（]\s*|\t+\s*|\s{2,}|(?<=\s))"
                   r"(?P<page>\d{1,4})\s*[)）]?$")
#: A page number glued to the end of a title (``发展基础12``): up to three digits after Chinese text.
_GLUED_PAGE = re.compile(r"^(?P<title>.*[\u4e00-\u9fff”）)])(?P<page>\d{1,3})$")
_LEADERS = re.compile(r"(?:\s*[.·…．。_]{2,})+\s*$")
#: A page number alone on its line (``15``, ``(15)``): the page of the 目录 entry above it.
_LONE_PAGE = re.compile(r"^[(（]?\s*(\d{1,4})\s*[)）]?$")
_RUN_TOGETHER = re.compile(r"(?<=\S)\s*(?=第[〇零一二两三四五六七八九十百\d]{1,5}(?:[篇章节]|部分))")


def strip_page(text: str) -> tuple[str, str]:
    """``(title, page)`` of a 目录 line as printed: leaders and a trailing page number cut off
    (``"序 言……(8)"`` → ``("序 言", "8")``, ``"发展基础\\t7"`` → ``("发展基础", "7")``, ``"发展基础12"``
    → ``("发展基础", "12")``); ``page`` is ``""`` when the line carries none."""
    text = text.rstrip()
    last = text[-1:]
    # both page patterns end with a number (and a bracket), the leaders with a leader character:
    # most lines end with neither, and are not searched
    m = (_PAGE.match(text) or _GLUED_PAGE.match(text)) if last.isdecimal() or last in ("）", ")") else None
    if m and m.group("title").strip():
        return _LEADERS.sub("", m.group("title")).rstrip(), m.group("page")
    return (_LEADERS.sub("", text).rstrip() if last and last in ".·…．。_" else text), ""


def _label(text: str) -> str:
    """The unnumbered-entry label ``text`` is (``"序 言"`` → ``"序言"``), or ``""``."""
    view = squash(norm(text))
    return view if view in LABELS else ""


def entry_of(line: Line) -> tuple[Marker | None, str, str] | None:
    """``(marker, label, page)`` when ``line`` reads as a 目录 entry, else ``None``."""
    return _entry(line.raw) if line.text else None


@functools.lru_cache(maxsize=8192)  # the 目录 is looked for twice, its extent and the entries read again
def _entry(raw: str) -> tuple[Marker | None, str, str] | None:
    """:func:`entry_of` a line with text whose source text is ``raw``."""
    title, page = strip_page(raw.replace("**", "").replace("<b>", "").replace("</b>", "").strip())
    marker = match_marker(title)
    if marker and marker.level != "专栏":
        rest = norm(marker.rest)
        if "。" in rest or display_width(marker.rest) > 100:
            return None
        return marker, "", page
    label = _label(title)
    if label:
        return None, label, page
    if page and "。" not in norm(title) and display_width(title) <= 100:
        return None, "", page
    return None


def lone_page(line: Line) -> str:
    """The page number a line holds alone (``"15"``, ``"(15)"`` → ``"15"``), or ``""``."""
    m = _LONE_PAGE.match(line.text.strip()) if line.text else None
    return m.group(1) if m else ""


def toc_page_lines(lines: list[Line], first: int, stop: int, candidates: set[int]) -> set[int]:
    """The indexes among ``candidates`` (lone numbers, taken for page chrome) in ``lines[first:stop]``
    — a 目录 region — that are the page numbers of the entries above them, wrapped onto a line of
    their own (``第三章 加快建设现代产业体系 ……`` / ``15``).

    A lone number counts when the nearest line above it with text is a 目录 entry without a page
    number (or the second line of one, wrapped), and either the entry ends in ``……`` leaders (the number is due) or at least two entries
    are followed by such numbers, in non-decreasing order (a 目录's pages, not a page footer)."""
    pairs: list[tuple[int, int, bool]] = []
    for k in sorted(c for c in candidates if first <= c < stop):
        j = k - 1
        while j >= first and not lines[j].text:
            j -= 1
        if j < first or j in candidates:
            continue
        raw = lines[j].raw.replace("**", "").strip()
        if _pageless_entry_line(lines, j, first) and lone_page(lines[k]):
            pairs.append((k, int(lone_page(lines[k])), bool(_LEADERS.search(raw))))
    numbers = [n for _, n, _ in pairs]
    if len(pairs) >= 2 and numbers == sorted(numbers):
        return {k for k, _, _ in pairs}
    return {k for k, _, leaders in pairs if leaders}


def _key(line: Line) -> str:
    return squash(norm(strip_page(line.text)[0]))


def find_toc(lines: list[Line]) -> tuple[int, int, int] | None:
    """``(label index or -1, first entry index, end index)`` of the 目录 in ``lines``, or ``None``."""
    for i, line in enumerate(lines):
        if "目" in line.norm and squash(line.norm) == "目录":
            end = _extent(lines, i + 1, labelled=True)
            return i, i + 1, end
    i = 0
    while i < len(lines):
        # an entry's marker starts its line's normalised view: most lines cannot open a 目录
        entry = entry_of(lines[i]) if may_start_marker(lines[i].norm.lstrip()) else None
        if entry and entry[0]:
            end = _extent(lines, i, labelled=False)
            entries = [entry_of(ln) for ln in lines[i:end] if ln.text and not lone_page(ln)]
            levels = [e[0].level if e and e[0] else "" for e in entries]
            siblings = any(a and a == b for a, b in zip(levels, levels[1:]))
            if len(entries) >= 4 and siblings:
                return -1, i, end
            i = max(end, i + 1)
            continue
        i += 1
    return None


def _extent(lines: list[Line], start: int, labelled: bool) -> int:
    """Index after the last entry of a 目录 whose entries start at ``start``."""
    first = ""
    first_marker = None
    paged = unpaged = 0
    end = start
    j = start
    while j < len(lines):
        line = lines[j]
        if not line.text:
            j += 1
            continue
        if end > start and lone_page(line) and _page_due(lines, j, end):
            paged, unpaged = paged + 1, unpaged - 1  # the entry above carries its page on this line
            j += 1
            end = j
            continue
        entry = entry_of(line)
        if entry is None:
            # A wrapped entry: a short unnumbered line without sentence punctuation.
            if labelled and end > start and display_width(line.text) <= 40 and not re.search(r"[。；;]", line.norm) \
                    and (not paged > unpaged or _page_next(lines, j)) and j + 1 < len(lines):
                j += 1
                end = j
                continue
            break
        marker, label, page = entry
        key = _key(line)
        if first and (key == first or (marker and not marker.rest and first_marker == (marker.level, marker.value))):
            break  # the first entry comes round again (a bare 第一章 with its title on the next line too)
        if paged > unpaged and not page and (marker or label) and not _wrapped_entry(lines, j) \
                and _prose_follows(lines, j):
            break  # entries carry page numbers: an unnumbered heading followed by text is the body's
        if label and not page and end > start and _next_is_prose(lines, j):
            break  # a 前言 heading followed by its text opens the body
        if not first:
            first, first_marker = key, (marker.level, marker.value) if marker else None
        paged += bool(page)
        unpaged += not page
        j += 1
        end = j
    return end


def _pageless_entry_line(lines: list[Line], j: int, first: int) -> bool:
    """Whether ``lines[j]`` is a 目录 entry without a page number, or the second line of one
    (a short line without 。 after such an entry: a title wrapped over two lines)."""
    entry = entry_of(lines[j])
    if entry:
        return not entry[2]
    if not lines[j].text or "。" in lines[j].norm or display_width(lines[j].text) > 60 or strip_page(lines[j].text)[1]:
        return False
    p = j - 1
    while p >= first and not lines[p].text:
        p -= 1
    above = entry_of(lines[p]) if p >= first else None
    return bool(above and not above[2])


def _page_due(lines: list[Line], j: int, end: int) -> bool:
    """Whether the lone number ``lines[j]`` is the page of the 目录 entry just read (``lines[end - 1]``,
    blank lines between), which carries none of its own."""
    p = j - 1
    while p >= 0 and not lines[p].text:
        p -= 1
    return p == end - 1 and _pageless_entry_line(lines, p, 0)


def _page_next(lines: list[Line], j: int) -> bool:
    """Whether the next non-blank line after ``lines[j]`` is a page number alone."""
    k = j + 1
    while k < len(lines) and not lines[k].text:
        k += 1
    return k < len(lines) and bool(lone_page(lines[k]))


def _prose_follows(lines: list[Line], j: int) -> bool:
    """Whether text that is no 目录 entry follows ``lines[j]`` before any entry with a page number
    (at the end of a cut excerpt nothing follows: the entry is the 目录's last)."""
    for line in lines[j + 1:]:
        if not line.text:
            continue
        if lone_page(line):
            return False
        entry = entry_of(line)
        if entry is None:
            return True
        if entry[2]:
            return False
    return False


def _next_is_prose(lines: list[Line], j: int) -> bool:
    """Whether the next non-blank line after ``lines[j]`` is text, not a 目录 entry."""
    for line in lines[j + 1:]:
        if line.text:
            return entry_of(line) is None
    return False


def _wrapped_entry(lines: list[Line], j: int) -> bool:
    """Whether entry ``lines[j]`` goes on on the next non-blank line, which carries its page number
    (after the rest of its title, or alone)."""
    k = j + 1
    while k < len(lines) and not lines[k].text:
        k += 1
    if k >= len(lines):
        return False
    nxt = entry_of(lines[k])
    if bool(nxt and not nxt[0] and not nxt[1] and nxt[2]) or lone_page(lines[k]):
        return True
    if nxt or "。" in lines[k].norm or display_width(lines[k].text) > 60:
        return False
    return _page_next(lines, k)  # the rest of the title, then the page number alone


def parse_toc(lines: list[Line]) -> list[TocEntry]:
    """Entries of the 目录 region ``lines``: one per numbered line or label, wrapped titles joined,
    run-together entries split. Titles are as printed, white space inside Chinese removed, without
    leaders and page numbers."""
    entries: list[TocEntry] = []
    for line in lines:
        if not line.text or squash(line.norm) == "目录":
            continue
        raw = line.raw.replace("**", "").replace("<b>", "").replace("</b>", "").strip()
        if lone_page(line) and entries and not entries[-1].page:
            entries[-1].page = lone_page(line)  # the page number wrapped onto a line of its own
            continue
        pieces = [p for p in _RUN_TOGETHER.split(raw) if p.strip()] if not re.search(r"\t", raw) else [raw]
        for piece in pieces:
            title, page = strip_page(piece.strip())
            title = re.sub(r"\t+", " ", title).strip()
            marker = match_marker(title)
            label = _label(title)
            if label:
                entries.append(TocEntry(label, "", label, page, line.number))
            elif marker and marker.level != "专栏":
                entries.append(TocEntry(marker.level, marker.number, marker.rest, page, line.number))
            elif entries:
                entries[-1].title = _join(entries[-1].title, display(title))
                entries[-1].page = entries[-1].page or page
            else:
                entries.append(TocEntry("", "", display(title), page, line.number))
    return entries


def titles_by_number(entries: list[TocEntry]) -> dict[tuple[str, str], str]:
    """The 目录's titles by ``(level, number)`` (number and title normalised, white space removed),
    for the numbers the 目录 lists once (a 节 numbering restarting in each 章 is ambiguous: left
    out). The body uses them as evidence that a heading's title goes on on its next line."""
    keys = [(e.level, squash(norm(e.number))) for e in entries]
    seen: dict[tuple[str, str], int] = {}
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
    return {key: squash(norm(e.title)) for key, e in zip(keys, entries) if e.number and seen[key] == 1}


def _join(first: str, second: str) -> str:
    """Join two lines of one entry title; a space separates them only where the title already
    used spaces between its phrases."""
    if not first:
        return second
    return f"{first}{second}" if display_width(first) >= 40 and " " not in first else f"{first} {second}"


def check_toc(source: str, doc: Document, levels: list[str]) -> list[Problem]:
    """Compare the printed 目录 with the body headings; one warning per mismatch.

    Compares, per numbering level the 目录 lists, the sequence of numbers and titles (white space
    ignored). A 目录 with no entries is a warning too. Nothing is compared when the body has no
    headings at all (an excerpt that ends in the 目录).
    """
    if not doc.toc:
        return []
    problems = []
    kinds = level_kinds(levels)
    by_level: dict[str, list] = {}
    for node in doc.walk():
        if node.kind in ("notice", "toc", "preface", "paragraph", "table", "box"):
            continue
        marker = match_marker(node.number) if node.number else None
        if marker and marker.level in kinds:
            by_level.setdefault(marker.level, []).append(node)
    if not by_level:
        return [Problem(source, doc.toc[0].line, f"目录 lists {len(doc.toc)} entries but the body has no "
                                                 f"headings (an excerpt, or headings not recognised)")]
    for level in dict.fromkeys(e.level for e in doc.toc):
        if level not in kinds:
            continue
        entries = [e for e in doc.toc if e.level == level]
        nodes = by_level.get(level, [])
        if len(entries) != len(nodes):
            problems.append(Problem(source, entries[0].line,
                                    f"目录 lists {len(entries)} {level} but the body has {len(nodes)}"))
        for entry, node in zip(entries, nodes):
            if entry.number != node.number or squash(entry.title) != squash(node.title):
                problems.append(Problem(source, entry.line,
                                        f"目录 entry {entry.number} {entry.title!r} differs from body heading "
                                        f"{node.number} {node.title!r} (line {node.lines[0]})"))
    return problems
