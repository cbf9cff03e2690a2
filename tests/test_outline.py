"""The parsed outline of each plan against the document's own 目录 and numbering, stable ids, and
the outline published by the JSON API (``api/plans/<slug>.json``)."""

from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plansite.model import OUTLINE_KINDS, SourceLine
from plansite.parser.levels import match_marker
from plansite.parser import parse_document
from plansite.parser.normalize import squash
from plansite.project import load_project

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ["fuzhou-15th", "cangshan-14th", "taijiang-14th", "taishang-14th", "fuqing-14th-proposal"]
TOC_PLANS = ["fuzhou-15th", "cangshan-14th", "taijiang-14th"]

#: Genuine differences between a printed 目录 and the body headings (the source text differs; the
#: build reports each as a warning): (marker, 目录 title, body title), white space ignored.
EXPECTED_TOC_MISMATCHES = {
    "fuzhou-15th": {
        ("第十三篇", "构建现代化基础设施体系，筑牢高质量发展发展支撑", "构建现代化基础设施体系，筑牢高质量发展支撑"),
        ("第十八章", "大力加强海洋综合开发利用", "大力加强海洋综合利用"),
    },
}

#: How many divisions each document has, by its own numbering (its 目录 where it has one).
EXPECTED_COUNTS = {
    "fuzhou-15th": {"part": 18, "chapter": 75},
    "cangshan-14th": {"chapter": 9},
    "taijiang-14th": {"chapter": 9},
    "taishang-14th": {"part": 14},
    "fuqing-14th-proposal": {"part": 15, "item": 65},
}


@functools.lru_cache(maxsize=None)
def plan_data(slug: str):
    return load_project(ROOT, only=[slug]).plans[0]


def value(node) -> int:
    marker = match_marker(node.number)
    assert marker is not None, f"{node.id}: number {node.number!r} is not a numbering marker"
    return marker.value


def of_kind(doc, kind):
    return [n for n in doc.walk() if n.kind == kind]


# -- against the 目录 ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", TOC_PLANS)
def test_outline_matches_the_toc(slug):
    """Per level 篇/章/节: the body has the 目录's entries, same numbers in the same order, same
    titles except the listed genuine source mismatches."""
    doc = plan_data(slug).doc
    assert doc.toc, "the 目录 was not parsed"
    mismatches = set()
    for level in ("篇", "章", "节"):
        entries = [e for e in doc.toc if e.level == level]
        if not entries:
            continue
        nodes = [n for n in doc.walk() if n.number.startswith("第") and n.number.endswith(level)]
        assert [e.number for e in entries] == [n.number for n in nodes], level
        for entry, node in zip(entries, nodes):
            if squash(entry.title) != squash(node.title):
                mismatches.add((entry.number, squash(entry.title), squash(node.title)))
    assert mismatches == EXPECTED_TOC_MISMATCHES.get(slug, set())


@pytest.mark.parametrize("slug", TOC_PLANS)
def test_toc_mismatches_are_build_warnings(slug):
    """Each genuine mismatch is reported once, as ``path:line`` of the 目录 entry; nothing else."""
    data = plan_data(slug)
    expected = EXPECTED_TOC_MISMATCHES.get(slug, set())
    entry_lines = {e.line for e in data.doc.toc for m in expected if e.number == m[0]}
    assert {w.line for w in data.doc.warnings} == entry_lines
    assert len(data.doc.warnings) == len(expected)
    for warning in data.doc.warnings:
        assert str(warning).startswith(f"{data.plan.source}:{warning.line}: ")


def test_fuzhou_chapters_sit_in_the_parts_the_toc_puts_them():
    doc = plan_data("fuzhou-15th").doc
    toc_pairs, part = [], None
    for entry in doc.toc:
        if entry.level == "篇":
            part = entry.number
        elif entry.level == "章":
            toc_pairs.append((part, entry.number))
    body_pairs = [(p.number, c.number) for p in doc.body if p.kind == "part" for c in p.children
                  if c.kind == "chapter"]
    assert body_pairs == toc_pairs


@pytest.mark.parametrize("slug", ["cangshan-14th", "taijiang-14th"])
def test_every_chapter_has_its_toc_sections(slug):
    doc = plan_data(slug).doc
    toc_sections: dict[str, list[str]] = {}
    chapter = None
    for entry in doc.toc:
        if entry.level == "章":
            chapter = entry.number
            toc_sections[chapter] = []
        elif entry.level == "节":
            toc_sections[chapter].append(squash(entry.number + entry.title))
    body = {c.number: [squash(s.number + s.title) for s in c.children if s.kind == "section"]
            for c in of_kind(doc, "chapter")}
    assert body == toc_sections
    assert all(body.values())


# -- by the document's own numbering ---------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_division_counts(slug):
    doc = plan_data(slug).doc
    for kind, count in EXPECTED_COUNTS[slug].items():
        assert len(of_kind(doc, kind)) == count, kind


#: Levels numbered through the whole document (第一章 … 第七十五章 across 篇; fuqing items 1–65),
#: the others restart under each parent.
CONTINUOUS = {
    "fuzhou-15th": ["part", "chapter", "box"],
    "cangshan-14th": ["chapter"],
    "taijiang-14th": ["chapter", "box"],
    "taishang-14th": ["part"],
    "fuqing-14th-proposal": ["part", "item"],
}


