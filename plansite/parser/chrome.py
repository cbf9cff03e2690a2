"""Page chrome: lines that belong to the web page, e-paper or PDF a plan was copied from, not to
the plan. Each is dropped by a *named rule*, and every drop is listed on the plan page and in its
JSON (``dropped``). A rule matches whole lines of chrome, never prose that mentions a keyword.

Interface used by the parser: :func:`find_chrome` (line index → rule name) and
:data:`RULES` (rule name → what it drops, in Chinese for the public report);
:func:`metadata_block` reads a government portal's 索引号/发布机构/文号/成文日期 block
(label → value) for the metadata draft of ``build.py add``. The single-line rules (patterns and
word lists tried on one line) are in :mod:`plansite.parser.chrome_lines`; the whole-document
rules (headlines, metadata blocks, page headers, running headers: lines judged by their
neighbours) are here.

The rules follow how the sites are built, not any one file:

- government portals: a breadcrumb (``当前位置：首页 > …``), a byline (``来源：… 发布时间：…
  浏览次数：``), a tool bar (``打印 关闭 分享到``, ``字体：大 中 小``), the 政府信息公开 catalogue
  block (``索引号 … 发布机构 … 文号 … 成文日期 …``), the page's own headline repeating the title;
- newspaper e-paper pages: the page label (``第03版：特刊``, ``A07：要闻``), page navigation
  (``上一版 下一版``, ``上一篇 下一篇``, ``放大 缩小 默认``), continuation marks (``(上接AA01版)``),
  the issue date with its weekday;
- document-sharing sites: page-image captions (``…_第1页``), reading progress (``已阅读5页``),
  ``下载本文档``, the copyright notice, ``文档简介``;
- aggregators: the listing headline (``(安徽省)合肥市庐江县…十四五规划(2022年更新)``);
- any page: lone page numbers, markdown rules, editor credits, image file names, related-article
  links.

Everything is matched on the normalised view (:func:`plansite.parser.normalize.norm`: half-width,
simplified, without spaces inside Chinese text), so ``字體：大 中 小`` and ``放 大 縮 小`` match too.
A document's own apparatus (doc number, 主动公开 stamp, signature, date, 此件公开发布) and its cover
(issuer, date) are never chrome.
"""

from __future__ import annotations

import re

from .chrome_lines import BYLINE_RE, NAV_WORDS, SENTENCE, STRONG, label_fields, line_rule, metadata_fields
from .normalize import norm

#: Rule name → Chinese description shown to readers next to each dropped line.
RULES: dict[str, str] = {
    "page-number": "页码",
    "markdown-rule": "分隔线",
    "editor-credit": "网页编辑署名",
    "breadcrumb": "网页导航路径（当前位置）",
    "byline": "网页信息栏（来源、作者、发布时间、浏览次数）",
    "page-tools": "网页工具栏（打印、关闭、分享、收藏、字体大小）",
    "site-nav": "网站导航栏",
    "site-footer": "网站页脚（主办单位、备案号、版权）",
    "epaper-nav": "电子报版面信息（版次、上一版/下一版、转版标记、出版日期）",
    "metadata-block": "政府信息公开目录信息（索引号、发布机构、文号、成文日期等）",
    "page-headline": "网页标题（重复文件标题）",
    "running-header": "PDF 页眉（每页重复的标题或文件名）",
    "page-header": "网页页头上导航栏之间的栏目名",
    "doc-site": "文档分享网站信息（页面截图标题、阅读进度、下载、版权说明）",
    "image-file": "图片文件名",
    "related-links": "相关文章、上一篇/下一篇链接",
    "teaser": "转载网站所加的导读、编者按",
    "web-banner": "新闻网站横幅图片上的文字",
    "editor": "编辑记录的非正文行",
}

# -- whole-document rules -------------------------------------------------------------------------

_PLAN_WORDS = re.compile(r"规划|纲要|建议|计划")


def _key(text: str) -> str:
    """A title for comparison: normalised, without 《》, quotes and spaces, 〇/○/零 alike."""
    key = re.sub(r"[《》“”\"'\s]", "", text)
    return re.sub(r"[〇○零Oo０]|\ufffd", "〇", key)


def _bare(key: str) -> str:
    """``key`` without a notice wrapper (关于印发…的通知) and bracketed notes at either end."""
    key = re.sub(r"^.{0,20}?关于印发", "", key)
    key = re.sub(r"的通知$", "", key)
    key = re.sub(r"^关于(.{6,}?)的(?:公示|公告|通告)$", r"\1", key)  # a portal's notice of the draft
    key = re.sub(r"^[(【\[][^()【】\[\]]{1,10}[)】\]]", "", key)
    key = re.sub(r"^[^,。]{1,8}[!|丨]", "", key)  # 重磅！… / 全文丨…
    key = re.sub(r"\([^()]{1,12}\)$", "", key)
    key = re.sub(r"(纲要|建议|规划|计划)[-_|丨—–]+[\u4e00-\u9fffA-Za-z0-9.]{2,16}$", r"\1", key)  # …纲要 - 某某文库
    return re.sub(r"(?:全文|正文|摘要|发布|公布|出炉|来了)+$", "", key)


