"""Plan text is HTML-escaped everywhere it is shown: a source line ``<script>alert(1)</script>``
renders as text (``&lt;script&gt;``), never as a tag — in the reading pages, the source view and
the plan overview."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from plansite.project import load_project
from plansite.site import site_outputs

ROOT = Path(__file__).resolve().parent.parent
EVIL = "<script>alert(1)</script>"
SEED = ("第一章 总则 <img src=x onerror=alert(2)>\n\n"
        "第一节 发展基础\n\n"
        f"综合实力实现跃升。{EVIL}继续。\n\n"
        "A & B “引号” 'quote' \"double\"。\n\n"
        "第二节 发展目标\n\n"
        f"{EVIL}\n")


def build_outputs(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "site_src" / "plans").mkdir(parents=True)
    seed = SEED.encode("utf-8")
    (tmp_path / "seeds" / "xss.txt").write_bytes(seed)
    (tmp_path / "site_src" / "plans" / "xss.yml").write_text(
        "title: 测试<b>规划</b>\nshort_title: 测试\nregion: 测试区\nlevel: district\n"
        "period: {start: 2021, end: 2025}\nkind: outline\nsource: seeds/xss.txt\n"
        f"sha256: \"{hashlib.sha256(seed).hexdigest()}\"\nlevels: [章, 节]\n", encoding="utf-8")
    project = load_project(tmp_path)
    return site_outputs(project, ROOT / "templates")


def test_plan_text_is_escaped(tmp_path):
    outputs = build_outputs(tmp_path)
    doc = load_project(tmp_path).plans[0].doc
    assert any(EVIL in n.text for n in doc.walk())  # the parser keeps the text as it is
    pages = {path: html for path, html in outputs.items() if path.endswith(".html")}
    assert "plans/xss/chapter-1/index.html" in pages and "plans/xss/source/index.html" in pages
    for path, html in pages.items():
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html and "测试<b>" not in html, path
    chapter = pages["plans/xss/chapter-1/index.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chapter
    assert "&lt;img src=x onerror=alert(2)&gt;" in chapter
    assert "A &amp; B" in chapter
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["plans/xss/source/index.html"]


def test_api_keeps_the_text_verbatim(tmp_path):
    """JSON is not HTML: the API carries the title as written (JSON-escaped, not HTML-escaped)."""
    outputs = build_outputs(tmp_path)
    detail = json.loads(outputs["api/plans/xss.json"])
    chapter = detail["outline"][0]
    assert chapter["id"] == "chapter-1"
    # titles drop white space next to Chinese text (an extraction artefact), nothing else
    assert chapter["title"] == "总则<img src=x onerror=alert(2)>"
