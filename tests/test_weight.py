"""Page weight and print: measured on the built site, gzip level 9 standing in for the transfer.

- every HTML page's own CSS and JS (the stylesheets and scripts it references) ≤ 20 KB gzipped;
- no web fonts anywhere (no ``@font-face``, no font files): system CJK fonts only;
- a chapter page's transfer (gzip of HTML + its CSS) ≤ 1.3 × gzip of its own text (the chapter's
  ``<article>``) + 10 KB, so markup and chrome stay small next to the text;
- the stylesheet has an ``@media print`` block hiding navigation and showing link addresses.
"""

from __future__ import annotations

import gzip
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ASSET_BUDGET = 20 * 1024
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".otf", ".eot"}


def gz(data: bytes) -> int:
    """Size of ``data`` gzipped at level 9."""
    return len(gzip.compress(data, 9, mtime=0))


class _Page(HTMLParser):
    """Collects a page's stylesheets and scripts, and the text inside its ``<article>``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets: list[str] = []
        self.inline: list[str] = []
        self.article_text: list[str] = []
        self._article = 0
        self._raw = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.assets.append(attrs["href"])
        elif tag == "script":
            if attrs.get("src"):
                self.assets.append(attrs["src"])
            self._raw = tag
        elif tag == "style":
            self._raw = tag
        elif tag == "article":
            self._article += 1

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None
        elif tag == "article":
            self._article -= 1

    def handle_data(self, data):
        if self._raw:
            self.inline.append(data)
        elif self._article:
            self.article_text.append(data)


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _html_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] != "pagefind"]


def own_assets_gzip(site: Path, page_path: Path) -> int:
    """Gzipped bytes of the CSS and JS ``page_path`` loads itself (files it references, plus inline)."""
    page = _read(page_path)
    total = gz("".join(page.inline).encode()) if page.inline else 0
    for ref in page.assets:
        assert "://" not in ref and not ref.startswith("//"), f"{page_path}: external asset {ref}"
        path = ref.split("#")[0].split("?")[0]
        # 404.html is served at any URL: its assets are root-absolute (mkdocs site_url path, "/" here)
        base = site if path.startswith("/") and page_path.name == "404.html" else page_path.parent
        target = (base / path.lstrip("/")).resolve() if base is site else (base / path).resolve()
        assert target.is_file() and site.resolve() in target.parents, f"{page_path}: missing asset {ref}"
        total += gz(target.read_bytes())
    return total


def test_each_page_loads_at_most_20kb_of_its_own_css_and_js(built_site):
    pages = _html_pages(built_site)
    assert len(pages) > 100
    heavy = {p.relative_to(built_site).as_posix(): n for p in pages
             if (n := own_assets_gzip(built_site, p)) > ASSET_BUDGET}
    assert not heavy, heavy


def test_no_web_fonts(built_site):
    fonts = [p for p in built_site.rglob("*") if p.suffix.lower() in FONT_SUFFIXES]
    assert not fonts
    for css in built_site.rglob("*.css"):
        if css.relative_to(built_site).parts[0] == "pagefind":
            continue                  # Pagefind's own UI styles: shipped in the bundle, never loaded
        assert "@font-face" not in css.read_text(encoding="utf-8"), css
    for page in _html_pages(built_site):
        assert "@font-face" not in "".join(_read(page).inline), page


def chapter_pages(site: Path) -> list[Path]:
    """Every part/chapter/front-matter page of every plan."""
    return [p for p in sorted(site.glob("plans/*/*/index.html"))
            if re.fullmatch(r"(front|part-\d+|chapter-\d+)", p.parent.name)]


def test_chapter_transfer_stays_close_to_its_text(built_site):
    pages = chapter_pages(built_site)
    assert len(pages) > 50
    over = []
    for path in pages:
        text = re.sub(r"\s+", " ", "".join(_read(path).article_text)).strip().encode()
        assert text, path
        transfer = gz(path.read_bytes()) + own_assets_gzip(built_site, path)
        limit = 1.3 * gz(text) + 10 * 1024
        if transfer > limit:
            over.append(f"{path.relative_to(built_site)}: {transfer} B > {limit:.0f} B")
    assert not over, "\n".join(over)


def test_budget_checks_can_fail(tmp_path):
    (tmp_path / "a.css").write_bytes(random.Random(0).randbytes(50_000))   # incompressible 50 KB
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="a.css"><article>字</article>')
    assert own_assets_gzip(tmp_path, tmp_path / "index.html") > ASSET_BUDGET


def _print_block(css: str) -> str:
    start = css.index("@media print")
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i + 1:j]
    pytest.fail("unbalanced @media print block")


def test_print_stylesheet_hides_navigation_and_shows_link_addresses(built_site):
    css = (built_site / "assets" / "plansite.css").read_text(encoding="utf-8")
    assert "@media print" in css
    block = _print_block(css)
    hide = next(rule for rule in block.split("}") if "display: none" in rule)
    for selector in ("header.site", ".crumbs", ".outline", ".pager", "footer.site", ".skip"):
        assert selector in hide, selector
    assert "attr(href)" in block
    assert "table-header-group" in block
