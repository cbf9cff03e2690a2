"""The site as the public reads it: search quality, phones, navigation, citations, wording.

Browser tests drive Debian's Chromium (Playwright) over the built site served on 127.0.0.1; the
others read the built HTML or call the reading helpers directly.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TOPICS = ["数字经济", "养老", "海洋", "营商环境", "碳达峰"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    yield context.new_page()
    context.close()


class _Article(HTMLParser):
    """Text of a page's <article> (what a reader reads as the page's text), without the hidden
    citation lines and permalinks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag == "article":
            self.depth += 1
        if self.skip or {"cite", "pl", "src"} & set(cls):
            self.skip += 1

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)


@functools.lru_cache(maxsize=None)
def article_text(path: Path) -> str:
    parser = _Article()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", "", "".join(parser.text))


def page_file(site: Path, url: str) -> Path:
    """The built file of a result URL (``/plans/x/chapter-1/`` or with a fragment)."""
    path = url.split("#")[0].split("?")[0].strip("/")
    return site / path / "index.html"


def indexed_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.glob("plans/*/*/index.html"))
            if "data-pagefind-body" in p.read_text(encoding="utf-8")]


def run_search(page, site_url: str, query: str) -> None:
    page.goto(site_url + "search/?q=" + query)
    page.wait_for_function("/找到|没有/.test(document.getElementById('search-status').textContent)",
                           timeout=30000)


# --- search ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("phrase", TOPICS)
def test_search_ranks_pages_with_the_exact_phrase_first(page, site_url, built_site, phrase):
    # the top five results (or all the pages holding the phrase, when fewer: 碳达峰 is in four) hold it
    holding = [p for p in indexed_pages(built_site) if phrase in article_text(p)]
    top = min(5, len(holding))
    assert top >= 4, f"{phrase} is in only {len(holding)} pages: not a test of ranking"
    run_search(page, site_url, phrase)
    urls = page.eval_on_selector_all("#results .result-title a", "as => as.map(a => a.getAttribute('href'))")
    assert len(urls) >= top
    missing = [u for u in urls[:top] if phrase not in article_text(page_file(built_site, u))]
    assert not missing, f"top results without {phrase}: {missing}"
    # the marks in the excerpts are the phrase itself, not a fragment of it (营商环境 → not 商务)
    marks = page.eval_on_selector_all(f"#results li.result:nth-child(-n+{top}) mark", "ms => ms.map(m => m.textContent)")
    assert marks and set(marks) == {phrase}, marks


def test_quoted_phrase_returns_only_pages_holding_it(page, site_url, built_site):
    run_search(page, site_url, "“营商环境”")
    urls = page.eval_on_selector_all("#results .result-title a", "as => as.map(a => a.getAttribute('href'))")
    assert urls, page.inner_text("#search-status")
    assert all("营商环境" in article_text(page_file(built_site, u)) for u in urls)
    assert "只含" not in page.inner_text("#search-status")
    run_search(page, site_url, '"数字经济"')
    assert page.locator("#results li.result").count() > 0


def test_traditional_characters_find_the_simplified_text(page, site_url, built_site):
    run_search(page, site_url, "數字經濟")
    status = page.inner_text("#search-status")
    assert "数字经济" in status and "找到" in status, status
    first = page.locator("#results .result-title a").first.get_attribute("href")
    assert "数字经济" in article_text(page_file(built_site, first))
    table = (built_site / "assets" / "t2s.json").read_text(encoding="utf-8")
    assert "數" in table and "经" in table


def test_more_results_are_shown_on_request(page, site_url):
    run_search(page, site_url, "发展")
    assert page.locator("#results li.result").count() == 20
    more = page.locator("#more")
    assert more.is_visible()
    more.click()
    assert page.locator("#results li.result").count() > 20


