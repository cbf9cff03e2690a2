"""Bad inputs stop the build with one clear line per problem, ``path:line: message``, naming the
file and the line: an unknown plan, a garbled seed (invalid UTF-8, a NUL byte), a checksum that
does not match, and a correction that does not apply."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from plansite.errors import PlansiteError
from plansite.project import load_project

ROOT = Path(__file__).resolve().parent.parent
ONE_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): (?P<message>\S.*)$")

PLAN_TEXT = "第一章 总则\n\n第一节 发展基础\n\n综合实力实现跃升。\n\n第二节 发展目标\n\n经济总量再上台阶。\n"


def make_project(root: Path, seed: bytes, slug: str = "tiny", sha256: str | None = None) -> Path:
    """A project at ``root`` with one plan ``slug`` whose seed holds ``seed``; returns the seed path."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "site_src" / "plans").mkdir(parents=True, exist_ok=True)
    source = root / "seeds" / f"{slug}.txt"
    source.write_bytes(seed)
    digest = sha256 or hashlib.sha256(seed).hexdigest()
    (root / "site_src" / "plans" / f"{slug}.yml").write_text(
        "title: 测试规划纲要\nshort_title: 测试\nregion: 测试区\nlevel: district\n"
        "period: {start: 2021, end: 2025}\nkind: outline\n"
        f"source: seeds/{slug}.txt\nsha256: \"{digest}\"\nlevels: [章, 节]\n", encoding="utf-8")
    return source


def one_problem(exc: PlansiteError):
    """The single ``path:line: message`` problem carried by ``exc``, checked for shape."""
    text = str(exc)
    assert "\n" not in text, text
    m = ONE_LINE.match(text)
    assert m, text
    return m["path"], int(m["line"]), m["message"]


def test_tiny_plan_loads(tmp_path):
    make_project(tmp_path, PLAN_TEXT.encode("utf-8"))
    doc = load_project(tmp_path).plans[0].doc
    assert [n.id for n in doc.walk() if n.kind in ("chapter", "section")] == ["chapter-1", "chapter-1-1", "chapter-1-2"]


def test_unknown_plan_is_named():
    with pytest.raises(PlansiteError) as info:
        load_project(ROOT, only=["nope"])
    path, line, message = one_problem(info.value)
    assert path == "site_src/plans" and "'nope'" in message and "fuzhou-15th" in message


def test_invalid_utf8_names_file_and_line(tmp_path):
    seed = PLAN_TEXT.encode("utf-8").replace("经济总量".encode("utf-8"), b"\xff\xfe\xe7\xbb")
    make_project(tmp_path, seed)
    with pytest.raises(PlansiteError) as info:
        load_project(tmp_path)
    path, line, message = one_problem(info.value)
    assert (path, line) == ("seeds/tiny.txt", 9)
    assert "UTF-8" in message


def test_nul_byte_names_file_and_line(tmp_path):
    make_project(tmp_path, PLAN_TEXT.replace("综合实力", "综合\x00实力").encode("utf-8"))
    with pytest.raises(PlansiteError) as info:
        load_project(tmp_path)
    path, line, message = one_problem(info.value)
    assert (path, line) == ("seeds/tiny.txt", 5)
    assert "NUL" in message


def test_checksum_mismatch_names_the_metadata_line(tmp_path):
    make_project(tmp_path, PLAN_TEXT.encode("utf-8"), sha256="0" * 64)
    with pytest.raises(PlansiteError) as info:
        load_project(tmp_path)
    path, line, message = one_problem(info.value)
    meta = (tmp_path / path).read_text(encoding="utf-8").splitlines()
    assert path == "site_src/plans/tiny.yml" and meta[line - 1].startswith("sha256:")
    assert "checksum mismatch" in message and "seeds/tiny.txt" in message


def test_correction_that_does_not_apply_names_its_line(tmp_path):
    make_project(tmp_path, PLAN_TEXT.encode("utf-8"))
    corrections = tmp_path / "site_src" / "corrections"
    corrections.mkdir()
    (corrections / "tiny.yml").write_text(
        "corrections:\n  - line: 5\n    find: 不存在的字\n    replace: 字\n    reason: test\n", encoding="utf-8")
    with pytest.raises(PlansiteError) as info:
        load_project(tmp_path)
    path, line, message = one_problem(info.value)
    assert path == "site_src/corrections/tiny.yml" and line in (2, 3)
    assert "does not occur on line 5" in message


def test_real_seeds_match_their_checksums():
    """The five seeds are byte-for-byte the published files their metadata names."""
    project = load_project(ROOT)
    assert len(project.plans) == 5
    for data in project.plans:
        assert hashlib.sha256((ROOT / data.plan.source).read_bytes()).hexdigest() == data.plan.sha256
