"""Inside the project only (plansite.paths): a path an input names, or a file the build finds,
that leads outside the project root is refused with one ``path:line: message`` line, by
``check`` and by ``build`` alike, and nothing outside is read."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from plansite.check import run_checks
from plansite.cli import build_site
from plansite.errors import PlansiteError
from plansite.paths import named_path
from tiny import FILES, make_tiny

LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S[^\n]*$")


@pytest.fixture
def setup(tmp_path):
    """``(root, outside)``: the tiny project and a folder beside it holding a copy of every file."""
    root = make_tiny(tmp_path / "tiny")
    outside = tmp_path / "outside"
    outside.mkdir()
    for rel in FILES.values():
        (outside / Path(rel).name).write_bytes((root / rel).read_bytes())
    (outside / "secret.txt").write_text("第一章 秘密\n不该发布的文字。\n", encoding="utf-8")
    return root, outside


def refused(root: Path, path: str, line: int | None, words: str) -> None:
    """check and build both refuse, each with the same one-line problems, one of them at
    ``path`` (and ``line``, unless None) containing ``words``; no site is written."""
    problems = run_checks(root).problems
    lines = [str(p) for p in problems]
    assert lines and all(LINE_RE.match(s) for s in lines), lines
    assert any(p.path == path and (line is None or p.line == line) and words in p.message for p in problems), lines
    with pytest.raises(PlansiteError) as err:
        build_site(root, root / "site", quiet=True)
    assert [str(p) for p in err.value.problems] == lines
    assert not (root / "site").exists()
    assert "秘密" not in "".join(lines)


def set_source(root: Path, source: str, data: bytes) -> int:
    meta = root / FILES["plan"]
    text = meta.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^source: .*$", lambda m: f"source: {source}", text)
    text = re.sub(r"(?m)^sha256: .*$", f"sha256: {hashlib.sha256(data).hexdigest()}", text)
    meta.write_text(text, encoding="utf-8")
    return text.split("\n").index(f"source: {source}") + 1


def test_absolute_source_is_refused_even_with_its_checksum(setup):
    root, outside = setup
    secret = outside / "secret.txt"
    line = set_source(root, str(secret), secret.read_bytes())
    refused(root, FILES["plan"], line, "relative to the project root")


def test_dotdot_source_is_refused(setup):
    root, outside = setup
    secret = outside / "secret.txt"
    line = set_source(root, "seeds/../../outside/secret.txt", secret.read_bytes())
    refused(root, FILES["plan"], line, "climbs out with '..'")


def test_symlinked_seed_file_is_refused(setup):
    root, outside = setup
    secret = outside / "secret.txt"
    (root / "seeds" / "link.txt").symlink_to(secret)
    line = set_source(root, "seeds/link.txt", secret.read_bytes())
    refused(root, FILES["plan"], line, "leaves the project through a symlink")


def test_symlinked_seeds_folder_is_refused(setup):
    root, outside = setup
    secret = outside / "secret.txt"
    (root / "seeds" / "more").symlink_to(outside, target_is_directory=True)
    line = set_source(root, "seeds/more/secret.txt", secret.read_bytes())
    refused(root, FILES["plan"], line, "leaves the project through a symlink")


@pytest.mark.parametrize("key", ["plan", "corrections", "indicators", "registry"])
def test_symlinked_editor_file_is_refused(setup, key):
    root, outside = setup
    path = root / FILES[key]
    path.unlink()
    path.symlink_to(outside / path.name)  # the same content, but outside the project
    refused(root, FILES[key], 0, "leaves the project through a symlink")


def test_symlinked_plans_folder_is_refused(setup):
    root, outside = setup
    plans = root / "site_src" / "plans"
    (outside / "plans").mkdir()
    os.replace(plans / "tiny.yml", outside / "plans" / "tiny.yml")
    plans.rmdir()
    plans.symlink_to(outside / "plans", target_is_directory=True)
    refused(root, "site_src/plans", 0, "leaves the project through a symlink")


def test_indicator_source_outside_is_refused(setup):
    root, outside = setup
    ind = root / FILES["indicators"]
    text = ind.read_text(encoding="utf-8")
    ind.write_text(text.replace("source: seeds/tiny.txt", "source: ../outside/secret.txt"), encoding="utf-8")
    refused(root, FILES["indicators"], 3, "climbs out with '..'")
    ind.write_text(text.replace("source: seeds/tiny.txt", f"source: {outside / 'secret.txt'}"), encoding="utf-8")
    refused(root, FILES["indicators"], 3, "relative to the project root")


def test_symlink_inside_the_project_is_allowed(setup):
    root, _ = setup
    (root / "seeds" / "alias.txt").symlink_to(root / "seeds" / "tiny.txt")
    set_source(root, "seeds/alias.txt", (root / "seeds" / "tiny.txt").read_bytes())
    ind = root / FILES["indicators"]
    ind.write_text(ind.read_text(encoding="utf-8").replace("source: seeds/tiny.txt", "source: seeds/alias.txt"),
                   encoding="utf-8")
    assert run_checks(root).problems == []


def test_a_folder_or_fifo_as_source_is_refused(setup):
    root, _ = setup
    line = set_source(root, "seeds", b"")
    refused(root, FILES["plan"], line, "not a regular file")
    os.mkfifo(root / "seeds" / "pipe.txt")
    line = set_source(root, "seeds/pipe.txt", b"")
    refused(root, FILES["plan"], line, "not a regular file")  # and check did not block reading it


@pytest.mark.parametrize("name,words", [
    ("/etc/passwd", "relative"), ("..", "climbs"), ("a/../../b", "climbs"), ("a\\b", "must use /"),
    ("C:/x", "must use /"), ("a\nb", "control character"), ("", "non-empty"),
])
def test_named_path_rules(tmp_path, name, words):
    with pytest.raises(PlansiteError) as err:
        named_path(tmp_path, name, "f.yml", 3)
    (problem,) = err.value.problems
    assert (problem.path, problem.line) == ("f.yml", 3) and words in problem.message
    assert "\n" not in str(err.value)


def test_odd_file_names_give_one_printable_line(setup, build_py):
    root, _ = setup
    (root / "site_src/plans" / "bad\nname.yml").write_text("title: x\n", encoding="utf-8")
    os.close(os.open(os.path.join(os.fsencode(root / "site_src/plans"), b"\xff\xfe.yml"), os.O_CREAT | os.O_WRONLY))
    result = build_py("--root", root, "check")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("warning: ")]
    assert len(lines) == 2 and all(LINE_RE.match(ln) for ln in lines), lines
    assert any("\\xff" in ln for ln in lines), lines
