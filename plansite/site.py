"""Everything the build writes besides MkDocs' own pages: ``{site-relative path: content}``.

:func:`site_outputs` renders a whole loaded project in one go (the reference). The cached,
parallel build (:mod:`plansite.incremental`) writes the very same files, split in two:

- per plan (:func:`plan_outputs`): the plan's pages (overview, front matter, parts/chapters,
  whole text, source view), indicator table pages, table downloads, whole-plan text downloads
  (``downloads/<slug>.txt|md``) and ``api/plans/<slug>.json`` — a function of that plan's
  inputs, the registry, the templates and which of its indicators are compared across tables
  (:func:`compared_groups`), so they can be built in parallel and cached per plan;
- across plans (:func:`cross_outputs`): the home page, ``api/plans.json``, ``assets/t2s.json``,
  the indicator list and comparison pages with their downloads and the all-plans downloads —
  computed from small per-plan summaries (:class:`PlanCard`), never from the parsed documents.
"""

from __future__ import annotations

import array
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .api import api_files, plan_api, plans_index
from .cache import value_digest
from .comparisons import assemble_groups, build_groups, group_ids, group_members, group_tables, show_value
from .downloads import (comparison_csv, join_csv_rows, json_text, parsed_texts, plan_csv_rows, table_csv,
                        table_json)
from .jsontext import indented
from .indicator_pages import (ATTRIBUTE_LABELS, BASIS_LABELS, STATUS_LABELS, Crosslinks, _shown,
                              api_extra, comparison_charts, comparison_json, download_path,
                              find_mentions, indicator_outputs, indicator_url, row_url, row_views,
                              show, table_url)
from .pages import Renderer, unit_nodes
from . import parallel
from .parallel import ordered_map
from .project import PlanData, Project
from .reading import data_date
from .t2s import T2S_PATH, t2s_file, t2s_table
from .targets import GAP_THRESHOLD_PP, STATUSES, table_summary
from .texts import plan_markdown, plan_text, text_files


def page_path(url: str) -> str:
    """File path of the page at directory URL ``url``: ``"plans/a/"`` → ``"plans/a/index.html"``."""
    return f"{url}index.html"


def site_outputs(project: Project, templates: Path) -> dict[str, str]:
    """Render all generated pages and API files of ``project`` with the templates in ``templates``.

    A pure function of its inputs: same project and templates, same output, byte for byte; the
    cached, parallel build (:mod:`plansite.incremental`) writes exactly these files.
    """
    renderer = Renderer(project, templates)
    extra = None
    if project.registry is not None:
        links = find_mentions(project, renderer, project.registry)
        summaries = {d.plan.slug: [(t, table_summary(t, project.registry)) for t in d.tables]
                     for d in project.plans}  # once per plan, for every page (as plan_outputs)
        renderer.context_for = lambda data, unit: {
            "mentions": links.by_page[data.plan.slug].get(unit.url, []) if unit else [],
            "indicator_tables": _page_tables(unit, summaries[data.plan.slug])}
        extra = lambda data: api_extra(data, project.registry)  # noqa: E731
    outputs = {page_path(url): html for url, html in renderer.pages().items()}
    if project.registry is not None:
        outputs.update(indicator_outputs(project, renderer, project.registry, links))
    outputs.update(api_files(project, renderer, extra))
    outputs.update(text_files(project))
    outputs.update(t2s_file(project))
    return dict(sorted(outputs.items()))


