"""Checks of the indicator tables against their seed text and of the registry against the
tables (every verbatim cell must be on its source line; aliases must be used)."""

from __future__ import annotations

import math
import re
from pathlib import Path

from plansite import paths
from plansite.errors import PlansiteError, Problem
from plansite.parser.decode import decode_bytes

from .load import load_registry, load_tables, parse_tables
from .model import ATTRIBUTES, INDICATORS_DIR, Growth, IndicatorRow, IndicatorTable, Registry, Value
from .values import parse_growth_cell, parse_value_cell, split_markers, split_numbering



_CN_NUMBERS = {10.0: "十", 100.0: "百", 1000.0: "千", 10000.0: "万"}
_SPACES_RE = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _SPACES_RE.sub("", s)


def _value_dict(v: Value | Growth | None) -> dict | None:
    if v is None:
        return None
    d = {"value": v.value, "text": v.text, "qualifier": v.qualifier, "strive": v.strive}
    if isinstance(v, Value):
        d.update(cumulative=v.cumulative, unit=v.unit)
    else:
        d["kind"] = v.kind
    return d


def _expected_dict(parsed: dict | None, growth: bool) -> dict | None:
    if parsed is None:
        return None
    d = {"value": parsed.get("value"), "text": parsed.get("text"),
         "qualifier": parsed.get("qualifier"), "strive": parsed.get("strive", False)}
    if growth:
        d["kind"] = parsed["kind"]
    else:
        d.update(cumulative=parsed.get("cumulative", False), unit=parsed.get("unit"))
    return d


def _same(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    for k in a:
        x, y = a[k], b.get(k)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def _describe(d: dict | None) -> str:
    if d is None:
        return "nothing"
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items() if v not in (None, False)) + "}"


def _row_fields(row: IndicatorRow) -> dict[str, Value | Growth | None]:
    return {
        "baseline": row.baseline, "target": row.target, "growth": row.growth,
        "past_growth": row.past_growth, "base": row.base,
        "planned_value": row.planned.value if row.planned else None,
        "planned_growth": row.planned.growth if row.planned else None,
        "achieved_value": row.achieved.value if row.achieved else None,
        "achieved_growth": row.achieved.growth if row.achieved else None,
    }


