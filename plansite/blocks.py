"""A plan's document nodes as HTML, in Python: the body of its chapter pages and whole-text page.

Every paragraph, heading, 专栏, table and printed 目录 of a plan is rendered here rather than by a
recursive Jinja2 macro: a macro call (and each ``{{ … }}`` in it) costs several times the few
string joins it stands for, and a plan's pages hold thousands of them (each paragraph is shown
twice: on its chapter page and on the whole-text page). The HTML is the one the former
``block`` macro of ``templates/macros.html`` wrote, byte for byte after :meth:`Renderer.render
<plansite.pages.Renderer.render>` drops blank lines; everything from the plan text is escaped as
Jinja2's autoescaping escapes it (``markupsafe.escape``), by :func:`plansite.cells.esc` and
:func:`~plansite.cells.rich_text`: plain strings, not ``Markup`` (making a ``Markup`` and then
formatting it into an f-string was a quarter of the instructions of this module).

Templates call :func:`block` as a global (``{{ block(node, 1) }}``); it reads ``link``, ``url``,
``plan``, ``cite_head``, ``editorial``, ``toc_entries`` and ``footnotes`` from the page's context
(see :func:`plansite.pages.reading_context`). The outline beside each chapter
(:func:`plan_outline`, formerly ``templates/outline.html``), the lines of the source view
(:func:`source_lines`) and the items of a chapter page's 本页内容 and 本页提及的指标 lists
(:func:`page_toc`, :func:`mention_items`) are written here too, for the same reason.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from .cells import align_rows, esc, plain, rich_text
from .model import Node
from .reading import link_marks

_TOC_LEVELS = {"篇": 1, "章": 2, "节": 3}


def permalink_html(node_id: str, what: str) -> str:
    """The ``¶`` link to the element ``node_id`` (``what``: ``"本段"``, ``"本节"`` …, for screen readers)."""
    return (f'<a class="pl" href="#{esc(node_id)}" data-pagefind-ignore><span aria-hidden="true">¶</span>'
            f'<span class="vh">{esc(what)}链接与引用</span></a>')


def cite_html(cite_head: str, url: str, node_id: str, line: int) -> str:
    """The citation line shown under element ``node_id`` when it is the page's ``:target``:
    ``cite_head`` (GB/T 7714), the page ``url`` with the anchor, and source ``line``."""
    return (f'<p class="cite" data-pagefind-ignore>引用：{esc(cite_head)} '
            f'{esc(url)}#{esc(node_id)}，原文第{esc(line)}行。</p>')


def src_html(href: str, line: int) -> str:
    """The link ``href`` (already relative to the page) to source ``line``."""
    return f'<a class="src" href="{esc(href)}" data-pagefind-ignore>原文第{esc(line)}行</a>'


def _num(value) -> str:
    """``escape(value)`` as text, without the call for an int (line numbers)."""
    return str(value) if type(value) is int else esc(value)


class _Page:
    """What the nodes of one page are rendered with, read once from its template context; the
    parts of each snippet that are the same for every node of the page are escaped once."""

    __slots__ = ("link", "url", "slug", "editorial", "toc_entries", "footnotes", "source", "own", "cite_head")

    def __init__(self, context):
        self.link = context["link"]
        self.url = context["url"]
        self.slug = context["plan"].slug
        self.editorial = context["editorial"]
        self.toc_entries = context["toc_entries"]
        self.footnotes = context["footnotes"]
        #: the relative link to the source view (without the line anchor), escaped
        self.source = esc(self.link(f"plans/{self.slug}/source/"))
        self.own = self.url == f"plans/{self.slug}/source/"
        #: the citation line up to the anchor (as :func:`cite_html` writes it)
        self.cite_head = f'<p class="cite" data-pagefind-ignore>引用：{esc(context["cite_head"])} {esc(self.url)}#'

    def src(self, line: int) -> str:
        # link() of "…/source/#L<n>" is link() of "…/source/" plus the fragment, except on the
        # source view itself (there it is the bare fragment)
        if self.own:
            return src_html(self.link(f"plans/{self.slug}/source/#L{line}"), line)
        n = _num(line)
        return f'<a class="src" href="{self.source}#L{n}" data-pagefind-ignore>原文第{n}行</a>'

    def cite(self, eid: str, line: int) -> str:
        """:func:`cite_html` of the node whose escaped id is ``eid``."""
        return f"{self.cite_head}{eid}，原文第{_num(line)}行。</p>"


def _permalink(eid: str, what: str) -> str:
    """:func:`permalink_html` of the node whose escaped id is ``eid`` (``what`` is a constant)."""
    return (f'<a class="pl" href="#{eid}" data-pagefind-ignore><span aria-hidden="true">¶</span>'
            f'<span class="vh">{what}链接与引用</span></a>')


@jinja2.pass_context
def block(context, node: Node, depth: int) -> Markup:
    """The HTML of ``node`` and everything under it, its headings at level ``depth + 1`` (at
    most ``h6``), as shown on the page whose template ``context`` is given (see the module)."""
    page = _Page(context)
    out: list[str] = []
    _block(page, node, depth, out)
    return Markup("".join(out))


@jinja2.pass_context
def blocks(context, nodes: list[Node], depth: int, skip: str = "") -> Markup:
    """:func:`block` of each of ``nodes`` but those of kind ``skip`` (the chapters of a part
    page have pages of their own), each followed by a line break: what a template loop of
    ``{{ block(node, depth) }}`` lines writes, the page's context read once."""
    page = _Page(context)
    out: list[str] = []
    for node in nodes:
        if node.kind != skip:
            _block(page, node, depth, out)
            out.append("\n")
    return Markup("".join(out))


