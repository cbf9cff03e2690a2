"""The `mkdocs serve` preview's parts: the live validation memo (unchanged files are not read
again, changed ones always are), the search index status, and the file watching set-up."""

from __future__ import annotations

import threading
import time

import pytest

from conftest import one_plan_project, update_checksum


def _validate_twice(project, memo_path, monkeypatch):
    """validate_inputs with the live memo; returns (inputs, seeds read) of a second run."""
    import plansite.check as check
    import plansite.checkmemo as checkmemo
    from plansite.cache import code_version
    from plansite.checkmemo import CheckMemo

    read = []
    real = check.read_seed

    def counting(root, plan, **options):
        read.append(plan.slug)
        return real(root, plan, **options)

    monkeypatch.setattr(check, "read_seed", counting)
    monkeypatch.setattr(checkmemo, "SETTLED_NS", 200_000_000)  # the copied files settle in 0.2 s
    time.sleep(0.3)

    def run():
        read.clear()
        memo = CheckMemo.live(memo_path, project, code_version())
        inputs = check.validate_inputs(project, memo)
        memo.save()
        return inputs, list(read)

    return run


def test_the_live_memo_reads_only_changed_files_and_reports_what_a_fresh_validation_does(project, tmp_path,
                                                                                           monkeypatch):
    from plansite.check import validate_inputs

    run = _validate_twice(project, tmp_path / "check.pickle", monkeypatch)
    first, read = run()
    assert not first.problems and len(read) == len(first.plans)
    again, read = run()
    assert read == []  # nothing changed: no seed read, decoded or hashed again
    fresh = validate_inputs(project)
    assert [(i.plan, i.seed_lines, i.corrections, i.tables) for i in again.plans] == \
           [(i.plan, i.seed_lines, i.corrections, i.tables) for i in fresh.plans]
    # an edited seed (with its checksum) is read again, the others are not
    seed = project / "seeds" / "cangshan-14th.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("，", "（预览），", 1), encoding="utf-8")
    update_checksum(project, "cangshan-14th")
    edited, read = run()
    assert read == ["cangshan-14th"] and not edited.problems
    assert any("（预览）" in line for i in edited.plans if i.plan.slug == "cangshan-14th" for line in i.seed)
    # at once, an edit of the same size (same clock tick possible) is still seen: the checksum no longer matches
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("（预览）", "（覆核）", 1), encoding="utf-8")
    assert seed.stat().st_size == len(text.encode("utf-8"))
    broken, _ = run()
    assert [str(p) for p in broken.problems] == [str(p) for p in validate_inputs(project).problems]
    assert any("cangshan-14th" in str(p) for p in broken.problems)


def test_the_background_index_marks_the_search_status_stale_then_fresh(tmp_path):
    from plansite.preview import read_status, write_status
    from plansite.search import BackgroundIndexer

    site = tmp_path / "site"
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "pagefind.js").write_text("//", encoding="utf-8")
    go = threading.Event()

    def make_index(cancelled):
        assert go.wait(30)
        return [("", bundle)]

    indexer = BackgroundIndexer(status=write_status)
    indexer.start(site, make_index)
    assert read_status(site) == {"stale": True, "failed": False}  # while the index is made
    go.set()
    indexer.wait(30)
    assert read_status(site) == {"stale": False, "failed": False}
    assert (site / "pagefind" / "pagefind.js").is_file()

    def failing(cancelled):
        raise OSError("disk full")

    indexer.start(site, failing)
    indexer.wait(30)
    assert read_status(site) == {"stale": True, "failed": True}  # the last index stays served
    assert (site / "pagefind" / "pagefind.js").is_file()


class _Server:
    """What fast_watching uses of MkDocs' LiveReloadServer: public attributes only."""

    def __init__(self):
        from watchdog.observers.polling import PollingObserver

        self.build_delay = 0.1
        self.observer = PollingObserver(timeout=0.5)