def test_a_hit_lands_on_its_paragraph_marked(page, site_url, tmp_path):
    run_search(page, site_url, "碳达峰")
    link = page.locator("#results .sub-results a[href*='-p']").first
    href = link.get_attribute("href")
    assert ":~:text=" in href and "%E7%A2%B3%E8%BE%BE%E5%B3%B0" in href      # text fragment: the browser marks 碳达峰
    link.click()
    page.wait_for_url("**/plans/**")
    anchor = href.split("#")[1].split(":~:")[0]
    landing = page.evaluate("""id => { const p = document.getElementById(id), r = p.getBoundingClientRect(),
        t = document.querySelector(':target');
        return [r.bottom > 0 && r.top < innerHeight, p.innerText, t ? t.id : null, getComputedStyle(p).backgroundColor]; }""",
        anchor)
    assert landing[0], "the paragraph holding the hit is not in view"
    assert "碳达峰" in landing[1]
    # Chromium matched the text fragment (no :target: the marked text is the indicated part) or fell
    # back to the paragraph's id, which is then highlighted
    assert landing[2] is None or (landing[2] == anchor and landing[3] not in ("rgba(0, 0, 0, 0)", "transparent"))
    page.goto(site_url + "plans/fuzhou-15th/chapter-66/#" + anchor)
    assert page.evaluate("id => getComputedStyle(document.getElementById(id)).backgroundColor", anchor) \
        not in ("rgba(0, 0, 0, 0)", "transparent")


def test_header_search_box_on_every_page_submits_to_the_search_page(page, site_url, built_site):
    pages = [p for p in built_site.rglob("*.html") if p.relative_to(built_site).parts[0] != "pagefind"]
    without = [p.relative_to(built_site).as_posix() for p in pages
               if 'class="site-search" role="search"' not in p.read_text(encoding="utf-8")]
    assert not without, without[:10]
    page.goto(site_url + "plans/fuzhou-15th/chapter-60/")
    assert page.evaluate("document.scripts.length") == 0
    page.fill("#site-q", "养老")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector("#results li.result")
    assert page.input_value("#q") == "养老"


# --- phones ----------------------------------------------------------------------------------------

NARROW_CELLS = """() => [...document.querySelectorAll('main td, main th')].filter(c => c.textContent.trim())
    .filter(c => { const s = getComputedStyle(c);
        const inner = c.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return inner < 2 * parseFloat(s.fontSize) - 0.5; })
    .map(c => c.textContent.trim().slice(0, 12))"""


def test_phone_pages_do_not_scroll_sideways_and_cells_hold_two_characters(phone, site_url):
    for url in ("about/", "plans/fuzhou-15th/", "plans/fuzhou-15th/chapter-1/", "plans/taijiang-14th/chapter-1/",
                "plans/cangshan-14th/chapter-1/", "plans/taishang-14th/", "plans/fuzhou-15th/front/",
                "plans/fuzhou-15th/full/", "404.html"):
        phone.goto(site_url + url)
        width = phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{url}: {width}"
        assert phone.evaluate(NARROW_CELLS) == [], url


def test_phone_chapter_has_its_outline_collapsed_above_the_text(phone, site_url, tmp_path):
    phone.goto(site_url + "plans/fuzhou-15th/chapter-68/")
    details = phone.locator("details.outline-box")
    assert details.count() == 1 and details.get_attribute("open") is None
    assert not details.locator("nav.outline").is_visible()
    assert phone.evaluate("""() => document.querySelector('details.outline-box').getBoundingClientRect().bottom
        <= document.querySelector('article').getBoundingClientRect().top""")
    height = phone.evaluate("document.documentElement.scrollHeight")
    text = phone.evaluate("document.querySelector('article').getBoundingClientRect().height")
    assert height < text + 1500, f"page {height}px for {text}px of text"
    details.locator("summary").click()
    assert details.locator("a[aria-current=page]").inner_text().startswith("第六十八章")


# --- navigation ------------------------------------------------------------------------------------