def split_outputs(project: Project, templates: Path) -> dict[str, str]:
    """:func:`site_outputs` computed the way the cached build does (every plan on its own, then
    the cross-plan files from the cards); equal to it (a test checks)."""
    compared = compared_groups([(d.plan, d.tables) for d in project.plans], project.registry)
    outputs: dict[str, str] = {}
    cards = []
    for data in project.plans:
        files, card = plan_outputs(data, templates, project.registry, compared=compared)
        outputs.update(files)
        cards.append(card)
    outputs.update(cross_outputs(cards, templates, project.registry))
    return dict(sorted(outputs.items()))


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
    #: every distinct character of the plan's (corrected) source lines, sorted (for assets/t2s.json)
    chars: str = ""
    #: the plan's tables as ``downloads/all-indicators.json`` prints them (``None``: no tables)
    tables_json: str | None = None
    #: the plan's lines of ``downloads/all-indicators.csv`` before padding
    #: (:func:`plansite.downloads.plan_csv_rows`; ``None``: no tables)
    tables_csv: tuple | None = None
    #: sha256 of the plan's metadata and tables (what the indicator list, the comparisons and
    #: the all-plans downloads read of it, besides ``discussed``)
    digest: str = ""
    #: comparison group id → the (slug, table id) pairs of the plan's rows in that group
    groups: dict[str, frozenset] = field(default_factory=dict)


def compared_groups(plans: list, registry, known=None) -> frozenset[str]:
    """Ids of the comparison groups with rows from two tables or more, over ``plans``
    (``[(Plan, tables)]``): a plan's pages link an indicator of such a group to its comparison
    page, else to its row (``Group.compared``). Empty without a registry. ``known(slug)``
    (optional) gives a plan's :func:`plansite.comparisons.group_tables` when already found."""
    seen: dict[str, set] = {}
    for plan, tables in plans:
        found = known(plan.slug) if known is not None else None
        for gid, pairs in (found if found is not None else group_tables(plan.slug, tables, registry)).items():
            seen.setdefault(gid, set()).update(pairs)
    return frozenset(gid for gid, pairs in seen.items() if len(pairs) >= 2)


def plan_group_ids(tables: list, registry) -> list[str]:
    """Sorted ids of the comparison groups the rows of ``tables`` belong to."""
    if registry is None:
        return []
    of = group_ids(registry)
    return sorted({of[e.id] for t in tables for r in t.rows if (e := registry.resolve(r.key)) is not None})


class _Compared:
    """A stand-in comparison group for :func:`find_mentions` in one plan's build: ``entry``, and
    ``compared`` as in the whole project; ``rows`` the plan's own rows (all a mention can link)."""

    def __init__(self, group, compared: bool):
        self.entry, self.rows, self.compared = group.entry, group.rows, compared


def plan_outputs(data: PlanData, templates: Path, registry=None, bytecode_dir: Path | None = None,
                 compared: frozenset[str] = frozenset()) -> tuple[dict[str, str], PlanCard]:
    """Render one plan: ``({site path: text}, its PlanCard)``.

    The outputs are the plan's own files (pages under ``plans/<slug>/``, ``api/plans/<slug>.json``,
    ``downloads/<slug>-<table>.*``, ``downloads/<slug>.txt|md``); they depend only on ``data``,
    ``registry``, the templates and ``compared`` (:func:`compared_groups` of the whole project).
    """
    project = Project(Path("."), [data], registry)
    renderer = Renderer(project, templates, bytecode_dir)
    slug = data.plan.slug
    extra = None
    links = Crosslinks({slug: {}}, {slug: {}})
    if registry is not None:
        groups = [_Compared(g, g.entry.id in compared)
                  for g in build_groups([(data.plan, data.tables)], registry, row_url)]
        links = find_mentions(project, renderer, registry, groups=groups)
        summaries = [(t, table_summary(t, registry)) for t in data.tables]  # once, for every page
        renderer.context_for = lambda d, unit: {
            "mentions": links.by_page[slug].get(unit.url, []) if unit else [],
            "indicator_tables": _page_tables(unit, summaries)}
        # each table's JSON made once: the API (with its URLs added), its download and the card's
        jsons = [table_json(t, registry) for t in data.tables]
        texts = [indented(j, sort_keys=True) for j in jsons]
        # each row's parsed columns as CSV, once: its table's download and the card's all-plans lines
        parsed = [parsed_texts(t, registry) for t in data.tables]
        extra = lambda d: api_extra(d, registry, jsons)  # noqa: E731
    out = {page_path(url): html for url, html in renderer.plan_pages(data).items()}
    if registry is not None:
        out.update(_table_outputs(data, renderer, registry, links, compared, texts, parsed, summaries))
    made = renderer.made[slug]  # the outline, footnotes, division summary and inserted headings of the pages
    out[f"api/plans/{slug}.json"] = plan_api(data, renderer.urls[slug], extra, made["outline"])
    out[f"downloads/{slug}.txt"] = plan_text(data, made["footnotes"], made["editorial"])
    out[f"downloads/{slug}.md"] = plan_markdown(data, made["footnotes"], made["editorial"])
    discussed = {ind: [PageLink(u.url, u.title) for u in units]
                 for ind, units in links.by_indicator[slug].items()}
    chars = distinct_chars("".join([line.text for line in data.lines]))
    card = make_card(data.plan, data.tables, made["summary"], discussed, registry, chars,
                     texts if registry is not None else None, parsed if registry is not None else None)
    card.groups = group_tables(slug, data.tables, registry)
    return dict(sorted(out.items())), card


