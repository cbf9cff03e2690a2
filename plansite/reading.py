"""What the public reads besides the plan text: notes, citations, the 目录's links, dates, descriptions.

Pure functions of the loaded project; the templates call them through the context that
:mod:`plansite.pages` builds. Everything here speaks Chinese to readers: build warnings and rule
names are translated (the English originals stay in the build log and the JSON API).
"""

from __future__ import annotations

import datetime
import os
import re

from markupsafe import Markup, escape

from .model import Node, TocEntry

#: Names of the parser's drop rules (``parse.DROP_RULES``) as readers are told them.
RULE_LABELS = {
    "page-number": "页码",
    "markdown-rule": "分隔线",
    "editor-credit": "网站编辑署名",
    "web-banner": "网页横幅图片中的文字",
}

_TOC_TITLE = re.compile(r"^目录 entry (\S*) '(.*)' differs from body heading (\S*) '(.*)' \(line (\d+)\)$")
_TOC_COUNT = re.compile(r"^目录 lists (\d+) (\S+) but the body has (\d+)$")

#: Every parser warning that can reach a plan page (``Document.warnings``, written in
#: ``plansite/parser/``: document.py, body.py, toc.py, footnotes.py), as a pattern on the English
#: message and its reader wording in Chinese. The page adds the source line as a link.
_READER_WORDING: list[tuple[re.Pattern, str]] = [(re.compile(p), w) for p, w in [
    (r"^目录 lists (?P<n>\d+) entries but the body has no headings",
     "原文目录列出{n}个条目，但正文中没有识别出对应的标题（可能是节选，或标题格式特殊），正文按原文照录"),
    (r"^目录 found but it lists no entries$", "原文有“目录”二字，但其下没有识别出目录条目"),
    (r"^no plan title found in the front matter$",
     "原文开头没有印出规划全称，本站显示的标题取自编者整理的规划信息"),
    (r"^no title block: the plan title is taken from the issuing notice's title$",
     "原文没有单独的标题页，规划全称取自印发通知的标题"),
    (r"^no numbered headings found: levels default to 一、$",
     "原文没有可识别的编号标题，全文作为一个整体显示"),
    (r"^numbering starts mid-way at (?P<x>.+?) \(",
     "原文编号从“{x}”开始，此前的标题不在本文中（节选或续页）"),
    (r"^(?P<x>.+?) is out of sequence \(expected (?P<e>\d+) after (?P<a>\d+)\); kept as text$",
     "编号“{x}”与前文不连续（前一个是{a}，应为{e}），按正文文字显示，未作标题"),
    (r"^(?P<x>.+?) would be a heading nested (?P<d>\d+) deep",
     "“{x}”这一级编号在此会成为第{d}层标题，超过三层，这一级编号按带编号的段落显示"),
    (r"^run-in title of (?P<x>.+?) cut at its first 。 by guess$",
     "“{x}”的标题与正文连排，按第一个句号推断标题到此为止"),
    (r"^(?P<n>\d+) numbered line\(s\) read as text, not headings \(first: (?P<x>.+?)\)",
     "有{n}处带编号的行按正文文字显示，未作标题（第一处为“{x}”）"),
    (r"^heading (?P<x>.+?) has a (?P<n>\d+)-character title",
     "标题“{x}”长达{n}字，可能是一段正文被识别成了标题"),
    (r"^heading (?P<x>.+?) ends with '(?P<c>.)': a sentence",
     "标题“{x}”以“{c}”结尾，可能是一句正文被识别成了标题"),
    (r"^(?P<n>\d+) headings have no text of their own \(first: (?P<x>.+?)\)",
     "有{n}个标题下面没有正文（第一个为“{x}”），可能是目录被识别成了正文标题"),
    (r"^(?P<n>\d+) line\(s\) after a full line ending a sentence may start a new paragraph",
     "有{n}处句号恰在整行行末，无法从行宽判断下一行是否另起一段，按另起一段显示"),
    (r"^(?P<b>.+?) is closed by (?P<x>.+?), a numbering from 1 under the box's own heading",
     "“{b}”之后的编号“{x}”从1重新开始，按标题显示；它也可能是专栏内的条目（原文专栏的结束位置不明）"),
    (r"^footnote (?P<m>.) has no reference marker",
     "注释{m}在正文中找不到对应的注号，留在原文印出的位置"),
]]

#: The reader wording of a warning this module does not know (never the English text).
UNKNOWN_WARNING = "整理时发现一处存疑（详见构建记录），正文照原文显示"


def rule_label(rule: str) -> str:
    """The reader's name of drop rule ``rule`` (``"page-number"`` → ``"页码"``): the parser's own
    Chinese name (``parser.chrome.RULES``) first, then :data:`RULE_LABELS`; an unknown rule is
    returned as ``"其他（rule）"`` so that nothing is hidden."""
    return {**RULE_LABELS, **_chrome_rules()}.get(rule, f"其他（{rule}）")


def drop_note(plan, dropped) -> str:
    """Why the line ``dropped`` (a :class:`~plansite.model.Dropped`) of ``plan`` is not in the text,
    for readers: the editor's reason when a ``drop:`` range of the plan metadata covers it, else the
    rule's name (:func:`rule_label`)."""
    for rng in getattr(plan, "drop", None) or []:
        if rng.first <= dropped.line <= rng.last and getattr(rng, "reason", ""):
            return rng.reason
    return rule_label(dropped.rule)


def _chrome_rules() -> dict[str, str]:
    try:
        from .parser.chrome import RULES
    except ImportError:
        return {}
    return RULES


