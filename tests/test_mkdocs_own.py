"""MkDocs' own output reused by `build.py build` (plansite.mkdocs_own): a plan edit neither imports
nor runs MkDocs and publishes exactly what a build running MkDocs publishes; an edit of anything
MkDocs reads runs it again; a config the reasoning does not cover, or a build where MkDocs warned,
keeps no record."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from conftest import build_in_fresh_process, one_plan_project, update_checksum
from plansite import cli, mkdocs_own

ONE_PLAN = "taishang-14th"


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of the project with one plan (fast builds)."""
    return one_plan_project(tmp_path / "project", ONE_PLAN)


@pytest.fixture
def mkdocs_runs(monkeypatch) -> list[int]:
    """Counts the MkDocs builds run in this process (``mkdocs.commands.build.build`` calls)."""
    import mkdocs.commands.build as mb

    calls: list[int] = []
    real = mb.build

    def counted(config, *args, **kwargs):
        calls.append(1)
        return real(config, *args, **kwargs)

    monkeypatch.setattr(mb, "build", counted)
    return calls


def build(root: Path, capsys, site: str = "site") -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["--root", str(root), "build", "--quiet", "--site", str(root / site)])
    out, err = capsys.readouterr()
    return code, out + err


def edit_seed(root: Path, marker: str) -> None:
    seed = root / "seeds" / f"{ONE_PLAN}.txt"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("，", f"{marker}，", 1), encoding="utf-8")
    update_checksum(root, ONE_PLAN)


def same_tree(a: Path, b: Path) -> list[str]:
    """Paths whose bytes differ or that exist on one side only (``pagefind/`` left out)."""
    diff: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        diff.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files if n != "pagefind")
        for name in cmp.common_files:
            if (Path(cmp.left) / name).read_bytes() != (Path(cmp.right) / name).read_bytes():
                diff.append(prefix + name)
        for name, sub in cmp.subdirs.items():
            if name != "pagefind" or prefix:
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b), "")
    return diff


def test_a_plan_edit_reuses_mkdocs_output_and_publishes_the_same_site(root, capsys, mkdocs_runs):
    code, out = build(root, capsys)
    assert code == 0, out
    assert len(mkdocs_runs) == 1
    assert mkdocs_own.record_file(root, "mkdocs.yml").exists()
    edit_seed(root, "（修订一）")
    code, reused_out = build(root, capsys)
    assert code == 0, reused_out
    assert len(mkdocs_runs) == 1  # MkDocs did not run
    page = (root / "site").resolve()
    assert "（修订一）" in "".join(p.read_text(encoding="utf-8") for p in (page / "plans" / ONE_PLAN).rglob("*.html"))
    # the same inputs built with MkDocs running (no record): the same files, byte for byte
    mkdocs_own.forget(root, "mkdocs.yml")
    code, full_out = build(root, capsys, site="site-full")
    assert code == 0, full_out
    assert len(mkdocs_runs) == 2
    assert same_tree(page, (root / "site-full").resolve()) == []
    warnings = sorted(line for line in reused_out.splitlines() if "warning:" in line)
    assert warnings and warnings == sorted(line for line in full_out.splitlines() if "warning:" in line)


def test_a_build_reusing_mkdocs_output_says_the_same_lines_as_one_running_it(root, capsys, mkdocs_runs):
    """Without --quiet the progress of a build that ran MkDocs and of one that reused its output
    (each after a seed edit, so the plan is rendered both times) is the same lines; only the
    timings and the end of build.py's own line saying which of the two happened differ. MkDocs'
    lines about its scratch folder are not shown by either."""
    import re

    def progress(marker: str) -> list[str]:
        edit_seed(root, marker)
        capsys.readouterr()
        assert cli.main(["--root", str(root), "build", "--site", str(root / "site")]) == 0
        return capsys.readouterr().err.splitlines()

    ran = progress("（修订一）")
    assert len(mkdocs_runs) == 1
    reused = progress("（修订二）")
    assert len(mkdocs_runs) == 1  # MkDocs did not run
    built = re.compile(r"plansite: documentation built in \d+\.\d\d s; ")
    assert [line for line in ran if built.match(line)] \
        == [line for line in ran if line.endswith("; MkDocs ran (its own output: theme files, hand-written pages)")]
    assert len([line for line in ran if built.match(line)]) == 1
    assert [line for line in reused if built.match(line)] == [line for line in reused if line.endswith(
        "; MkDocs' own output reused from .cache/mkdocs (nothing MkDocs reads changed)")]
    assert len([line for line in reused if built.match(line)]) == 1

    def shape(lines: list[str]) -> list[str]:
        return ["plansite: documentation built in N s; …" if built.match(line) else re.sub(r"\d+\.\d\d s", "N s", line)
                for line in lines]

    assert shape(ran) == shape(reused)
    assert any(line.startswith("plansite: rendered") for line in ran)
    assert not any(line.startswith(("Cleaning site directory", "Building documentation", "Documentation built"))
                   for line in ran + reused)


