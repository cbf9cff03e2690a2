"""Pages: documents and tables → HTML, through the Jinja2 templates in ``templates/``.

Every page is addressed by a site-relative directory URL (``plans/fuzhou-15th/chapter-5/``) and
written as ``<url>index.html``. Links inside pages are relative, so the site works from any
sub-path and from ``file://``. All plan text goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from .blocks import (block, blocks, cite_html, column_labels, mention_items, outline_list, page_toc,
                     permalink_html, plan_outline, row_cells, sibling_scope, source_lines, src_html)
from .cells import align_rows, esc, plain, rich
from .model import BLOCK_KINDS, Node
from .project import PlanData, Project
from .parser.footnotes import pair_footnotes
from .reading import (cite_prefix, data_date, drop_note, editorial_headings, excerpt, first_text, link_marks,
                      reader_warning, rule_label, toc_links)

SITE_NAME = "规划纲要库"
SITE_DESCRIPTION = "地方国民经济和社会发展五年规划纲要与规划建议全文，按原文篇章结构整理，可检索、可引用。"
CSS_URL = "assets/plansite.css"


@dataclass
class PageUnit:
    """One page of a plan: ``node`` is the part/chapter shown (``None`` for the front-matter page);
    ``nodes`` the nodes rendered on it (front matter: notice, 目录, 前言); ``url`` site-relative."""

    url: str
    title: str
    node: Node | None
    nodes: list[Node]
    parent: Node | None = None
    children: list["PageUnit"] = field(default_factory=list)


def plan_url(slug: str) -> str:
    """Site-relative URL of a plan's overview page."""
    return f"plans/{slug}/"


def source_url(slug: str, first: int | None = None) -> str:
    """URL of the plan's source view, optionally anchored at seed line ``first``."""
    return f"plans/{slug}/source/" + (f"#L{first}" if first else "")


def full_url(slug: str) -> str:
    """Site-relative URL of the plan's whole text on one page (for printing and reading through)."""
    return f"plans/{slug}/full/"


def page_units(data: PlanData) -> list[PageUnit]:
    """The plan's pages in reading order: front matter, then each part and each chapter.

    A part that has chapters gets a page of its own text and a list of its chapters; without
    chapters (proposals, plans numbered 一、), each top-level division is one page.
    """
    slug = data.plan.slug
    units: list[PageUnit] = []
    if data.doc.front:
        units.append(PageUnit(f"plans/{slug}/front/", "前言与目录", None, data.doc.front))
    for top in data.doc.body:
        if top.kind in BLOCK_KINDS:
            continue
        chapters = [c for c in top.children if c.kind == "chapter"]
        unit = PageUnit(f"plans/{slug}/{top.id}/", top.label, top, [top])
        units.append(unit)
        for chapter in chapters:
            child = PageUnit(f"plans/{slug}/{chapter.id}/", chapter.label, chapter, [chapter], parent=top)
            unit.children.append(child)
            units.append(child)
    return units


def node_urls(units: list[PageUnit]) -> dict[str, str]:
    """Map the id of every structural node and table on the plan's pages ``units`` (see
    :func:`page_units`) to the URL (with fragment) of the page that shows it; paragraphs are cited
    by their heading's anchor and source lines."""
    urls: dict[str, str] = {}
    for unit in units:
        for _, node in unit_nodes(unit):
            if node.kind != "paragraph":  # paragraphs carry no anchor of their own
                urls[node.id] = f"{unit.url}#{node.id}"
        if unit.node is not None:
            urls[unit.node.id] = unit.url
    return urls


def unit_nodes(unit: PageUnit):
    """(depth, node) for every node shown on ``unit``'s page, in order; the page's own node is
    depth 0, and the chapters of a part page (which have pages of their own) are left out."""
    def visit(node: Node, level: int):
        yield level, node
        for child in node.children:
            if child.kind == "chapter" and unit.node is not None and child is not unit.node:
                continue
            yield from visit(child, level + 1)

    for root in unit.nodes:
        yield from visit(root, 0 if unit.node is not None else 1)