def reader_warning(message: str) -> str:
    """A parser warning (``Problem.message``, English, for the build log) as a Chinese note for
    the plan page; the page adds the source line.

    ``目录 entry 第十八章 'A' differs from body heading 第十八章 'B' (line 685)`` →
    ``目录与正文标题不一致：目录作“第十八章 A”，正文（第685行）作“第十八章 B”``;
    ``no plan title found in the front matter`` → ``原文开头没有印出规划全称，…``. A message of a kind
    not known here gives :data:`UNKNOWN_WARNING`, so no English reaches a public page.
    """
    match = _TOC_TITLE.match(message)
    if match:
        toc_no, toc_title, body_no, body_title, line = match.groups()
        return (f"目录与正文标题不一致：目录作“{toc_no} {toc_title}”，"
                f"正文（第{line}行）作“{body_no} {body_title}”")
    match = _TOC_COUNT.match(message)
    if match:
        listed, level, found = match.groups()
        return f"目录与正文数目不一致：目录列出{listed}个{level}，正文有{found}个{level}"
    for pattern, wording in _READER_WORDING:
        match = pattern.match(message)
        if match:
            return wording.format(**match.groupdict())
    return UNKNOWN_WARNING


def link_marks(html, marks: dict[str, str]) -> Markup:
    """``html`` (escaped paragraph text, ``Markup``) with the first occurrence of each footnote mark
    of ``marks`` (``{"③": note id}``, see :func:`plansite.parser.footnotes.pair_footnotes`) made a
    link to its note: ``<a class="fnref" id="ref-<note id>" href="#<note id>">③</a>``. A mark
    not in ``html`` is left alone (the lead and the rest of a paragraph are linked separately)."""
    html = Markup(html)
    for mark, note_id in marks.items():
        if mark in html:
            link = Markup('<a class="fnref" id="ref-{0}" href="#{0}" title="查看注释{1}">{1}</a>').format(
                escape(note_id), mark)
            head, _, tail = str(html).partition(mark)
            html = Markup(head) + link + Markup(tail)
    return html


def cite_prefix(plan) -> str:
    """The GB/T 7714 head of a citation of ``plan`` (a :class:`~plansite.plans.Plan`):
    ``责任者. 题名（起—止年）[Z/OL]. 日期.`` — the issuer (or the region when unknown), the title, the
    period, the document type ``[Z/OL]`` (other online document) and the issuing or approval date
    when known. The caller appends the page URL with its anchor and the source line."""
    author = plan.issuer or plan.region
    date = plan.issued_on or plan.approved_on
    head = f"{author}. {plan.title}（{plan.period.start}—{plan.period.end}年）[Z/OL]."
    return f"{head} {date}." if date else head


def toc_links(toc: list[TocEntry], body: list[Node], urls: dict[str, str], preface_id: str = "") -> list[tuple[TocEntry, str]]:
    """Pair each printed 目录 entry with the site-relative URL of the heading it names.

    An entry is matched by its level and number (``第五章`` → the chapter numbered 第五章; ``前言`` →
    the preface ``preface_id``); the URL is ``""`` when the body has no such heading (the page then
    shows the entry without a link, and the build already warned about the mismatch).
    """
    def find(roots, number):
        return next((n for root in roots for n in root.walk() if n.number == number and n.id in urls), None)

    first: dict[str, Node] = {}  # number → the first node (document order) with a page: find(body, number)
    for root in body:
        for n in root.walk():
            if n.id in urls:
                first.setdefault(n.number, n)
    out = []
    chapter = None
    for entry in toc:
        node = None
        if entry.level == "节" and chapter is not None:
            node = find([chapter], entry.number)       # 第一节 repeats: look in the chapter just listed
        elif entry.number:
            node = first.get(entry.number)
            if entry.level == "章":
                chapter = node
        if node is not None:
            url = urls[node.id]
        else:
            url = urls.get(preface_id, "") if preface_id and entry.level == "前言" else ""
        out.append((entry, url))
    return out


def editorial_headings(doc, corrections) -> dict[str, str]:
    """``{node id: text}`` of the headings that exist only because a recorded correction inserted
    them (fuqing-14th-proposal item 3): a heading whose first line is an inserted line and whose
    printed number and title are that inserted text."""
    inserted = {c.line: re.sub(r"\s+", "", c.insert) for c in corrections if c.insert}
    out = {}
    if not inserted:  # no inserted line (most plans): no heading to look for
        return out
    for node in doc.walk():
        if node.kind not in ("paragraph", "table") and node.lines[0] in inserted:
            heading = re.sub(r"\s+", "", f"{node.number}{node.title}")
            if heading and heading == inserted[node.lines[0]]:
                out[node.id] = inserted[node.lines[0]]
    return out


def data_date(plans, environ=None) -> tuple[str, str]:
    """The date the site's content stands at, from the inputs, never the clock: ``(label, YYYY-MM-DD)``.

    With ``SOURCE_DATE_EPOCH`` set (reproducible builds) it is that date (UTC) and the label is
    ``"构建日期"``; otherwise the newest ``issued_on`` / ``approved_on`` of ``plans`` (Plan objects)
    with the label ``"所收文件最新日期"``; ``("", "")`` when neither is known.
    Raises ``ValueError`` for a ``SOURCE_DATE_EPOCH`` that is not an integer.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        day = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
        return "构建日期", day.isoformat()
    dates = [d for p in plans for d in (p.issued_on, p.approved_on) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d or "")]
    return ("所收文件最新日期", max(dates)) if dates else ("", "")


def excerpt(text: str, limit: int = 90) -> str:
    """``text`` with white space collapsed, cut to ``limit`` characters with ``…`` (for descriptions)."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def first_text(nodes: list[Node]) -> str:
    """The first paragraph text found under ``nodes`` (document order), or ``""``."""
    for root in nodes:
        for node in root.walk():
            if node.kind == "paragraph" and node.text.strip():
                return node.text
    return ""