@pytest.mark.parametrize("slug", SLUGS)
def test_numbering_in_sequence(slug):
    """Every level runs 1..n without gaps: through the document, or under each parent."""
    doc = plan_data(slug).doc
    for kind in CONTINUOUS[slug]:
        values = [value(n) for n in of_kind(doc, kind)]
        assert values == list(range(1, len(values) + 1)), kind
    restarting = {"section", "subsection", "item"} - set(CONTINUOUS[slug])
    checked = 0
    for parent in doc.walk():
        for kind in restarting:
            values = [value(c) for c in parent.children if c.kind == kind]
            assert values == list(range(1, len(values) + 1)), (parent.id, kind)
            checked += len(values)
    if slug != "fuqing-14th-proposal":
        assert checked > 0


def test_fuqing_items_1_to_65_under_15_parts():
    doc = plan_data("fuqing-14th-proposal").doc
    parts = [n for n in doc.body if n.kind == "part"]
    assert [p.number for p in parts][:3] == ["一、", "二、", "三、"] and parts[-1].number == "十五、"
    items = [i for p in parts for i in p.children if i.kind == "item"]
    assert [i.number for i in items] == [f"{n}." for n in range(1, 66)]
    assert all(i.title for i in items)
    item3 = doc.find("part-1-3")
    assert item3.lines[0] == 57 and item3.title == "二〇三五年远景目标。"  # the recorded correction


def test_taishang_parts_each_with_sections():
    doc = plan_data("taishang-14th").doc
    parts = [n for n in doc.body if n.kind == "part"]
    assert len(parts) == 14
    for part in parts:
        sections = [c for c in part.children if c.kind == "section"]
        assert sections, part.id
        assert [s.number for s in sections][0] == "（一）"
    # every line of the source that opens with （一）… is one of these sections, at that line
    seed = plan_data("taishang-14th").seed
    marked = [i for i, t in enumerate(seed, 1) if re.match(r"^\s*[（(][一二三四五六七八九十]+[）)]", t)]
    assert [s.lines[0] for p in parts for s in p.children if s.kind == "section"] == marked


@pytest.mark.parametrize("slug", SLUGS)
def test_line_ranges_nest(slug):
    """A node's line range lies inside its parent's, and siblings come in source order."""
    doc = plan_data(slug).doc

    def check(node):
        last = 0
        for child in node.children:
            assert node.lines[0] <= child.lines[0] <= child.lines[1] <= node.lines[1], (node.id, child.id)
            if child.kind != "paragraph":  # a paragraph resumed after a footnote may span it
                assert child.lines[0] > last or child.lines[0] == node.lines[0], child.id
                last = child.lines[1]
            check(child)

    for top in doc.front + doc.body:
        check(top)


# -- stable ids ------------------------------------------------------------------------------

FRAGMENT_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@pytest.mark.parametrize("slug", SLUGS)
def test_ids_unique_and_fragment_safe(slug):
    ids = [n.id for n in plan_data(slug).doc.walk()]
    assert len(ids) == len(set(ids))
    bad = [i for i in ids if not FRAGMENT_SAFE.match(i)]
    assert bad == []


@pytest.mark.parametrize("slug, edit_line, container", [
    ("fuzhou-15th", 355, "chapter-5-3"),
    ("taishang-14th", 1109, "part-5-1"),
    ("cangshan-14th", 72, "chapter-1-1"),
])
def test_ids_survive_an_edit_elsewhere(slug, edit_line, container):
    """Rewording a paragraph and inserting a new one inside ``container`` leaves every id outside
    that container (and every heading id) unchanged."""
    data = plan_data(slug)
    lines = []
    for sl in data.lines:
        if sl.number == edit_line:
            lines.append(SourceLine(sl.number, "新增的一段文字，用于检验编号稳定。", corrected=True))
            lines.append(SourceLine(sl.number, ""))
            lines.append(SourceLine(sl.number, "改写：" + sl.text, corrected=True))
        else:
            lines.append(sl)
    edited = parse_document(data.plan, lines)
    assert edited.find(container) is not None

    def outside(doc):
        box = doc.find(container)
        inner = {id(n) for n in box.walk() if n.kind == "paragraph"}
        return [(n.id, n.kind, n.number, n.title, n.text) for n in doc.walk() if id(n) not in inner]

    assert outside(edited) == outside(data.doc)
    before = [n.id for n in data.doc.find(container).walk() if n.kind == "paragraph"]
    after = [n.id for n in edited.find(container).walk() if n.kind == "paragraph"]
    assert len(after) == len(before) + 1


# -- the JSON API outline --------------------------------------------------------------------

NODE_KEYS = {"id", "kind", "number", "title", "url", "lines", "children"}


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, val in attrs:
            if name == "id" and val:
                self.ids.add(val)


@functools.lru_cache(maxsize=None)
def page_ids(path: Path) -> frozenset:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


@pytest.mark.parametrize("slug", SLUGS)
def test_api_outline_shape_and_urls(slug, built_site):
    data = json.loads((built_site / "api" / "plans" / f"{slug}.json").read_text(encoding="utf-8"))
    doc_ids = {n.id: n for n in plan_data(slug).doc.walk()}
    seen = 0

    def check(node):
        nonlocal seen
        seen += 1
        assert set(node) == NODE_KEYS, node.get("id")
        assert node["kind"] in OUTLINE_KINDS
        assert node["id"] in doc_ids and doc_ids[node["id"]].kind == node["kind"]
        first, last = node["lines"]
        assert 1 <= first <= last
        path, _, fragment = node["url"].partition("#")
        assert path.startswith(f"plans/{slug}/") and path.endswith("/"), node["url"]
        page = built_site / path / "index.html"
        assert page.exists(), node["url"]
        if fragment:
            assert fragment in page_ids(page), node["url"]
        for child in node["children"]:
            check(child)

    for node in data["outline"]:
        check(node)
    expected = sum(1 for n in doc_ids.values() if n.kind in OUTLINE_KINDS)
    assert seen == expected
