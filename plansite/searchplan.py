"""Which search bundles a build reuses and which plans it indexes again: shards, bases, overlays.

The plans are spread over shards (:func:`plan_shards`, about √N plans each); each shard's last
complete bundle is its *base*. When plans of a shard change (edited, added or removed), the base
is kept and only the changed plans are indexed, each into a small *overlay* bundle of its own;
the base's copies of those plans (and of removed plans) are hidden at query time. To make that
exact, every indexed page carries a Pagefind filter naming its plan's version
(``v:<slug>~<key[:12]>``, :func:`version_tag`, added to the copy Pagefind reads, never to the
site's pages), and the search page searches with ``{v: {none: [stale versions]}}`` (listed in
``pagefind/shards.json`` as ``exclude``), so result counts are exact.

Page-level overlays (:mod:`plansite.searchpages`): each whole-shard bundle is listed page by
page (site path → the page's sha256 and its Pagefind page id). When the base holds an older
version of an edited plan and that listing, the plan's overlay holds only its pages that are
new or whose sha256 changed; the base's copies of those and of the plan's removed pages are
hidden at query time by page id (``hide`` in ``pagefind/shards.json``), not by the ``v``
filter, so the plan's unchanged pages stay visible from the base (:func:`hidden_pages`). The
overlay falls back to the whole plan, hidden by the ``v`` filter, when the base has no page
listing, does not hold the plan, or when more than half its pages changed. An overlay is always
made against the shard's base (its key names the base), so a second edit replaces it.

Fold rule (:func:`plan_index`): a shard is indexed whole again (a new base, its overlays
dropped) when more than half of its base's plans are stale, when it has no usable base, or when
the overlays of all shards together would hold more than :func:`overlay_bound` plans (the shards
whose overlay plans need a Pagefind run anyway go first).

The state (each shard's base folder, each overlay plan's folder) is ``state.json`` in the search
cache folder, written whole and renamed; each bundle folder ``<name>`` has ``<name>.json``
listing the plan versions it holds (and, for a page-level overlay, its ``base`` and the page
ids it hides), written after the bundle, and a whole shard's ``<name>.pages.json`` listing its
pages (:mod:`plansite.searchpages`). All are safe to delete (then:
the whole shards are indexed, unless their exact bundle is cached) and neither is trusted across
Pagefind versions or this module's :data:`FORMAT` (the plans' keys carry the code version).
This module only decides; :mod:`plansite.search` has the runs made (:mod:`plansite.pagefind_run`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomicfile import write_atomic

#: Version of the state and bundle-listing layout: a change makes every saved state untrusted.
FORMAT = 1
STATE_FILE = "state.json"
#: The Pagefind filter naming a page's plan version (hidden from the search page's plan list).
VERSION_FILTER = "v"
#: Plans per search shard (on average); ``0`` means about √N of N plans, which balances the two
#: costs: a whole-shard index run covers about this many plans, and the search page merges about
#: ``plans / per shard`` bundles (rounded up to a power of two).
SHARD_PLANS = 0


def version_tag(slug: str, key: str) -> str:
    """The value of the :data:`VERSION_FILTER` filter on the pages of plan ``slug`` built under
    cache key ``key``: ``<slug>~<first 12 hex digits of key>``."""
    return f"{slug}~{key[:12]}"


@dataclass
class Shard:
    """One Pagefind run's plans: a whole shard (``overlay`` false: shard number ``id``, the
    ``slugs`` of its plans, sorted) or one changed plan's overlay (``overlay`` true: ``slugs`` is
    that plan, ``id`` its shard). ``key`` is the cache key of the bundle (the plans' cache keys,
    the shard layout and the Pagefind version; an overlay's, the plan's key and its ``base``);
    ``tags`` maps each slug to its :func:`version_tag`; ``base`` (overlays) the base bundle's
    cache folder the overlay is made against; ``pages`` the pages a page-level overlay indexes
    (set when it runs, :func:`plansite.searchpages.changed_pages`)."""

    id: int
    slugs: list[str]
    key: str
    tags: dict[str, str] = field(default_factory=dict)
    overlay: bool = False
    #: an overlay's base: the cache folder of its shard's bundle ("" when none)
    base: str = ""
    #: the site paths of the pages to index (``None``: every indexed page of the plans)
    pages: list[str] | None = None

    @property
    def folder(self) -> str:
        """Name of the bundle's folder in the search cache: ``shard-<id>-<key[:40]>`` or
        ``plan-<slug>-<key[:40]>``."""
        return f"plan-{self.slugs[0]}-{self.key[:40]}" if self.overlay else f"shard-{self.id}-{self.key[:40]}"

    @property
    def site_path(self) -> str:
        """Folder of an overlay bundle under ``site/pagefind/``: ``plan-<slug>/``."""
        return f"plan-{self.slugs[0]}/"


def shard_count(plans: int, per_shard: int = SHARD_PLANS) -> int:
    """Number of shards for ``plans`` plans: the power of two at or above ``plans / per_shard``, so
    that a plan keeps its shard until the collection grows a lot. ``per_shard`` 0: ⌈√plans⌉, at
    least 2 (5 plans: 2 shards; 100: 16; 1000: 32)."""
    if per_shard <= 0:
        per_shard = max(2, math.ceil(math.sqrt(plans)))
    wanted = max(1, math.ceil(plans / per_shard))
    return 1 << (wanted - 1).bit_length()


def plan_shards(plan_keys: dict[str, str], per_shard: int = SHARD_PLANS, salt: str = "") -> list[Shard]:
    """The non-empty shards of the plans ``{slug: cache key}``, by shard number. A plan's shard is
    a hash of its slug modulo :func:`shard_count` (stable while the count is)."""
    count = shard_count(len(plan_keys), per_shard)
    groups: dict[int, list[str]] = {}
    for slug in sorted(plan_keys):
        number = int(hashlib.sha256(slug.encode()).hexdigest()[:12], 16) % count if count > 1 else 0
        groups.setdefault(number, []).append(slug)
    shards = []
    for number, slugs in sorted(groups.items()):
        h = hashlib.sha256(f"{salt}|{count}|{number}".encode())
        for slug in slugs:
            h.update(f"|{slug}={plan_keys[slug]}".encode())
        shards.append(Shard(number, slugs, h.hexdigest(), {s: version_tag(s, plan_keys[s]) for s in slugs}))
    return shards


def overlay_shard(shard: Shard, slug: str, key: str, salt: str, base: str = "") -> Shard:
    """The overlay run of plan ``slug`` (cache key ``key``) of ``shard``, made against the base
    bundle in the cache folder ``base``."""
    h = hashlib.sha256(f"{salt}|overlay|{slug}={key}|{base}".encode()).hexdigest()
    return Shard(shard.id, [slug], h, {slug: version_tag(slug, key)}, overlay=True, base=base)


def overlay_bound(plans: int, shards: int) -> int:
    """Most plans the overlays may hold together: half the plans of an average shard, at least 1
    (5 plans in 2 shards: 1; 1000 in 32: 15)."""
    return max(1, math.ceil(plans / max(1, shards)) // 2)


@dataclass
class IndexPlan:
    """What one build's search index is made of.

    ``bundles``: ``[(folder under site/pagefind/, cache folder name)]``, the first shard's bundle first with
    path ``""``, then the other shards (``shard-<n>/``), then the overlays (``plan-<slug>/``);
    ``jobs``: the runs to make (bundles not complete in the cache), whole shards first;
    ``exclude``: the version tags hidden at query time (sorted); ``state``: the state to save
    once the jobs are done; ``folded``: shard numbers indexed whole because of the fold rule;
    ``stale``: each overlay plan the base holds an older version of → that version's tag (in
    ``exclude`` until :func:`hidden_pages` finds the overlay page-level); ``overlays``: each
    overlay plan → its run (made or cached)."""

    bundles: list[tuple[str, str]]
    jobs: list[Shard]
    exclude: list[str]
    state: dict
    folded: list[int] = field(default_factory=list)
    stale: dict[str, str] = field(default_factory=dict)
    overlays: dict[str, Shard] = field(default_factory=dict)


def plan_index(plan_keys: dict[str, str], salt: str, state: dict | None,
               held: Callable[[str], dict[str, str] | None], per_shard: int = SHARD_PLANS,
               bound: int | None = None) -> IndexPlan:
    """Decide the bundles of the plans ``{slug: cache key}`` (see the module's fold rule).

    ``salt``: the Pagefind version (part of every bundle key); ``state``: the saved state
    (:func:`load_state`, ``None`` when missing or untrusted); ``held(folder name)``: the plan
    versions ``{slug: tag}`` of a complete cached bundle, ``None`` when it is missing or
    incomplete; ``bound``: most overlay plans (default :func:`overlay_bound`). Pure: reads
    nothing but through ``held``."""
    shards = plan_shards(plan_keys, per_shard, salt)
    count = shard_count(len(plan_keys), per_shard)
    tags = {slug: version_tag(slug, key) for slug, key in plan_keys.items()}
    trusted = (isinstance(state, dict) and state.get("format") == FORMAT and state.get("salt") == salt
               and state.get("count") == count)
    bases = state.get("shards", {}) if trusted else {}
    bases = bases if isinstance(bases, dict) else {}
    base: dict[int, tuple[str, dict[str, str]]] = {}  # shard id -> (folder, versions it holds)
    changed: dict[int, list[str]] = {}
    folded: list[int] = []
    for shard in shards:
        exact = held(shard.folder)
        if exact is not None:
            base[shard.id] = (shard.folder, exact)
            continue
        previous = bases.get(str(shard.id))
        versions = held(previous) if isinstance(previous, str) else None
        stale = [s for s, t in (versions or {}).items() if tags.get(s) != t]
        if versions is None or 2 * len(stale) > len(versions):
            if versions is not None:
                folded.append(shard.id)
            continue  # indexed whole
        base[shard.id] = (previous, versions)
        changed[shard.id] = [s for s in shard.slugs if versions.get(s) != tags[s]]
    by_id = {s.id: s for s in shards}
    overlays = {slug: overlay_shard(by_id[i], slug, plan_keys[slug], salt, base[i][0])
                for i, slugs in changed.items() for slug in slugs}
    limit = overlay_bound(len(plan_keys), len(shards)) if bound is None else bound
    while len(overlays) > limit:
        candidates = [i for i, slugs in changed.items() if slugs]
        # fold first the shard whose overlay plans need the most new runs, then the most plans
        worst = min(candidates, key=lambda i: (-sum(held(overlays[s].folder) is None for s in changed[i]),
                                               -len(changed[i]), i))
        for slug in changed.pop(worst):
            del overlays[slug]
        del base[worst]
        folded.append(worst)
    bundles: list[tuple[str, str]] = []
    jobs: list[Shard] = []
    exclude: list[str] = []
    state_shards: dict[str, str] = {}
    for n, shard in enumerate(shards):
        path = "" if n == 0 else f"shard-{shard.id}/"
        if shard.id in base:
            folder, versions = base[shard.id]
            bundles.append((path, folder))
            exclude += [t for s, t in versions.items() if tags.get(s) != t]
            state_shards[str(shard.id)] = folder
        else:
            bundles.append((path, shard.folder))
            jobs.append(shard)
            state_shards[str(shard.id)] = shard.folder
    for slug in sorted(overlays):
        run = overlays[slug]
        bundles.append((run.site_path, run.folder))
        if held(run.folder) is None:
            jobs.append(run)
    new_state = {"format": FORMAT, "salt": salt, "count": count, "shards": state_shards,
                 "overlay": {slug: overlays[slug].folder for slug in sorted(overlays)}}
    stale = {slug: base[run.id][1][slug] for slug, run in overlays.items() if slug in base[run.id][1]}
    return IndexPlan(bundles, jobs, sorted(exclude), new_state, sorted(folded), stale, overlays)


def hidden_pages(plan: IndexPlan, hides: dict[str, list[str] | None]) -> tuple[list[str], list[str]]:
    """``(version tags to exclude, page ids to hide)`` at query time, both sorted, once the
    overlays are made: ``hides`` maps each overlay plan to the base page ids its overlay hides
    when it is page-level (:func:`plansite.searchpages.changed_pages`), ``None`` when it holds the
    whole plan. A page-level overlay's plan is no longer excluded by its old version: its
    unchanged pages stay visible from the base."""
    exclude = set(plan.exclude)
    hide: set[str] = set()
    for slug, ids in hides.items():
        if ids is not None and slug in plan.stale:
            exclude.discard(plan.stale[slug])
            hide.update(ids)
    return sorted(exclude), sorted(hide)


def load_state(cache_dir: Path) -> dict | None:
    """The saved state of the search cache folder, ``None`` when missing or unreadable."""
    try:
        state = json.loads((Path(cache_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_json(path: Path, data) -> None:
    """Write ``data`` as JSON to ``path`` whole: a temporary file in the same folder, renamed (a
    concurrent reader sees the old file or the new one, never a part)."""
    path = Path(path)
    write_atomic(path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"), prefix=f".{path.name}-")


def bundle_info(cache_dir: Path, name: str) -> dict | None:
    """What is listed beside the cached bundle ``name`` (``<name>.json``: ``{"plans": {slug:
    version tag}}``, and for a page-level overlay ``"base"`` and ``"hide"``, the base's page ids
    it hides), ``None`` when the listing is missing or damaged."""
    try:
        listed = json.loads((Path(cache_dir) / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    plans = listed.get("plans") if isinstance(listed, dict) else None
    if not isinstance(plans, dict) or not all(isinstance(v, str) for v in plans.values()):
        return None
    return listed


def bundle_versions(cache_dir: Path, name: str) -> dict[str, str] | None:
    """The plan versions listed beside the cached bundle ``name`` (``<name>.json``), ``None``
    when the listing is missing or damaged."""
    listed = bundle_info(cache_dir, name)
    return None if listed is None else listed["plans"]


def overlay_hides(cache_dir: Path, plan: IndexPlan) -> dict[str, list[str] | None]:
    """For each overlay plan of ``plan``, the base page ids its (made) overlay bundle hides, or
    ``None`` when it holds the whole plan (or its listing cannot say). An overlay's folder name
    holds its key, which names its base: a listed ``hide`` is always against the current base."""
    out: dict[str, list[str] | None] = {}
    for slug, name in plan.state["overlay"].items():
        listed = bundle_info(cache_dir, name)
        hide = listed.get("hide") if listed is not None else None
        out[slug] = hide if isinstance(hide, list) and all(isinstance(h, str) for h in hide) else None
    return out


def prune(cache_dir: Path, state: dict) -> None:
    """Remove the bundles (and their listings) of ``cache_dir`` that ``state`` does not name;
    work folders (``.``-prefixed) are left to their runs."""
    import shutil

    keep = set(state["shards"].values()) | set(state["overlay"].values())
    for entry in Path(cache_dir).iterdir():
        name = entry.name
        for suffix in (".pages.json", ".json"):
            if name.endswith(suffix):
                name = name[:-len(suffix)]
                break
        if name.startswith(("shard-", "plan-")) and name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
