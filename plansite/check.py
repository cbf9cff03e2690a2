"""The one validation of a project's inputs, used by ``build.py check``, ``build.py build`` and
``mkdocs build`` alike.

:func:`validate_inputs` reads and checks every input and collects ALL problems in one run: it
calls the stage validators (:func:`plansite.plans.check_plan_file`,
:func:`plansite.sources.read_seed` / :func:`plansite.sources.check_corrections`,
:func:`plansite.indicators.checked_tables`, :func:`plansite.indicators.load_registry` /
:func:`plansite.indicators.stale_aliases`) and keeps going after each failure, so that a broken
plan file and a bad correction elsewhere are reported together. The only checks added here are
cross-references between files (a corrections or indicator file whose plan does not exist, an
indicator file naming another source than its plan, two plans sharing a seed).

:func:`run_checks` (``build.py check``) is that validation plus the parser (its warnings, and a
parser failure as a problem), writing nothing; :func:`plansite.project.load_project` (the
build) runs the same :func:`validate_inputs` and refuses to build on any problem, so a build
never publishes an input that ``check`` rejects.

The per-plan checks are independent of each other: when many are not remembered (a clean
build, ``check``), each plan's metadata, seed and corrections, then each indicator file, are
checked in forked workers first (:mod:`plansite.checkahead`), and the loops below take those
results where they would have run the checks, so the problems come out the same and in the same
order.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import indicators, paths
from .checkahead import checked_table_file, checked_tables_everywhere, plans_everywhere, row_names, take_ahead
from .errors import PlansiteError, Problem
from .indicators import INDICATORS_DIR, REGISTRY_PATH
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan, check_line_ranges, check_plan_file
from .sources import Correction, apply_corrections, check_corrections, read_seed

CORRECTIONS_DIR = "site_src/corrections"


@dataclass
class PlanInput:
    """One plan whose inputs are valid: metadata, the number of its seed's lines
    ``seed_lines``, ``corrections``, indicator :attr:`tables` (empty when the plan has none) and the
    project ``root``.

    The seed text itself is not kept (at a thousand plans the lines of every seed held about
    150 MiB in the building process and in each forked worker): :attr:`seed` reads it again,
    only where the plan is parsed."""

    plan: Plan
    seed_lines: int
    corrections: list[Correction]
    root: Path | None = None
    #: the tables, or a zero-argument callable giving them (a remembered validation result,
    #: unpickled on first use: see :meth:`plansite.checkmemo.CheckMemo.call_lazy`)
    _tables: object = field(default_factory=list, repr=False)
    #: :func:`plansite.comparisons.group_tables` of the tables when the worker that checked them
    #: found it too (:func:`plansite.checkahead.checked_tables_everywhere`), else ``None``
    groups: dict | None = field(default=None, repr=False, compare=False)

    @property
    def tables(self) -> list:
        """The plan's indicator tables (:class:`plansite.indicators.IndicatorTable`)."""
        if callable(self._tables):
            self._tables = self._tables()
        return self._tables

    @tables.setter
    def tables(self, value) -> None:
        self._tables = value

    @property
    def seed(self) -> list[str]:
        """The verbatim seed lines, read from disk on every access (keep the result while it is
        needed). Raises :class:`PlansiteError` when the seed can no longer be read or no longer
        matches the checksum it was validated with (:func:`plansite.sources.read_seed`)."""
        return read_seed(self.root, self.plan, verify=True)


class _Seed:
    """One plan's seed lines, read at most once and only when a check needs them."""

    def __init__(self, root: Path, plan: Plan):
        self.root, self.plan, self._lines = root, plan, None

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = read_seed(self.root, self.plan)
        return self._lines


@dataclass
class Inputs:
    """Outcome of :func:`validate_inputs`: the valid ``plans`` (sorted newest period first,
    then slug), the ``registry`` (or ``None`` when the project has none) and every
    ``problems`` found (``path:line: message``, in the order found, duplicates removed)."""

    plans: list[PlanInput] = field(default_factory=list)
    registry: object = None
    problems: list[Problem] = field(default_factory=list)

    def chosen(self, only: list[str] | None = None) -> list[PlanInput]:
        """The valid plans to build: all of them, or those whose slug is in ``only`` (in the
        order of :attr:`plans`). Raises :class:`PlansiteError` with every problem found when
        there is any, or ``site_src/plans:0: unknown plan …`` for a slug in ``only`` that is not
        a valid plan."""
        if self.problems:
            raise PlansiteError(self.problems)
        if not only:
            return self.plans
        known = {p.plan.slug for p in self.plans}
        unknown = [s for s in only if s not in known]
        if unknown:
            raise PlansiteError.at("site_src/plans", 0,
                                   f"unknown plan {unknown[0]!r} (known: {', '.join(sorted(known))})")
        return [p for p in self.plans if p.plan.slug in only]


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