def _block(page: _Page, node: Node, depth: int, out: list[str]) -> None:
    kind = node.kind
    node_id = node.id
    if kind == "paragraph":
        footnotes = page.footnotes
        if node_id in footnotes.placed:
            return  # a note printed at a page foot: shown under the paragraph that references it
        marks = footnotes.refs.get(node_id, {})
        lead, text = node.lead, node.text
        eid = esc(node_id)
        if lead and text.startswith(lead):
            out.append(f'<p id="{eid}"><strong>{_marked(lead, marks)}</strong>'
                       f'{_marked(text[len(lead):], marks)} {_permalink(eid, "本段")}</p>\n')
        else:
            out.append(f'<p id="{eid}">{_marked(text, marks)} {_permalink(eid, "本段")}</p>\n')
        out.append(page.cite(eid, node.lines[0]))
        out.append("\n")
        if node_id in footnotes.after:
            _notes_after(page, node, out)
    elif kind == "table" and node.rows and max(map(len, node.rows)) == 1:
        # A table the PDF extraction broke cell by cell (a table_ranges region): its fragments are
        # kept as text; the rebuilt table is the indicator page linked under "本页的指标表".
        if not all(node.rows):
            raise jinja2.UndefinedError("No first item, sequence was empty.")
        out.append(f'<details class="raw-table" id="{esc(node_id)}">\n'
                   f'<summary>原表文字（PDF提取时逐格拆散，共{len(node.rows)}段；整理后的表格见本页“本页的指标表”）</summary>\n'
                   f'<p>{" ".join(esc(row[0]) for row in node.rows)}</p>\n</details>\n')
    elif kind == "table":
        _table(node, out)
    elif kind == "toc" and page.toc_entries:
        _toc_list(page, node, depth, out)
    elif kind == "box":
        eid = esc(node_id)
        out.append(f'<aside class="box" id="{eid}" aria-labelledby="{eid}-h">\n'
                   f'<p class="box-title" id="{eid}-h"><span class="num">{esc(node.number)}</span> '
                   f'{esc(node.title)} {page.src(node.lines[0])} {_permalink(eid, "本专栏")}</p>\n')
        _contents(page, node, eid, depth, out, "</aside>\n")
    else:
        # The node id sits on the heading (not the section) so that Pagefind's sub-results, which
        # link to headings with ids, land on the section's own anchor (chapter-5/#chapter-5-2).
        eid = esc(node_id)
        level = min(depth + 1, 6)
        number = f'<span class="num">{esc(node.number)}</span> ' if node.number else ""
        inserted = ""
        if node_id in page.editorial:
            inserted = (f' <a class="ed" href="{esc(page.link("plans/" + page.slug + "/"))}#corrections-h" '
                        f'data-pagefind-ignore>［编者补：原文缺此标题］</a>')
        out.append(f'<section aria-labelledby="{eid}">\n<h{level} id="{eid}">{number}{esc(node.title)}{inserted} '
                   f'{page.src(node.lines[0])} {_permalink(eid, "本节")}</h{level}>\n')
        _contents(page, node, eid, depth, out, "</section>\n")