def distinct_chars(text: str) -> str:
    """Every distinct character of ``text``, sorted: ``"".join(sorted(set(text)))``, faster.

    A set of a str makes a one-character string of every CJK character read; its UTF-32 code
    units (an ``array`` of ints, surrogates passed through) are set and sorted a few times faster,
    in the same order (strings of one character sort by code point)."""
    units = array.array("I")
    units.frombytes(text.encode("utf-32-le", "surrogatepass"))
    return "".join(map(chr, sorted(set(units))))


def make_card(plan, tables: list, summary: str, discussed: dict, registry=None, chars: str = "",
              table_texts: list[str] | None = None, parsed: list[list[str]] | None = None) -> PlanCard:
    """A :class:`PlanCard` with its derived fields (``tables_json``, ``tables_csv``, ``digest``;
    ``groups`` is left to the caller). ``table_texts`` (optional): each table's
    ``indented(table_json(t, registry), sort_keys=True)``, already made for its download;
    ``parsed`` (optional): each table's :func:`plansite.downloads.parsed_texts`, likewise."""
    tables_json = tables_csv = None
    if registry is not None and tables:
        if table_texts is None:
            table_texts = [indented(table_json(t, registry), sort_keys=True) for t in tables]
        # the text of indented([…], sort_keys=True): each item's lines indented two more spaces
        # (a JSON string holds no raw line break)
        tables_json = "[\n  " + ",\n  ".join(t.replace("\n", "\n  ") for t in table_texts) + "\n]"
        tables_csv = plan_csv_rows(plan.slug, tables, registry, parsed)
    # the seed checksum and the raw metadata are left out: a seed edit keeps the comparisons
    shown = dataclasses.replace(plan, sha256="", meta_data=None) if dataclasses.is_dataclass(plan) else plan
    digest = value_digest((shown, tables))
    return PlanCard(plan, tables, summary, discussed, chars, tables_json, digest=digest, tables_csv=tables_csv)


#: template helpers of the indicator pages (as :func:`plansite.indicator_pages.indicator_outputs`)
COMMON = {"show": show, "show_printed": show_value, "status_labels": STATUS_LABELS,
          "attribute_labels": ATTRIBUTE_LABELS, "basis_labels": BASIS_LABELS, "statuses": STATUSES,
          "num": _shown, "pct": _shown, "threshold": GAP_THRESHOLD_PP, "table_url": table_url,
          "indicator_url": indicator_url}


