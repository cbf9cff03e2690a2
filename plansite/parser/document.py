"""``parse_document``: corrected source lines → :class:`~plansite.model.Document`.

Stages, top to bottom (each in its own module):

1. :mod:`.lines` — the line model (paragraph per line, blank after every line, hard-wrapped,
   flattened) and the cleaned, normalised lines;
2. :mod:`.chrome` — page chrome (named rules) and the editor's ``drop`` ranges are dropped, each
   drop listed in ``Document.dropped``;
3. :mod:`.toc` — the 目录, labelled or not;
4. :mod:`.levels` — the numbering levels, from the metadata's ``levels`` or from evidence;
5. :mod:`.front` — title block, adoption line, notice and preface before the first heading,
   and the facts they state;
6. :mod:`.body` — headings, tables and paragraphs into the tree.

:func:`unplaced_lines` checks that every source line is accounted for.
"""

from __future__ import annotations

from ..errors import PlansiteError, Problem
from ..model import Document, Dropped, FrontFacts, Node, SourceLine
from ..plans import Plan
from .body import BodyParser, _Open
from .chrome import find_chrome
from .footnotes import footnote_problems
from .front import find_titles, split_front
from .headings import heading_like
from .levels import _marker as levels_memo
from .levels import DECIMAL, MAX_DEPTH, UNAMBIGUOUS, detect_levels, match_marker
from .lines import Line, build_lines, clean_line, measure_widths, printed_width
from .normalize import normalize, squash
from .toc import _entry as toc_memo
from .toc import check_toc, find_toc, lone_page, parse_toc, titles_by_number, toc_page_lines

#: Node kinds whose title is a heading shown on a page.
HEADING_KINDS = ("part", "chapter", "section", "subsection", "item", "box")


def forget_lines() -> None:
    """Empty the parser's per-line memos (normalised views, printed widths, cleaned lines,
    numbering markers, 目录 entries): they serve the stages of one document, which ask again
    about the same lines, not the next document. Emptied as each document starts, so that a
    plan costs the same whatever was parsed before it (a collection of copies, as the benchmark
    makes, would otherwise find every line remembered)."""
    normalize.cache_clear()
    printed_width.cache_clear()
    clean_line.cache_clear()
    levels_memo.cache_clear()
    toc_memo.cache_clear()


