"""Loading a whole project: every plan's metadata, source, corrections and parsed document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .check import validate_inputs
from .errors import PlansiteError
from .indicators import check_tables, load_tables
from .model import Document, SourceLine
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan, check_line_ranges
from .sources import Correction, apply_corrections, check_corrections, read_seed


@dataclass
class PlanData:
    """Everything known about one plan: metadata, the verbatim ``seed`` lines, the corrected
    ``lines``, the ``corrections`` applied, the parsed ``doc`` and the indicator ``tables``."""

    plan: Plan
    seed: list[str]
    lines: list[SourceLine]
    corrections: list[Correction]
    doc: Document
    tables: list = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """Checksum of the seed file (verified against the metadata at load time)."""
        return self.plan.sha256


@dataclass
class Project:
    """The project at ``root``: its plans in display order."""

    root: Path
    plans: list[PlanData]
    registry: object = None  # indicators.Registry, or None when the project has no registry

    def get(self, slug: str) -> PlanData:
        """The plan with ``slug``; raises :class:`KeyError` for an unknown plan."""
        for data in self.plans:
            if data.plan.slug == slug:
                return data
        raise KeyError(slug)


def load_plan_data(root: Path, plan: Plan) -> PlanData:
    """Read, correct and parse one plan whose metadata is valid. Raises :class:`PlansiteError`
    (file:line) on bad input. Validates this plan's own inputs only; :func:`load_project`
    validates the whole project first."""
    seed = read_seed(root, plan)
    problems = check_line_ranges(plan, len(seed), plan.meta_data)
    corrections, found = check_corrections(root, plan, seed)
    if problems + found:
        raise PlansiteError(problems + found)
    lines = apply_corrections(seed, corrections)
    doc = parse_document(plan, lines)
    check_placed(plan.source, doc, lines)
    tables = _load_tables(root, plan)
    return PlanData(plan, seed, lines, corrections, doc, tables)


def _load_tables(root: Path, plan: Plan) -> list:
    path = root / "site_src" / "indicators" / f"{plan.slug}.yml"
    if not path.exists():
        return []
    problems = check_tables(root, plan.slug, expected_source=plan.source)
    if problems:
        raise PlansiteError(problems)
    return load_tables(root, plan.slug)


def load_project(root: Path, only: list[str] | None = None, progress=None) -> Project:
    """Load every plan under ``root`` (or just the slugs in ``only``); ``progress(plan_data)`` is
    called as each plan is parsed.

    Runs the very validation of ``build.py check`` (:func:`plansite.check.validate_inputs`) over
    the whole project first and raises :class:`PlansiteError` with every problem found, each
    ``path:line: message``, if there is any; an unknown slug in ``only`` is an error too.
    """
    root = Path(root)
    inputs = validate_inputs(root)
    chosen = inputs.chosen(only)
    loaded = []
    for item in chosen:
        seed = item.seed
        lines = apply_corrections(seed, item.corrections)
        doc = parse_document(item.plan, lines)
        check_placed(item.plan.source, doc, lines)
        loaded.append(PlanData(item.plan, seed, lines, item.corrections, doc, item.tables))
        if progress:
            progress(loaded[-1])
    return Project(root, loaded, inputs.registry)


def digest(data: bytes) -> str:
    """sha256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()
