"""Full-text search: the Pagefind index over the written HTML (``site/pagefind/``).

The *extended* Pagefind binary (PyPI ``pagefind[extended]``) is required: only it segments
Chinese text into words, so that a query such as ``数字经济`` matches the words of the plans
rather than single characters.

Only elements inside ``data-pagefind-body`` (the chapter and indicator-table pages'
``<article>``) are indexed; every such page carries ``data-pagefind-filter="plan:…"`` and
``data-pagefind-meta`` for the plan and chapter names, and every section heading carries the
section's node id, so that Pagefind's sub-results link straight to ``chapter-5/#chapter-5-2``.

The index is sharded and overlaid (:mod:`plansite.searchplan` decides what to index): plans
are spread over shards of about √N plans; each shard's bundle is cached, and when some of its
plans change only those are indexed, each into an overlay bundle, the shard's stale copies being
hidden at query time by a plan-version filter or, when the base lists its pages
(:mod:`plansite.searchpages`), the overlay holds only the plan's changed pages and the base's
copies of those are hidden by page id. Each Pagefind run is given its plans' indexed
pages, tagged with that filter, from memory by Pagefind's service mode (:func:`index_shard`,
:mod:`plansite.pfservice`) and starts as soon as those pages are rendered (:class:`EarlyIndex`). The first shard's bundle is ``site/pagefind/`` (the search page loads it
as before); the others are ``site/pagefind/shard-<n>/`` and the overlays
``site/pagefind/plan-<slug>/``, listed in ``site/pagefind/shards.json``
(``{"bundles": ["shard-3/", "plan-x/", …], "exclude": ["x~0123456789ab", …], "hide":
["zh-cn_1050b88", …]}``, bundles relative to ``pagefind/``; ``hide`` only when not empty), which
the search page merges with Pagefind's own ``mergeIndex``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .budget import Budget
from .buildfolder import link_or_copy
from .errors import PlansiteError
from .parallel import cpu_count
from .searchpages import clashing, listing_path, overlay_pages, page_listing
from .searchplan import (SHARD_PLANS, STATE_FILE, VERSION_FILTER, IndexPlan, Shard, bundle_versions, hidden_pages,
                         load_state, overlay_hides, plan_index, prune, write_json)

BUNDLE_DIR = "pagefind"
SHARDS_FILE = "shards.json"
#: Memory the search index's Pagefind runs may take together, in bytes (``PLANSITE_SEARCH_MEMORY``,
#: in MiB, overrides): shards are indexed at once only while their estimated peaks
#: (:func:`pagefind_memory`) fit in it; a shard estimated above it runs alone.
SEARCH_MEMORY = 1280 * 2**20


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
    each folder looked up in ``plan_dirs`` only when its pages come: a :class:`_Rendered`
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


class _Stopped(Exception):
    """The build was cancelled while a Pagefind run waited for a plan's pages (:class:`_Rendered`)."""


