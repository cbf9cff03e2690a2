"""Whole-plan text downloads: ``downloads/<slug>.txt`` (plain text) and ``downloads/<slug>.md`` (Markdown).

Both hold the plan as the pages show it — front matter (notice, 目录, 前言) and the body in document
order, with headings, paragraphs, 专栏 and tables — headed by the plan's facts and ending with the
provenance (source page, SHA-256 of the seed, recorded corrections). UTF-8, ``\\n`` line ends, no
trailing spaces: deterministic for the same inputs.
"""

from __future__ import annotations

import re

from .model import Node
from .parser.footnotes import pair_footnotes
from .project import PlanData, Project
from .reading import cite_prefix, editorial_headings

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=])")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])")
_md_special = _MD_SPECIAL.search


def md_escape(text: str) -> str:
    """``text`` safe as Markdown inline text: the characters Markdown would read as markup are
    backslash-escaped, and a line start that would open a heading, quote or list is escaped too.

    Each substitution is made only where a cheap test finds it can match (most plan text needs
    none): ``re``'s ``\\s`` and ``\\d`` are ``str.isspace`` and ``str.isdecimal``."""
    if _md_special(text):
        text = _MD_SPECIAL.sub(r"\\\1", text)
    head = text.lstrip()[:1]
    if head and head in "#>+-=":
        return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    if head.isdecimal():
        return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text


def _heading(node: Node, editorial=()) -> str:
    text = f"{node.number} {node.title}".strip() if node.number else (node.title or "")
    return text + "［编者补：原文缺此标题］" if node.id in editorial else text


def _facts(data: PlanData) -> list[str]:
    p = data.plan
    facts = [f"{p.region}，{p.period.start}—{p.period.end}年，{p.kind_label}"]
    if p.issuer:
        facts.append(f"发布机关：{p.issuer}")
    if p.doc_number:
        facts.append(f"文号：{p.doc_number}")
    if p.approved_by:
        facts.append(f"批准/通过：{p.approved_by}" + (f"，{p.approved_on}" if p.approved_on else ""))
    if p.issued_on:
        facts.append(f"印发日期：{p.issued_on}")
    official = getattr(p, "source_url", "") or ""
    if official:
        facts.append(f"官方原文：{official}")
    return facts


def _provenance(data: PlanData) -> list[str]:
    p = data.plan
    lines = [f"来源：本站逐行原文 plans/{p.slug}/source/（{len(data.seed)}行，SHA-256 {p.sha256}）",
             f"引用格式：{cite_prefix(p)}"]
    for c in data.corrections:
        what = f"在第{c.line}行前插入“{c.insert}”" if c.insert else f"第{c.line}行“{c.find}”改为“{c.replace}”"
        lines.append(f"编辑校正：{what}（编者所加，非原文）")
    return lines


def plan_text(data: PlanData, notes=None, editorial=None) -> str:
    """The plan as plain text: title, facts, then every heading and block; tables as tab-separated
    rows; a blank line between blocks. A footnote printed at a page foot follows the paragraph that
    references it (as on the pages, :func:`~plansite.parser.footnotes.pair_footnotes`; ``notes``:
    its result when already made, ``editorial``: :func:`~plansite.reading.editorial_headings` when
    already made)."""
    out = [data.plan.title, *_facts(data), ""]
    editorial = editorial if editorial is not None else editorial_headings(data.doc, data.corrections)
    notes = notes if notes is not None else pair_footnotes(data.doc)

    def visit(node: Node):
        if node.kind == "paragraph":
            if node.id not in notes.placed:
                out.extend([node.text, ""])
                for note in notes.after.get(node.id, []):
                    out.extend(["注" + note.text.lstrip(), ""])
        elif node.kind == "table":
            out.extend(["\t".join(row) for row in node.rows])
            out.append("")
        else:
            out.extend([_heading(node, editorial), ""])
            for child in node.children:
                visit(child)

    for node in data.doc.front + data.doc.body:
        visit(node)
    out.extend(["——", *_provenance(data)])
    return "\n".join(line.rstrip() for line in out).rstrip("\n") + "\n"


def plan_markdown(data: PlanData, notes=None, editorial=None) -> str:
    """The plan as Markdown: ``#`` title, facts as a list, headings ``##``… by depth (at most
    ``######``), 专栏 as block quotes, tables as pipe tables; all plan text escaped (:func:`md_escape`).
    A footnote follows the paragraph that references it, as a block quote ``> 注①…`` (``notes``:
    ``pair_footnotes(data.doc)`` when already made; ``editorial``: ``editorial_headings(data.doc,
    data.corrections)`` when already made)."""
    out = [f"# {md_escape(data.plan.title)}", "", *[f"- {md_escape(f)}" for f in _facts(data)], ""]
    editorial = editorial if editorial is not None else editorial_headings(data.doc, data.corrections)
    notes = notes if notes is not None else pair_footnotes(data.doc)

    def table(rows: list[list[str]], prefix: str):
        width = max(len(r) for r in rows)
        padded = [[md_escape(c).replace("\n", " ") for c in r] + [""] * (width - len(r)) for r in rows]
        out.append(prefix + "| " + " | ".join(padded[0]) + " |")
        out.append(prefix + "|" + " --- |" * width)
        out.extend(prefix + "| " + " | ".join(r) + " |" for r in padded[1:])
        out.append(prefix.rstrip())

    def visit(node: Node, depth: int, prefix: str):
        if node.kind == "paragraph":
            if node.id not in notes.placed:
                out.extend([prefix + md_escape(node.text), prefix.rstrip()])
                for note in notes.after.get(node.id, []):
                    out.extend([prefix + "> 注" + md_escape(note.text.lstrip()), prefix.rstrip()])
        elif node.kind == "table":
            if node.rows:
                table(node.rows, prefix)
        elif node.kind == "box":
            inner = prefix + "> "
            out.extend([inner + f"**{md_escape(_heading(node))}**", inner.rstrip()])
            for child in node.children:
                visit(child, depth + 1, inner)
            out.append("")
        else:
            out.extend([prefix + "#" * min(depth, 6) + " " + md_escape(_heading(node, editorial)), prefix.rstrip()])
            for child in node.children:
                visit(child, depth + 1, prefix)

    for node in data.doc.front + data.doc.body:
        visit(node, 2, "")
    out.extend(["---", "", *[f"- {md_escape(line)}" for line in _provenance(data)]])
    return "\n".join(line.rstrip() for line in out).rstrip("\n") + "\n"


def text_files(project: Project) -> dict[str, str]:
    """``{"downloads/<slug>.txt": text, "downloads/<slug>.md": markdown}`` for every plan."""
    out = {}
    for data in project.plans:
        out[f"downloads/{data.plan.slug}.txt"] = plan_text(data)
        out[f"downloads/{data.plan.slug}.md"] = plan_markdown(data)
    return out
