"""One Pagefind run: a shard's (or an overlay's) pages indexed into a bundle folder.

The *extended* Pagefind binary (PyPI ``pagefind[extended]``) is required: only it segments
Chinese text into words, so that a query such as ``数字经济`` matches the words of the plans
rather than single characters.

Only elements inside ``data-pagefind-body`` (the chapter and indicator-table pages'
``<article>``) are indexed; every such page carries ``data-pagefind-filter="plan:…"`` and
``data-pagefind-meta`` for the plan and chapter names, and every section heading carries the
section's node id, so that Pagefind's sub-results link straight to ``chapter-5/#chapter-5-2``.

Each run (:func:`index_shard`) is given its plans' indexed pages (:func:`shard_pages`), each
tagged with the plan-version filter (:func:`tagged_page`, :data:`plansite.searchplan.VERSION_FILTER`),
from memory by Pagefind's service mode (:mod:`plansite.pfservice`) or as copies on disk to the
CLI; every bundle written is checked (:func:`bundle_problem`). :func:`pagefind_memory` and
:func:`shard_bytes` estimate a run's peak memory, :func:`search_memory` is the budget the runs share.
Which runs are made, and when, is :mod:`plansite.search`'s (the build's index).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PlansiteError
from .searchpages import listing_path, overlay_pages, page_listing
from .searchplan import VERSION_FILTER, Shard, write_json

if TYPE_CHECKING:
    from .pfservice import PagefindService

#: The bundle folder under ``site/`` (the first shard's bundle; the others are under it).
BUNDLE_DIR = "pagefind"
#: Memory the search index's Pagefind runs may take together, in bytes (``PLANSITE_SEARCH_MEMORY``,
#: in MiB, overrides): shards are indexed at once only while their estimated peaks
#: (:func:`pagefind_memory`) fit in it; a shard estimated above it runs alone.
SEARCH_MEMORY = 1280 * 2**20


@functools.lru_cache(maxsize=1)
def pagefind_version() -> str:
    """The version of the installed ``pagefind_bin_extended`` distribution (e.g. ``"1.5.2"``), the
    salt of every search bundle's key (:func:`plansite.searchplan.plan_index`). Read from the
    ``Version:`` line of the ``METADATA`` of its one ``.dist-info`` folder beside the package, as
    :func:`importlib.metadata.version` reads it, without importing that module and scanning every
    path entry (30–40 ms per process, on the one-edit build's critical path); where that folder
    is not found, or not alone, from :func:`importlib.metadata.version`. Raises
    :class:`importlib.metadata.PackageNotFoundError` when the distribution is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("pagefind_bin_extended")
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob("pagefind_bin_extended-*.dist-info"))
        if len(found) == 1:
            try:
                with open(found[0] / "METADATA", encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break  # the headers end at the first blank line
            except OSError:
                pass
    from importlib.metadata import version

    return version("pagefind_bin_extended")


def pagefind_binary() -> Path:
    """Path of the extended Pagefind executable shipped by the ``pagefind_bin_extended`` wheel.

    Raises :class:`PlansiteError` when it is not installed (``pip install 'pagefind[extended]'``).
    """
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise PlansiteError.at("pyproject.toml", 0, "pagefind[extended] is not installed: "
                               "the search index needs the extended Pagefind binary") from None
    return Path(get_executable())


def pagefind_command(site_dir: Path, output: Path | None = None) -> tuple[list[str], dict]:
    """``(argv, environment)`` of one quiet run of the extended Pagefind binary (called directly,
    without the Python wrapper's start-up) over ``site_dir``, writing the bundle to ``output``
    (default ``site_dir/pagefind``); the language is forced to ``zh-cn`` so that every page lands
    in one index (the pages all declare ``lang="zh-CN"``)."""
    cmd = [str(pagefind_binary()), "--site", str(site_dir)]
    cmd += ["--output-path", str(output)] if output else ["--output-subdir", BUNDLE_DIR]
    cmd += ["--force-language", "zh-cn", "--quiet"]
    return cmd, dict(os.environ)


def bundle_problem(bundle: Path) -> str | None:
    """Why the Pagefind bundle folder ``bundle`` is not complete, or ``None`` when it is.

    Pagefind (1.5.2) exits 0 even when its writes fail (a full disk), so every run is checked:
    ``pagefind.js`` present, ``pagefind-entry.json`` present and valid JSON with a
    ``languages`` mapping, and each language's ``pagefind.<hash>.pf_meta`` index file present
    and not empty."""
    bundle = Path(bundle)
    if not (bundle / "pagefind.js").is_file():
        return "pagefind wrote no pagefind.js (disk full?)"
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = entry["languages"]
        hashes = [lang["hash"] for lang in languages.values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"pagefind wrote no readable pagefind-entry.json (disk full?): {type(exc).__name__}: {exc}"
    for h in hashes:
        meta = bundle / f"pagefind.{h}.pf_meta"
        if not meta.is_file() or meta.stat().st_size == 0:
            return f"pagefind wrote no {meta.name} (disk full?)"
    return None


#: A start tag marking the indexed part of a page (text between tags cannot hold ``<``).
_BODY_TAG = re.compile(rb"<[A-Za-z][A-Za-z0-9]*\s[^<>]*\bdata-pagefind-body\b[^<>]*>")
_BODY_OPEN = re.compile(rb"<body\b[^<>]*>")


def tagged_page(data: bytes, tag: str, whole_body: bool = False) -> bytes | None:
    """The HTML page ``data`` with an empty element carrying the Pagefind filter
    ``v:<tag>`` (:data:`~plansite.searchplan.VERSION_FILTER`) placed just inside its
    ``data-pagefind-body`` element — or, with ``whole_body``, inside ``<body>`` — so that every
    indexed page names its plan's version; ``None`` when the page has no such element (Pagefind
    would not index it)."""
    found = (_BODY_OPEN if whole_body else _BODY_TAG).search(data)
    if found is None:
        return None
    mark = f'<span data-pagefind-filter="{VERSION_FILTER}:{html.escape(tag)}"></span>'.encode()
    return data[:found.end()] + mark + data[found.end():]


def shard_pages(shard: Shard, plan_dirs: Mapping[str, Path],
                hashes: dict[str, str] | None = None) -> Iterator[tuple[str, bytes]]:
    """The pages Pagefind is given for the shard's plans, read one at a time: ``(site path, tagged
    HTML)``, by path: those with a ``data-pagefind-body`` element, each tagged by
    :func:`tagged_page` (the plans' other pages are left out, as Pagefind would skip them); when
    no page has one, every page tagged inside its ``<body>`` (Pagefind then indexes whole bodies,
    as it would have). Only the site paths ``shard.pages`` when set (a page-level overlay).
    ``hashes``, when given, receives ``{site path: sha256 of the page as rendered}`` of each
    page yielded (:mod:`plansite.searchpages`). The plans are read one after the other, by slug,
    each folder looked up in ``plan_dirs`` only when its pages come: a :class:`Rendered`
    mapping (a streamed run) waits there for a plan still being built, so the first plans' pages
    go to Pagefind while the others are built. The order is always this one: Pagefind's word
    index depends on the order of the pages it is given (its filter files alone differ from run
    to run)."""
    return _pages(shard, plan_dirs, hashes)


def _pages(shard: Shard, plan_dirs: Mapping[str, Path], hashes: dict[str, str] | None) -> Iterator[tuple[str, bytes]]:
    """:func:`shard_pages`."""
    wanted = None if shard.pages is None else set(shard.pages)
    given = 0
    for whole in (False, True):
        for slug in sorted(shard.slugs):
            base = Path(plan_dirs[slug])
            pages = []
            for folder, _, names in os.walk(base / "plans" / slug):
                pages += [Path(folder, n) for n in names if n.endswith(".html")]
            pages.sort()
            for path in pages:
                rel = path.relative_to(base).as_posix()
                if wanted is not None and rel not in wanted:
                    continue
                raw = path.read_bytes()
                data = tagged_page(raw, shard.tags[slug], whole)
                if data is not None:
                    given += 1
                    if hashes is not None:
                        hashes[rel] = hashlib.sha256(raw).hexdigest()
                    yield rel, data
        if given:
            return


class Stopped(Exception):
    """The build was cancelled while a Pagefind run waited for a plan's pages (:class:`Rendered`)."""


class Rendered(Mapping):
    """``{slug: folder of its rendered pages}`` as the plans are reported to
    :class:`plansite.search.EarlyIndex` (``dirs``, filled under ``changed``): looking up a plan not
    reported yet waits until it is (the streamed run's pages), or raises :class:`Stopped` once
    ``cancelled`` is set."""

    def __init__(self, dirs: dict[str, Path], changed: threading.Condition, cancelled: threading.Event):
        self._dirs, self._changed, self._cancelled = dirs, changed, cancelled

    def __getitem__(self, slug: str) -> Path:
        with self._changed:
            while slug not in self._dirs:
                if self._cancelled.is_set():
                    raise Stopped(slug)
                self._changed.wait(0.05)
            return self._dirs[slug]

    def __iter__(self):
        return iter(dict(self._dirs))

    def __len__(self) -> int:
        return len(self._dirs)


def _hashes(shard: Shard, plan_dirs: dict[str, Path]) -> dict[str, str]:
    """``{site path: sha256}`` of every page :func:`shard_pages` would give for the shard's plans
    (``shard.pages`` ignored), read without being given to Pagefind."""
    hashes: dict[str, str] = {}
    for _ in _pages(dataclasses.replace(shard, pages=None), plan_dirs, hashes):
        pass
    return hashes


def _work_pages(shard: Shard, plan_dirs: dict[str, Path], site: Path, hashes: dict[str, str] | None = None) -> int:
    """Write into ``site`` the copies Pagefind's CLI reads of the shard's indexed pages
    (:func:`shard_pages`, their sha256 into ``hashes``). Returns the pages written."""
    written = 0
    for rel, data in shard_pages(shard, plan_dirs, hashes):
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written


def _run_cli(shard: Shard, plan_dirs: dict[str, Path], work: Path, label: str,
             cancelled: threading.Event | None, hashes: dict[str, str] | None = None) -> bool:
    """One run of the Pagefind binary over tagged copies of the shard's pages written under
    ``work``, into ``work/bundle``; ``False`` when cancelled (the process killed)."""
    site = work / "site"
    site.mkdir()
    _work_pages(shard, plan_dirs, site, hashes)
    cmd, env = pagefind_command(site, work / "bundle")
    log_file = work / "pagefind.log"
    with open(log_file, "w+", encoding="utf-8") as output:
        proc = subprocess.Popen(cmd, env=env, stdout=output, stderr=subprocess.STDOUT)
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if cancelled is not None and cancelled.is_set():
                    proc.kill()
                    proc.wait()
                    return False
    if proc.returncode != 0:
        text = log_file.read_text(encoding="utf-8", errors="replace").strip() or f"exit code {proc.returncode}"
        raise PlansiteError.at(label, 0, f"pagefind failed: {text}")
    return True


def _run_service(shard: Shard, plan_dirs: dict[str, Path], work: Path, label: str,
                 cancelled: threading.Event | None, service=None, hashes: dict[str, str] | None = None) -> bool:
    """The shard's pages (:func:`shard_pages`) given from memory, one at a time, to Pagefind's
    service (:mod:`plansite.pfservice`: ``service``, else a new one), the bundle written into
    ``work/bundle``; ``False`` when cancelled (the process killed). Raises
    :class:`PlansiteError` (``label:0: pagefind failed: …``) when the service fails, and
    :class:`OSError` when the bundle cannot be written (as the CLI path does for its copies)."""
    from . import pfservice

    try:
        if service is None:
            service = pfservice.PagefindService(pagefind_binary(), warm=False)
        pages = ((rel, data.decode("utf-8", "replace")) for rel, data in shard_pages(shard, plan_dirs, hashes))
        done = service.index(pages, work / "bundle", cancelled)
    except pfservice.ServiceFailed as exc:
        raise PlansiteError.at(label, 0, f"pagefind failed: {exc}") from None
    finally:
        if service is not None:
            service.kill()  # the bundle is written (or not wanted)
    return done is not None


def index_shard(shard: Shard, plan_dirs: dict[str, Path], out: Path,
                cancelled: threading.Event | None = None, service: PagefindService | None = None) -> None:
    """Index the pages under ``plans/<slug>/`` of the shard's plans (``plan_dirs[slug]``: a folder
    laid out like ``site/``) with one Pagefind run into the bundle folder ``out`` (written whole
    or not at all, checked by :func:`bundle_problem`), then list the plan versions it holds in
    ``<out>.json``. An overlay (one plan), and a run given ``service`` (a
    :class:`plansite.pfservice.PagefindService`: the one :func:`plansite.pfservice.prestart`
    warmed, which :class:`plansite.search.EarlyIndex` gives to its streamed run), give the tagged
    pages to Pagefind's service from memory (:func:`_run_service`: no copies on disk; an overlay
    without ``service`` starts its own); other whole shards go to the CLI over tagged copies
    (:func:`_run_cli`), which took 10–16 % less CPU and 10 % less memory than the service over
    10–30 plans. ``service`` is the run's from then on: killed when it ends, whatever happens. A
    whole shard's pages are listed in ``<out>.pages.json`` (:mod:`plansite.searchpages`); an
    overlay made against a base that lists the plan's pages indexes only the pages that changed
    (:func:`plansite.searchpages.overlay_pages`) and lists the base's page ids it hides in
    ``<out>.json``. Raises :class:`PlansiteError` when Pagefind fails; when ``cancelled`` is set
    the Pagefind process is killed and nothing is written."""
    try:
        _index_shard(shard, plan_dirs, Path(out), cancelled, service)
    finally:
        if service is not None:
            service.kill()  # (done already when it indexed: the bundle is written or not wanted)


def _index_shard(shard: Shard, plan_dirs: dict[str, Path], out: Path, cancelled: threading.Event | None,
                 service: PagefindService | None) -> None:
    """:func:`index_shard`."""
    label = f"{BUNDLE_DIR}/{shard.site_path if shard.overlay else f'shard-{shard.id}'}"
    work = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}-", dir=out.parent))
    try:
        hide = None
        if shard.overlay and shard.base:  # (no base: a whole-plan overlay, see EarlyIndex.result)
            pages, hide = overlay_pages(shard, out.parent, lambda: _hashes(shard, plan_dirs))
            shard = dataclasses.replace(shard, pages=pages)
        hashes: dict[str, str] | None = None if shard.overlay else {}
        if shard.overlay or service is not None:
            ran = _run_service(shard, plan_dirs, work, label, cancelled, service, hashes)
        else:
            ran = _run_cli(shard, plan_dirs, work, label, cancelled, hashes)
        if not ran:
            return
        problem = bundle_problem(work / "bundle")
        if problem:
            raise PlansiteError.at(label, 0, problem)
        if out.exists():
            shutil.rmtree(out)
        listing = page_listing(work / "bundle", hashes) if hashes else None
        os.replace(work / "bundle", out)
        pages_file = listing_path(out.parent, out.name)
        if listing is not None:
            write_json(pages_file, {"pages": listing})
        else:
            pages_file.unlink(missing_ok=True)
        info = {"plans": shard.tags}
        if hide is not None:
            info.update(base=shard.base, hide=hide)
        write_json(out.with_name(out.name + ".json"), info)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pagefind_memory(page_bytes: int) -> int:
    """Estimated peak RSS in bytes of one Pagefind run (extended 1.5.2 in service mode, ``zh-cn``)
    over pages of ``page_bytes`` bytes in all (:func:`shard_bytes`): 96 MiB + 12 × ``page_bytes``.
    Measured on this project's pages: the CLI over shards of 5–40 plans (4.5–41 MB of HTML)
    peaked at 100–479 MiB, about 55 MiB + 11 × the size; the service holds more (10.8 MB: 183 MiB
    against the CLI's 150; 32.5 MB: 377–399 MiB against 340–345), hence the larger constant;
    rounded up."""
    return 96 * 2**20 + 12 * page_bytes


def search_memory() -> int:
    """The memory budget of the Pagefind runs in bytes: ``PLANSITE_SEARCH_MEMORY`` (MiB) when set
    to a positive number, else :data:`SEARCH_MEMORY`."""
    forced = os.environ.get("PLANSITE_SEARCH_MEMORY", "")
    return int(forced) * 2**20 if forced.isdigit() and int(forced) > 0 else SEARCH_MEMORY


def shard_bytes(shard: Shard, plan_dirs: dict[str, Path]) -> int:
    """Total size in bytes of the files under ``plans/<slug>/`` of the shard's plans (an upper
    bound of what its Pagefind run reads)."""
    total = 0
    for slug in shard.slugs:
        for folder, _, names in os.walk(Path(plan_dirs[slug]) / "plans" / slug):
            total += sum(os.stat(os.path.join(folder, n)).st_size for n in names)
    return total

