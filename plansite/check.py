"""``build.py check``: validate every input of a project and collect ALL problems in one run.

This module writes nothing and has no validators of its own: it calls the stage validators
(:func:`plansite.plans.check_plan_file`, :func:`plansite.sources.read_seed` /
:func:`plansite.sources.check_corrections`, the parser, :func:`plansite.indicators.check_tables`,
:func:`plansite.indicators.load_registry` / :func:`plansite.indicators.check_registry`) and keeps
going after each failure, so that a broken plan file and a bad correction elsewhere are reported
together. The only checks added here are cross-references between files (a corrections or
indicator file whose plan does not exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import indicators
from .errors import PlansiteError, Problem
from .indicators import INDICATORS_DIR, REGISTRY_PATH
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan, check_plan_file, plan_files
from .sources import apply_corrections, check_corrections, read_seed

CORRECTIONS_DIR = "site_src/corrections"


@dataclass
class CheckReport:
    """Outcome of :func:`run_checks`.

    ``problems``: errors (each ``path:line: message``), in the order found, duplicates removed;
    ``warnings``: parser warnings (目录 mismatches), which do not fail a check;
    ``plans``: slugs of the plans whose metadata, seed and corrections were valid.
    """

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no errors were found (warnings allowed)."""
        return not self.problems


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.path, p.line, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _check_plan(root: Path, plan: Plan, report: CheckReport) -> tuple[bool, bool]:
    """Seed, corrections and parse of one plan with valid metadata.

    Returns ``(valid, seed_readable)``: all of them valid, and the seed at least decodes."""
    try:
        seed = read_seed(root, plan)
    except PlansiteError as exc:
        report.problems += exc.problems
        return False, False
    corrections, problems = check_corrections(root, plan, seed)
    report.problems += problems
    try:
        lines = apply_corrections(seed, corrections)
        doc = parse_document(plan, lines)
    except Exception as exc:  # noqa: BLE001 - the parser promises not to raise; report it if it does
        report.problems.append(Problem(plan.source, 0, f"the parser failed: {type(exc).__name__}: {exc}"))
        return False, True
    report.warnings += doc.warnings
    try:
        check_placed(plan.source, doc, lines)
    except PlansiteError as exc:
        report.problems += exc.problems
        return False, True
    return not problems, True


def _check_indicators(root: Path, slugs: set[str], bad_seeds: set[str], report: CheckReport) -> None:
    """Indicator tables and registry; ``bad_seeds`` are plans whose seed could not be read."""
    registry = None
    if (root / REGISTRY_PATH).exists() or (root / INDICATORS_DIR).is_dir():
        try:
            registry = indicators.load_registry(root)
        except PlansiteError as exc:
            report.problems += exc.problems
    tables_ok = True
    for path in sorted((root / INDICATORS_DIR).glob("*.yml")):
        slug = path.stem
        shown = f"{INDICATORS_DIR}/{path.name}"
        if slug not in slugs:
            report.problems.append(Problem(shown, 0, f"indicator tables for unknown plan {slug!r} "
                                                     f"(no site_src/plans/{slug}.yml)"))
            tables_ok = False
            continue
        if slug in bad_seeds:
            # the tables are checked against the seed text; with a garbled seed only the schema is checked
            try:
                indicators.load_tables(root, slug)
            except PlansiteError as exc:
                report.problems += exc.problems
            tables_ok = False
            continue
        try:
            found = indicators.check_tables(root, slug, registry)
        except PlansiteError as exc:
            found = exc.problems
        except Exception as exc:  # noqa: BLE001 - report, never a traceback
            found = [Problem(shown, 0, f"cannot check: {type(exc).__name__}: {exc}")]
        report.problems += found
        tables_ok = tables_ok and not found
    if registry is not None and tables_ok and (root / INDICATORS_DIR).is_dir():
        try:
            report.problems += indicators.check_registry(root)
        except PlansiteError as exc:
            report.problems += exc.problems


def run_checks(root: Path) -> CheckReport:
    """Validate every input under ``root`` and return a :class:`CheckReport` (never raises for
    bad input).

    Covers: each ``site_src/plans/<slug>.yml`` (fields, source file exists, sha256 matches);
    each seed (UTF-8, no NUL bytes); each ``site_src/corrections/<slug>.yml`` (against its seed);
    the parser (warnings only); each ``site_src/indicators/<slug>.yml`` (schema, cells against
    the seed, names in the registry); ``site_src/indicator_registry.yml`` (schema, stale
    aliases); and that every corrections and indicator file belongs to a known plan.
    """
    root = Path(root)
    report = CheckReport()
    files = plan_files(root)
    if not files:
        report.problems.append(Problem("site_src/plans", 0, "no plan metadata files found"))
    slugs: set[str] = set()
    bad_seeds: set[str] = set()
    sources: dict[str, str] = {}
    for path in files:
        slugs.add(path.stem)
        plan, problems = check_plan_file(root, path)
        report.problems += problems
        if plan is None:
            bad_seeds.add(path.stem)
            continue
        if plan.source in sources:
            report.problems.append(Problem(plan.meta_path, 0, f"source {plan.source} is also the source of "
                                                              f"{sources[plan.source]}"))
        sources[plan.source] = plan.slug
        valid, readable = _check_plan(root, plan, report)
        if valid:
            report.plans.append(plan.slug)
        if not readable:
            bad_seeds.add(plan.slug)
    for path in sorted((root / CORRECTIONS_DIR).glob("*.yml")):
        if path.stem not in slugs:
            report.problems.append(Problem(f"{CORRECTIONS_DIR}/{path.name}", 0,
                                           f"corrections for unknown plan {path.stem!r} "
                                           f"(no site_src/plans/{path.stem}.yml)"))
    _check_indicators(root, slugs, bad_seeds, report)
    report.problems = _unique(report.problems)
    report.warnings = _unique(report.warnings)
    return report


def check_project(root: Path) -> list[Problem]:
    """Every error found in the project at ``root`` (see :func:`run_checks`); empty when clean."""
    return run_checks(root).problems