def test_a_plan_edit_in_a_fresh_process_does_not_import_mkdocs(root, capsys):
    assert build(root, capsys)[0] == 0
    edit_seed(root, "（修订二）")
    result, loaded = build_in_fresh_process(root, ("mkdocs.commands.build", "mkdocs.config", "markdown", "pathspec"))
    assert result.returncode == 0, result.stderr
    assert loaded == [], result.stdout
    assert "（修订二）" in (root / "site" / "plans" / ONE_PLAN / "full" / "index.html").read_text(encoding="utf-8") \
        or any("（修订二）" in p.read_text(encoding="utf-8") for p in (root / "site" / "plans" / ONE_PLAN).rglob("*.html"))


@pytest.mark.parametrize("edit", ["docs page", "template", "config"])
def test_an_edit_of_what_mkdocs_reads_runs_it_again(root, capsys, mkdocs_runs, edit):
    assert build(root, capsys)[0] == 0
    if edit == "docs page":
        path, old, new = root / "site_src/pages/about.md", "# 关于本站与数据接口", "# 关于本站与数据接口（新）"
        check = ("about/index.html", "关于本站与数据接口（新）")
    elif edit == "template":
        path, old, new = root / "templates/assets/plansite.css", "", "/* edited */\n"
        check = ("assets/plansite.css", "/* edited */")
    else:
        path, old, new = root / "mkdocs.yml", "use_directory_urls: true", "use_directory_urls: false"
        check = ("about.html", "关于本站与数据接口")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(new + text if not old else text.replace(old, new, 1), encoding="utf-8")
    code, out = build(root, capsys)
    assert code == 0, out
    assert len(mkdocs_runs) == 2
    assert check[1] in (root / "site" / check[0]).read_text(encoding="utf-8")
    edit_seed(root, "（修订三）")  # and the record made by that build is used by the next
    assert build(root, capsys)[0] == 0
    assert len(mkdocs_runs) == 2
    assert check[1] in (root / "site" / check[0]).read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["strict", "another plugin", "mkdocs warning", "docs in .cache", "docs holding seeds"])
def test_no_record_where_the_reasoning_does_not_hold(root, capsys, mkdocs_runs, change):
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if change == "strict":
        config.write_text(text.replace("strict: false", "strict: true"), encoding="utf-8")
    elif change == "another plugin":
        (root / "hook.py").write_text("def on_config(config):\n    return config\n", encoding="utf-8")
        config.write_text(text + "hooks:\n  - hook.py\n", encoding="utf-8")
    elif change == "docs in .cache":  # a folder the input scan leaves out: its edits would go unseen
        shutil.copytree(root / "site_src/pages", root / ".cache/pages")
        config.write_text(text.replace("docs_dir: site_src/pages", "docs_dir: .cache/pages"), encoding="utf-8")
    elif change == "docs holding seeds":  # the plan inputs would be MkDocs' input too
        (root / "site_src/index.md").write_text("# 首页\n", encoding="utf-8")
        config.write_text(text.replace("docs_dir: site_src/pages", "docs_dir: site_src"), encoding="utf-8")
    else:  # a link to a missing page: MkDocs warns (validation: links: warn)
        about = root / "site_src/pages/about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\n[missing](nowhere.md)\n", encoding="utf-8")
    code, out = build(root, capsys)
    assert code == 0, out
    assert not mkdocs_own.record_file(root, "mkdocs.yml").exists()
    edit_seed(root, "（修订四）")
    code, out = build(root, capsys)
    assert code == 0, out
    assert len(mkdocs_runs) == 2  # MkDocs ran again
    if change == "mkdocs warning":
        assert "nowhere.md" in out  # its warning is reported by every build, not lost


