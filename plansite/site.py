"""Everything the build writes besides MkDocs' own pages: ``{site-relative path: content}``.

The outputs split in two:

- per plan (:func:`plan_outputs`): the plan's pages, source view, indicator table pages, table
  downloads and ``api/plans/<slug>.json`` — a function of that plan's inputs, the registry and
  the templates only, so they can be built in parallel and cached per plan;
- across plans (:func:`cross_outputs`): the home page, ``api/plans.json``, the indicator
  comparison pages and the all-plans downloads — computed from small per-plan summaries
  (:class:`PlanCard`), never from the parsed documents.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .api import plan_api, plans_index
from .downloads import all_tables_csv, json_text, table_csv, table_json
from .indicator_pages import (ATTRIBUTE_LABELS, STATUS_LABELS, Crosslinks, api_extra, comparison_rows,
                              download_path, find_mentions, indicator_url, row_views, show, table_url)
from .pages import Renderer, division_summary, unit_nodes
from .project import PlanData, Project
from .targets import GAP_THRESHOLD_PP, table_summary


def page_path(url: str) -> str:
    """File path of the page at directory URL ``url``: ``"plans/a/"`` → ``"plans/a/index.html"``."""
    return f"{url}index.html"


@dataclass(frozen=True)
class PageLink:
    """A page a cross-plan page links to: site-relative ``url`` and ``title``."""

    url: str
    title: str


@dataclass
class PlanCard:
    """What the cross-plan pages need of one plan: its metadata ``plan``, indicator ``tables``,
    division ``summary`` (``"18篇 75章 …"``) and ``discussed`` (canonical indicator id → the
    :class:`PageLink` of the plan's pages that mention it, in reading order). Small and picklable."""

    plan: object
    tables: list = field(default_factory=list)
    summary: str = ""
    discussed: dict[str, list[PageLink]] = field(default_factory=dict)
    #: canonical indicator ids that have a row in the plan's tables
    row_ids: frozenset = frozenset()
    #: the plan's tables as ``downloads/all-indicators.json`` prints them (``None``: no tables)
    tables_json: str | None = None
    #: sha256 of what the cross-plan pages read from this card (plan, tables, links)
    digest: str = ""


def plan_outputs(data: PlanData, templates: Path, registry=None,
                 bytecode_dir: Path | None = None) -> tuple[dict[str, str], PlanCard]:
    """Render one plan: ``({site path: text}, its PlanCard)``.

    The outputs are the plan's own files (pages under ``plans/<slug>/``, ``api/plans/<slug>.json``,
    ``downloads/<slug>-<table>.*``); they depend only on ``data``, ``registry`` and the templates.
    """
    project = Project(Path("."), [data], registry)
    renderer = Renderer(project, templates, bytecode_dir)
    slug = data.plan.slug
    extra = None
    links = Crosslinks({slug: {}}, {slug: {}})
    if registry is not None:
        links = find_mentions(project, renderer, registry)
        renderer.context_for = lambda d, unit: {
            "mentions": links.by_page[slug].get(unit.url, []) if unit else [],
            "indicator_tables": [(t, table_summary(t, registry)) for t in d.tables
                                 if unit is None or _shows(unit, t)]}
        extra = lambda d: api_extra(d, registry)  # noqa: E731
    out = {page_path(url): html for url, html in renderer.plan_pages(data).items()}
    if registry is not None:
        out.update(_table_outputs(data, renderer, registry, links))
    out[f"api/plans/{slug}.json"] = plan_api(data, renderer.urls[slug], extra)
    discussed = {ind: [PageLink(u.url, u.title) for u in units]
                 for ind, units in links.by_indicator[slug].items()}
    card = make_card(data.plan, data.tables, division_summary(data), discussed, registry)
    return dict(sorted(out.items())), card


def make_card(plan, tables: list, summary: str, discussed: dict, registry=None) -> PlanCard:
    """A :class:`PlanCard` with its derived fields (``row_ids``, ``tables_json``, ``digest``)."""
    row_ids = frozenset(e.id for t in tables for r in t.rows if registry is not None
                        and (e := registry.resolve(r.key)) is not None)
    tables_json = None
    if registry is not None and tables:
        tables_json = json.dumps([table_json(t, registry) for t in tables], ensure_ascii=False,
                                 sort_keys=True, indent=2)
    digest = hashlib.sha256(pickle.dumps((plan, tables, summary, sorted(discussed.items())),
                                         protocol=4)).hexdigest()
    return PlanCard(plan, tables, summary, discussed, row_ids, tables_json, digest)


_COMMON = {"show": show, "status_labels": STATUS_LABELS, "attribute_labels": ATTRIBUTE_LABELS,
           "threshold": GAP_THRESHOLD_PP, "table_url": table_url, "indicator_url": indicator_url}


def _table_outputs(data: PlanData, renderer: Renderer, registry, links: Crosslinks) -> dict[str, str]:
    """The plan's indicator table pages and downloads (the per-plan part of
    :func:`plansite.indicator_pages.indicator_outputs`)."""
    out: dict[str, str] = {}
    slug = data.plan.slug
    for table in data.tables:
        url = table_url(slug, table.id)
        csv_path, json_path = download_path(slug, table.id, "csv"), download_path(slug, table.id, "json")
        out[page_path(url)] = renderer.render(
            "indicator_table.html", url, data=data, plan=data.plan, table=table,
            rows=row_views(data, table, registry, links), summary=table_summary(table, registry),
            csv_url=csv_path, json_url=json_path, urls=renderer.urls[slug], **_COMMON)
        out[csv_path] = table_csv(table, registry)
        out[json_path] = json_text(table_json(table, registry))
    return out


class _NoCache:
    def get(self, key):
        return None

    def put(self, key, text):
        pass


def cross_outputs(cards: list[PlanCard], templates: Path, registry=None,
                  bytecode_dir: Path | None = None, pages=None, salt: str = "") -> dict[str, str]:
    """The pages and files that span plans, from the plans' cards in display order: home page,
    ``api/plans.json`` and (with a registry) ``indicators/``, ``indicators/<id>/`` and
    ``downloads/all-indicators.csv|json`` (the cross-plan part of ``indicator_outputs``).

    ``pages`` (optional): a store with ``get(key) -> text | None`` and ``put(key, text)``; the
    indicator pages and all-plans downloads are kept there under a digest of ``salt`` (code,
    templates, registry) and the cards they read, and rendered again only when one of those
    cards changed."""
    pages = pages or _NoCache()
    renderer = Renderer(Project(Path("."), [], registry), templates, bytecode_dir)
    counts = {c.plan.slug: c.summary for c in cards}
    out = {"index.html": renderer.render("home.html", "", plans=cards, chapter_counts=counts),
           "api/plans.json": plans_index(cards)}
    if registry is None:
        return dict(sorted(out.items()))
    project = Project(Path("."), cards, registry)

    def cached(key: str, make) -> str:
        text = pages.get(key)
        if text is None:
            text = make()
            pages.put(key, text)
        return text

    def key_of(*parts) -> str:
        return hashlib.sha256("|".join([salt, *map(str, parts)]).encode()).hexdigest()

    compared = [e for e in registry.entries if any(e.id in c.row_ids for c in cards)]
    rows_of: dict[str, list] = {}

    def rows(entry) -> list:
        if entry.id not in rows_of:
            rows_of[entry.id] = comparison_rows(project, registry, entry)
        return rows_of[entry.id]

    keys = {e.id: key_of("indicator", e.id, *[c.digest for c in cards
                                              if e.id in c.row_ids or e.id in c.discussed])
            for e in compared}
    out["indicators/index.html"] = cached(key_of("indicators", *[keys[e.id] for e in compared]), lambda: renderer.render(
        "indicators.html", "indicators/", entries=[(e, rows(e)) for e in compared], **_COMMON))
    for entry in compared:
        url = indicator_url(entry.id)
        out[page_path(url)] = cached(keys[entry.id], lambda entry=entry, url=url: renderer.render(
            "indicator.html", url, entry=entry, rows=rows(entry),
            discussed=[(c.plan, c.discussed[entry.id]) for c in cards if c.discussed.get(entry.id)],
            **_COMMON))
    everything = key_of("downloads", *[c.digest for c in cards])
    tables = {c.plan.slug: c.tables for c in cards}
    out["downloads/all-indicators.csv"] = cached(everything + "-csv", lambda: all_tables_csv(tables, registry))
    out["downloads/all-indicators.json"] = cached(everything + "-json", lambda: _all_tables_json(cards))
    return dict(sorted(out.items()))


def _all_tables_json(cards: list[PlanCard]) -> str:
    """``downloads/all-indicators.json`` from the cards' pre-serialised tables: the text of
    ``json_text({"plans": {slug: [table_json, …]}})``, plans sorted by slug, without encoding
    every plan again."""
    parts = sorted((c.plan.slug, c.tables_json) for c in cards if c.tables_json is not None)
    if not parts:
        return json_text({"plans": {}})
    items = [f"    {json.dumps(slug, ensure_ascii=False)}: " + text.replace("\n", "\n    ")
             for slug, text in parts]
    return '{\n  "plans": {\n' + ",\n".join(items) + "\n  }\n}\n"


def site_outputs(project: Project, templates: Path) -> dict[str, str]:
    """Render all generated pages and API files of ``project`` with the templates in ``templates``.

    A pure function of its inputs: same project and templates, same output, byte for byte; the
    cached, parallel build (:mod:`plansite.incremental`) writes exactly these files.
    """
    outputs: dict[str, str] = {}
    cards = []
    for data in project.plans:
        files, card = plan_outputs(data, templates, project.registry)
        outputs.update(files)
        cards.append(card)
    outputs.update(cross_outputs(cards, templates, project.registry))
    return dict(sorted(outputs.items()))


def _shows(unit, table) -> bool:
    """Whether the page ``unit`` shows the source lines where indicator ``table`` is printed."""
    return any(n.kind == "table" and n.lines[0] <= table.lines[1] and table.lines[0] <= n.lines[1]
               for _, n in unit_nodes(unit))
