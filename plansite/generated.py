"""The generated part of a build, without MkDocs: what the ``plansite`` plugin does between
MkDocs' events, as a class MkDocs is not needed to import or run.

:class:`GeneratedSite` builds every plan (from the cache or afresh), the cross-plan files and
the search index, and lists the files of the site for :func:`plansite.buildfolder.update_folder`.
:class:`plansite.plugin.PlansitePlugin` is one (inside an MkDocs build);
:func:`plansite.mkdocs_run.build_site` makes one with :func:`standalone` when MkDocs' own output
can be reused (:mod:`plansite.mkdocs_own`), so that a one-edit ``build.py build`` neither imports
nor runs MkDocs.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

from .buildfolder import Wanted, linked_tree, staged_files, wanted_bytes
from .cache import BuildCache
from .errors import PlansiteError
from .incremental import BuildOutputs, build_outputs
from .pagefind_run import BUNDLE_DIR
from .search import SHARDS_FILE, EarlyIndex, discard_service

log = logging.getLogger("mkdocs.plugins.plansite")

#: the names of the plugin's options (``mkdocs.yml``) a :class:`GeneratedSite` reads (their
#: defaults: :class:`plansite.plugin.PlansiteConfig`)
OPTIONS = ("root", "templates", "plans", "cache_dir", "cache", "search_shard_plans", "search")


class GeneratedSite:
    """The generated files of one build. Reads ``self.root`` (the project root, resolved
    :class:`~pathlib.Path`) and ``self.config`` (the plugin's options by attribute:
    :data:`OPTIONS`); ``place_files``: the files are placed by ``build.py build``
    (:meth:`site_files`), not written by MkDocs.

    After :meth:`build_generated`: ``project`` (the :class:`~plansite.incremental.BuildOutputs`),
    ``cache`` (the :class:`~plansite.cache.BuildCache`), ``error`` (the :class:`PlansiteError`
    of a build refused for bad input, else ``None``)."""

    place_files = False

    def build_generated(self, site_dir: str | None = None) -> BuildOutputs:
        """Build every plan and the cross-plan files; start the search index (when wanted and
        no serve indexer runs). With ``site_dir`` (``mkdocs build``, whose MkDocs copies the
        files), the workers make the folders of the plans they build there. Raises
        :class:`PlansiteError` (also kept in ``error``) with every input problem, each logged as
        an ERROR record first."""
        self.error = None
        self._tmp_cache = None
        self._search = None
        if self.config.cache:
            folder = self.root / self.config.cache_dir
            if getattr(self, "cache", None) is None or self.cache.folder != folder:
                self.cache = BuildCache(folder)  # kept across `mkdocs serve` rebuilds
        else:
            self._tmp_cache = tempfile.mkdtemp(prefix="plansite-cache-")
            self.cache = BuildCache(Path(self._tmp_cache))
        if self.place_files:  # build.py: superseded entries deleted in the background after it
            self.cache.defer_prune = True  # (plansite.mkdocs_run._discard_pruned)
        if getattr(self, "indexer", None) is None and self.config.search:
            # `mkdocs build`: each search index run starts once its plans' pages are rendered
            self._search = EarlyIndex(self.cache.folder / "search", self.config.search_shard_plans)
        elif not self.config.search:
            discard_service()  # started early by build.py (plansite.pfservice): no index wanted
        try:
            result = build_outputs(self.root, self.root / self.config.templates, self.cache,
                                   self.config.plans or None, log=log.info,
                                   plan_done=self._search.plan_done if self._search is not None else None,
                                   site_dir=site_dir,
                                   streamed=self._search.streamed_plans if self._search is not None else None)
        except PlansiteError as exc:
            # Kept for build.py (plansite.cli.build_site), which prints exc.problems itself;
            # `mkdocs build` users see one ERROR line per problem.
            self.error = exc
            if self._search is not None:
                self._search.cancel()
                self._search = None
            self._drop_tmp_cache()
            for problem in exc.problems:
                log.error("%s", problem)
            raise
        log.info("plansite: %d plans (%d rebuilt, %d from the cache) in %.2f s",
                 len(result.cards), len(result.built), len(result.reused), result.seconds)
        self._bundles = None
        self.project = result
        return result

    def take_index(self) -> None:
        """With ``place_files``, once the pages are built: wait for the search index (if any)."""
        self._bundles = self._search.result(self.project.dirs, self.project.keys) if self._search is not None else None

    def site_files(self, staging: Path, staged: dict[str, Wanted] | None = None) -> dict[str, Wanted]:
        """With ``place_files``, after the build: every file of the site (site path →
        :class:`~plansite.buildfolder.Wanted`): MkDocs' output in ``staging`` (or ``staged``,
        that output as already listed), overridden by the per-plan files (hard links to the
        cache) and the cross-plan files, and ``pagefind/`` from the search bundles (hard links;
        their hashes remembered in the cache folder)."""
        wanted = dict(staged) if staged is not None else staged_files(staging)
        result = self.project
        for path, source in result.plan_files:
            sha, size = result.hashes[path]
            wanted[path] = Wanted(sha, size, link=source)
        for path in result.cross:
            stored = result.cross.stored(path)  # kept in the build cache: hard-linked, not read
            wanted[path] = Wanted(stored[1], stored[2], link=stored[0]) if stored is not None \
                else wanted_bytes(result.cross[path].encode("utf-8"))
        if self._bundles is not None:
            for path in [p for p in wanted if p.startswith(f"{BUNDLE_DIR}/")]:
                del wanted[path]
            memo = self.cache.get_object(".", "search-files")
            memo = memo if isinstance(memo, dict) else {}  # missing or damaged: bundles read again
            known = set(memo)
            used: set[str] = set()
            for rel, folder in self._bundles.bundles:
                wanted.update(linked_tree(folder, f"{BUNDLE_DIR}/{rel}", memo, used))
            wanted[f"{BUNDLE_DIR}/{SHARDS_FILE}"] = wanted_bytes(self._bundles.shards_json())
            if used != known:  # a bundle listed for the first time, or one no longer used
                self.cache.put_object(".", "search-files", {key: memo[key] for key in used})
        return wanted

    def abandon(self) -> None:
        """The build failed: its search index is not wanted, its temporary cache is removed."""
        if getattr(self, "_search", None) is not None:
            self._search.cancel()
        self._drop_tmp_cache()

    def release(self) -> None:
        """With ``place_files``: the build is over (its temporary cache, if any, is removed)."""
        self._drop_tmp_cache()

    def _drop_tmp_cache(self) -> None:
        if getattr(self, "_tmp_cache", None):
            shutil.rmtree(self._tmp_cache, ignore_errors=True)
            self._tmp_cache = None


def standalone(root: Path, options: dict) -> GeneratedSite:
    """A :class:`GeneratedSite` outside MkDocs, placing its files (``build.py build``), for the
    project ``root`` (resolved) with the plugin's validated ``options`` (:data:`OPTIONS` →
    value, as an MkDocs build of the same ``mkdocs.yml`` gave them)."""
    site = GeneratedSite()
    site.root = Path(root)
    site.config = SimpleNamespace(**{name: options[name] for name in OPTIONS})
    site.place_files = True
    return site