def parse_document(plan: Plan, source_lines: list[SourceLine]) -> Document:
    """Parse the corrected source lines of ``plan`` into a :class:`Document`.

    Never raises for odd text: what cannot be placed is a paragraph; doubts and fallbacks are
    returned as ``Document.warnings`` (:class:`~plansite.errors.Problem`, ``plan.source:line``).
    Starts by emptying the per-line memos (:func:`forget_lines`).
    """
    forget_lines()
    source = plan.source
    lines, model, width = build_lines(source_lines)
    warnings: list[Problem] = []
    dropped: list[Dropped] = []
    chrome = find_chrome([ln.text for ln in lines])
    pages = {k for k, rule in chrome.items() if rule == "page-number"}
    if pages:
        # Lone numbers in a 目录 are its entries' page numbers wrapped onto a line of their own,
        # not page chrome: found with them kept, they go back to the 目录.
        trial, _, where = _drop(plan, lines, {k: rule for k, rule in chrome.items() if k not in pages})
        span = find_toc(trial)
        if span:
            stop = where[span[2]] if span[2] < len(trial) else len(lines)
            keep = toc_page_lines(lines, where[span[1]], stop, pages)
            chrome = {k: rule for k, rule in chrome.items() if k not in keep}
    live, dropped, _ = _drop(plan, lines, chrome)
    toc_span = find_toc(live)
    after_toc = toc_span[2] if toc_span else 0
    # A notice may number its own points (一、…): the body starts after the first title block.
    first_title = find_titles(live, 0, (toc_span[0] if toc_span[0] >= 0 else toc_span[1]) if toc_span else len(live))
    if first_title and first_title[0][-1] + 1 > after_toc:
        after_toc = first_title[0][-1] + 1
    levels = list(plan.levels)
    if not levels:
        evidence = []
        evidenced: set[str] = set()  # the levels in ``evidence``
        in_box = False  # a 专栏 numbers its own entries: a level first seen inside one is no evidence
        for line in live[after_toc:]:
            marker = match_marker(line.text, decimal=True) if line.text else None
            if marker and marker.level == "专栏":
                in_box = True
            elif marker and in_box and marker.level not in UNAMBIGUOUS and marker.level not in evidenced:
                continue
            elif marker and heading_like(marker):
                in_box = False
                evidence.append((marker, not evidence))
                evidenced.add(marker.level)
        levels, notes = detect_levels(evidence)
        first_line = next((ln.number for ln in live[after_toc:] if ln.text), 1)
        for note in notes:
            warnings.append(Problem(source, first_line, note))
        if not levels:
            levels = ["一、"]
            if any(ln.text for ln in live[after_toc:]):
                warnings.append(Problem(source, 0, "no numbered headings found: levels default to 一、"))
    body_start = _body_start(live, after_toc, levels)
    facts = FrontFacts()
    split = split_front(live, toc_span, body_start, facts)
    wrapped = model in ("hard-wrapped", "flattened")
    widths = measure_widths([ln.text for ln in live]) if wrapped else None
    toc_lines = live[split.toc_start:split.toc_end] if split.toc_start >= 0 else []
    toc = parse_toc(toc_lines)
    parser = BodyParser(source, levels, wrapped, width, plan.table_ranges,
                        max_depth=None if plan.levels else MAX_DEPTH, widths=widths)
    parser.toc_titles = titles_by_number(toc)
    front = _front_nodes(live, split, parser)
    parser.stack = []
    parser.reset_paragraph()
    parser.parse(live[body_start:])
    if not plan.levels:
        warnings += _doubts(source, parser)
    if parser.unclear_breaks:
        n = len(parser.unclear_breaks)
        why = ("paragraphs here show no first-line indent to tell by" if widths and not widths.indent else
               f"neither full ({widths.full} columns) nor short by the indent ({widths.indent})" if widths else
               "no line widths measured")
        warnings.append(Problem(source, parser.unclear_breaks[0],
                                f"{n} line(s) after a full line ending a sentence may start a new paragraph or go "
                                f"on with the last one ({why}); kept as new paragraphs (first here)"))
    doc = Document(front=front, body=parser.roots, toc=toc, dropped=dropped, warnings=warnings + parser.warnings,
                   facts=facts, line_model=model, levels=levels)
    if toc_span and not toc:
        doc.warnings.append(Problem(source, toc_lines[0].number if toc_lines else 0, "目录 found but it lists no entries"))
    doc.warnings += check_toc(source, doc, levels)
    doc.warnings += footnote_problems(source, doc)
    if not facts.title and any(ln.text for ln in live):
        doc.warnings.append(Problem(source, 0, "no plan title found in the front matter"))
    elif facts.title and facts.notice_title and facts.title_lines and facts.title_lines[0] == facts.notice_lines[0]:
        doc.warnings.append(Problem(source, facts.notice_lines[0], "no title block: the plan title is taken "
                                                                   "from the issuing notice's title"))
    return doc



def _drop(plan: Plan, lines: list[Line], chrome: dict[int, str]) -> tuple[list[Line], list[Dropped], list[int]]:
    """Split ``lines`` into the live lines and the dropped ones (``chrome``: line index → rule
    name; the editor's ``drop`` ranges), with the index in ``lines`` of each live line."""
    live: list[Line] = []
    dropped: list[Dropped] = []
    where: list[int] = []
    drops = plan.drop
    for k, line in enumerate(lines):
        if not line.text:  # a blank line is never dropped
            live.append(line)
            where.append(k)
            continue
        rule = chrome.get(k)
        if not rule and drops:
            rule = next((d.rule for d in drops if d.first <= line.number <= d.last), None)
        if rule:
            dropped.append(Dropped(line.number, line.raw if not line.piece else line.text, rule))
        else:
            live.append(line)
            where.append(k)
    return live, dropped, where


def _doubts(source: str, parser: BodyParser) -> list[Problem]:
    """Warnings on an outline read from detected levels: numbered lines left as text, headings
    whose title reads like a paragraph or a sentence, headings without text (a 目录 missed)."""
    out = []
    if parser.as_text:
        line, number = parser.as_text[0]
        out.append(Problem(source, line, f"{len(parser.as_text)} numbered line(s) read as text, not headings "
                                         f"(first: {number}); check the outline or set `levels`"))
    headings = [n for root in parser.roots for n in root.walk() if n.kind in HEADING_KINDS and n.kind != "box"]
    for node in headings:
        if len(node.title) > 60:
            out.append(Problem(source, node.lines[0], f"heading {node.number} has a {len(node.title)}-character "
                                                      f"title: a paragraph read as a heading?"))
        elif node.title[-1:] in ("，", ",", "；", ";"):
            out.append(Problem(source, node.lines[0], f"heading {node.number} ends with {node.title[-1]!r}: "
                                                      f"a sentence read as a heading?"))
    empty = [n for n in headings[:-1] if not n.children]
    if len(empty) >= 2:
        out.append(Problem(source, empty[0].lines[0], f"{len(empty)} headings have no text of their own "
                                                      f"(first: {empty[0].number}): a 目录 read as body headings?"))
    return out


