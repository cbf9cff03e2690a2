"""The MkDocs plugin: adds Plansite's generated pages to an MkDocs build.

``mkdocs.yml``::

    plugins:
      - plansite

On ``on_files`` the project is built by :mod:`plansite.incremental`: plans whose inputs are
unchanged come from the build cache (``.cache/build/``), the others are parsed and rendered on
every core; every generated page and API file joins MkDocs' file collection as a generated file
(per-plan files backed by their cached copy), so ``mkdocs build`` writes them and ``mkdocs
serve`` serves (and live-reloads) them. Input problems stop the build with one ``path:line:
message`` line per problem and leave the old site in place.

Under ``mkdocs serve`` an edit of plan inputs (seeds, plan metadata, corrections, indicator
files, the registry) is applied without a MkDocs rebuild: the changed plans are rebuilt and only
the files that changed are written into the served folder. Any other change (mkdocs.yml,
templates, hand-written pages) takes MkDocs' full rebuild, itself incremental through the cache.
The search index is rebuilt in a background thread after each rebuild, so it never delays the
preview; until it is done the previous index (or none, on the first build)
is served.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import tempfile
import threading
from urllib.parse import urlsplit
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .buildfolder import Wanted, linked_tree, staged_files, wanted_bytes
from .cache import BuildCache, code_version, digest, tree_digest
from .errors import PlansiteError
from .incremental import add_cross_outputs, build_outputs, build_plans
from .manifest import write_manifest
from .pages import page_context
from .search import BUNDLE_DIR, SHARD_PLANS, SHARDS_FILE, BackgroundIndexer, build_sharded_index, install_index

log = logging.getLogger("mkdocs.plugins.plansite")


class DownloadFile(File):
    """A generated file copied as is: the whole-plan Markdown downloads (``downloads/<slug>.md``),
    which MkDocs would otherwise render as documentation pages."""

    def is_documentation_page(self) -> bool:
        return False


class CachedFile(File):
    """A per-plan file kept in the build cache: hard-linked into the site (copied where links are
    not possible). Cache files are never rewritten in place (an entry is written whole and
    renamed), and an entry whose files changed since it was stored is not trusted
    (:meth:`plansite.cache.BuildCache.load` checks sizes and modification times), so a published
    file edited in place cannot leak into the next build."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        src, dest = self.abs_src_path, self.abs_dest_path
        try:
            try:
                os.link(src, dest)
            except FileNotFoundError:
                if not os.path.exists(src):
                    raise
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                os.link(src, dest)
            except FileExistsError:
                os.unlink(dest)
                os.link(src, dest)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP):
                exc.filename, exc.filename2 = dest, None  # a failure writing the site, not the cache
                raise
            try:
                shutil.copyfile(src, dest)
            except OSError as copy_exc:
                copy_exc.filename, copy_exc.filename2 = dest, None
                raise


class MarkdownCachedFile(CachedFile):
    """A cached ``downloads/<slug>.md``: copied as is, never rendered as a documentation page."""

    def is_documentation_page(self) -> bool:
        return False


class PlansiteConfig(base.Config):
    """Options of the ``plansite`` plugin in ``mkdocs.yml``.

    ``root``: project root holding ``seeds/`` and ``site_src/`` (default: the folder of mkdocs.yml);
    ``templates``: the Jinja2 templates folder, relative to ``root``;
    ``plans``: build only these plan slugs (default: all);
    ``cache_dir``: the build cache, relative to ``root`` (default ``.cache/build``; safe to delete);
    ``cache``: ``false`` builds every plan afresh (the cache then lives in a temporary folder);
    ``search_shard_plans``: plans per search index shard (default 0: about √N; see
    :mod:`plansite.search`);
    ``search``: ``false`` leaves the search index out (benchmarks; the search page then finds nothing).
    """

    root = c.Optional(c.Dir(exists=True))
    templates = c.Type(str, default="templates")
    plans = c.ListOfItems(c.Type(str), default=[])
    cache_dir = c.Type(str, default=".cache/build")
    cache = c.Type(bool, default=True)
    search_shard_plans = c.Type(int, default=SHARD_PLANS)
    search = c.Type(bool, default=True)


