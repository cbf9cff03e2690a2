"""Quality of the built site, checked by real tools: the Nu HTML Checker (vnu) on every page, an
internal link and fragment checker, and axe-core (WCAG 2.1 A/AA) in Chromium on representative pages.

Needs what ``make test`` installs (``tools/test-deps.sh``): Java, Chromium, and the npm packages
``vnu-jar`` and ``axe-core`` in ``.cache/test-deps``.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# --- Nu HTML Checker ------------------------------------------------------------------------------

def vnu_errors(jar: Path, target: Path) -> list[dict]:
    """Error messages of the Nu HTML Checker over ``target`` (a file or a folder of HTML files)."""
    java = shutil.which("java")
    assert java, "java is missing: make test installs default-jre-headless"
    proc = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html",
                           str(target)], capture_output=True, text=True)
    report = json.loads(proc.stderr or proc.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


def test_vnu_reports_no_errors_on_any_page(built_site, test_tool):
    errors = vnu_errors(test_tool("vnu.jar"), built_site)
    lines = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine', 0)}: {m['message']}" for m in errors]
    assert not lines, "\n".join(lines[:50])


def test_vnu_catches_an_invalid_page(tmp_path, test_tool):
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="zh-CN"><head><title>x</title></head>'
                   '<body><p><div>块</div></p><a href="#" href="#">x</a></body></html>', encoding="utf-8")
    assert vnu_errors(test_tool("vnu.jar"), bad)


# --- links and fragments ---------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) is not None and tag in ("a", "link", "script", "img", "iframe", "source", "area"):
                self.links.append(attrs[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Every internal link of every HTML page under ``site`` whose file or ``#fragment`` is missing,
    as ``page: link (reason)``. External links (with a scheme) and ``data:`` URLs are not checked."""
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    problems = []
    for page, links in parsed.items():
        rel_dir = posixpath.dirname(page.relative_to(site).as_posix())
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            path = unquote(parts.path)
            if path.startswith("/") and page.relative_to(site).as_posix() == "404.html":
                path = path.lstrip("/") or "./"      # served at any URL: links from the site root (site_url)
            elif path.startswith("/"):
                problems.append(f"{page.relative_to(site)}: {link} (absolute path: breaks sub-path hosting)")
                continue
            target_rel = posixpath.normpath(posixpath.join(rel_dir, path)) if path else page.relative_to(site).as_posix()
            if target_rel.startswith(".."):
                problems.append(f"{page.relative_to(site)}: {link} (leaves the site)")
                continue
            target = site / target_rel
            if target.is_dir() or path.endswith("/") or path == "":
                target = target / "index.html" if target.is_dir() or path.endswith("/") else target
            if not target.is_file():
                problems.append(f"{page.relative_to(site)}: {link} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {link} (no id {parts.fragment!r})")
    return problems


def test_every_internal_link_and_fragment_resolves(built_site):
    problems = broken_links(built_site)
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems[:50])


def test_link_checker_finds_missing_files_and_fragments(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#x">ok</a><a href="a/#nope">bad</a>'
                                         '<a href="b/">bad</a><a href="#top">bad</a><a href="https://e.org/">ext</a>')
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2><a href="../">ok</a><a href="../index.html#">ok</a>')
    problems = broken_links(tmp_path)
    assert len(problems) == 3, problems
    assert any("#nope" in p for p in problems) and any("b/" in p for p in problems)


# --- page structure (every page) -------------------------------------------------------------------

class _Structure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.headings: list[int] = []
        self.landmarks: set[str] = set()
        self.skip = None
        self.main_id = None
        self.th_without_scope = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag in ("main", "header", "footer", "nav"):
            self.landmarks.add(tag)
            if tag == "main":
                self.main_id = attrs.get("id")
        elif tag == "a" and "skip" in (attrs.get("class") or "").split() and self.skip is None:
            self.skip = attrs.get("href")
        elif tag == "th" and attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.th_without_scope += 1


def test_every_page_has_language_landmarks_skip_link_heading_order_and_scoped_headers(built_site):
    problems = []
    for page in sorted(built_site.rglob("*.html")):
        if page.relative_to(built_site).parts[0] == "pagefind":
            continue
        s = _Structure()
        s.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(built_site).as_posix()
        if s.lang != "zh-CN":
            problems.append(f"{name}: lang={s.lang!r}")
        if not {"main", "header", "footer", "nav"} <= s.landmarks:
            problems.append(f"{name}: landmarks {sorted(s.landmarks)}")
        if not s.main_id or s.skip != f"#{s.main_id}":
            problems.append(f"{name}: skip link {s.skip!r} does not target <main id={s.main_id!r}>")
        if s.headings.count(1) != 1:
            problems.append(f"{name}: {s.headings.count(1)} h1 elements")
        for before, after in zip(s.headings, s.headings[1:]):
            if after > before + 1:
                problems.append(f"{name}: heading level jumps h{before} → h{after}")
                break
        if s.th_without_scope:
            problems.append(f"{name}: {s.th_without_scope} <th> without scope")
    assert not problems, "\n".join(problems[:50])


# --- axe-core in Chromium --------------------------------------------------------------------------

def axe_pages(site: Path) -> list[str]:
    """The pages axe checks: home, a plan overview, a chapter, indicator pages when present, search."""
    pages = ["", "plans/fuzhou-15th/", "plans/fuzhou-15th/chapter-5/", "plans/fuzhou-15th/chapter-1/",
             "plans/taijiang-14th/front/", "plans/fuqing-14th-proposal/part-1/",
             "plans/fuzhou-15th/source/", "about/", "plans/taijiang-14th/full/", "plans/fuzhou-15th/front/"]
    table_pages = sorted(site.glob("plans/*/indicators/*/index.html"))
    if table_pages:
        pages.append(table_pages[0].parent.relative_to(site).as_posix() + "/")
    if (site / "indicators" / "index.html").exists():
        pages.append("indicators/")
    cross = sorted(site.glob("indicators/*/index.html"))
    if cross:
        pages.append(cross[0].parent.relative_to(site).as_posix() + "/")
    return pages + ["search/?q=数字经济"]


def run_axe(page, axe_js: Path) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded ``page``."""
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return result["violations"]


def test_axe_reports_no_wcag21aa_violations(built_site, site_url, browser, test_tool):
    axe_js = test_tool("axe.min.js")
    pages = axe_pages(built_site)
    assert any("indicators" in p for p in pages), "expected indicator pages in the site"
    problems = []
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for url in pages:
            page.goto(site_url + url)
            if url.startswith("search/"):
                page.wait_for_selector("#results li")
            for v in run_axe(page, axe_js):
                targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
                problems.append(f"{width}px {url}: {v['id']} ({v['impact']}): {v['help']} — {targets}")
        context.close()
    assert not problems, "\n".join(problems)


def test_axe_catches_a_violation(browser, site_url, test_tool):
    page = browser.new_page()
    page.goto(site_url)
    page.evaluate("""() => {
        const p = document.createElement('p'); p.textContent = '低对比度';
        p.style.color = '#eee'; p.style.background = '#fff'; document.querySelector('main').append(p);
        document.documentElement.removeAttribute('lang');
    }""")
    ids = {v["id"] for v in run_axe(page, test_tool("axe.min.js"))}
    page.close()
    assert {"color-contrast", "html-has-lang"} <= ids
