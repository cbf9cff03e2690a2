"""The editor-file schemas (plansite.schema, plansite.indicator_schema): the committed JSON
Schema files equal the generated ones, every editor file names its schema, and every bad value
is one ``path:line: message`` line from ``check`` AND from ``build`` (one validation)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plansite.check import run_checks
from plansite.cli import build_site
from plansite.errors import PlansiteError
from plansite.indicators import QUALIFIERS
from plansite.indicator_schema import QUALIFIER_CODES
from plansite.schema import json_schemas, schema_text
from tiny import FILES, ROOT, make_tiny, set_seed

LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S[^\n]*$")


def test_committed_schemas_equal_the_generated_ones():
    folder = ROOT / "site_src" / "schemas"
    generated = json_schemas()
    assert sorted(p.name for p in folder.glob("*.json")) == sorted(generated)
    for name, schema in generated.items():
        assert (folder / name).read_text(encoding="utf-8") == schema_text(schema), \
            f"{name} is stale: run tools/schemas.py"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "schemas.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_every_editor_file_names_its_schema():
    expected = {"plans": "../schemas/plan.schema.json", "corrections": "../schemas/corrections.schema.json",
                "indicators": "../schemas/indicators.schema.json"}
    files = sorted((ROOT / "site_src").glob("*/*.yml")) + [ROOT / "site_src/indicator_registry.yml"]
    assert len(files) >= 12
    for path in files:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        want = expected.get(path.parent.name, "schemas/indicator_registry.schema.json")
        assert first == f"# yaml-language-server: $schema={want}", path
        assert (path.parent / want).resolve().is_file(), (path, want)


def _draft7(name: str):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schemas()[name]
    jsonschema.Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    assert not any(k in text for k in ('"prefixItems"', '"$dynamicRef"', '"unevaluatedProperties"')), name
    return jsonschema.Draft7Validator(schema)


def test_published_schemas_accept_the_real_files_and_refuse_bad_values():
    """What editors' YAML tools check agrees with the loader on the committed files and on
    planted errors (the JSON Schema cannot know the seed, so only value errors are tried)."""
    from plansite.yamlfile import load_yaml

    folders = {"plans": "plan", "corrections": "corrections", "indicators": "indicators"}
    for path in sorted((ROOT / "site_src").glob("*/*.yml")) + [ROOT / "site_src/indicator_registry.yml"]:
        validator = _draft7(f"{folders.get(path.parent.name, 'indicator_registry')}.schema.json")
        errors = list(validator.iter_errors(load_yaml(path)))
        assert errors == [], (path, [e.message for e in errors][:3])
    plan = _draft7("plan.schema.json")
    good = load_yaml(ROOT / "site_src/plans/cangshan-14th.yml")
    for key, bad in [("kind", "novel"), ("level", "city"), ("period", {"start": True, "end": 2025}),
                     ("period", {"start": -2021, "end": 2025}), ("table_ranges", 5), ("title", "a\fb"),
                     ("approved_on", "2021-1-14"), ("sha256", "ABC"), ("source_url", "ftp://x"), ("colour", "red")]:
        assert list(plan.iter_errors({**good, key: bad})), (key, bad)


def test_schema_enumerations_follow_the_code():
    assert tuple(QUALIFIERS) == QUALIFIER_CODES
    plan = json_schemas()["plan.schema.json"]
    assert plan["properties"]["level"]["enum"] == ["province", "prefecture", "county", "district", "zone", "town"]
    assert plan["properties"]["kind"]["enum"] == ["outline", "proposal"]


# --- planted values: (file key, old text, new text, message fragment) ---------------------------
# ``old`` is replaced by ``new`` in the file; the problem is expected on the last line of ``new``,
# at line 0 when ``new`` starts with "@0" (the marker is dropped), or on the line holding the
# optional fifth item (where the problem is reported: the table's or entry's first line).

BOMB = "x0: &x0 [" + ", ".join(["lol"] * 9) + "]\n" + "".join(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 9))
CASES = {
    "date-not-real": ("plan", 'approved_on: "2021-01-14"', 'approved_on: "2020-99-99"', "not a real calendar date"),
    "bool-year": ("plan", "period: {start: 2021,", "period: {start: true,", "is not an integer"),
    "negative-year": ("plan", "period: {start: 2021,", "period: {start: -2021,", "below the minimum 1949"),
    "year-0": ("indicators", "baseline: {year: 2020,", "baseline: {year: 0,", "below the minimum 1949"),
    "correction-line-bool": ("corrections", "  - line: 8", "  - line: true", "is not an integer"),
    "correction-line-past-end": ("corrections", "  - line: 8", "  - line: 99", "line must be a line number"),
    "table-ranges-zero": ("plan", "levels: [章, 节]", "levels: [章, 节]\ntable_ranges: [[0, 0]]", "below the minimum 1"),
    "table-ranges-int": ("plan", "levels: [章, 节]", "levels: [章, 节]\ntable_ranges: 5", "is not a list"),
    "table-ranges-past-end": ("plan", "levels: [章, 节]", "levels: [章, 节]\ntable_ranges: [[5, 900]]",
                              "after the last line"),
    "drop-past-end": ("plan", "levels: [章, 节]", "levels: [章, 节]\ndrop:\n  - {lines: [9, 9], reason: x}",
                      "after the last line"),
    "nan": ("indicators", "target: {year: 2025, value: 150}", "target: {year: 2025, value: .nan}", "finite"),
    "inf": ("indicators", "target: {year: 2025, value: 150}", "target: {year: 2025, value: -.inf}", "finite"),
    "huge-integer": ("plan", 'issuer: ""', "issuer: " + "9" * 5000, "too many digits"),
    "huge-scalar": ("plan", 'issuer: ""', "issuer: " + "长" * 10_001, "longer than 10,000 characters"),
    "huge-file": ("plan", 'issuer: ""', "@0issuer: \"\"\n# " + "x" * 1_100_000, "larger than the limit"),
    "deep-nesting": ("plan", 'issuer: ""', "issuer: " + "[" * 1000 + "]" * 1000, "nested deeper"),
    "mapping-key": ("plan", 'issuer: ""', "issuer: {{a: 1}: b}", "mapping key must be plain text"),
    "bad-float-tag": ("plan", 'issuer: ""', "issuer: !!float abc", "!!float 'abc'"),
    "bad-int-tag": ("plan", 'issuer: ""', "issuer: !!int x", "!!int 'x'"),
    "form-feed-escaped": ("plan", "region: 测试区", 'region: "测试\\f区"', "line break, tab or control character"),
    "form-feed-raw": ("plan", "region: 测试区", "region: 测试\f区", "not allowed"),
    "alias-bomb": ("plan", "kind: outline", BOMB + "kind: *x8", "expands to more than", "x5: "),  # 9**6 values
    "kind": ("plan", "kind: outline", "kind: novel", "kind must be one of"),
    "level": ("plan", "level: district", "level: city", "level must be one of"),
    "numbering-level": ("plan", "levels: [章, 节]", "levels: [章, 卷]", "is not a numbering level"),
    "empty-title": ("plan", "region: 测试区", 'region: ""', "must not be empty"),
    "source-url": ("plan", 'issuer: ""', 'issuer: ""\nsource_url: "ftp://example.org/x"', "http"),
    "absolute-source": ("plan", "source: seeds/tiny.txt", "source: /etc/passwd", "relative to the project root"),
    "dotdot-source": ("plan", "source: seeds/tiny.txt", "source: seeds/../../x.txt", "climbs out"),
    "string-number": ("indicators", "target: {year: 2025, value: 150}", 'target: {year: 2025, value: "150"}',
                      "is not a number"),
    "bool-number": ("indicators", "target: {year: 2025, value: 150}", "target: {year: 2025, value: true}",
                    "is not a number"),
    "indicator-source-outside": ("indicators", "source: seeds/tiny.txt", "source: /etc/passwd",
                                 "relative to the project root"),
    "indicator-other-source": ("indicators", "source: seeds/tiny.txt", "source: site_src/pages/about.md",
                               "not the plan's source"),
    "table-lines-past-end": ("indicators", "lines: [4, 6]", "lines: [4, 60]", "go past the last line", "- id: main"),
    "table-title-not-in-source": ("indicators", "title: 主要指标", "title: 主要目标", "does not occur", "- id: main"),
    "stale-alias": ("registry", "aliases: [地区生产总值]", "aliases: [地区生产总值, 生产总值]", "used by no row",
                    "- id: gdp"),
    "registry-nan-unit": ("registry", "unit: 亿元", "unit: .nan", "is not text"),
}


def plant(root: Path, key: str, old: str, new: str, where: str | None = None) -> tuple[str, int]:
    path = root / FILES[key]
    text = path.read_text(encoding="utf-8")
    at_zero = new.startswith("@0")
    new = new.removeprefix("@0")
    assert old in text, (key, old)
    before = text[: text.index(old)]
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    line = 0 if at_zero else before.count("\n") + new.count("\n") + 1
    if where:
        line = text[: text.index(where)].count("\n") + 1
    return FILES[key], line


@pytest.fixture
def tiny(tmp_path) -> Path:
    return make_tiny(tmp_path / "tiny")


def test_the_tiny_project_is_clean(tiny):
    report = run_checks(tiny)
    assert report.problems == [] and report.plans == ["tiny"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_value_is_one_line_from_check_and_build(tiny, case):
    key, old, new, words, *where = CASES[case]
    path, line = plant(tiny, key, old, new, *where)
    problems = run_checks(tiny).problems
    lines = [str(p) for p in problems]
    assert all(LINE_RE.match(s) and len(s) < 400 for s in lines), lines
    at = [p for p in problems if p.path == path and words in p.message]
    assert at, lines
    assert at[0].line == line, lines
    with pytest.raises(PlansiteError) as err:
        build_site(tiny, tiny / "site", quiet=True)
    assert [str(p) for p in err.value.problems] == lines  # the same validation, the same lines
    assert not (tiny / "site").exists()


def test_alias_bomb_is_refused_fast_with_a_short_message(tiny, build_py):
    plant(tiny, "plan", "kind: outline", BOMB + "kind: *x8")
    started = time.monotonic()
    result = build_py("--root", tiny, "check")
    assert time.monotonic() - started < 5  # loosely: the bomb took 55 s and 939 MB before
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr) < 300, len(result.stderr)
    assert re.match(r"site_src/plans/tiny\.yml:\d+: the document expands to more than 100,000 values", result.stderr)


def test_cli_exit_codes_for_unconvertible_values(tiny, build_py):
    plant(tiny, "plan", 'issuer: ""', "issuer: " + "9" * 5000)
    for args in (["check"], ["build", "--quiet", "--site", tiny / "site"]):
        result = build_py("--root", tiny, *args)
        assert result.returncode == 1, result.stderr
        errors = result.stderr.splitlines()
        assert errors and all(LINE_RE.match(ln) for ln in errors), result.stderr
        assert errors[0].startswith("site_src/plans/tiny.yml:")


def _outline(doc) -> list:
    return [(n.kind, n.id, getattr(n, "title", None), getattr(n, "lines", None)) for n in doc.walk()]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_cr_and_crlf_seeds_give_the_lf_outline(tmp_path, newline):
    from plansite.project import load_project

    lf = make_tiny(tmp_path / "lf")
    other = make_tiny(tmp_path / "other")
    set_seed(other, (lf / FILES["seed"]).read_bytes().replace(b"\n", newline))
    assert b"\n" not in (other / FILES["seed"]).read_bytes().replace(b"\r\n", b"")
    outlines = [_outline(load_project(root).plans[0].doc) for root in (lf, other)]
    assert outlines[0] == outlines[1] and len(outlines[0]) > 3
    assert run_checks(other).problems == []  # the correction and the indicator lines still match
    assert build_site(other, other / "site", quiet=True)["plans"] == 1
    chapter = (other / "site/plans/tiny/chapter-1/index.html").read_text(encoding="utf-8")
    assert "发展基础" in chapter and "\r" not in chapter


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_real_seed_with_cr_or_crlf_parses_to_the_same_outline(newline):
    from plansite.parser import parse_document
    from plansite.parser.decode import decode_bytes
    from plansite.plans import check_plan_file
    from plansite.sources import apply_corrections

    plan, problems = check_plan_file(ROOT, ROOT / "site_src/plans/cangshan-14th.yml")
    assert problems == []
    data = (ROOT / plan.source).read_bytes()
    docs = [parse_document(plan, apply_corrections(decode_bytes(raw, plan.source).lines, []))
            for raw in (data, data.replace(b"\n", newline))]
    assert _outline(docs[0]) == _outline(docs[1]) and len(_outline(docs[0])) > 50


def test_the_plan_fields_memo_reads_sha256_as_the_schema_does():
    """``plans._plan_fields`` remembers a plan's schema check without its ``sha256:`` value, which
    it checks with ``plans._SHA256_VALUE``: that accepts exactly what PlanModel accepts, and two
    valid values give models that differ in ``sha256`` alone (no validator reads it)."""
    from plansite import plans
    from plansite.schema import PlanModel, validate
    from plansite.yamlfile import load_yaml

    data = load_yaml(ROOT / "site_src/plans/cangshan-14th.yml")
    for value in ["0" * 64, "0123456789abcdef" * 4, "a" * 64 + "\n", "A" * 64, "0" * 63, "0" * 65, " " + "0" * 63,
                  "g" * 64, "０" * 64, 10 ** 63, None, ["0" * 64]]:
        accepted = validate(PlanModel, dict(data, sha256=value), "x")[0] is not None
        assert accepted == (type(value) is str and bool(plans._SHA256_VALUE.fullmatch(value))), repr(value)
    one, other = (validate(PlanModel, dict(data, sha256=v), "x")[0] for v in ("0" * 64, "f" * 64))
    assert one.model_copy(update={"sha256": "f" * 64}) == other