def test_desktop_sidebar_opens_at_the_current_part_and_is_lean(page, site_url, built_site):
    page.goto(site_url + "plans/fuzhou-15th/chapter-60/")
    outline = page.locator(".layout > details.outline-box nav.outline")
    assert outline.is_visible() and page.locator("details.outline-box > summary").is_hidden()
    current = outline.locator("a[aria-current=page]")
    assert current.inner_text().startswith("第六十章")
    box = current.bounding_box()
    assert box and box["y"] < DESKTOP["height"], "the current chapter is below the fold"
    assert "第十五篇" in outline.locator(".outline-part").inner_text()
    links = outline.locator("a").count()
    assert links < 40, f"{links} links in the sidebar"
    assert outline.locator("a[href$='chapter-5/']").count() == 0   # chapters of other parts are not listed
    html = (built_site / "plans/fuzhou-15th/chapter-60/index.html").read_text(encoding="utf-8")
    aside = html[html.index('<nav class="outline"'):html.index("</nav>", html.index('<nav class="outline"'))]
    # one copy of the outline (phone and desktop), 4 KB here; listing every chapter of the plan took 9 KB
    assert html.count('<nav class="outline"') == 1
    assert len(aside.encode()) < 5000, f"sidebar {len(aside.encode())} bytes"


def test_chapter_has_on_page_contents_and_back_to_top(page, site_url):
    page.goto(site_url + "plans/fuzhou-15th/chapter-60/")
    toc = page.locator("nav.page-toc a")
    assert toc.count() == 3
    for i in range(3):
        fragment = toc.nth(i).get_attribute("href").lstrip("#")
        assert page.locator(f"h2[id='{fragment}']").count() == 1
    toc.nth(2).click()
    assert page.evaluate("location.hash") == "#chapter-60-3"
    page.locator(".to-top a").click()
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("scrollY <= document.getElementById('main').getBoundingClientRect().top + scrollY")
    assert page.locator("h1").is_visible() and page.evaluate("document.querySelector('h1').getBoundingClientRect().top") >= 0