def test_fast_watching_swaps_in_a_native_observer_and_keeps_the_polling_one(tmp_path, caplog):
    from plansite.preview import BUILD_DELAY, fast_watching

    server = _Server()
    polling = server.observer
    made = object()
    assert fast_watching(server, make_observer=lambda: made) is polling
    assert server.observer is made and server.build_delay == BUILD_DELAY

    def broken():
        raise OSError(24, "inotify instance limit reached")

    server = _Server()
    polling = server.observer
    assert fast_watching(server, make_observer=broken) is None
    assert server.observer is polling  # polling stays, and a warning says so
    assert "noticed by polling" in caplog.text and "inotify instance limit" in caplog.text


def test_the_native_observer_reports_writes_not_reads(tmp_path):
    from watchdog.events import FileSystemEventHandler

    from plansite.preview import change_observer

    try:
        observer = change_observer()
    except OSError as exc:
        pytest.skip(f"no native file events here: {exc}")
    path = tmp_path / "seed.txt"
    path.write_text("一", encoding="utf-8")
    events = []
    handler = FileSystemEventHandler()
    handler.on_any_event = lambda event: events.append(event)
    observer.schedule(handler, str(tmp_path), recursive=True)
    observer.start()
    try:
        time.sleep(0.3)
        path.read_text(encoding="utf-8")  # the build reads every input: no event
        time.sleep(0.5)
        assert not [e for e in events if not e.is_directory], events
        path.write_text("二", encoding="utf-8")
        deadline = time.monotonic() + 10
        while not [e for e in events if not e.is_directory] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(e.src_path == str(path) for e in events)
    finally:
        observer.stop()
        observer.join(5)


