"""`build.py check` (plansite.check): every planted error is found, with its file and line, and
all of them in one run; parser warnings (目录 mismatches) are printed but do not fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import line_of, update_checksum
from plansite.check import check_project, run_checks

PLAN = "site_src/plans/cangshan-14th.yml"
CORR = "site_src/corrections/fuqing-14th-proposal.yml"
IND = "site_src/indicators/cangshan-14th.yml"
REG = "site_src/indicator_registry.yml"
LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S")


def replace_line(path: Path, number: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on 1-based line ``number`` of ``path`` (must occur there)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[number - 1], (path, number, lines[number - 1])
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def plant_broken_yaml(root: Path) -> tuple[str, int, str]:
    path = root / PLAN
    n = len(path.read_text(encoding="utf-8").rstrip("\n").split("\n")) + 1
    with path.open("a", encoding="utf-8") as f:
        f.write("issuer: [unclosed\n")
    return PLAN, n, "YAML"


def plant_bad_kind(root: Path) -> tuple[str, int, str]:
    n = line_of(root / PLAN, "kind: outline")
    replace_line(root / PLAN, n, "kind: outline", "kind: novel")
    return PLAN, n, "kind must be one of"


def plant_bad_correction(root: Path) -> tuple[str, int, str]:
    n = line_of(root / CORR, "line: ")
    replace_line(root / CORR, n, re.search(r"line: \d+", (root / CORR).read_text().split("\n")[n - 1]).group(),
                 "line: 99999")
    return CORR, n, "line must be a line number"


def plant_bad_indicator(root: Path) -> tuple[str, int, str]:
    # the printed cell says 1500; the parsed target now says 1600
    n = line_of(root / IND, "target: {year: 2025, value: 1500}")
    replace_line(root / IND, n, "value: 1500}", "value: 1600}")
    lines = (root / IND).read_text(encoding="utf-8").split("\n")
    row = max(i for i in range(1, n + 1) if lines[i - 1].lstrip().startswith("- line: "))
    return IND, row, "1500"  # reported at the row (its "- line:" item)


def plant_bad_registry(root: Path) -> tuple[str, int, str]:
    n = line_of(root / REG, "direction: higher")
    replace_line(root / REG, n, "direction: higher", "direction: sideways")
    return REG, n, "sideways"


def plant_checksum_mismatch(root: Path) -> tuple[str, int, str]:
    with (root / "seeds" / "cangshan-14th.txt").open("a", encoding="utf-8") as f:
        f.write("多一行\n")
    return PLAN, line_of(root / PLAN, "sha256:"), "checksum mismatch"


def plant_invalid_utf8(root: Path) -> tuple[str, int, str]:
    seed = root / "seeds" / "taijiang-14th.txt"
    lines = seed.read_bytes().split(b"\n")
    lines[99] = lines[99][:6] + b"\xff\xfe" + lines[99][6:]
    seed.write_bytes(b"\n".join(lines))
    update_checksum(root, "taijiang-14th")
    return "seeds/taijiang-14th.txt", 100, "UTF-8"


def plant_nul_byte(root: Path) -> tuple[str, int, str]:
    seed = root / "seeds" / "taijiang-14th.txt"
    lines = seed.read_bytes().split(b"\n")
    lines[49] = b"\x00" + lines[49]
    seed.write_bytes(b"\n".join(lines))
    update_checksum(root, "taijiang-14th")
    return "seeds/taijiang-14th.txt", 50, "NUL byte"


def plant_unknown_plan(root: Path) -> tuple[str, int, str]:
    (root / "site_src" / "corrections" / "nowhere-14th.yml").write_text(
        "corrections:\n  - {line: 1, find: a, replace: b, reason: test}\n", encoding="utf-8")
    return "site_src/corrections/nowhere-14th.yml", 0, "unknown plan"


def plant_nan_value(root: Path) -> tuple[str, int, str]:
    n = line_of(root / IND, "target: {year: 2025, value: 1500}")
    replace_line(root / IND, n, "value: 1500}", "value: .nan}")
    return IND, n, "not a finite number"


def plant_title_not_in_source(root: Path) -> tuple[str, int, str]:
    n = line_of(root / IND, "title: ")
    replace_line(root / IND, n, "title: ", "title: 不在原文中的")
    return IND, line_of(root / IND, "  - id: main"), "does not occur"  # reported at the table


def plant_stale_alias(root: Path) -> tuple[str, int, str]:
    n = line_of(root / REG, "aliases: [地区生产总值（GDP）")
    replace_line(root / REG, n, "aliases: [", "aliases: [从未印出的名称, ")
    return REG, line_of(root / REG, "  - id: gdp"), "used by no row"  # reported at the entry


def plant_indicators_of_unknown_plan(root: Path) -> tuple[str, int, str]:
    (root / INDICATORS / "nowhere-14th.yml").write_text(
        (root / IND).read_text(encoding="utf-8").replace("plan: cangshan-14th", "plan: nowhere-14th"),
        encoding="utf-8")
    return f"{INDICATORS}/nowhere-14th.yml", 0, "unknown plan"


def plant_other_indicator_source(root: Path) -> tuple[str, int, str]:
    n = line_of(root / IND, "source: ")
    replace_line(root / IND, n, "seeds/cangshan-14th.txt", "seeds/nowhere.txt")
    return IND, n, "is not the plan's source"


def plant_bad_date(root: Path) -> tuple[str, int, str]:
    n = line_of(root / PLAN, "approved_on: ")
    replace_line(root / PLAN, n, '"2021-01-14"', '"2021-02-30"')
    return PLAN, n, "not a real calendar date"


INDICATORS = "site_src/indicators"
PLANTS = [plant_broken_yaml, plant_bad_kind, plant_bad_correction, plant_bad_indicator,
          plant_bad_registry, plant_checksum_mismatch, plant_invalid_utf8, plant_nul_byte,
          plant_unknown_plan, plant_nan_value, plant_title_not_in_source, plant_stale_alias,
          plant_indicators_of_unknown_plan, plant_other_indicator_source, plant_bad_date]


def test_the_project_is_clean(project):
    report = run_checks(project)
    assert report.problems == []
    assert sorted(report.plans) == sorted(p.stem for p in (project / "site_src" / "plans").glob("*.yml"))


@pytest.mark.parametrize("plant", PLANTS, ids=lambda f: f.__name__[len("plant_"):])
def test_check_finds_the_planted_error_at_its_file_and_line(project, plant):
    path, line, words = plant(project)
    problems = check_project(project)
    at = [p for p in problems if p.path == path and p.line == line]
    assert at, f"nothing reported at {path}:{line}; got {[str(p) for p in problems]}"
    assert any(words in p.message for p in at), [str(p) for p in at]
    # nothing else is blamed: the planted error is the only file with problems
    assert {p.path for p in problems} == {path}, [str(p) for p in problems]


def test_check_reports_all_problems_in_one_run(project, build_py):
    planted = [plant(project) for plant in (plant_broken_yaml, plant_bad_correction,
                                            plant_bad_registry, plant_invalid_utf8)]
    result = build_py("--root", project, "check")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for path, line, words in planted:
        assert any(ln.startswith(f"{path}:{line}: ") and words in ln for ln in result.stderr.splitlines()), \
            (path, line, result.stderr)
    for ln in result.stderr.splitlines():
        assert LINE_RE.match(ln.removeprefix("warning: ")), ln


def test_toc_mismatch_is_a_warning_not_an_error(project, build_py):
    seed = project / "seeds" / "cangshan-14th.txt"
    n = line_of(seed, "<b>第二章")
    replace_line(seed, n, "强化创新驱动", "强化创新引领")
    update_checksum(project, "cangshan-14th")
    result = build_py("--root", project, "check")
    assert result.returncode == 0, result.stderr
    assert any(ln.startswith(f"warning: seeds/cangshan-14th.txt:{n}: ") for ln in result.stderr.splitlines()), \
        result.stderr
    assert "ok: 5 plans" in result.stdout


@pytest.mark.parametrize("plant", PLANTS, ids=lambda f: f.__name__[len("plant_"):])
def test_build_refuses_every_input_check_refuses(project, plant):
    """One validation: the build stops with exactly the problems check reports, and writes nothing."""
    from plansite.cli import build_site
    from plansite.errors import PlansiteError

    plant(project)
    found = [str(p) for p in check_project(project)]
    assert found
    with pytest.raises(PlansiteError) as err:
        build_site(project, project / "site", quiet=True)
    assert [str(p) for p in err.value.problems] == found
    assert not (project / "site").exists()


@pytest.mark.parametrize("many", [False, True])
def test_the_indicators_folder_is_listed_and_the_registry_loaded_once(project, monkeypatch, many):
    """Without a memo, with the plans checked here or on every core (``PARALLEL_FROM`` lowered
    to 1: the plan jobs check the indicator files against the registry too), the indicators
    folder is listed once and the registry loaded once."""
    from plansite import check, checkahead

    listed, loaded = [], []
    real_files, real_load = check.paths.project_files, check.indicators.load_registry
    monkeypatch.setattr(check.paths, "project_files",
                        lambda root, folder, *a, **k: listed.append(folder) or real_files(root, folder, *a, **k))
    monkeypatch.setattr(check.indicators, "load_registry", lambda *a, **k: loaded.append(1) or real_load(*a, **k))
    monkeypatch.setattr(checkahead, "PARALLEL_FROM", 1 if many else 10**9)
    inputs = check.validate_inputs(project)
    assert inputs.problems == [] and inputs.registry is not None
    assert listed.count(INDICATORS) == 1 and len(loaded) == 1, (listed, loaded)


@pytest.mark.parametrize("plant", [None, *PLANTS], ids=lambda p: p.__name__ if p else "clean")
def test_tables_checked_on_every_core_give_what_one_core_gives(project, plant, monkeypatch, tmp_path):
    """The plan files (with their seeds and corrections) and the indicator files checked in
    forked workers (``checkahead.PARALLEL_FROM`` lowered to 1, the jobs seen going to the pool): the
    same problems in the same order, the same plans and tables as checked one by one, with and
    without a memo; clean results so remembered are answered from the memo on the next run."""
    from plansite import check, checkahead
    from plansite.cache import code_version
    from plansite.comparisons import group_tables
    from plansite.checkmemo import CheckMemo

    if plant is not None:
        plant(project)

    def view(inputs):
        return ([str(p) for p in inputs.problems],
                [(i.plan, i.seed_lines, i.corrections, i.tables) for i in inputs.plans])

    monkeypatch.setattr(checkahead, "PARALLEL_FROM", 10**9)
    one = view(check.validate_inputs(project))
    sent, results = [], []
    real_map = checkahead.ordered_map

    def record(fn, jobs):
        sent.extend(jobs)
        for result in real_map(fn, jobs):
            results.append(dict(result) if isinstance(result, dict) else result)  # (the caller pops its keys)
            yield result

    monkeypatch.setattr(checkahead, "ordered_map", record)
    monkeypatch.setattr(checkahead, "PARALLEL_FROM", 1)
    every = check.validate_inputs(project)
    assert view(every) == one
    # the comparison groups found by the workers are those of the tables
    found = [i for i in every.plans if i.groups is not None]
    assert all(i.groups == group_tables(i.plan.slug, i.tables, every.registry) for i in found)
    assert len(found) >= 3 or one[0]  # (a broken registry: every plan's tables have problems)
    files = sorted(p.stem for p in (project / INDICATORS).glob("*.yml"))
    valid = {slug for slug in files if (project / "site_src" / "plans" / f"{slug}.yml").exists()}
    # the indicator files are checked in the plan jobs (one pool, each seed read once), not in a second pool
    assert not [job for job in sent if isinstance(job, tuple)]
    tables_checked = {job.stem for job, result in zip(sent, results) if "tables" in result}
    assert tables_checked <= valid and len(tables_checked) >= len(valid) - 1  # (a bad seed or plan file: not checked)
    plans_sent = sorted(job.name for job in sent if isinstance(job, Path))
    assert plans_sent == sorted(p.name for p in (project / "site_src" / "plans").glob("*.yml"))
    memo = CheckMemo(tmp_path / "check.pickle", project, code_version())
    assert view(check.validate_inputs(project, memo)) == one
    # the workers' inner results (a plan's fields, a corrections file's shape) are remembered
    # as a one-core check with a memo remembers them, with the same nesting
    monkeypatch.setattr(checkahead, "PARALLEL_FROM", 10**9)
    alone = CheckMemo(tmp_path / "alone.pickle", project, code_version())
    check.validate_inputs(project, alone)
    monkeypatch.setattr(checkahead, "PARALLEL_FROM", 1)
    assert set(memo.entries) == set(alone.entries) and memo.inner == alone.inner
    memo.save()
    sent.clear()
    memo = CheckMemo(tmp_path / "check.pickle", project, code_version())
    assert view(check.validate_inputs(project, memo)) == one
    if not one[0]:
        assert sent == [] and not memo.changed  # every table check answered from the memo
    if not one[0]:
        # the plans remembered, the tables not (the registry edited): the tables alone go to a pool
        registry = project / "site_src" / "indicator_registry.yml"
        registry.write_text(registry.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        sent.clear()
        memo = CheckMemo(tmp_path / "check.pickle", project, code_version())
        assert view(check.validate_inputs(project, memo)) == one
        assert not [job for job in sent if isinstance(job, Path)]
        assert sorted(slug for slug, _ in sent) == sorted(valid)
