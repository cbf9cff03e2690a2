"""Plan metadata (``site_src/plans/<slug>.yml``): the facts the text may lack, validated in one place.

Facts come from the editors (see ``../shared/seeds/CATALOG.md`` for the five original plans);
unknown fields stay empty, never invented.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PlansiteError, Problem
from .yamlfile import LineDict, load_yaml

KINDS = {"outline": "规划纲要", "proposal": "建议"}
LEVELS = {"county": "县级市", "prefecture": "地级市", "district": "市辖区", "zone": "开发区", "province": "省"}
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    ``drop`` lists editor-recorded :class:`DropRange` s of non-document lines.
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
    levels: list[str] = field(default_factory=list)
    table_ranges: list[tuple[int, int]] = field(default_factory=list)
    drop: list[DropRange] = field(default_factory=list)
    meta_path: str = ""

    @property
    def kind_label(self) -> str:
        """Chinese name of the plan's kind: ``规划纲要`` or ``建议``."""
        return KINDS[self.kind]

    @property
    def level_label(self) -> str:
        """Chinese name of the region's administrative level."""
        return LEVELS.get(self.level, self.level)


_REQUIRED = ("title", "short_title", "region", "level", "period", "kind", "source", "sha256")
_OPTIONAL = ("parent_region", "issuer", "doc_number", "approved_by", "approved_on", "issued_on", "levels", "table_ranges", "drop")


def _plan_from(data, slug: str, shown: str) -> tuple[Plan | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, data.line_of(key) if isinstance(data, LineDict) else 0, message))

    if not isinstance(data, LineDict):
        return None, [Problem(shown, 1, "expected a mapping of plan fields")]
    for key in data:
        if key not in _REQUIRED + _OPTIONAL:
            bad(key, f"unknown field {key!r}")
    for key in _REQUIRED:
        if data.get(key) in (None, ""):
            bad(key, f"missing required field {key!r}")
    for key in ("title", "short_title", "region", "source", "sha256") + _OPTIONAL[:6]:
        if data.get(key) is not None and not isinstance(data.get(key), str):
            bad(key, f"{key} must be text")
    if data.get("kind") not in (None, *KINDS):
        bad("kind", f"kind must be one of {', '.join(KINDS)}, not {data.get('kind')!r}")
    if data.get("level") not in (None, *LEVELS):
        bad("level", f"level must be one of {', '.join(LEVELS)}, not {data.get('level')!r}")
    for key in ("approved_on", "issued_on"):
        value = data.get(key) or ""
        if value and not (isinstance(value, str) and DATE_RE.match(value)):
            bad(key, f"{key} must be a date YYYY-MM-DD, not {value!r}")
    sha = data.get("sha256") or ""
    if sha and not re.fullmatch(r"[0-9a-f]{64}", str(sha)):
        bad("sha256", "sha256 must be 64 lowercase hex digits")
    period = None
    raw = data.get("period")
    if raw is not None:
        if not isinstance(raw, LineDict) or not all(isinstance(raw.get(k), int) for k in ("start", "end")):
            bad("period", "period needs integer start and end years")
        elif raw.get("vision") is not None and not isinstance(raw.get("vision"), int):
            bad("period", "period.vision must be a year")
        elif not raw["start"] <= raw["end"]:
            bad("period", "period.start is after period.end")
        else:
            period = Period(raw["start"], raw["end"], raw.get("vision"))
    from .parser.levels import LEVEL_ORDER
    levels = data.get("levels") or []
    if not isinstance(levels, list) or any(lv not in LEVEL_ORDER for lv in levels):
        bad("levels", f"levels must be a list drawn from {' '.join(LEVEL_ORDER)}")
    ranges = []
    for item in data.get("table_ranges") or []:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, int) for x in item) and item[0] <= item[1]:
            ranges.append((item[0], item[1]))
        else:
            bad("table_ranges", "table_ranges items must be [first, last] line numbers")
    drops = []
    raw_drop = data.get("drop") or []
    for item in raw_drop if isinstance(raw_drop, list) else [None]:
        lines = item.get("lines") if isinstance(item, dict) else None
        if (isinstance(item, dict) and not set(item) - {"lines", "rule", "reason"}
                and isinstance(lines, list) and len(lines) == 2 and all(type(x) is int and x >= 1 for x in lines)
                and lines[0] <= lines[1] and isinstance(item.get("reason"), str) and item["reason"].strip()
                and re.fullmatch(r"[a-z]+(-[a-z]+)*", str(item.get("rule", "editor")))):
            drops.append(DropRange(lines[0], lines[1], str(item.get("rule", "editor")), item["reason"]))
        else:
            bad("drop", "drop items must be {lines: [first, last], reason: text, rule: optional-name}")
    if problems:
        return None, problems
    plan = Plan(
        slug=slug, title=data["title"], short_title=data["short_title"], region=data["region"],
        level=data["level"], parent_region=data.get("parent_region") or "", period=period,
        kind=data["kind"], issuer=data.get("issuer") or "", doc_number=data.get("doc_number") or "",
        approved_by=data.get("approved_by") or "", approved_on=data.get("approved_on") or "",
        issued_on=data.get("issued_on") or "", source=data["source"], sha256=data["sha256"],
        levels=list(levels), table_ranges=ranges, drop=drops, meta_path=shown,
    )
    return plan, []


def check_plan_file(root: Path, path: Path) -> tuple[Plan | None, list[Problem]]:
    """Validate one ``site_src/plans/<slug>.yml``; return the plan (or ``None``) and all problems found.

    Also checks that the source file exists and its sha256 matches.
    """
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    slug = path.stem
    if not SLUG_RE.match(slug):
        return None, [Problem(shown, 0, f"plan slug {slug!r} must be lowercase letters, digits and hyphens")]
    try:
        data = load_yaml(path, shown)
    except PlansiteError as exc:
        return None, exc.problems
    plan, problems = _plan_from(data, slug, shown)
    if plan is None:
        return None, problems
    source = root / plan.source
    if not source.is_file():
        return None, [Problem(shown, data.line_of("source"), f"source file {plan.source} does not exist")]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != plan.sha256:
        return None, [Problem(shown, data.line_of("sha256"),
                              f"checksum mismatch for {plan.source}: file has {digest}, metadata says {plan.sha256}")]
    return plan, []


def plan_files(root: Path) -> list[Path]:
    """The plan metadata files under ``root/site_src/plans``, sorted by slug."""
    return sorted((root / "site_src" / "plans").glob("*.yml"))


def load_plans(root: Path) -> list[Plan]:
    """All plans of the project, sorted by period start (newest first), then slug.

    Raises :class:`PlansiteError` listing every problem of every file.
    """
    plans, problems = [], []
    for path in plan_files(root):
        plan, found = check_plan_file(root, path)
        problems += found
        if plan:
            plans.append(plan)
    if problems:
        raise PlansiteError(problems)
    if not plans:
        raise PlansiteError.at("site_src/plans", 0, "no plan metadata files found")
    return sorted(plans, key=lambda p: (-p.period.start, p.slug))
