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
- the cross-plan pages are recomputed every time from the plans' small cached cards.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache, PlanEntry, code_version, digest, tree_digest
from .check import validate_inputs
from .checkmemo import CheckMemo
from .errors import PlansiteError, Problem
from .parallel import ordered_map
from .parser import parse_document
from .parser.document import check_placed
from .plans import Plan
from .project import PlanData
from .site import PlanCard, compared_groups, cross_outputs, group_tables, plan_outputs
from .sources import apply_corrections


@dataclass
class BuildOutputs:
    """The result of :func:`build_outputs`.

    ``cards``: the plans' :class:`~plansite.site.PlanCard` in display order; ``plan_files``:
    ``(site path, absolute path of the cached file)`` for every per-plan file, sorted by site
    path; ``cross``: ``{site path: text}`` of the cross-plan files (a :class:`CrossFiles`
    after :func:`add_cross_outputs`); ``built`` / ``reused``: slugs
    rendered in this run / taken from the cache; ``seconds``: wall time; ``keys``: slug → cache
    key and ``dirs``: slug → folder of its cached files (laid out like ``site/``); ``hashes``:
    site path → ``(sha256 hex, size)`` of every per-plan file (for the manifest).
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

    @property
    def plans(self) -> list:
        """The cards (the plans built), for callers that count plans."""
        return self.cards


# Set in the parent before the workers fork (see parallel.ordered_map): nothing big is pickled.
_JOB: dict = {}


def build_outputs(root: Path, templates: Path, cache: BuildCache, only: list[str] | None = None,
                  log=None, plan_done=None) -> BuildOutputs:
    """Build (or take from ``cache``) every plan under ``root``, then the cross-plan files
    (:func:`build_plans` then :func:`add_cross_outputs`)."""
    out = build_plans(root, templates, cache, only, log, plan_done)
    return add_cross_outputs(out, templates, cache)


def build_plans(root: Path, templates: Path, cache: BuildCache, only: list[str] | None = None,
                log=None, plan_done=None) -> BuildOutputs:
    """Build (or take from ``cache``) every plan under ``root``; ``cross`` is left empty.

    First runs the very validation of ``build.py check`` over the whole project
    (:func:`plansite.check.validate_inputs`, as :func:`plansite.project.load_project` does) and
    raises :class:`PlansiteError` with every problem found (``path:line: message``); ``only``
    restricts the build to those slugs (an unknown slug is an error); ``log(line)`` receives the
    progress and ``warning:`` lines of each plan in display order; ``plan_done(slug, folder,
    keys)`` is told as soon as a plan's files are in the cache (``folder``, laid out like
    ``site/``; ``keys``: every chosen plan's cache key), the cached plans first (the search index
    starts on them, :class:`plansite.search.EarlyIndex`).
    """
    started = time.monotonic()
    root, templates = Path(root).resolve(), Path(templates).resolve()
    log = log or (lambda line: None)
    code = code_version()
    memo = CheckMemo.live(cache.folder / "check.pickle", root, code)  # serve: kept across rebuilds
    inputs = validate_inputs(root, memo)
    memo.save()
    chosen = inputs.chosen(only)
    plans = [item.plan for item in chosen]
    registry = inputs.registry
    shared = digest(code, tree_digest(templates), *_global_inputs(root))
    groups = {item.plan.slug: _group_tables(item.plan.slug, item.tables, registry) for item in chosen}
    compared = compared_groups([(item.plan, item.tables) for item in chosen], registry, groups.get)
    editor_files = _editor_files(root)
    keys = {}
    for item in chosen:
        p = item.plan
        mine = [f"{g}={g in compared}" for g in sorted(groups[p.slug])]  # = plan_group_ids(tables, registry)
        keys[p.slug] = digest(shared, *_plan_inputs(root, p, editor_files.get(p.slug, []), memo), *mine)
    entries: dict[str, PlanEntry] = {}
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
                inputs={item.plan.slug: item for item in chosen}, jinja=cache.jinja_dir, compared=compared)
    problems: list[Problem] = []
    results = ordered_map(_build_plan, missing) if missing else iter(())
    built = {}
    for plan in plans:  # display order: log as soon as each plan is ready
        if plan.slug in entries:
            entry = entries[plan.slug]
        else:
            slug, result = next(results)
            assert slug == plan.slug
            for cached in waiting:
                plan_done(cached, cache.files_dir(cached, keys[cached]), keys)
            waiting = []
            if isinstance(result, list):
                problems += result
                continue
            cache.remember(result)
            entry = entries[slug] = built[slug] = _slim(result, cache)
            if plan_done is not None:
                plan_done(slug, cache.files_dir(slug, entry.key), keys)
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
        out.hashes.update((path, (sha, size)) for path, size, sha in entry.files)
    out.plan_files.sort()
    out.registry, out.shared = registry, shared
    out.seconds = time.monotonic() - started
    return out


class CrossFiles(Mapping):
    """The cross-plan files ``{site path: text}`` (in the order given). The texts the cross-plan
    step keeps in the build cache (comparison pages and downloads, the indicator list,
    ``assets/t2s.json``, the all-plans downloads: at 300 plans 75 MiB of text, growing with N)
    are not held: each is read from its cache file when asked for, and :meth:`source` names that
    file so that it can be copied (as the plugin does) without being read into memory."""

    def __init__(self, texts: dict[str, str], files: dict[str, Path]):
        self._order = list(texts)
        self._files = {path: Path(source) for path, source in files.items()}
        self._texts = {path: text for path, text in texts.items() if path not in self._files}

    def source(self, path: str) -> str | None:
        """Absolute path of the cache file holding the text of ``path``, or ``None`` when the
        text is held in memory (raises ``KeyError`` for an unknown path)."""
        if path not in self._files and path not in self._texts:
            raise KeyError(path)
        return str(self._files[path]) if path in self._files else None

    def __getitem__(self, path: str) -> str:
        if path in self._files:
            try:
                return self._files[path].read_bytes().decode("utf-8")
            except FileNotFoundError:  # pruned by a later build (`mkdocs serve`): no longer this text
                raise KeyError(path) from None
        return self._texts[path]

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class _Seen:
    """A text store (``get``/``put``) passing through to ``store`` and noting which texts it gave
    or took under which key."""

    def __init__(self, store):
        self.store, self._keys = store, {}

    def get(self, key: str):
        text = self.store.get(key)
        if text is not None:
            self._keys[id(text)] = (text, key)
        return text

    def put(self, key: str, text: str) -> None:
        self.store.put(key, text)
        self._keys[id(text)] = (text, key)

    def files(self, texts: dict[str, str]) -> dict[str, Path]:
        """``{site path: cache file}`` of the ``texts`` that are (these very objects) in the store."""
        found = {}
        for path, text in texts.items():
            hit = self._keys.get(id(text))
            if hit is not None and hit[0] is text:
                found[path] = self.store.folder / f"{hit[1]}.txt"
        return found


class StoredCard(PlanCard):
    """A :class:`~plansite.site.PlanCard` whose indicator ``tables``, ``tables_json`` and
    ``tables_csv`` (about 130 KiB of the 210 KiB a card takes in memory, before the CSV) stay in the plan's cache entry
    (``meta.pickle``, read on each access) until a cross-plan page must be made again; every
    other field is held."""

    LAZY = ("tables", "tables_json", "tables_csv")

    def __init__(self, card: PlanCard, meta: Path):
        self.__dict__.update((k, v) for k, v in vars(card).items() if k not in self.LAZY)
        self._meta = meta

    def _stored(self) -> PlanCard:
        with open(self._meta, "rb") as f:
            return pickle.load(f).card

    @property
    def tables(self) -> list:
        return self._stored().tables

    @property
    def tables_json(self) -> str | None:
        return self._stored().tables_json

    @property
    def tables_csv(self) -> tuple | None:
        return self._stored().tables_csv


def _slim(entry: PlanEntry, cache: BuildCache) -> PlanEntry:
    """``entry`` with its card as a :class:`StoredCard` (changed in place; returned)."""
    if not isinstance(entry.card, StoredCard):
        entry.card = StoredCard(entry.card, cache.entry_dir(entry.slug, entry.key) / "meta.pickle")
    return entry


def add_cross_outputs(out: BuildOutputs, templates: Path, cache: BuildCache) -> BuildOutputs:
    """Fill ``out.cross`` with the cross-plan files of the plans of ``out``; returns ``out``."""
    started = time.monotonic()
    store = cache.text_store("cross")
    seen = _Seen(store)
    texts = cross_outputs(out.cards, Path(templates).resolve(), out.registry, cache.jinja_dir,
                          pages=seen, salt=out.shared)
    store.prune()
    out.cross = CrossFiles(texts, seen.files(texts))
    del texts, seen  # the texts kept in the cache are read from there from now on
    clash = {path for path, _ in out.plan_files} & out.cross.keys()
    if clash:
        raise PlansiteError.at("site_src/plans", 0, f"two sources for {sorted(clash)[0]}")
    out.seconds += time.monotonic() - started
    return out


def _build_plan(slug: str):
    """Worker job: parse and render plan ``slug`` (its validated inputs), store it in the cache;
    returns ``(slug, PlanEntry)`` or ``(slug, [Problem, …])``."""
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
        return slug, exc.problems
    log = [f"plansite: parsed {slug} ({len(data.seed)} source lines, line model {doc.line_model or '?'}, "
           f"levels {' '.join(doc.levels) or '-'}, {len(doc.warnings)} warnings)"]
    log += [f"warning: {w}" for w in doc.warnings]
    log.append(f"plansite: rendered {slug} ({sum(1 for p in outputs if p.startswith(f'plans/{slug}/'))} files)")
    entry = PlanEntry(slug, job["keys"][slug], card, log)
    job["cache"].store(entry, outputs)
    return slug, entry


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


#: slug -> (tables, registry, group_tables(...)) of the last build in this process (`mkdocs serve`):
#: the live validation memo hands back the very same objects for unchanged plans
_GROUPS: dict[str, tuple] = {}


def _group_tables(slug: str, tables: list, registry) -> dict:
    """:func:`plansite.site.group_tables`, reused while ``tables`` and ``registry`` are the same objects."""
    hit = _GROUPS.get(slug)
    if hit is not None and hit[0] is tables and hit[1] is registry:
        return hit[2]
    found = group_tables(slug, tables, registry)
    _GROUPS[slug] = (tables, registry, found)
    return found


def _plan_inputs(root: Path, plan: Plan, editor_files: list[str], memo: CheckMemo) -> list[bytes | None]:
    """Every input of one plan: its seed (by its checksum, which :func:`validate_inputs` verified) and
    each ``site_src/<folder>/<slug>.yml`` (metadata, corrections, indicators and any later
    per-plan editor file), names and sha256 of the bytes (``memo.fingerprint``: not read again
    when unchanged by stat, see :mod:`plansite.checkmemo`)."""
    out: list[bytes | None] = [plan.source.encode(), plan.sha256.encode()]
    for rel in editor_files:
        out += [rel.encode(), memo.fingerprint(rel)[2]]
    return out
