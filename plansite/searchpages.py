"""Page listings of search bundles, and the pages of a plan's page-level overlay.

A whole-shard bundle (a *base*, :mod:`plansite.searchplan`) is listed page by page beside it in
the search cache (``<folder>.pages.json``: ``{"pages": {site path: [sha256, page id]}}``):

- the *sha256* is that of the page as rendered (untagged: the bytes of ``site/<site path>``, the
  hash the build cache records for it, ``PlanEntry.files`` / ``BuildOutputs.hashes``), computed
  while the page is read for Pagefind;
- the *page id* is Pagefind's id of the page in that bundle (a result's ``id`` in
  ``pagefind.js``: ``id: result2.p``), the name of its fragment: ``zh-cn_1050b88`` for
  ``fragment/zh-cn_1050b88.pf_fragment``. A fragment is gzip of ``pagefind_dcd`` followed by
  the page's JSON record, which starts with ``{"url": "/plans/x/chapter-5/", …`` (Pagefind
  1.5.2), so only its first bytes are inflated (:func:`bundle_page_ids`).

When a plan of the shard is edited, its overlay holds only the pages whose sha256 differs from
the base's or that are new (:func:`changed_pages`); the base's copies of the changed and removed
pages are hidden at query time by page id (``hide`` in ``pagefind/shards.json``). The listing
is written after its bundle, whole and renamed; it is safe to delete (then the plan's overlay
holds the whole plan, hidden by the plan-version filter as before).
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Callable
from pathlib import Path

from .searchplan import IndexPlan, Shard

#: Suffix of a bundle's page listing in the search cache (``<folder>.pages.json``).
LISTING_SUFFIX = ".pages.json"
#: The signature Pagefind puts before the JSON of a fragment (after inflating).
FRAGMENT_SIGNATURE = b"pagefind_dcd"
#: Bytes of a fragment inflated to read its URL (the signature, ``{"url":"`` and the URL).
_URL_PREFIX = 1024


def page_url(rel: str) -> str:
    """The URL Pagefind gives the page at site path ``rel`` (``plans/x/chapter-5/index.html`` →
    ``/plans/x/chapter-5/``; other names keep their file name)."""
    url = "/" + rel
    return url[:-len("index.html")] if url.endswith("/index.html") else url


def fragment_url(data: bytes) -> str | None:
    """The ``url`` of a Pagefind fragment file's bytes (gzip), ``None`` when it is not readable
    as one (another signature, no ``url`` first, damaged)."""
    try:
        head = zlib.decompressobj(31).decompress(data, _URL_PREFIX)
    except zlib.error:
        return None
    start = FRAGMENT_SIGNATURE + b'{"url":"'
    if not head.startswith(start):
        return None
    end = head.find(b'"', len(start))
    if end < 0:
        return None
    try:
        return json.loads(head[len(start) - 1:end + 1])
    except ValueError:
        return None


def bundle_page_ids(bundle: Path) -> dict[str, str]:
    """``{page URL: page id}`` of the Pagefind bundle folder ``bundle`` (its ``fragment/`` folder;
    empty when there is none). A fragment that cannot be read is left out (its page then has no
    id: the caller treats the listing as incomplete)."""
    folder = Path(bundle) / "fragment"
    ids: dict[str, str] = {}
    try:
        names = os.listdir(folder)
    except OSError:
        return ids
    for name in names:
        if not name.endswith(".pf_fragment"):
            continue
        with open(folder / name, "rb") as f:
            url = fragment_url(f.read())
        if url is not None:
            ids[url] = name[:-len(".pf_fragment")]
    return ids


def page_listing(bundle: Path, hashes: dict[str, str]) -> dict[str, list[str]] | None:
    """The listing ``{site path: [sha256, page id]}`` of the pages ``hashes`` (``{site path:
    sha256}``, the pages given to Pagefind) in ``bundle``; ``None`` when a page has no fragment
    there (Pagefind left it out, or a fragment is unreadable) or two pages share an id."""
    ids = bundle_page_ids(bundle)
    listing = {}
    for rel, sha in hashes.items():
        page = ids.get(page_url(rel))
        if page is None:
            return None
        listing[rel] = [sha, page]
    if len({page for _, page in listing.values()}) != len(listing):
        return None
    return listing


def listing_path(cache_dir: Path, name: str) -> Path:
    """Where the page listing of the cached bundle ``name`` is kept."""
    return Path(cache_dir) / f"{name}{LISTING_SUFFIX}"


def read_listing(cache_dir: Path, name: str, slug: str | None = None) -> dict[str, tuple[str, str]] | None:
    """The page listing of the cached bundle ``name`` (``{site path: (sha256, page id)}``), only
    the pages of plan ``slug`` (``plans/<slug>/…``) when given; ``None`` when it is missing or
    damaged."""
    try:
        data = json.loads(listing_path(cache_dir, name).read_text(encoding="utf-8"))
        pages = data["pages"]
        prefix = f"plans/{slug}/" if slug is not None else ""
        out = {}
        for rel, (sha, page) in pages.items():
            if not (isinstance(rel, str) and isinstance(sha, str) and isinstance(page, str)):
                raise ValueError(rel)
            if rel.startswith(prefix):
                out[rel] = (sha, page)
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def changed_pages(base: dict[str, tuple[str, str]] | None, current: dict[str, str],
                  most: float = 0.5) -> tuple[list[str] | None, list[str], str]:
    """What the overlay of a plan indexes: ``(site paths to index, or None for every page; page
    ids of the base to hide; why, in words)``.

    ``base``: the base's listing of the plan's pages (:func:`read_listing`; ``None`` when there
    is none; empty when the base does not hold the plan); ``current``: ``{site path: sha256}`` of
    the plan's indexed pages now. The pages to index are those new or whose sha256 differs from
    the base's (at least one, so that the overlay is a bundle: the first page when none
    changed); the ids to hide are the base's copies of the pages indexed and of the pages gone.
    Every page (``None``) when there is no listing, when the base does not hold the plan, or when
    more than ``most`` of the current pages would be indexed."""
    if base is None:
        return None, [], "whole plan: the base has no page listing"
    if not base:
        return None, [], "whole plan: not in the base"
    changed = sorted(rel for rel, sha in current.items() if base.get(rel, (None,))[0] != sha)
    if not changed and current:
        changed = [min(current)]
    if len(changed) > most * len(current):
        return None, [], f"whole plan: {len(changed)} of its {len(current)} pages changed"
    gone = set(changed) | (set(base) - set(current))
    hide = sorted(base[rel][1] for rel in gone if rel in base)
    return changed, hide, f"{len(changed)} of its {len(current)} pages changed, {len(hide)} hidden in the base"


def overlay_pages(shard: Shard, cache_dir: Path,
                  current: Callable[[], dict[str, str]]) -> tuple[list[str] | None, list[str] | None]:
    """The pages the overlay ``shard`` (one plan) indexes and the page ids of its base it hides:
    ``(site paths, ids)`` when the base (``shard.base``, never empty, in ``cache_dir``) lists the plan's pages
    and few of them changed (:func:`changed_pages`; ``current()``: ``{site path: sha256}`` of
    the plan's indexed pages now, read only then), else ``(None, None)``: the whole plan, its old
    version hidden by the ``v`` filter. Says which in the debug output."""
    slug = shard.slugs[0]
    base = read_listing(cache_dir, shard.base, slug)
    pages, hide, why = changed_pages(base, current() if base else {})
    logging.getLogger("mkdocs.plugins.plansite").debug("plansite: search overlay of %s: %s", slug, why)
    return (pages, hide) if pages is not None else (None, None)


def clashing(plan: IndexPlan, hides: dict[str, list[str] | None], cache_dir: Path) -> list[str]:
    """The overlay plans of ``plan`` whose hidden page ids (``hides``, see
    :func:`plansite.searchplan.overlay_hides`) are also the id of a page of another bundle of the
    index than their base (Pagefind's ids are unique within a bundle only, 7 hex digits and
    more): hiding them would hide that page too. Looks for the fragment files only (a few
    ``stat`` calls per hidden page)."""
    out = []
    for slug, ids in hides.items():
        if not ids:
            continue
        base = plan.overlays[slug].base
        others = [Path(cache_dir) / name / "fragment" for _, name in plan.bundles if name != base]
        if any((folder / f"{page}.pf_fragment").exists() for page in ids for folder in others):
            out.append(slug)
    return out
