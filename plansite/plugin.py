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

Under ``mkdocs serve`` the search index is rebuilt in a background thread after each rebuild, so
it never delays the preview; until it is done the previous index (or none, on the first build)
is served.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .cache import BuildCache
from .errors import PlansiteError
from .incremental import build_outputs
from .manifest import write_manifest
from .pages import page_context
from .search import BackgroundIndexer, build_search_index

log = logging.getLogger("mkdocs.plugins.plansite")


class PlansiteConfig(base.Config):
    """Options of the ``plansite`` plugin in ``mkdocs.yml``.

    ``root``: project root holding ``seeds/`` and ``site_src/`` (default: the folder of mkdocs.yml);
    ``templates``: the Jinja2 templates folder, relative to ``root``;
    ``plans``: build only these plan slugs (default: all);
    ``cache_dir``: the build cache, relative to ``root`` (default ``.cache/build``; safe to delete);
    ``cache``: ``false`` builds every plan afresh (the cache then lives in a temporary folder).
    """

    root = c.Optional(c.Dir(exists=True))
    templates = c.Type(str, default="templates")
    plans = c.ListOfItems(c.Type(str), default=[])
    cache_dir = c.Type(str, default=".cache/build")
    cache = c.Type(bool, default=True)


class PlansitePlugin(BasePlugin[PlansiteConfig]):
    """Generates the plan pages, source views and JSON API inside an MkDocs build."""

    def on_startup(self, *, command, dirty):
        """Called once per MkDocs command; keeps this plugin (and its state) across serve rebuilds."""
        self.serving = command == "serve"
        self.indexer = BackgroundIndexer() if self.serving else None

    def on_config(self, config):
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        # The sitemap carries build dates: leave it out so that builds are byte-identical.
        config.theme.static_templates.discard("sitemap.xml")
        return config

    def on_files(self, files: Files, *, config) -> Files:
        self.error = None
        self._tmp_cache = None
        if self.config.cache:
            cache = BuildCache(self.root / self.config.cache_dir)
        else:
            self._tmp_cache = tempfile.mkdtemp(prefix="plansite-cache-")
            cache = BuildCache(Path(self._tmp_cache))
        try:
            result = build_outputs(self.root, self.root / self.config.templates, cache,
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
        for path, source in result.plan_files:
            self._add(files, File.generated(config, path, abs_src_path=source))
        for path, content in result.cross.items():
            self._add(files, File.generated(config, path, content=content))
        self.project = result
        return files

    @staticmethod
    def _add(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)

    def _drop_tmp_cache(self) -> None:
        if getattr(self, "_tmp_cache", None):
            shutil.rmtree(self._tmp_cache, ignore_errors=True)
            self._tmp_cache = None

    def on_post_build(self, *, config):
        """After MkDocs wrote every page: post-build steps over the written HTML, manifest last.

        Under ``mkdocs serve`` the search index and manifest are made in the background."""
        self._drop_tmp_cache()
        site_dir = Path(config.site_dir)
        if getattr(self, "indexer", None) is not None:
            self.indexer.start(site_dir)
            return
        build_search_index(site_dir)
        write_manifest(site_dir)

    def on_build_error(self, *, error):
        self._drop_tmp_cache()

    def on_shutdown(self):
        if getattr(self, "indexer", None) is not None:
            self.indexer.stop()

    def on_page_context(self, context, *, page, config, nav):
        context.update(page_context(page.url))
        return context

    def on_template_context(self, context, *, template_name, config):
        context.update(page_context(""))
        return context
