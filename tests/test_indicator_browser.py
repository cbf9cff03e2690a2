"""Indicator pages in Chromium at phone width: wide tables shown as one card per row (their cells
labelled). That no cell on any page, indicator pages included, is narrower than two characters and
no page scrolls sideways is checked on the whole site in ``test_site_browser.py``."""

from __future__ import annotations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