def _cycle(key: str) -> str:
    m = re.search(r"第([一二三四五六七八九十]{1,3})个五年|[“\"]?十([一二三四五六七八九])五[”\"]?", key)
    if not m:
        return ""
    return m.group(1) if m.group(1) else "十" + m.group(2)


def _same_plan(headline: str, title: str) -> bool:
    """Whether ``headline`` names the plan ``title`` names (both keys): equal once notice wrappers and
    bracketed notes are removed, or the same region (the headline's may add its parents) and cycle."""
    a, b = _bare(headline), _bare(title)
    if a == b:
        return True
    ra, rb = _region_key(a), _region_key(b)
    return (bool(rb) and ra.endswith(rb) and _cycle(a) != "" and _cycle(a) == _cycle(b)
            and _kind_key(a) == _kind_key(b))


def _region_key(key: str) -> str:
    """The region a plan title or headline names: the text before ``国民经济和社会发展`` or the
    cycle, without ``中共…委关于制定`` and a leading bracketed province."""
    m = re.match(r"^(.*?)(?:国民经济和社会发展|[“\"]?十[一二三四五六七八九]五|第[一二三四五六七八九十]{1,3}个五年)", key)
    if not m:
        return ""
    region = re.sub(r"^(?:中共)?(.*?)(?:委)?关于(?:制定)?", r"\1", m.group(1))
    return re.sub(r"^\([^()]{1,10}\)", "", region)


def _kind_key(key: str) -> str:
    return "建议" if key.endswith("建议") else "纲要"


_DOC_APPARATUS = re.compile(r"〔|\[\d{4}\]|\d号$|^[(（]?此件|^[(（]?(?:主动|依申请|不予)公开[)）]?$|^各.{1,30}[:：]?$|^\d{4}年")


def _document_begins(text: str) -> bool:
    """Whether ``text`` can only be the document's own (prose, a doc number, a 主动公开 stamp, an
    addressee, a date): the page header is over."""
    return len(text) > 16 or bool(SENTENCE.search(text)) or bool(_DOC_APPARATUS.search(text))


def _title_like(text: str) -> bool:
    """A line that could be a plan's title or a headline: names a plan, no sentence punctuation
    (a headline's ``重磅！`` lead aside)."""
    text = re.sub(r"^[^,。]{1,8}[!！|丨]", "", text)
    return bool(_PLAN_WORDS.search(text)) and not SENTENCE.search(text) and len(text) <= 90


def _cover_follows(texts: list[str], i: int, found: dict[int, str]) -> bool:
    """Whether the line after ``i`` (chrome aside) is a cover's issuer or date (so ``i`` is a
    cover title)."""
    nxt = next((t for j, t in enumerate(texts[i + 1:], i + 1) if t and j not in found), "")
    return bool(re.search(r"(人民政府|委员会|市委|县委|区委|省委|办公室)$", nxt)
                or re.fullmatch(r"[\d〇○一二三四五六七八九十]{4}年(?:[\d一二三四五六七八九十]{1,2}月)?"
                                r"(?:[\d一二三四五六七八九十]{1,3}日)?", nxt))


def _headlines(texts: list[str], found: dict[int, str]) -> None:
    """Mark page headlines: a single title-like line in the page header (before it only chrome,
    short labels or other headlines) whose plan is named again by a later title (one to four
    lines joined). The last occurrence is the document's own; cover titles, the first line of a
    wrapped title and a page's only notice title are kept."""
    for i, text in enumerate(texts):
        if not text or i in found:
            continue
        if not (_title_like(text) or text.endswith("的通知")):
            if _document_begins(text):
                break  # the document has begun: no headline after this
            continue
        if _cover_follows(texts, i, found):
            continue
        notice = bool(re.search(r"关于印发.*的通知$", text))
        if notice and not any(k in found for k in range(i)):
            continue  # a notice title first on the page is the document's own
        key = _key(text)
        if not re.search(r"(纲要|建议|规划|计划)$", _bare(key)):
            continue  # not a whole title: the first line of a title wrapped over several lines
        later = []
        for j in range(i + 1, len(texts)):
            if texts[j] and j not in found:
                if _BODY_HEADING.match(texts[j]) and not (texts[j].startswith("一、") and any(
                        "印发" in texts[x] for x in later)):
                    break  # the body has begun: a title printed in it is no repetition of the headline
                later.append(j)
        for s in range(len(later)):
            joined = ""
            for j in later[s:s + 4]:
                if not _title_like(texts[j]) and SENTENCE.search(texts[j]):
                    break
                joined += _key(texts[j])
                if notice and "关于印发" not in joined:
                    continue  # a notice title repeats only another notice title (not the plan's)
                if _PLAN_WORDS.search(joined) and _same_plan(key, joined):
                    found[i] = "page-headline"
                    break
            if i in found:
                break