def test_plan_overview_leads_with_facts_indicators_and_downloads(page, site_url):
    page.goto(site_url + "plans/fuzhou-15th/")
    order = page.evaluate("""() => ['dl.facts', '#read-h', '#ind-h', '#outline-h', '#prov-h']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert order == sorted(order), order
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    parts = page.locator(".full-outline details")
    assert parts.count() == 18 and page.locator(".full-outline details[open]").count() == 0
    for name in ("full/", "fuzhou-15th.txt", "fuzhou-15th.md"):
        assert page.locator(f"section[aria-labelledby=read-h] a[href$='{name}']").count() == 1, name


def test_front_matter_toc_links_its_entries_to_the_chapters(page, site_url):
    page.goto(site_url + "plans/fuzhou-15th/front/")
    entries = page.locator("ol.toc-list li")
    links = page.locator("ol.toc-list li a")
    assert entries.count() >= 90 and links.count() == entries.count()
    fifth = page.locator("ol.toc-list a", has_text="第五章")
    assert fifth.get_attribute("href").endswith("chapter-5/")
    fifth.click()
    assert "第五章" in page.inner_text("h1")
    page.goto(site_url + "plans/cangshan-14th/front/")
    section = page.locator("ol.toc-list li.toc-3 a").first
    assert "#chapter-1-" in section.get_attribute("href")


# --- citations, whole plan, downloads --------------------------------------------------------------

def test_every_paragraph_and_heading_has_an_anchor_and_a_citation(built_site):
    for url in ("plans/fuzhou-15th/chapter-5/", "plans/fuqing-14th-proposal/part-1/", "plans/taishang-14th/part-3/"):
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        article = html[html.index("<article"):html.index("</article>")]
        paragraphs = re.findall(r'<p( id="[^"]+")?>', article)
        assert paragraphs and all(paragraphs), f"{url}: a paragraph without id"
        for tag, anchor in re.findall(r'<(p|h[1-6]) id="([^"]+)"', article):
            if anchor.endswith("-h"):
                continue     # the site's own headings (本页内容, 本页提及的指标) and 专栏 titles (cited by their box)
            cite = re.search(rf'id="{re.escape(anchor)}".*?</{tag}>\s*<p class="cite"[^>]*>(.*?)</p>', article, re.S)
            assert cite, f"{url}#{anchor}: no citation"
            text = cite.group(1)
            assert f"{url}#{anchor}" in text and re.search(r"原文第\d+行", text) and "[Z/OL]" in text, text


def test_permalink_reveals_a_copyable_citation(page, site_url):
    page.goto(site_url + "plans/fuzhou-15th/chapter-5/")
    cite = page.locator("#chapter-5-2-p1 + .cite")
    assert not cite.is_visible()
    page.locator("#chapter-5-2-p1 a.pl").click()
    assert page.evaluate("location.hash") == "#chapter-5-2-p1"
    assert cite.is_visible()
    text = cite.inner_text()
    assert "福州市人民政府" in text and "plans/fuzhou-15th/chapter-5/#chapter-5-2-p1" in text and "原文第" in text


def test_whole_plan_page_and_text_downloads_hold_every_paragraph(built_site):
    from plansite.project import load_project

    root = Path(__file__).resolve().parent.parent
    project = load_project(root, ["fuqing-14th-proposal", "taijiang-14th"])
    for data in project.plans:
        slug = data.plan.slug
        full = (built_site / f"plans/{slug}/full/index.html").read_text(encoding="utf-8")
        txt = (built_site / f"downloads/{slug}.txt").read_text(encoding="utf-8")
        md = (built_site / f"downloads/{slug}.md").read_text(encoding="utf-8")
        paragraphs = [n for n in data.doc.walk() if n.kind == "paragraph"]
        assert paragraphs
        for node in paragraphs:
            assert f'id="{node.id}"' in full, node.id
            assert node.text in txt, node.id
        assert md.startswith(f"# {data.plan.title}") and md.count("\n## ") >= 3
    assert "3. 二〇三五年远景目标。［编者补" in (built_site / "downloads/fuqing-14th-proposal.txt").read_text(encoding="utf-8")


def test_whole_plan_page_prints_without_navigation(page, site_url):
    page.goto(site_url + "plans/taijiang-14th/full/")
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['header.site', '.crumbs', 'footer.site', 'a.pl', '.no-print']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert set(hidden) == {"none"}, hidden
    assert page.locator("article h2").count() > 9


# --- wording, sharing, dates -----------------------------------------------------------------------

def test_public_pages_speak_chinese(built_site):
    plan = (built_site / "plans/fuzhou-15th/index.html").read_text(encoding="utf-8")
    assert "differs from body heading" not in plan and "目录 entry" not in plan
    assert "目录与正文标题不一致" in plan
    fuqing = (built_site / "plans/fuqing-14th-proposal/index.html").read_text(encoding="utf-8")
    assert "<code>editor-credit</code>" not in fuqing and "网页编辑署名" in fuqing
    assert "<p>原文提取稿缺第3条的标题" in fuqing and 'lang="en"' not in fuqing  # the editors' record, in Chinese
    source = (built_site / "plans/fuzhou-15th/source/index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", source).group(1)
    assert "seeds/" not in h1 and "福州市" in h1
    item3 = (built_site / "plans/fuqing-14th-proposal/part-1/index.html").read_text(encoding="utf-8")
    heading = re.search(r'<h2 id="part-1-3">(.*?)</h2>', item3).group(1)
    assert "编者补" in heading
    assert "编者补" not in re.search(r'<h2 id="part-1-2">(.*?)</h2>', item3).group(1)


def test_every_page_has_a_description_and_open_graph_tags(built_site):
    problems = []
    for path in sorted(built_site.rglob("*.html")):
        if path.relative_to(built_site).parts[0] == "pagefind":
            continue
        html = path.read_text(encoding="utf-8")
        for name in ('name="description"', 'property="og:title"', 'property="og:description"'):
            match = re.search(rf'<meta {name} content="([^"]*)">', html)
            if not match or len(match.group(1).strip()) < 4:
                problems.append(f"{path.relative_to(built_site)}: {name}")
    assert not problems, problems[:10]


def test_home_shows_the_date_of_the_sources_not_the_clock(built_site):
    from plansite.reading import data_date

    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-04-22">' in home      # fuzhou-15th issued_on, the newest metadata date

    class P:
        def __init__(self, issued, approved):
            self.issued_on, self.approved_on = issued, approved

    plans = [P("2021-05-12", "2021-01-29"), P("", "2026-01-22")]
    assert data_date(plans, {}) == ("所收文件最新日期", "2026-01-22")
    assert data_date(plans, {"SOURCE_DATE_EPOCH": "1700000000"}) == ("构建日期", "2023-11-14")
    assert data_date([P("", "")], {}) == ("", "")


def test_official_source_link_when_the_metadata_has_one(tmp_path):
    from plansite.pages import Renderer
    from plansite.project import load_project

    root = Path(__file__).resolve().parent.parent
    project = load_project(root, ["taijiang-14th"])
    renderer = Renderer(project, root / "templates")
    data = project.plans[0]
    before = renderer.plan_pages(data)["plans/taijiang-14th/"]
    assert "官方原文" not in before
    object.__setattr__(data.plan, "source_url", "https://www.example.gov.cn/plan.html")
    after = renderer.plan_pages(data)["plans/taijiang-14th/"]
    assert '<a href="https://www.example.gov.cn/plan.html" rel="external">' in after


def test_reader_notes_and_t2s_table():
    from plansite.reading import UNKNOWN_WARNING, reader_warning, rule_label
    from plansite.t2s import t2s_table

    note = reader_warning("目录 entry 第十八章 '大力加强海洋综合开发利用' differs from body heading "
                          "第十八章 '大力加强海洋综合利用' (line 685)")
    assert note == "目录与正文标题不一致：目录作“第十八章 大力加强海洋综合开发利用”，正文（第685行）作“第十八章 大力加强海洋综合利用”"
    assert reader_warning("目录 lists 75 章 but the body has 74") == "目录与正文数目不一致：目录列出75个章，正文有74个章"
    assert reader_warning("something new") == UNKNOWN_WARNING and "something" not in UNKNOWN_WARNING
    assert rule_label("page-number") == "页码" and rule_label("x-y") == "其他（x-y）"
    table = t2s_table(["数字经济发展"])
    assert table["數"] == "数" and table["經"] == "经" and table["發"] == "发"
    assert "数" not in table and all(s in "数字经济发展" for s in table.values())


# --- 404 at a nested URL ---------------------------------------------------------------------------

class _NotFound(http.server.SimpleHTTPRequestHandler):
    """Serves the site and answers a missing path with 404.html, as static hosts do."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_404_page_works_at_a_nested_url(browser, built_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_NotFound, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        failed = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and not r.url.endswith("/c/") else None)
        response = page.goto(base + "plans/no-such-plan/chapter-1/c/")
        assert response.status == 404 and "找不到页面" in page.inner_text("h1")
        assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display") == "flex"
        assert not failed, failed
        page.click("header.site a.brand")
        page.wait_for_url(base)
        assert page.locator(".plan-list").count() == 1
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_the_t2s_table_of_one_conversion_call_is_that_of_a_call_per_character():
    """``t2s_table`` converts every CJK code point in one OpenCC call, a line each; the table
    must be the one a call per character gives (no rule of OpenCC's spans a line break)."""
    import opencc

    from plansite.t2s import CJK_RANGES, t2s_table

    text = (Path(__file__).resolve().parent.parent / "seeds" / "fuzhou-15th.txt").read_text(encoding="utf-8")
    convert = opencc.OpenCC("t2s").convert
    used = set(text)
    expected = {}
    for start, end in CJK_RANGES:
        for cp in range(start, end):
            simple = convert(chr(cp))
            if simple != chr(cp) and len(simple) == 1 and simple in used and chr(cp) not in used:
                expected[chr(cp)] = simple
    assert len(expected) > 300
    assert t2s_table([text]) == expected