class _Rendered(Mapping):
    """``{slug: folder of its rendered pages}`` as the plans are reported to :class:`EarlyIndex`
    (``dirs``, filled under ``changed``): looking up a plan not reported yet waits until it is (the
    streamed run's pages), or raises :class:`_Stopped` once ``cancelled`` is set."""

    def __init__(self, dirs: dict[str, Path], changed: threading.Condition, cancelled: threading.Event):
        self._dirs, self._changed, self._cancelled = dirs, changed, cancelled

    def __getitem__(self, slug: str) -> Path:
        with self._changed:
            while slug not in self._dirs:
                if self._cancelled.is_set():
                    raise _Stopped(slug)
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
                cancelled: threading.Event | None = None) -> None:
    """Index the pages under ``plans/<slug>/`` of the shard's plans (``plan_dirs[slug]``: a folder
    laid out like ``site/``) with one Pagefind run into the bundle folder ``out`` (written whole
    or not at all, checked by :func:`bundle_problem`), then list the plan versions it holds in
    ``<out>.json``. An overlay (one plan), and the first run to ask for the service
    :func:`plansite.pfservice.prestart` warmed, give the tagged pages to Pagefind's service from
    memory (:func:`_run_service`: no copies on disk, the service's start-up overlapping the
    build); other whole shards go to the CLI over tagged copies (:func:`_run_cli`), which took
    10–16 % less CPU and 10 % less memory than the service over 10–30 plans. A whole shard's
    pages are listed in ``<out>.pages.json`` (:mod:`plansite.searchpages`); an overlay made
    against a base that lists the plan's pages indexes only the pages that changed
    (:func:`plansite.searchpages.overlay_pages`) and lists the base's page ids it hides in ``<out>.json``. Raises
    :class:`PlansiteError` when Pagefind fails; when ``cancelled`` is set the Pagefind process is
    killed and nothing is written."""
    out = Path(out)
    label = f"{BUNDLE_DIR}/{shard.site_path if shard.overlay else f'shard-{shard.id}'}"
    work = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}-", dir=out.parent))
    try:
        from . import pfservice

        hide = None
        if shard.overlay:
            pages, hide = overlay_pages(shard, out.parent, lambda: _hashes(shard, plan_dirs))
            shard = dataclasses.replace(shard, pages=pages)
        hashes: dict[str, str] | None = None if shard.overlay else {}
        service = pfservice.take()
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


@dataclass
class SearchLayout:
    """A complete search index: ``bundles`` ``[(folder under site/pagefind/, bundle folder)]``
    (the first shard's bundle first, with path ``""``), ``exclude`` the plan versions the search
    page hides (:mod:`plansite.searchplan`), ``runs`` the Pagefind runs made for it, ``hide``
    the page ids (of base bundles) the search page drops from every result list."""

    bundles: list[tuple[str, Path]]
    exclude: list[str] = field(default_factory=list)
    runs: list[Shard] = field(default_factory=list)
    hide: list[str] = field(default_factory=list)

    def shards_json(self) -> bytes:
        """``pagefind/shards.json``: ``{"bundles": [the other bundles' folders], "exclude": […]}``,
        with ``"hide": […]`` when page ids are hidden."""
        extra = [rel for rel, _ in self.bundles if rel]
        data = {"bundles": extra, "exclude": self.exclude}
        if self.hide:
            data["hide"] = self.hide
        return (json.dumps(data) + "\n").encode()


