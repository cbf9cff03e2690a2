"""The search overlay: after an edit only the changed plans are indexed, into overlay bundles, and
the search page hides the shards' stale copies (and removed plans) with exact result counts.

The planner (:func:`plansite.searchplan.plan_index`) is checked on its own; a real build counts
the Pagefind runs and the pages each was given; Chromium compares the search page of an
incrementally built site with a clean build of the same inputs.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import update_checksum
from plansite import pagefind_run, search
from plansite.searchpages import bundle_page_ids, page_url
from plansite.searchplan import FORMAT, overlay_bound, plan_index, plan_shards, version_tag

SALT = "1.5.2"


def _held_of(bundles: dict[str, dict[str, str]]):
    return lambda name: bundles.get(name)


def _indexed(keys: dict[str, str], per_shard: int = 0):
    """The cache of a complete index of ``keys``: {folder: versions} and the state."""
    plan = plan_index(keys, SALT, None, lambda name: None, per_shard)
    assert plan.exclude == [] and len(plan.jobs) == len(plan_shards(keys, per_shard, SALT))
    held = {job.folder: dict(job.tags) for job in plan.jobs}
    return held, plan.state


def test_one_edit_indexes_that_plan_alone_and_hides_its_old_version():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(100)}
    held, state = _indexed(keys)
    edited = dict(keys, **{"plan-042": "edited" + "1" * 20})
    plan = plan_index(edited, SALT, state, _held_of(held))
    assert [(job.overlay, job.slugs) for job in plan.jobs] == [(True, ["plan-042"])]
    assert plan.exclude == [version_tag("plan-042", keys["plan-042"])]
    assert ("plan-plan-042/", plan.jobs[0].folder) in plan.bundles
    assert plan.state["overlay"] == {"plan-042": plan.jobs[0].folder}
    # the bases are the same folders as before
    assert plan.state["shards"] == state["shards"]
    # built again: nothing to index, the same exclusion
    held[plan.jobs[0].folder] = dict(plan.jobs[0].tags)
    again = plan_index(edited, SALT, plan.state, _held_of(held))
    assert again.jobs == [] and again.exclude == plan.exclude and again.bundles == plan.bundles


def test_an_added_plan_goes_to_the_overlay_and_a_removed_one_is_hidden():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(100)}
    held, state = _indexed(keys)
    changed = dict(keys)
    del changed["plan-007"]
    changed["plan-new"] = "n" * 24
    plan = plan_index(changed, SALT, state, _held_of(held))
    assert [job.slugs for job in plan.jobs] == [["plan-new"]] and plan.jobs[0].overlay
    assert plan.exclude == [version_tag("plan-007", keys["plan-007"])]


def test_the_overlay_is_folded_into_whole_shards_beyond_its_bound():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(100)}
    held, state = _indexed(keys)
    shards = plan_shards(keys, 0, SALT)
    bound = overlay_bound(100, len(shards))
    assert bound == 3  # 100 plans in 16 shards: 7 per shard
    # one plan edited in each of bound + 2 shards: two shards are indexed whole again
    edited_slugs = [shard.slugs[0] for shard in shards[:bound + 2]]
    edited = dict(keys, **{s: "e" * 24 for s in edited_slugs})
    plan = plan_index(edited, SALT, state, _held_of(held))
    overlays = [job for job in plan.jobs if job.overlay]
    whole = [job for job in plan.jobs if not job.overlay]
    assert len(overlays) == bound and len(whole) == 2 and len(plan.folded) == 2
    assert sorted(s for job in plan.jobs for s in job.slugs if s in edited_slugs) == sorted(edited_slugs)
    assert len(plan.exclude) == bound  # the folded shards hide nothing
    assert len(plan.bundles) == len(shards) + bound


def test_a_shard_mostly_stale_is_indexed_whole():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(100)}
    held, state = _indexed(keys)
    shard = next(s for s in plan_shards(keys, 0, SALT) if len(s.slugs) >= 5)
    half = len(shard.slugs) // 2 + 1  # more than half of the shard
    edited = {s: k for s, k in keys.items() if s not in shard.slugs[:half]}  # removed
    plan = plan_index(edited, SALT, state, _held_of(held), bound=100)
    assert [job.id for job in plan.jobs] == [shard.id] and not plan.jobs[0].overlay
    assert plan.exclude == [] and plan.folded == [shard.id]


def test_a_missing_or_untrusted_state_means_whole_shards():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(20)}
    held, state = _indexed(keys)
    edited = dict(keys, **{"plan-003": "e" * 24})
    for damaged in (None, dict(state, salt="1.5.3"), dict(state, format=FORMAT + 1), {"shards": 3}):
        plan = plan_index(edited, SALT, damaged, _held_of(held))
        assert [(job.overlay, "plan-003" in job.slugs) for job in plan.jobs] == [(False, True)]
        assert plan.exclude == []
    # a base whose bundle went away (or lost its listing) is no base either
    plan = plan_index(edited, SALT, state, lambda name: None)
    assert len(plan.jobs) == len(plan_shards(keys, 0, SALT)) and plan.exclude == []


# --- a real build: the Pagefind runs and the pages they read -------------------------------------


def _record_runs(monkeypatch) -> list[list[str]]:
    """Record, per Pagefind run, the site-relative paths of the pages it was given."""
    runs: list[list[str]] = []
    pages = pagefind_run.shard_pages

    def recording(shard, plan_dirs, hashes=None):
        given = list(pages(shard, plan_dirs, hashes))
        runs.append(sorted(rel for rel, _ in given))
        return iter(given)

    monkeypatch.setattr(pagefind_run, "shard_pages", recording)
    return runs


def _edit_word(root: Path, slug: str, old: str, new: str) -> None:
    seed = root / "seeds" / f"{slug}.txt"
    text = seed.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    seed.write_text(text.replace(old, new), encoding="utf-8")
    update_checksum(root, slug)


def _indexed_pages(site: Path, slug: str) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / "plans" / slug).rglob("*.html")
                  if "data-pagefind-body" in p.read_text(encoding="utf-8"))


def test_an_edit_runs_pagefind_over_the_edited_plans_pages_only(project, monkeypatch):
    from plansite.cli import build_site

    site = project / "site"
    runs = _record_runs(monkeypatch)
    build_site(project, site, quiet=True)
    assert len(runs) == 2  # 5 plans: two shards
    assert sorted(p for run in runs for p in run) == sorted(
        p for slug in ("cangshan-14th", "fuqing-14th-proposal", "fuzhou-15th", "taijiang-14th", "taishang-14th")
        for p in _indexed_pages(site, slug))
    assert not [p for p in site.rglob("*.html") if 'data-pagefind-filter="v:' in p.read_text(encoding="utf-8")]
    before = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert before["exclude"] == []
    runs.clear()
    rng = random.Random(3)
    from test_cache import edit_seed_line

    pages = _indexed_pages(site, "fuzhou-15th")
    old = {rel: (site / rel).read_bytes() for rel in pages}
    base_ids = {}  # url -> page id in the installed bundles, before the edit
    for bundle in [site / "pagefind"] + [site / "pagefind" / b for b in before["bundles"]]:
        base_ids.update(bundle_page_ids(bundle))
    edit_seed_line(project, "fuzhou-15th", rng)
    build_site(project, site, quiet=True)
    changed = sorted(rel for rel in pages if (site / rel).read_bytes() != old[rel])
    assert _indexed_pages(site, "fuzhou-15th") == pages and 1 <= len(changed) <= 2, changed
    # one run, over the edited plan's changed pages only (a page-level overlay)
    assert runs == [changed]
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert shards["bundles"] == before["bundles"] + ["plan-fuzhou-15th/"]
    # the base's copies of the changed pages are hidden by page id, not the plan by its version
    assert shards["exclude"] == [] and shards["hide"] == sorted(base_ids[page_url(rel)] for rel in changed)
    assert (site / "pagefind" / "plan-fuzhou-15th" / "pagefind.js").is_file()
    assert sorted(bundle_page_ids(site / "pagefind" / "plan-fuzhou-15th")) == [page_url(rel) for rel in changed]
    # the other shard's plan edited too: beyond the bound (1 plan), its whole shard is indexed
    runs.clear()
    edit_seed_line(project, "taijiang-14th", rng)
    build_site(project, site, quiet=True)
    assert len(runs) == 1 and runs[0] == sorted(_indexed_pages(site, "fuqing-14th-proposal")
                                                + _indexed_pages(site, "taijiang-14th"))
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == shards
    # the search cache deleted: a full sharded index, nothing excluded
    runs.clear()
    shutil.rmtree(project / ".cache" / "build" / "search")
    build_site(project, site, quiet=True)
    assert len(runs) == 2
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == before


def test_a_damaged_state_is_not_trusted(project, monkeypatch):
    from plansite.cli import build_site
    from test_cache import edit_seed_line

    site = project / "site"
    build_site(project, site, quiet=True)
    (project / ".cache" / "build" / "search" / "state.json").write_text("{\"format\": 1, \"shards\": [", encoding="utf-8")
    runs = _record_runs(monkeypatch)
    edit_seed_line(project, "fuzhou-15th", random.Random(4))
    build_site(project, site, quiet=True)
    assert len(runs) == 1 and [p for p in runs[0] if p.startswith("plans/cangshan-14th/")]  # fuzhou's whole shard
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["exclude"] == []


def test_a_pagefind_run_starts_before_the_cross_plan_pages(project, monkeypatch):
    """Each run starts once its plans are rendered (``incremental.build_plans`` tells the index),
    not after the whole build: the cross-plan step waits until a run has started (a run started
    only after the plans and cross-plan pages never would, and the test fails after 20 s)."""
    import threading

    from plansite import incremental
    from plansite.cli import build_site
    from test_cache import edit_seed_line

    site = project / "site"
    build_site(project, site, quiet=True)
    edit_seed_line(project, "fuzhou-15th", random.Random(5))
    started = threading.Event()
    seen: list[bool] = []
    index, cross = search.index_shard, incremental.add_cross_outputs

    def index_shard(shard, plan_dirs, out, cancelled=None, service=None):
        started.set()
        index(shard, plan_dirs, out, cancelled, service)

    def add_cross_outputs(*args, **kwargs):
        seen.append(started.wait(20))
        return cross(*args, **kwargs)

    monkeypatch.setattr(search, "index_shard", index_shard)
    monkeypatch.setattr(incremental, "add_cross_outputs", add_cross_outputs)
    build_site(project, site, quiet=True)
    assert seen == [True]
    assert (site / "pagefind" / "plan-fuzhou-15th" / "pagefind.js").is_file()


# --- the search page: an incremental site finds what a clean build finds -----------------------


def _unique_word(root: Path, slug: str, after: float = 0.5) -> str:
    """Four Chinese characters of a paragraph line in ``slug``'s seed, past the fraction
    ``after`` of its lines (the second half by default: a chapter's text, not a line an indicator
    file quotes), found nowhere else in the seeds."""
    from test_cache import _indicator_lines

    texts = {p.stem: p.read_text(encoding="utf-8") for p in (root / "seeds").glob("*.txt")}
    quoted = _indicator_lines(root, slug)
    lines = texts[slug].split("\n")
    for n, line in enumerate(lines, 1):
        if n < len(lines) * after or len(line) < 20 or "，" not in line or n in quoted or line.startswith(("#", "|", "<")) or "\t" in line:
            continue
        for m in re.finditer(r"[\u4e00-\u9fff]{4}", line[line.index("，"):]):
            if sum(t.count(m.group()) for t in texts.values()) == 1:
                return m.group()
    raise AssertionError(f"no unique word in {slug}")


def _pages_holding(site: Path, slug: str, word: str) -> list[str]:
    """The indexed pages of ``slug`` whose HTML holds ``word``."""
    return [rel for rel in _indexed_pages(site, slug) if word in (site / rel).read_text(encoding="utf-8")]


def _search(browser, url: str, query: str) -> tuple[str, list[str], list[str], list[str]]:
    """``(status line, result links, links of the pages holding the query as typed, plans listed)``."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "search/")
    page.focus("#q")
    page.keyboard.type(query)
    page.wait_for_function("() => /找到|失败/.test(document.querySelector('#search-status').textContent)")
    status = page.text_content("#search-status")
    while page.is_visible("#more"):
        page.click("#more")  # every result listed
    links = page.locator("#results li.result h2 a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    exact = page.locator("#results li.result.exact h2 a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    plans = page.locator("#plan option").all_inner_texts()
    context.close()
    return status, links, sorted(exact), plans


def _plans_option(root: Path, slugs: list[str]) -> None:
    config = root / "mkdocs.yml"
    text = re.sub(r"  - plansite(:\n      plans: .*)?\n", "  - plansite\n", config.read_text(encoding="utf-8"))
    config.write_text(text.replace("  - plansite\n", f"  - plansite:\n      plans: {json.dumps(slugs)}\n"),
                      encoding="utf-8")


def test_the_search_page_of_an_overlaid_index_equals_a_clean_build(project, tmp_path, browser):
    from plansite.cli import build_site
    from test_search_shards import _serve

    site = project / "site"
    slugs = sorted(p.stem for p in (project / "site_src" / "plans").glob("*.yml"))
    _plans_option(project, slugs)
    build_site(project, site, quiet=True)
    old, gone = _unique_word(project, "cangshan-14th"), _unique_word(project, "fuqing-14th-proposal")
    kept = _unique_word(project, "cangshan-14th", 0.85)  # in a page of cangshan the edit leaves alone
    new = "琥珀星河"
    assert len(_pages_holding(site, "cangshan-14th", kept)) == 1
    assert _pages_holding(site, "cangshan-14th", kept) != _pages_holding(site, "cangshan-14th", old)
    kept_page = _pages_holding(site, "cangshan-14th", kept)[0]
    kept_html = (site / kept_page).read_bytes()
    assert new not in "".join(p.read_text(encoding="utf-8") for p in (project / "seeds").glob("*.txt"))
    server = _serve(site)
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        first = {q: _search(browser, url, q) for q in (old, gone, kept)}
    finally:
        server.shutdown()
        server.server_close()
    # the test can fail: both words are found before the change
    assert [link for link in first[old][2] if "/cangshan-14th/" in link], first[old]
    assert [link for link in first[gone][2] if "/fuqing-14th-proposal/" in link], first[gone]
    assert "找到 1 个" in first[kept][0], first[kept]
    # an edit in cangshan and fuqing left out of the build (no other plan's key changes, so both
    # shards keep their base)
    _edit_word(project, "cangshan-14th", old, new)
    _plans_option(project, [s for s in slugs if s != "fuqing-14th-proposal"])
    build_site(project, site, quiet=True)
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    # cangshan's overlay holds its changed pages (its base copies hidden by page id); the removed
    # fuqing is excluded by its version
    assert "plan-cangshan-14th/" in shards["bundles"] and len(shards["exclude"]) == 1, shards
    assert shards["exclude"][0].startswith("fuqing-14th-proposal~") and 1 <= len(shards["hide"]) <= 2, shards
    overlay = bundle_page_ids(site / "pagefind" / "plan-cangshan-14th")
    assert page_url(kept_page) not in overlay and (site / kept_page).read_bytes() == kept_html
    assert len(overlay) == len(shards["hide"]) and len(overlay) < len(_indexed_pages(site, "cangshan-14th")) // 2
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns(".cache", "site"))
    build_site(clean, clean / "site", quiet=True)
    assert json.loads((clean / "site" / "pagefind" / "shards.json").read_text(encoding="utf-8"))["exclude"] == []
    found = []
    for folder in (site, clean / "site"):
        server = _serve(folder)
        try:
            url = f"http://127.0.0.1:{server.server_port}/"
            found.append({q: _search(browser, url, q) for q in (old, new, gone, kept, "数字经济", "营商环境")})
        finally:
            server.shutdown()
            server.server_close()
    overlaid, reference = found
    # the pages holding the query as typed, counted in the status line, and the plans listed are
    # those of the clean build; Pagefind ranks (and, for a query that is no word of a bundle,
    # splits it) by each bundle's own words, so the order and the pages holding only some of the
    # words may differ, except for words every bundle holds
    exact = lambda s: s.split("，")[0]  # noqa: E731 - "找到 N 个含“…”的页面" / "没有找到…"
    for query in overlaid:
        assert (exact(overlaid[query][0]), overlaid[query][2], overlaid[query][3]) == (
            exact(reference[query][0]), reference[query][2], reference[query][3]), query
    for query in ("数字经济", "营商环境"):
        assert overlaid[query][0] == reference[query][0] and "另有" in overlaid[query][0]
    assert not overlaid[old][2] and "找到 0 个" in overlaid[old][0], overlaid[old]
    assert overlaid[new][2] and all("/cangshan-14th/" in link for link in overlaid[new][2])
    assert "找到 1 个" in overlaid[new][0]
    # a word of an unchanged page of the edited plan: found once, from the base
    assert "找到 1 个" in overlaid[kept][0] and overlaid[kept][2] == [page_url(kept_page)], overlaid[kept]
    assert not [link for link in overlaid[gone][1] if "/fuqing-14th-proposal/" in link], overlaid[gone]
    assert len(overlaid["数字经济"][3]) == 5  # 全部规划 + the 4 plans built
    links = overlaid["数字经济"][1]
    assert len(links) == len(set(links))  # no page twice


@pytest.fixture(autouse=True)
def _tests_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
