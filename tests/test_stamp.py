"""The no-change fast path of `build.py build` (plansite.stamp): the same output and nothing written
when nothing changed; a real build after any change of an input, of the published site, or with
--force; no stamp left by a failed build or by one whose inputs changed while it ran."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import build_in_fresh_process, one_plan_project, trash_emptied, update_checksum
from plansite import cli, stamp

ONE_PLAN = "taishang-14th"  # a plan with warnings


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of the project with one plan (fast builds), as in test_publish."""
    return one_plan_project(tmp_path / "project", ONE_PLAN)


def build(root: Path, capsys, *extra: str, quiet: bool = False) -> tuple[int, str, str]:
    """`build.py --root ROOT build [--quiet] EXTRA` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main(["--root", str(root), "build", *(["--quiet"] if quiet else []), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def published(root: Path) -> str:
    return os.readlink(root / "site")


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` (symlinks not followed): kind, size, mtime (ns), inode."""
    found = {}
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            st = os.lstat(os.path.join(base, name))
            found[os.path.relpath(os.path.join(base, name), folder)] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                                                      st.st_ino)
    return found


def without_time(text: str) -> str:
    return re.sub(r"(?m)^  time +[\d.]+ s$", "  time", text)


def test_no_change_prints_what_a_build_prints_and_writes_nothing(root, capsys):
    code, out, err = build(root, capsys)
    assert code == 0 and "plansite: parsed" in err
    trash_emptied(root)
    before, listing = published(root), snapshot(root)
    code, again, err2 = build(root, capsys)
    assert code == 0
    assert without_time(again) == without_time(out) and again != ""
    # the same warning lines, in the same order, and a line saying nothing was written
    warnings = [ln for ln in err.splitlines() if ln.startswith("warning: ")]
    assert [ln for ln in err2.splitlines() if ln.startswith("warning: ")] == warnings and warnings
    assert "plansite: parsed" not in err2 and f"nothing changed since the published build {before}" in err2
    assert published(root) == before and snapshot(root) == listing  # not a byte, not a time stamp
    code, quiet, err3 = build(root, capsys, quiet=True)
    assert code == 0 and without_time(quiet) == without_time(out) and err3 == ""


