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

import logging
import os
import threading
import time
from urllib.parse import urlsplit
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .buildfolder import link_or_copy
from .cache import code_version, digest, tree_digest
from .errors import PlansiteError
from .gcpolicy import rare_collections
from .generated import GeneratedSite
from .crossfiles import add_cross_outputs, cross_view
from .incremental import build_plans
from .manifest import write_manifest
from .pages import page_context
from .preview import fast_watching, start_polling, stop_polling, write_status
from .search import SHARD_PLANS, BackgroundIndexer, build_sharded_index, install_index

log = logging.getLogger("mkdocs.plugins.plansite")


class DownloadFile(File):
    """A generated file copied as is: the whole-plan Markdown downloads (``downloads/<slug>.md``),
    which MkDocs would otherwise render as documentation pages."""

    def is_documentation_page(self) -> bool:
        return False


class CachedFile(File):
    """A per-plan file kept in the build cache, or a cross-plan text kept in its text store
    (:class:`plansite.cache.TextStore`): hard-linked into the site (copied where links are not
    possible). Cache files are never rewritten in place (an entry is written whole and renamed, a
    text under a new name), and one changed since it was stored is not trusted
    (:meth:`plansite.cache.BuildCache.load` and :meth:`plansite.cache.TextStore.stored` check
    sizes and modification times), so a published file edited in place cannot leak into the
    next build.

    ``placed``: the worker that built the plan linked the file into the site already, in this
    build (:attr:`plansite.incremental.BuildOutputs.placed`): nothing is left to do."""

    placed = False

    def copy_file(self, dirty: bool = False) -> None:
        if self.placed or (dirty and not self.is_modified()):
            return
        src, dest = self.abs_src_path, self.abs_dest_path
        try:
            try:
                link_or_copy(src, dest)
            except FileNotFoundError:
                if not os.path.exists(src):
                    raise
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                link_or_copy(src, dest)
            except FileExistsError:
                os.unlink(dest)
                link_or_copy(src, dest)
        except OSError as exc:
            exc.filename, exc.filename2 = dest, None  # a failure writing the site, not the cache
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


