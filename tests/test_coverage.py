"""No source text is lost between a seed and its built pages.

For each plan, every CJK character of the seed must reach one of the plan's reading pages (front
matter, parts, chapters: the text inside ``<main>``, navigation left out); the few that do not must
be accounted for by the build report — lines dropped by a named rule (``doc.dropped``) and text
replaced by a recorded correction. Paragraphs must each sit whole on one page, inside the line
range of that page's node.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plansite.pages import page_units, unit_nodes
from plansite.project import load_project

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ["fuzhou-15th", "cangshan-14th", "taijiang-14th", "taishang-14th", "fuqing-14th-proposal"]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class MainText(HTMLParser):
    """Text inside ``<main>``, leaving out ``<nav>`` and elements marked ``data-pagefind-ignore``
    (navigation, "原文第N行" links: page furniture, not plan text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
            return
        if not self.in_main or tag in VOID:
            return
        if self.skip:
            self.skip += 1
        elif tag == "nav" or any(name == "data-pagefind-ignore" for name, _ in attrs):
            self.skip = 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        elif self.in_main and self.skip and tag not in VOID:
            self.skip -= 1

    def handle_data(self, data):
        if self.in_main and not self.skip:
            self.parts.append(data)


def main_text(path: Path) -> str:
    parser = MainText()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return "".join(parser.parts)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@functools.lru_cache(maxsize=None)
def plan_data(slug: str):
    return load_project(ROOT, only=[slug]).plans[0]


@pytest.fixture(scope="module")
def pages(built_site):
    """``{slug: [(unit, squeezed main text)]}`` for every reading page of every plan."""
    out = {}
    for slug in SLUGS:
        units = page_units(plan_data(slug))
        out[slug] = [(u, squeeze(main_text(built_site / u.url / "index.html"))) for u in units]
    return out


def cjk(text: str) -> Counter:
    return Counter(CJK.findall(text))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_cjk_character_reaches_a_page(slug, pages):
    data = plan_data(slug)
    seed = cjk("\n".join(data.seed))
    shown = Counter()
    for _, text in pages[slug]:
        shown += cjk(text)
    missing = seed - shown
    accounted = cjk("\n".join(d.text for d in data.doc.dropped)) + cjk("".join(c.find for c in data.corrections))
    unexplained = missing - accounted
    assert not unexplained, f"characters lost without a dropped line or correction: {dict(unexplained)}"
    coverage = 1 - sum(missing.values()) / sum(seed.values())
    assert coverage >= 0.995, coverage


@pytest.mark.parametrize("slug", SLUGS)
def test_every_body_line_reaches_a_page(slug, pages):
    """Stricter than the character count: the CJK text of every source line that is not dropped
    (and not in the 目录, whose rows are cells) occurs as a whole in some page of the plan."""
    data = plan_data(slug)
    dropped = {d.line for d in data.doc.dropped}
    toc = next((n.lines for n in data.doc.front if n.kind == "toc"), (0, -1))
    tables = [n.lines for n in data.doc.walk() if n.kind == "table"]
    texts = ["".join(CJK.findall(t)) for _, t in pages[slug]]
    corrected = {c.line for c in data.corrections}
    lost = []
    for number, raw in enumerate(data.seed, start=1):
        if number in dropped or number in corrected or toc[0] <= number <= toc[1]:
            continue
        if any(a <= number <= b for a, b in tables):
            continue  # table cells are checked by the character count
        line = "".join(CJK.findall(html.unescape(raw)))
        if line and not any(line in t for t in texts):
            lost.append(number)
    assert lost == []


@pytest.mark.parametrize("slug", SLUGS)
def test_paragraphs_whole_on_one_page_inside_its_range(slug, pages):
    """Each paragraph is rendered on exactly one page, its whole text contiguous there, and its
    line range lies inside the range of that page's node (the part/chapter, or a front node).
    A footnote printed at a page foot is shown under the paragraph that references it
    (``pair_footnotes``): on that paragraph's page, whatever its own line range."""
    from plansite.parser.footnotes import pair_footnotes

    data = plan_data(slug)
    notes = pair_footnotes(data.doc)
    placed: dict[str, int] = {}
    for unit, text in pages[slug]:
        current_root = unit.node
        for depth, node in unit_nodes(unit):
            if unit.node is None and node in unit.nodes:
                current_root = node
            if node.kind != "paragraph" or node.id in notes.placed:
                continue
            placed[node.id] = placed.get(node.id, 0) + 1
            assert squeeze(node.text) in text, (unit.url, node.id)
            first, last = current_root.lines
            assert first <= node.lines[0] <= node.lines[1] <= last, (unit.url, node.id, current_root.id)
            for note in notes.after.get(node.id, []):
                placed[note.id] = placed.get(note.id, 0) + 1
                assert squeeze(note.text) in text, (unit.url, note.id)
    paragraphs = [n.id for n in data.doc.walk() if n.kind == "paragraph"]
    assert sorted(placed) == sorted(paragraphs)
    assert set(placed.values()) == {1}


def test_main_text_leaves_navigation_out():
    sample = ('<main><nav>目录导航</nav><h1 id="x">第一章<a data-pagefind-ignore>原文<b>第</b>1行</a></h1>'
              '<p>正文<br>继续</p></main><footer>页脚</footer>')
    parser = MainText()
    parser.feed(sample)
    assert "".join(parser.parts) == "第一章正文继续"
