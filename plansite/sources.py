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

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import PlansiteError, Problem
from .model import SourceLine
from .parser.decode import decode_bytes
from .plans import SEED_MAX_BYTES, Plan
from .yamlfile import LineDict, LineList, load_yaml, tree_key


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


def read_seed(root: Path, plan: Plan, verify: bool = False) -> list[str]:
    """The seed's lines (no terminators), decoded and split by :mod:`plansite.parser.decode`.

    The seed must be a regular file inside the project (:mod:`plansite.paths`; a seed or a
    ``seeds/`` folder that is a symlink leading outside is refused) of at most
    :data:`plansite.plans.SEED_MAX_BYTES`. Raises :class:`PlansiteError` ``path:line: message``
    (the metadata's ``source`` line for a path problem; the seed's line for bytes that are not
    text in a supported encoding or a NUL byte). With ``verify`` the bytes must also still match
    the metadata's ``sha256`` (a seed read again after validation, e.g. by the worker building
    the plan: one saved meanwhile is refused at the metadata's ``sha256`` line, never built).
    """
    line = plan.meta_data.line_of("source") if isinstance(plan.meta_data, LineDict) else 0
    real = paths.readable_file(root, paths.named_path(root, plan.source, plan.meta_path, line),
                               plan.meta_path, line)
    data = paths.read_limited(real, SEED_MAX_BYTES, plan.source)
    if verify:
        found = hashlib.sha256(data).hexdigest()
        if found != plan.sha256:
            at = plan.meta_data.line_of("sha256") if isinstance(plan.meta_data, LineDict) else 0
            raise PlansiteError.at(plan.meta_path, at, f"checksum mismatch for {plan.source}: file has {found}, "
                                                       f"metadata says {plan.sha256} (changed during the build)")
    return decode_bytes(data, plan.source).lines


_LABELS = {"corrections": lambda i, item: f"correction {i + 1}"}


def _correction_fields(data: LineDict, shown: str, memo) -> tuple[list[tuple] | None, list[Problem]]:
    """``(corrections or None, problems)``: ``data`` checked by
    :class:`plansite.schema.CorrectionsModel`, each correction as ``(line, reason, find, replace,
    insert)``. A pure function of the fields: ``memo`` (:meth:`plansite.checkmemo.CheckMemo.call`,
    or ``None``) remembers its clean results by their content, so a seed edit does not import
    pydantic for a corrections file it did not change."""

    def validate() -> tuple[list[tuple] | None, list[Problem]]:
        from .schema import CorrectionsModel, validate  # here: pydantic takes a while to import

        model, problems = validate(CorrectionsModel, data, shown, _LABELS)
        if model is None:
            return None, problems
        return [(c.line, c.reason, c.find, c.replace, c.insert) for c in model.corrections], problems

    if memo is None:
        return validate()
    return memo.call("correction-fields", (shown, tree_key(data)), lambda r: [], validate)


def check_corrections(root: Path, plan: Plan, seed: list[str], memo=None) -> tuple[list[Correction], list[Problem]]:
    """Read and validate the corrections of ``plan`` against its seed lines; return them and all problems.

    The file's shape is :class:`plansite.schema.CorrectionsModel`; each correction's ``line``
    must be a line of the seed and its ``find`` text must occur on it. ``memo`` (optional, a
    :class:`plansite.checkmemo.CheckMemo`) remembers the shape check (see :func:`_correction_fields`)."""
    path = corrections_path(root, plan.slug)
    if not path.exists() and not path.is_symlink():
        return [], []
    shown = paths.shown_path(root, path)
    try:
        data = load_yaml(path, shown, root=root)
    except PlansiteError as exc:
        return [], exc.problems
    if data is None:
        return [], []
    if not isinstance(data, LineDict):
        return [], [Problem(shown, 1, "expected a mapping with a 'corrections' list")]
    items, problems = _correction_fields(data, shown, memo)
    if items is None:
        return [], problems
    problems = list(problems)
    found = []
    for i, ((line, reason, find, replace, insert), raw, where) in enumerate(zip(
            items, data.get("corrections") or [], (data.get("corrections") or LineList()).item_lines)):
        label = f"correction {i + 1}: "
        if line > len(seed):
            problems.append(Problem(shown, raw.line_of("line"), f"{label}line must be a line number of "
                                                                f"{plan.source} (1–{len(seed)})"))
        elif insert is not None:
            found.append(Correction(line, reason, insert=insert, at=f"{shown}:{where}"))
        elif find not in seed[line - 1]:
            problems.append(Problem(shown, raw.line_of("find"), f"{label}find text {find!r} does not "
                                                                f"occur on line {line} of {plan.source}"))
        else:
            found.append(Correction(line, reason, find=find, replace=replace, at=f"{shown}:{where}"))
    return found, problems


def apply_corrections(seed: list[str], corrections: list[Correction]) -> list[SourceLine]:
    """Seed lines with corrections applied, as :class:`SourceLine` carrying seed line numbers."""
    by_line: dict[int, list[Correction]] = {}
    for c in corrections:
        by_line.setdefault(c.line, []).append(c)
    if not by_line:  # (most plans: one SourceLine per seed line, nothing to look up)
        return [SourceLine(number, text, False) for number, text in enumerate(seed, start=1)]
    out: list[SourceLine] = []
    for number, text in enumerate(seed, start=1):
        fixes = by_line.get(number)
        if fixes is None:
            out.append(SourceLine(number, text, False))
            continue
        corrected = False
        for c in fixes:
            if c.insert:
                out.append(SourceLine(number, c.insert, corrected=True))
            else:
                text, corrected = text.replace(c.find, c.replace, 1), True
        out.append(SourceLine(number, text, corrected))
    return out
