"""`build.py build` (plansite.cli.build_site): the previous site kept on failure, one-line errors without tracebacks,
progress and summary, and adding a sixth plan to a copied project."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, line_of, update_checksum
from plansite.check import run_checks
from plansite.cli import build_site
from plansite.errors import PlansiteError

LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S")


def tree_digest(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_keeps_the_previous_site(project):
    site = project / "site"
    build_site(project, site, quiet=True)
    before = tree_digest(site)
    assert "manifest.json" in before and "plans/cangshan-14th/index.html" in before
    meta = project / "site_src" / "plans" / "cangshan-14th.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "period: {start: [\n", encoding="utf-8")
    with pytest.raises(PlansiteError) as err:
        build_site(project, site, quiet=True)
    assert [p.path for p in err.value.problems] == ["site_src/plans/cangshan-14th.yml"]
    assert tree_digest(site) == before
    # beside the site: its build folder (only the published build and the spare the first build
    # made by hard links, each with its .state: the failed one is removed) and the lock file
    leftovers = sorted(p.name for p in project.iterdir() if p.name.startswith(".site"))
    assert leftovers == [".site.builds", ".site.lock"]
    published = os.readlink(site).rpartition("/")[2]
    names = sorted(p.name for p in (project / ".site.builds").iterdir())
    spares = [n for n in names if n != published and not n.endswith(".state")]
    assert len(spares) == 1 and names == sorted([published, f"{published}.state", spares[0], f"{spares[0]}.state"])


BREAKS = {
    "plan-yaml": lambda root: (root / "site_src/plans/taijiang-14th.yml").write_text("title: [\n", encoding="utf-8"),
    "garbled-seed": lambda root: ((root / "seeds/taijiang-14th.txt").write_bytes(b"\xff\xfe\x00garbled\n"),
                                  update_checksum(root, "taijiang-14th")),
    "checksum": lambda root: (root / "seeds/taijiang-14th.txt").write_text("changed\n", encoding="utf-8"),
    "correction-yaml": lambda root: (root / "site_src/corrections/fuqing-14th-proposal.yml").write_text(
        "corrections:\n  - line: [\n", encoding="utf-8"),
    "template": lambda root: (root / "templates/chapter.html").write_text("{% block main %}{% if %}\n", encoding="utf-8"),
}


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_bad_input_gives_one_line_errors_and_exit_1(project, build_py, kind):
    BREAKS[kind](project)
    for args in (["build", "--quiet", "--site", project / "site"], ["check"]):
        if kind == "template" and args == ["check"]:
            continue  # templates are not an input of check
        result = build_py("--root", project, *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        errors = [ln for ln in result.stderr.splitlines() if not ln.startswith("warning: ")]
        assert errors and all(LINE_RE.match(ln) for ln in errors), result.stderr
    assert not (project / "site").exists()


def test_mkdocs_build_prints_the_problem_lines(project):
    """`mkdocs build` (without build.py) names the file and line too, one ERROR line per problem."""
    (project / "plansite").mkdir()  # mkdocs.yml watches it
    n = line_of(project / "site_src/plans/cangshan-14th.yml", "kind:")
    meta = project / "site_src/plans/cangshan-14th.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("kind: outline", "kind: novel"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "out")],
                            cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"site_src/plans/cangshan-14th.yml:{n}: kind must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_shows_progress_per_plan_and_a_summary(project, build_py):
    result = build_py("--root", project, "build", "--site", project / "site")
    assert result.returncode == 0, result.stderr
    slugs = sorted(p.stem for p in (project / "site_src/plans").glob("*.yml"))
    for slug in slugs:
        assert re.search(rf"^plansite: parsed {slug} \(", result.stderr, re.M), result.stderr
        assert re.search(rf"^plansite: rendered {slug} \(", result.stderr, re.M), result.stderr
    summary = result.stdout
    pages = sum(1 for _ in (project / "site").rglob("*.html"))
    files = sum(1 for p in (project / "site").rglob("*") if p.is_file())
    assert re.search(rf"^  plans +{len(slugs)}$", summary, re.M), summary
    assert re.search(rf"^  pages +{pages}$", summary, re.M), summary
    assert re.search(rf"^  files +{files}$", summary, re.M), summary
    assert re.search(r"^  warnings +\d+$", summary, re.M) and re.search(r"^  time +[\d.]+ s$", summary, re.M)
    assert len(summary.splitlines()) <= 25


def synthetic_seed(root: Path) -> bytes:
    """A sixth plan from slices of two real seeds: 仓山's title, 目录, 前言 and 第一章, then 台江's 第二章."""
    cang = (root / "seeds/cangshan-14th.txt").read_text(encoding="utf-8").split("\n")
    tai = (root / "seeds/taijiang-14th.txt").read_text(encoding="utf-8").split("\n")
    c2 = line_of(root / "seeds/cangshan-14th.txt", "## 第二章")
    t2 = line_of(root / "seeds/taijiang-14th.txt", "## 第二章")
    t3 = line_of(root / "seeds/taijiang-14th.txt", "## 第三章")
    return ("\n".join(cang[:c2 - 1] + tai[t2 - 1:t3 - 1]) + "\n").encode("utf-8")


def test_adding_a_sixth_plan(project):
    """The README recipe: seed into seeds/, metadata with its sha256, check, build."""
    slug = "synth-14th"
    seed = synthetic_seed(project)
    (project / "seeds" / f"{slug}.txt").write_bytes(seed)
    meta = (project / "site_src/plans/cangshan-14th.yml").read_text(encoding="utf-8")
    meta = re.sub(r"(?m)^(title|short_title|region): .*$", lambda m: f"{m.group(1)}: 合成区{m.group(1)}", meta)
    meta = meta.replace("source: seeds/cangshan-14th.txt", f"source: seeds/{slug}.txt")
    meta = re.sub(r"(?m)^sha256: .*$", f"sha256: {hashlib.sha256(seed).hexdigest()}", meta)
    (project / "site_src/plans" / f"{slug}.yml").write_text(meta, encoding="utf-8")

    report = run_checks(project)
    assert report.problems == [] and slug in report.plans
    site = project / "site"
    summary = build_site(project, site, quiet=True)
    assert summary["plans"] == 6
    assert (site / f"plans/{slug}/index.html").is_file()
    assert (site / f"plans/{slug}/source/index.html").is_file()
    chapters = sorted(p.parent.name for p in (site / f"plans/{slug}").glob("chapter-*/index.html"))
    assert chapters == ["chapter-1", "chapter-2"]
    chapter2 = (site / f"plans/{slug}/chapter-2/index.html").read_text(encoding="utf-8")
    assert "强化改革创新" in chapter2  # 台江's 第二章, not 仓山's
    detail = json.loads((site / f"api/plans/{slug}.json").read_text(encoding="utf-8"))
    assert detail["source"]["sha256"] == hashlib.sha256(seed).hexdigest()
    assert detail["title"] == "合成区title"
    listed = json.loads((site / "api/plans.json").read_text(encoding="utf-8"))["plans"]
    assert slug in [p["slug"] for p in listed]
    assert f"plans/{slug}/index.html" in json.loads((site / "manifest.json").read_text())["files"]
    # the real repository's site knows nothing of it: the plugin read the copied project
    assert not (ROOT / "seeds" / f"{slug}.txt").exists()