def _metadata(texts: list[str], found: dict[int, str]) -> None:
    """Mark the 政府信息公开 catalogue block: lines of label/value pairs with at least two labels,
    or one label next to another block line, and at least one line with a distinctive label."""
    fields = {i: metadata_fields(t) for i, t in enumerate(texts) if t and i not in found}
    fields = {i: f for i, f in fields.items() if f}
    nonblank = [i for i, t in enumerate(texts) if t]
    pos = {i: k for k, i in enumerate(nonblank)}

    def neighbours(i: int) -> list[int]:
        k = pos[i]
        return [nonblank[x] for x in (k - 1, k + 1) if 0 <= x < len(nonblank)]

    block: set[int] = set()
    for i, f in fields.items():
        labels = {label for label, _ in f}
        if len(f) >= 2 and labels & STRONG:
            block.add(i)
        # the block printed as a two-column table: one label a line, two strong labels side by side
        elif labels & STRONG and any(n in fields and {lb for lb, _ in fields[n]} & STRONG
                                      for n in neighbours(i)):
            block.add(i)
    # grow the block over adjacent label lines, forwards then backwards (linear in the lines)
    for order in (sorted(fields), sorted(fields, reverse=True)):
        for i in order:
            if i not in block and any(n in block for n in neighbours(i)):
                block.add(i)
    for i in block:
        found[i] = "metadata-block"


def _page_header(texts: list[str], found: dict[int, str]) -> None:
    """Mark short labels between chrome lines at the top of the page (site name, column name, a
    tab label): a run of lines of at most 16 characters without sentence punctuation, preceded
    only by chrome and followed by chrome."""
    i = 0
    n = len(texts)
    while i < n:
        if not texts[i] or i in found:
            i += 1
            continue
        run, j = [], i
        while j < n and (not texts[j] or j not in found):
            if texts[j]:
                if _document_begins(texts[j]) or _title_like(texts[j]):
                    return
                run.append(j)
            j += 1
        if j >= n:
            return
        if not any(k in found for k in range(i)) and found[j] not in ("breadcrumb", "site-nav", "epaper-nav", "page-tools"):
            return  # at the very top only before a navigation bar (the site's name)
        for k in run:
            found[k] = "page-header"
        i = j


_SITE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,24}(?:门户网站|政府网站|政府网|官方网站|官网|新闻网|网站)$")


def _site_name(texts: list[str], found: dict[int, str]) -> None:
    """The first line of the page naming a website (``某某县人民政府门户网站``) is the page's header,
    also with no navigation bar after it."""
    first = next((i for i, t in enumerate(texts) if t), None)
    if first is not None and first not in found and _SITE_NAME.match(texts[first]):
        found[first] = "page-header"


def _header_bylines(texts: list[str], found: dict[int, str]) -> None:
    """In the page header (before the document begins), a single ``来源：…`` / ``作者：…`` line is
    the page's byline too (elsewhere such a line may be a table's note)."""
    titled = False
    for i, text in enumerate(texts):
        if not text or i in found:
            continue
        fields = label_fields(text, BYLINE_RE)
        if fields and all(len(value) <= 20 for _, value in fields):
            found[i] = "byline"
            continue
        if titled:
            return  # only right under the title
        if _title_like(text) and re.search(r"(纲要|建议|规划|计划)\)?$", text):
            titled = True  # the title, printed above the page's byline
        elif _document_begins(text):
            return


#: A line opening a body heading (第X篇/章/节/部分, 一、): the document's body has begun.
_BODY_HEADING = re.compile(r"^第[一二三四五六七八九十百\d]{1,5}(?:篇|章|节|部分)|^一、")

#: A line opening with a numbering marker, a box or a table/figure label: never a running header
#: (a numbered line printed twice is a 目录 entry and its heading).
_NUMBERED = re.compile(r"^(?:第[一二三四五六七八九十百\d]{1,5}(?:篇|章|节|部分)|[一二三四五六七八九十]{1,3}、|"
                       r"\([一二三四五六七八九十\d]{1,3}\)|\d{1,3}[.、]|专栏|表|图)")
_RUNNING_TITLE = re.compile(r"(纲要|建议|规划|计划)(\([^()]{1,8}\))?》?$")


