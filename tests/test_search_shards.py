"""The sharded search index: shard layout, cached bundles, and the search page merging them.

A collection is indexed in shards of about ``search_shard_plans`` plans; the search page merges
the extra bundles listed in ``pagefind/shards.json``. With one plan per shard the five plans
spread over several bundles, and the browser must find exactly what the one-bundle site finds.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest

from conftest import _QuietHandler, write_plan_pages
from plansite.searchplan import plan_shards, shard_count


def test_shard_layout_is_stable_and_covers_every_plan():
    keys = {f"plan-{i:04d}": f"k{i}" for i in range(1000)}
    shards = plan_shards(keys, 20)
    assert shard_count(1000, 20) == 64 and len(shards) <= 64
    assert sorted(s for shard in shards for s in shard.slugs) == sorted(keys)
    # a changed plan changes the key of its own shard only
    changed = dict(keys, **{"plan-0042": "edited"})
    before = {s.id: s.key for s in shards}
    after = {s.id: s.key for s in plan_shards(changed, 20)}
    assert [i for i in before if before[i] != after[i]] == [
        s.id for s in shards if "plan-0042" in s.slugs]
    assert shard_count(5, 20) == 1 and len(plan_shards(dict(list(keys.items())[:5]), 20)) == 1
    # the default: about √N plans per shard
    assert [shard_count(n) for n in (1, 4, 5, 100, 1000)] == [1, 2, 2, 16, 32]


def _build_with_shards(root, per_shard: int, build_py):
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - plansite\n", f"  - plansite:\n      search_shard_plans: {per_shard}\n"), encoding="utf-8")
    run = build_py("--root", root, "build", "--quiet", "--site", root / "site")
    assert run.returncode == 0, run.stderr
    return root


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory, build_py):
    from conftest import copy_project

    return _build_with_shards(copy_project(tmp_path_factory.mktemp("sharded") / "project"), 1, build_py)


@pytest.fixture(scope="module")
def single_bundle_site(tmp_path_factory, build_py):
    from conftest import copy_project

    root = _build_with_shards(copy_project(tmp_path_factory.mktemp("single") / "project"), 100, build_py)
    assert json.loads((root / "site" / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"bundles": [], "exclude": []}
    return root


def test_sharded_build_writes_the_bundles_it_lists_and_reuses_them(sharded_site, build_py):
    site = sharded_site / "site"
    bundles = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["bundles"]
    assert len(bundles) >= 2
    for bundle in bundles:
        assert (site / "pagefind" / bundle / "pagefind.js").is_file()
    folder = sharded_site / ".cache" / "build" / "search"
    cached = sorted(p.name for p in folder.iterdir())
    # each bundle folder with its listing of plan versions and its page listing, and the state
    assert len([p for p in folder.iterdir() if p.is_dir()]) == len(bundles) + 1
    assert len(cached) == 3 * (len(bundles) + 1) + 1 and "state.json" in cached
    assert len([name for name in cached if name.endswith(".pages.json")]) == len(bundles) + 1
    run = build_py("--root", sharded_site, "build", "--quiet", "--site", sharded_site / "site")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == cached


def _serve(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def _search(browser, url: str, query: str) -> tuple[str, list[str], list[str]]:
    context = browser.new_context()
    failures: list[str] = []
    context.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page = context.new_page()
    page.goto(url + "search/")
    page.focus("#q")
    page.keyboard.type(query)
    page.wait_for_selector("#results li.result")
    status = page.inner_text("#search-status")
    plans = page.locator("#plan option").all_inner_texts()
    context.close()
    assert not failures, failures
    return status, plans, failures


def test_the_search_page_merges_the_shards(sharded_site, single_bundle_site, browser):
    found = []
    for root in (sharded_site, single_bundle_site):
        server = _serve(root / "site")
        try:
            found.append(_search(browser, f"http://127.0.0.1:{server.server_port}/", "数字经济"))
        finally:
            server.shutdown()
            server.server_close()
    sharded, single = found
    assert "找到" in sharded[0]
    assert sharded[0] == single[0]              # same number of pages found
    assert sorted(sharded[1]) == sorted(single[1]) and len(sharded[1]) == 6   # 全部规划 + 5 plans


def test_an_incomplete_pagefind_bundle_fails_the_build_in_one_line(project, monkeypatch):
    """Pagefind 1.5.2 exits 0 when its writes fail (disk full): the build checks what it wrote."""
    from plansite import pagefind_run
    from plansite.cli import build_site
    from plansite.errors import PlansiteError

    def half_written(site_dir, output=None):
        out = output or site_dir / pagefind_run.BUNDLE_DIR
        # pagefind.js written, then the disk filled up: the entry file is cut short
        script = f"mkdir -p '{out}' && echo '//' > '{out}/pagefind.js' && printf '{{\"vers' > '{out}/pagefind-entry.json'"
        return ["sh", "-c", script], {}

    monkeypatch.setattr(pagefind_run, "pagefind_command", half_written)
    site = project / "site"
    with pytest.raises(PlansiteError) as err:
        build_site(project, site, quiet=True)
    assert len(err.value.problems) == 1
    line = str(err.value.problems[0])
    assert "pagefind-entry.json" in line and "\n" not in line
    assert not site.exists()  # nothing published
    assert pagefind_run.bundle_problem(project) == "pagefind wrote no pagefind.js (disk full?)"


def test_pagefind_runs_at_once_stay_within_the_memory_budget():
    import time

    from plansite.budget import bounded_map

    lock = threading.Lock()
    running: dict[int, int] = {}
    sums, counts, ran = [], [], []

    def job(i):
        with lock:
            running[i] = costs[i]
            sums.append(sum(running.values()))
            counts.append(len(running))
        time.sleep(0.05)
        with lock:
            del running[i]
            ran.append(i)

    costs = [3, 3, 3, 3, 1, 1, 9, 2]
    bounded_map(job, list(range(len(costs))), costs, budget=6, workers=4)
    assert sorted(ran) == list(range(len(costs)))
    # never more than the budget together, except the job above the budget, which ran alone
    assert all(s <= 6 or (s == 9 and c == 1) for s, c in zip(sums, counts))
    assert 9 in sums
    sums.clear(), counts.clear(), ran.clear()
    bounded_map(job, list(range(len(costs))), costs, budget=100, workers=2)
    assert max(counts) <= 2 and sorted(ran) == list(range(len(costs)))


def test_a_failing_shard_stops_the_others_and_raises():
    from plansite.budget import bounded_map

    started = []

    def job(i):
        started.append(i)
        if i == 1:
            raise ValueError("pagefind failed")

    with pytest.raises(ValueError, match="pagefind failed"):
        bounded_map(job, list(range(20)), [1] * 20, budget=1, workers=2)
    assert len(started) < 20


def test_sharded_index_honours_the_memory_budget(tmp_path, monkeypatch):
    from plansite import pagefind_run, search

    dirs = {}
    for i in range(6):
        slug = f"plan-{i}"
        folder = tmp_path / "entries" / slug / "plans" / slug
        folder.mkdir(parents=True)
        (folder / "index.html").write_bytes(b"x" * 100_000)
        dirs[slug] = tmp_path / "entries" / slug
    lock = threading.Lock()
    now: list[int] = []
    most: list[int] = []
    sizes = []

    def fake_index(shard, plan_dirs, out, cancelled=None, service=None):
        sizes.append(pagefind_run.shard_bytes(shard, plan_dirs))
        with lock:
            now.append(shard.id)
            most.append(len(now))
            if len(now) > 1:
                together.set()
        together.wait(0.05 if budget_of_one else 5)  # a second run, when allowed, joins this one
        out.mkdir(parents=True)
        with lock:
            now.remove(shard.id)

    together = threading.Event()
    budget_of_one = True
    monkeypatch.setattr(search, "index_shard", fake_index)
    keys = {slug: "k" for slug in dirs}
    one_plan = pagefind_run.pagefind_memory(100_000)
    search.build_sharded_index(dirs, keys, tmp_path / "a", per_shard=1, jobs=4, memory=one_plan)
    assert most and max(most) == 1
    assert sorted(set(sizes)) and all(size % 100_000 == 0 for size in sizes) and sum(sizes) == 600_000
    most.clear()
    budget_of_one = False
    search.build_sharded_index(dirs, keys, tmp_path / "b", per_shard=1, jobs=4, memory=100 * one_plan)
    assert max(most) > 1  # the budget, not the code, kept the first run to one at a time


def _fake_plans(tmp_path, count: int) -> dict:
    """``{slug: folder}`` of ``count`` plans ``plan-<i>`` of two chapter pages each
    (:func:`conftest.write_plan_pages`), each in its own folder as in the build cache."""
    return {f"plan-{i}": write_plan_pages(tmp_path / "entries" / f"plan-{i}", f"plan-{i}",
                                          [f"plan-{i} chapter-1", f"plan-{i} chapter-2"]) for i in range(count)}


def test_a_streamed_run_gets_each_plans_pages_as_soon_as_it_and_those_before_it_are_rendered(tmp_path, monkeypatch):
    """With a service started early, the largest whole shard's run starts at its first plan and is
    given each plan's pages once that plan and those before it by slug are reported (always in
    that order: Pagefind's word index depends on the order of the pages)."""
    import time

    from plansite import pagefind_run, pfservice, search

    dirs = _fake_plans(tmp_path, 3)
    keys = {slug: "k" * 20 for slug in dirs}
    given: list[str] = []
    first = threading.Event()

    def fake_index(shard, plan_dirs, out, cancelled=None, service=None):
        for rel, data in pagefind_run.shard_pages(shard, plan_dirs):
            assert b'data-pagefind-filter="v:' in data
            given.append(rel)
            if len(given) == 2:
                first.set()
        out.mkdir(parents=True)

    pages = lambda slug: [f"plans/{slug}/chapter-1/index.html", f"plans/{slug}/chapter-2/index.html"]  # noqa: E731
    monkeypatch.setattr(search, "index_shard", fake_index)
    monkeypatch.setattr(pfservice, "waiting", lambda: True)
    early = search.EarlyIndex(tmp_path / "search", per_shard=3, jobs=2)  # one shard of the 3 plans
    early.plan_done("plan-0", dirs["plan-0"], keys)
    assert first.wait(10)  # the run started on plan-0 alone
    assert given == pages("plan-0")
    early.plan_done("plan-2", dirs["plan-2"], keys)
    time.sleep(0.3)
    assert given == pages("plan-0")  # plan-2 waits for plan-1
    layout = early.result(dirs, keys)  # plan-1 reported here
    assert given == pages("plan-0") + pages("plan-1") + pages("plan-2")
    assert [job.slugs for job in layout.runs] == [["plan-0", "plan-1", "plan-2"]]
    # without a service waiting, the run starts once all its plans are rendered
    given.clear()
    monkeypatch.setattr(pfservice, "waiting", lambda: False)
    early = search.EarlyIndex(tmp_path / "search2", per_shard=3, jobs=2)
    early.plan_done("plan-2", dirs["plan-2"], keys)
    early.plan_done("plan-0", dirs["plan-0"], keys)
    assert given == [] and early._threads == []
    early.result(dirs, keys)
    assert given == pages("plan-0") + pages("plan-1") + pages("plan-2")


