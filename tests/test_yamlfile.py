"""The safe YAML loader (plansite.yamlfile): limits, one-line errors, and the same values and
lines with libyaml's C parser as with PyYAML's pure-Python parser."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from plansite.errors import PlansiteError
from plansite.yamlfile import LineDict, parse_yaml
from tiny import ROOT

GOOD = "a: [1, 2.5, {b: c}]\nd: &x 3\ne: *x\nf: 2020-01-01\ng:\n  - h: 'i'\n    j: null\nk: {<<: {m: 1}, n: 2}\n"
BAD = {
    "a: " + "[" * 100_000 + "]" * 100_000: "nested deeper than 32 levels",  # crashed libyaml's composer
    "a: &a [*a]": "refers to its own enclosing node",
    "a: *b": "has no anchor before it",
    "a: 1\n---\nb: 2\n": "more than one YAML document",
    "? [a]\n: b\n": "mapping key must be plain text",
    "1: a\n": "mapping key '1' must be text",
    "a: 1\na: 2\n": "duplicate key 'a'",
    "a: !!int 0x": "!!int '0x'",
    "a: !!timestamp 2020-99-99": "!!timestamp",
    "a: !!python/name:os.system x": "YAML syntax error",
    "a: b\x0c": "not allowed",
}


def dump(value) -> str:
    """Values with the lines the loader records, as JSON."""
    def walk(v):
        if isinstance(v, LineDict):
            return {"line": v.line, "keys": v.key_lines, "items": {k: walk(x) for k, x in v.items()}}
        if isinstance(v, list):
            return {"line": getattr(v, "line", 0), "lines": getattr(v, "item_lines", []), "items": [walk(x) for x in v]}
        return v
    return json.dumps(walk(value), ensure_ascii=False, sort_keys=True)


def test_values_and_lines():
    data = parse_yaml(GOOD, "f.yml")
    assert data == {"a": [1, 2.5, {"b": "c"}], "d": 3, "e": 3, "f": "2020-01-01",
                    "g": [{"h": "i", "j": None}], "k": {"m": 1, "n": 2}}
    assert data.key_lines == {"a": 1, "d": 2, "e": 2, "f": 4, "g": 6, "k": 8}  # an alias: its anchor's line
    assert data["g"].item_lines == [6] and data["g"][0].key_lines == {"h": 6, "j": 7}


@pytest.mark.parametrize("text", sorted(BAD), ids=range(len(BAD)))
def test_refusals_are_one_line(text):
    with pytest.raises(PlansiteError) as err:
        parse_yaml(text, "f.yml")
    (problem,) = err.value.problems
    assert BAD[text] in problem.message and "\n" not in str(err.value) and len(str(err.value)) < 200
    assert problem.path == "f.yml" and problem.line >= 0


def test_pure_python_parser_gives_the_same_values_lines_and_errors():
    """Without libyaml (yaml.cyaml unavailable) the loader falls back to PyYAML's parser."""
    texts = [GOOD] + [t for t in BAD if len(t) < 1000] + [
        (ROOT / "site_src/indicators/fuzhou-15th.yml").read_text(encoding="utf-8"),
        (ROOT / "site_src/plans/cangshan-14th.yml").read_text(encoding="utf-8")]
    script = (
        "import json, sys\n"
        "if sys.argv[1] == 'py': sys.modules['yaml.cyaml'] = None\n"
        f"sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]\n"
        "from plansite import yamlfile\n"
        "from plansite.errors import PlansiteError\n"
        "from test_yamlfile import dump\n"
        "assert (yamlfile._ParserBase is None) == (sys.argv[1] == 'py')\n"
        "out = []\n"
        "for text in json.load(sys.stdin):\n"
        "    try: out.append(dump(yamlfile.parse_yaml(text, 'f.yml')))\n"
        "    except PlansiteError as e: out.append([str(p) for p in e.problems])\n"
        "print(json.dumps(out, ensure_ascii=False))\n")
    results = []
    for mode in ("c", "py"):
        run = subprocess.run([sys.executable, "-c", script, mode], input=json.dumps(texts), capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        results.append(json.loads(run.stdout))
    for text, c, py in zip(texts, *results):
        if isinstance(c, list):  # errors: same line and kind; the parsers word syntax errors alike
            assert [ln.split(":")[1] for ln in c] == [ln.split(":")[1] for ln in py], (text[:40], c, py)
        else:
            assert c == py, text[:40]


def test_plain_documents_built_from_events_equal_the_general_loader():
    """``_parse_plain`` (events straight to values) gives the general loader's values, types
    and lines for the editors' files and plain variants, and hands every document with tags,
    anchors, merge keys or a problem to the general loader."""
    from plansite import yamlfile

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "site_src").rglob("*.yml"))]
    texts += ["", "# only a comment\n", "a:\nb: ~\nc: [yes, No, off, 0o17, 0x1F, 1_000, .5, -.inf, 1e3]\n",
              "- 'x'\n- \"1\"\n- |\n  block\n  text\n- >-\n  folded\n- {a: [], b: {}}\n- - - 1\n",
              "---\na: 1\n...\n", "%YAML 1.1\n---\n'2020-01-01': \"2\"\n", "a: '12'\n'b': 3\n"]
    plain = 0
    for text in texts:
        general = yamlfile._parse_general(text, "f.yml")
        assert dump(yamlfile._parse_plain(text)) == dump(general), text[:60]
        assert dump(parse_yaml(text, "f.yml")) == dump(general)
        plain += 1
    assert plain == len(texts) > 10
    for text in [GOOD, "a: !!str 1\n", "a: &x 1\n", "k: {<<: {m: 1}}\n", "= : 1\n", *BAD]:
        with pytest.raises(Exception):
            yamlfile._parse_plain(text)