class _NoMemo:
    """Runs every validator (no :class:`plansite.checkmemo.CheckMemo`)."""

    @staticmethod
    def call(kind, key, reads, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    call_lazy = call

    @staticmethod
    def remembered(kind, key):
        return False

    @staticmethod
    def call_pickled(kind, key, reads, blob):
        return (lambda: pickle.loads(blob)[0]), []

    @staticmethod
    def seed(root, plan, read):
        return read(root, plan)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.path, p.line, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _folder_files(root: Path, folder: str, problems: list[Problem]) -> list[Path]:
    """The ``*.yml`` files of ``folder``; a folder that leads outside the project is a problem."""
    if (Path(root) / folder).exists():
        try:
            paths.inside(root, Path(root) / folder, folder)
        except PlansiteError as exc:
            problems += exc.problems
            return []
    return paths.project_files(root, folder)


def _only_tables(parsed):
    """The tables of ``parsed`` (:func:`plansite.checkahead.checked_table_file`'s), left as a
    callable when they are one."""
    if callable(parsed):
        return lambda: parsed()[0]
    return parsed[0]


def _registry(root: Path, files: list[Path], memo, problems: list[Problem]):
    """The registry (``None`` when there is none, or when it has problems: added to
    ``problems``); ``files`` the indicator files."""
    if (root / REGISTRY_PATH).exists() or (root / REGISTRY_PATH).is_symlink() or files:
        try:
            return memo.call("registry", (), lambda r: [REGISTRY_PATH], indicators.load_registry, root)
        except PlansiteError as exc:
            problems += exc.problems
    return None


def _check_indicators(root: Path, valid: dict[str, PlanInput], slugs: set[str], out: Inputs, memo,
                      listed: tuple[list[Path], object, list[Problem]],
                      ahead: dict[str, tuple] | None = None) -> None:
    """Indicator tables and registry; ``valid`` the plans whose seed could be read; ``listed``:
    ``(indicator files, registry, problems found listing and loading them)`` as
    :func:`validate_inputs` found them before the plans were checked (the problems are added
    here, after the plans'); ``ahead``: the checks of the indicator files made by the plan jobs
    (see :func:`plansite.checkahead.checked_tables_everywhere`)."""
    files, registry, problems = listed
    out.problems += problems
    tables_ok = True
    names: list = []  # per plan: the row names of its tables (remembered: the tables stay unread)
    todo = [(path.stem, valid[path.stem].plan.source) for path in files
            if path.stem in slugs and path.stem in valid
            and not memo.remembered("table-checks", (path.stem, valid[path.stem].plan.source, registry is None))]
    done = checked_tables_everywhere(root, registry, todo, ahead)  # the same checks as below, on every core
    for path in files:
        slug = path.stem
        shown = f"{INDICATORS_DIR}/{path.name}"
        if slug not in slugs:
            out.problems.append(Problem(shown, 0, f"indicator tables for unknown plan {slug!r} "
                                                  f"(no site_src/plans/{slug}.yml)"))
            tables_ok = False
            continue
        if slug not in valid:
            # the tables are checked against the seed text; without a valid seed only the schema is
            tables_ok = False
            try:
                indicators.load_tables(root, slug)
            except PlansiteError as exc:
                out.problems += exc.problems
            continue
        try:
            source = valid[slug].plan.source
            reads = [shown, REGISTRY_PATH, source]
            # two steps: the file's schema (pydantic) depends on the file alone, so a seed edit
            # does not check it again; the checks against the seed and the registry do run again
            # (both made ahead on every core when many are not remembered: ``done``)
            parsed, found = checked_table_file(done, slug, memo, source, registry, shown, reads, root)
            # (no seed= here: validation keeps no seed lines, checked_tables reads the seed itself)
        except PlansiteError as exc:
            found, parsed = exc.problems, None
        out.problems += found
        tables_ok = tables_ok and not found
        valid[slug].tables = _only_tables(parsed) if not found else []
        if not found:
            names.append((slug, source, reads))
            if slug in done:  # found by the worker that checked the tables
                valid[slug].groups = done[slug][1]
    if registry is not None and tables_ok and files:
        used = set()
        for slug, source, reads in names:  # the same files as the tables: remembered as long as they are
            used |= memo.call("row-names", (slug, source), lambda r, reads=reads: reads,
                              lambda item=valid[slug], known=done.get(slug):
                              known[0] if known is not None else row_names(item.tables))
        out.problems += indicators.stale_aliases(registry, [], names=used)
    out.registry = registry


def validate_inputs(root: Path, memo=None) -> Inputs:
    """Read and validate every input under ``root``; return the valid plans, the registry and
    every problem (never raises for bad input).

    Covers: each ``site_src/plans/<slug>.yml`` (fields, source inside the project, exists,
    sha256 matches, line ranges within the seed); each seed (decodes, no NUL bytes); each
    ``site_src/corrections/<slug>.yml`` (against its seed); each
    ``site_src/indicators/<slug>.yml`` (schema, cells against the seed, names in the registry,
    its source the plan's); ``site_src/indicator_registry.yml`` (schema, stale aliases); that
    every corrections and indicator file belongs to a known plan; that every file read lies
    inside the project.

    ``memo`` (optional, a :class:`plansite.checkmemo.CheckMemo`): clean results of the per-file
    validators are taken from it while the files they read are unchanged (the build passes one).
    """
    root = Path(root)
    memo = memo or _NoMemo()
    out = Inputs()
    files = _folder_files(root, "site_src/plans", out.problems)
    if not files and not out.problems:
        out.problems.append(Problem("site_src/plans", 0, "no plan metadata files found"))
    slugs: set[str] = set()
    valid: dict[str, PlanInput] = {}
    sources: dict[str, str] = {}
    # the indicator files and the registry, listed and loaded once for the plan jobs and the
    # indicator checks (their problems reported after the plans')
    listing_problems: list[Problem] = []
    indicator_files = _folder_files(root, INDICATORS_DIR, listing_problems)
    registry = _registry(root, indicator_files, memo, listing_problems)
    ahead = plans_everywhere(root, [path for path in files
                                     if not memo.remembered("plan", (f"site_src/plans/{path.name}",))],
                              registry, {path.stem for path in indicator_files})
    tables_ahead: dict[str, tuple] = {}  # slug -> the checks of its indicator file made by its plan job
    for path in files:
        slugs.add(path.stem)
        rel = f"site_src/plans/{path.name}"
        done = ahead.get(path, {})  # the same checks as below, made on every core
        if "tables" in done:
            tables_ahead[path.stem] = done.pop("tables")
        plan, problems = memo.call("plan", (rel,), lambda r, rel=rel: [rel] + ([r[0].source] if r[0] else []),
                                   take_ahead(done, "plan", lambda path=path: check_plan_file(root, path, memo=memo),
                                              memo))
        out.problems += problems
        if plan is None:
            continue
        if plan.source in sources:
            out.problems.append(Problem(plan.meta_path, 0, f"source {plan.source} is also the source of "
                                                           f"{sources[plan.source]}"))
        sources[plan.source] = plan.slug
        # the seed is decoded only when a check below is not remembered; its lines are dropped
        # with the next plan, only their number is kept
        seed = _Seed(root, plan)
        try:
            count = memo.call("seed", (plan.source, plan.sha256), lambda r, plan=plan: [plan.source],
                              take_ahead(done, "seed", lambda seed=seed: len(seed.lines())))
        except PlansiteError as exc:
            out.problems += exc.problems
            continue
        ranges = check_line_ranges(plan, count, plan.meta_data)
        corrections, problems = memo.call(
            "corrections", (plan.slug, plan.source, count),
            lambda r, plan=plan: [f"{CORRECTIONS_DIR}/{plan.slug}.yml", plan.source],
            take_ahead(done, "corrections",
                       lambda plan=plan, seed=seed: check_corrections(root, plan, seed.lines(), memo=memo), memo))
        out.problems += ranges + problems
        valid[plan.slug] = PlanInput(plan, count, corrections, root=root)
    for path in _folder_files(root, CORRECTIONS_DIR, out.problems):
        if path.stem not in slugs:
            out.problems.append(Problem(f"{CORRECTIONS_DIR}/{path.name}", 0,
                                        f"corrections for unknown plan {path.stem!r} "
                                        f"(no site_src/plans/{path.stem}.yml)"))
    _check_indicators(root, valid, slugs, out, memo, (indicator_files, registry, listing_problems), tables_ahead)
    out.problems = _unique(out.problems)
    bad = {p.path for p in out.problems}
    out.plans = sorted((v for v in valid.values() if v.plan.meta_path not in bad),
                       key=lambda v: (-v.plan.period.start, v.plan.slug))
    return out


def run_checks(root: Path) -> CheckReport:
    """Validate every input under ``root`` (:func:`validate_inputs`) and parse each valid plan
    for its warnings; return a :class:`CheckReport` (never raises for bad input). Writes nothing."""
    inputs = validate_inputs(Path(root))
    report = CheckReport(problems=list(inputs.problems))
    bad = {p.path for p in inputs.problems}
    for item in sorted(inputs.plans, key=lambda v: v.plan.slug):
        plan = item.plan
        try:
            lines = apply_corrections(item.seed, item.corrections)
        except PlansiteError as exc:  # the seed changed since it was validated
            report.problems += exc.problems
            continue
        try:
            doc = parse_document(plan, lines)
        except Exception as exc:  # noqa: BLE001 - the parser promises not to raise; report it if it does
            report.problems.append(Problem(plan.source, 0, f"the parser failed: {type(exc).__name__}: {exc}"))
            continue
        report.warnings += doc.warnings
        try:
            check_placed(plan.source, doc, lines)
        except PlansiteError as exc:
            report.problems += exc.problems
            continue
        if not bad & {plan.meta_path, plan.source, f"{CORRECTIONS_DIR}/{plan.slug}.yml"}:
            report.plans.append(plan.slug)
    report.problems = _unique(report.problems)
    report.warnings = _unique(report.warnings)
    return report


def check_project(root: Path) -> list[Problem]:
    """Every error found in the project at ``root`` (see :func:`run_checks`); empty when clean."""
    return run_checks(root).problems
