"""Everything the build writes besides MkDocs' own pages: ``{site-relative path: content}``."""

from __future__ import annotations

from pathlib import Path

from .api import api_files
from .pages import Renderer
from .project import Project


def page_path(url: str) -> str:
    """File path of the page at directory URL ``url``: ``"plans/a/"`` → ``"plans/a/index.html"``."""
    return f"{url}index.html"


def site_outputs(project: Project, templates: Path) -> dict[str, str]:
    """Render all generated pages and API files of ``project`` with the templates in ``templates``.

    A pure function of its inputs: same project and templates, same output, byte for byte.
    """
    renderer = Renderer(project, templates)
    outputs = {page_path(url): html for url, html in renderer.pages().items()}
    outputs.update(api_files(project, renderer))
    return dict(sorted(outputs.items()))