def check_row_cells(table: IndicatorTable, row: IndicatorRow, source_lines: list[str]
                    ) -> list[str]:
    """Problems (messages only) with one row against the seed and its own cells:

    * each non-empty cell occurs in the source at the row's lines (whitespace ignored, so cells
      broken over several lines by the PDF extraction are found), or in its ``extra_lines``;
      for a tab-separated row the non-empty cells must equal the non-empty tab fields, in order;
    * a proposal row's ``quote`` occurs verbatim on its ``line``;
    * name, number, unit, attribute and each parsed value agree with the printed cell
      (re-parsed with :func:`parse_value_cell` / :func:`parse_growth_cell`)."""
    msgs: list[str] = []
    n = len(source_lines)
    first, last = row.lines
    if not (1 <= first <= last <= n):
        return [f"lines {first}-{last} are outside the source ({n} lines)"]
    own = "\n".join(source_lines[first - 1:last])
    if row.quote is not None:
        if row.quote not in own:
            msgs.append(f'quote "{row.quote}" does not occur at line {row.line}')
        for k, v in (("target", row.target), ("growth", row.growth)):
            if v is not None and v.value is not None:
                shown = f"{v.value:g}"
                if shown not in row.quote and _CN_NUMBERS.get(v.value, "?") not in row.quote:
                    msgs.append(f"{k}.value {shown} does not occur in the quote")
        return msgs
    texts = [own] + ["\n".join(source_lines[a - 1:b]) for a, b in row.extra_lines if b <= n]
    squashed = [_squash(t) for t in texts]
    nonempty = [x for x in row.cells if x.strip()]
    if first == last and "\t" in own and not row.extra_lines:
        fields = [f for f in own.split("\t") if f.strip()]
        if fields != nonempty:
            msgs.append(f"cells {nonempty!r} differ from the printed fields {fields!r} at line "
                        f"{row.line}")
    else:
        for cell in nonempty:
            if not any(_squash(cell) in s for s in squashed):
                msgs.append(f'cell "{cell}" does not occur at lines {first}-{last}')
    lay = table.layout

    def cell(fieldname: str) -> str | None:
        i = lay.get(fieldname)
        return row.cells[i] if i is not None and i < len(row.cells) else None

    name_cell = cell("name")
    if name_cell is not None and name_cell.strip():
        text, marks = split_markers(_SPACES_RE.sub(" ", name_cell.replace("\n", "")))
        no, name = split_numbering(text)
        if name != row.name:
            msgs.append(f"name {row.name!r} differs from the printed {name!r}")
        if no is not None and no != row.seq:
            msgs.append(f"no {row.seq!r} differs from the printed {no!r}")
    sub = cell("subname")
    if (sub or None) != row.subname:
        msgs.append(f"subname {row.subname!r} differs from the printed {sub!r}")
    for k in ("seq", "unit"):
        c_ = cell(k)
        if c_ is not None and c_.strip() and c_.strip() != getattr(row, k):
            msgs.append(f"{k} {getattr(row, k)!r} differs from the printed {c_.strip()!r}")
    att = cell("attribute")
    if att is not None and ATTRIBUTES.get(att.strip()) != row.attribute:
        msgs.append(f"attribute {row.attribute!r} differs from the printed {att.strip()!r}")
    cat = cell("category")
    if cat is not None and cat.strip() and _squash(cat) != row.category:
        msgs.append(f"category {row.category!r} differs from the printed {_squash(cat)!r}")
    all_marks: list[str] = []
    for k, v in _row_fields(row).items():
        c_ = cell(k)
        if c_ is None:
            if v is not None and k in lay:
                msgs.append(f"{k} has no cell")
            continue
        text, marks = split_markers(c_)
        all_marks += marks
        growth = k.endswith("growth")
        parsed = parse_growth_cell(text, "annual") if growth else parse_value_cell(text)
        want = _expected_dict(parsed, growth)
        got = _value_dict(v)
        if want is not None and got is not None and not want["strive"]:
            got["strive"] = False  # 力争 may be recorded from context
        if not _same(want, got):
            label = k.replace("_", ".")
            msgs.append(f'{label} {_describe(got)} does not match the printed "{c_}" '
                        f"(parsed {_describe(want)})")
    if name_cell is not None:
        all_marks = split_markers(name_cell)[1] + all_marks
    if all_marks != row.markers:
        msgs.append(f"markers {row.markers!r} differ from the printed {all_marks!r}")
    return msgs


def check_tables(root: Path, slug: str, registry: Registry | None = None,
                 expected_source: str | None = None) -> list[Problem]:
    """All problems with ``site_src/indicators/<slug>.yml``, collected rather than raised.

    Schema problems first (as :func:`load_tables` would raise them); then, per row, the checks
    of :func:`check_row_cells` against the seed file named by ``source``, that each row's
    :attr:`IndicatorRow.key` resolves in the registry (loaded from ``root`` when not given), and
    that notes refer to footnotes of the table. With ``expected_source`` (the plan's seed), a
    file naming another source is a problem and is not checked against it. Each problem is
    ``path:yaml_line: message``."""
    return checked_tables(root, slug, registry, expected_source)[1]