def _contents(page: _Page, node: Node, eid, depth: int, out: list[str], close: str) -> None:
    """What follows a 专栏's or a section's title: its citation line, its children one level
    deeper, then ``close`` (the element's end tag)."""
    out.append(page.cite(eid, node.lines[0]))
    out.append("\n")
    for child in node.children:
        _block(page, child, depth + 1, out)
        out.append("\n")
    out.append(close)


def _marked(text: str, marks: dict[str, str]):
    """``text`` escaped (with index markup, :func:`~plansite.cells.rich`) and its footnote marks linked."""
    html = rich_text(text)
    return link_marks(html, marks) if marks else html


def _notes_after(page: _Page, node: Node, out: list[str]) -> None:
    """The notes paragraph ``node`` references, shown under it: the mark links back to the mark
    in the paragraph; the note keeps its own id, permalink and source line."""
    for note in page.footnotes.after.get(node.id, []):
        text = note.text.lstrip()
        nid = esc(note.id)
        out.append(f'<p class="footnote" id="{nid}"><a class="fnback" href="#ref-{nid}" title="回到正文注号">'
                   f'<span class="vh" data-pagefind-ignore>注释</span>{esc(text[0])}'
                   f'<span class="vh" data-pagefind-ignore>，回到正文</span></a> {rich_text(text[1:].lstrip())} '
                   f'<span class="meta" data-pagefind-ignore>（页脚注释，{page.src(note.lines[0])}）</span> '
                   f'{_permalink(nid, "本注释")}</p>\n')
        out.append(page.cite(nid, note.lines[0]))
        out.append("\n")


def _table(node: Node, out: list[str]) -> None:
    """A parsed table. Rows of the source can be ragged: :func:`~plansite.cells.align_rows` puts
    them on one grid (a name split over two cells in a few rows spans two columns in the others)
    and pads short rows, so the grid is well formed."""
    grid = align_rows(node.rows)[0]
    out.append(f'<div class="table-wrap" id="{esc(node.id)}" role="region" aria-label="表格（可左右滚动）" '
               f'tabindex="0">\n<table>\n')
    if node.rows:
        width = len(node.rows[0])
        cells = []
        for index, cell in enumerate(grid[0]):
            if index < width:
                span = f' colspan="{cell.span}"' if cell.span > 1 else ""
                cells.append(f'<th scope="col"{span}>{rich_text(cell.text)}</th>')
            else:
                cells.append("<td></td>")
        out.append(f'<thead>\n<tr>{"".join(cells)}</tr>\n</thead>\n')
    out.append("<tbody>\n")
    for row in grid[1:]:
        out.append("<tr>" + "".join(f'<td colspan="{c.span}">{rich_text(c.text)}</td>' if c.span > 1
                                    else f"<td>{rich_text(c.text)}</td>" for c in row) + "</tr>\n")
    out.append("</tbody>\n</table>\n</div>\n")


