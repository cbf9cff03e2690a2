"""Full-text search: the Pagefind index over the written HTML (``site/pagefind/``).

Run after MkDocs wrote every page and before ``manifest.json``. The *extended* Pagefind binary
(PyPI ``pagefind[extended]``) is required: only it segments Chinese text into words, so that a
query such as ``数字经济`` matches the words of the plans rather than single characters.

Only elements inside ``data-pagefind-body`` (the chapter pages' ``<article>``) are indexed; every
chapter carries ``data-pagefind-filter="plan:…"`` and ``data-pagefind-meta`` for the plan and
chapter names, and every section heading carries the section's node id, so that Pagefind's
sub-results link straight to ``chapter-5/#chapter-5-2``.

The index is sharded (:func:`build_sharded_index`): plans are spread over shards of about √N
plans (:data:`SHARD_PLANS`, :func:`shard_count`) by a hash of their slug, each shard is indexed by its own
Pagefind run (on every core, memory bounded by one shard per run) from the plans' cached pages,
and a shard's bundle is cached under the keys of its plans, so only shards holding a changed
plan are indexed again. The first shard's bundle is ``site/pagefind/`` (the search page loads
it as before); the others are ``site/pagefind/shard-<n>/``, listed in ``site/pagefind/shards.json``
(``{"bundles": ["shard-3/", …]}``, relative to ``pagefind/``), which the search page merges with
Pagefind's own ``mergeIndex``. With one shard the layout is the plain one, plus an empty
``shards.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from .errors import PlansiteError
from .parallel import cpu_count

BUNDLE_DIR = "pagefind"
SHARDS_FILE = "shards.json"
#: Plans per search shard (on average); ``0`` means about √N of N plans, which balances the two
#: costs: a one-plan edit re-indexes about this many plans, and the search page merges about
#: ``plans / per shard`` bundles (rounded up to a power of two).
SHARD_PLANS = 0
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


def build_search_index(site_dir: Path) -> Path:
    """Index the HTML written in ``site_dir`` with Pagefind; return the bundle folder ``site_dir/pagefind``.

    Runs the extended binary quietly (see :func:`pagefind_command`).
    A failing Pagefind run raises :class:`PlansiteError` with its output.
    """
    site_dir = Path(site_dir)
    cmd, env = pagefind_command(site_dir)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip() or f"exit code {proc.returncode}"
        raise PlansiteError.at(str(site_dir), 0, f"pagefind failed: {output}")
    bundle = site_dir / BUNDLE_DIR
    problem = bundle_problem(bundle)
    if problem:
        raise PlansiteError.at(str(bundle), 0, problem)
    return bundle


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


@dataclass
class Shard:
    """One search shard: its number ``id``, the ``slugs`` of its plans (sorted), and ``key``, the
    cache key of its bundle (all its plans' cache keys and the shard layout)."""

    id: int
    slugs: list[str]
    key: str


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
        shards.append(Shard(number, slugs, h.hexdigest()))
    return shards


def index_shard(shard: Shard, plan_dirs: dict[str, Path], out: Path,
                cancelled: threading.Event | None = None) -> None:
    """Index the pages under ``plans/<slug>/`` of the shard's plans (``plan_dirs[slug]``: a folder
    laid out like ``site/``) with one Pagefind run into the bundle folder ``out`` (written whole
    or not at all). Raises :class:`PlansiteError` when Pagefind fails; when ``cancelled`` is set
    the Pagefind process is killed and nothing is written."""
    out = Path(out)
    work = Path(tempfile.mkdtemp(prefix=f".shard-{shard.id}-", dir=out.parent))
    try:
        site = work / "site"
        for slug in shard.slugs:
            shutil.copytree(Path(plan_dirs[slug]) / "plans" / slug, site / "plans" / slug,
                            copy_function=os.link)
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
                        return
        if proc.returncode != 0:
            text = log_file.read_text(encoding="utf-8", errors="replace").strip() or f"exit code {proc.returncode}"
            raise PlansiteError.at(f"{BUNDLE_DIR}/shard-{shard.id}", 0, f"pagefind failed: {text}")
        problem = bundle_problem(work / "bundle")
        if problem:
            raise PlansiteError.at(f"{BUNDLE_DIR}/shard-{shard.id}", 0, problem)
        if out.exists():
            shutil.rmtree(out)
        os.replace(work / "bundle", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pagefind_memory(page_bytes: int) -> int:
    """Estimated peak RSS in bytes of one Pagefind run (extended 1.5.2, ``zh-cn``) over pages of
    ``page_bytes`` bytes in all: 64 MiB + 12 × ``page_bytes``. Measured on this project's pages
    (shards of 5–40 plans, 4.5–41 MB of HTML: 100–479 MiB peak, about 55 MiB + 11 × the size);
    rounded up."""
    return 64 * 2**20 + 12 * page_bytes


def search_memory() -> int:
    """The memory budget of the Pagefind runs in bytes: ``PLANSITE_SEARCH_MEMORY`` (MiB) when set
    to a positive number, else :data:`SEARCH_MEMORY`."""
    forced = os.environ.get("PLANSITE_SEARCH_MEMORY", "")
    return int(forced) * 2**20 if forced.isdigit() and int(forced) > 0 else SEARCH_MEMORY


def shard_bytes(shard: Shard, plan_dirs: dict[str, Path]) -> int:
    """Total size in bytes of the files under ``plans/<slug>/`` of the shard's plans (what its
    Pagefind run reads)."""
    total = 0
    for slug in shard.slugs:
        for folder, _, names in os.walk(Path(plan_dirs[slug]) / "plans" / slug):
            total += sum(os.stat(os.path.join(folder, n)).st_size for n in names)
    return total


def bounded_map(fn, items: list, costs: list[int], budget: int, workers: int) -> None:
    """``fn(item)`` for every item in threads, starting them in order: at most ``workers`` at
    once, and a further one only while the ``costs`` of those running plus its own stay within
    ``budget`` (an item costing more than ``budget`` runs alone). Waits for all; the first error
    raised by ``fn`` is raised here once the running calls have ended."""
    pending = list(zip(items, costs))
    running: dict = {}
    used = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while pending or running:
            while pending and len(running) < max(1, workers) and (not running or used + pending[0][1] <= budget):
                item, cost = pending.pop(0)
                running[pool.submit(fn, item)] = cost
                used += cost
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                used -= running.pop(future)
            for future in done:
                if future.exception() is not None:
                    pending.clear()
                    for other in running:
                        other.exception()  # wait for it
                    raise future.exception()


def build_sharded_index(plan_dirs: dict[str, Path], plan_keys: dict[str, str], cache_dir: Path,
                        per_shard: int = SHARD_PLANS, jobs: int | None = None,
                        cancelled: threading.Event | None = None,
                        memory: int | None = None) -> list[tuple[str, Path]]:
    """Make (or take from ``cache_dir``) the bundle of every shard of the plans.

    ``plan_dirs[slug]`` is a folder laid out like ``site/`` holding the plan's pages,
    ``plan_keys[slug]`` its cache key. Returns ``[(bundle path relative to site/pagefind/, bundle
    folder)]``, the first shard's bundle first with path ``""``. Missing shards are indexed on
    ``jobs`` cores at once, as long as their estimated Pagefind peaks (:func:`pagefind_memory` of
    :func:`shard_bytes`) fit together in ``memory`` bytes (default :func:`search_memory`; see
    :func:`bounded_map`). Bundles of other layouts are removed from ``cache_dir``.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    from importlib.metadata import version

    shards = plan_shards(plan_keys, per_shard, salt=version("pagefind_bin_extended"))
    folders = {s.id: cache_dir / f"shard-{s.id}-{s.key[:40]}" for s in shards}
    missing = [s for s in shards if bundle_problem(folders[s.id]) is not None]

    def run(shard: Shard) -> None:
        if cancelled is None or not cancelled.is_set():
            index_shard(shard, plan_dirs, folders[shard.id], cancelled)

    costs = [pagefind_memory(shard_bytes(s, plan_dirs)) for s in missing]
    bounded_map(run, missing, costs, search_memory() if memory is None else memory, jobs or cpu_count())
    keep = {f.name for f in folders.values()}
    for old in cache_dir.glob("shard-*"):
        if old.name not in keep and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return [("" if i == 0 else f"shard-{s.id}/", folders[s.id]) for i, s in enumerate(shards)]


def install_index(bundles: list[tuple[str, Path]], site_dir: Path) -> Path:
    """Put the shard bundles into ``site_dir/pagefind`` (replacing what is there; hard links to
    the cached bundles where the file system allows, else copies) with ``shards.json`` listing
    the extra bundles; returns the bundle folder."""
    target = Path(site_dir) / BUNDLE_DIR
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir))
    try:
        for rel, folder in bundles:
            # hard links where possible: bundles are written once by Pagefind and only read
            shutil.copytree(folder, staging / rel, dirs_exist_ok=True, copy_function=_link_or_copy)
        extra = [rel for rel, _ in bundles if rel]
        (staging / SHARDS_FILE).write_text(json.dumps({"bundles": extra}) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


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
        self._last: list[tuple[str, Path]] | None = None
        self._thread: threading.Thread | None = None
        self._cancelled = threading.Event()
        self._status = status or (lambda site_dir, stale, failed: None)
        self._lock = threading.Lock()  # a status and the decision to write it go together

    def start(self, site_dir: Path, make_index, finish=None) -> None:
        """Restore the last index into ``site_dir``, then run ``make_index(cancelled)`` (returning
        the bundles, see :func:`build_sharded_index`) in the background, install its result and
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
            bundles = make_index(cancelled)
            if cancelled.is_set():
                return
            install_index(bundles, site_dir)
            self._last = bundles
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