def relurl(target: str, base: str) -> str:
    """``target`` (site-relative, may carry a ``#fragment``) as a link from the page at ``base``.

    ``relurl("plans/a/", "plans/b/c/")`` → ``"../../a/"``; ``relurl("", "plans/a/")`` → ``"../../"``.
    Pure string work (no file system, no ``getcwd``): both URLs are site-relative, ``base`` a
    directory URL (``""`` or ending in ``/``), neither holding ``.`` or ``..`` segments.
    """
    path, _, fragment = target.partition("#")
    if path == base and fragment:
        return f"#{fragment}"
    rel = _relpath(path, base)
    rel = "./" if rel == "." else rel + ("/" if path.endswith("/") or not path else "")
    return rel + (f"#{fragment}" if fragment else "")


def _relpath(path: str, base: str) -> str:
    """``posixpath.relpath(path or ".", base or ".")`` for clean site-relative URLs, by string."""
    start = _segments(base)
    if "//" not in path and (not base or base.endswith("/")):
        if path.startswith(base):  # at or below the page (no "..")
            rel = path[len(base):].strip("/")
            return rel or "."
        parent = base[:len(base) - len(start[-1]) - 1]  # "" or ending in "/"
        if path.startswith(parent):  # beside the page (a chapter page's sibling chapters)
            rel = path[len(parent):].strip("/")
            if rel.partition("/")[0] != start[-1]:
                return "../" + rel if rel else ".."
    target = path.split("/")
    if "" in target:
        target = [p for p in target if p]
    common = 0
    for a, b in zip(target, start):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    return "/".join(parts) if parts else "."


@functools.lru_cache(maxsize=4096)
def _segments(base: str) -> list[str]:
    """The segments of the page URL ``base`` (each page links many targets from the same base);
    the list is shared: not to be changed."""
    return [p for p in base.split("/") if p]


def page_context(url: str, base: str | None = None, links: dict | None = None) -> dict:
    """Template context every page needs, for the page at site-relative ``url``: ``site_name``,
    ``site_description``, ``url``, ``link(target)`` (a relative link to a site-relative target), ``css``
    and ``home``.

    With ``base`` (a URL path ending in ``/``, e.g. ``"/"``), links are ``base + target`` instead:
    for ``404.html``, which the server returns at any URL, so relative links would break.

    ``links`` (optional): a dict shared by the pages of one renderer, remembering the links made
    (see :func:`sibling_link`): the pages of a plan sit side by side and link the same targets.
    """
    if base is None and links is not None and url.endswith("/"):
        link = sibling_link(url, links)
    else:
        def link(target: str) -> str:
            return base + target if base is not None else relurl(target, url)

    return {"site_name": SITE_NAME, "site_description": SITE_DESCRIPTION, "url": url, "link": link,
            "css": link(CSS_URL), "home": link("")}


def sibling_link(url: str, links: dict):
    """``relurl(target, url)`` as a function of ``target``, remembered in ``links`` for every
    page beside ``url``: a target outside the page's own directory (the string ``target`` does
    not start with ``url`` less its final ``/``) is linked the same way from every page in the
    same parent directory (same depth, same common segments), so the link is kept under
    ``(target, parent)``; a target at or below the page is linked by :func:`relurl` each time.
    ``url``: a non-empty site-relative directory URL (ending in ``/``)."""
    stem, parent = sibling_scope(url)
    get = links.get

    def link(target: str) -> str:
        key = (target, parent)
        found = get(key)
        if found is None or target.startswith(stem):
            found = relurl(target, url)
            if not target.startswith(stem) and "//" not in target:
                links[key] = found
        return found

    return link


# The three snippets every paragraph and heading of a plan page carries, as template globals
# written in Python: a Jinja2 macro call costs several times the rendering of its one line, and
# a plan's pages hold thousands of them. Arguments are escaped as ``{{ … }}`` escapes them.


def permalink(node_id: str, what: str) -> Markup:
    """The ``¶`` link to the element ``node_id`` (``what``: ``"本段"``, ``"本节"`` …, for screen readers)."""
    return Markup(permalink_html(node_id, what))


@jinja2.pass_context
def cite(context, node_id: str, line: int) -> Markup:
    """The citation line shown under element ``node_id`` when it is the page's ``:target``: the
    page's ``cite_head`` (GB/T 7714), its ``url`` with the anchor, and source ``line``."""
    return Markup(cite_html(context["cite_head"], context["url"], node_id, line))


@jinja2.pass_context
def src(context, line: int) -> Markup:
    """The link to source ``line`` of the page's ``plan`` in its source view."""
    href = context["link"](f"plans/{context['plan'].slug}/source/#L{line}")
    return Markup(src_html(href, line))


