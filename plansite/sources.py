"""Plan sources: the seed text, kept verbatim, plus the editors' recorded corrections.

Corrections live in ``site_src/corrections/<slug>.yml``::

    corrections:
      - line: 53                 # 1-based line of the seed file
        find: "错字"             # text on that line ...
        replace: "正字"          # ... replaced by this
        reason: why              # required: provenance stays auditable
      - line: 53
        insert: "3.二〇三五年远景目标。"   # a line inserted before line 53
        reason: why

The seed file itself is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import PlansiteError, Problem
from .model import SourceLine
from .parser.decode import decode_bytes
from .plans import Plan
from .yamlfile import LineDict, load_yaml


@dataclass
class Correction:
    """One recorded correction: at seed ``line``, either ``find`` → ``replace`` or ``insert`` a new
    line before it; ``reason`` says why; ``at`` is ``path:line`` of the correction itself."""

    line: int
    reason: str
    find: str = ""
    replace: str = ""
    insert: str = ""
    at: str = ""


def corrections_path(root: Path, slug: str) -> Path:
    """Where the corrections of plan ``slug`` are kept (the file may not exist)."""
    return root / "site_src" / "corrections" / f"{slug}.yml"


def read_seed(root: Path, plan: Plan) -> list[str]:
    """The seed's lines (no terminators), decoded and split by :mod:`plansite.parser.decode`.

    Raises :class:`PlansiteError` ``source:line: message`` if the bytes are not text in a supported
    encoding or hold a NUL byte.
    """
    return decode_bytes((root / plan.source).read_bytes(), plan.source).lines


def check_corrections(root: Path, plan: Plan, seed: list[str]) -> tuple[list[Correction], list[Problem]]:
    """Read and validate the corrections of ``plan`` against its seed lines; return them and all problems."""
    path = corrections_path(root, plan.slug)
    if not path.exists():
        return [], []
    shown = path.relative_to(root).as_posix()
    try:
        data = load_yaml(path, shown)
    except PlansiteError as exc:
        return [], exc.problems
    if data is None:
        return [], []
    if not isinstance(data, LineDict) or not isinstance(data.get("corrections"), list):
        return [], [Problem(shown, 1, "expected a mapping with a 'corrections' list")]
    items = data["corrections"]
    found, problems = [], []
    for item, where in zip(items, items.item_lines):
        def bad(message: str, key: str | None = None) -> None:
            line = item.line_of(key) if key and isinstance(item, LineDict) else where
            problems.append(Problem(shown, line, message))

        if not isinstance(item, LineDict):
            bad("each correction must be a mapping")
            continue
        unknown = set(item) - {"line", "find", "replace", "insert", "reason"}
        if unknown:
            bad(f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0])
            continue
        line = item.get("line")
        if not isinstance(line, int) or not 1 <= line <= len(seed):
            bad(f"line must be a line number of {plan.source} (1–{len(seed)})", "line")
            continue
        if not str(item.get("reason") or "").strip():
            bad("a correction needs a reason", "line")
            continue
        if "insert" in item:
            if "find" in item or "replace" in item or not isinstance(item["insert"], str):
                bad("use either insert, or find and replace", "insert")
                continue
            found.append(Correction(line, item["reason"], insert=item["insert"], at=f"{shown}:{where}"))
            continue
        find, replace = item.get("find"), item.get("replace")
        if not isinstance(find, str) or not find or not isinstance(replace, str):
            bad("a correction needs find and replace text (or insert)", "find")
            continue
        if find not in seed[line - 1]:
            bad(f"find text {find!r} does not occur on line {line} of {plan.source}", "find")
            continue
        found.append(Correction(line, item["reason"], find=find, replace=replace, at=f"{shown}:{where}"))
    return found, problems


def apply_corrections(seed: list[str], corrections: list[Correction]) -> list[SourceLine]:
    """Seed lines with corrections applied, as :class:`SourceLine` carrying seed line numbers."""
    by_line: dict[int, list[Correction]] = {}
    for c in corrections:
        by_line.setdefault(c.line, []).append(c)
    out: list[SourceLine] = []
    for number, text in enumerate(seed, start=1):
        corrected = False
        for c in by_line.get(number, []):
            if c.insert:
                out.append(SourceLine(number, c.insert, corrected=True))
            else:
                text, corrected = text.replace(c.find, c.replace, 1), True
        out.append(SourceLine(number, text, corrected))
    return out


def load_source(root: Path, plan: Plan) -> tuple[list[SourceLine], list[Correction]]:
    """The plan's source lines with corrections applied, and the corrections used.

    Raises :class:`PlansiteError` naming file and line for a garbled seed or a bad correction.
    """
    seed = read_seed(root, plan)
    corrections, problems = check_corrections(root, plan, seed)
    if problems:
        raise PlansiteError(problems)
    return apply_corrections(seed, corrections), corrections
