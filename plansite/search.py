"""Full-text search: the build's Pagefind index over the written HTML (``site/pagefind/``).

The index is sharded and overlaid (:mod:`plansite.searchplan` decides what to index): plans
are spread over shards of about √N plans; each shard's bundle is cached, and when some of its
plans change only those are indexed, each into an overlay bundle, the shard's stale copies being
hidden at query time by a plan-version filter or, when the base lists its pages
(:mod:`plansite.searchpages`), the overlay holds only the plan's changed pages and the base's
copies of those are hidden by page id. Each Pagefind run is given its plans' indexed
pages, tagged with that filter — an overlay, and the run given the warmed service (the streamed
whole shard, else the first overlay to start), from memory by Pagefind's service mode, the other
whole shards as tagged copies to its command line (:func:`plansite.pagefind_run.index_shard`,
:mod:`plansite.pfservice`) — and starts as soon as those pages are rendered (:class:`EarlyIndex`).
The first shard's bundle is ``site/pagefind/`` (the search page loads it as before); the others
are ``site/pagefind/shard-<n>/`` and the overlays ``site/pagefind/plan-<slug>/``, listed in
``site/pagefind/shards.json`` (``{"bundles": ["shard-3/", "plan-x/", …], "exclude": ["x~0123456789ab", …], "hide":
["zh-cn_1050b88", …]}``, bundles relative to ``pagefind/``; ``hide`` only when not empty), which
the search page merges with Pagefind's own ``mergeIndex``. :class:`BackgroundIndexer` rebuilds
the index in the background under ``mkdocs serve``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .budget import Budget
from .buildfolder import link_or_copy
from .errors import PlansiteError
from .pagefind_run import (BUNDLE_DIR, Rendered, Stopped, bundle_problem, index_shard, pagefind_memory,
                           pagefind_version, search_memory, shard_bytes)
from .parallel import cpu_count
from .searchpages import clashing
from .searchplan import (SHARD_PLANS, STATE_FILE, IndexPlan, Shard, bundle_versions, hidden_pages, load_state,
                         overlay_hides, plan_index, prune, write_json)

SHARDS_FILE = "shards.json"


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
    build``), the whole shard with the most plans (two at least) is *streamed*: the warmed service
    is taken for it when the index is decided (no other run can take it then, whichever is ready
    first: the pool builds the streamed shard's plans last), its run starts as soon as the first
    of its plans is rendered, and the service is given each plan's pages as soon as that plan and
    those before it (by slug: :func:`plansite.pagefind_run.shard_pages`) are rendered; so most of
    its indexing overlaps the plans still being built, and only the last plans' pages and the
    bundle remain once they are (a clean build of 5 plans: that shard, 3 of the plans, was the
    last run to end and started only once every plan was rendered). With no run streamed, the
    first overlay run to start takes the warmed service (a one-edit build); the other whole shards
    never do. A service taken and not used is killed by :meth:`cancel` and :meth:`result`."""

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
        self._stream: int | None = None  # the job streamed (see the class)
        self._service = None  # the warmed service taken for the streamed run, until it is launched
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
            if n == self._stream and len(left) == len(self._plan.jobs[n].slugs) - 1:
                self._launch(self._plan.jobs[n], streamed=True)  # the first of its plans
            if not left:
                del self._waiting[n]
                if n != self._stream:
                    self._launch(self._plan.jobs[n])

    def _decide(self, keys: dict[str, str]) -> None:
        self._plan = plan_index(dict(keys), pagefind_version(), load_state(self.cache_dir),
                                self._held, self.per_shard)
        self._waiting = {n: set(job.slugs) for n, job in enumerate(self._plan.jobs)}
        whole = [n for n, job in enumerate(self._plan.jobs) if not job.overlay and len(job.slugs) > 1]
        if whole and _service_waiting():
            self._stream = max(whole, key=lambda n: len(self._plan.jobs[n].slugs))  # (the first of the largest)
            self._service = _take_service()
        elif not any(job.overlay for job in self._plan.jobs):
            discard_service()  # no run wants the service started early (e.g. every bundle is cached)

    def streamed_plans(self, keys: dict[str, str]) -> list[str]:
        """The plans of the run to be streamed (see the class; none when no service waits or no
        whole shard of two plans or more is to be indexed), deciding the index now when no plan
        was reported yet (``keys``: as :meth:`plan_done`'s)."""
        if self._plan is None:
            self._decide(keys)
        return list(self._plan.jobs[self._stream].slugs) if self._stream is not None else []

    def _launch(self, job: Shard, streamed: bool = False) -> None:
        """Start ``job``'s run in a thread, admitted by the :class:`Budget` in launch order. A
        streamed run reads its plans' folders through :class:`plansite.pagefind_run.Rendered`
        (waiting for those not rendered yet); its memory is estimated from the plans rendered so
        far, scaled to all of its plans. The run is given the warmed service when streamed (the
        one taken for it) or an overlay (when no run is streamed and no overlay took it yet), and
        kills it when it ends (:func:`plansite.pagefind_run.index_shard`) or is never admitted."""
        ticket = self._gate.ticket()
        if streamed:
            dirs = Rendered(self._dirs, self._reported, self._cancelled)
            known = [s for s in job.slugs if s in self._dirs]
            seen = shard_bytes(dataclasses.replace(job, slugs=known), self._dirs)
            cost = pagefind_memory(seen * len(job.slugs) // max(1, len(known)))
            service, self._service = self._service, None  # taken for it by _decide
        else:
            dirs, cost = self._dirs, pagefind_memory(shard_bytes(job, self._dirs))
            service = _take_service() if job.overlay else None  # (none left once a run is streamed)

        def run() -> None:
            if not self._gate.acquire(ticket, cost, self._cancelled):
                if service is not None:
                    service.kill()  # cancelled before its turn
                return
            try:
                index_shard(job, dirs, self.cache_dir / job.folder, self._cancelled, service)
            except Stopped:
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
        """Stop: runs not started are not, running ones are killed (the warmed service too, if no
        run took it); waits for them."""
        self._cancelled.set()
        self._drop_service()
        for thread in self._threads:
            thread.join()

    def _drop_service(self) -> None:
        """Kill the warmed service: the one taken for the streamed run if it was never launched,
        or the one :func:`plansite.pfservice.prestart` started if nobody took it."""
        if self._service is not None:
            self._service.kill()
            self._service = None
        discard_service()

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
        self._drop_service()
        if self._errors:
            raise self._errors[0]
        if missing:
            raise PlansiteError.at(BUNDLE_DIR, 0, f"search index: pages of {missing[0]} never rendered")
        if self._cancelled.is_set():
            return None
        if self._plan is None:
            raise PlansiteError.at(BUNDLE_DIR, 0, "search index: no plan was reported")
        hides = overlay_hides(self.cache_dir, self._plan)
        log = logging.getLogger("mkdocs.plugins.plansite")
        for slug in clashing(self._plan, hides, self.cache_dir):
            # a hidden id is also a page of another bundle: this overlay holds the whole plan
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


def _take_service():
    """:func:`plansite.pfservice.take` (the warmed service, or ``None``), when that module was loaded."""
    service = sys.modules.get("plansite.pfservice")
    return service.take() if service is not None else None


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
    ``jobs`` cores at once, as long as their estimated Pagefind peaks
    (:func:`plansite.pagefind_run.pagefind_memory` of :func:`~plansite.pagefind_run.shard_bytes`) fit
    together in ``memory`` bytes (default :func:`~plansite.pagefind_run.search_memory`). Bundles
    no longer used are removed from ``cache_dir``. ``None`` when ``cancelled``."""
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