def _table_outputs(data: PlanData, renderer: Renderer, registry, links: Crosslinks,
                   compared: frozenset[str], texts: list[str], parsed: list[list[str]],
                   summaries: list[tuple]) -> dict[str, str]:
    """The plan's indicator table pages and downloads (the per-plan part of
    :func:`plansite.indicator_pages.indicator_outputs`); ``texts``: each table's JSON download
    without its final line break (``indented(table_json(t, registry), sort_keys=True)``);
    ``parsed``: each table's :func:`plansite.downloads.parsed_texts`; ``summaries``: each
    table's ``(table, table_summary(table, registry))``, made for the chapter pages already."""
    out: dict[str, str] = {}
    slug = data.plan.slug

    def group_url(entry):
        gid = entry.growth_of or entry.id
        return indicator_url(gid) if gid in compared else None

    for (table, summary), text, rows_csv in zip(summaries, texts, parsed):
        url = table_url(slug, table.id)
        csv_path, json_path = download_path(slug, table.id, "csv"), download_path(slug, table.id, "json")
        out[page_path(url)] = renderer.render(
            "indicator_table.html", url, data=data, plan=data.plan, table=table,
            rows=row_views(data, table, registry, links), summary=summary,
            csv_url=csv_path, json_url=json_path, urls=renderer.urls[slug], group_url=group_url,
            **COMMON)
        out[csv_path] = table_csv(table, registry, rows_csv)
        out[json_path] = text + "\n"  # = json_text(table_json(table, registry))
    return out


class _NoCache:
    def get(self, key):
        return None

    def put(self, key, text):
        pass