def checked_tables(root: Path, slug: str, registry: Registry | None = None,
                   expected_source: str | None = None,
                   seed: list[str] | None = None,
                   parsed: tuple[list[IndicatorTable], list[Problem], int] | None = None
                   ) -> tuple[list[IndicatorTable], list[Problem]]:
    """``(tables, problems)``: :func:`check_tables`' problems and the tables it read (those valid
    on their own; use them only when there are no problems). Reads the file once; ``seed``: the
    lines of ``expected_source`` when the caller has read them already
    (:func:`plansite.sources.read_seed`, the same checks and decoding), so it is not read again;
    ``parsed``: what :func:`parse_tables` returned for the file (tables, problems, line of
    ``source:``), so it is not read and schema-checked again (the problems list is copied)."""
    root = Path(root)
    if parsed is not None:
        tables, problems, source_line = parsed[0], list(parsed[1]), parsed[2]
    else:
        try:
            tables, problems, source_line = parse_tables(root, slug)
        except PlansiteError as e:
            return [], list(e.problems)
    path = f"{INDICATORS_DIR}/{slug}.yml"
    if registry is None:
        try:
            registry = load_registry(root)
        except PlansiteError as e:
            problems += e.problems
            registry = None
    sources: dict[str, list[str]] = {}
    for t in tables:
        if t.source not in sources:
            sources[t.source] = []
            try:
                paths.named_path(root, t.source, path, source_line)  # an outside path is named as such
                if expected_source is not None and t.source != expected_source:
                    raise PlansiteError.at(path, source_line, f"source {t.source} is not the plan's "
                                                              f"source {expected_source}")
                sources[t.source] = (seed if seed is not None and t.source == expected_source
                                     else read_source(root, t.source, path, source_line))
            except PlansiteError as e:
                problems += e.problems
        src = sources[t.source]
        if not src:
            continue
        if t.lines[1] > len(src):
            problems.append(Problem(path, t.yaml_line, f"table {t.id}: lines {list(t.lines)} go past the last "
                                                       f"line ({len(src)}) of {t.source}"))
            continue
        if t.title and not any(_squash(t.title) in _squash(src[i - 1])
                               for i in range(t.lines[0], min(t.lines[1], len(src)) + 1)):
            problems.append(Problem(path, t.yaml_line, f"table {t.id}: title {t.title!r} does "
                                                       f"not occur at lines {list(t.lines)}"))
        fn_markers = {f.marker for f in t.footnotes}
        for f in t.footnotes:
            last = f.last_line or f.line
            if not (1 <= f.line <= last <= len(src)) or _squash(f.text) not in _squash(
                    "".join(src[f.line - 1:last])):
                problems.append(Problem(path, t.yaml_line, f"table {t.id}: footnote "
                                                           f"{f.marker!r} not found at line "
                                                           f"{f.line}"))
        for i, row in enumerate(t.rows):
            where = f"table {t.id} row {i + 1} ({row.key}): "
            for m in check_row_cells(t, row, src):
                problems.append(Problem(path, row.yaml_line, where + m))
            for m in row.notes:
                if m not in fn_markers:
                    problems.append(Problem(path, row.yaml_line,
                                            f"{where}note {m!r} is not a footnote marker"))
            if registry is not None and registry.resolve(row.key) is None:
                problems.append(Problem(path, row.yaml_line,
                                        f"{where}name {row.key!r} is not in {registry.path}"))
    return tables, problems


def read_source(root: Path, source: str, shown: str, line: int = 0) -> list[str]:
    """The lines of the seed an indicator file names in ``source:`` (``shown``:``line`` is that field):
    the path must stay inside the project (:func:`plansite.paths.named_path`) and the file be a
    readable seed. Raises :class:`PlansiteError` naming the indicator file's ``source`` line."""
    from ..sources import SEED_MAX_BYTES

    try:
        real = paths.readable_file(root, paths.named_path(root, source, shown, line), shown, line)
        return decode_bytes(paths.read_limited(real, SEED_MAX_BYTES, shown, line), source).lines
    except PlansiteError as e:
        raise PlansiteError.at(shown, line, f"source {source} cannot be read: {e.problems[0].message}") from None


def check_registry(root: Path, slugs: list[str] | None = None) -> list[Problem]:
    """Problems with the registry as a whole: each alias should be used by some row of some
    plan (stale aliases are reported at the entry's line). ``slugs`` defaults to every
    indicator file."""
    root = Path(root)
    d = root / INDICATORS_DIR
    tables = [t for slug in slugs or sorted(p.stem for p in d.glob("*.yml")) for t in load_tables(root, slug)]
    return stale_aliases(load_registry(root), tables)


def stale_aliases(registry: Registry, tables: list[IndicatorTable], names: set[str] | None = None) -> list[Problem]:
    """The registry's aliases used by no row of ``tables`` (every plan's) nor named in ``names``
    (row names found earlier), each a problem at its entry's line."""
    names = set(names or ()) | {r.key for t in tables for r in t.rows}
    return [Problem(registry.path, e.yaml_line, f"indicator {e.id}: alias {a!r} is used by no "
                                                "row")
            for e in registry.entries for a in e.aliases if a not in names]
