"""Indicator definitions say where they come from: an official source, or 编者概述 (an editor's
summary), and a plan note they cite says what the definition says it does."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = yaml.safe_load((ROOT / "site_src/indicator_registry.yml").read_text(encoding="utf-8"))["indicators"]
PLAN_SEEDS = {"福州“十五五”规划纲要": "fuzhou-15th", "台江“十四五”规划纲要": "taijiang-14th",
              "仓山“十四五”规划纲要": "cangshan-14th", "台商区“十四五”规划纲要": "taishang-14th"}


def test_every_definition_names_its_source_or_says_it_is_an_editors_summary():
    defined = [e for e in REGISTRY if e.get("definition")]
    assert len(defined) >= 20
    for e in defined:
        source = e.get("definition_source") or ""
        assert source == "编者概述" or re.search(r"《.+》|原文第\d+行", source), (e["id"], source)


def test_plan_notes_cited_in_definitions_say_what_is_claimed():
    """A definition citing "<plan>…（原文第N行）" must name a plan and a line whose text holds the
    claim's key words (checked here for each citation)."""
    claims = {"sei-share": "产值比重", "registered-unemployment": "城镇登记失业率不再列入",
              "fdi": "2017年起统计币种由美元调整为"}
    cited = 0
    for e in REGISTRY:
        for plan, line in re.findall(r"(\S{2}“[^”]+”规划纲要)\S*?（原文第(\d+)行）", e.get("definition") or ""):
            seed = (ROOT / "seeds" / f"{PLAN_SEEDS[plan]}.txt").read_text(encoding="utf-8").splitlines()
            assert claims[e["id"]] in seed[int(line) - 1], (e["id"], plan, line)
            cited += 1
    assert cited == len(claims)


def test_indicator_page_labels_an_editors_summary(built_site):
    html = (built_site / "indicators/new-urban-jobs/index.html").read_text(encoding="utf-8")
    assert "<dt>释义（编者概述）</dt>" in html and "不是统计部门的官方定义" in html
    assert "城镇累计新就业人数减去自然减员人数" in html        # not "不扣除同期减员"
    for path in (built_site / "indicators").glob("*/index.html"):
        page = path.read_text(encoding="utf-8")
        assert "据国家统计局统计指标解释概括" not in page and "<dt>定义</dt>" not in page, path