class EarlyIndex:
    """The search index of one build, each Pagefind run started as soon as the pages of its
    plans are rendered (:meth:`plan_done`, a callback of :func:`plansite.incremental.build_plans`),
    so the runs overlap the rest of the build. What is indexed is decided by
    :func:`plansite.searchplan.plan_index` when the first plan is reported; runs are admitted on
    ``jobs`` cores within ``memory`` bytes (:class:`Budget`). :meth:`result` waits for them.

    When Pagefind's service was started early (:func:`plansite.pfservice.prestart`, ``build.py
    build``), the whole shard with the most plans (two at least) is *streamed*: its run starts as
    soon as the first of its plans is rendered and takes the warmed service, which is given each
    plan's pages as soon as that plan and those before it (by slug: :func:`shard_pages`) are
    rendered; so most of its indexing overlaps the plans still being built, and only the last
    plans' pages and the bundle remain once they are (a clean build of 5 plans:
    that shard, 3 of the plans, was the last run to end and started only once every plan was
    rendered)."""

    def __init__(self, cache_dir: Path, per_shard: int = SHARD_PLANS, jobs: int | None = None,
                 memory: int | None = None, cancelled: threading.Event | None = None):
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.per_shard = per_shard
        self._gate = Budget(search_memory() if memory is None else memory, jobs or cpu_count())
        self._cancelled = cancelled or threading.Event()
        self._plan: IndexPlan | None = None
        self._dirs: dict[str, Path] = {}
        self._reported = threading.Condition()  # a plan was reported (a streamed run waits on it)
        self._stream: int | None = None  # the job to stream (see the class), until it is launched
        self._streamed: set[int] = set()  # the jobs launched streamed
        self._waiting: dict[int, set[str]] = {}
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []

    def _held(self, name: str) -> dict[str, str] | None:
        if bundle_problem(self.cache_dir / name) is not None:
            return None
        return bundle_versions(self.cache_dir, name)

    def plan_done(self, slug: str, folder: Path, keys: dict[str, str]) -> None:
        """Plan ``slug``'s pages are in ``folder`` (laid out like ``site/``); ``keys`` maps every
        plan of the build to its cache key (the same on every call). Starts the runs whose plans
        are all done (and the streamed run, see the class, at its first plan)."""
        if self._plan is None:
            self._decide(keys)
        with self._reported:
            self._dirs[slug] = Path(folder)
            self._reported.notify_all()
        for n in sorted(self._waiting):
            left = self._waiting[n]
            if slug not in left:
                continue
            left.discard(slug)
            if n == self._stream:  # the first of its plans: the streamed run starts now
                self._stream = None
                self._streamed.add(n)
                self._launch(self._plan.jobs[n], streamed=True)
            if not left:
                del self._waiting[n]
                if n not in self._streamed:
                    self._launch(self._plan.jobs[n])

    def _decide(self, keys: dict[str, str]) -> None:
        from importlib.metadata import version

        self._plan = plan_index(dict(keys), version("pagefind_bin_extended"), load_state(self.cache_dir),
                                self._held, self.per_shard)
        self._waiting = {n: set(job.slugs) for n, job in enumerate(self._plan.jobs)}
        if not self._plan.jobs:
            discard_service()  # every bundle is cached: the service started early is not wanted
        whole = [n for n, job in enumerate(self._plan.jobs) if not job.overlay and len(job.slugs) > 1]
        if whole and _service_waiting():
            self._stream = max(whole, key=lambda n: len(self._plan.jobs[n].slugs))  # (the first of the largest)

    def streamed_plans(self, keys: dict[str, str]) -> list[str]:
        """The plans of the run to be streamed (see the class; none when no service waits or no
        whole shard of two plans or more is to be indexed), deciding the index now when no plan
        was reported yet (``keys``: as :meth:`plan_done`'s)."""
        if self._plan is None:
            self._decide(keys)
        return list(self._plan.jobs[self._stream].slugs) if self._stream is not None else []

    def _launch(self, job: Shard, streamed: bool = False) -> None:
        """Start ``job``'s run in a thread, admitted by the :class:`Budget` in launch order. A
        streamed run reads its plans' folders through :class:`_Rendered` (waiting for those not
        rendered yet); its memory is estimated from the plans rendered so far, scaled to all of
        its plans."""
        ticket = self._gate.ticket()
        if streamed:
            dirs = _Rendered(self._dirs, self._reported, self._cancelled)
            known = [s for s in job.slugs if s in self._dirs]
            seen = shard_bytes(dataclasses.replace(job, slugs=known), self._dirs)
            cost = pagefind_memory(seen * len(job.slugs) // max(1, len(known)))
        else:
            dirs, cost = self._dirs, pagefind_memory(shard_bytes(job, self._dirs))

        def run() -> None:
            if not self._gate.acquire(ticket, cost, self._cancelled):
                return
            try:
                index_shard(job, dirs, self.cache_dir / job.folder, self._cancelled)
            except _Stopped:
                pass  # cancelled while waiting for a plan: the run is dropped (the service killed)
            except BaseException as exc:  # noqa: BLE001 - raised by result()
                self._errors.append(exc)
                self._cancelled.set()
            finally:
                self._gate.release(cost)

        thread = threading.Thread(target=run, name="plansite-search", daemon=True)
        self._threads.append(thread)
        thread.start()

    def cancel(self) -> None:
        """Stop: runs not started are not, running ones are killed; waits for them."""
        self._cancelled.set()
        discard_service()
        for thread in self._threads:
            thread.join()

    def result(self, plan_dirs: dict[str, Path] | None = None,
               plan_keys: dict[str, str] | None = None) -> SearchLayout | None:
        """Wait for the runs; save the state and remove bundles no longer used; return the index
        (``None`` when cancelled). ``plan_dirs`` / ``plan_keys``, when given, are every plan of
        the build: those not reported yet are now. Raises the first run's error, or
        :class:`PlansiteError` when a plan was never reported."""
        if plan_keys is not None:
            told = set(self._dirs)
            for slug in [s for s in plan_keys if s not in told]:
                self.plan_done(slug, plan_dirs[slug], plan_keys)
            if self._plan is None:
                self._decide(plan_keys)
        missing = sorted(set().union(*self._waiting.values())) if self._waiting else []
        if missing:
            self._cancelled.set()  # a streamed run waiting for those pages would wait forever
        for thread in self._threads:
            thread.join()
        discard_service()
        if self._errors:
            raise self._errors[0]
        if missing:
            raise PlansiteError.at(BUNDLE_DIR, 0, f"search index: pages of {missing[0]} never rendered")
        if self._cancelled.is_set():
            return None
        if self._plan is None:
            raise PlansiteError.at(BUNDLE_DIR, 0, "search index: no plan was reported")
        hides = overlay_hides(self.cache_dir, self._plan)
        for slug in clashing(self._plan, hides, self.cache_dir):
            # a hidden id is also a page of another bundle: this overlay holds the whole plan
            log = logging.getLogger("mkdocs.plugins.plansite")
            log.debug("plansite: search overlay of %s: whole plan: a hidden page id recurs in another bundle", slug)
            job = dataclasses.replace(self._plan.overlays[slug], base="")
            index_shard(job, self._dirs, self.cache_dir / job.folder, self._cancelled)
            if self._cancelled.is_set():
                return None
            hides[slug] = None
        exclude, hide = hidden_pages(self._plan, hides)
        write_json(self.cache_dir / STATE_FILE, self._plan.state)
        prune(self.cache_dir, self._plan.state)
        return SearchLayout([(rel, self.cache_dir / name) for rel, name in self._plan.bundles],
                            exclude, list(self._plan.jobs), hide)


def _service_waiting() -> bool:
    """Whether a service started early (:func:`plansite.pfservice.prestart`) waits to be taken."""
    service = sys.modules.get("plansite.pfservice")
    return service is not None and service.waiting()


def discard_service() -> None:
    """:func:`plansite.pfservice.discard`, when that module was loaded (nothing was started else)."""
    service = sys.modules.get("plansite.pfservice")
    if service is not None:
        service.discard()


def build_sharded_index(plan_dirs: dict[str, Path], plan_keys: dict[str, str], cache_dir: Path,
                        per_shard: int = SHARD_PLANS, jobs: int | None = None,
                        cancelled: threading.Event | None = None,
                        memory: int | None = None) -> SearchLayout | None:
    """Make (or take from ``cache_dir``) the search index of the plans, all rendered already:
    :class:`EarlyIndex` told of every plan at once. ``plan_dirs[slug]`` is a folder laid out like
    ``site/`` holding the plan's pages, ``plan_keys[slug]`` its cache key. Runs are made on
    ``jobs`` cores at once, as long as their estimated Pagefind peaks (:func:`pagefind_memory` of
    :func:`shard_bytes`) fit together in ``memory`` bytes (default :func:`search_memory`).
    Bundles no longer used are removed from ``cache_dir``. ``None`` when ``cancelled``."""
    return EarlyIndex(cache_dir, per_shard, jobs, memory, cancelled).result(plan_dirs, plan_keys)


def install_index(layout: SearchLayout | list[tuple[str, Path]], site_dir: Path) -> Path:
    """Put the bundles of ``layout`` (or a plain list of bundles, nothing excluded) into
    ``site_dir/pagefind`` (replacing what is there; hard links to the cached bundles where the
    file system allows, else copies) with ``shards.json`` (:meth:`SearchLayout.shards_json`);
    returns the bundle folder."""
    if not isinstance(layout, SearchLayout):
        layout = SearchLayout(list(layout))
    target = Path(site_dir) / BUNDLE_DIR
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir))
    try:
        for rel, folder in layout.bundles:
            # hard links where possible: bundles are written once by Pagefind and only read
            shutil.copytree(folder, staging / rel, dirs_exist_ok=True, copy_function=link_or_copy)
        (staging / SHARDS_FILE).write_bytes(layout.shards_json())
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


