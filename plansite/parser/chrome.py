"""Page chrome: lines that belong to the web page, e-paper or PDF a plan was copied from, not to
the plan. Each is dropped by a *named rule*, and every drop is listed on the plan page and in its
JSON (``dropped``). A rule matches whole lines of chrome, never prose that mentions a keyword.

Interface used by the parser: :func:`find_chrome` (line index → rule name) and
:data:`RULES` (rule name → what it drops, in Chinese for the public report).
"""

from __future__ import annotations

import re

#: Rule name → Chinese description shown to readers next to each dropped line.
RULES: dict[str, str] = {
    "page-number": "页码",
    "markdown-rule": "分隔线",
    "editor-credit": "网页编辑署名",
}

_LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("page-number", re.compile(r"^[-—–]?\s*\d{1,3}\s*[-—–]?$")),
    ("markdown-rule", re.compile(r"^(-{3,}|\*{3,}|_{3,})$")),
    ("editor-credit", re.compile(r"^(责任)?编辑\s*[/／：:]\s*\S{1,8}$")),
]


def find_chrome(lines: list[str]) -> dict[int, str]:
    """Chrome lines of a document: ``{0-based index: rule name}``.

    ``lines`` are the document's lines as printed (markup such as ``**`` already removed, outer white
    space stripped). Rules may look at neighbouring lines (a metadata block, a navigation bar at the
    top of the page), so the whole document is passed at once.
    """
    found: dict[int, str] = {}
    for i, text in enumerate(lines):
        for name, pattern in _LINE_RULES:
            if pattern.match(text):
                found[i] = name
                break
    return found
