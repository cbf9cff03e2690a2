"""Fuzzing the inputs (bounded and seeded, part of the normal test run): mutated seeds and editor
files — byte flips, truncation, line deletion and duplication, YAML type swaps, control
characters — never give a traceback or an internal error, only one-line ``path:line: message``
problems, and a failed build leaves the previous site as it was."""

from __future__ import annotations

import hashlib
import os
import random
import re
from pathlib import Path

import pytest

from plansite.check import run_checks
from plansite.cli import build_site
from plansite.errors import PlansiteError
from tiny import FILES, make_tiny, set_seed

LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S[^\n]*$")
SWAPS = ["true", "no", ".nan", "-.inf", "-1", "0", '"x"', "[]", "{}", "~", "1e400", "9" * 60, "!!int x",
         "!!float abc", "&a [*a]", '"\\f"', '"2020-99-99"', "[[[[[[[[1]]]]]]]]", "{{a: 1}: b}", "'\u2028'",
         "/etc/passwd", "../x", "*nowhere", "!!binary eA==", "2021-01-01"]
MUTATIONS = 200
BUILDS = 4


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation of ``data`` (bytes of a seed or editor file)."""
    op = rng.choice(["flip", "truncate", "delete", "duplicate", "swap", "swap", "swap", "control"])
    if not data:
        return b"\x00"
    if op == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if op == "truncate":
        return data[: rng.randrange(len(data))]
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "control":
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice([b"\x0c", b"\r", b"\t", b"\x1b", b"\xc2\x85", b"\x00"]) + lines[i][pos:]
    else:  # swap the value after a "key: " (or a list item) for a value of another type
        candidates = [j for j, ln in enumerate(lines) if b": " in ln or ln.lstrip().startswith(b"- ")]
        if candidates:
            j = rng.choice(candidates)
            head, sep, _ = lines[j].partition(b": ") if b": " in lines[j] else lines[j].partition(b"- ")
            lines[j] = head + sep + rng.choice(SWAPS).encode("utf-8")
    return b"\n".join(lines)


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def plant_mutation(root: Path, originals: dict[str, bytes], rng: random.Random) -> str:
    """Restore every file, then mutate one; a mutated seed gets its checksum half of the time
    (so the parser and the line checks see it). Returns a description for failure messages."""
    for rel, data in originals.items():
        (root / rel).write_bytes(data)
    key = rng.choice(sorted(FILES))
    mutated = mutate(originals[FILES[key]], rng)
    if key == "seed" and rng.random() < 0.5:
        set_seed(root, mutated)
    else:
        (root / FILES[key]).write_bytes(mutated)
    return f"{key}: {mutated[:200]!r}"


def assert_one_line_problems(problems, what: str) -> None:
    lines = [str(p) for p in problems]
    for line in lines:
        assert LINE_RE.match(line) and len(line) < 1000, (what, line)
        assert "Traceback" not in line and "internal error" not in line, (what, line)
        assert "the parser failed" not in line, (what, line)


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory):
    root = make_tiny(tmp_path_factory.mktemp("fuzz") / "tiny")
    originals = {rel: (root / rel).read_bytes() for rel in FILES.values()}
    return root, originals


def test_mutated_inputs_give_one_line_problems_from_check(fuzz_project):
    root, originals = fuzz_project
    rng = random.Random(20260121)
    refused = 0
    for _ in range(MUTATIONS):
        what = plant_mutation(root, originals, rng)
        report = run_checks(root)  # must not raise
        assert_one_line_problems(report.problems + report.warnings, what)
        refused += bool(report.problems)
    assert refused > MUTATIONS // 2  # the mutations do hit the validation


def test_mutated_inputs_through_build_keep_the_previous_site(fuzz_project, build_py):
    root, originals = fuzz_project
    for rel, data in originals.items():
        (root / rel).write_bytes(data)
    site = root / "site"
    build_site(root, site, quiet=True)
    before = tree_digest(site)
    rng = random.Random(7)
    failed = 0
    for i in range(BUILDS):
        what = plant_mutation(root, originals, rng)
        while not run_checks(root).problems:  # build only inputs that check refuses
            what = plant_mutation(root, originals, rng)
        with pytest.raises(PlansiteError) as err:
            build_site(root, site, quiet=True)
        assert_one_line_problems(err.value.problems, what)
        assert tree_digest(site) == before, what
        failed += 1
        if i == 0:  # and once through the command line: exit 1, no traceback
            result = build_py("--root", root, "build", "--quiet", "--site", site)
            assert result.returncode == 1, (what, result.stderr)
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
            assert all(LINE_RE.match(ln) for ln in result.stderr.splitlines() if not ln.startswith("warning: ")), \
                result.stderr
            assert tree_digest(site) == before
    assert failed == BUILDS
    # only the publisher's own lock and build store (holding the published build and the spare
    # the first build made by hard links, each with its .state) stay beside the site
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == [".site.builds", ".site.lock"]
    published = os.readlink(site).split("/")[-1]
    names = sorted(p.name for p in (root / ".site.builds").iterdir())
    spares = [n for n in names if n != published and not n.endswith(".state")]
    assert len(spares) == 1 and names == sorted([published, f"{published}.state", spares[0], f"{spares[0]}.state"])


def test_every_file_broken_at_once(fuzz_project):
    """Problems in all files together are all reported (nothing stops the run)."""
    root, originals = fuzz_project
    rng = random.Random(99)
    for _ in range(40):
        for rel, data in originals.items():
            (root / rel).write_bytes(mutate(data, rng))
        report = run_checks(root)
        assert_one_line_problems(report.problems + report.warnings, "all files")
    for rel, data in originals.items():
        (root / rel).write_bytes(data)