class BackgroundIndexer:
    """The search index under ``mkdocs serve``: rebuilt in a thread after each rebuild, so the
    preview never waits for Pagefind.

    :meth:`start` (after MkDocs wrote the site) first puts the last complete index back into the
    freshly cleaned ``site_dir/pagefind`` — stale until the new one is ready — then makes the
    sharded index (only shards holding a changed plan are indexed again), swaps it in and writes
    ``manifest.json``. A new :meth:`start` cancels a run still going without waiting for it (the
    new run waits in the background for the old one, which ends after its current Pagefind run or
    copy). Failures are logged as warnings, never raised: the preview goes on.

    ``status(site_dir, stale, failed)`` (optional) is told when the served index becomes stale
    (:meth:`start`), fresh again (after the swap) or failed (the last index stays served):
    :func:`plansite.preview.write_status`, read by the search page under ``mkdocs serve``.
    """

    def __init__(self, status=None):
        self._last: SearchLayout | None = None
        self._thread: threading.Thread | None = None
        self._cancelled = threading.Event()
        self._status = status or (lambda site_dir, stale, failed: None)
        self._lock = threading.Lock()  # a status and the decision to write it go together

    def start(self, site_dir: Path, make_index, finish=None) -> None:
        """Restore the last index into ``site_dir``, then run ``make_index(cancelled)`` (returning
        a :class:`SearchLayout`, see :func:`build_sharded_index`) in the background, install its result and
        call ``finish()`` (e.g. write the manifest). Returns at once: a run still going is told
        to stop, and the new run waits for it in the background."""
        site_dir = Path(site_dir)
        previous = self._thread
        with self._lock:
            self._cancelled.set()
            self._status(site_dir, True, False)
        if self._last is not None and not (site_dir / BUNDLE_DIR).exists():
            self.wait()  # the site folder was cleaned (a full rebuild): nothing may install meanwhile
            try:
                install_index(self._last, site_dir)
            except OSError:
                pass  # the cached bundles went away: the new run makes them again
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run,
                                        args=(previous, site_dir, make_index, finish, self._cancelled),
                                        name="plansite-search", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running index build (tests, shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def cancel(self, wait: bool = True) -> None:
        """Ask the running index build to stop; with ``wait``, wait until it has."""
        self._cancelled.set()
        if wait:
            self.wait()

    stop = cancel

    def _run(self, previous, site_dir: Path, make_index, finish, cancelled: threading.Event) -> None:
        log = logging.getLogger("mkdocs.plugins.plansite")
        if previous is not None:
            previous.join()  # told to stop: it ends after its current Pagefind run or copy
        if cancelled.is_set():
            return
        _lower_priority()  # the next preview rebuild goes first
        try:
            layout = make_index(cancelled)
            if cancelled.is_set() or layout is None:
                return
            install_index(layout, site_dir)
            self._last = layout
            with self._lock:
                if not cancelled.is_set():  # else a newer run has said "stale" already
                    self._status(site_dir, False, False)
            if finish is not None:
                finish()
            log.info("plansite: search index rebuilt")
        except Exception as exc:  # noqa: BLE001 - the preview goes on without a fresh index
            with self._lock:
                if not cancelled.is_set():
                    self._status(site_dir, True, True)
            log.warning("search index not rebuilt: %s", exc)


#: How much nicer (``nice``) the background index build is than the preview (serve only).
BACKGROUND_NICE = 10


def _lower_priority() -> None:
    """Lower the scheduling priority of the calling thread, and so of the Pagefind processes it
    starts (they inherit it), by :data:`BACKGROUND_NICE`. Linux only, where a nice value belongs
    to a thread (elsewhere it would slow the whole server): a no-op on other systems."""
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE)
        except (OSError, AttributeError):
            pass  # not allowed here: the index is only built at the usual priority
