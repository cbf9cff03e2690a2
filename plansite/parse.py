"""Structure recovery: corrected source lines → :class:`~plansite.model.Document`.

The pipeline, top to bottom:

1. :func:`clean_line` strips markup the extraction added (markdown ``#``, ``**``, ``<b>``) — markup
   is never used to decide structure.
2. :func:`split_front` finds the front matter: issuing notice / title, the 目录 (table of contents)
   and the 前言 (preface); the body starts at the first top-level heading.
3. :func:`parse_body` walks the body lines: a line that starts with a numbering marker of a level
   the document uses, in sequence, opens a heading (see :mod:`plansite.numbering`); tab-separated
   runs become tables; all other lines are paragraph text, re-joined across hard wraps and page
   breaks. Lone page numbers and web residue are dropped by named rules, listed in the report.
4. :func:`parse_toc` reads the 目录 and :func:`check_toc` compares it with the body.

Every node gets a stable id from its numbering path and the source line range it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import Problem
from .model import Document, Dropped, Node, SourceLine, TocEntry
from .numbering import LEVEL_ORDER, Marker, match_marker
from .plans import Plan

#: Named rules for lines that are dropped from the pages (each drop is listed in the build report).
DROP_RULES: dict[str, re.Pattern[str]] = {
    "page-number": re.compile(r"^[-—–]?\s*\d{1,3}\s*[-—–]?$"),
    "markdown-rule": re.compile(r"^(-{3,}|\*{3,}|_{3,})$"),
    "editor-credit": re.compile(r"^(责任)?编辑\s*[/／：:]\s*\S{1,8}$"),
}

#: Characters that end a sentence: a paragraph whose text ends with one is complete.
TERMINAL = "。！？；：…”’」』）)】"
#: Closing quotes: they end a sentence only after a sentence end (``…。”``); ``…“两张清单”`` at the
#: end of a line is a sentence cut by a page break.
_CLOSING_QUOTES = "”’」』"
#: Circled numbers: footnote marks (taishang-14th: a lone ``①`` in the text, and the footnote
#: ``① “一核”指…`` printed at the foot of the page, cutting the paragraph it interrupts).
FOOTNOTE_MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: Punctuation found inside running prose (``职业教育提质培优行动：扩大…``), not in a title.
_PROSE = "，。、；："
#: Characters that cannot begin a paragraph: a line starting with one continues the previous one.
CONTINUES = "，。；：、！？）)》」』%％"

_MARKUP = [
    (re.compile(r"</?b>"), ""),
    (re.compile(r"\*\*"), ""),
]
_HEADING = re.compile(r"^#{1,6}\s*")
_LEADER = re.compile(r"\s*[.·…．。]{2,}\s*$")


def display_width(text: str) -> int:
    """Width of ``text`` in half-width columns (CJK and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clean_line(raw: str) -> tuple[str, bool]:
    """``raw`` without extraction markup, and whether it was marked as a markdown heading.

    ``"## **二、加强…**  "`` → ``("二、加强…", True)``. Inner spaces are kept; outer white space,
    including the full-width space U+3000, is stripped.
    """
    text = raw.strip().strip("\u3000")
    is_heading = bool(_HEADING.match(text))
    text = _HEADING.sub("", text)
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text.strip().strip("\u3000").strip(), is_heading


def ends_sentence(text: str, strict: bool = False) -> bool:
    """Whether ``text`` ends a sentence: its last character, closing quotes aside, is one of
    :data:`TERMINAL` (``"…发展。”"`` yes, ``"…“两张清单”"`` no, ``""`` yes).

    ``strict`` (hard-wrapped text, where a line end says nothing): closing brackets are set aside
    too, so ``"…院士（专家）"`` does not end a sentence but ``"…（2035年）。"`` does.
    """
    core = text.rstrip(_CLOSING_QUOTES + ("）)】" if strict else ""))
    if not core:
        return not text
    return core[-1] in TERMINAL


def squash(text: str) -> str:
    """``text`` without any white space, for comparing titles (``"前 言"`` == ``"前言"``)."""
    return re.sub(r"\s+", "", text)


def drop_rule(text: str) -> str | None:
    """Name of the :data:`DROP_RULES` rule that drops this cleaned line, or ``None``."""
    for name, pattern in DROP_RULES.items():
        if pattern.match(text):
            return name
    return None


# ---------------------------------------------------------------------------------------------
# Front matter


@dataclass
class FrontSplit:
    """Indexes into the line list: ``[0, toc_start)`` notice, ``[toc_start, toc_end)`` 目录,
    ``[preface_start, body_start)`` 前言; ``-1`` where a part is absent."""

    notice_end: int
    toc_start: int
    toc_end: int
    preface_start: int
    body_start: int


def _is_toc_entry(raw: str) -> bool:
    text, _ = clean_line(raw)
    return "\t" in raw or bool(re.search(r"(\d+|[.·…]{2,})$", text))


def split_front(lines: list[SourceLine], top_level: str) -> FrontSplit:
    """Find where notice, 目录, 前言 and body begin.

    The body starts at the first line (after any 目录) that opens the top-level division number 1
    (``第一篇``, ``第一章`` or ``一、``) — in a 目录 such a line carries a page number instead.
    """
    cleaned = [clean_line(sl.text)[0] for sl in lines]
    toc_start = toc_end = -1
    for i, text in enumerate(cleaned):
        if squash(text) == "目录":
            toc_start, j = i, i + 1
            while j < len(lines) and (not cleaned[j] or _is_toc_entry(lines[j].text)):
                j += 1
            toc_end = j
            break
    start = max(toc_end, 0)
    body_start = len(lines)
    for i in range(start, len(lines)):
        marker = match_marker(cleaned[i])
        if marker and marker.level == top_level and marker.value == 1:
            body_start = i
            break
    preface_start = -1
    for i in range(start, body_start):
        if squash(cleaned[i]) == "前言":
            preface_start = i
            break
    if toc_start >= 0:
        notice_end = toc_start
    else:
        # No 目录: the title block is the leading headings and the approval line in brackets.
        notice_end = 0
        for i in range(0, body_start if preface_start < 0 else preface_start):
            text = cleaned[i]
            if not text:
                continue
            title_like = clean_line(lines[i].text)[1] or re.match(r"^[（(].*(通过|批准)[）)]$", text)
            if not title_like:
                break
            notice_end = i + 1
    if preface_start < 0 and any(cleaned[i] for i in range(max(notice_end, toc_end), body_start)):
        preface_start = max(notice_end, toc_end)
    return FrontSplit(notice_end, toc_start, toc_end, preface_start, body_start)


def parse_toc(lines: list[SourceLine]) -> list[TocEntry]:
    """Entries of the 目录 region ``lines``: one per 篇/章/节/前言, wrapped titles joined.

    An entry's title is cut before its leader dots and page number; a line without a marker
    continues the title of the entry before it (PDF wraps inside the 目录).
    """
    entries: list[TocEntry] = []
    for sl in lines:
        text, _ = clean_line(sl.text)
        if not text or squash(text) == "目录":
            continue
        cells = [c.strip() for c in re.split(r"\t+", re.sub(r"</?b>", "", sl.text).strip()) if c.strip()]
        page = ""
        if cells and re.fullmatch(r"\d+", cells[-1]):
            page = cells.pop()
        title = _LEADER.sub("", " ".join(cells)).strip()
        title = re.sub(r"\s*\d+$", "", title) if not page else title
        title = _LEADER.sub("", title).strip()
        marker = match_marker(title)
        if squash(title) == "前言":
            entries.append(TocEntry("前言", "", "前言", page, sl.number))
        elif marker and marker.level in ("篇", "章", "节"):
            entries.append(TocEntry(marker.level, marker.number, marker.rest, page, sl.number))
        elif entries:
            entries[-1].title = _join_title(entries[-1].title, title)
    return entries


def _join_title(first: str, second: str) -> str:
    """Join two lines of one title; a space separates them only where the title already used spaces
    between its phrases."""
    if not first:
        return second
    return f"{first}{second}" if display_width(first) >= 40 and " " not in first else f"{first} {second}"


# ---------------------------------------------------------------------------------------------
# Body


@dataclass
class _Open:
    node: Node
    level: str  # numbering level, "专栏" for boxes, "" for front matter


class BodyParser:
    """Builds the body tree from cleaned lines; see the module docstring for the rules.

    ``levels`` are the numbering levels the document uses, outermost first (a sub-list of
    :data:`~plansite.numbering.LEVEL_ORDER`); ``wrapped`` tells that lines were hard-wrapped by a
    PDF extraction at ``wrap_width`` columns, so a full-width line continues on the next one.
    """

    def __init__(self, plan: Plan, levels: list[str], wrapped: bool, wrap_width: int):
        self.plan = plan
        self.levels = levels
        self.kinds = level_kinds(levels)
        self.wrapped = wrapped
        self.wrap_width = wrap_width
        self.roots: list[Node] = []
        self.stack: list[_Open] = []
        self.last_value: dict[str, int] = {}
        self.last_box = 0
        self.tables = 0
        self.paragraph: Node | None = None
        self.last_text_width = 0
        self.in_note = False
        self.last_line = ""
        self.in_front = False
        self.footnote_refs: set[str] = set()
        self.footnote: Node | None = None
        self.resume: Node | None = None
        self.dropped: list[Dropped] = []
        self.warnings: list[Problem] = []
        self.ids: set[str] = set()

    # -- structure -------------------------------------------------------------------------

    def container(self) -> Node | None:
        return self.stack[-1].node if self.stack else None

    def _unique(self, wanted: str) -> str:
        node_id, n = wanted, 2
        while node_id in self.ids:
            node_id, n = f"{wanted}-{n}", n + 1
        self.ids.add(node_id)
        return node_id

    def add_block(self, node: Node) -> None:
        parent = self.container()
        siblings = parent.children if parent else self.roots
        prefix = {"paragraph": "p", "table": "t"}[node.kind]
        count = sum(1 for c in siblings if c.kind == node.kind) + 1
        if node.kind == "table":
            self.tables += 1
            node.id = self._unique(f"table-{self.tables}")
        else:
            node.id = self._unique(f"{parent.id}-{prefix}{count}" if parent else f"{prefix}{count}")
        siblings.append(node)
        self._extend(node.lines[1])

    def _extend(self, line: int) -> None:
        for open_ in self.stack:
            open_.node.lines = (open_.node.lines[0], max(open_.node.lines[1], line))

    def accepts(self, marker: Marker) -> bool:
        """Whether a line starting with ``marker`` is a heading here, rather than text."""
        if marker.level == "专栏":
            return marker.value in (1, self.last_box + 1)
        if marker.level not in self.levels or (self.in_note and marker.level == "1."):
            return False
        if marker.level == "1." and (not marker.rest or marker.rest[0].isdigit()):
            return False
        rank = self.levels.index(marker.level)
        if rank > 0 and not any(o.level in self.levels[:rank] for o in self.stack):
            return False  # a sub-level heading needs its parent level open
        return marker.value == 1 or marker.value == self.last_value.get(marker.level, 0) + 1

    def open_heading(self, marker: Marker, title: str, line: int) -> Node:
        if marker.level == "专栏":
            # A box closes any open box, and sits inside the current heading.
            while self.stack and self.stack[-1].level == "专栏":
                self.stack.pop()
            self.last_box = marker.value
            node = Node("box", id=self._unique(f"box-{marker.value}"), number=marker.number, title=title,
                        lines=(line, line))
        else:
            rank = self.levels.index(marker.level)
            while self.stack and (self.stack[-1].level == "专栏"
                                  or self.levels.index(self.stack[-1].level) >= rank):
                self.stack.pop()
            self.last_value[marker.level] = marker.value
            kind = self.kinds[marker.level]
            parent = self.container()
            if kind in ("part", "chapter") or parent is None:
                wanted = f"{kind}-{marker.value}"
            else:
                wanted = f"{parent.id}-{marker.value}"
            node = Node(kind, id=self._unique(wanted), number=marker.number, title=title, lines=(line, line))
        parent = self.container()
        (parent.children if parent else self.roots).append(node)
        self._extend(line)
        self.stack.append(_Open(node, marker.level))
        self.reset_paragraph()
        return node

    # -- paragraphs ------------------------------------------------------------------------

    def continues(self, text: str) -> bool:
        """Whether the line ``text`` continues the open paragraph rather than starting a new one.

        Always when it starts with a character no paragraph begins with (``，``, ``）`` …). Otherwise
        only when the paragraph so far does not end a sentence (see :func:`ends_sentence`), and:

        - hard-wrapped text (PDF extraction): always — a sentence cut at a line end goes on;
        - other text (one line per paragraph): when the paragraph's last line is running prose —
          60 columns or more, a ``——`` list entry, or holding prose punctuation (``，。、；：``) —
          and the line does not open a ``——`` list entry. A short line without such punctuation
          is a title or a caption. In the front matter (notice, title block) only punctuation
          counts: ``…纲要的通知`` is a title however long.
        """
        para = self.paragraph
        if para is None:
            return False
        if text[0] in CONTINUES:
            return True
        if ends_sentence(para.text, strict=self.wrapped):
            return False
        if self.wrapped:
            return True
        last = self.last_line
        prose = any(ch in last for ch in _PROSE) or (
            not self.in_front and (display_width(last) >= 60 or last.startswith("——")))
        return prose and not text.startswith(("——", "—"))

    def add_text(self, text: str, line: int) -> None:
        """Add the text line ``text`` (seed line ``line``) to the open paragraph or a new one.

        Footnotes (taishang-14th): a line starting with a circled number is a footnote when text
        follows the mark or the same mark was already seen in the text; the footnote becomes a
        paragraph of its own that ends at its first sentence end, after which the paragraph it
        interrupted goes on. A lone mark seen for the first time is the reference in the text.
        """
        width = display_width(text)
        mark = text[0] if text[0] in FOOTNOTE_MARKS else ""
        if mark and (text.strip(FOOTNOTE_MARKS + " ") or mark in self.footnote_refs):
            open_ = self.paragraph
            interrupted = open_ if open_ and not ends_sentence(open_.text, strict=self.wrapped) else None
            self.resume = self.resume or interrupted
            self.paragraph = Node("paragraph", text=text, lines=(line, line))
            self.add_block(self.paragraph)
            self.footnote = self.paragraph
            self._end_footnote()
            self.last_text_width, self.last_line = width, text
            return
        if mark and self.paragraph is not None and self.footnote is None:
            self.footnote_refs.add(mark)
            self.paragraph.text += text
            self.paragraph.lines = (self.paragraph.lines[0], line)
            self._extend(line)
            return
        if mark:
            self.footnote_refs.add(mark)
        if self.footnote is not None or self.continues(text):
            self.paragraph.text += text
            self.paragraph.lines = (self.paragraph.lines[0], line)
            self._extend(line)
            self._end_footnote()
        else:
            self.paragraph = Node("paragraph", text=text, lines=(line, line))
            self.add_block(self.paragraph)
            # Numbered lines after 注：/备注： are the notes' own list, not items of the plan.
            note_start = bool(re.match(r"^(备注|注)[：:]", text))
            self.in_note = note_start or (self.in_note and bool(re.match(r"^[(（]?\d", text)))
        self.last_text_width, self.last_line = width, text

    def _end_footnote(self) -> None:
        """Close the open footnote once its text ends a sentence; the interrupted paragraph resumes."""
        if self.footnote is not None and ends_sentence(self.footnote.text, strict=True):
            self.footnote = None
            self.paragraph, self.resume = self.resume, None

    def reset_paragraph(self) -> None:
        """Close the open paragraph and any open footnote (a heading or a table follows)."""
        self.paragraph = self.footnote = self.resume = None


def level_kinds(levels: list[str]) -> dict[str, str]:
    """Outline kind of each numbering level a document uses.

    篇 → part, 章 → chapter, 节 → section, 1. → item. 一、 is the part when the document has neither
    篇 nor 章 (a proposal, or a plan without chapters), else a subsection; （一） is the section when
    一、 is the part and there is no 节, else a subsection.
    """
    kinds = {"篇": "part", "章": "chapter", "节": "section", "1.": "item"}
    out = {lv: kinds[lv] for lv in levels if lv in kinds}
    if "一、" in levels:
        out["一、"] = "part" if not {"篇", "章"} & set(levels) else "subsection"
    if "（一）" in levels:
        out["（一）"] = "section" if out.get("一、") == "part" and "节" not in levels else "subsection"
    return out


def detect_levels(lines: list[SourceLine]) -> list[str]:
    """Numbering levels that open at least two headings in sequence (1 then 2) in the text."""
    seen: dict[str, set[int]] = {}
    for sl in lines:
        marker = match_marker(clean_line(sl.text)[0])
        if marker and marker.level in LEVEL_ORDER:
            seen.setdefault(marker.level, set()).add(marker.value)
    return [lv for lv in LEVEL_ORDER if {1, 2} <= seen.get(lv, set())]


def detect_wrap(lines: list[SourceLine]) -> tuple[bool, int]:
    """Whether the text is hard-wrapped (PDF extraction) and at what width, in columns.

    Hard-wrapped when there are at least 20 non-blank lines, over 30 % of them have the same width
    (±2 columns), and that width is a printed line's: 40 to 80 columns. A short text is never
    taken for hard-wrapped.
    """
    widths = [display_width(clean_line(sl.text)[0]) for sl in lines if sl.text.strip()]
    if len(widths) < 20:
        return False, 0
    common = max(set(widths), key=lambda w: (sum(1 for x in widths if abs(x - w) <= 2), -w))
    share = sum(1 for x in widths if abs(x - common) <= 2) / len(widths)
    return (share > 0.3 and 40 <= common < 80), common


def split_runin(raw: str, text: str, marker: Marker) -> tuple[str, str]:
    """Split a numbered line into (title, run-in body text).

    A bold title ``**5. 人民生活更加幸福。**居民收入…`` ends where the bold ends; an unmarked one
    ``1.突出创新引领、落实赶超，速度更快、质量更优。2020 年…`` ends at its first 。 when that comes
    within 40 characters and text follows. Otherwise the whole rest is the title.
    """
    rest = marker.rest
    bold = re.match(r"^[#\s]*\*\*(.+?)\*\*(.+)$", raw.strip())
    if bold:
        inner = clean_line(bold.group(1))[0]
        m = match_marker(inner)
        title = m.rest if m else inner
        body = clean_line(bold.group(2))[0]
        if body:
            return title, body
    if marker.level in ("1.", "（一）", "一、"):
        cut = rest.find("。")
        if 0 < cut <= 40 and cut < len(rest) - 1:
            return rest[: cut + 1], rest[cut + 1:].strip()
        if marker.level == "1." and display_width(rest) > 50 and not 0 < cut <= 40:
            return "", rest  # a numbered paragraph with no title of its own
    return rest, ""


def parse_document(plan: Plan, lines: list[SourceLine]) -> Document:
    """Parse the corrected source ``lines`` of ``plan`` into a :class:`Document`.

    Never raises for odd text: what cannot be placed is a paragraph; problems found (such as 目录
    mismatches) are returned as ``Document.warnings``.
    """
    levels = plan.levels or detect_levels(lines)
    if not levels:
        levels = ["一、"]
    front_split = split_front(lines, levels[0])
    wrapped, width = detect_wrap(lines[front_split.body_start:])
    parser = BodyParser(plan, levels, wrapped, width)
    front = _front_nodes(lines, front_split, parser)
    _parse_body(parser, lines[front_split.body_start:], plan.table_ranges)
    toc = parse_toc(lines[front_split.toc_start:front_split.toc_end]) if front_split.toc_start >= 0 else []
    doc = Document(front=front, body=parser.roots, toc=toc, dropped=parser.dropped, warnings=parser.warnings)
    doc.warnings += check_toc(plan, doc)
    return doc


def _front_nodes(lines: list[SourceLine], split: FrontSplit, parser: BodyParser) -> list[Node]:
    nodes = []
    pieces = [("notice", 0, split.notice_end)]
    if split.toc_start >= 0:
        pieces.append(("toc", split.toc_start, split.toc_end))
    if split.preface_start >= 0:
        pieces.append(("preface", split.preface_start, split.body_start))
    for kind, start, end in pieces:
        chunk = [sl for sl in lines[start:end] if sl.text.strip()]
        if not chunk:
            continue
        texts = [clean_line(sl.text)[0] for sl in chunk]
        if kind == "notice":
            title = "印发通知" if any("通知" in t for t in texts) else "标题"
        elif kind == "toc":
            title = "目录"
        else:
            title = "前言" if squash(texts[0]) == "前言" else "引言"
        node = Node(kind, id=kind, title=title, lines=(chunk[0].number, chunk[-1].number))
        parser.ids.add(kind)
        if kind == "toc":
            rows = []
            for sl in chunk[1:]:
                cells = [clean_line(c)[0] for c in re.split(r"\t+", sl.text.strip())]
                cells = [_LEADER.sub("", c) for c in cells if c]
                rows.append(cells)
            node.children.append(Node("table", id="toc-t1", rows=rows, lines=(chunk[1].number, chunk[-1].number)) if rows else None)
            node.children = [c for c in node.children if c]
        else:
            parser.stack = [_Open(node, "")]
            parser.reset_paragraph()
            parser.in_front = kind == "notice"
            body = chunk[1:] if kind == "preface" and title == "前言" else chunk
            _parse_body(parser, body, [], front=True)
            parser.stack = []
            parser.in_front = False
        nodes.append(node)
    parser.reset_paragraph()
    return nodes


def _parse_body(parser: BodyParser, lines: list[SourceLine], table_ranges, front: bool = False) -> None:
    i = 0
    while i < len(lines):
        sl = lines[i]
        text, md_heading = clean_line(sl.text)
        if not text:
            i += 1
            continue
        rule = drop_rule(text) or next((d.rule for d in parser.plan.drop if d.first <= sl.number <= d.last), None)
        if rule:
            parser.dropped.append(Dropped(sl.number, sl.text, rule))
            i += 1
            continue
        in_range = next((r for r in table_ranges if r[0] <= sl.number <= r[1]), None)
        if in_range or "\t" in sl.text:
            j, rows = i, []
            while j < len(lines):
                cur = lines[j]
                inside = in_range and in_range[0] <= cur.number <= in_range[1]
                if not inside and "\t" not in cur.text:
                    # blank lines inside a tab table are allowed when the table goes on after them
                    k = j
                    while k < len(lines) and not lines[k].text.strip():
                        k += 1
                    if in_range or k == j or k >= len(lines) or "\t" not in lines[k].text:
                        break
                    j = k
                    continue
                if cur.text.strip():
                    cells = [clean_line(c)[0] for c in cur.text.rstrip("\n").split("\t")]
                    while cells and not cells[-1]:
                        cells.pop()
                    rows.append(cells)
                last = cur.number
                j += 1
            parser.add_block(Node("table", rows=rows, lines=(sl.number, last)))
            parser.reset_paragraph()
            i = j
            continue
        marker = None if front else match_marker(text)
        if marker and parser.accepts(marker):
            title, body = split_runin(sl.text, text, marker)
            last_line = sl.number
            # A heading wrapped onto a second line (split titles in 002/004, PDF wraps in 003).
            if not body and marker.level != "1.":
                k = i + 1
                while k < len(lines) and not lines[k].text.strip():
                    k += 1
                if k < len(lines):
                    nxt, nxt_md = clean_line(lines[k].text)
                    follows = nxt and not match_marker(nxt) and nxt[-1] not in "。；：" and "\t" not in lines[k].text
                    top = marker.level in ("篇", "章") or marker.level == parser.levels[0]
                    if follows and ((top and md_heading and nxt_md and display_width(nxt) <= 60)
                                    or (top and not md_heading and not nxt_md and display_width(nxt) <= 24)
                                    or (parser.wrapped and display_width(sl.text.strip()) >= parser.wrap_width - 8
                                        and display_width(nxt) <= 30)):
                        title = _join_title(title, nxt) if md_heading else title + nxt
                        last_line = lines[k].number
                        i = k
            parser.open_heading(marker, title, sl.number)
            parser._extend(last_line)
            parser.stack[-1].node.lines = (sl.number, last_line)
            parser.in_note = False
            if body:
                parser.add_text(body, sl.number)
            parser.last_text_width = 0
            i += 1
            continue
        parser.add_text(text, sl.number)
        i += 1


def check_toc(plan: Plan, doc: Document) -> list[Problem]:
    """Compare the printed 目录 with the body headings; one warning per mismatch.

    Compares, per level 篇/章/节, the sequence of numbers and titles (white space ignored).
    """
    if not doc.toc:
        return []
    problems = []
    by_level: dict[str, list[Node]] = {}
    kinds = level_kinds(plan.levels or [e.level for e in doc.toc])
    for node in doc.walk():
        for level, kind in kinds.items():
            if node.kind == kind and level in ("篇", "章", "节") and node.number.endswith(level):
                by_level.setdefault(level, []).append(node)
    for level in ("篇", "章", "节"):
        entries = [e for e in doc.toc if e.level == level]
        nodes = by_level.get(level, [])
        if not entries:
            continue
        if len(entries) != len(nodes):
            problems.append(Problem(plan.source, entries[0].line,
                                    f"目录 lists {len(entries)} {level} but the body has {len(nodes)}"))
        for entry, node in zip(entries, nodes):
            if entry.number != node.number or squash(entry.title) != squash(node.title):
                problems.append(Problem(plan.source, entry.line,
                                        f"目录 entry {entry.number} {entry.title!r} differs from body heading "
                                        f"{node.number} {node.title!r} (line {node.lines[0]})"))
    return problems