@jinja2.pass_context
def crumbs(context, trail: list[tuple[str, str]], current) -> Markup:
    """The breadcrumb trail of every page below the home page: 全部规划 (the context's ``home``)
    › each ``(href, label)`` of ``trail`` › ``current`` (the page itself). Labels are escaped
    unless markup (``rich``)."""
    items = "".join(f'<li><a href="{esc(href)}">{esc(label)}</a></li>\n' for href, label in trail)
    return Markup(f'<nav class="crumbs" aria-label="位置">\n<ol>\n<li><a href="{esc(context["home"])}">全部规划</a></li>\n'
                  f'{items}<li aria-current="page">{esc(current)}</li>\n</ol>\n</nav>\n')


_ENVS: dict[tuple[str, str], jinja2.Environment] = {}


def make_env(templates: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment for ``templates/``: autoescaping on, undefined names are errors.

    Filters ``rich`` / ``plain`` show printed sub/superscript markup (:mod:`plansite.cells`);
    the global ``align_rows`` lays ragged table rows on one grid.

    One environment per (templates folder, bytecode folder) is kept for the life of the process,
    so templates are compiled once and reused across `mkdocs serve` rebuilds (Jinja2 reloads a
    template whose file changed). ``bytecode_dir`` (optional) keeps compiled templates on disk
    for the next process (Jinja2 checks each entry against its template's source).
    """
    key = (str(Path(templates).resolve()), str(bytecode_dir or ""))
    env = _ENVS.get(key)
    if env is None:
        env = _ENVS[key] = jinja2.Environment(
            loader=jinja2.FileSystemLoader(key[0]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
        )
        env.filters.update(rich=rich, plain=plain, fnrefs=link_marks)
        env.globals["align_rows"] = align_rows
        env.globals.update(permalink=permalink, cite=cite, src=src, block=block, blocks=blocks,
                           plan_outline=plan_outline, source_lines=source_lines, crumbs=crumbs,
                           column_labels=column_labels, row_cells=row_cells, outline_list=outline_list,
                           page_toc=page_toc, mention_items=mention_items)
        env.globals.update(rule_label=rule_label, drop_note=drop_note, reader_warning=reader_warning)
    return env


class Renderer:
    """Renders every page of a :class:`~plansite.project.Project` to ``{url: html}``.

    Later stages add template context to plan pages through :attr:`context_for` and render pages
    of their own with :meth:`render`.
    """

    def __init__(self, project: Project, templates: Path, bytecode_dir: Path | None = None):
        self.project = project
        self.env = make_env(templates, bytecode_dir)
        self.units = {d.plan.slug: page_units(d) for d in project.plans}
        self.urls = {slug: node_urls(units) for slug, units in self.units.items()}
        #: ``(plan data, page unit or None) -> dict``: extra template context for plan pages,
        #: set by later stages (indicator mentions and tables).
        self.context_for = lambda data, unit: {"mentions": [], "indicator_tables": []}
        #: links made by the pages rendered (see :func:`page_context`)
        self.links: dict = {}
        #: per plan slug, what its pages were rendered from and the other outputs use too:
        #: ``{"outline": outline_tree(…), "footnotes": pair_footnotes(…), "summary":
        #: division_summary(…), "editorial": editorial_headings(…)}`` (set by :meth:`plan_pages`)
        self.made: dict[str, dict] = {}
        #: the templates used so far (a renderer serves one build: a template is loaded, and
        #: checked against its file, once)
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, template: str, url: str, **context) -> str:
        """Render ``template`` as the page at ``url``; ``link(target)`` in templates makes relative links."""
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)
        html = compiled.render(**page_context(url, links=self.links), **context)
        return "\n".join(filter(None, map(str.rstrip, html.splitlines()))) + "\n"  # blank lines dropped

    def pages(self) -> dict[str, str]:
        """All pages, keyed by site-relative URL."""
        counts = {d.plan.slug: division_summary(d) for d in self.project.plans}
        date_label, date = data_date([d.plan for d in self.project.plans])
        out = {"": self.render("home.html", "", plans=self.project.plans, chapter_counts=counts,
                               date_label=date_label, date=date)}
        for data in self.project.plans:
            out.update(self.plan_pages(data))
        return out

    def plan_pages(self, data: PlanData) -> dict[str, str]:
        """The overview, front matter, part/chapter and source pages of one plan."""
        slug = data.plan.slug
        units = self.units[slug]
        urls = self.urls[slug]
        out = {}
        reading = reading_context(data, urls)
        summary = division_summary(data)
        outline = outline_tree(data, urls)
        self.made[slug] = {"outline": outline, "footnotes": reading["footnotes"], "summary": summary,
                           "editorial": reading["editorial"]}
        overview = plan_url(slug)
        out[overview] = self.render("plan.html", overview, data=data, plan=data.plan, units=units, urls=urls,
                                    outline=outline, summary=summary,
                                    **reading, **self.context_for(data, None))
        tops = {id(u.node): u for u in units if u.node is not None and u.parent is None}
        outline_memo: dict = {}  # the outline's entries, made once for the plan's pages side by side
        for index, unit in enumerate(units):
            prev_unit = units[index - 1] if index > 0 else None
            next_unit = units[index + 1] if index + 1 < len(units) else None
            part = unit.parent or unit.node
            # the page's sections and boxes, listed under 本页内容 when there are two or more
            contents = [n for n in (unit.node.children if unit.node else unit.nodes)
                        if n.kind not in ("paragraph", "table", "chapter")]
            out[unit.url] = self.render(
                "chapter.html", unit.url, data=data, plan=data.plan, unit=unit, units=units, urls=urls,
                prev_unit=prev_unit, next_unit=next_unit, description=excerpt(first_text(unit.nodes)),
                part_unit=tops.get(id(part)) if part is not None else None, outline_memo=outline_memo,
                contents=contents,
                **reading, **self.context_for(data, unit))
        full = full_url(slug)
        out[full] = self.render("full.html", full, data=data, plan=data.plan, units=units, urls=urls,
                                summary=summary, **reading)
        src = source_url(slug)
        out[src] = self.render("source.html", src, data=data, plan=data.plan, urls=urls,
                               corrected={sl.number for sl in data.lines if sl.corrected})
        return out


def reading_context(data: PlanData, urls: dict[str, str]) -> dict:
    """Template context of a plan's reading pages: ``cite_head`` (GB/T 7714 head, see
    :func:`~plansite.reading.cite_prefix`), ``editorial`` (headings inserted by a correction),
    ``toc_entries`` (the printed 目录 paired with page URLs), ``official_url`` (the plan's optional
    ``source_url``, ``""`` when absent) and ``footnotes`` (notes paired with the paragraphs that
    reference them, :func:`~plansite.parser.footnotes.pair_footnotes`)."""
    preface = next((n.id for n in data.doc.front if n.kind == "preface"), "")
    return {
        "cite_head": cite_prefix(data.plan),
        "editorial": editorial_headings(data.doc, data.corrections),
        "toc_entries": toc_links(data.doc.toc, data.doc.body, urls, preface),
        "official_url": getattr(data.plan, "source_url", "") or "",
        "footnotes": pair_footnotes(data.doc),
    }


def outline_tree(data: PlanData, urls: dict[str, str]) -> list[dict]:
    """The plan's outline as nested dicts ``{id, kind, number, title, url, lines, children}``.

    Paragraphs are left out; tables are kept (they are outline nodes of the JSON API).
    """
    def walk(node: Node) -> dict:
        return {
            "id": node.id, "kind": node.kind, "number": node.number, "title": node.title or _table_title(node),
            "url": urls.get(node.id, ""), "lines": [node.lines[0], node.lines[1]],
            "children": [walk(c) for c in node.children if c.kind != "paragraph"],
        }

    return [walk(n) for n in data.doc.front + data.doc.body if n.kind != "paragraph"]


def _table_title(node: Node) -> str:
    if node.kind != "table" or not node.rows:
        return ""
    return "表：" + " ".join(node.rows[0])[:30]


_COUNTED = [("part", "篇"), ("chapter", "章"), ("section", "节"), ("item", "条"), ("box", "个专栏")]


def division_summary(data: PlanData) -> str:
    """How the plan is divided, as a reader says it: ``"18篇 75章 216节 23个专栏"``.

    Parts numbered 一、 (plans without 篇) are counted as ``部分``.
    """
    counts: dict[str, int] = {}
    for node in data.doc.walk():
        counts[node.kind] = counts.get(node.kind, 0) + 1
    words = []
    for kind, word in _COUNTED:
        if counts.get(kind):
            if kind == "part" and not any(n.number.endswith("篇") for n in data.doc.body):
                word = "个部分"
            words.append(f"{counts[kind]}{word}")
    return " ".join(words)