class PlansitePlugin(GeneratedSite, BasePlugin[PlansiteConfig]):
    """Generates the plan pages, source views and JSON API inside an MkDocs build.

    ``place_files`` (set by ``build.py build``, :mod:`plansite.mkdocs_run`, before the build):
    the generated files, the search index and the manifest are not written by MkDocs into its
    site folder; after the build :meth:`site_files` lists them with MkDocs' own output, for
    :func:`plansite.buildfolder.update_folder`, and :meth:`release` ends the build (these and
    the plan build itself are :class:`plansite.generated.GeneratedSite`'s, which needs no MkDocs)."""

    def on_startup(self, *, command, dirty):
        """Called once per MkDocs command; keeps this plugin (and its state) across serve rebuilds."""
        self.serving = command == "serve"
        self.indexer = BackgroundIndexer(status=write_status) if self.serving else None
        self._polling = None

    def on_config(self, config):
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        # The sitemap carries build dates: leave it out so that builds are byte-identical.
        config.theme.static_templates.discard("sitemap.xml")
        return config

    def on_pre_build(self, *, config):
        if getattr(self, "indexer", None) is not None:
            self.indexer.cancel()  # the site folder is about to be cleaned

    def on_files(self, files: Files, *, config) -> Files:
        try:
            result = self.build_generated(None if self.place_files else config.site_dir)  # (its folders made by the workers)
        except PlansiteError as exc:  # its problems are logged already, one ERROR line each
            raise PluginError(f"{len(exc.problems)} input problem(s), listed above") from None
        sitemap = files.get_file_from_path("sitemap.xml")
        if sitemap is not None and not sitemap.generated_by:
            files.remove(sitemap)  # the raw theme template, copied because it is no longer rendered
        if not self.place_files:
            added = [(MarkdownCachedFile if path.endswith(".md") else CachedFile).generated(
                config, path, abs_src_path=source) for path, source in result.plan_files]
            placed = result.placed
            for file in added:
                if file.src_uri in placed:
                    file.placed = True  # (linked by the worker that built its plan)
            for path in result.cross:
                source = result.cross.source(path)  # hard-linked from the build cache, not held in memory
                if source is None:
                    kind = DownloadFile if path.endswith(".md") else File
                    added.append(kind.generated(config, path, content=result.cross[path]))
                else:
                    kind = MarkdownCachedFile if path.endswith(".md") else CachedFile
                    added.append(kind.generated(config, path, abs_src_path=source))
            self._add_all(files, added)
        self._shape = self._serve_shape(config)
        return files

    def on_serve(self, server, *, config, builder):
        """Route `mkdocs serve` rebuilds through :meth:`_quick_rebuild` when it applies; edits of
        the ``watch:`` folders are noticed by native file events (:func:`plansite.preview.fast_watching`)."""
        self._polling = fast_watching(server)
        start_polling(self._polling)
        if not getattr(self, "serving", False):
            return server  # `mkdocs serve --clean`: MkDocs' own rebuilds
        full = server.builder

        def rebuild():
            with rare_collections():  # the server holds every plan's inputs: full scans are costly
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
        started = time.perf_counter()
        if self.indexer is not None:
            self.indexer.cancel(wait=False)  # it winds down while the plans are rebuilt
        templates = self.root / self.config.templates
        # superseded cache entries are deleted, and the files of the cached plans checked, after
        # the preview is served
        self.cache.defer_prune = self.cache.defer_checks = True
        try:
            result = build_plans(self.root, templates, self.cache, self.config.plans or None, log=log.info)
        except PlansiteError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            log.error("plansite: the preview keeps the last good build")
            return True
        finally:
            self.cache.defer_prune = self.cache.defer_checks = False
        built = time.perf_counter()
        site = Path(config.site_dir)
        before, after = dict(old.plan_files), dict(result.plan_files)
        written = 0
        # plans built again under their old key (their cache entry was found damaged): every file
        # placed again, the served one being perhaps a hard link to the damaged file
        again = tuple(f"{result.dirs[slug]}{os.sep}" for slug in result.built
                      if old.keys.get(slug) == result.keys.get(slug))
        # the edited plans' pages first (only those whose bytes changed), then the cross-plan files
        for path, source in result.plan_files:
            if (before.get(path) != source and old.hashes.get(path) != result.hashes.get(path)) or \
                    (again and source.startswith(again)):
                _place(source, site / path)
                written += 1
        placed, cross = time.perf_counter(), written
        try:
            if _same_cards(old, result):
                result.cross = old.cross  # the cross-plan files read nothing else that can change here
                _check_clash(result)
            else:
                add_cross_outputs(result, templates, self.cache)
        except PlansiteError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            return True
        for path in sorted(before.keys() - after.keys() - result.cross.keys()):
            (site / path).unlink(missing_ok=True)
        for path in sorted(old.cross.keys() - result.cross.keys() - after.keys()):
            (site / path).unlink(missing_ok=True)
        if result.cross is not old.cross:  # (kept whole above: nothing to compare or write)
            for path, text in result.cross.items():
                if old.cross.get(path) != text:
                    (site / path).parent.mkdir(parents=True, exist_ok=True)
                    (site / path).unlink(missing_ok=True)  # may be a hard link to a cache file
                    (site / path).write_text(text, encoding="utf-8")
                    written += 1
        self.project = result
        done = time.perf_counter()
        log.info("plansite: quick rebuild: %d plans (%d rebuilt); inputs and plans %.3f s, %d plan files "
                 "written %.3f s, cross-plan files %.3f s (%d written); %.3f s in all",
                 len(result.cards), len(result.built), built - started, cross, placed - built,
                 done - placed, written - cross, done - started)
        hashes, cache = _known_hashes(result), self.cache  # (the cross-plan files kept in the cache too)

        def finish():
            write_manifest(site, hashes)
            cache.drop_pruned()

        def check():
            for folder in cache.check_deferred():
                log.warning("%s:0: a file of this cached plan changed since it was stored (edited in place "
                            "through a hard link?); the preview may show it until the plan is built again, at "
                            "the next rebuild", folder)

        threading.Thread(target=check, name="plansite-check", daemon=True).start()

        if self.config.search:
            self.indexer.start(site, self._make_index, finish)
        else:
            threading.Thread(target=finish, name="plansite-manifest", daemon=True).start()
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

    def on_post_build(self, *, config):
        """After MkDocs wrote every page: the search index, manifest last.

        Under ``mkdocs serve`` the search index and manifest are made in the background."""
        if self.place_files:  # the files are placed by build.py (site_files), after the build
            self.take_index()
            return
        site_dir = Path(config.site_dir)
        hashes = _known_hashes(self.project)  # (for the manifest, which build.py makes itself)
        if getattr(self, "indexer", None) is not None and self.config.search:
            self.indexer.start(site_dir, self._make_index, lambda: write_manifest(site_dir, hashes))
            return
        try:
            if self._search is not None:
                install_index(self._search.result(self.project.dirs, self.project.keys), site_dir)
        finally:
            self._drop_tmp_cache()
        write_manifest(site_dir, hashes)

    def on_build_error(self, *, error):
        self.abandon()  # the build failed already: its index is not wanted

    def on_shutdown(self):
        if getattr(self, "indexer", None) is not None:
            self.indexer.stop()
        stop_polling(getattr(self, "_polling", None))
        if getattr(self, "cache", None) is not None:
            self.cache.drop_pruned()

    def on_env(self, env, *, config, files):
        """MkDocs' own theme templates (the hand-written pages' frame, ``404.html``) keep their
        compiled form in the build cache too, as the plan templates do: in their own folder
        named for the MkDocs version (MkDocs' environment has other options than plansite's,
        and Jinja2 checks a bytecode file only against the template source)."""
        if getattr(self, "cache", None) is not None:
            import jinja2
            import mkdocs

            folder = self.cache.jinja_dir / f"mkdocs-{mkdocs.__version__}"
            folder.mkdir(exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    def on_page_context(self, context, *, page, config, nav):
        context.update(page_context(page.url))
        context["serve_preview"] = bool(getattr(self, "serving", False))  # the search page's stale notice
        return context

    def on_template_context(self, context, *, template_name, config):
        if template_name == "404.html":
            # served at any missing URL, however deep: links from the site's root path (site_url)
            base = urlsplit(config.site_url or "/").path or "/"
            context.update(page_context("", base=base if base.endswith("/") else base + "/"))
        else:
            context.update(page_context(""))
        return context


def _same_cards(old, new) -> bool:
    """Whether the cross-plan files of ``new`` (a :class:`~plansite.incremental.BuildOutputs`)
    are those of ``old``: the same plans in the same order, the same templates, registry and code
    (``shared``), and every rebuilt plan's card equal to its old one. :func:`plansite.site.cross_outputs`
    reads nothing else (the templates are the same, or the serve rebuild is a full one)."""
    if new.shared != old.shared or len(new.cards) != len(old.cards):
        return False
    if any(a.plan.slug != b.plan.slug for a, b in zip(new.cards, old.cards)):
        return False
    before = {c.plan.slug: c for c in old.cards}
    rebuilt = set(new.built)
    return all(_cross_view(card) == _cross_view(before[card.plan.slug])
               for card in new.cards if card.plan.slug in rebuilt)


def _known_hashes(result) -> dict[str, tuple[str, int]]:
    """``{site path: (sha256 hex, size)}`` of the files a build copied from the build cache
    (:class:`~plansite.incremental.BuildOutputs`: its plan files' ``hashes`` and the cross-plan
    files kept in the cache, :meth:`~plansite.crossfiles.CrossFiles.stored`), for
    :func:`plansite.manifest.write_manifest`: they are not read and hashed again (the comparison
    pages and downloads grow with the number of plans)."""
    hashes = dict(result.hashes)
    for path in result.cross:
        stored = result.cross.stored(path)
        if stored is not None:
            hashes[path] = (stored[1], stored[2])
    return hashes


def _cross_view(card):
    """:func:`plansite.crossfiles.cross_view`: what the cross-plan files read of a card."""
    return cross_view(card)


def _check_clash(result) -> None:
    """The check :func:`plansite.crossfiles.add_cross_outputs` makes: no path is both a plan
    file and a cross-plan file (a slug named like a cross-plan folder)."""
    clash = {path for path, _ in result.plan_files} & result.cross.keys()
    if clash:
        raise PlansiteError.at("site_src/plans", 0, f"two sources for {sorted(clash)[0]}")


def _place(source: str, dest: Path) -> None:
    """Put the cached file ``source`` at ``dest`` in the served folder: a hard link (cache files
    are never rewritten in place), a copy where links are not possible."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)  # may be a hard link to a superseded cache file
    link_or_copy(source, str(dest))
