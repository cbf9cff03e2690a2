"""Everything the build writes besides MkDocs' own pages: ``{site-relative path: content}``."""

from __future__ import annotations

from pathlib import Path

from .api import api_files
from .indicator_pages import api_extra, find_mentions, indicator_outputs
from .pages import Renderer, unit_nodes
from .targets import table_summary
from .t2s import t2s_file
from .texts import text_files
from .project import Project


def page_path(url: str) -> str:
    """File path of the page at directory URL ``url``: ``"plans/a/"`` → ``"plans/a/index.html"``."""
    return f"{url}index.html"


def site_outputs(project: Project, templates: Path) -> dict[str, str]:
    """Render all generated pages and API files of ``project`` with the templates in ``templates``.

    A pure function of its inputs: same project and templates, same output, byte for byte.
    """
    renderer = Renderer(project, templates)
    extra = None
    if project.registry is not None:
        links = find_mentions(project, renderer, project.registry)
        renderer.context_for = lambda data, unit: {
            "mentions": links.by_page[data.plan.slug].get(unit.url, []) if unit else [],
            "indicator_tables": [(t, table_summary(t, project.registry)) for t in data.tables
                                 if unit is None or _shows(unit, t)]}
        extra = lambda data: api_extra(data, project.registry)  # noqa: E731
    outputs = {page_path(url): html for url, html in renderer.pages().items()}
    if project.registry is not None:
        outputs.update(indicator_outputs(project, renderer, project.registry, links))
    outputs.update(api_files(project, renderer, extra))
    outputs.update(text_files(project))
    outputs.update(t2s_file(project))
    return dict(sorted(outputs.items()))


def _shows(unit, table) -> bool:
    """Whether the page ``unit`` shows the source lines where indicator ``table`` is printed."""
    return any(n.kind == "table" and n.lines[0] <= table.lines[1] and table.lines[0] <= n.lines[1]
               for _, n in unit_nodes(unit))