def _toc_list(page: _Page, node: Node, depth: int, out: list[str]) -> None:
    """The printed 目录 as a list of links to the pages its entries name. The printed 目录
    table(s) are shown as this list: their ids (outline nodes of the JSON API) stay anchors."""
    eid = esc(node.id)
    level = min(depth + 1, 6)
    out.append(f'<section class="toc-printed" aria-labelledby="{eid}">\n'
               f'<h{level} id="{eid}">{esc(node.title or "目录")} {page.src(node.lines[0])}</h{level}>\n'
               f'<p class="meta">原文目录各条目链接到本站相应页面；页码为原文件的页码。</p>\n')
    tables = [c.id for c in node.children if c.kind == "table"]
    for child in node.children:
        if child.kind != "table":
            _block(page, child, depth + 1, out)
            out.append("\n")
    out.extend(f'<span id="{esc(extra)}"></span>' for extra in tables[1:])
    out.append(f'<ol class="toc-list" id="{esc(tables[0])}">\n' if tables else '<ol class="toc-list">\n')
    for entry, target in page.toc_entries:
        label = f"{esc(entry.number)} {esc(entry.title)}"
        item = f'<a href="{esc(page.link(target))}">{label}</a>' if target else label
        pages = f' <span class="page">第{esc(entry.page)}页</span>' if entry.page else ""
        out.append(f'<li class="toc-{_TOC_LEVELS.get(entry.level, 1)}">{item}{pages}</li>\n')
    out.append("</ol>\n</section>\n")


def sibling_scope(url: str) -> tuple[str, str]:
    """``(stem, parent)`` of a page at the site-relative directory URL ``url`` (non-empty, ending
    in ``/``): ``stem`` is ``url`` less its final ``/`` (a target URL starting with it is the page
    itself or below it), ``parent`` the directory holding the page (``""`` or ending in ``/``),
    which the pages beside it share: a target outside ``stem`` is linked the same way from all
    of them (:func:`plansite.pages.sibling_link`, :func:`plan_outline`)."""
    stem = url[:-1]
    return stem, stem[:stem.rfind("/") + 1]


@jinja2.pass_context
def plan_outline(context, units: list, unit) -> Markup:
    """The plan's outline beside a chapter page ``unit`` (and, collapsed, above it on phones).

    The current part (the context's ``part_unit``) and its chapters come first, so the reader sees
    where they are without scrolling; then every part (or top-level division) of the plan, from
    ``units`` (:func:`plansite.pages.page_units`), with its number of chapters. A page thus carries
    a few dozen links, never the whole plan; the link to ``unit``'s own page has ``aria-current``.

    The context's ``outline_memo`` (optional, a dict shared by the pages of one plan) keeps each
    entry made for a page, for the pages beside it (same links, see
    :func:`plansite.pages.sibling_link`)."""
    link = context["link"]
    slug = context["plan"].slug
    own = unit.url
    stem, parent = sibling_scope(own)
    memo = context.get("outline_memo")
    if memo is None or not own.endswith("/"):
        memo = {}

    def entry(target) -> str:
        url = target.url
        if url.startswith(stem):  # the page itself (aria-current) or a page below it
            current = ' aria-current="page"' if url == own else ""
            return f'<a href="{esc(link(url))}"{current}>{esc(target.title)}</a>'
        key = (url, target.title, parent)
        html = memo.get(key)
        if html is None:
            html = memo[key] = f'<a href="{esc(link(url))}">{esc(target.title)}</a>'
        return html

    out = []
    current = context["part_unit"]
    if current and current.children:
        out.append(f'<p class="outline-label">本篇</p>\n<p class="outline-part">{entry(current)}</p>\n'
                   f'<ul class="outline-chapters">\n')
        out.extend(f"<li>{entry(c)}</li>\n" for c in current.children)
        out.append('</ul>\n<p class="outline-label">全部篇目</p>\n')
    out.append("<ul>\n")
    for u in units:
        if not u.parent:
            count = f' <span class="count">（{len(u.children)}章）</span>' if u.children else ""
            out.append(f"<li>{entry(u)}{count}</li>\n")
    out.append(f'</ul>\n<p class="outline-more"><a href="{esc(link("plans/" + slug + "/"))}#outline-h">完整目录</a> · '
               f'<a href="{esc(link("plans/" + slug + "/full/"))}">全文一页</a></p>\n')
    return Markup("".join(out))


