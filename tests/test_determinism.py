"""Deterministic output and locality of changes.

Two builds of the same inputs, in different project folders and under different TZ, LC_ALL and
PYTHONHASHSEED, give identical files (manifests compared). Only the search index's unordered
files are left out: Pagefind writes its filter maps in Rust HashMap order, randomly seeded per
run (see plansite.diff.UNORDERED_SEARCH_FILES); its fragments and word index are compared.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from conftest import copy_project, update_checksum
from plansite.cli import build_site
from plansite.diff import UNORDERED_SEARCH_FILES, compare_manifests


def manifest(site: Path) -> dict[str, dict]:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]


def env_with(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ", "LC_ALL", "PYTHONHASHSEED")}
    env.update(changes)
    return env


def test_two_builds_are_byte_identical_across_folders_and_environments(tmp_path, build_py):
    a = copy_project(tmp_path / "a" / "project")
    b = copy_project(tmp_path / "elsewhere" / "deeper" / "project-b")
    runs = [(a, env_with(TZ="UTC", LC_ALL="C", PYTHONHASHSEED="0")),
            (b, env_with(TZ="Asia/Shanghai", LC_ALL="C.UTF-8", PYTHONHASHSEED="4242"))]
    for root, env in runs:
        result = build_py("--root", root, "build", "--quiet", "--site", root / "site", env=env, cwd=root)
        assert result.returncode == 0, result.stderr
    old, new = manifest(a / "site"), manifest(b / "site")
    assert len(old) > 100 and "plans/cangshan-14th/index.html" in old
    diff = compare_manifests(old, new, ignore=UNORDERED_SEARCH_FILES)
    assert diff.same, diff
    # the manifest covers what is on disk, and no build folder, date or time leaks into the output
    on_disk = sorted(p.relative_to(b / "site").as_posix() for p in (b / "site").rglob("*") if p.is_file())
    assert sorted([*new, "manifest.json"]) == on_disk
    today = time.strftime("%Y-%m-%d")
    for path in (b / "site").rglob("*"):
        if path.suffix in (".html", ".json", ".xml", ".csv", ".js", ".css"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert str(tmp_path) not in text, path
            assert today not in text, path


def test_editing_one_chapter_line_changes_only_that_plan(project):
    slug = "cangshan-14th"
    first = project / "site-1"
    build_site(project, first, quiet=True)
    detail = json.loads((first / f"api/plans/{slug}.json").read_text(encoding="utf-8"))
    chapter = next(n for n in detail["outline"] if n["id"] == "chapter-3")
    start, end = chapter["lines"]
    seed = project / "seeds" / f"{slug}.txt"
    lines = seed.read_text(encoding="utf-8").split("\n")
    # a body paragraph line of 第三章: long, not a heading, not a table row
    target = next(i for i in range(start + 3, end) if len(lines[i - 1]) > 60
                  and not lines[i - 1].startswith(("#", "|", "<")) and "\t" not in lines[i - 1]
                  and "，" in lines[i - 1])
    lines[target - 1] = lines[target - 1].replace("，", "；", 1)
    seed.write_text("\n".join(lines), encoding="utf-8")
    update_checksum(project, slug)

    second = project / "site-2"
    build_site(project, second, quiet=True)
    diff = compare_manifests(manifest(first), manifest(second))
    changed = diff.added + diff.removed + diff.changed
    assert f"plans/{slug}/chapter-3/index.html" in diff.changed
    assert f"plans/{slug}/source/index.html" in diff.changed
    assert f"api/plans/{slug}.json" in diff.changed
    outside = [p for p in changed
               if not p.startswith((f"plans/{slug}/", f"api/plans/{slug}.json", "pagefind/",
                                    f"downloads/{slug}.txt", f"downloads/{slug}.md"))]
    assert f"downloads/{slug}.txt" in diff.changed      # the plan's whole-text downloads follow its text
    assert outside == [], outside
    # the other chapters of the same plan are untouched too
    assert not [p for p in changed if p.startswith(f"plans/{slug}/chapter-") and "chapter-3/" not in p]
