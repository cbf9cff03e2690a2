"""Indicator pages in Chromium at phone width: no table cell narrower than two characters, no
horizontal overflow, and wide tables shown as one card per row (their cells labelled)."""

from __future__ import annotations

from pathlib import Path

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

#: every non-empty cell of every table in <main>: its content width (CSS px), font size, text
NARROW_CELLS = """() => {
  const out = [];
  document.querySelectorAll('main table').forEach(t => t.querySelectorAll('th, td').forEach(c => {
    const text = c.textContent.trim();
    const box = c.getBoundingClientRect();
    if (!text || !box.width || c.closest('details:not([open])')) return;
    const cs = getComputedStyle(c);
    const inner = box.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
      - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
    const em = parseFloat(cs.fontSize);
    if (inner < 2 * em - 0.5) out.push([Math.round(inner), em, text.slice(0, 20)]);
  }));
  return out;
}"""


def indicator_pages(site: Path) -> list[str]:
    """Every indicator table page, the indicators index, every comparison page and every plan
    overview with an indicator summary."""
    pages = [str(p.parent.relative_to(site)) + "/" for p in sorted(site.glob("plans/*/indicators/*/index.html"))]
    pages += ["indicators/"] + [str(p.parent.relative_to(site)) + "/"
                                for p in sorted(site.glob("indicators/*/index.html"))]
    pages += [str(p.parent.relative_to(site)) + "/" for p in sorted(site.glob("plans/*/index.html"))
              if 'id="ind-h"' in p.read_text(encoding="utf-8")]
    return pages


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_table_cell_narrower_than_two_characters(built_site, site_url, browser, viewport):
    pages = indicator_pages(built_site)
    assert len(pages) > 20
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    problems = {}
    try:
        for url in pages:
            page.goto(site_url + url)
            narrow = page.evaluate(NARROW_CELLS)
            if narrow:
                problems[url] = narrow[:5]
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > viewport["width"]:
                problems[url + " (page overflows)"] = overflow
    finally:
        context.close()
    assert not problems, problems


def test_phone_shows_indicator_tables_as_labelled_cards(site_url, browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(site_url + "plans/fuzhou-15th/indicators/main/")
        table = page.locator("table.indicators")
        assert table.evaluate("t => getComputedStyle(t.querySelector('thead')).position") == "absolute"
        cell = table.locator("tbody tr").first.locator("td").nth(2)
        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert "指标名称" in label
        # the card is as wide as the page, not a column squeezed between others
        assert cell.bounding_box()["width"] > 300
        # the table keeps its semantics for assistive technology
        assert table.get_attribute("role") == "table"
        page.set_viewport_size(DESKTOP)
        assert table.evaluate("t => getComputedStyle(t.querySelector('thead')).position") != "absolute"
    finally:
        context.close()
