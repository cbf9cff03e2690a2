"""Building the document tree from the parser's lines: headings open nodes, tables and paragraphs
fill them.

A line starting with a numbering marker of a level the document uses opens a heading when it is
in sequence (number 1, or one more than the last heading of its level; a first number above 1
only at the very start of a text that begins mid-way, with a warning). A heading-like line out of
sequence stays text, with a warning. Node ids come from the numbering path; each parent keeps a
counter of its blocks, so parsing is linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Problem
from ..model import Node
from .headings import heading_like, join_title, standalone_levels, split_runin, title_goes_on, wrapped_title_run
from .levels import DECIMAL, UNAMBIGUOUS, Marker, level_kinds, match_marker
from .lines import Line, Widths, clean_line, display_width
from .normalize import norm, squash
from .paragraphs import FOOTNOTE_MARKS, break_after_full_line, continues, ends_sentence
from .tables import collect_table


#: A line opening with a bold run-in lead: ``**——综合实力实现跃升。**招商引资…``.
_BOLD_LEAD = re.compile(r"^[#\s]*\*\*(.+?)\*\*(?=\S)(.+)$")


@dataclass
class _Open:
    node: Node
    level: str  # numbering level, "专栏" for boxes, "" for front matter
    counts: dict = field(default_factory=dict)


class BodyParser:
    """Builds the tree from :class:`~plansite.parser.lines.Line` objects.

    ``levels`` are the numbering levels the document uses, outermost first; ``wrapped`` tells that
    lines are hard-wrapped at ``wrap_width`` columns (a full line continues on the next one);
    ``source`` names the plan source in warnings; ``widths``: the measured printed widths of
    hard-wrapped text (:func:`~plansite.parser.lines.measure_widths`), for titles wrapped over two
    lines and paragraphs whose sentence ends at a line end.
    """

    def __init__(self, source: str, levels: list[str], wrapped: bool, wrap_width: int, table_ranges=(),
                 max_depth: int | None = None, widths: Widths | None = None):
        self.source = source
        self.levels = levels
        self.kinds = level_kinds(levels)
        self.decimal = bool(set(DECIMAL) & set(levels))  # the document numbers 1 / 1.1 / 1.1.1
        self.wrapped = wrapped
        self.wrap_width = wrap_width
        self.table_ranges = list(table_ranges)
        self.roots: list[Node] = []
        self.root_counts: dict = {}
        self.stack: list[_Open] = []
        self.last_value: dict[str, int] = {}
        self.headings = 0
        self.midway = False
        self.max_depth = max_depth
        self.too_deep = False
        self.deep = False  # the last marker was refused for nesting too deep
        #: (line, marker) of numbered, heading-like lines read as text
        self.as_text: list[tuple[int, str]] = []
        self.last_box = 0
        self.tables = 0
        self.paragraph: Node | None = None
        self.in_note = False
        self.last_line = ""
        self.in_front = False
        self.footnote_refs: set[str] = set()
        self.footnote: Node | None = None
        self.resume: Node | None = None
        self.warnings: list[Problem] = []
        self.ids: set[str] = set()
        self.widths = widths if wrapped else None
        #: the 目录's titles by (level, number) (:func:`~plansite.parser.toc.titles_by_number`)
        self.toc_titles: dict[tuple[str, str], str] = {}
        #: levels whose titles never run in (:func:`standalone_levels`), measured on the body's lines
        self.standalone_levels: set[str] | None = None
        self.last_is_first = False
        #: lines after a full line ending a sentence that the widths could not place (kept as breaks)
        self.unclear_breaks: list[int] = []

    # -- structure -------------------------------------------------------------------------

    def container(self) -> Node | None:
        """The node new blocks go into: the innermost open heading (``None`` at the top)."""
        return self.stack[-1].node if self.stack else None

    def warn(self, line: int, message: str) -> None:
        """Record a warning ``source:line: message``."""
        self.warnings.append(Problem(self.source, line, message))

    def _unique(self, wanted: str) -> str:
        node_id, n = wanted, 2
        while node_id in self.ids:
            node_id, n = f"{wanted}-{n}", n + 1
        self.ids.add(node_id)
        return node_id

    def add_block(self, node: Node) -> None:
        """Append the paragraph or table ``node`` to the open container, giving it an id from the
        container's own counter (``chapter-1-p3``, ``table-2``)."""
        parent = self.container()
        siblings = parent.children if parent else self.roots
        counts = self.stack[-1].counts if self.stack else self.root_counts
        counts[node.kind] = count = counts.get(node.kind, 0) + 1
        if node.kind == "table":
            self.tables += 1
            node.id = self._unique(f"table-{self.tables}")
        else:
            node.id = self._unique(f"{parent.id}-p{count}" if parent else f"p{count}")
        siblings.append(node)
        self._extend(node.lines[1])

    def _extend(self, line: int) -> None:
        for open_ in self.stack:
            open_.node.lines = (open_.node.lines[0], max(open_.node.lines[1], line))

    def accepts(self, marker: Marker, line: Line) -> bool:
        """Whether a line starting with ``marker`` is a heading here, rather than text (see the
        module docstring); warns about heading-like lines out of sequence."""
        self.deep = False
        if marker.level == "专栏":
            return marker.value in (1, self.last_box + 1)
        if marker.level not in self.levels or (self.in_note and marker.level in ("1.", "（1）")):
            return False
        if marker.level in ("1.", "（1）") and (not marker.rest or marker.rest[0].isdigit()):
            return False
        if marker.level in DECIMAL and not self._decimal_parent(marker):
            return False
        rank = self.levels.index(marker.level)
        first = self.headings == 0
        if rank > 0 and not first and not self.midway and not any(o.level in self.levels[:rank] for o in self.stack):
            return False  # a sub-level heading needs its parent level open
        if self.max_depth and not self._fits(marker, line):
            return False
        expected = self.last_value.get(marker.level, 0) + 1
        in_box = any(o.level == "专栏" for o in self.stack)
        if in_box and marker.value != expected and marker.level not in UNAMBIGUOUS \
                and any(o.level == marker.level for o in self.stack):
            return False  # a box's own entries: the section's numbering does not restart under the same parent
        if marker.value in (1, expected):
            return True
        if (first or (self.midway and marker.level not in self.last_value)) and heading_like(marker):
            self.warn(line.number, f"numbering starts mid-way at {marker.number} (an excerpt or a continued "
                                   f"page); earlier headings are not in this text")
            self.midway = True
            return True
        if heading_like(marker) and (marker.level in UNAMBIGUOUS or not marker.rest.endswith("。")) and not in_box:
            self.warn(line.number, f"{marker.number} is out of sequence (expected {expected} after "
                                   f"{self.last_value.get(marker.level, 0)}); kept as text")
        return False

    def _decimal_parent(self, marker: Marker) -> bool:
        """Whether a decimal number (``2.1``) continues the open heading of the level above
        (``2``); the top decimal level has no parent to match."""
        rank = DECIMAL.index(marker.level)
        if rank == 0 or DECIMAL[rank - 1] not in self.levels:
            return True
        parent = marker.number.rsplit(".", 1)[0]
        return any(o.level == DECIMAL[rank - 1] and o.node.number == parent for o in self.stack)

    def _fits(self, marker: Marker, line: Line) -> bool:
        """Whether a heading at ``marker``'s level would nest at most ``max_depth`` deep under the
        headings open now (warned once per document when it would not)."""
        rank = self.levels.index(marker.level)
        depth = 1 + sum(1 for o in self.stack if o.level in self.levels and self.levels.index(o.level) < rank)
        self.deep = depth > self.max_depth
        if not self.deep:
            return True
        if not self.too_deep and heading_like(marker):
            self.too_deep = True
            self.warn(line.number, f"{marker.number} would be a heading nested {depth} deep: numbering below "
                                   f"{self.max_depth} levels is read as numbered paragraphs (set `levels` in the "
                                   f"plan metadata to make it headings)")
        return False

    def open_heading(self, marker: Marker, title: str, line: int) -> Node:
        """Open the heading ``marker`` ``title`` at source ``line``: close open headings of its
        level or deeper (a box closes the open box only), append it, and return the new node."""
        if marker.level == "专栏":
            while self.stack and self.stack[-1].level == "专栏":
                self.stack.pop()
            self.last_box = marker.value
            node = Node("box", id=self._unique(f"box-{marker.value}"), number=marker.number, title=title,
                        lines=(line, line))
        else:
            rank = self.levels.index(marker.level)
            box = next((o for o in reversed(self.stack) if o.level == "专栏"), None)
            if box and self.max_depth and marker.value == 1 and marker.level not in UNAMBIGUOUS and all(
                    self.levels.index(o.level) < rank for o in self.stack if o.level in self.levels):
                self.warn(line, f"{box.node.number} is closed by {marker.number}, a numbering from 1 under the "
                                f"box's own heading: the box's numbered entries read as headings? (check, or set `levels`)")
            while self.stack and (self.stack[-1].level in ("专栏", "")
                                  or self.levels.index(self.stack[-1].level) >= rank):
                self.stack.pop()
            self.last_value[marker.level] = marker.value
            self.headings += 1
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

    def add_text(self, text: str, line: int, lead: str = "", numbered: bool = False) -> None:
        """Add the text line ``text`` (seed line ``line``) to the open paragraph or a new one.

        Footnotes (taishang-14th): a line starting with a circled number is a footnote when text
        follows the mark or the same mark was already seen in the text; the footnote becomes a
        paragraph of its own that ends at its first sentence end, after which the paragraph it
        interrupted goes on. A lone mark seen for the first time is the reference in the text.
        ``lead``: the bold run-in lead the line starts with, kept on a paragraph it opens;
        ``numbered``: the line starts with a numbering marker (read as text here).
        """
        mark = text[0] if text[0] in FOOTNOTE_MARKS else ""
        if mark and (text.strip(FOOTNOTE_MARKS + " ") or mark in self.footnote_refs):
            open_ = self.paragraph
            interrupted = open_ if open_ and not ends_sentence(open_.text, strict=self.wrapped) else None
            self.resume = self.resume or interrupted
            self.paragraph = Node("paragraph", text=text, lines=(line, line))
            self.add_block(self.paragraph)
            self.footnote = self.paragraph
            self._end_footnote()
            self.last_line = text
            return
        if mark and self.paragraph is not None and self.footnote is None:
            self.footnote_refs.add(mark)
            self._append(text, line)
            return
        if mark:
            self.footnote_refs.add(mark)
        goes_on = self.footnote is not None or (self.paragraph is not None and continues(
            self.paragraph.text, self.last_line, text, self.wrapped, self.in_front))
        if not goes_on and self.paragraph is not None and self.widths is not None:
            verdict = break_after_full_line(self.last_line, text, self.widths, self.last_is_first, numbered)
            if verdict is None:
                self.unclear_breaks.append(line)
            else:
                goes_on = not verdict  # a full line: no indent, the paragraph goes on
        if goes_on:
            self._append(text, line)
            self._end_footnote()
            self.last_is_first = False
        else:
            self.paragraph = Node("paragraph", text=text, lines=(line, line),
                                  lead=lead if lead and text.startswith(lead) and lead != text else "")
            self.add_block(self.paragraph)
            # Numbered lines after 注：/备注： are the notes' own list, not items of the plan.
            note_start = bool(re.match(r"^(备注|注)[：:]", text))
            self.in_note = note_start or (self.in_note and bool(re.match(r"^[(（]?\d", text)))
            self.last_is_first = True
        self.last_line = text

    def _append(self, text: str, line: int) -> None:
        self.paragraph.text += text
        self.paragraph.lines = (self.paragraph.lines[0], line)
        self._extend(line)

    def _end_footnote(self) -> None:
        """Close the open footnote once its text ends a sentence; the interrupted paragraph resumes."""
        if self.footnote is not None and ends_sentence(self.footnote.text, strict=True):
            self.footnote = None
            self.paragraph, self.resume = self.resume, None

    def reset_paragraph(self) -> None:
        """Close the open paragraph and any open footnote (a heading or a table follows)."""
        self.paragraph = self.footnote = self.resume = None

    # -- walking lines ---------------------------------------------------------------------

    def parse(self, lines: list[Line], front: bool = False) -> None:
        """Read ``lines`` (chrome already removed) into the tree; ``front``: no headings."""
        if not front and self.widths is not None and self.standalone_levels is None:
            self.standalone_levels = standalone_levels(lines, self.widths)
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.text:
                i += 1
                continue
            in_range = next((r for r in self.table_ranges if r[0] <= line.number <= r[1]), None) \
                if self.table_ranges else None
            if in_range or "\t" in line.raw:
                rows, last, i = collect_table(lines, i, in_range)
                self.add_block(Node("table", rows=rows, lines=(line.number, last)))
                self.reset_paragraph()
                continue
            marker = None if front else match_marker(line.text, decimal=self.decimal)
            if marker and self.accepts(marker, line):
                i = self._heading(lines, i, marker)
                continue
            in_box = bool(self.stack) and self.stack[-1].level == "专栏"  # a box's own numbered entries
            if marker and marker.level != "专栏" and not self.in_note and heading_like(marker) and not self.deep \
                    and not in_box:
                self.as_text.append((line.number, marker.number))
            bold = _BOLD_LEAD.match(line.raw)
            self.add_text(line.text, line.number, clean_line(bold.group(1))[0] if bold else "", marker is not None)
            i += 1

    def _heading(self, lines: list[Line], i: int, marker: Marker) -> int:
        line = lines[i]
        title, body, guessed = split_runin(line, marker)
        last_line = body_line = line.number
        head = line
        run = wrapped_title_run(lines, i, self.widths) if self.widths is not None and not body else []
        if run:
            title, body, last_line, body_line, guessed, consumed = self._wrapped_heading(
                lines, i, run, marker, title, guessed)
            if consumed:
                head, i = lines[run[-1]], run[-1]
        if guessed:
            self.warn(line.number, f"run-in title of {marker.number} cut at its first 。 by guess")
        for _ in range(3):  # a title continued on the next lines (a split title, a dangling word)
            if body or marker.level in ("1.", "（1）"):
                break
            k = i + 1
            while k < len(lines) and not lines[k].text:
                k += 1
            top = marker.level in ("篇", "部分", "章") or marker.level == self.levels[0]
            listed = self.toc_titles.get((marker.level, squash(norm(marker.number))), "")
            if k >= len(lines) or not title_goes_on(title, lines[k], marker, top, self.widths, head, listed):
                break
            title = join_title(title, lines[k].text, line.md)
            last_line = lines[k].number
            head, i = lines[k], k
        node = self.open_heading(marker, title, line.number)
        self._extend(last_line)
        node.lines = (line.number, last_line)
        self.in_note = False
        if body:
            self.add_text(body, body_line)
            self.paragraph.lines = (body_line, last_line)
            self._extend(last_line)
        return i + 1

    def _wrapped_heading(self, lines: list[Line], i: int, run: list[int], marker: Marker, title: str,
                         guessed: bool):
        """A heading line that filled a hard-wrapped line, read with the lines ``run`` that follow
        it (:func:`~plansite.parser.headings.wrapped_title_run`): ``(title, body, last line, first
        body line, guessed, whether the run was used)``.

        The heading and its run are read as one line (:func:`split_runin`): a title wrapped onto a
        second line (``第十篇 深化区域协调发展，构建`` / ``东南沿海高质量发展重要引擎``) holds no
        。 but a final one, and its second line is short (a full one, or more lines below the top
        level, are the paragraph after a title that filled its line); a run-in title cut by the
        wrap (``1.突出创新引领、落实赶超，速度`` / ``更快、质量更优。2020 年``) ends at its 。 and
        the rest of the last line is the body, unless the level's titles stand alone in this
        document (:func:`~plansite.parser.headings.standalone_levels`) or the cut is a guess; a
        numbered paragraph with no title (``1.`` running on) is the body from the heading line on.
        Anything else — a 。 inside a title that cannot be run in — leaves the heading its first
        line, the run read as text.
        """
        line = lines[i]
        text = line.text + "".join(lines[k].text for k in run)
        raw = line.raw.rstrip() + "".join(lines[k].raw.strip() for k in run)
        combined = Line(line.number, raw, text, norm(text), line.md)
        t2, b2, g2 = split_runin(combined, match_marker(text) or marker)
        last = lines[run[-1]].number
        inner = norm(t2)[:-1]
        top = marker.level in ("篇", "部分", "章") or marker.level == self.levels[0]
        title_only = not b2 and (len(run) > 1 and not top or self.widths.fills(lines[run[-1]]))
        runs_in = bool(b2 and t2)
        if runs_in and (g2 or marker.level in (self.standalone_levels or ())):
            return title, "", line.number, line.number, guessed, False  # this document's titles stand alone
        if "。" in inner or display_width(t2) > 120 or title_only or (not b2 and norm(t2)[-1:] in (",", "、", ";", ":")):
            return title, "", line.number, line.number, guessed, False
        if b2 and not t2:
            return t2, b2, last, line.number, g2, True  # a numbered paragraph with no title
        return t2, b2, last, last, g2, True
