"""The 目录 (table of contents): where it is, its entries, and how it compares with the body.

A 目录 is found with or without its label:

- labelled: a line reading ``目录`` (``目 录``, ``目錄``); the entries follow;
- unlabelled: a run of at least four numbered lines with no text between them, two of them
  siblings in a row (in a body, text always separates two sibling headings).

Entries are numbered lines (any level), 前言/序言/结束语-style labels, or lines ending in a page
number (after ``……`` leaders, in ``(8)`` brackets, after a tab or spaces). The 目录 ends at the
first line that is none of these (prose, or an unnumbered line once entries carried page numbers),
or where the first entry comes round again (the body's first heading). Entries run together on
one line (``第一章 发展基础 第二章 发展环境``) are split at each 第X篇/章/节.
"""

from __future__ import annotations

import re

from ..errors import Problem
from ..model import Document, TocEntry
from .levels import Marker, display, level_kinds, match_marker
from .lines import Line, display_width
from .normalize import norm, squash

#: Unnumbered entries a 目录 lists (normalised, white space removed).
LABELS = ("前言", "序言", "引言", "导言", "结束语", "结语", "后记", "附件", "附表", "附录", "名词解释", "说明")
_PAGE = re.compile(r"^(?P<title>.*?)(?:[.·…．。_\-]{2,}\s*[(（]?\s*|\s*[(（]\s*|\t+\s*|\s{2,}|(?<=\s))"
                   r"(?P<page>\d{1,4})\s*[)）]?$")
#: A page number glued to the end of a title (``发展基础12``): up to three digits after Chinese text.
_GLUED_PAGE = re.compile(r"^(?P<title>.*[\u4e00-\u9fff”）)])(?P<page>\d{1,3})$")
_LEADERS = re.compile(r"[.·…．。_]{2,}\s*$")
_RUN_TOGETHER = re.compile(r"(?<=\S)\s*(?=第[〇零一二两三四五六七八九十百\d]{1,5}(?:[篇章节]|部分))")


def strip_page(text: str) -> tuple[str, str]:
    """``(title, page)`` of a 目录 line as printed: leaders and a trailing page number cut off
    (``"序 言……(8)"`` → ``("序 言", "8")``, ``"发展基础\\t7"`` → ``("发展基础", "7")``, ``"发展基础12"``
    → ``("发展基础", "12")``); ``page`` is ``""`` when the line carries none."""
    m = _PAGE.match(text.rstrip()) or _GLUED_PAGE.match(text.rstrip())
    if m and m.group("title").strip():
        return _LEADERS.sub("", m.group("title")).rstrip(), m.group("page")
    return _LEADERS.sub("", text.rstrip()).rstrip(), ""


def _label(text: str) -> str:
    """The unnumbered-entry label ``text`` is (``"序 言"`` → ``"序言"``), or ``""``."""
    view = squash(norm(text))
    return view if view in LABELS else ""


def entry_of(line: Line) -> tuple[Marker | None, str, str] | None:
    """``(marker, label, page)`` when ``line`` reads as a 目录 entry, else ``None``."""
    if not line.text:
        return None
    title, page = strip_page(line.raw.replace("**", "").replace("<b>", "").replace("</b>", "").strip())
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


def _key(line: Line) -> str:
    return squash(norm(strip_page(line.text)[0]))


def find_toc(lines: list[Line]) -> tuple[int, int, int] | None:
    """``(label index or -1, first entry index, end index)`` of the 目录 in ``lines``, or ``None``."""
    for i, line in enumerate(lines):
        if squash(line.norm) == "目录":
            end = _extent(lines, i + 1, labelled=True)
            return i, i + 1, end
    i = 0
    while i < len(lines):
        if entry_of(lines[i]) and entry_of(lines[i])[0]:
            end = _extent(lines, i, labelled=False)
            entries = [entry_of(ln) for ln in lines[i:end] if ln.text]
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
        entry = entry_of(line)
        if entry is None:
            # A wrapped entry: a short unnumbered line without sentence punctuation.
            if labelled and end > start and display_width(line.text) <= 40 and not re.search(r"[。；;]", line.norm) \
                    and not (paged > unpaged) and j + 1 < len(lines):
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


def _prose_follows(lines: list[Line], j: int) -> bool:
    """Whether text that is no 目录 entry follows ``lines[j]`` before any entry with a page number
    (at the end of a cut excerpt nothing follows: the entry is the 目录's last)."""
    for line in lines[j + 1:]:
        if not line.text:
            continue
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
    """Whether entry ``lines[j]`` goes on on the next non-blank line, which carries its page number."""
    k = j + 1
    while k < len(lines) and not lines[k].text:
        k += 1
    if k >= len(lines):
        return False
    nxt = entry_of(lines[k])
    return bool(nxt and not nxt[0] and not nxt[1] and nxt[2])


def parse_toc(lines: list[Line]) -> list[TocEntry]:
    """Entries of the 目录 region ``lines``: one per numbered line or label, wrapped titles joined,
    run-together entries split. Titles are as printed, white space inside Chinese removed, without
    leaders and page numbers."""
    entries: list[TocEntry] = []
    for line in lines:
        if not line.text or squash(line.norm) == "目录":
            continue
        raw = line.raw.replace("**", "").replace("<b>", "").replace("</b>", "").strip()
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