def test_the_fast_path_imports_neither_mkdocs_nor_pydantic_nor_the_parser(root, capsys):
    assert build(root, capsys, quiet=True)[0] == 0
    result, heavy = build_in_fresh_process(root, ("mkdocs", "pydantic", "jinja2", "yaml", "markdown", "plansite.parser",
                                                  "plansite.check", "plansite.mkdocs_run"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"built {root / 'site'}\n") and heavy == []


def _seed_byte(root: Path) -> None:
    seed = root / "seeds" / f"{ONE_PLAN}.txt"
    data = seed.read_bytes()
    at = data.index("，".encode())
    seed.write_bytes(data[:at] + "、".encode() + data[at + len("，".encode()):])
    update_checksum(root, ONE_PLAN)


def _append(rel: str, text: str):
    def change(root: Path) -> None:
        with open(root / rel, "a", encoding="utf-8") as f:
            f.write(text)
    return change


CHANGES = {
    "a byte of a seed": _seed_byte,
    "plan metadata": _append(f"site_src/plans/{ONE_PLAN}.yml", "# reviewed\n"),
    "a template": _append("templates/chapter.html", "{# reviewed #}\n"),
    "the stylesheet": _append("templates/assets/plansite.css", "/* reviewed */\n"),
    "mkdocs.yml": _append("mkdocs.yml", "# reviewed\n"),
    "a docs page": _append("site_src/pages/about.md", "\n补充。\n"),
    "a new file in the project": lambda root: (root / "hooks.py").write_text("# x\n", encoding="utf-8"),
    "a file renamed": lambda root: (root / "site_src/pages/about.md").rename(root / "site_src/pages/about2.md"),
    "an installed distribution": lambda root: (
        (root.parent / "sp").mkdir(), (root.parent / "sp" / "markdown-9.9.dist-info").mkdir(),
        sys.path.append(str(root.parent / "sp"))),
}


def test_each_kind_of_input_change_makes_a_real_build(root, capsys, monkeypatch, tmp_path):
    assert (root / "templates/assets/plansite.css").is_file()
    package = tmp_path / "package"
    shutil.copytree(stamp.package_dir(), package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stamp, "package_dir", lambda: package)  # the code the digest reads
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    changes = dict(CHANGES, **{"SOURCE_DATE_EPOCH": lambda root: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000"),
                               "a code file": _append(str(package / "site.py"), "# reviewed\n")})
    assert build(root, capsys, quiet=True)[0] == 0
    for what, change in changes.items():
        before = published(root)
        assert build(root, capsys)[2].startswith("plansite: nothing changed"), what
        assert published(root) == before, what
        change(root)
        code, out, err = build(root, capsys)
        assert code == 0, (what, err)
        assert "nothing changed" not in err and published(root) != before, what


def test_a_failed_build_leaves_no_stamp(root, capsys):
    assert build(root, capsys, quiet=True)[0] == 0
    good = published(root)
    assert stamp.stamp_file(root, root / "site").is_file()
    template = root / "templates/chapter.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text + "{% if %}\n", encoding="utf-8")
    code, out, err = build(root, capsys, quiet=True)
    assert code == 1 and "templates/chapter.html" in err and out == ""
    assert published(root) == good and not stamp.stamp_file(root, root / "site").exists()
    code, out, err = build(root, capsys, quiet=True)  # still refused, not taken for the published build
    assert code == 1 and out == ""
    template.write_text(text, encoding="utf-8")  # back to the inputs of the published build: built again
    code, out, err = build(root, capsys)
    assert code == 0 and "nothing changed" not in err and published(root) != good
    assert build(root, capsys)[2].startswith("plansite: nothing changed")


def test_inputs_changed_while_building_leave_no_stamp(root, capsys, monkeypatch):
    from plansite import mkdocs_run

    original = mkdocs_run.publish

    def publish_and_edit(*args, **kwargs):
        out = original(*args, **kwargs)
        _append("site_src/pages/about.md", "\n编辑中。\n")(root)  # saved during the build
        return out

    monkeypatch.setattr(mkdocs_run, "publish", publish_and_edit)
    assert build(root, capsys, quiet=True)[0] == 0
    assert not stamp.stamp_file(root, root / "site").exists()
    monkeypatch.setattr(mkdocs_run, "publish", original)
    before = published(root)
    code, out, err = build(root, capsys)
    assert code == 0 and "nothing changed" not in err and published(root) != before


def _delete_page(site: Path) -> None:
    (site / f"plans/{ONE_PLAN}/index.html").unlink()


def _edit_in_place(site: Path) -> None:
    page = site / f"plans/{ONE_PLAN}/index.html"
    with open(page, "r+b") as f:  # the same inode and size, a new modification time
        data = f.read()
        f.seek(0)
        f.write(data.replace(b"<html", b"<HTML", 1))
        os.utime(f.fileno(), ns=(os.stat(page).st_atime_ns, os.stat(page).st_mtime_ns + 1))


def _add_file(site: Path) -> None:
    (site / "stray.html").write_text("x", encoding="utf-8")


def _repoint(site: Path) -> None:
    builds = site.parent / ".site.builds"
    shutil.copytree(site.resolve(), builds / "20000101T000000000000Z-1", symlinks=True)
    os.symlink(".site.builds/20000101T000000000000Z-1", site.parent / ".tmp-link")
    os.replace(site.parent / ".tmp-link", site)


def _removed_link(site: Path) -> None:
    site.unlink()


def _partial_left(site: Path) -> None:
    """What a killed build of other code (that did not drop the stamp) would leave."""
    (site.parent / ".site.builds" / "20000101T000000000000Z-1.partial" / "plans").mkdir(parents=True)


@pytest.mark.parametrize("damage", [_delete_page, _edit_in_place, _add_file, _repoint, _removed_link, _partial_left])
def test_a_damaged_published_site_is_built_again(root, capsys, damage):
    site = root / "site"
    assert build(root, capsys, quiet=True)[0] == 0
    before = published(root)
    damage(site)
    code, out, err = build(root, capsys)
    assert code == 0 and "nothing changed" not in err, err
    assert published(root) != before and (site / f"plans/{ONE_PLAN}/index.html").is_file()
    assert not (site / "stray.html").exists()
    assert not any(p.name.endswith(".partial") for p in (root / ".site.builds").iterdir())
    listed = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert all((site / rel).is_file() for rel in listed)


def test_force_builds_anyway(root, capsys):
    assert build(root, capsys, quiet=True)[0] == 0
    before = published(root)
    code, out, err = build(root, capsys, "--force")
    assert code == 0 and "nothing changed" not in err and published(root) != before
    assert build(root, capsys)[2].startswith("plansite: nothing changed")


def test_another_site_path_is_built_and_stamped_on_its_own(root, capsys, tmp_path):
    assert build(root, capsys, quiet=True)[0] == 0
    other = tmp_path / "www" / "site"
    code, out, err = build(root, capsys, "--site", str(other))
    assert code == 0 and "nothing changed" not in err and out.startswith(f"built {other}\n")
    assert build(root, capsys, "--site", str(other))[2].startswith("plansite: nothing changed")
    assert build(root, capsys)[2].startswith("plansite: nothing changed")


def test_a_build_holding_the_lock_is_waited_for_the_usual_way(root, capsys):
    assert build(root, capsys, quiet=True)[0] == 0
    inputs = stamp.input_digest(root, root / "site")
    assert stamp.current_summary(root, root / "site", inputs) is not None
    fd = os.open(root / ".site.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert stamp.current_summary(root, root / "site", inputs) is None
    finally:
        os.close(fd)
    assert stamp.current_summary(root, root / "site", "0" * 64) is None


def test_what_the_digest_reads_and_what_it_leaves_out(root, capsys):
    digest = lambda: stamp.input_digest(root, root / "site")  # noqa: E731
    (root / "tools").mkdir()
    first = digest()
    assert first is not None and digest() == first
    # written by builds, never inputs: the cache, the site and its build folders, byte code,
    # another published site, a virtual environment
    assert build(root, capsys, quiet=True)[0] == 0
    (root / ".cache" / "x").write_text("x", encoding="utf-8")
    (root / "tools" / "__pycache__").mkdir(parents=True)
    (root / "tools" / "__pycache__" / "a.pyc").write_bytes(b"x")
    (root / ".site2.builds" / "b").mkdir(parents=True)
    (root / "site2").symlink_to(".site2.builds/b")
    (root / "env").mkdir()
    (root / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    assert digest() == first
    # anything else counts, symlinks followed
    (root / "tools" / "notes.txt").write_text("x", encoding="utf-8")
    second = digest()
    assert second != first
    (root / "linked.md").symlink_to("site_src/pages/about.md")
    third = digest()
    assert third != second
    _append("site_src/pages/about.md", "x")(root)
    assert digest() != third
    # a config file naming what lies outside the project, or the environment: no stamp
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for line in ("docs_dir: ../pages", "site_name: !ENV [NAME, x]", "INHERIT: ../base.yml", "extra_css: [/etc/x.css]"):
        config.write_text(text.replace("docs_dir: site_src/pages", line) if "docs_dir" in line else text + line + "\n",
                          encoding="utf-8")
        assert digest() is None, line
    config.write_text(text + "# ../ in a comment is fine\n", encoding="utf-8")
    assert digest() is not None


def test_a_build_with_remembered_validation_does_not_import_pydantic(root, capsys):
    """--force with nothing changed: every plan from the cache, every validator result from the
    CheckMemo, so neither pydantic nor the schema modules are imported (nor MkDocs: its own
    output is reused, plansite.mkdocs_own)."""
    assert build(root, capsys, quiet=True)[0] == 0
    result, loaded = build_in_fresh_process(root, ("pydantic", "plansite.schema", "plansite.indicator_schema",
                                                   "mkdocs.commands.build"), ("--force",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"built {root / 'site'}\n"), result.stdout
    assert loaded == [], result.stdout


def test_the_check_after_a_build_reads_again_only_what_may_have_changed(root):
    """scan_inputs(previous=…) takes a file's sha256 from the previous scan only when its stat is
    the same and its times are older than the previous scan by RACY_NS: a recently written file,
    or one whose stat changed, is read again."""
    site = root / "site"
    first = stamp.scan_inputs(root, site)
    seed = str(root / "seeds" / f"{ONE_PLAN}.txt")
    assert first.digest and seed in first.files
    forged = stamp.Scan(first.digest, first.started, dict(first.files))
    forged.files[seed] = (forged.files[seed][0], b"\0" * 32)  # what a reuse would show
    # every file here was written moments ago (copied): racy, so all are read again
    assert stamp.scan_inputs(root, site, previous=forged).digest == first.digest
    # taken as old enough: the stat decides, and the forged sha256 is used
    forged.started += 10 * stamp.RACY_NS + 10**12
    assert stamp.scan_inputs(root, site, previous=forged).digest != first.digest
    with open(seed, "ab") as f:  # the stat changes: read again
        f.write(b"\n")
    assert stamp.scan_inputs(root, site, previous=forged).digest == stamp.scan_inputs(root, site).digest \
        != first.digest


def test_the_next_build_reads_only_the_inputs_that_changed(root, capsys):
    """The scan after a build is kept; the next build's first scan takes from it the sha256 of
    every file whose stat is unchanged and settled (RACY_NS), and reads the others."""
    site = root / "site"
    assert build(root, capsys, quiet=True)[0] == 0
    kept = stamp.load_scan(root, site)
    seed = str(root / "seeds" / f"{ONE_PLAN}.txt")
    assert kept is not None and seed in kept.files
    fresh = stamp.scan_inputs(root, site)
    assert fresh.read == len(fresh.files) > 50
    # the project's files were all written moments ago (copied): racy, all read again
    assert stamp.scan_inputs(root, site, previous=kept).read >= sum(1 for p in fresh.files if p.startswith(f"{root}/"))
    kept.started += 10 * stamp.RACY_NS  # as if the build had run later: settled
    again = stamp.scan_inputs(root, site, previous=kept)
    assert again.read == 0 and again.digest == fresh.digest
    with open(seed, "ab") as f:  # one input changed: read, and the digest follows
        f.write(b"\n")
    changed = stamp.scan_inputs(root, site, previous=kept)
    assert changed.read == 1 and changed.digest == stamp.scan_inputs(root, site).digest != fresh.digest
    # a damaged kept scan is no scan
    stamp.stamp_file(root, site).with_suffix(".scan").write_bytes(b"garbage")
    assert stamp.load_scan(root, site) is None


def test_a_listing_line_gives_back_its_name_whatever_the_name_holds(tmp_path):
    """The one listing-line format (stamp.dir_line/file_line/link_line, parsed by line_name): a
    name with colons, spaces and digits is read back whole, and site_state hashes exactly these
    lines (a folder listed by folder_listings gives the same text as its lines made here)."""
    names = ["a", "12:3 4", "页 :x", "9"]
    for name in names:
        assert stamp.line_name(stamp.dir_line(name)) == name
        assert stamp.line_name(stamp.file_line(name, 0o100644, 5, 6, 7)) == name
        assert stamp.line_name(stamp.link_line(name, "x:y 1")) == name
    files = {name: (0o100644, 5, 6, 7) for name in names}
    files["sub/x"] = (0o100644, 1, 2, 3)
    listed = stamp.folder_listings(files, {"", "sub"})
    assert listed[""] == "\0".join(sorted([stamp.dir_line("sub")] + [stamp.file_line(n, 0o100644, 5, 6, 7)
                                                                        for n in names]))
    assert listed["sub"] == stamp.file_line("x", 0o100644, 1, 2, 3)
    assert stamp.listed_state(files, {"", "sub"}) != stamp.listed_state(files, {"", "sub"}, {"sub": ""})
