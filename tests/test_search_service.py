"""Overlay search runs through Pagefind's service mode (:mod:`plansite.pfservice`): the bundle a
one-edit build installs holds the edited plan's new text under its new version filter; a service
that fails stops the build with one ``path:0: message`` line and leaves the previous site alone;
the service started early is used once, and closed when the build needs no Pagefind run."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from plansite import pagefind_run, pfservice
from plansite.searchplan import VERSION_FILTER, Shard

SLUG = "fuzhou-15th"
NEW = "琥珀星河"


def _fragments(bundle: Path) -> list[dict]:
    """The page records of a Pagefind bundle (``fragment/*.pf_fragment``: gzip of
    ``pagefind_dcd`` + JSON)."""
    out = []
    for path in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        out.append(json.loads(data[len(b"pagefind_dcd"):]))
    return out


def _text(record: dict) -> str:
    """A page record's text without the zero-width spaces Pagefind puts between the words it
    segmented."""
    return record["content"].replace("\u200b", "")


def _replace_word(root: Path, slug: str) -> tuple[str, str]:
    """Put :data:`NEW` in place of a word of a chapter's paragraph; returns (old word, new)."""
    from conftest import update_checksum
    from test_search_overlay import _unique_word

    old = _unique_word(root, slug)
    seed = root / "seeds" / f"{slug}.txt"
    text = seed.read_text(encoding="utf-8")
    assert NEW not in text and text.count(old) == 1
    seed.write_text(text.replace(old, NEW), encoding="utf-8")
    update_checksum(root, slug)
    return old, NEW


def _service_runs(monkeypatch) -> list[int]:
    """Record the pid of each service that indexed pages."""
    pids: list[int] = []
    index = pfservice.PagefindService.index

    def recording(self, pages, output, cancelled=None):
        pids.append(self.pid)
        return index(self, pages, output, cancelled)

    monkeypatch.setattr(pfservice.PagefindService, "index", recording)
    return pids


def test_the_service_bundle_holds_the_edited_text_under_the_new_version(project, monkeypatch):
    from plansite.cli import build_site

    site = project / "site"
    build_site(project, site, quiet=True)
    old, new = _replace_word(project, SLUG)
    pids = _service_runs(monkeypatch)
    pfservice.prestart()  # as build.py build does
    early = pfservice._spare
    assert early is not None and early.alive()
    build_site(project, site, quiet=True)
    assert pids == [early.pid]  # the warmed service indexed the plan, and was then ended
    assert pfservice._spare is None and not early.alive()
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert "plan-fuzhou-15th/" in shards["bundles"]
    bundle = site / "pagefind" / "plan-fuzhou-15th"
    assert pagefind_run.bundle_problem(bundle) is None
    pages = _fragments(bundle)
    # a page-level overlay: the one page whose text changed (the base lists fuzhou's pages)
    listed = sorted(p.relative_to(site).as_posix() for p in (site / "plans" / SLUG).rglob("*.html")
                    if "data-pagefind-body" in p.read_text(encoding="utf-8") and new in p.read_text(encoding="utf-8"))
    assert len(listed) == 1
    assert sorted(f"{p['url'].lstrip('/')}index.html" for p in pages) == listed  # URLs as the CLI makes them
    with_new = [p for p in pages if new in _text(p)]
    assert with_new and not [p for p in pages if old in _text(p)]
    tags = {tag for p in pages for tag in p["filters"][VERSION_FILTER]}
    assert len(tags) == 1
    tag = tags.pop()
    assert tag.startswith(f"{SLUG}~") and tag not in shards["exclude"]
    # the base's old copy of the page is hidden by its page id; the plan's other pages stay visible
    assert not [t for t in shards["exclude"] if t.startswith(f"{SLUG}~")] and len(shards["hide"]) == 1
    # the filter names the version of the build just made: its cache key
    cached = [p.name for p in (project / ".cache" / "build" / "plans").iterdir() if p.name.startswith(f"{SLUG}-")]
    assert [name for name in cached if name[len(SLUG) + 1:].startswith(tag.split("~")[1])]
    assert all(p["filters"]["plan"] for p in with_new)
    # Pagefind's CLI over tagged copies of the same pages makes the same page records
    import subprocess

    shard = Shard(0, [SLUG], "k" * 40, {SLUG: tag}, pages=listed)
    copies = project / "cli-run"
    for rel, data in pagefind_run.shard_pages(shard, {SLUG: site}):
        (copies / rel).parent.mkdir(parents=True, exist_ok=True)
        (copies / rel).write_bytes(data)
    subprocess.run([str(pagefind_run.pagefind_binary()), "--site", str(copies), "--output-path", str(copies / "bundle"),
                    "--force-language", "zh-cn", "--quiet"], check=True, capture_output=True)
    strip = lambda records: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)  # noqa: E731
    assert strip(_fragments(copies / "bundle")) == strip(pages)


def test_a_failing_service_stops_the_build_in_one_line(project, monkeypatch, capsys):
    from plansite.cli import main

    site = project / "site"
    assert main(["--root", str(project), "build", "--quiet", "--site", str(site)]) == 0
    published = os.readlink(site)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    _replace_word(project, SLUG)
    broken = project / "broken-pagefind"
    broken.write_text("#!/bin/sh\nsleep 0.2\necho 'thread main panicked: dictionary missing' >&2\nexit 101\n",
                      encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(pagefind_run, "pagefind_binary", lambda: broken)
    capsys.readouterr()
    assert main(["--root", str(project), "build", "--quiet", "--site", str(site)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("pagefind/plan-fuzhou-15th/:0: pagefind failed: ")
    assert "dictionary missing" in err[0] and "exit code 101" in err[0]
    assert os.readlink(site) == published
    assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert pfservice._spare is None


def test_the_early_service_takes_the_first_run_and_is_ended_when_no_run_is_needed(project, monkeypatch):
    from plansite.cli import build_site

    pids = _service_runs(monkeypatch)
    cli_runs: list[Path] = []
    command = pagefind_run.pagefind_command

    def recording(site_dir, output=None):
        cli_runs.append(site_dir)
        return command(site_dir, output)

    monkeypatch.setattr(pagefind_run, "pagefind_command", recording)
    pfservice.prestart()
    early = pfservice._spare
    build_site(project, project / "site", quiet=True)  # a clean build: two whole shards
    assert pids == [early.pid] and len(cli_runs) == 1  # the warmed service took one, the CLI the other
    assert pfservice._spare is None and not early.alive()
    (project / "site_src" / "pages" / "about.md").open("a", encoding="utf-8").write("\n补充一句。\n")
    pids.clear()
    pfservice.prestart()
    early = pfservice._spare
    build_site(project, project / "site", quiet=True)  # no plan changed: every bundle cached
    assert pids == [] and len(cli_runs) == 1 and pfservice._spare is None and not early.alive()
    # without a service started early, the whole shards go to the CLI
    shutil.rmtree(project / ".cache" / "build" / "search")
    build_site(project, project / "site", quiet=True)
    assert pids == [] and len(cli_runs) == 3


def test_a_cancelled_service_run_is_killed_and_writes_nothing(tmp_path):
    import threading

    cancelled = threading.Event()
    service = pfservice.PagefindService()

    def pages():
        yield "a/index.html", '<html lang="zh-CN"><body><p>数字经济</p></body></html>'
        cancelled.set()
        yield "b/index.html", '<html lang="zh-CN"><body><p>营商环境</p></body></html>'

    assert service.index(pages(), tmp_path / "bundle", cancelled) is None
    assert not service.alive() and not (tmp_path / "bundle").exists()


def test_a_request_cut_short_by_the_pipe_is_sent_whole(tmp_path):
    """A write to the service's pipe may take only part of a request (a signal, a stop by a
    profiler); the rest is written after it, so the service reads every request whole (it
    answered "expected `,` or `}`" to a clean build under py-spy before)."""
    service = pfservice.PagefindService()

    class Trickle:
        """The service's stdin, taking at most 1000 bytes per write."""

        def __init__(self, raw):
            self.raw, self.writes = raw, 0

        def write(self, data):
            self.writes += 1
            return self.raw.write(bytes(data[:1000]))

        def __getattr__(self, name):
            return getattr(self.raw, name)

    trickle = service._proc.stdin = Trickle(service._proc.stdin)
    try:
        body = "".join(f"<p>第{n}段：数字经济发展规划，营商环境持续优化。</p>" for n in range(300))
        pages = [(f"p{n}/index.html", f'<html lang="zh-CN"><body>{body}</body></html>') for n in range(3)]
        assert service.index(pages, tmp_path / "bundle") == 3
        assert trickle.writes > 3 * len(body.encode()) // 1000
        assert len(_fragments(tmp_path / "bundle")) == 3
    finally:
        service.kill()


def _runs_by_way(monkeypatch) -> list[tuple[list[str], int | None]]:
    """Record each Pagefind run as ``(its plans, pid of the service given the pages, or None for
    the CLI)``."""
    runs: list[tuple[list[str], int | None]] = []
    index, command = pfservice.PagefindService.index, pagefind_run.pagefind_command

    def by_service(self, pages, output, cancelled=None):
        given = list(pages)
        runs.append((sorted({rel.split("/")[1] for rel, _ in given}), self.pid))
        return index(self, given, output, cancelled)

    def by_cli(site_dir, output=None):
        runs.append((sorted(p.name for p in (Path(site_dir) / "plans").iterdir()), None))
        return command(site_dir, output)

    monkeypatch.setattr(pfservice.PagefindService, "index", by_service)
    monkeypatch.setattr(pagefind_run, "pagefind_command", by_cli)
    return runs


def test_the_streamed_shard_gets_the_warmed_service_though_other_shards_are_ready_first(tmp_path, monkeypatch):
    """12 plans reported in the pool's order (:func:`plansite.incremental._pool_order`: the other
    shards' plans first, the streamed shard's last): the warmed service goes to the streamed
    shard's run, not to the first whole shard whose plans are all rendered; the others go to the
    CLI, and the service is ended with its run."""
    import time

    from test_search_shards import _fake_plans

    from plansite import search
    from plansite.incremental import _pool_order

    dirs = _fake_plans(tmp_path, 12)
    keys = {slug: f"key-of-{slug}" for slug in dirs}
    runs = _runs_by_way(monkeypatch)
    pfservice.prestart()
    early = pfservice._spare
    index = search.EarlyIndex(tmp_path / "search", jobs=2)
    streamed = index.streamed_plans(keys)
    assert len(streamed) > 1
    sizes = {slug: 1 if slug in streamed else 2 for slug in dirs}  # the two largest: not streamed
    order = _pool_order(sizes, set(streamed), jobs=2)
    built = sorted(dirs, key=order.get, reverse=True)
    assert built[-len(streamed):] == sorted(streamed)  # the other shards' plans first
    for slug in built:
        index.plan_done(slug, dirs[slug], keys)
        time.sleep(0.02)  # (a plan takes a while to build: a run ready may start meanwhile)
    layout = index.result(dirs, keys)
    assert layout is not None and len(layout.runs) > 2  # the streamed shard and two others at least
    assert sorted(runs) == sorted((job.slugs, early.pid if job.slugs == streamed else None) for job in layout.runs)
    assert pfservice._spare is None and not early.alive()


def test_the_warmed_service_taken_for_the_streamed_run_is_killed_when_the_run_never_ends_well(tmp_path, monkeypatch):
    """No process is left behind: the service taken for the streamed run is killed when the build
    is cancelled before the run starts, when the run is cancelled before its turn, while it waits
    for a plan, and when it fails."""
    from test_search_shards import _fake_plans

    from plansite import search

    dirs = _fake_plans(tmp_path, 3)
    keys = {slug: "k" * 20 for slug in dirs}
    taken: list[pfservice.PagefindService] = []
    take = pfservice.take
    monkeypatch.setattr(pfservice, "take", lambda: taken.append(take()) or taken[-1])

    def streamed_index(cancelled=None) -> tuple[search.EarlyIndex, pfservice.PagefindService]:
        pfservice.prestart()
        early = pfservice._spare
        index = search.EarlyIndex(tmp_path / "search", per_shard=3, jobs=1, cancelled=cancelled)
        assert index.streamed_plans(keys) == sorted(dirs)  # one shard of the 3 plans, streamed
        assert taken[-1] is early and pfservice._spare is None  # taken when decided
        return index, early

    index, early = streamed_index()
    index.cancel()  # no plan rendered yet: the run never started
    assert not early.alive()
    stop = threading.Event()
    index, early = streamed_index(stop)
    stop.set()
    index.plan_done("plan-0", dirs["plan-0"], keys)  # launched, never admitted
    assert index.result(dirs, keys) is None and not early.alive()
    index, early = streamed_index()
    index.plan_done("plan-0", dirs["plan-0"], keys)  # started: waits for plan-1
    index.cancel()
    assert not early.alive()
    index, early = streamed_index()
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pagefind_run.tempfile, "mkdtemp", full)  # the run fails before it gives a page
    index.plan_done("plan-0", dirs["plan-0"], keys)
    with pytest.raises(OSError, match="No space"):
        index.result(dirs, keys)
    assert not early.alive()


@pytest.fixture(autouse=True)
def _tests_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    yield
    pfservice.discard()