def _body_start(lines: list[Line], start: int, levels: list[str]) -> int:
    """Index of the first heading of the body: the first line at or after ``start`` with a marker
    of a used level that reads as a heading — a top-level one numbered 1, or any level when it
    opens the text mid-way (then the first such marker)."""
    for i in range(start, len(lines)):
        if not lines[i].text:
            continue
        marker = match_marker(lines[i].text, decimal=bool(set(DECIMAL) & set(levels)))
        if marker and marker.level in levels and heading_like(marker):
            return i
    return len(lines)


def _front_nodes(lines: list[Line], split, parser: BodyParser) -> list[Node]:
    """The front-matter nodes: title block / notice, 目录, preface."""
    nodes = []
    pieces = [("notice", 0, split.notice_end)]
    if split.toc_start >= 0:
        pieces.append(("toc", split.toc_start, split.toc_end))
    if split.inner_start >= 0:
        pieces.append(("notice", split.inner_start, split.inner_end))  # the title page after the 目录
    if split.preface_start >= 0:
        pieces.append(("preface", split.preface_start, split.body_start))
    for kind, start, end in pieces:
        chunk = [ln for ln in lines[start:end] if ln.text]
        if not chunk:
            continue
        if kind == "notice":
            title = "印发通知" if split.is_notice else "标题"
        elif kind == "toc":
            title = "目录"
        else:
            title = squash(chunk[0].text) if split.preface_labelled else "引言"
        node_id = kind if kind not in parser.ids else f"{kind}-2"
        if kind == "notice" and node_id != kind:
            title = "标题"
        node = Node(kind, id=node_id, title=title, lines=(chunk[0].number, chunk[-1].number))
        parser.ids.add(node_id)
        if kind == "toc":
            rows = []
            body = chunk[1:] if squash(chunk[0].norm) == "目录" else chunk
            for ln in body:
                if rows and lone_page(ln):
                    rows[-1].append(ln.text.strip())  # a page number wrapped onto a line of its own
                    continue
                cells = [c.strip() for c in ln.raw.replace("**", "").replace("<b>", "").replace("</b>", "").split("\t")]
                rows.append([c for c in cells if c])
            if rows:
                node.children.append(Node("table", id="toc-t1", rows=rows, lines=(body[0].number, body[-1].number)))
        else:
            parser.stack = [_Open(node, "")]
            parser.reset_paragraph()
            parser.in_front = kind == "notice"
            body = [ln for ln in lines[start:end]]
            if kind == "preface" and split.preface_labelled:
                body = body[1:] if body and body[0].text else body
            parser.parse(body, front=True)
            parser.stack = []
            parser.in_front = False
        nodes.append(node)
    parser.reset_paragraph()
    return nodes


def unplaced_lines(doc: Document, lines: list[SourceLine]) -> list[int]:
    """Source lines with text that are on no page: not inside a rendered node's line range (a
    heading, paragraph or table, or the 目录), and not dropped by a named rule. A line holding
    only markup (``**``, ``##``) has no text. ``[]`` when every
    line is accounted for."""
    covered: set[int] = {d.line for d in doc.dropped}
    for node in doc.walk():
        if node.kind in ("paragraph", "table", "toc"):
            covered.update(range(node.lines[0], node.lines[1] + 1))
        elif node.kind == "preface" and node.title != "引言":
            covered.add(node.lines[0])  # the 前言/序言 heading line
        elif node.kind in HEADING_KINDS:
            covered.update(range(node.lines[0], _title_end(node) + 1))
    return [sl.number for sl in lines if clean_line(sl.text)[0] and sl.number not in covered]


def _title_end(node: Node) -> int:
    """Last source line of a heading's title (a title wrapped onto following lines)."""
    first_child = min((c.lines[0] for c in node.children), default=node.lines[1])
    return max(node.lines[0], first_child - 1) if node.children else node.lines[1]


def check_placed(source: str, doc: Document, lines: list[SourceLine]) -> None:
    """Raise :class:`PlansiteError` ``source:line: …`` for every source line on no page (see
    :func:`unplaced_lines`)."""
    missing = unplaced_lines(doc, lines)
    if missing:
        raise PlansiteError([Problem(source, n, "this line is on no page (not in the outline, the 目录 or a "
                                                "dropped line): a parser bug") for n in missing[:20]])