def _running_headers(texts: list[str], found: dict[int, str]) -> None:
    """Mark the running header of a PDF: a line without sentence punctuation or numbering marker
    printed again and again at the head (or foot) of its pages ("next to a page number" means the
    line before or after it, blank lines aside, is one). Two readings, in this order:

    1. a line of 6+ characters printed again: a repeat of the plan's title counts when it stands
       next to a page number, inside the body, or the title is printed three times or more; any
       other line when it stands next to page numbers on at least two pages. The first occurrence
       is the document's own (its cover, or a heading);
    2. a short line (4–40 characters) next to a page number at least twice: every occurrence is
       the header, but one that opens the document away from a page number (the title the header
       repeats, printed at the top of the first page)."""
    nonblank = [i for i, t in enumerate(texts) if t]

    def beside_page_number(i: int) -> bool:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(texts) and not texts[j]:
                j += step
            if 0 <= j < len(texts) and found.get(j) == "page-number":
                return True
        return False

    def header_like(text: str) -> bool:
        return not SENTENCE.search(text) and not _NUMBERED.match(text)

    seen: dict[str, list[int]] = {}
    for i in nonblank:
        if i not in found and len(texts[i]) >= 6 and header_like(texts[i]):
            seen.setdefault(texts[i], []).append(i)
    # the body begins at a heading followed by prose (目录 entries are followed by entries)
    body = next((i for i, j in zip(nonblank, nonblank[1:]) if _BODY_HEADING.match(texts[i])
                 and SENTENCE.search(texts[j]) and not _BODY_HEADING.match(texts[j])), len(texts))
    for text, where in seen.items():
        if len(where) < 2:
            continue
        titled = bool(_RUNNING_TITLE.search(text))
        paged = sum(beside_page_number(i) for i in where) >= 2
        for i in where[1:]:
            if titled and (len(where) >= 3 or beside_page_number(i) or where[0] < body < i) \
                    or paged and beside_page_number(i):
                found[i] = "running-header"

    opening = next((i for i in nonblank if i not in found), -1)
    short: dict[str, list[int]] = {}
    for i in nonblank:
        if 4 <= len(texts[i]) <= 40 and header_like(texts[i]):
            short.setdefault(texts[i], []).append(i)
    for where in short.values():
        near = [beside_page_number(i) for i in where]
        if sum(near) >= 2:
            for i, beside in zip(where, near):
                if i != opening or beside:
                    found.setdefault(i, "running-header")


def _space_bar(printed: str) -> bool:
    """A navigation bar printed as short labels separated by white space, one of them a navigation
    word (``网站首页 政务公开 政务服务 互动交流``); three industries in a row are not one."""
    cells = printed.split()
    return (len(cells) >= 3 and all(len(c) <= 8 and not SENTENCE.search(c) for c in cells)
            and any(norm(c) in NAV_WORDS for c in cells))


_QUOTE = re.compile(r"^>\s*")


def find_chrome(lines: list[str]) -> dict[int, str]:
    """Chrome lines of a document: ``{0-based index: rule name}`` (names are keys of :data:`RULES`).

    ``lines`` are the document's lines as printed (markup such as ``**`` already removed, outer white
    space stripped; blank lines included so that neighbours can be seen). Rules look at single lines
    first, then at blocks (the metadata block) and at the page header (headlines, labels between
    navigation bars), so the whole document is passed at once. Pure; never raises.
    """
    texts = [_QUOTE.sub("", s) if (s := norm(t).strip()).startswith(">") else s  # a markdown quote: ``> 来源：…``
             for t in lines]
    found: dict[int, str] = {}
    for i, text in enumerate(texts):
        if text:
            rule = line_rule(text) or ("site-nav" if _space_bar(lines[i]) else None)
            if rule:
                found[i] = rule
    _metadata(texts, found)
    _running_headers(texts, found)
    _header_bylines(texts, found)
    _headlines(texts, found)
    _page_header(texts, found)
    _site_name(texts, found)
    return dict(sorted(found.items()))


def metadata_block(lines: list[str]) -> dict[str, str]:
    """The 政府信息公开 catalogue block of a page (索引号, 发布机构, 文号, 成文日期 …) as
    ``{label: value}``, values in the normalised view (half-width, no spaces inside Chinese text);
    ``{}`` when there is none.

    ``lines`` as for :func:`find_chrome`. Labels are normalised (``主题(一)`` → ``主题``; the first
    occurrence of a label wins); empty values are left out.
    """
    texts = [norm(t).strip() for t in lines]
    found: dict[int, str] = {}
    _metadata(texts, found)
    out: dict[str, str] = {}
    for i in sorted(k for k, rule in found.items() if rule == "metadata-block"):
        for label, value in metadata_fields(texts[i]) or []:
            if value and label not in out:
                out[label] = value
    return out