def cross_outputs(cards: list[PlanCard], templates: Path, registry=None,
                  bytecode_dir: Path | None = None, pages=None, salt: str = "") -> dict[str, str]:
    """The pages and files that span plans, from the plans' cards in display order: home page,
    ``api/plans.json``, ``assets/t2s.json`` and (with a registry) ``indicators/``,
    ``indicators/<id>/`` with ``downloads/indicator-<id>.csv|json``, and
    ``downloads/all-indicators.csv|json`` (the cross-plan part of ``indicator_outputs``).

    ``pages`` (optional): a store with ``get(key) -> text | None`` and ``put(key, text)``; the
    comparison pages, the traditional→simplified table and the all-plans downloads are kept there
    under a digest of ``salt`` (code, templates, registry) and what they read, and made again
    only when that changed."""
    pages = pages or _NoCache()
    renderer = Renderer(Project(Path("."), [], registry), templates, bytecode_dir)
    counts = {c.plan.slug: c.summary for c in cards}
    date_label, date = data_date([c.plan for c in cards])
    out = {"index.html": renderer.render("home.html", "", plans=cards, chapter_counts=counts,
                                         date_label=date_label, date=date),
           "api/plans.json": plans_index(cards)}

    def cached(key: str, make) -> str:
        text = pages.get(key)
        if text is None:
            text = make()
            pages.put(key, text)
        return text

    def key_of(*parts) -> str:
        return hashlib.sha256("|".join([salt, *map(str, parts)]).encode()).hexdigest()

    chars = distinct_chars("".join(card.chars for card in cards))
    t2s_key = key_of("t2s", hashlib.sha256(chars.encode()).hexdigest())
    if registry is None:
        out[T2S_PATH] = cached(t2s_key, lambda: _t2s_text(chars))
        return dict(sorted(out.items()))
    # The comparison groups are built only where a page must be made again, in the process making
    # it (a worker), each card's tables read there once (group_members): the indicator list reads
    # only each row's label and URL (listed), a comparison group's files build their group alone,
    # from the cards with rows in it (not all groups before the pool in this one process: at 300
    # plans 0.8 s of serial CPU)
    made: dict = {}
    members: dict[int, dict] = {}

    def members_of(n: int) -> dict:
        if n not in members:
            members[n] = group_members(cards[n].tables, registry)
        return members[n]

    def listed() -> list:
        return assemble_groups([(c.plan, members_of(n)) for n, c in enumerate(cards)], registry, row_url,
                               listed=True)

    def group(gid: str):
        if gid not in made:
            having = sorted(n for n in reading.get(gid, ()) if gid in cards[n].groups)
            made[gid] = assemble_groups([(cards[n].plan, members_of(n)) for n in having], registry, row_url,
                                        only=gid)[0]
        return made[gid]

    pairs: dict[str, set] = {}
    reading: dict[str, set[int]] = {}  # group or indicator id → positions of the cards naming it
    for n, c in enumerate(cards):
        for gid, found in c.groups.items():
            pairs.setdefault(gid, set()).update(found)
            reading.setdefault(gid, set()).add(n)
        for i in c.discussed:
            reading.setdefault(i, set()).add(n)
    growth: dict[str, list[str]] = {}
    for e in registry.entries:
        if e.growth_of:
            growth.setdefault(e.growth_of, []).append(e.id)
    everything = key_of("all", *[c.plan.slug + c.digest for c in cards])

    def listing() -> str:
        groups = listed()
        compared = [g for g in groups if g.compared]
        single = [g for g in groups if not g.compared]
        by_table: dict[str, list] = {}
        for g in single:
            by_table.setdefault(f"{g.rows[0].label}（{g.rows[0].plan.short_title}）", []).append(g)
        return renderer.render("indicators.html", "indicators/", compared=compared, single=single,
                               single_by_table=by_table, **COMMON)

    def all_csv() -> str:  # a stored card reads its tables_csv back from its cache entry: once here
        return join_csv_rows([rows for rows in (c.tables_csv for c in sorted(cards, key=lambda c: c.plan.slug))
                              if rows is not None])

    # (cost, [(site path, store key, make)]): the traditional→simplified table (a worker's job
    # rather than serial work before the pool: 0.12 s of CPU under cProfile at 100 plans; handed
    # out after the three jobs reading every card, before the groups of as many cards), the
    # indicator list and the all-plans downloads (each reading every card: the costliest), then
    # each comparison group (cost: the cards involved)
    jobs: list[tuple[int, list]] = [
        (len(cards), [(T2S_PATH, t2s_key, lambda: _t2s_text(chars))]),
        (len(cards) + 1, [("indicators/index.html", everything + "-index", listing)]),
        (len(cards) + 1, [("downloads/all-indicators.csv", everything + "-csv", all_csv)]),
        (len(cards) + 1, [("downloads/all-indicators.json", everything + "-json", lambda: _all_tables_json(cards))])]
    for entry in registry.entries:
        gid = entry.id
        if entry.growth_of or len(pairs.get(gid, ())) < 2:
            continue  # not a comparison group, or nothing to compare
        ids = [gid] + growth.get(gid, [])
        # the cards in display order that have rows in the group or discuss one of its indicators
        involved = [cards[n] for n in sorted(set().union(*[reading.get(i, ()) for i in ids]))]
        key = key_of("indicator", gid, *[c.plan.slug + c.digest + repr([c.discussed.get(i) for i in ids])
                                         for c in involved])
        url = indicator_url(gid)
        csv_path, json_path = f"downloads/indicator-{gid}.csv", f"downloads/indicator-{gid}.json"

        def page(gid=gid, url=url, ids=ids, csv_path=csv_path, json_path=json_path, involved=involved):
            discussed = []
            for c in involved:
                links: dict[str, PageLink] = {}
                for i in ids:
                    for link in c.discussed.get(i, []):
                        links.setdefault(link.url, link)
                if links:
                    discussed.append((c.plan, list(links.values())))
            g = group(gid)
            return renderer.render("indicator.html", url, group=g, entry=g.entry, rows=g.rows,
                                   charts=comparison_charts(g), discussed=discussed, csv_url=csv_path,
                                   json_url=json_path, **COMMON)

        jobs.append((len(involved), [
            (page_path(url), key + "-page", page),
            (csv_path, key + "-csv", lambda gid=gid: comparison_csv(group(gid))),
            (json_path, key + "-json", lambda gid=gid: json_text(comparison_json(group(gid))))]))
    made_texts = _make_in_workers(jobs, pages)
    for _, files in jobs:
        for path, store_key, make in files:
            out[path] = cached(store_key, made_texts.pop(store_key, make))
    return dict(sorted(out.items()))