def test_the_search_page_under_serve_shows_the_stale_notice_until_the_index_is_fresh(tmp_path, browser):
    """The search page as `mkdocs serve` renders it: the notice shows while search/status.json
    says stale (or failed) and goes away once it says fresh, without reloading the page."""
    import functools
    import http.server

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from conftest import _QuietHandler, copy_project
    from plansite.preview import write_status

    root = copy_project(tmp_path / "project")
    config_file = root / "mkdocs.yml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(
        "  - plansite\n", "  - plansite:\n      search: false\n"), encoding="utf-8")
    site = tmp_path / "site"
    config = load_config(config_file=str(config_file), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
        # MkDocs keeps plugin instances across configs loaded in one process: leave it as a build's
        config.plugins.on_startup(command="build", dirty=False)
    write_status(site, stale=True)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    page = browser.new_page()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/search/")
        notice = page.locator("#search-stale")
        notice.wait_for(state="visible", timeout=10_000)
        assert "搜索索引正在更新" in notice.inner_text()
        write_status(site, stale=True, failed=True)
        page.wait_for_function("document.getElementById('search-stale').textContent.includes('未能更新')",
                               timeout=10_000)
        write_status(site, stale=False)
        notice.wait_for(state="hidden", timeout=10_000)
        assert not failed, failed
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_a_new_index_run_does_not_wait_for_the_one_it_cancels(tmp_path):
    """The preview rebuild starts the next index at once; the cancelled run winds down in the
    background, and its late end neither installs its index nor calls the index fresh."""
    from plansite.preview import read_status, write_status
    from plansite.search import BackgroundIndexer

    site = tmp_path / "site"
    bundles = {}
    for name in ("old", "new"):
        bundles[name] = tmp_path / name
        bundles[name].mkdir()
        (bundles[name] / "pagefind.js").write_text(f"// {name}", encoding="utf-8")

    def slow_old(cancelled):
        assert cancelled.wait(30)
        time.sleep(1.0)  # a Pagefind run finishing after it was told to stop
        return [("", bundles["old"])]

    go = threading.Event()

    def new(cancelled):
        assert go.wait(30)
        return [("", bundles["new"])]

    indexer = BackgroundIndexer(status=write_status)
    indexer.start(site, slow_old)
    started = time.monotonic()
    indexer.start(site, new)
    assert time.monotonic() - started < 0.5  # did not wait for the old run's second
    assert read_status(site)["stale"]
    go.set()
    indexer.wait(30)
    assert (site / "pagefind" / "pagefind.js").read_text(encoding="utf-8") == "// new"
    assert read_status(site) == {"stale": False, "failed": False}


def test_the_cross_plan_files_do_not_read_the_seed_checksum(project, tmp_path):
    """The serve rebuild keeps the cross-plan files when the rebuilt plans' cards are equal but
    for the seed checksum and the raw metadata (plugin._cross_view): they must not read those."""
    import dataclasses

    from plansite.cache import BuildCache
    from plansite.incremental import build_outputs
    from plansite.plugin import _cross_view
    from plansite.site import PlanCard, cross_outputs

    def plain_card(card, **changes):  # a StoredCard (tables kept in its cache entry) as a plain card
        fields = {f.name: getattr(card, f.name) for f in dataclasses.fields(PlanCard) if f.init}
        return PlanCard(**{**fields, **changes})

    out = build_outputs(project, project / "templates", BuildCache(tmp_path / "cache"))
    other = [plain_card(c, plan=dataclasses.replace(c.plan, sha256="0" * 64, meta_data=None))
             for c in out.cards]
    assert [_cross_view(c) for c in other] == [_cross_view(c) for c in out.cards]
    assert cross_outputs(other, project / "templates", out.registry) == out.cross
    # and a change they do read is not hidden by the view
    renamed = plain_card(out.cards[0], plan=dataclasses.replace(out.cards[0].plan, short_title="改名"))
    assert _cross_view(renamed) != _cross_view(out.cards[0])


def test_group_membership_gives_the_plan_group_ids(registry, tables):
    """build_plans keys a plan by sorted(group_tables(...)) instead of plan_group_ids(...): the same list."""
    from plansite.comparisons import group_tables
    from plansite.site import plan_group_ids

    grouped = 0
    for slug, plan_tables in tables.items():
        ids = plan_group_ids(plan_tables, registry)
        assert sorted(group_tables(slug, plan_tables, registry)) == ids
        grouped += bool(ids)
    assert grouped >= 2
    assert sorted(group_tables("x", [], None)) == plan_group_ids([], None) == []


def test_a_new_memo_trusts_the_saved_stats_of_settled_files_and_sees_a_same_size_edit(project, tmp_path,
                                                                                      monkeypatch):
    """A memo of a new process (not live) reuses the stats saved by the last run: no seed or
    editor file is read and hashed again; a same-size edit (new change time) is still seen."""
    import plansite.check as check
    import plansite.checkmemo as checkmemo
    from plansite.cache import code_version
    from plansite.checkmemo import CheckMemo

    memo_path = tmp_path / "check.pickle"
    monkeypatch.setattr(checkmemo, "SETTLED_NS", 200_000_000)
    time.sleep(0.3)
    first = check.validate_inputs(project, memo := CheckMemo(memo_path, project, code_version()))
    memo.save()
    assert not first.problems
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(checkmemo, "open", counting_open, raising=False)
    again = check.validate_inputs(project, memo := CheckMemo(memo_path, project, code_version()))
    memo.save()
    assert not again.problems and [i.seed_lines for i in again.plans] == [i.seed_lines for i in first.plans]
    assert [p for p in opened if str(project) in p] == []  # nothing of the project read to hash it
    seed = project / "seeds" / "cangshan-14th.txt"
    text = seed.read_text(encoding="utf-8")
    edited = text.replace("，", "、", 1)
    assert len(edited.encode("utf-8")) == len(text.encode("utf-8")) and edited != text
    seed.write_text(edited, encoding="utf-8")
    broken = check.validate_inputs(project, CheckMemo(memo_path, project, code_version()))
    assert any("cangshan-14th" in str(p) and "checksum mismatch" in str(p) for p in broken.problems), broken.problems


def test_a_serve_rebuild_writes_the_same_manifest_without_hashing_the_cached_cross_plan_files(tmp_path, monkeypatch):
    """`mkdocs serve`'s quick rebuild (a seed edit) writes the manifest in the background from the
    digests the build cache knows — the plan files' and the cross-plan files kept in the cache
    (plugin._known_hashes, as on_post_build does) — and it is the manifest of the files on disk."""
    import json

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import plansite.plugin as plugin_module
    from plansite.manifest import MANIFEST, manifest_entries

    slug = "taishang-14th"
    root = one_plan_project(tmp_path / "project", slug)
    site = tmp_path / "served"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), watch=[])
    plugin = config.plugins["plansite"]
    plugin.config.search = False  # (the manifest is then written by a thread of its own)
    plugin.on_startup(command="serve", dirty=False)
    try:
        build(config)
        seed = root / "seeds" / f"{slug}.txt"
        seed.write_text(seed.read_text(encoding="utf-8").replace("，", "（预览修订），", 1), encoding="utf-8")
        update_checksum(root, slug)
        given = []
        real = plugin_module.write_manifest
        monkeypatch.setattr(plugin_module, "write_manifest", lambda folder, known=None: given.append(known) or
                            real(folder, known))
        assert plugin._quick_rebuild(config)
        for thread in [t for t in threading.enumerate() if t.name == "plansite-manifest"]:
            thread.join(timeout=60)
    finally:
        plugin.on_shutdown()
        # MkDocs keeps one instance of a plugin with on_startup per process (its Plugins option's
        # plugin_cache): make it a `mkdocs build` one again for the next in-process builds
        plugin.on_startup(command="build", dirty=False)
    assert len(given) == 1
    cross = plugin.project.cross
    kept = {path for path in cross if cross.stored(path) is not None}
    assert kept and kept <= given[0].keys(), sorted(kept - given[0].keys())[:5]  # not read and hashed again
    assert "（预览修订）" in (site / "plans" / slug / "source" / "index.html").read_text(encoding="utf-8")
    written = json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert written == manifest_entries(site)  # every file read and hashed


