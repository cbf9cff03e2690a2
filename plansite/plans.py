"""Plan metadata (``site_src/plans/<slug>.yml``): the facts the text may lack, validated in one place.

Facts come from the editors (see ``../shared/seeds/CATALOG.md`` for the five original plans);
unknown fields stay empty, never invented.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths
from .errors import PlansiteError, Problem
from .vocabulary import KINDS, LEVELS
from .yamlfile import LineDict, load_yaml, tree_key

if TYPE_CHECKING:  # imported where a file is validated: pydantic takes a while to import
    from .schema import PlanModel

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: largest seed file read (bytes); the biggest real one is ~285 KB
SEED_MAX_BYTES = 16 * 1024 * 1024


@dataclass
class Period:
    """Plan period in calendar years: ``start``–``end`` inclusive, ``vision`` the 远景 year or ``None``."""

    start: int
    end: int
    vision: int | None = None


@dataclass(frozen=True)
class DropRange:
    """Editor-recorded lines that are not the document's text and no general chrome rule recognises
    (``drop:`` in the plan metadata): seed lines ``first``–``last`` inclusive, dropped under rule
    ``rule`` (default ``editor``) for ``reason``, which the plan page shows."""

    first: int
    last: int
    rule: str
    reason: str


@dataclass
class Plan:
    """Metadata of one plan, from ``site_src/plans/<slug>.yml``.

    ``kind`` is ``outline`` (规划纲要) or ``proposal`` (建议); dates are ``YYYY-MM-DD`` strings or ``""``;
    ``source`` is the seed path relative to the project root and ``sha256`` its expected checksum.
    ``levels`` optionally fixes which numbering levels (see :data:`plansite.parser.levels.LEVEL_ORDER`)
    the document uses; empty means detect them. ``table_ranges`` marks source line ranges
    ``(first, last)`` that are tables even though they have no tabs (PDF-broken tables).
    ``drop`` lists editor-recorded :class:`DropRange` s of non-document lines. ``source_url`` is
    the http(s) address of the official original, or ``""``. ``level`` is a key of
    :data:`plansite.vocabulary.LEVELS`. ``meta_data`` is the loaded YAML (for line numbers).
    """

    slug: str
    title: str
    short_title: str
    region: str
    level: str
    parent_region: str
    period: Period
    kind: str
    issuer: str = ""
    doc_number: str = ""
    approved_by: str = ""
    approved_on: str = ""
    issued_on: str = ""
    source: str = ""
    sha256: str = ""
    source_url: str = ""
    levels: list[str] = field(default_factory=list)
    table_ranges: list[tuple[int, int]] = field(default_factory=list)
    drop: list[DropRange] = field(default_factory=list)
    meta_path: str = ""
    meta_data: object = field(default=None, repr=False, compare=False)

    @property
    def kind_label(self) -> str:
        """Chinese name of the plan's kind: ``规划纲要`` or ``建议``."""
        return KINDS[self.kind]

    @property
    def level_label(self) -> str:
        """Chinese name of the region's administrative level."""
        return LEVELS.get(self.level, self.level)


def _plan_from(model: PlanModel, slug: str, shown: str) -> Plan:
    return Plan(
        slug=slug, title=model.title, short_title=model.short_title, region=model.region,
        level=model.level, parent_region=model.parent_region,
        period=Period(model.period.start, model.period.end, model.period.vision), kind=model.kind,
        issuer=model.issuer, doc_number=model.doc_number, approved_by=model.approved_by,
        approved_on=model.approved_on, issued_on=model.issued_on, source=model.source,
        sha256=model.sha256, source_url=model.source_url, levels=list(model.levels),
        table_ranges=[(a, b) for a, b in model.table_ranges],
        drop=[DropRange(d.lines[0], d.lines[1], d.rule, d.reason) for d in model.drop], meta_path=shown,
    )


def check_line_ranges(plan: Plan, count: int, data: LineDict | None = None) -> list[Problem]:
    """Problems with the plan's line ranges (``table_ranges``, ``drop``) that go past the seed's
    ``count`` lines; ``data`` (the loaded metadata) gives the lines of the fields."""
    out = []
    for key, ranges in (("table_ranges", plan.table_ranges), ("drop", [(d.first, d.last) for d in plan.drop])):
        for i, (_, last) in enumerate(ranges):
            if last > count:
                line = data[key].item_lines[i] if isinstance(data, LineDict) else 0
                out.append(Problem(plan.meta_path, line, f"{key}[{i}] ends at line {last}, after the last line "
                                                         f"({count}) of {plan.source}"))
    return out


