"""Footnotes printed at a page foot are shown under the paragraph that references them, the marks
linked both ways; a note without a reference stays where printed, with a warning."""

from __future__ import annotations

import re

from plansite.model import SourceLine
from plansite.parser import parse_document
from plansite.parser.document import check_placed
from plansite.parser.footnotes import note_mark, pair_footnotes
from plansite.plans import Period, Plan
from plansite.reading import reader_warning


def _doc(texts, levels=("一、",)):
    plan = Plan(slug="t", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind="outline", levels=list(levels), source="seeds/t.txt")
    lines = [SourceLine(i + 1, t) for i, t in enumerate(texts)]
    doc = parse_document(plan, lines)
    check_placed("seeds/t.txt", doc, lines)
    return doc


TEXT = [
    "一、总体要求",
    "推进城市更新，形成“一核两轴”①的总体格局，带动周边片区发展。",
    "建设现代化产业体系，做强主导产业。",
    "二、重点任务",
    "① “一核”指中心城区，“两轴”指两条发展轴。",
    "⑨ 没有在正文中出现的注号。",
]


def test_a_note_is_paired_with_the_paragraph_before_it_that_prints_its_mark():
    doc = _doc(TEXT)
    notes = pair_footnotes(doc)
    ref = next(n for n in doc.walk() if n.kind == "paragraph" and "一核两轴" in n.text and not note_mark(n))
    note = next(n for n in doc.walk() if n.kind == "paragraph" and n.text.startswith("①"))
    assert notes.refs == {ref.id: {"①": note.id}} and notes.after[ref.id] == [note]
    assert notes.placed == {note.id}                       # across a heading: the note is under part 2
    assert [n.text[0] for n in notes.unpaired] == ["⑨"]
    warnings = [w for w in doc.warnings if "footnote" in w.message]
    assert [(w.line, w.message[:10]) for w in warnings] == [(6, "footnote ⑨")]
    assert reader_warning(warnings[0].message).startswith("注释⑨在正文中找不到对应的注号")


def test_a_lone_mark_and_a_mark_inside_a_note_are_not_notes():
    doc = _doc(["一、总体要求", "①", "文字①，继续。", "① 注释。"])
    notes = pair_footnotes(doc)
    assert len(notes.placed) == 1 and not notes.unpaired
    assert not [w for w in _doc(["一、总体要求", "正文没有注号。"]).warnings if "footnote" in w.message]


def test_taishang_notes_sit_under_their_paragraphs_with_links_both_ways(built_site):
    part6 = (built_site / "plans/taishang-14th/part-6/index.html").read_text(encoding="utf-8")
    # ③ is printed at line 1528, after the text it interrupts; on the page it follows its paragraph
    ref = part6.index('<a class="fnref" id="ref-part-6-2-p3" href="#part-6-2-p3"')
    para_end = part6.index("</p>", ref)
    note = part6.index('<p class="footnote" id="part-6-2-p3">')
    between = part6[para_end:note]
    assert "<p id=" not in between                        # nothing but the citation line between
    assert 'href="#ref-part-6-2-p3"' in part6[note:note + 200]
    # ④ is printed under part 7 (after a heading), referenced in part 6: shown on part 6 only
    assert '<p class="footnote" id="part-7-p2">' in part6
    part7 = (built_site / "plans/taishang-14th/part-7/index.html").read_text(encoding="utf-8")
    assert 'id="part-7-p2"' not in part7
    full = (built_site / "plans/taishang-14th/full/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<a class="fnref" id="ref-([\w-]+)" href="#\1"', full)) == 7
    assert len(re.findall(r'<p class="footnote" id="([\w-]+)"><a class="fnback" href="#ref-\1"', full)) == 7
    txt = (built_site / "downloads/taishang-14th.txt").read_text(encoding="utf-8")
    assert txt.index("“一核两轴，两带六片区，蓝绿交融”④的总体格局") < txt.index("注④ “一核”指交通枢纽核心") \
        < txt.index("\n七、")


def test_clicking_a_mark_goes_to_the_note_and_back(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(site_url + "plans/taishang-14th/part-13/")
        page.click("a.fnref >> nth=0")
        assert page.evaluate("location.hash") == "#part-13-1-p2"
        assert page.evaluate("document.querySelector(':target').className") == "footnote"
        page.click("#part-13-1-p2 a.fnback")
        assert page.evaluate("location.hash") == "#ref-part-13-1-p2"
        box = page.locator("#ref-part-13-1-p2").bounding_box()
        assert 0 <= box["y"] < 800
    finally:
        page.close()
