"""`build.py diff` (plansite.diff): pages by manifest, main-text diffs without chrome, semantic
indicator lines, exit codes, and --against REV."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ROOT, line_of, update_checksum
from plansite.cli import build_site
from plansite.diff import indicator_changes, main_text


def test_main_text_keeps_blocks_and_drops_navigation():
    html = """<html><body><header><nav><a href="/">全部规划</a></nav></header>
<main id="main">
<nav class="pager"><a href="../">上一章</a></nav>
<h1 id="c"><span class="num">第一章</span>总体要求</h1>
<p>坚持创新，  引领发展。</p>
<table><tr><th>指标</th><td>1500</td></tr></table>
<script>var x = 1;</script>
</main><footer><p>页脚</p></footer></body></html>"""
    assert main_text(html) == ["第一章总体要求", "坚持创新， 引领发展。", "指标 | 1500"]


def table(target: float, unit: str = "亿元") -> dict:
    return {"indicator_tables": [{"id": "main", "rows": [
        {"name": "地区生产总值（GDP）", "subname": None, "unit": unit,
         "baseline": {"year": 2020, "value": 902.27}, "target": {"year": 2025, "value": target},
         "growth": {"kind": "annual", "value": 8.0}},
        {"name": "研发投入强度", "subname": None, "unit": "%", "target": {"year": 2025, "value": 2.5}},
    ]}]}


def test_indicator_changes_are_semantic_lines():
    assert indicator_changes("cangshan-14th", table(1500.0), table(1500.0)) == []
    assert indicator_changes("cangshan-14th", table(1500.0), table(1600.0)) == [
        "cangshan-14th 地区生产总值（GDP） target 2025: 1500 → 1600 亿元"]
    removed = table(1500.0)
    removed["indicator_tables"][0]["rows"].pop()
    assert indicator_changes("x", table(1500.0), removed) == ["x 研发投入强度 (table main): row removed"]
    assert indicator_changes("x", {}, {}) == []  # no indicator tables in the API: nothing to say


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    """A copied project built twice: before and after a planted indicator change (仓山 GDP
    target 1500 → 1600, in the seed's table and the indicator file) and a one-character edit of
    a chapter line."""
    from conftest import copy_project

    base = tmp_path_factory.mktemp("diff")
    root = copy_project(base / "project")
    build_site(root, base / "old", quiet=True)
    ind = root / "site_src/indicators/cangshan-14th.yml"
    n = line_of(ind, "target: {year: 2025, value: 1500}")
    lines = ind.read_text(encoding="utf-8").split("\n")
    lines[n - 1] = lines[n - 1].replace("value: 1500}", "value: 1600}")
    lines = [ln.replace("'902.27', '1500',", "'902.27', '1600',") for ln in lines]
    ind.write_text("\n".join(lines), encoding="utf-8")
    # the printed table says so too (a build refuses a parsed value that the source does not print)
    cangshan = root / "seeds/cangshan-14th.txt"
    cangshan.write_text(cangshan.read_text(encoding="utf-8").replace("\t902.27\t1500\t", "\t902.27\t1600\t", 1),
                        encoding="utf-8")
    update_checksum(root, "cangshan-14th")
    seed = root / "seeds/taijiang-14th.txt"
    m = line_of(seed, "## 第二章")
    body = line_of(seed, "，", start=m + 2)
    text = seed.read_text(encoding="utf-8").split("\n")
    old_line = text[body - 1]
    text[body - 1] = old_line.replace("，", "；", 1)
    seed.write_text("\n".join(text), encoding="utf-8")
    update_checksum(root, "taijiang-14th")
    build_site(root, base / "new", quiet=True)
    return base / "old", base / "new", old_line


def test_identical_sites_exit_0(two_sites, build_py):
    old, _, _ = two_sites
    result = build_py("diff", old, old)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no differences")


def test_diff_reports_pages_text_and_the_indicator_change(two_sites, build_py):
    old, new, old_line = two_sites
    result = build_py("diff", old, new)
    assert result.returncode == 1, result.stderr
    out = result.stdout.splitlines()
    assert "changed pages" in result.stdout
    assert "  ~ plans/taijiang-14th/chapter-2/index.html" in out
    assert "  ~ api/plans/taijiang-14th.json" in out
    detail = json.loads((new / "api/plans/cangshan-14th.json").read_text(encoding="utf-8"))
    if "indicator_tables" not in detail:
        pytest.skip("the JSON API has no indicator_tables yet")
    assert "  cangshan-14th 地区生产总值（GDP） target 2025: 1500 → 1600 亿元" in out
    # the text diff shows the edited sentence, once removed and once added, without chrome
    removed = [ln for ln in out if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in out if ln.startswith("+") and not ln.startswith("+++")]
    fragment = old_line.split("，")[0].lstrip("#*- ")[-8:]
    assert any(fragment in ln and "，" in ln for ln in removed), removed
    assert any(fragment in ln and "；" in ln for ln in added), added
    assert not any("全部规划" in ln for ln in removed + added)


def test_diff_errors_exit_2(tmp_path, build_py):
    result = build_py("diff", tmp_path / "missing", tmp_path)
    assert result.returncode == 2 and "missing:0: no such site folder" in result.stderr
    assert build_py("diff", "--against", "no-such-revision-xyz").returncode == 2


def test_against_a_revision_uses_a_temporary_worktree(built_site, build_py, tmp_path):
    import os

    # the worktree goes under TMPDIR: this run's own folder, since other runs may work beside it
    env = dict(os.environ, TMPDIR=str(tmp_path))
    result = build_py("diff", "--against", "HEAD", "--site", built_site, env=env)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
    worktrees = subprocess.run(["git", "-C", str(ROOT), "worktree", "list", "--porcelain"],
                               capture_output=True, text=True).stdout
    assert str(tmp_path) not in worktrees
    assert list(tmp_path.iterdir()) == []