def page_toc(nodes: list[Node]) -> Markup:
    """The items of a page's 本页内容 list (``templates/chapter.html``): for each of ``nodes`` (the
    page's sections and 专栏) a link to its anchor showing its number and title (``目录`` for an
    untitled one), escaped, one ``<li>`` a line — what a template loop wrote, without an escape
    call and attribute lookup through Jinja2 per piece."""
    return Markup("".join(
        f'<li><a href="#{esc(n.id)}">{esc(n.number) + " " if n.number else ""}{esc(n.title or "目录")}</a></li>\n'
        for n in nodes))


@jinja2.pass_context
def mention_items(context, mentions: list) -> Markup:
    """The items of a page's 本页提及的指标 list (``templates/chapter.html``): for each mention
    (``id``, ``name``, ``url``, :class:`plansite.indicator_pages.Mention`) a link from the page
    (the context's ``link``) to where it leads, its name escaped with index markup
    (:func:`~plansite.cells.rich_text`), one ``<li>`` a line."""
    link = context["link"]
    return Markup("".join(f'<li data-indicator="{esc(m.id)}"><a href="{esc(link(m.url))}">{rich_text(m.name)}</a></li>\n'
                          for m in mentions))


_OUTLINE_OPEN = ("notice", "toc", "preface", "part", "chapter")


@jinja2.pass_context
def outline_list(context, items: list[dict]) -> Markup:
    """The nested list of the plan's full outline (overview page): ``items`` are nodes of
    :func:`plansite.pages.outline_tree`; tables are left out, and the children of a notice,
    目录, preface, part or chapter are listed under it."""
    link = context["link"]
    out: list[str] = []

    def walk(items: list[dict]) -> None:
        out.append("<ul>\n")
        for item in items:
            if item["kind"] == "table":
                continue
            number = f'<span class="num">{esc(item["number"])}</span> ' if item["number"] else ""
            out.append(f'<li><a href="{esc(link(item["url"]))}">{number}{esc(item["title"])}</a>\n')
            if item["children"] and item["kind"] in _OUTLINE_OPEN:
                walk(item["children"])
                out.append("\n")
            out.append("</li>\n")
        out.append("</ul>\n")

    walk(items)
    return Markup("".join(out))


def column_labels(columns: list[str]) -> list[str]:
    """The ``data-label`` of each column of an indicator table (its header without index
    markup, escaped), for :func:`row_cells`."""
    return [esc(plain(column)) for column in columns]


def row_cells(cells: list, labels: list[str]) -> Markup:
    """The ``<td>`` cells of one row of an indicator table as printed: each cell (escaped, with
    index markup, :func:`~plansite.cells.rich`) labelled with its column's header from
    :func:`column_labels` (``""`` past the last header), then empty cells up to the number of
    headers."""
    n = len(labels)
    out = [f'<td data-label="{labels[i] if i < n else ""}">{rich_text(cell)}</td>' for i, cell in enumerate(cells)]
    out.append("<td></td>" * (n - len(cells)))
    return Markup("".join(out))


def source_lines(seed: list[str], corrected: set[int]) -> Markup:
    """The lines of the source view: one ``<li id="L<n>">`` per seed line (``n`` from 1), with
    ``class="corrected"`` on the line numbers in ``corrected``; the text escaped."""
    texts = esc("\n".join(seed)).split("\n")  # one call (escaping keeps line breaks as they are)
    if len(texts) != len(seed):  # a line holding a line break (or no line at all)
        texts = [esc(text) for text in seed]
    return Markup("".join(
        f'<li id="L{n}" class="corrected">{text}</li>\n' if n in corrected else f'<li id="L{n}">{text}</li>\n'
        for n, text in enumerate(texts, 1)))
