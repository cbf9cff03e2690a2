"""The MkDocs plugin: adds Plansite's generated pages to an MkDocs build.

``mkdocs.yml``::

    plugins:
      - plansite

On ``on_files`` the whole project is loaded, parsed and rendered; every generated page and API
file joins MkDocs' file collection as a generated file, so ``mkdocs build`` writes them and
``mkdocs serve`` serves (and live-reloads) them. Input problems stop the build with one
``path:line: message`` line per problem and leave the old site in place.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .errors import PlansiteError
from .manifest import write_manifest
from .pages import page_context
from .project import load_project
from .search import build_search_index
from .site import site_outputs

log = logging.getLogger("mkdocs.plugins.plansite")


class DownloadFile(File):
    """A generated file copied as is: the whole-plan Markdown downloads (``downloads/<slug>.md``),
    which MkDocs would otherwise render as documentation pages."""

    def is_documentation_page(self) -> bool:
        return False


class PlansiteConfig(base.Config):
    """Options of the ``plansite`` plugin in ``mkdocs.yml``.

    ``root``: project root holding ``seeds/`` and ``site_src/`` (default: the folder of mkdocs.yml);
    ``templates``: the Jinja2 templates folder, relative to ``root``;
    ``plans``: build only these plan slugs (default: all).
    """

    root = c.Optional(c.Dir(exists=True))
    templates = c.Type(str, default="templates")
    plans = c.ListOfItems(c.Type(str), default=[])


class PlansitePlugin(BasePlugin[PlansiteConfig]):
    """Generates the plan pages, source views and JSON API inside an MkDocs build."""

    def on_config(self, config):
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        # The sitemap carries build dates: leave it out so that builds are byte-identical.
        config.theme.static_templates.discard("sitemap.xml")
        return config

    def on_files(self, files: Files, *, config) -> Files:
        self.error = None
        try:
            project = load_project(self.root, self.config.plans or None, progress=_log_parsed)
        except PlansiteError as exc:
            # Kept for build.py (plansite.cli.build_site), which prints exc.problems itself;
            # `mkdocs build` users see one ERROR line per problem.
            self.error = exc
            for problem in exc.problems:
                log.error("%s", problem)
            raise PluginError(f"{len(exc.problems)} input problem(s), listed above") from None
        outputs = site_outputs(project, self.root / self.config.templates)
        for data in project.plans:
            prefix = f"plans/{data.plan.slug}/"
            log.info("plansite: rendered %s (%d files)", data.plan.slug,
                     sum(1 for path in outputs if path.startswith(prefix)))
        sitemap = files.get_file_from_path("sitemap.xml")
        if sitemap is not None and not sitemap.generated_by:
            files.remove(sitemap)  # the raw theme template, copied because it is no longer rendered
        for path, content in outputs.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            kind = DownloadFile if path.endswith(".md") else File
            files.append(kind.generated(config, path, content=content))
        self.project = project
        return files

    def on_post_build(self, *, config):
        """After MkDocs wrote every page: post-build steps over the written HTML, manifest last."""
        site_dir = Path(config.site_dir)
        build_search_index(site_dir)
        write_manifest(site_dir)

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



def _log_parsed(data) -> None:
    log.info("plansite: parsed %s (%d source lines, line model %s, levels %s, %d warnings)",
             data.plan.slug, len(data.seed), data.doc.line_model or "?", " ".join(data.doc.levels) or "-",
             len(data.doc.warnings))
    for problem in data.doc.warnings:
        log.info("warning: %s", problem)