def test_a_damaged_record_runs_mkdocs(root, capsys, mkdocs_runs):
    assert build(root, capsys)[0] == 0
    mkdocs_own.record_file(root, "mkdocs.yml").write_bytes(b"not a pickle")
    edit_seed(root, "（修订五）")
    code, out = build(root, capsys)
    assert code == 0, out
    assert len(mkdocs_runs) == 2


@pytest.mark.parametrize("search", [False, True])
def test_pagefind_is_prestarted_only_when_a_search_index_may_be_wanted(root, capsys, monkeypatch, search):
    """build.py starts Pagefind's service early for the overlay run; when the kept record says the
    plugin's ``search`` is off, it is not started at all (it would be killed unused)."""
    from plansite import pfservice

    if not search:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "  - plansite\n", "  - plansite:\n      search: false\n"), encoding="utf-8")
    started: list[int] = []
    monkeypatch.setattr(pfservice, "prestart", lambda: started.append(1))
    assert build(root, capsys)[0] == 0
    assert started == [1]  # no record yet: MkDocs reads the config
    edit_seed(root, "（修订六）")
    assert build(root, capsys)[0] == 0
    assert started == ([1, 1] if search else [1])


def test_a_forced_build_scans_the_inputs_once_and_uses_the_kept_record(root, capsys, monkeypatch, mkdocs_runs):
    """``build --force`` scans the inputs once, in the command, and looks the kept record up by
    that scan, as a build without it does: MkDocs does not run, and with the plugin's ``search``
    off Pagefind's service is not started."""
    from plansite import pfservice, stamp

    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - plansite\n", "  - plansite:\n      search: false\n"), encoding="utf-8")
    assert build(root, capsys)[0] == 0
    started: list[int] = []
    scans: list[int] = []
    real_scan = stamp.scan_inputs
    monkeypatch.setattr(pfservice, "prestart", lambda: started.append(1))
    monkeypatch.setattr(stamp, "scan_inputs", lambda *a, **k: scans.append(1) or real_scan(*a, **k))
    capsys.readouterr()
    code = cli.main(["--root", str(root), "build", "--quiet", "--force", "--site", str(root / "site")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert len(mkdocs_runs) == 1  # the first build only
    assert started == []
    assert len(scans) == 2  # the command's, and the one after the build (inputs changed meanwhile?)


def test_usable_refuses_docs_or_theme_folders_the_key_would_miss(tmp_path):
    root = tmp_path
    ok = [str(root / "site_src/pages"), str(root / "templates")]
    assert mkdocs_own.usable(root, root, ok)
    assert not mkdocs_own.usable(root, root, [*ok, str(root / "site_src")])  # holds the plan inputs
    assert not mkdocs_own.usable(root, root, [*ok, str(root)])
    assert not mkdocs_own.usable(root, root, [*ok, str(root / ".cache/pages")])  # not scanned
    assert not mkdocs_own.usable(root, root, [*ok, str(tmp_path.parent / "elsewhere")])


def test_own_dirs_leaves_installed_themes_to_the_environment_digest():
    """A project whose virtualenv lies inside it (``.venv/``, as the README installs it): MkDocs'
    own theme folder, in the installed ``mkdocs`` distribution, is under the project root but is
    left to the environment's digest, so the record can still be kept (``usable``); the
    project's own docs and theme folders stay keyed."""
    import sysconfig

    import mkdocs

    purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
    root = purelib.parents[3]  # <project>/.venv/lib/python3.X/site-packages → <project>
    theme = Path(mkdocs.__file__).resolve().parent / "templates"
    if not theme.is_relative_to(purelib):
        pytest.skip("mkdocs is not installed in this interpreter's site-packages")
    ours = [str(root / "site_src" / "pages"), str(root / "templates")]
    dirs = mkdocs_own.own_dirs(root, [*ours, str(theme)])
    assert dirs == ours
    assert mkdocs_own.usable(root, root / "plans-root", dirs)