# Set in the building process just before the workers fork (see _make_in_workers): nothing is pickled.
_CROSS_JOBS: list = []
_CROSS_STORE: list = []


def _make_in_workers(jobs: list[tuple[int, list]], pages) -> dict:
    """The texts of ``jobs`` (``(cost, [(site path, store key, make)])``: the indicator list, the
    all-plans downloads and each comparison group's files) missing from ``pages``, made on every
    core (:func:`plansite.parallel.ordered_map`, costliest first): ``{store key: () -> the text
    made}``. Empty (the caller makes them) when fewer than two jobs need texts, or when another
    thread runs (a search index being built: no fork under running threads). The texts are those
    the caller would make.

    When ``pages`` can take a text written elsewhere (``write(key, text) -> record`` in the
    worker, ``note(key, record)`` here: :class:`plansite.crossfiles._Seen`), each worker stores
    the texts it made itself and only their records come back (at 300 plans about 75 MiB of text
    neither pickled through the pool's pipes nor written by this one process): those keys are
    then in ``pages`` and left out of the result."""
    wanted = []
    for cost, files in jobs:
        missing = {key: make for _, key, make in files if pages.get(key) is None}
        if missing:
            wanted.append((cost, missing))
    if len(wanted) < 2 or parallel.other_threads_running():
        return {}
    writes = hasattr(pages, "write") and hasattr(pages, "note")
    _CROSS_JOBS[:] = [missing for _, missing in wanted]
    _CROSS_STORE[:] = [pages] if writes else []
    try:
        costs = [cost for cost, _ in wanted]
        made = {}
        for texts in ordered_map(_cross_job, range(len(wanted)), cost=costs.__getitem__):
            if writes:
                for key, record in texts.items():
                    pages.note(key, record)
            else:
                made.update((key, lambda text=text: text) for key, text in texts.items())
        return made
    finally:
        _CROSS_JOBS.clear()
        _CROSS_STORE.clear()


def _cross_job(index: int) -> dict:
    """Worker job of :func:`_make_in_workers`: ``{store key: text}`` of comparison group ``index``,
    or ``{store key: record}`` when the worker stores the texts itself."""
    if _CROSS_STORE:
        store = _CROSS_STORE[0]
        return {key: store.write(key, make()) for key, make in _CROSS_JOBS[index].items()}
    return {key: make() for key, make in _CROSS_JOBS[index].items()}


def _t2s_text(chars: str) -> str:
    """``assets/t2s.json`` for the characters ``chars`` the plans use (as :func:`plansite.t2s.t2s_file`)."""
    table = t2s_table([chars])
    return json.dumps({"t": "".join(table), "s": "".join(table.values())}, ensure_ascii=False) + "\n"


def _all_tables_json(cards: list[PlanCard]) -> str:
    """``downloads/all-indicators.json`` from the cards' pre-serialised tables: the text of
    ``json_text({"plans": {slug: [table_json, …]}})``, plans sorted by slug, without encoding
    every plan again."""
    parts = sorted((slug, text) for slug, text in ((c.plan.slug, c.tables_json) for c in cards) if text is not None)
    if not parts:
        return json_text({"plans": {}})
    items = [f"    {json.dumps(slug, ensure_ascii=False)}: " + text.replace("\n", "\n    ")
             for slug, text in parts]
    return '{\n  "plans": {\n' + ",\n".join(items) + "\n  }\n}\n"


def _page_tables(unit, summaries: list[tuple]) -> list[tuple]:
    """The ``(table, summary)`` pairs of ``summaries`` whose indicator table the page ``unit``
    shows: every one on the plan's overview (``unit`` is ``None``), else those whose source lines
    meet a table printed on the page (its nodes walked once)."""
    if unit is None:
        return summaries
    if not summaries:
        return []
    spans = [n.lines for _, n in unit_nodes(unit) if n.kind == "table"]
    return [(t, s) for t, s in summaries
            if any(lines[0] <= t.lines[1] and t.lines[0] <= lines[1] for lines in spans)]
