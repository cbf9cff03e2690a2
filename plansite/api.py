"""The JSON API: ``api/plans.json`` and ``api/plans/<slug>.json``.

Shapes (documented for readers in ``site_src/pages/about.md``)::

    api/plans.json        {"plans": [{"slug", "title", "region", "kind", "period": {"start", "end"}, "url", "api"}]}
    api/plans/<slug>.json plan metadata + {"source": {...}, "dropped": [...],
                          "structure": {"line_model", "levels"}, "outline": [node, ...]}
    node                  {"id", "kind", "number", "title", "url", "lines": [first, last], "children": [node, ...]}

URLs in the API are site-relative (``plans/fuzhou-15th/chapter-5/#chapter-5-2``).
"""

from __future__ import annotations

from .jsontext import indented
from .pages import Renderer, outline_tree, plan_url
from .project import PlanData, Project


def dumps(data) -> str:
    """Deterministic JSON text: UTF-8 characters kept, two-space indent, trailing newline."""
    return indented(data) + "\n"


def plan_summary(data: PlanData) -> dict:
    """The entry of one plan in ``api/plans.json``."""
    p = data.plan
    return {
        "slug": p.slug, "title": p.title, "region": p.region, "kind": p.kind,
        "period": {"start": p.period.start, "end": p.period.end},
        "url": plan_url(p.slug), "api": f"api/plans/{p.slug}.json",
    }


def plan_detail(data: PlanData, urls: dict[str, str], outline: list[dict] | None = None) -> dict:
    """``api/plans/<slug>.json``: metadata, provenance and outline (see module docstring);
    ``outline``: ``outline_tree(data, urls)`` when already made (the overview page's)."""
    p = data.plan
    detail = plan_summary(data)
    detail.update({
        "short_title": p.short_title, "kind_label": p.kind_label, "level": p.level,
        "parent_region": p.parent_region,
        "period": {"start": p.period.start, "end": p.period.end, "vision": p.period.vision},
        "issuer": p.issuer, "doc_number": p.doc_number, "approved_by": p.approved_by,
        "approved_on": p.approved_on, "issued_on": p.issued_on,
        "source": {"file": p.source, "sha256": p.sha256, "lines": len(data.seed),
                   "url": f"plans/{p.slug}/source/"},
        "corrections": [{"line": c.line, "find": c.find, "replace": c.replace, "insert": c.insert,
                         "reason": c.reason} for c in data.corrections],
        "dropped": [{"line": d.line, "text": d.text, "rule": d.rule} for d in data.doc.dropped],
        "structure": {"line_model": data.doc.line_model, "levels": list(data.doc.levels)},
        "outline": outline if outline is not None else outline_tree(data, urls),
    })
    return detail


def plans_index(plans) -> str:
    """``api/plans.json`` for ``plans`` (objects with a ``.plan``), in display order."""
    return dumps({"plans": [plan_summary(d) for d in plans]})


def plan_api(data: PlanData, urls: dict[str, str], extra=None, outline: list[dict] | None = None) -> str:
    """``api/plans/<slug>.json`` of one plan; ``urls`` are its node URLs (``Renderer.urls[slug]``),
    ``extra`` (optional) maps the plan to more top-level keys (indicator tables) and ``outline``
    (optional) is its ``outline_tree(data, urls)`` when already made."""
    detail = plan_detail(data, urls, outline)
    if extra:
        detail.update(extra(data))
    return dumps(detail)


def api_files(project: Project, renderer: Renderer, extra=None) -> dict[str, str]:
    """All API files as ``{site-relative path: JSON text}``.

    ``extra`` (optional) maps a slug to more top-level keys for that plan's JSON (indicator tables).
    """
    out = {"api/plans.json": plans_index(project.plans)}
    for data in project.plans:
        out[f"api/plans/{data.plan.slug}.json"] = plan_api(data, renderer.urls[data.plan.slug], extra)
    return out
