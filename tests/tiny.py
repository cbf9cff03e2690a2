"""A tiny complete project (one plan, a correction, an indicator table, a registry) for tests that
plant bad inputs: it checks clean and builds in seconds, and a planted error stops both."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEED = ("第一章 总则\n"
        "第一节 发展基础\n"
        "综合实力实现跃升，经济总量再上台阶。\n"
        "主要指标\n"
        "类别\t指标\t单位\t2020年\t2025年\t属性\n"
        "经济发展\t1.地区生产总值\t亿元\t100\t150\t预期性\n"
        "第二节 发展目标\n"
        "经济总量再上新台阶。\n")

PLAN = """# yaml-language-server: $schema=../schemas/plan.schema.json
title: 测试区国民经济和社会发展第十四个五年规划纲要
short_title: 测试区“十四五”规划纲要
region: 测试区
level: district
parent_region: 测试市
period: {{start: 2021, end: 2025, vision: 2035}}
kind: outline
issuer: ""
approved_on: "2021-01-14"
source: seeds/tiny.txt
sha256: {sha}
levels: [章, 节]
"""

CORRECTIONS = """# yaml-language-server: $schema=../schemas/corrections.schema.json
corrections:
  - line: 8
    find: 新台阶
    replace: 台阶
    reason: test correction
"""

INDICATORS = """# yaml-language-server: $schema=../schemas/indicators.schema.json
plan: tiny
source: seeds/tiny.txt
tables:
  - id: main
    kind: targets
    title: 主要指标
    lines: [4, 6]
    base_year: 2020
    target_year: 2025
    columns: [类别, 指标, 单位, 2020年, 2025年, 属性]
    layout: {category: 0, name: 1, unit: 2, baseline: 3, target: 4, attribute: 5}
    rows:
      - line: 6
        cells: [经济发展, 1.地区生产总值, 亿元, '100', '150', 预期性]
        seq: '1'
        category: 经济发展
        name: 地区生产总值
        unit: 亿元
        baseline: {year: 2020, value: 100}
        target: {year: 2025, value: 150}
        attribute: expected
"""

REGISTRY = """# yaml-language-server: $schema=schemas/indicator_registry.schema.json
indicators:
  - id: gdp
    name: 地区生产总值
    name_en: Gross domestic product (GDP)
    unit: 亿元
    direction: higher
    measure: level
    aliases: [地区生产总值]
"""

FILES = {
    "plan": "site_src/plans/tiny.yml",
    "corrections": "site_src/corrections/tiny.yml",
    "indicators": "site_src/indicators/tiny.yml",
    "registry": "site_src/indicator_registry.yml",
    "seed": "seeds/tiny.txt",
}


def make_tiny(root: Path, seed: bytes | None = None) -> Path:
    """Write the tiny project into ``root`` (created) with ``mkdocs.yml``, ``templates/`` and
    ``site_src/pages/`` of the repository; returns ``root``."""
    seed = SEED.encode("utf-8") if seed is None else seed
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "site_src" / "pages", root / "site_src" / "pages")
    texts = {"plan": PLAN.format(sha=hashlib.sha256(seed).hexdigest()), "corrections": CORRECTIONS,
             "indicators": INDICATORS, "registry": REGISTRY}
    for key, rel in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if key == "seed":
            path.write_bytes(seed)
        else:
            path.write_text(texts[key], encoding="utf-8")
    return root


def set_seed(root: Path, data: bytes) -> None:
    """Replace the tiny seed by ``data`` and its checksum in the metadata."""
    (root / FILES["seed"]).write_bytes(data)
    meta = root / FILES["plan"]
    lines = meta.read_text(encoding="utf-8").split("\n")
    lines = [f"sha256: {hashlib.sha256(data).hexdigest()}" if ln.startswith("sha256:") else ln for ln in lines]
    meta.write_text("\n".join(lines), encoding="utf-8")
