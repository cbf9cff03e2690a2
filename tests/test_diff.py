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


# --- manifests are untrusted: only paths inside each site are read -----------------------------


def fake_site(folder, files: dict[str, str], extra: dict[str, str] | None = None):
    """A site folder with ``files`` written and a manifest listing them plus ``extra``
    (``{manifest path: sha256}``), written like the real one (``indent=1``)."""
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
        entries[rel] = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "size": len(text)}
    for rel, digest in (extra or {}).items():
        entries[rel] = {"sha256": digest, "size": 1}
    (folder / "manifest.json").write_text(json.dumps({"files": entries}, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    return folder


@pytest.fixture
def outside(tmp_path):
    """A page outside both sites whose text must never be printed."""
    secret = tmp_path / "outside" / "secret.html"
    secret.parent.mkdir()
    secret.write_text("<main><p>SECRET-TEXT</p></main>", encoding="utf-8")
    return secret


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlinked-file", "symlinked-folder"])
def test_diff_refuses_manifest_paths_outside_the_site(tmp_path, outside, build_py, kind):
    page = {"index.html": "<main><p>same</p></main>"}
    old = fake_site(tmp_path / "old", page)
    entry = {"dotdot": "../outside/secret.html", "absolute": str(outside),
             "symlinked-file": "leak.html", "symlinked-folder": "sub/secret.html"}[kind]
    new = fake_site(tmp_path / "new", page, {entry: "0" * 64})
    if kind == "symlinked-file":
        (new / "leak.html").symlink_to(outside)
    if kind == "symlinked-folder":
        (new / "sub").symlink_to(outside.parent, target_is_directory=True)
    fake_site(old, page, {entry: "1" * 64})  # "changed" in both: the diff would read it
    result = build_py("diff", old, new)
    assert result.returncode == 2, result.stdout
    assert "SECRET-TEXT" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    # a symlink leads out of the new site only; the other entries leave both sites
    refused = [new] if kind.startswith("symlinked") else [old, new]
    assert len(lines) == len(refused), lines
    for line, site in zip(lines, refused):
        manifest = site / "manifest.json"
        n = line_of(manifest, json.dumps(entry, ensure_ascii=False) + ":")
        assert line.startswith(f"{manifest}:{n}: entry {entry!r} "), lines
        assert line.endswith("; refused")


def test_diff_refuses_a_symlink_out_of_a_site_without_manifest(tmp_path, outside, build_py):
    old = tmp_path / "old"
    old.mkdir()
    (old / "index.html").write_text("<main><p>a</p></main>", encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    (new / "index.html").symlink_to(outside)
    result = build_py("diff", old, new)
    assert result.returncode == 2 and "SECRET-TEXT" not in result.stdout + result.stderr
    assert result.stderr.strip() == f"{new / 'index.html'}:0: symlink to a file outside the site; refused"


def test_diff_accepts_paths_inside_the_site(tmp_path, build_py):
    """The check refuses only what leaves the site: a symlink inside it is fine."""
    old = fake_site(tmp_path / "old", {"index.html": "<main><p>one</p></main>"})
    new = fake_site(tmp_path / "new", {"index.html": "<main><p>two</p></main>", "a/b.html": "<main>b</main>"})
    (new / "alias").symlink_to("a", target_is_directory=True)
    fake_site(new, {"index.html": "<main><p>two</p></main>", "a/b.html": "<main>b</main>"},
              {"alias/b.html": "2" * 64})
    result = build_py("diff", old, new)
    assert result.returncode == 1, result.stderr
    assert "+two" in result.stdout and "  + alias/b.html" in result.stdout


def test_diff_reports_a_broken_manifest_at_its_line(tmp_path, build_py):
    old = fake_site(tmp_path / "old", {"index.html": "x"})
    new = fake_site(tmp_path / "new", {"index.html": "y"})
    (new / "manifest.json").write_text('{"files": {\n "index.html": \n}', encoding="utf-8")
    result = build_py("diff", old, new)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{new / 'manifest.json'}:3: not valid JSON"), result.stderr


def test_diff_refuses_a_manifest_symlinked_out_of_its_site(tmp_path, outside, build_py):
    old = fake_site(tmp_path / "old", {"index.html": "x"})
    foreign = fake_site(tmp_path / "foreign", {"index.html": "y"}, {"../outside/secret.html": "0" * 64})
    new = tmp_path / "new"
    new.mkdir()
    (new / "index.html").write_text("y", encoding="utf-8")
    (new / "manifest.json").symlink_to(foreign / "manifest.json")
    result = build_py("diff", old, new)
    assert result.returncode == 2 and "SECRET-TEXT" not in result.stdout + result.stderr
    assert result.stderr.strip() == f"{new / 'manifest.json'}:0: resolves outside the site; refused"


def test_diff_of_two_published_sites_follows_their_symlinks(two_sites, build_py):
    """build.py build publishes `site` as a symlink to its build folder: diff reads through it."""
    old, new, _ = two_sites
    assert old.is_symlink() and new.is_symlink()
    result = build_py("diff", old, new)
    assert result.returncode == 1 and "changed pages" in result.stdout, result.stderr
