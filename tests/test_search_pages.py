"""Page-level search overlays (:mod:`plansite.searchpages`): a whole-shard bundle is listed page by
page (sha256 of the page as rendered, Pagefind page id read from the bundle's fragments), and an
edited plan's overlay indexes only its changed pages, the base's copies hidden by page id; the
whole-plan overlay (hidden by the ``v`` filter) is the fallback.

Real Pagefind runs over tiny plans (a few pages each), through the CLI and the service."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from conftest import write_plan_pages
from plansite import pfservice, search
from plansite.searchpages import (LISTING_SUFFIX, bundle_page_ids, changed_pages, fragment_url, page_url,
                                  read_listing)
from plansite.searchplan import hidden_pages, plan_index, plan_shards, version_tag

SALT = "1.5.2"


TEXTS = {
    "alpha": ["发展数字经济", "建设生态文明", "推进乡村振兴", "加强基础设施", "优化营商环境", "扩大对外开放"],
    "beta": ["提升教育质量", "完善社会保障", "促进文化繁荣"],
}


def _build(tmp_path: Path, texts: dict[str, list[str]], keys: dict[str, str], cache: Path):
    # one folder per plan version, as in the build cache
    dirs = {slug: write_plan_pages(tmp_path / "plans" / keys[slug], slug, t) for slug, t in texts.items()}
    return search.build_sharded_index(dirs, keys, cache, per_shard=5, jobs=1), dirs


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("service", [False, True], ids=["cli", "service"])
def test_a_whole_shard_bundle_is_listed_page_by_page(tmp_path, service):
    if service:
        pfservice.prestart()  # the first whole-shard run takes the warmed service
        assert pfservice._spare is not None
    cache = tmp_path / "cache"
    layout, dirs = _build(tmp_path, TEXTS, {"alpha": "a" * 24, "beta": "b" * 24}, cache)
    assert pfservice._spare is None
    assert len(layout.bundles) == 1 and layout.hide == [] and layout.exclude == []
    name = layout.bundles[0][1].name
    listing = read_listing(cache, name)
    expected = {f"plans/{slug}/chapter-{n}/index.html" for slug, t in TEXTS.items() for n in range(1, len(t) + 1)}
    assert set(listing) == expected  # the indexed pages only, not the overview
    # the sha256 of each page as rendered, and the page id of its fragment
    fragments = {}
    for path in (layout.bundles[0][1] / "fragment").iterdir():
        record = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        fragments[record["url"]] = path.name[:-len(".pf_fragment")]
    for rel, (sha, page) in listing.items():
        slug = rel.split("/")[1]
        assert sha == _sha(dirs[slug] / rel)
        assert fragments[page_url(rel)] == page
    assert bundle_page_ids(layout.bundles[0][1]) == fragments
    assert set(read_listing(cache, name, "beta")) == {r for r in expected if r.startswith("plans/beta/")}


def test_an_edit_indexes_the_changed_page_and_hides_its_base_copy(tmp_path):
    cache = tmp_path / "cache"
    keys = {"alpha": "a" * 24, "beta": "b" * 24}
    layout, dirs = _build(tmp_path, TEXTS, keys, cache)
    base = layout.bundles[0][1]
    old_ids = bundle_page_ids(base)
    # one chapter of alpha edited, one added
    edited = dict(TEXTS, alpha=TEXTS["alpha"][:2] + ["推进城乡融合"] + TEXTS["alpha"][3:] + ["新增一章"])
    keys2 = dict(keys, alpha="c" * 24)
    runs = []
    index = search.index_shard

    def recording(shard, plan_dirs, out, cancelled=None, service=None):
        index(shard, plan_dirs, out, cancelled, service)
        runs.append(json.loads(out.with_name(out.name + ".json").read_text(encoding="utf-8")))

    import unittest.mock

    with unittest.mock.patch.object(search, "index_shard", recording):
        layout2, _ = _build(tmp_path, edited, keys2, cache)
    assert [rel for rel, _ in layout2.bundles] == ["", "plan-alpha/"]
    assert layout2.bundles[0][1] == base  # the base is kept
    overlay = layout2.bundles[1][1]
    assert sorted(bundle_page_ids(overlay)) == ["/plans/alpha/chapter-3/", "/plans/alpha/chapter-7/"]
    # the base's copy of chapter 3 is hidden by its page id; alpha is not excluded by version
    assert layout2.hide == [old_ids["/plans/alpha/chapter-3/"]] and layout2.exclude == []
    assert runs == [{"plans": {"alpha": version_tag("alpha", keys2["alpha"])}, "base": base.name,
                     "hide": layout2.hide}]
    shards = json.loads(layout2.shards_json())
    assert shards == {"bundles": ["plan-alpha/"], "exclude": [], "hide": layout2.hide}
    # a second edit compares with the base again: the overlay is replaced, not stacked
    again = dict(TEXTS, alpha=TEXTS["alpha"][:4] + ["优化营商环境，激发市场活力"] + TEXTS["alpha"][5:])
    layout3, _ = _build(tmp_path, again, dict(keys, alpha="d" * 24), cache)
    assert layout3.bundles[0][1] == base and [rel for rel, _ in layout3.bundles] == ["", "plan-alpha/"]
    assert sorted(bundle_page_ids(layout3.bundles[1][1])) == ["/plans/alpha/chapter-5/"]
    assert layout3.hide == [old_ids["/plans/alpha/chapter-5/"]]
    assert not overlay.exists()  # the first overlay's bundle was removed from the cache
    # the same build again: nothing to index, the same layout
    with unittest.mock.patch.object(search, "index_shard", recording):
        runs.clear()
        layout4, _ = _build(tmp_path, again, dict(keys, alpha="d" * 24), cache)
    assert runs == [] and layout4.hide == layout3.hide and layout4.bundles == layout3.bundles


def test_the_whole_plan_is_the_fallback(tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.plansite")
    said = lambda: [r.getMessage() for r in caplog.records if "search overlay of alpha" in r.getMessage()]  # noqa: E731
    cache = tmp_path / "cache"
    keys = {"alpha": "a" * 24, "beta": "b" * 24}
    layout, _ = _build(tmp_path, TEXTS, keys, cache)
    name = layout.bundles[0][1].name
    # most pages changed: the whole plan, its old version excluded
    most = dict(TEXTS, alpha=[t + "！" for t in TEXTS["alpha"][:4]] + TEXTS["alpha"][4:])
    layout2, _ = _build(tmp_path, most, dict(keys, alpha="c" * 24), cache)
    assert len(bundle_page_ids(layout2.bundles[1][1])) == 6
    assert layout2.hide == [] and layout2.exclude == [version_tag("alpha", keys["alpha"])]
    assert said() == ["plansite: search overlay of alpha: whole plan: 4 of its 6 pages changed"]
    caplog.clear()
    # no page listing beside the base (deleted, or a bundle of an older Plansite): the whole plan
    (cache / f"{name}{LISTING_SUFFIX}").unlink()
    one = dict(TEXTS, alpha=["发展数字经济！"] + TEXTS["alpha"][1:])
    layout3, _ = _build(tmp_path, one, dict(keys, alpha="e" * 24), cache)
    assert len(bundle_page_ids(layout3.bundles[1][1])) == 6
    assert layout3.hide == [] and layout3.exclude == [version_tag("alpha", keys["alpha"])]
    assert said() == ["plansite: search overlay of alpha: whole plan: the base has no page listing"]


def test_changed_pages_decides_and_says_why():
    base = {f"p{i}": (f"s{i}", f"id{i}") for i in range(10)}
    current = {f"p{i}": f"s{i}" for i in range(10)}
    assert changed_pages(None, current)[0] is None and "no page listing" in changed_pages(None, current)[2]
    assert changed_pages({}, current)[0] is None and "not in the base" in changed_pages({}, current)[2]
    # one page changed, one removed, one added
    now = dict(current, p3="new")
    del now["p7"]
    now["p10"] = "s10"
    pages, hide, why = changed_pages(base, now)
    assert pages == ["p10", "p3"] and hide == ["id3", "id7"] and "2 of its 10 pages changed" in why
    # nothing indexed changed: one page all the same, so that the overlay is a bundle
    assert changed_pages(base, current)[:2] == (["p0"], ["id0"])
    # more than half changed: the whole plan
    half = {k: (v + "x" if int(k[1:]) < 6 else v) for k, v in current.items()}
    assert changed_pages(base, half)[0] is None and "6 of its 10" in changed_pages(base, half)[2]
    assert changed_pages(base, {k: (v + "x" if int(k[1:]) < 5 else v) for k, v in current.items()})[0] is not None


def test_plan_index_keeps_the_stale_version_until_the_overlay_is_page_level():
    keys = {f"plan-{i:03d}": f"k{i:03d}" + "0" * 20 for i in range(100)}
    first = plan_index(keys, SALT, None, lambda name: None)
    held = {job.folder: dict(job.tags) for job in first.jobs}
    edited = dict(keys, **{"plan-042": "e" * 24})
    plan = plan_index(edited, SALT, first.state, held.get)
    job = plan.jobs[0]
    shard = next(s for s in plan_shards(keys, 0, SALT) if "plan-042" in s.slugs)
    assert job.overlay and job.base == first.state["shards"][str(shard.id)]
    old = version_tag("plan-042", keys["plan-042"])
    assert plan.stale == {"plan-042": old} and plan.exclude == [old]
    assert hidden_pages(plan, {"plan-042": None}) == ([old], [])  # whole plan: excluded by version
    assert hidden_pages(plan, {"plan-042": ["zh-cn_1", "zh-cn_0"]}) == ([], ["zh-cn_0", "zh-cn_1"])
    # an overlay is made against its base: another base, another overlay
    other = plan_index(edited, SALT, dict(first.state, shards=dict(first.state["shards"], **{str(shard.id): "x"})),
                       lambda name: held.get(name) or (held[job.base] if name == "x" else None))
    assert other.jobs[0].folder != job.folder and other.jobs[0].base == "x"
    # a removed plan is still excluded by its version
    removed = dict(keys)
    del removed["plan-007"]
    plan = plan_index(removed, SALT, first.state, held.get)
    assert plan.stale == {} and hidden_pages(plan, {}) == ([version_tag("plan-007", keys["plan-007"])], [])


def test_fragment_url_reads_only_a_real_fragment():
    assert fragment_url(gzip.compress(b'pagefind_dcd{"url":"/plans/x/chapter-1/","content":"..."}')) == \
        "/plans/x/chapter-1/"
    assert fragment_url(gzip.compress(b'other{"url":"/x/"}')) is None
    assert fragment_url(b"not gzip") is None
    assert fragment_url(gzip.compress(b'pagefind_dcd{"content":"x","url":"/x/"}')) is None
    assert page_url("plans/x/chapter-1/index.html") == "/plans/x/chapter-1/"
    assert page_url("plans/x/table.html") == "/plans/x/table.html"


def test_a_hidden_id_that_recurs_in_another_bundle_makes_the_overlay_whole(tmp_path):
    """Pagefind's page ids are unique within a bundle only: when a hidden id is also a page of
    another bundle (here: a fragment of that name put into the overlay's bundle), hiding it would
    hide that page too, so the overlay is made again with the whole plan, excluded by version."""
    cache = tmp_path / "cache"
    keys = {"alpha": "a" * 24, "beta": "b" * 24}
    _build(tmp_path, TEXTS, keys, cache)
    edited = dict(TEXTS, alpha=["发展数字经济！"] + TEXTS["alpha"][1:])
    keys2 = dict(keys, alpha="c" * 24)
    layout, _ = _build(tmp_path, edited, keys2, cache)
    assert len(layout.hide) == 1 and layout.exclude == []
    overlay = layout.bundles[1][1]
    fragment = next((overlay / "fragment").iterdir())
    fragment.rename(fragment.with_name(f"{layout.hide[0]}.pf_fragment"))
    again, _ = _build(tmp_path, edited, keys2, cache)
    assert again.hide == [] and again.exclude == [version_tag("alpha", keys["alpha"])]
    assert again.bundles == layout.bundles and len(bundle_page_ids(overlay)) == 6
    # and it stays so: the whole-plan overlay is taken from the cache
    assert _build(tmp_path, edited, keys2, cache)[0].exclude == again.exclude