class PlansitePlugin(BasePlugin[PlansiteConfig]):
    """Generates the plan pages, source views and JSON API inside an MkDocs build.

    ``place_files`` (set by ``build.py build``, :mod:`plansite.mkdocs_run`, before the build):
    the generated files, the search index and the manifest are not written by MkDocs into its
    site folder; after the build :meth:`site_files` lists them with MkDocs' own output, for
    :func:`plansite.buildfolder.update_folder`, and :meth:`release` ends the build."""

    place_files = False

    def on_startup(self, *, command, dirty):
        """Called once per MkDocs command; keeps this plugin (and its state) across serve rebuilds."""
        self.serving = command == "serve"
        self.indexer = BackgroundIndexer() if self.serving else None

    def on_config(self, config):
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        # The sitemap carries build dates: leave it out so that builds are byte-identical.
        config.theme.static_templates.discard("sitemap.xml")
        return config

    def on_pre_build(self, *, config):
        if getattr(self, "indexer", None) is not None:
            self.indexer.cancel()  # the site folder is about to be cleaned

    def on_files(self, files: Files, *, config) -> Files:
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
        try:
            result = build_outputs(self.root, self.root / self.config.templates, self.cache,
                                   self.config.plans or None, log=log.info)
        except PlansiteError as exc:
            # Kept for build.py (plansite.cli.build_site), which prints exc.problems itself;
            # `mkdocs build` users see one ERROR line per problem.
            self.error = exc
            self._drop_tmp_cache()
            for problem in exc.problems:
                log.error("%s", problem)
            raise PluginError(f"{len(exc.problems)} input problem(s), listed above") from None
        log.info("plansite: %d plans (%d rebuilt, %d from the cache) in %.2f s",
                 len(result.cards), len(result.built), len(result.reused), result.seconds)
        sitemap = files.get_file_from_path("sitemap.xml")
        if sitemap is not None and not sitemap.generated_by:
            files.remove(sitemap)  # the raw theme template, copied because it is no longer rendered
        self._bundles = None
        if not self.place_files:
            added = [(MarkdownCachedFile if path.endswith(".md") else CachedFile).generated(
                config, path, abs_src_path=source) for path, source in result.plan_files]
            added += [(DownloadFile if path.endswith(".md") else File).generated(config, path, content=content)
                      for path, content in result.cross.items()]
            self._add_all(files, added)
        self.project = result
        self._shape = self._serve_shape(config)
        if getattr(self, "indexer", None) is None and self.config.search:
            # `mkdocs build`: index the cached pages while MkDocs writes the site
            self._search = _Background(lambda: self._make_index(None))
        return files

    def on_serve(self, server, *, config, builder):
        """Route `mkdocs serve` rebuilds through :meth:`_quick_rebuild` when it applies."""
        full = server.builder

        def rebuild():
            if not self._quick_rebuild(config):
                full()

        server.builder = rebuild
        return server

    def _serve_shape(self, config) -> str:
        """Digest of what MkDocs itself renders from (config, hand-written pages, templates, code)."""
        theme = [tree_digest(Path(d)) for d in config.theme.dirs if Path(d).is_relative_to(self.root)]
        return digest(code_version(), Path(config.config_file_path).read_bytes(),
                      tree_digest(Path(config.docs_dir)), *theme)

    def _quick_rebuild(self, config) -> bool:
        """Apply a serve rebuild without MkDocs when only plan inputs changed; ``False`` when a
        full MkDocs build is needed. Input problems are logged and the served site kept."""
        old = getattr(self, "project", None)
        if old is None or not hasattr(old, "plan_files") or self._serve_shape(config) != self._shape:
            return False
        if self.indexer is not None:
            self.indexer.cancel()
        templates = self.root / self.config.templates
        try:
            result = build_plans(self.root, templates, self.cache, self.config.plans or None, log=log.info)
        except PlansiteError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            log.error("plansite: the preview keeps the last good build")
            return True
        site = Path(config.site_dir)
        before, after = dict(old.plan_files), dict(result.plan_files)
        written = 0
        for path, source in result.plan_files:  # the edited pages first, then the rest
            if before.get(path) != source:
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).unlink(missing_ok=True)  # may be a hard link into the cache
                shutil.copyfile(source, site / path)
                written += 1
        try:
            add_cross_outputs(result, templates, self.cache)
        except PlansiteError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            return True
        for path in sorted(before.keys() - after.keys() - result.cross.keys()):
            (site / path).unlink(missing_ok=True)
        for path in sorted(old.cross.keys() - result.cross.keys() - after.keys()):
            (site / path).unlink(missing_ok=True)
        for path, text in result.cross.items():
            if old.cross.get(path) != text:
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_text(text, encoding="utf-8")
                written += 1
        self.project = result
        log.info("plansite: %d plans (%d rebuilt), %d files written in %.2f s",
                 len(result.cards), len(result.built), written, result.seconds)
        hashes = result.hashes
        if self.config.search:
            self.indexer.start(site, self._make_index, lambda: write_manifest(site, hashes))
        else:
            write_manifest(site, hashes)
        return True

    def _make_index(self, cancelled):
        result = self.project
        return build_sharded_index(result.dirs, result.keys, self.cache.folder / "search",
                                   self.config.search_shard_plans, cancelled=cancelled)

    @staticmethod
    def _add_all(files: Files, added: list[File]) -> None:
        """Append ``added`` to ``files``, replacing files of the same path: one lookup table for
        all (``Files.append`` drops MkDocs' table, so a lookup per file was quadratic)."""
        by_path = files.src_uris
        for existing in {by_path[f.src_uri] for f in added if f.src_uri in by_path}:
            files.remove(existing)
        for file in added:
            files.append(file)

    def site_files(self, staging: Path) -> dict[str, Wanted]:
        """With ``place_files``, after the build: every file of the site (site path →
        :class:`~plansite.buildfolder.Wanted`): MkDocs' output in ``staging``, overridden by the
        per-plan files (hard links to the cache) and the cross-plan files, and ``pagefind/``
        from the search bundles (hard links; their hashes remembered in the cache folder)."""
        wanted = staged_files(staging)
        result = self.project
        for path, source in result.plan_files:
            sha, size = result.hashes[path]
            wanted[path] = Wanted(sha, size, link=source)
        for path, text in result.cross.items():
            wanted[path] = wanted_bytes(text.encode("utf-8"))
        if self._bundles is not None:
            for path in [p for p in wanted if p.startswith(f"{BUNDLE_DIR}/")]:
                del wanted[path]
            memo = self.cache.get_object(".", "search-files")
            memo = memo if isinstance(memo, dict) else {}  # missing or damaged: bundles read again
            used: set[str] = set()
            for rel, folder in self._bundles:
                wanted.update(linked_tree(folder, f"{BUNDLE_DIR}/{rel}", memo, used))
            extra = [rel for rel, _ in self._bundles if rel]
            wanted[f"{BUNDLE_DIR}/{SHARDS_FILE}"] = wanted_bytes((json.dumps({"bundles": extra}) + "\n").encode())
            if used != memo.keys():
                self.cache.put_object(".", "search-files", {key: memo[key] for key in used})
        return wanted

    def release(self) -> None:
        """With ``place_files``: the build is over (its temporary cache, if any, is removed)."""
        self._drop_tmp_cache()

    def _drop_tmp_cache(self) -> None:
        if getattr(self, "_tmp_cache", None):
            shutil.rmtree(self._tmp_cache, ignore_errors=True)
            self._tmp_cache = None

    def on_post_build(self, *, config):
        """After MkDocs wrote every page: the search index, manifest last.

        Under ``mkdocs serve`` the search index and manifest are made in the background."""
        site_dir = Path(config.site_dir)
        hashes = self.project.hashes
        if self.place_files:  # the files are placed by build.py (site_files), after the build
            self._bundles = self._search.result() if self._search is not None else None
            return
        if getattr(self, "indexer", None) is not None and self.config.search:
            self.indexer.start(site_dir, self._make_index, lambda: write_manifest(site_dir, hashes))
            return
        try:
            if self._search is not None:
                install_index(self._search.result(), site_dir)
        finally:
            self._drop_tmp_cache()
        write_manifest(site_dir, hashes)

    def on_build_error(self, *, error):
        if getattr(self, "_search", None) is not None:
            try:
                self._search.result()
            except Exception:  # noqa: BLE001 - the build failed already
                pass
        self._drop_tmp_cache()

    def on_shutdown(self):
        if getattr(self, "indexer", None) is not None:
            self.indexer.stop()

    def on_page_context(self, context, *, page, config, nav):
        context.update(page_context(page.url))
        return context

    def on_template_context(self, context, *, template_name, config):
        if template_name == "404.html":
            # served at any missing URL, however deep: links from the site's root path (site_url)
            base = urlsplit(config.site_url or "/").path or "/"
            context.update(page_context("", base=base if base.endswith("/") else base + "/"))
        else:
            context.update(page_context(""))
        return context


class _Background:
    """``fn()`` run in a thread; :meth:`result` waits and returns its value or raises its error."""

    def __init__(self, fn):
        self._value = self._error = None
        self._thread = threading.Thread(target=self._run, args=(fn,), name="plansite-search", daemon=True)
        self._thread.start()

    def _run(self, fn):
        try:
            self._value = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
