"""Loading a whole project: every plan's metadata, source, corrections and parsed document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PlansiteError
from .indicators import load_registry, load_tables
from .model import Document, SourceLine
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan, load_plans
from .sources import Correction, load_source, read_seed


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
    """Read, correct and parse one plan. Raises :class:`PlansiteError` (file:line) on bad input."""
    seed = read_seed(root, plan)
    lines, corrections = load_source(root, plan)
    doc = parse_document(plan, lines)
    check_placed(plan.source, doc, lines)
    tables = _load_tables(root, plan)
    return PlanData(plan, seed, lines, corrections, doc, tables)


def _load_tables(root: Path, plan: Plan) -> list:
    path = root / "site_src" / "indicators" / f"{plan.slug}.yml"
    if not path.exists():
        return []
    return load_tables(root, plan.slug)


def load_project(root: Path, only: list[str] | None = None, progress=None) -> Project:
    """Load every plan under ``root`` (or just the slugs in ``only``); ``progress(plan_data)`` is
    called as each plan is parsed.

    Raises :class:`PlansiteError` with every problem found, each ``path:line: message``; an
    unknown slug in ``only`` is an error too.
    """
    root = Path(root)
    plans = load_plans(root)
    if only:
        known = {p.slug for p in plans}
        unknown = [s for s in only if s not in known]
        if unknown:
            raise PlansiteError.at("site_src/plans", 0, f"unknown plan {unknown[0]!r} (known: {', '.join(sorted(known))})")
        plans = [p for p in plans if p.slug in only]
    problems, loaded = [], []
    for plan in plans:
        try:
            loaded.append(load_plan_data(root, plan))
            if progress:
                progress(loaded[-1])
        except PlansiteError as exc:
            problems += exc.problems
    if problems:
        raise PlansiteError(problems)
    registry = None
    if (root / "site_src" / "indicator_registry.yml").exists():
        registry = load_registry(root)
    return Project(root, loaded, registry)


def digest(data: bytes) -> str:
    """sha256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()
