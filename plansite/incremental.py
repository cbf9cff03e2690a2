"""The cached, parallel build: only plans whose inputs changed are parsed and rendered again.

:func:`build_outputs` gives exactly the files of :func:`plansite.site.site_outputs` (a test
checks it), but

- every input is validated first, as on every build path (:func:`plansite.check.validate_inputs`);
- a plan whose inputs (metadata, seed, corrections, indicator file and any other
  ``site_src/*/<slug>.yml``), the registry, the templates, the code and which of its indicators
  are compared across tables are unchanged is taken from the cache (:mod:`plansite.cache`)
  without being parsed or rendered;
- the plans that must be built are built on every core (:mod:`plansite.parallel`), each worker
  writing its plan's files into the cache, so memory stays bounded by one plan per worker;
- the cross-plan pages are recomputed from the plans' small cached cards
  (:mod:`plansite.crossfiles`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import warmup
from .buildfolder import link_or_copy
from .cache import BuildCache, PlanEntry, code_version, digest, make_under, tree_digest
from .check import validate_inputs
from .checkmemo import CheckMemo
from .comparisons import group_tables
from .crossfiles import StoredCard, add_cross_outputs, view_digest
from .errors import PlansiteError, Problem
from .indicators import INDICATORS_DIR, REGISTRY_PATH
from .gcpolicy import gc_frozen
from .parallel import cpu_count, ordered_map
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan
from .project import PlanData
from .site import compared_groups, plan_outputs
from .sources import apply_corrections


@dataclass
class BuildOutputs:
    """The result of :func:`build_outputs`.

    ``cards``: the plans' :class:`~plansite.site.PlanCard` in display order; ``plan_files``:
    ``(site path, absolute path of the cached file)`` for every per-plan file, sorted by site
    path; ``cross``: ``{site path: text}`` of the cross-plan files (a :class:`~plansite.crossfiles.CrossFiles`
    after :func:`add_cross_outputs`); ``built`` / ``reused``: slugs
    rendered in this run / taken from the cache; ``seconds``: wall time; ``keys``: slug → cache
    key and ``dirs``: slug → folder of its cached files (laid out like ``site/``); ``hashes``:
    site path → ``(sha256 hex, size)`` of every per-plan file (for the manifest); ``placed``:
    the site paths of ``plan_files`` already hard-linked into the ``site_dir`` given to
    :func:`build_plans` by the worker that built their plan (:func:`_place_files`).
    """

    cards: list = field(default_factory=list)
    plan_files: list[tuple[str, str]] = field(default_factory=list)
    cross: dict[str, str] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    keys: dict[str, str] = field(default_factory=dict)
    dirs: dict[str, Path] = field(default_factory=dict)
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)
    registry: object = None
    shared: str = ""
    placed: set[str] = field(default_factory=set)

    @property
    def plans(self) -> list:
        """The cards (the plans built), for callers that count plans."""
        return self.cards


# Set in the parent before the workers fork (see parallel.ordered_map): nothing big is pickled.
_JOB: dict = {}


def build_outputs(root: Path, templates: Path, cache: BuildCache, only: list[str] | None = None,
                  log=None, plan_done=None, site_dir: str | None = None, streamed=None) -> BuildOutputs:
    """Build (or take from ``cache``) every plan under ``root``, then the cross-plan files
    (:func:`build_plans` then :func:`add_cross_outputs`)."""
    out = build_plans(root, templates, cache, only, log, plan_done, site_dir, streamed)
    return add_cross_outputs(out, templates, cache)


def build_plans(root: Path, templates: Path, cache: BuildCache, only: list[str] | None = None,
                log=None, plan_done=None, site_dir: str | None = None, streamed=None) -> BuildOutputs:
    """Build (or take from ``cache``) every plan under ``root``; ``cross`` is left empty.

    First runs the very validation of ``build.py check`` over the whole project
    (:func:`plansite.check.validate_inputs`, as :func:`plansite.project.load_project` does) and
    raises :class:`PlansiteError` with every problem found (``path:line: message``); ``only``
    restricts the build to those slugs (an unknown slug is an error); ``log(line)`` receives the
    progress and ``warning:`` lines of each plan in display order; ``plan_done(slug, folder,
    keys)`` is told as soon as a plan's files are in the cache (``folder``, laid out like
    ``site/``; ``keys``: every chosen plan's cache key), the cached plans first (the search index
    starts on them, :class:`plansite.search.EarlyIndex`), the others as each is built.
    ``streamed(keys)`` (optional) names the plans whose search run takes each plan's pages as
    soon as it is rendered (:meth:`plansite.search.EarlyIndex.streamed_plans`): the pool builds
    them after the other plans, but for the largest plans, which start first
    (:func:`_pool_order`), so the runs that wait for all their plans start early too.
    ``site_dir`` (optional): the folder MkDocs is about to copy the plans' files into (`mkdocs
    build`: cleaned already); each worker makes there the folders of the plan it built and
    hard-links its files (:func:`_place_files`), so that the serial copy after the build need
    not (``placed`` in the result: the files so placed; a plan with a file that could not be
    placed, e.g. one already there, is left whole to the copy).
    """
    with gc_frozen():  # what is alive before (modules, MkDocs' objects) is not scanned again and again
        return _build_plans(root, templates, cache, only, log, plan_done, site_dir, streamed)


def _build_plans(root: Path, templates: Path, cache: BuildCache, only: list[str] | None,
                 log, plan_done, site_dir: str | None = None, streamed=None) -> BuildOutputs:
    """:func:`build_plans`."""
    started = time.monotonic()
    root, templates = Path(root).resolve(), Path(templates).resolve()
    log = log or (lambda line: None)
    code = code_version()
    memo = CheckMemo.live(cache.folder / "check.pickle", root, code)  # serve: kept across rebuilds
    warming = warmup.start(templates, cache.jinja_dir)  # templates compiled on the idle core meanwhile
    inputs = validate_inputs(root, memo)
    try:
        chosen = inputs.chosen(only)
    except PlansiteError:
        memo.save()
        raise
    plans = [item.plan for item in chosen]
    registry = inputs.registry
    shared = digest(code, tree_digest(templates), *_global_inputs(root))
    groups = {item.plan.slug: _group_tables(item, registry, memo) for item in chosen}
    compared = compared_groups([(item.plan, None) for item in chosen], registry, groups.get)  # (tables unread)
    memo.save()  # after the groups, which it remembers too
    editor_files = _editor_files(root)
    keys = {}
    for item in chosen:
        p = item.plan
        mine = [f"{g}={g in compared}" for g in sorted(groups[p.slug])]  # = plan_group_ids(tables, registry)
        keys[p.slug] = digest(shared, *_plan_inputs(root, p, editor_files.get(p.slug, []), memo), *mine)
    entries: dict[str, PlanEntry] = {}
    cache.seen.clear()  # what this build stats, not a build before it (mkdocs serve keeps the cache)
    for plan in plans:
        entry = cache.load(plan.slug, keys[plan.slug])
        if entry is not None:
            entries[plan.slug] = _slim(entry, cache)
    missing = [p.slug for p in plans if p.slug not in entries]
    # the cached plans are told at once, or, when worker processes are to be forked, once they
    # are (so that no search-index thread runs while they fork)
    waiting = list(entries) if plan_done is not None else []
    if not missing:
        for slug in waiting:
            plan_done(slug, cache.files_dir(slug, keys[slug]), keys)
        waiting = []
    _JOB.update(root=root, templates=templates, registry=registry, cache=cache, keys=keys,
                inputs={item.plan.slug: item for item in chosen}, jinja=cache.jinja_dir, compared=compared,
                site_dir=site_dir, others=cache.entry_names() if missing else {})  # (one listing for all)
    problems: list[Problem] = []
    if len(missing) > 1:
        warming.finish()  # the workers inherit the compiled templates
    warming.join()

    def finished(done: tuple) -> None:
        """A plan is built (told as each finishes, before those earlier in display order): the
        search index may start on it, and on the cached plans once the workers are forked."""
        nonlocal waiting
        slug, result, _ = done
        for cached in waiting:
            plan_done(cached, cache.files_dir(cached, keys[cached]), keys)
        waiting = []
        if not isinstance(result, list):
            plan_done(slug, cache.files_dir(slug, result.key), keys)

    order = _pool_order(_seed_sizes(root, plans, missing), set(streamed(keys)) if streamed is not None else set(),
                        cpu_count())
    results = ordered_map(_build_plan, missing, cost=order.get,
                          ready=finished if plan_done is not None else None) if missing else iter(())
    built, placed = {}, set()
    for plan in plans:  # display order: log as soon as each plan is ready
        if plan.slug in entries:
            entry = entries[plan.slug]
        else:
            slug, result, in_site = next(results)
            assert slug == plan.slug
            if isinstance(result, list):
                problems += result
                continue
            cache.remember(result)
            entry = entries[slug] = built[slug] = _slim(result, cache)
            if in_site:
                placed.add(slug)
        for line in entry.log if plan.slug in built else [x for x in entry.log if x.startswith("warning: ")]:
            log(line)  # a plan from the cache repeats its warnings only
    _JOB.clear()
    if problems:
        raise PlansiteError(problems)
    out = BuildOutputs(cards=[entries[p.slug].card for p in plans], built=list(built),
                       reused=[p.slug for p in plans if p.slug not in built])
    for plan in plans:
        entry = entries[plan.slug]
        files = cache.files_dir(plan.slug, entry.key)
        out.keys[plan.slug], out.dirs[plan.slug] = entry.key, files
        base = f"{files}{os.sep}"
        out.plan_files += [(path, base + path) for path, _, _ in entry.files]
        if plan.slug in placed:
            out.placed.update(path for path, _, _ in entry.files)
        out.hashes.update((path, (sha, size)) for path, size, sha in entry.files)
    out.plan_files.sort()
    out.registry, out.shared = registry, shared
    out.seconds = time.monotonic() - started
    return out


def _slim(entry: PlanEntry, cache: BuildCache) -> PlanEntry:
    """``entry`` with its card as a :class:`StoredCard` (changed in place; returned)."""
    if not isinstance(entry.card, StoredCard):
        entry.card = StoredCard(entry.card, cache.entry_dir(entry.slug, entry.key))
    return entry


def _build_plan(slug: str):
    """Worker job: parse and render plan ``slug`` (its validated inputs), store it in the cache
    and, given a ``site_dir``, place its files there (:func:`_place_files`); returns ``(slug,
    PlanEntry, placed)`` or ``(slug, [Problem, …], False)`` (``placed``: every file of the plan
    is in ``site_dir``)."""
    job = _JOB
    item = job["inputs"][slug]
    try:
        seed = item.seed  # read here, in the worker: the parent keeps no seed text
        lines = apply_corrections(seed, item.corrections)
        doc = parse_document(item.plan, lines)
        check_placed(item.plan.source, doc, lines)
        data = PlanData(item.plan, seed, lines, item.corrections, doc, item.tables)
        outputs, card = plan_outputs(data, job["templates"], job["registry"], job["jinja"], job["compared"])
    except PlansiteError as exc:
        return slug, exc.problems, False
    log = [f"plansite: parsed {slug} ({len(data.seed)} source lines, line model {doc.line_model or '?'}, "
           f"levels {' '.join(doc.levels) or '-'}, {len(doc.warnings)} warnings)"]
    log += [f"warning: {w}" for w in doc.warnings]
    log.append(f"plansite: rendered {slug} ({sum(1 for p in outputs if p.startswith(f'plans/{slug}/'))} files)")
    # meta.pickle (read by every build) without the tables, which stay in parts of their own
    slim = dataclasses.replace(card, **{name: None for name in StoredCard.LAZY})
    slim.view_digest = view_digest(card)  # (an attribute of the cached card only: see _cross_key)
    entry = PlanEntry(slug, job["keys"][slug], slim, log)
    job["cache"].store(entry, outputs, parts={name: getattr(card, name) for name in StoredCard.LAZY},
                       others=job["others"].get(slug, []))
    placed = False
    if job.get("site_dir"):
        placed = _place_files(job["site_dir"], str(job["cache"].files_dir(slug, entry.key)), entry.files)
    return slug, entry, placed


def _place_files(site_dir: str, files_dir: str, files) -> bool:
    """Hard-link (copy where links are not possible: :func:`plansite.buildfolder.link_or_copy`)
    the files ``files`` (a :attr:`~plansite.cache.PlanEntry.files` list: ``(site path, size,
    sha256)``, sorted) of a plan's cache entry, kept in ``files_dir``, into ``site_dir``, making
    their folders (:func:`_make_folders`), as :meth:`plansite.plugin.CachedFile.copy_file`
    would; done by a worker while the other plans are built, not by the one process that copies
    every file. Returns whether every file was placed; one that was not (already there: `mkdocs
    build --dirty`; any other error) is left for the copy to meet (and report)."""
    paths = [path for path, _, _ in files]
    _make_folders(site_dir, paths)
    src, dest = f"{files_dir}{os.sep}", f"{site_dir}{os.sep}"
    placed = True
    for path in paths:
        try:
            link_or_copy(src + path, dest + path)
        except OSError:
            placed = False
    return placed


def _make_folders(site_dir: str, paths) -> None:
    """Make in ``site_dir`` the folders of the site paths ``paths`` (``plans/<slug>/chapter-3``
    …), as :meth:`plansite.plugin.CachedFile.copy_file` would when it finds one missing; done by
    a worker while the other plans are built, not by the one process that copies every file
    (:func:`plansite.cache.make_under`: folders there already, e.g. ``plans/``, count as made).
    Best effort: an error is left for the copy to meet (and report)."""
    try:
        os.makedirs(site_dir, exist_ok=True)  # (MkDocs makes it only when it copies the first file)
    except OSError:
        return
    made = {""}
    base = f"{site_dir}{os.sep}"
    for path in paths:  # (sorted: a plan's folder before its subfolders)
        folder = path.rpartition("/")[0]
        if folder not in made:
            try:
                make_under(base, folder, made, exist_ok=True)
            except OSError:
                pass


def _pool_order(sizes: dict[str, int], late: set[str], jobs: int) -> dict[str, tuple[int, int]]:
    """The pool's order of the plans ``{slug: seed bytes}`` (:func:`_seed_sizes`) as costs for
    :func:`plansite.parallel.ordered_map` (highest first): the ``jobs`` largest plans first (a
    seed's size is a fair guess of its build time; the longest start first), then the plans not in
    ``late``, largest first, then those in it by slug. ``late``: the plans of the streamed search
    run, which is given its plans' pages by slug as they are built, built after those of the runs
    that wait for all their plans (5 plans on 2 cores: fuzhou and cangshan, then taijiang and
    fuqing, whose run starts while taishang is built)."""
    first = set(sorted(sizes, key=lambda slug: -sizes[slug])[:jobs])  # (ties: the order given)
    by_slug = {slug: -n for n, slug in enumerate(sorted(late))}
    return {slug: (2, size) if slug in first else (0, by_slug[slug]) if slug in late else (1, size)
            for slug, size in sizes.items()}


def _seed_sizes(root: Path, plans: list[Plan], slugs: list[str]) -> dict[str, int]:
    """``{slug: bytes of its seed}`` of the plans ``slugs`` (0 when unreadable): how long each
    takes to parse and render, roughly, for :func:`plansite.parallel.ordered_map`'s order."""
    wanted, out = set(slugs), {}
    for plan in plans:
        if plan.slug in wanted:
            try:
                out[plan.slug] = os.stat(root / plan.source).st_size
            except OSError:
                out[plan.slug] = 0
    return out


def _global_inputs(root: Path) -> list[bytes | None]:
    """Project-wide editor files that every plan's pages depend on: the ``site_src/*.yml`` files
    (the indicator registry), names and bytes."""
    out: list[bytes | None] = []
    for path in sorted((root / "site_src").glob("*.yml")):
        out += [path.name.encode(), path.read_bytes()]
    return out


def _editor_files(root: Path) -> dict[str, list[str]]:
    """``{slug: ["site_src/<folder>/<slug>.yml", …]}`` (project-relative, sorted), listing each
    folder once."""
    out: dict[str, list[str]] = {}
    base = root / "site_src"
    for folder in sorted(e.name for e in os.scandir(base) if e.is_dir()):
        for name in sorted(n for n in os.listdir(base / folder) if n.endswith(".yml")):
            out.setdefault(name[:-4], []).append(f"site_src/{folder}/{name}")
    return out


def _group_tables(item, registry, memo: CheckMemo) -> dict:
    """:func:`plansite.comparisons.group_tables` of a validated plan (a :class:`plansite.check.PlanInput`),
    remembered in ``memo`` with the fingerprints of the files its tables were validated from (its
    indicator file, the registry, its seed), so an unchanged plan's tables are not even unpickled."""
    plan = item.plan
    reads = [f"{INDICATORS_DIR}/{plan.slug}.yml", REGISTRY_PATH, plan.source]
    return memo.call("groups", (plan.slug, plan.source, registry is None), lambda r: reads,
                     lambda: item.groups if item.groups is not None else group_tables(plan.slug, item.tables, registry))


def _plan_inputs(root: Path, plan: Plan, editor_files: list[str], memo: CheckMemo) -> list[bytes | None]:
    """Every input of one plan: its seed (by its checksum, which :func:`validate_inputs` verified) and
    each ``site_src/<folder>/<slug>.yml`` (metadata, corrections, indicators and any later
    per-plan editor file), names and sha256 of the bytes (``memo.fingerprint``: not read again
    when unchanged by stat, see :mod:`plansite.checkmemo`)."""
    out: list[bytes | None] = [plan.source.encode(), plan.sha256.encode()]
    for rel in editor_files:
        out += [rel.encode(), memo.fingerprint(rel)[2]]
    return out