def test_a_streamed_run_waiting_for_a_plan_never_rendered_ends(tmp_path, monkeypatch):
    from plansite import pagefind_run, pfservice, search
    from plansite.errors import PlansiteError

    dirs = _fake_plans(tmp_path, 3)
    keys = {slug: "k" * 20 for slug in dirs}
    monkeypatch.setattr(pfservice, "waiting", lambda: True)
    monkeypatch.setattr(search, "index_shard", lambda shard, plan_dirs, out, cancelled=None, service=None:
                        [None for _ in pagefind_run.shard_pages(shard, plan_dirs)])
    early = search.EarlyIndex(tmp_path / "search", per_shard=3, jobs=2)
    early.plan_done("plan-0", dirs["plan-0"], keys)
    with pytest.raises(PlansiteError, match="pages of plan-1 never rendered"):
        early.result()  # plan-1 and plan-2 never reported: the waiting run is stopped, not waited for
    early = search.EarlyIndex(tmp_path / "search", per_shard=3, jobs=2)
    early.plan_done("plan-0", dirs["plan-0"], keys)
    early.cancel()  # a failed build: returns (the run stops waiting)
    assert all(not thread.is_alive() for thread in early._threads)


def test_the_pagefind_version_is_read_from_the_distribution_metadata_without_importlib_metadata(tmp_path,
                                                                                             monkeypatch):
    """``pagefind_run.pagefind_version`` (the salt of every bundle key) is what
    ``importlib.metadata.version`` gives, read from the one ``.dist-info`` beside the package;
    with no such folder it asks ``importlib.metadata``."""
    import importlib.machinery
    import importlib.metadata
    import importlib.util

    from plansite import pagefind_run

    expected = importlib.metadata.version("pagefind_bin_extended")
    pagefind_run.pagefind_version.cache_clear()
    try:
        assert pagefind_run.pagefind_version() == expected
        # a copy of the package with a dist-info of another version beside it: read from there
        (tmp_path / "pagefind_bin_extended").mkdir()
        (tmp_path / "pagefind_bin_extended" / "__init__.py").write_text("", encoding="utf-8")
        info = tmp_path / "pagefind_bin_extended-9.8.7.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pagefind_bin_extended\nVersion: 9.8.7\n\n"
                                       "Version: 0.0.0 (in the description, not a header)\n", encoding="utf-8")
        spec = importlib.machinery.ModuleSpec("pagefind_bin_extended", None,
                                              origin=str(tmp_path / "pagefind_bin_extended" / "__init__.py"))
        monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
        pagefind_run.pagefind_version.cache_clear()
        assert pagefind_run.pagefind_version() == "9.8.7"
        # two dist-info folders (a stale one left beside): importlib.metadata decides
        (tmp_path / "pagefind_bin_extended-1.0.0.dist-info").mkdir()
        pagefind_run.pagefind_version.cache_clear()
        assert pagefind_run.pagefind_version() == expected
    finally:
        pagefind_run.pagefind_version.cache_clear()
