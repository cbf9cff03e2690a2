"""The built site in a real browser: Debian's Chromium under Playwright, served from 127.0.0.1.

Search (Pagefind loads only when used, results lead to the right section, plan filter), reading
order (chapter → next chapter), layout at phone and desktop widths (no horizontal overflow), print
styles, and that no request ever leaves the site's own origin.

Set ``PLANSITE_SCREENSHOTS=DIR`` to keep the screenshots (``tools/screenshots.sh`` refreshes
``docs/screenshots/``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHAPTER = "plans/fuzhou-15th/chapter-5/"
TABLE_CHAPTER = "plans/fuzhou-15th/chapter-1/"     # has the main indicator table
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def visit(browser, site_url):
    """``visit(viewport) -> page`` in a fresh context that records every request and failed response;
    at teardown asserts each request went to ``site_url`` and none got an HTTP error."""
    contexts = []
    requests: list[str] = []
    failures: list[str] = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        context.on("request", lambda r: requests.append(r.url))
        context.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        context.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
        contexts.append(context)
        return context.new_page()

    open_page.requests = requests
    yield open_page
    for context in contexts:
        context.close()
    assert requests, "no request recorded"
    foreign = [u for u in requests if not (u.startswith(site_url) or u.startswith("data:"))]
    assert not foreign, f"requests left the site's origin: {foreign}"
    assert not failures, failures


def shot(page, name: str, tmp_path: Path, full_page=False) -> Path:
    """Screenshot into ``tmp_path`` (and into ``$PLANSITE_SCREENSHOTS`` when set)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    keep = os.environ.get("PLANSITE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(keep) / f"{name}.png"), full_page=full_page)
    assert path.stat().st_size > 1000
    return path


def test_search_loads_pagefind_on_first_use_and_leads_to_the_section(visit, site_url, tmp_path):
    page = visit(DESKTOP)
    page.goto(site_url + "search/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in visit.requests if "/pagefind/" in u], "Pagefind fetched before the box was used"
    page.focus("#q")
    page.keyboard.type("数字经济")
    page.wait_for_selector("#results li.result")
    assert [u for u in visit.requests if "/pagefind/pagefind.js" in u]
    assert "找到" in page.inner_text("#search-status")
    shot(page, "search-results", tmp_path)
    first = page.locator("#results li.result").first
    assert first.locator(".result-plan").inner_text().strip()          # plan
    assert first.locator(".result-title a").inner_text().strip()       # chapter
    assert first.locator("mark").count() > 0                           # excerpt with hits
    # a sub-result whose excerpt has the phrase leads to that section of the chapter page
    link = page.locator("#results .sub-results li", has_text="数字经济").first.locator("a")
    href = link.get_attribute("href")
    assert "#" in href
    link.click()
    page.wait_for_url("**/plans/**")
    fragment = page.evaluate("location.hash").lstrip("#")
    # the link carries a text fragment (#id:~:text=…) marking the phrase; location.hash is the id
    assert fragment and href.split(":~:")[0].endswith("#" + fragment)
    section_text = page.evaluate(
        "id => { const h = document.getElementById(id); return (h.closest('section') || h.closest('article')).innerText; }",
        fragment)
    assert "数字经济" in section_text
    # in view: scrolled to by the text fragment (which then marks the phrase) or by the id (:target)
    assert page.evaluate("""id => { const r = document.getElementById(id).getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight; }""", fragment)
    assert page.evaluate("id => !document.querySelector(':target') || document.getElementById(id).matches(':target')", fragment)


def test_search_filters_by_plan(visit, site_url):
    page = visit(DESKTOP)
    page.goto(site_url + "search/")
    page.focus("#q")
    page.wait_for_function("document.querySelectorAll('#plan option').length > 1")
    plans = page.eval_on_selector_all("#plan option", "os => os.map(o => o.value).filter(Boolean)")
    assert len(plans) >= 5
    target = next(p for p in plans if "仓山" in p)
    page.select_option("#plan", target)
    page.fill("#q", "数字经济")
    page.wait_for_selector("#results li.result")
    shown = page.eval_on_selector_all("#results .result-plan", "ps => ps.map(p => p.textContent)")
    assert shown and set(shown) == {target}
    assert all("/plans/cangshan-14th/" in h for h in
               page.eval_on_selector_all("#results .result-title a", "as => as.map(a => a.getAttribute('href'))"))


def test_search_from_a_shared_link(visit, site_url):
    page = visit(DESKTOP)
    page.goto(site_url + "search/?q=" + "乡村振兴")
    page.wait_for_selector("#results li.result")
    assert page.input_value("#q") == "乡村振兴"


def test_no_javascript_outside_the_search_page(visit, site_url):
    page = visit(DESKTOP)
    for url in ("", "plans/fuzhou-15th/", CHAPTER, "about/"):
        page.goto(site_url + url)
        assert page.evaluate("document.scripts.length") == 0, url
    assert not [u for u in visit.requests if u.endswith(".js")]


def test_chapter_to_next_chapter(visit, site_url):
    page = visit(DESKTOP)
    page.goto(site_url + CHAPTER)
    assert "第五章" in page.inner_text("h1")
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**/chapter-6/")
    assert "第六章" in page.inner_text("h1")
    page.click("nav.pager a[rel=prev]")
    page.wait_for_url("**/chapter-5/")


@pytest.mark.parametrize("name,viewport", [("chapter-phone", PHONE), ("chapter-desktop", DESKTOP)])
def test_chapter_has_no_horizontal_overflow(visit, site_url, tmp_path, name, viewport):
    page = visit(viewport)
    for url in (CHAPTER, "plans/fuzhou-15th/", "plans/fuzhou-15th/source/", "search/?q=数字经济", ""):
        page.goto(site_url + url)
        page.wait_for_load_state("networkidle")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{url} at {viewport['width']}px: scrollWidth {widths[0]} > {widths[1]}"
    page.goto(site_url + CHAPTER)
    shot(page, name, tmp_path)


def test_chapter_prints_cleanly(visit, site_url, tmp_path):
    page = visit(DESKTOP)
    page.goto(site_url + TABLE_CHAPTER)
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['header.site', '.crumbs', '.outline', '.pager', 'footer.site', '.skip']
        .map(s => [s, getComputedStyle(document.querySelector(s)).display])""")
    assert all(display == "none" for _, display in hidden), hidden
    assert page.evaluate("getComputedStyle(document.querySelector('main')).display") != "none"
    table = page.locator("main table").first
    assert table.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('main thead')).display") == "table-header-group"
    # links in the text show their address after them
    after = page.evaluate("""() => { const a = [...document.querySelectorAll('main a[href]')]
        .find(a => getComputedStyle(a).display !== 'none' && !a.closest('[style*=none]'));
        return a ? [a.getAttribute('href'), getComputedStyle(a, '::after').content] : null; }""")
    assert after and after[0] in after[1], after
    pdf = tmp_path / "chapter.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    keep = os.environ.get("PLANSITE_SCREENSHOTS")
    if keep:
        page.pdf(path=str(Path(keep) / "chapter-print.pdf"), format="A4")