#: ``sha256:`` as :data:`plansite.schema.SHA256` accepts it (pydantic's ``^…$`` matches the whole
#: text, a final line feed included, so ``fullmatch`` here; a test holds the two together)
_SHA256_VALUE = re.compile(r"[0-9a-f]{64}")


def _plan_fields(data: LineDict, slug: str, shown: str, memo) -> tuple[Plan | None, list[Problem]]:
    """``(plan or None, problems)``: ``data`` checked by :class:`plansite.schema.PlanModel`, the
    plan's :attr:`Plan.sha256` being the file's. The schema check is a pure function of the
    fields, so ``memo`` (:meth:`plansite.checkmemo.CheckMemo.call`, or ``None``) remembers its
    clean results by their content, the ``sha256:`` value aside when the schema accepts it: a
    seed edit changes only that value, and its build then neither imports pydantic nor builds
    the model (about 80 ms, see README "Speed"). ``sha256`` is checked by its pattern alone
    (no other field or validator reads it; a test holds this)."""
    sha = data.get("sha256")
    key = data
    if type(sha) is str and _SHA256_VALUE.fullmatch(sha):
        key = dict(data, sha256="")  # (the key only: what is validated is ``data`` itself)

    def validate() -> tuple[Plan | None, list[Problem]]:
        from .schema import PlanModel, validate

        model, problems = validate(PlanModel, data, shown)
        return (None if model is None else _plan_from(model, slug, shown)), problems

    if memo is None:
        plan, problems = validate()
    else:
        plan, problems = memo.call("plan-fields", (slug, shown, tree_key(key)), lambda r: [], validate)
    if plan is None:
        return None, problems
    return dataclasses.replace(plan, sha256=sha), []  # a new object: a remembered one is never changed


def check_plan_file(root: Path, path: Path, memo=None) -> tuple[Plan | None, list[Problem]]:
    """Validate one ``site_src/plans/<slug>.yml``; return the plan (or ``None``) and all problems found.

    The fields are checked by :class:`plansite.schema.PlanModel`; the source must be a file
    inside the project (:func:`plansite.paths.named_path`) whose sha256 matches. The line ranges
    are checked against the seed by :func:`check_line_ranges` once it is decoded. ``memo``
    (optional, a :class:`plansite.checkmemo.CheckMemo`) remembers the schema check of fields
    seen before (see :func:`_plan_fields`).
    """
    shown = paths.shown_path(root, path)
    slug = path.stem
    if not SLUG_RE.match(slug) or len(slug) > 80:
        return None, [Problem(shown, 0, f"plan slug {slug!r} must be lowercase letters, digits and hyphens")]
    try:
        data = load_yaml(path, shown, root=root)
    except PlansiteError as exc:
        return None, exc.problems
    if not isinstance(data, LineDict):
        return None, [Problem(shown, 1 if data is not None else 0, "expected a mapping of plan fields")]
    plan, problems = _plan_fields(data, slug, shown, memo)
    if plan is None:
        return None, problems
    line = data.line_of("source")
    try:
        source = paths.readable_file(root, paths.named_path(root, plan.source, shown, line), shown, line)
        digest = hashlib.sha256(paths.read_limited(source, SEED_MAX_BYTES, shown, line)).hexdigest()
    except PlansiteError as exc:
        problem = exc.problems[0]
        if problem.message == "file does not exist":
            problem = Problem(shown, line, f"source file {plan.source} does not exist")
        elif not problem.message.startswith("path "):
            problem = Problem(shown, line, f"source {plan.source}: {problem.message}")
        return None, [problem]
    if digest != plan.sha256:
        return None, [Problem(shown, data.line_of("sha256"),
                              f"checksum mismatch for {plan.source}: file has {digest}, metadata says {plan.sha256}")]
    plan.meta_data = data
    return plan, []


def plan_files(root: Path) -> list[Path]:
    """The plan metadata files under ``root/site_src/plans``, sorted by slug (not yet checked to
    stay inside the project: :func:`check_plan_file` does that)."""
    return paths.project_files(root, "site_src/plans")