def test_a_serve_rebuild_checks_the_cached_plans_after_serving_and_rebuilds_one_edited_in_place(project, tmp_path,
                                                                                              caplog):
    """`mkdocs serve`'s quick rebuild takes the plans it checked before without a ``stat`` of
    each file (BuildCache.defer_checks) and checks them in a thread once the preview is served:
    a cached file edited in place meanwhile (as through a hard link of a published site) is
    reported with its entry folder, and that plan is built again by the next rebuild."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "served"), watch=[])
    plugin = config.plugins["plansite"]
    plugin.config.search = False
    plugin.on_startup(command="serve", dirty=False)

    def edit_and_rebuild(slug: str, count: int):
        seed = project / "seeds" / f"{slug}.txt"
        seed.write_text(seed.read_text(encoding="utf-8").replace("，", f"（修订{count}），", 1), encoding="utf-8")
        update_checksum(project, slug)
        assert plugin._quick_rebuild(config)
        for thread in [t for t in threading.enumerate() if t.name == "plansite-check"]:
            thread.join(timeout=60)
        return plugin.project

    try:
        build(config)
        edit_and_rebuild("taijiang-14th", 1)  # every other plan checked by this rebuild itself
        other = "cangshan-14th"
        key = plugin.project.keys[other]
        damaged = plugin.cache.files_dir(other, key) / "plans" / other / "chapter-1" / "index.html"
        damaged.write_text(damaged.read_text(encoding="utf-8").replace("<p", "<p data-x", 1), encoding="utf-8")
        with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.plansite"):
            result = edit_and_rebuild("taijiang-14th", 2)  # cangshan taken unchecked, checked after
        assert other not in result.built
        assert [r.getMessage() for r in caplog.records if "changed since it was stored" in r.getMessage()] \
            and str(plugin.cache.entry_dir(other, key)) in caplog.text
        assert not plugin.cache.entry_dir(other, key).exists()
        result = edit_and_rebuild("taijiang-14th", 3)
        assert other in result.built
        served = (tmp_path / "served" / "plans" / other / "chapter-1" / "index.html").read_text(encoding="utf-8")
        assert "data-x" not in served
    finally:
        plugin.on_shutdown()
        plugin.on_startup(command="build", dirty=False)
