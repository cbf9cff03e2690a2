"""The fixed cost of a build process: the pool's order, the templates compiled ahead, lazy imports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plansite import parallel, warmup
from plansite.parallel import ordered_map

ROOT = Path(__file__).resolve().parent.parent


def _square(x: int) -> tuple[int, int]:
    return x, x * x


def _pid(x: int) -> tuple[int, int]:
    return x, os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


@pytest.mark.parametrize("jobs", [1, 2])
def test_ordered_map_with_costs_keeps_input_order(jobs):
    items = [5, 1, 9, 2, 7, 3, 8]
    got = list(ordered_map(_square, items, jobs=jobs, cost=lambda x: x))
    assert got == [(x, x * x) for x in items]


def test_ordered_map_costs_run_in_workers():
    got = list(ordered_map(_pid, [1, 4, 2, 3], jobs=2, cost=lambda x: x))
    assert [x for x, _ in got] == [1, 4, 2, 3]
    assert os.getpid() not in {pid for _, pid in got}


def test_ordered_map_with_costs_raises_a_jobs_error():
    with pytest.raises(ValueError, match="three"):
        list(ordered_map(_fail_on_three, [1, 2, 3, 4], jobs=2, cost=lambda x: -x))


def test_warmup_compiles_every_template_into_the_bytecode_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANSITE_JOBS", "2")
    monkeypatch.setattr(parallel, "other_threads_running", lambda: False)  # other tests may have left threads running
    bytecode = tmp_path / "jinja"
    bytecode.mkdir()
    warming = warmup.start(ROOT / "templates", bytecode)
    assert warming.pid is not None  # a child was forked
    warming.join()
    names = [p for p in (ROOT / "templates").rglob("*.html")]
    assert len(list(bytecode.iterdir())) == len(names)
    assert warming.pid is None


def test_warmup_leaves_a_broken_template_to_the_render(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANSITE_JOBS", "2")
    monkeypatch.setattr(parallel, "other_threads_running", lambda: False)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "good.html").write_text("<p>{{ x }}</p>\n", encoding="utf-8")
    (templates / "bad.html").write_text("<p>{% if %}</p>\n", encoding="utf-8")
    bytecode = tmp_path / "jinja"
    bytecode.mkdir()
    warming = warmup.start(templates, bytecode)
    warming.finish()  # no error here, nothing printed
    from plansite.pages import make_env

    import jinja2

    with pytest.raises(jinja2.TemplateSyntaxError):
        make_env(templates, bytecode).get_template("bad.html")


def test_warmup_on_one_core_forks_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANSITE_JOBS", "1")
    warming = warmup.start(ROOT / "templates", tmp_path)
    assert warming.pid is None
    warming.finish()
    assert not list(tmp_path.iterdir())  # nothing compiled ahead: each render compiles its own


def test_warmup_forks_only_for_stale_templates(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANSITE_JOBS", "2")
    monkeypatch.setattr(parallel, "other_threads_running", lambda: False)
    templates = tmp_path / "templates"
    templates.mkdir()
    for name in ("a.html", "b.html"):
        (templates / name).write_text("<p>{{ x }}</p>\n", encoding="utf-8")
    bytecode = tmp_path / "jinja"
    bytecode.mkdir()
    assert warmup.stale_templates(templates, bytecode) == ["a.html", "b.html"]
    warmup.start(templates, bytecode).join()
    assert warmup.stale_templates(templates, bytecode) == []
    assert warmup.start(templates, bytecode).pid is None  # all compiled: no child
    later = (bytecode / os.listdir(bytecode)[0]).stat().st_mtime_ns + 10**9
    os.utime(templates / "b.html", ns=(later, later))  # b edited after it was compiled
    assert warmup.stale_templates(templates, bytecode) == ["b.html"]


def test_warmup_forks_nothing_while_another_thread_runs(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("PLANSITE_JOBS", "2")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert warmup.start(ROOT / "templates", tmp_path).pid is None
    finally:
        release.set()
        other.join()
    monkeypatch.setattr(parallel, "other_threads_running", lambda: False)  # (other tests may have left threads running)
    warming = warmup.start(ROOT / "templates", tmp_path)
    assert warming.pid is not None
    warming.join()


def test_superseded_cache_entry_leaves_the_cache_for_the_trash(tmp_path, monkeypatch):
    import io

    from plansite import mkdocs_run
    from plansite.cli import build_site
    from tiny import SEED, make_tiny, set_seed

    discarded = []
    real = mkdocs_run.FS.discard

    def discard(path, trash):
        discarded.append((path.name, sorted(p.name for p in path.iterdir()), trash))
        real(path, trash)

    monkeypatch.setattr(mkdocs_run.FS, "discard", discard)
    root = make_tiny(tmp_path / "project")
    build_site(root, root / "site", quiet=True, stream=io.StringIO())
    plans = root / ".cache" / "build" / "plans"
    first = sorted(p.name for p in plans.iterdir())
    assert len(first) == 1 and first[0].startswith("tiny-")
    # nothing superseded; the scratch folder MkDocs wrote the site into went to the trash
    assert [name for name, _, _ in discarded if not name.endswith(".staging.partial")] == []
    assert [name for name, _, _ in discarded if name.endswith(".staging.partial")]
    discarded.clear()
    set_seed(root, SEED.replace("经济总量再上台阶", "经济总量又上台阶").encode("utf-8"))
    build_site(root, root / "site", quiet=True, stream=io.StringIO())
    second = sorted(p.name for p in plans.iterdir())
    assert len(second) == 1 and second != first  # no superseded entry, nothing moved aside, is left
    [(name, inside, trash)] = [d for d in discarded if not d[0].endswith(".staging.partial")]
    assert name.startswith(".pruned-") and inside == first and trash == root / ".cache" / "trash"
    pages = (root / "site" / "plans" / "tiny").rglob("*.html")
    assert any("又上台阶" in p.read_text(encoding="utf-8") for p in pages)


def _slow_first(x: int) -> int:
    import time

    if x == 0:
        time.sleep(1.0)  # the first item ends last
    return x


def test_ordered_map_tells_each_result_as_it_arrives_and_yields_in_input_order():
    arrived: list[int] = []
    got = []
    for x in ordered_map(_slow_first, [0, 1, 2], jobs=2, ready=arrived.append):
        got.append((x, list(arrived)))
    assert [x for x, _ in got] == [0, 1, 2]
    assert arrived[-1] == 0 and sorted(arrived) == [0, 1, 2]  # 1 and 2 were told before 0 ended
    assert got[0][1][:2] != [0, 1]
    # in this process (one job) each result is told just before it is yielded
    arrived.clear()
    assert [(x, list(arrived)) for x in ordered_map(_square, [2, 3], jobs=1, ready=arrived.append)] == \
        [((2, 4), [(2, 4)]), ((3, 9), [(2, 4), (3, 9)])]


def test_the_pool_builds_the_streamed_runs_plans_after_the_others_but_the_largest():
    from plansite.incremental import _pool_order

    sizes = {"fuzhou": 285, "cangshan": 113, "taishang": 112, "taijiang": 109, "fuqing": 64}
    order = _pool_order(sizes, {"fuzhou", "cangshan", "taishang"}, jobs=2)
    assert sorted(sizes, key=order.get, reverse=True) == ["fuzhou", "cangshan", "taijiang", "fuqing", "taishang"]
    order = _pool_order(sizes, {"fuzhou", "taijiang", "fuqing", "taishang"}, jobs=1)  # the streamed ones by slug
    assert sorted(sizes, key=order.get, reverse=True) == ["fuzhou", "cangshan", "fuqing", "taijiang", "taishang"]
    order = _pool_order(sizes, set(), jobs=2)  # nothing streamed: largest first
    assert sorted(sizes, key=order.get, reverse=True) == ["fuzhou", "cangshan", "taishang", "taijiang", "fuqing"]
