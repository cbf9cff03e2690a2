"""The cached, parallel build gives the same files as a clean one.

Random one-line edits of seeds, metadata, corrections and indicator files, template edits, a
code-version change, damaged cache entries: after each, the incremental build (cache kept) must
equal a clean build (empty cache) byte for byte, rebuild only the plans whose inputs changed,
and equal the pure in-memory :func:`plansite.site.site_outputs`.
"""

from __future__ import annotations

import json
import os
import posixpath
import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, update_checksum
from plansite import crossfiles, incremental
from plansite.cache import BuildCache, PlanEntry, TextStore
from plansite.diff import SEARCH_DIR, compare_manifests
from plansite.incremental import build_outputs
from plansite.pages import relurl, sibling_link
from plansite.project import load_project
from plansite.site import site_outputs, split_outputs

SLUGS = sorted(p.stem for p in (ROOT / "site_src" / "plans").glob("*.yml"))


def outputs_of(result) -> dict[str, str]:
    """Every file of a :class:`BuildOutputs` as ``{site path: text}``."""
    out = {path: Path(src).read_text(encoding="utf-8") for path, src in result.plan_files}
    assert not out.keys() & result.cross.keys()
    out.update(result.cross)
    return dict(sorted(out.items()))


def build(root: Path, cache_dir: Path):
    return build_outputs(root, root / "templates", BuildCache(cache_dir))


def _indicator_lines(root: Path, slug: str) -> set[int]:
    """Seed line numbers the plan's indicator file checks against the seed (its tables' line
    ranges, rows' lines, quoted lines): an edit there would be refused by the validation."""
    path = root / "site_src" / "indicators" / f"{slug}.yml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    found = set()
    for a, b in re.findall(r"\[(\d+),\s*(\d+)\]", text):
        found.update(range(int(a), int(b) + 1))
    found.update(int(n) for n in re.findall(r"\bline: (\d+)", text))
    return found


def edit_seed_line(root: Path, slug: str, rng: random.Random) -> None:
    """Change one comma of a random long body line of ``slug``'s seed; fix its checksum."""
    seed = root / "seeds" / f"{slug}.txt"
    lines = seed.read_text(encoding="utf-8").split("\n")
    candidates = [i for i, line in enumerate(lines) if len(line) > 40 and "，" in line
                  and not line.startswith(("#", "|", "<")) and "\t" not in line
                  and i + 1 not in _indicator_lines(root, slug)]
    i = rng.choice(candidates)
    lines[i] = lines[i].replace("，", "；", 1)
    seed.write_text("\n".join(lines), encoding="utf-8")
    update_checksum(root, slug)


def edit_metadata(root: Path, slug: str, rng: random.Random) -> None:
    meta = root / "site_src" / "plans" / f"{slug}.yml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("short_title: ", f"short_title: 修订{rng.randint(1, 99)}", 1), encoding="utf-8")


def edit_indicator_note(root: Path, slug: str, rng: random.Random) -> None:
    path = root / "site_src" / "indicators" / f"{slug}.yml"
    text = path.read_text(encoding="utf-8")
    # the title must still occur in the seed (validated): drop its first character
    edited = re.sub(r"(?m)^(\s*title: )(\S)(.{4,})$", r"\1\3", text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


EDITS = [edit_seed_line, edit_metadata, edit_indicator_note]


def test_incremental_equals_clean_after_random_edits(project, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = build(project, cache)
    assert sorted(first.built) == SLUGS and first.reused == []
    again = build(project, cache)
    assert again.built == [] and sorted(again.reused) == SLUGS
    assert outputs_of(again) == outputs_of(first)
    rng = random.Random(20261121)
    for round_ in range(3):
        edited = sorted(rng.sample(SLUGS, 2))
        for slug in edited:
            rng.choice(EDITS)(project, slug, rng)
        result = build(project, cache)
        assert sorted(result.built) == edited, round_
        monkeypatch.setenv("PLANSITE_JOBS", "1" if round_ % 2 else "2")  # serial and parallel
        clean = build(project, tmp_path / f"clean-{round_}")
        assert sorted(clean.built) == SLUGS
        assert outputs_of(result) == outputs_of(clean), round_
    pure = site_outputs(load_project(project), project / "templates")
    assert outputs_of(result) == pure


def test_the_split_build_matches_the_whole_project_build():
    """Every plan on its own, then the cross-plan files from the cards: the very files of
    site_outputs (pages, indicator tables and comparisons, API, text downloads, t2s table)."""
    project = load_project(ROOT)
    whole = site_outputs(project, ROOT / "templates")
    ours = split_outputs(project, ROOT / "templates")
    assert any(p.startswith("indicators/") and p != "indicators/index.html" for p in whole)
    assert {"assets/t2s.json", "downloads/cangshan-14th.md", "plans/cangshan-14th/full/index.html"} <= whole.keys()
    assert ours.keys() == whole.keys()
    assert [p for p in whole if ours[p] != whole[p]] == []


def test_templates_registry_and_code_version_invalidate_every_plan(project, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    build(project, cache)
    template = project / "templates" / "chapter.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert sorted(build(project, cache).built) == SLUGS
    registry = project / "site_src" / "indicator_registry.yml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# a note\n", encoding="utf-8")
    assert sorted(build(project, cache).built) == SLUGS
    assert build(project, cache).built == []
    monkeypatch.setattr(incremental, "code_version", lambda: "another code version")
    assert sorted(build(project, cache).built) == SLUGS


def test_damaged_cache_entries_are_rebuilt_not_trusted(project, tmp_path):
    cache = tmp_path / "cache"
    clean = outputs_of(build(project, cache))
    entries = sorted((cache / "plans").iterdir())
    assert len(entries) == len(SLUGS)
    (entries[0] / "meta.pickle").write_bytes(b"not a pickle")
    page = next((entries[1] / "files").rglob("index.html"))
    page.write_bytes(page.read_bytes()[:10])  # truncated
    shutil.rmtree(entries[2] / "files")
    result = build(project, cache)
    damaged = sorted(e.name.rsplit("-", 1)[0] for e in entries[:3])
    assert sorted(result.built) == damaged
    assert outputs_of(result) == clean
    shutil.rmtree(cache)  # safe to delete
    assert outputs_of(build(project, cache)) == clean


def test_input_problems_are_still_reported_with_a_warm_cache(project, tmp_path):
    from plansite.errors import PlansiteError

    cache = tmp_path / "cache"
    build(project, cache)
    seed = project / "seeds" / "cangshan-14th.txt"
    seed.write_bytes(seed.read_bytes() + b"\n")  # checksum no longer matches
    with pytest.raises(PlansiteError) as err:
        build(project, cache)
    assert "site_src/plans/cangshan-14th.yml:" in str(err.value) and "checksum mismatch" in str(err.value)


def test_build_py_incremental_site_equals_a_clean_site(project, tmp_path, build_py):
    """Whole builds (MkDocs, Pagefind, manifest): warm cache after an edit vs no cache at all."""
    first = build_py("--root", project, "build", "--quiet", "--site", project / "site")
    assert first.returncode == 0, first.stderr
    edit_seed_line(project, "taijiang-14th", random.Random(7))
    second = build_py("--root", project, "build", "--quiet", "--site", project / "site")
    assert second.returncode == 0, second.stderr
    shutil.rmtree(project / ".cache" / "build")
    third = build_py("--root", project, "build", "--quiet", "--site", tmp_path / "clean")
    assert third.returncode == 0, third.stderr
    manifest = lambda site: json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]  # noqa: E731
    # the search index depends on the edit history (the edited plan's changed pages are in an
    # overlay bundle, their stale copies hidden: README, Search); everything else is byte for byte
    # the clean build
    diff = compare_manifests(manifest(project / "site"), manifest(tmp_path / "clean"), ignore=(SEARCH_DIR,))
    assert diff.same, diff
    shards = lambda site: json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))  # noqa: E731
    assert shards(tmp_path / "clean") == {"bundles": ["shard-1/"], "exclude": []}
    overlaid = shards(project / "site")
    assert overlaid["bundles"] == ["shard-1/", "plan-taijiang-14th/"]
    assert overlaid["exclude"] == [] and 1 <= len(overlaid["hide"]) <= 2, overlaid


def test_relurl_is_posix_relpath_without_the_file_system():
    def reference(target: str, base: str) -> str:
        path, _, fragment = target.partition("#")
        if path == base and fragment:
            return f"#{fragment}"
        rel = posixpath.relpath(path or ".", base or ".")
        rel = "./" if rel == "." else rel + ("/" if path.endswith("/") or not path else "")
        return rel + (f"#{fragment}" if fragment else "")

    rng = random.Random(5)
    segments = ["plans", "a", "b", "chapter-1", "source", "assets", "plansite.css", "api", "x.json"]
    urls = [""] + ["/".join(rng.choice(segments) for _ in range(rng.randint(1, 4))) + rng.choice(["/", ""])
                   for _ in range(500)]
    bases = [u for u in urls if u == "" or u.endswith("/")]
    for _ in range(5000):
        target = rng.choice(urls) + rng.choice(["", "#L12"])
        base = rng.choice(bases)
        assert relurl(target, base) == reference(target, base), (target, base)


def test_links_remembered_across_sibling_pages_are_the_links_of_each_page():
    """One ``links`` memo serves pages at many depths and side by side (a page's own directory,
    its siblings' directories, a sibling whose name starts with the page's: chapter-1, chapter-10)."""
    rng = random.Random(7)
    segments = ["plans", "a", "b", "chapter-1", "chapter-10", "source", "full", "indicators", "x.json"]
    urls = [""] + ["/".join(rng.choice(segments) for _ in range(rng.randint(1, 4))) + rng.choice(["/", "", "//"])
                   for _ in range(400)]
    bases = [u for u in urls if u.endswith("/") and "//" not in u]
    links: dict = {}
    for base in rng.choices(bases, k=300):
        link = sibling_link(base, links)
        for target in rng.choices(urls, k=60):
            target += rng.choice(["", "#L12"])
            assert link(target) == relurl(target, base), (target, base)
    assert len(links) > 1000  # the memo was used, not bypassed


def test_the_pages_beside_a_page_share_its_parent_directory():
    """blocks.sibling_scope, shared by sibling_link and the outline's memo: ``(stem, parent)``."""
    from plansite.blocks import sibling_scope

    assert sibling_scope("plans/a/chapter-1/") == ("plans/a/chapter-1", "plans/a/")
    assert sibling_scope("plans/") == ("plans", "")


def test_a_published_file_edited_in_place_does_not_leak_into_the_next_build(project, build_py):
    """Published plan files are hard links into the cache: an in-place edit of one (same size)
    is noticed, the plan is rebuilt, and the next site is the clean one."""
    site = project / "site"
    assert build_py("--root", project, "build", "--quiet", "--site", site).returncode == 0
    clean = (site / "manifest.json").read_text(encoding="utf-8")
    page = site / "plans" / "cangshan-14th" / "index.html"
    with open(page, "r+b") as f:  # in place: the same inode, the same size
        data = f.read()
        f.seek(0)
        f.write(data.replace("仓山".encode(), "苍山".encode(), 1))
    assert page.read_bytes() != data and len(page.read_bytes()) == len(data)
    again = build_py("--root", project, "build", "--site", site)
    assert again.returncode == 0, again.stderr
    assert "plansite: rendered cangshan-14th" in again.stderr
    assert page.read_bytes() == data
    assert (site / "manifest.json").read_text(encoding="utf-8") == clean


def test_a_published_cross_plan_file_edited_in_place_does_not_leak_into_the_next_build(project, build_py):
    """Cross-plan files kept in the build cache are hard links too: an in-place edit of one (same
    size) is noticed, the text is made again, and the site is the clean one."""
    site = project / "site"
    assert build_py("--root", project, "build", "--quiet", "--site", site).returncode == 0
    clean = (site / "manifest.json").read_text(encoding="utf-8")
    page = site / "downloads" / "all-indicators.json"
    assert page.stat().st_nlink == 3  # the site's file is the cache's (and the spare's: hard links to the site)
    with open(page, "r+b") as f:
        data = f.read()
        f.seek(0)
        f.write(b"[" + data[1:])
    assert page.read_bytes() != data
    for _ in range(2):  # the edited folder is the spare of the second build
        (project / "seeds" / "touched.txt").write_text(str(_), encoding="utf-8")  # not a no-change build
        again = build_py("--root", project, "build", "--quiet", "--site", site)
        assert again.returncode == 0, again.stderr
        assert page.read_bytes() == data
        assert (site / "manifest.json").read_text(encoding="utf-8") == clean


def test_remembered_validation_reports_what_a_fresh_one_does(project, tmp_path):
    """validate_inputs with a warm CheckMemo: the same plans, tables and problems as without it,
    after an edit that breaks an indicator file, one that breaks a seed (checksum) and a symlink
    swapped in for a seed with the same bytes (it now leads outside the project)."""
    from plansite.cache import code_version
    from plansite.check import validate_inputs
    from plansite.checkmemo import CheckMemo

    def both():
        memo = CheckMemo(tmp_path / "check.pickle", project, code_version())
        warm = validate_inputs(project, memo)
        memo.save()
        fresh = validate_inputs(project)
        assert [str(p) for p in warm.problems] == [str(p) for p in fresh.problems]
        assert [(i.plan, i.seed, i.corrections, i.tables) for i in warm.plans] == \
               [(i.plan, i.seed, i.corrections, i.tables) for i in fresh.plans]
        return warm, memo

    first, memo = both()
    assert not first.problems and memo.changed
    again, memo = both()
    assert not memo.changed and len(memo.used) >= 3 * len(SLUGS)  # every validator answered from the memo
    tables = project / "site_src" / "indicators" / "cangshan-14th.yml"
    tables.write_text(tables.read_text(encoding="utf-8").replace("attribute: expected", "attribute: binding", 1),
                      encoding="utf-8")
    broken, _ = both()
    assert any("cangshan-14th.yml" in str(p) for p in broken.problems)
    broken, _ = both()  # a problem is never remembered: reported again
    assert any("cangshan-14th.yml" in str(p) for p in broken.problems)
    seed = project / "seeds" / "taijiang-14th.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(outside)
    linked, _ = both()
    assert any("taijiang-14th" in str(p) for p in linked.problems)


def test_a_seed_edit_is_validated_without_pydantic(project, tmp_path):
    """A seed edit (the seed and the ``sha256:`` of its plan changed) with a warm CheckMemo: the
    plan's fields, its indicator file and its corrections are not schema-checked again (neither pydantic nor the
    schema modules are imported, in a fresh process), the checks against the seed run again, and
    the plans, tables and problems are those of a fresh validation. A changed field other than
    ``sha256`` is checked again; a ``sha256`` the schema refuses is reported as without a memo."""
    import subprocess
    import sys

    from plansite.cache import code_version
    from plansite.check import validate_inputs
    from plansite.checkmemo import CheckMemo

    memo_path = tmp_path / "check.pickle"
    for slug in ("", "taijiang-14th"):  # a build, then an edit of another plan: its memo keeps all
        if slug:
            seed = project / "seeds" / f"{slug}.txt"
            seed.write_bytes(seed.read_bytes() + "\n补记一段。\n".encode())
            update_checksum(project, slug)
        memo = CheckMemo(memo_path, project, code_version())
        assert not validate_inputs(project, memo).problems
        memo.save()
    for slug in ("cangshan-14th", "fuqing-14th-proposal"):  # (the second one has corrections)
        seed = project / "seeds" / f"{slug}.txt"
        seed.write_bytes(seed.read_bytes() + "\n补记一段。\n".encode())
        update_checksum(project, slug)
    probe = ("import sys; from pathlib import Path; from plansite.cache import code_version; "
             "from plansite.check import validate_inputs; from plansite.checkmemo import CheckMemo; "
             "warm = validate_inputs(Path(sys.argv[1]), CheckMemo(Path(sys.argv[2]), Path(sys.argv[1]), code_version())); "
             "print('loaded:', [m for m in ('pydantic', 'plansite.schema', 'plansite.indicator_schema') if m in sys.modules]); "
             "fresh = validate_inputs(Path(sys.argv[1])); "
             "same = [str(p) for p in warm.problems] == [str(p) for p in fresh.problems] and "
             "[(i.plan, i.seed_lines, i.corrections, i.tables) for i in warm.plans] == "
             "[(i.plan, i.seed_lines, i.corrections, i.tables) for i in fresh.plans]; "
             "print('same:', same, len(warm.plans), len(warm.problems))")
    result = subprocess.run([sys.executable, "-c", probe, str(project), str(memo_path)], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout and f"same: True {len(SLUGS)} 0" in result.stdout, result.stdout

    def both():
        memo = CheckMemo(memo_path, project, code_version())
        warm = validate_inputs(project, memo)
        memo.save()
        fresh = validate_inputs(project)
        assert [str(p) for p in warm.problems] == [str(p) for p in fresh.problems]
        assert [(i.plan, i.seed_lines, i.tables) for i in warm.plans] == [(i.plan, i.seed_lines, i.tables)
                                                                          for i in fresh.plans]
        return warm

    digest = update_checksum(project, "cangshan-14th")
    meta = project / "site_src" / "plans" / "cangshan-14th.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("short_title: ", "short_title: 新", 1), encoding="utf-8")
    changed = both()
    assert any(i.plan.short_title.startswith("新") and i.plan.sha256 == digest for i in changed.plans)
    meta.write_text(meta.read_text(encoding="utf-8").replace(f"sha256: {digest}", f"sha256: {digest.upper()}"),
                    encoding="utf-8")
    refused = both()
    assert any("cangshan-14th.yml" in str(p) and "sha256" in str(p) for p in refused.problems)


def test_the_cross_plan_files_of_the_same_cards_are_taken_whole_from_the_cache(project, tmp_path, monkeypatch):
    """A build whose cards are those of the last build takes the whole set of cross-plan files
    from the build cache (nothing made, nothing read); a file of the set changed in place since
    it was written makes the set again; other cards make another set."""
    from plansite import incremental

    folder = tmp_path / "cache"
    first = incremental.build_outputs(project, project / "templates", BuildCache(folder))
    texts = dict(first.cross)
    assert "index.html" in texts and all(first.cross.stored(p) for p in first.cross)
    made = []
    real = crossfiles.cross_outputs
    monkeypatch.setattr(crossfiles, "cross_outputs", lambda *a, **k: made.append(1) or real(*a, **k))
    again = incremental.build_outputs(project, project / "templates", BuildCache(folder))  # a new process's
    assert made == [] and dict(again.cross) == texts
    source = again.cross.stored("index.html")[0]
    with open(source, "r+b") as f:  # in place: the same inode and size
        f.write(b"<")
    third = incremental.build_outputs(project, project / "templates", BuildCache(folder))
    assert made == [1] and dict(third.cross) == texts
    meta = project / "site_src" / "plans" / "cangshan-14th.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("short_title: ", "short_title: 新", 1), encoding="utf-8")
    fourth = incremental.build_outputs(project, project / "templates", BuildCache(folder))
    assert made == [1, 1] and dict(fourth.cross) != texts


def test_the_cross_plan_step_makes_its_files_with_rare_collections(project, tmp_path, monkeypatch):
    """The cross-plan files are made with the build's rare collections (``gcpolicy.BUILD_THRESHOLD``)
    also where the caller (``mkdocs build``) did not set them; the thresholds are restored after."""
    import gc

    from plansite.gcpolicy import BUILD_THRESHOLD

    seen = []
    real = crossfiles.cross_outputs
    monkeypatch.setattr(crossfiles, "cross_outputs", lambda *a, **k: seen.append(gc.get_threshold()) or real(*a, **k))
    before = gc.get_threshold()
    assert before != BUILD_THRESHOLD
    build(project, tmp_path / "cache")
    assert seen == [BUILD_THRESHOLD] and gc.get_threshold() == before


def test_gc_frozen_nests_and_unfreezes_once():
    """``gcpolicy.gc_frozen``: an inner block freezes what was made since and leaves the objects
    frozen; only the outermost block's end gives them back to the collector (also on an error)."""
    import gc

    from plansite.gcpolicy import gc_frozen

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with gc_frozen():
        outer = gc.get_freeze_count()
        assert outer > 0
        made = [[i] for i in range(1000)]  # noqa: F841 (tracked objects made inside the block)
        with gc_frozen():
            assert gc.get_freeze_count() >= outer + 1000
        assert gc.get_freeze_count() >= outer + 1000  # the inner end did not unfreeze
    assert gc.get_freeze_count() == 0
    try:
        with gc_frozen():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_freeze_count() == 0


def test_comparison_pages_made_in_workers_equal_those_made_in_process(project, tmp_path, monkeypatch):
    """The cross-plan step makes the comparison groups' pages and downloads on every core when no
    other thread runs (``site._make_in_workers``), in this process when one does: same files."""
    from plansite import parallel, site

    used = []

    def counting(fn, items, *args, **kwargs):
        items = list(items)
        used.append(len(items))
        return real_map(fn, items, *args, **kwargs)

    real_map = site.ordered_map
    monkeypatch.setattr(site, "ordered_map", counting)
    makers = tmp_path / "makers"  # pid of each process that made the all-plans JSON (a worker writes it here)
    real_json = site._all_tables_json

    def noting(cards):
        with open(makers, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real_json(cards)

    monkeypatch.setattr(site, "_all_tables_json", noting)
    writers = tmp_path / "writers"  # pid of each process that wrote a text into the store
    real_write = TextStore.write

    def writing(self, key, text):
        with open(writers, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real_write(self, key, text)

    monkeypatch.setattr(TextStore, "write", writing)
    monkeypatch.setenv("PLANSITE_JOBS", "2")
    monkeypatch.setattr(parallel, "other_threads_running", lambda: False)  # (pytest's own threads aside)
    forked = build(project, tmp_path / "forked")
    assert used and used[0] >= 2 + 3  # the comparison groups, the indicator list and all-plans downloads
    assert makers.read_text().split() != [str(os.getpid())]  # went to the workers
    # the workers stored the texts they made (only their records came back)
    assert set(writers.read_text().split()) - {str(os.getpid())}
    used.clear()
    makers.unlink()
    monkeypatch.setattr(parallel, "other_threads_running", lambda: True)  # as while a search index is built
    in_process = build(project, tmp_path / "in-process")
    assert used == []  # made in this process
    assert makers.read_text().split() == [str(os.getpid())]
    assert any(p.startswith("indicators/") and p != "indicators/index.html" for p in in_process.cross)
    assert outputs_of(forked) == outputs_of(in_process)


def test_a_result_remembered_inside_another_is_kept_while_that_one_answers(tmp_path):
    """CheckMemo: a validator called inside another's (``call`` within ``call``) is kept by
    ``save`` in the runs where the outer one is answered from the memo and the inner one is not
    called, and answers again once the outer one runs again."""
    from plansite.checkmemo import CheckMemo

    root = tmp_path / "project"
    root.mkdir()
    (root / "a.yml").write_text("one", encoding="utf-8")
    runs: list[str] = []

    def inner():
        runs.append("inner")
        return "parsed"

    def outer(memo):
        runs.append("outer")
        return memo.call("inner", ("k",), lambda r: [], inner) + "+checked"

    def run():
        memo = CheckMemo(tmp_path / "memo.pickle", root, "code")
        result = memo.call("outer", ("a",), lambda r: ["a.yml"], outer, memo)
        memo.save()
        return result

    assert run() == "parsed+checked" and runs == ["outer", "inner"]
    assert run() == "parsed+checked" and runs == ["outer", "inner"]  # all remembered
    assert run() == "parsed+checked" and runs == ["outer", "inner"]  # the inner one was kept
    (root / "a.yml").write_text("two", encoding="utf-8")
    assert run() == "parsed+checked" and runs == ["outer", "inner", "outer"]  # the inner one answers


def test_cross_files_membership_reads_no_text(tmp_path, monkeypatch):
    """``path in cross`` and the set operations on ``cross.keys()`` (the serve rebuild's
    deletions and clash check) answer from the paths alone: no cache file is opened, and a path
    whose cache file is gone is still one of the set."""
    from plansite.crossfiles import CrossFiles

    stored = tmp_path / "a.txt"
    stored.write_text("long text", encoding="utf-8")
    cross = CrossFiles({"a.html": None, "b.json": "{}\n"}, {"a.html": (stored, "0" * 64, 9)})
    opened = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or real(self))
    assert "a.html" in cross and "b.json" in cross and "c.html" not in cross
    assert {"a.html", "c.html"} & cross.keys() == {"a.html"}
    assert cross.keys() - {"b.json"} == {"a.html"} and {"a.html", "c.html"} - cross.keys() == {"c.html"}
    assert opened == []
    stored.unlink()
    assert "a.html" in cross and list(cross) == ["a.html", "b.json"]
    with pytest.raises(KeyError):
        cross["a.html"]


def test_the_workers_place_the_files_of_the_plans_they_build(project, tmp_path, monkeypatch):
    """``site_dir``: each worker makes the folders of its plan's files there and hard-links each
    file from the cache (what the copy into the site would do), nothing else, and says so
    (``placed``); cached plans are left to the copy, and so is a plan one of whose files is
    there already (`mkdocs build --dirty`)."""
    for jobs in ("2", "1"):  # in the worker processes and in this one
        monkeypatch.setenv("PLANSITE_JOBS", jobs)
        site = tmp_path / f"site-{jobs}"
        site.mkdir()
        result = build_outputs(project, project / "templates", BuildCache(tmp_path / f"cache-{jobs}"),
                               site_dir=str(site))
        wanted = set()
        for path, _ in result.plan_files:
            parts = path.split("/")[:-1]
            wanted.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
        folders = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir()}
        files = {p.relative_to(site).as_posix() for p in site.rglob("*") if not p.is_dir()}
        assert folders == wanted
        assert {"plans", "api/plans", "downloads"} <= folders
        assert files == {path for path, _ in result.plan_files} == result.placed
        for path, source in result.plan_files:
            assert os.path.samefile(site / path, source)  # a hard link to the cached file
        again = tmp_path / f"again-{jobs}"
        again.mkdir()
        result = build_outputs(project, project / "templates", BuildCache(tmp_path / f"cache-{jobs}"),
                               site_dir=str(again))
        assert list(again.iterdir()) == [] and result.placed == set()  # every plan from the cache
    path = next(path for path, _ in result.plan_files if path.startswith("plans/"))
    slug = path.split("/")[1]
    dirty = tmp_path / "dirty"
    (dirty / path).parent.mkdir(parents=True)
    (dirty / path).write_text("old", encoding="utf-8")
    result = build_outputs(project, project / "templates", BuildCache(tmp_path / "cache-dirty"), site_dir=str(dirty))
    assert result.placed and path not in result.placed and (dirty / path).read_text(encoding="utf-8") == "old"
    assert not any(p.startswith(f"plans/{slug}/") for p in result.placed)  # its plan is left whole


def test_a_stored_entry_supersedes_the_other_entries_of_its_plan_only(tmp_path):
    """``BuildCache.store`` writes the entry's files in their folders (parents made as needed,
    one ``mkdir`` each) and removes the plan's other entries, whether they are named
    (``others``, from one :meth:`~plansite.cache.BuildCache.entry_names` listing) or found by
    listing; a plan whose slug starts with another's (``a`` and ``a-b``) is not touched."""
    cache = BuildCache(tmp_path / "cache")
    outputs = {"index.html": "首页", "plans/a/chapter-1/index.html": "<p>一</p>", "plans/a/x.json": "{}",
               "api/plans/a.json": "[]"}
    for slug, key in (("a", "1" * 64), ("a-b", "2" * 64), ("a", "3" * 64)):
        cache.store(PlanEntry(slug, key, None), outputs)
    assert sorted(cache.entry_names().items()) == [("a", ["a-" + "3" * 40]), ("a-b", ["a-b-" + "2" * 40])]
    entry = PlanEntry("a", "4" * 64, None)
    cache.store(entry, outputs, others=cache.entry_names()["a"])
    assert sorted(cache.entry_names().items()) == [("a", ["a-" + "4" * 40]), ("a-b", ["a-b-" + "2" * 40])]
    files = cache.files_dir("a", "4" * 64)
    assert [path for path, _, _ in entry.files] == sorted(outputs)
    assert {path: (files / path).read_text(encoding="utf-8") for path in outputs} == outputs
    assert cache.load("a", "4" * 64) is not None and cache.load("a-b", "2" * 64) is not None
    assert [p.name for p in (tmp_path / "cache" / "plans").iterdir() if p.name.startswith(".")] == []


def test_a_card_digest_depends_on_the_values_not_on_which_objects_are_shared():
    # A plan built in a worker shares string objects between its metadata and its tables; the
    # same plan loaded back from the cache (or built in another process) does not. The digest
    # keys the cross-plan pages: it used to differ between the two, so the first edit after a
    # clean build made every comparison page of the edited plan again.
    import dataclasses
    import pickle

    from plansite.site import make_card

    project = load_project(ROOT)
    unequal = 0
    for data in project.plans:
        copies = pickle.loads(pickle.dumps(data.plan)), pickle.loads(pickle.dumps(data.tables))
        shown = dataclasses.replace(data.plan, sha256="", meta_data=None)
        if pickle.dumps((shown, data.tables), protocol=4) != pickle.dumps(
                (dataclasses.replace(copies[0], sha256="", meta_data=None), copies[1]), protocol=4):
            unequal += 1  # the plain pickles differ: this plan tests something
        assert make_card(*copies, "", {}).digest == make_card(data.plan, data.tables, "", {}).digest
        edited = dataclasses.replace(data.plan, sha256="0" * 64)
        assert make_card(edited, data.tables, "", {}).digest == make_card(data.plan, data.tables, "", {}).digest
        retitled = dataclasses.replace(data.plan, title=data.plan.title + "（修订）")
        assert make_card(retitled, data.tables, "", {}).digest != make_card(data.plan, data.tables, "", {}).digest
    assert unequal >= 1


def test_deferred_checks_skip_the_stats_of_checked_entries_once_and_find_a_file_edited_since(tmp_path, monkeypatch):
    """With ``defer_checks`` (`mkdocs serve`'s quick rebuild) an entry checked since it was last
    so returned comes back without a ``stat`` of its files; :meth:`check_deferred` checks it
    afterwards and removes it when a file changed in place; an entry returned unchecked is
    checked by the next load when ``check_deferred`` has not run."""
    import os as os_module

    cache = BuildCache(tmp_path / "cache")
    outputs = {f"plans/a/chapter-{n}/index.html": f"<p>第{n}章</p>" for n in range(1, 6)}
    key = "5" * 64
    cache.store(PlanEntry("a", key, None), outputs)
    fresh = BuildCache(tmp_path / "cache")  # a new process: nothing checked yet
    stats = []
    real_stat = os_module.stat
    monkeypatch.setattr(os_module, "stat", lambda path, *a, **k: (stats.append(str(path)), real_stat(path, *a, **k))[1])
    fresh.defer_checks = True
    assert fresh.load("a", key) is not None and len(stats) >= 5  # first load: every file checked
    stats.clear()
    assert fresh.load("a", key) is not None and stats == []  # checked: returned at once
    assert fresh.load("a", key) is not None and len(stats) >= 5  # returned unchecked, not checked since
    stats.clear()
    assert fresh.check_deferred() == []  # nothing returned unchecked since the last full check
    assert fresh.load("a", key) is not None and stats == []
    monkeypatch.setattr(os_module, "stat", real_stat)
    edited = fresh.files_dir("a", key) / "plans/a/chapter-3/index.html"
    edited.write_text("<p>第九章</p>", encoding="utf-8")  # in place, as through a hard link of the site
    os_module.utime(edited, ns=(1, 1))
    assert fresh.check_deferred() == [str(fresh.entry_dir("a", key))]
    assert not fresh.entry_dir("a", key).exists()
    assert fresh.load("a", key) is None
    assert fresh.check_deferred() == []


def test_an_entry_is_moved_aside_even_when_drop_pruned_deletes_the_new_aside_folder_first(tmp_path, monkeypatch):
    """`mkdocs serve` deletes the ``.pruned-*`` folders (:meth:`BuildCache.drop_pruned`) in one
    thread while another moves a damaged entry aside into a new one; when the new folder is
    deleted before the rename (here: at once, as another process would), it is made again, and
    the entry is still gone — and so is a superseded entry :meth:`store` moves aside."""
    import tempfile as tempfile_module

    from plansite import cache as cache_module

    made = []
    real_mkdtemp = tempfile_module.mkdtemp

    def racing_mkdtemp(*args, **kwargs):
        folder = real_mkdtemp(*args, **kwargs)
        if Path(folder).name.startswith(".pruned-"):
            made.append(folder)
            if len(made) % 2 == 1:
                BuildCache(Path(folder).parent.parent).drop_pruned()  # deleted before the rename
        return folder

    cache = BuildCache(tmp_path / "cache")
    outputs = {f"plans/a/chapter-{n}/index.html": f"<p>第{n}章</p>" for n in range(1, 3)}
    key = "6" * 64
    cache.store(PlanEntry("a", key, None), outputs)
    cache.defer_checks = True
    assert cache.load("a", key) is not None and cache.load("a", key) is not None  # the 2nd unchecked
    edited = cache.files_dir("a", key) / "plans/a/chapter-2/index.html"
    edited.write_text("<p>第九章</p>", encoding="utf-8")
    os.utime(edited, ns=(1, 1))
    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", racing_mkdtemp)
    assert cache.check_deferred() == [str(cache.entry_dir("a", key))]
    assert len(made) == 2
    assert not cache.entry_dir("a", key).exists()
    assert not list((tmp_path / "cache" / "plans").glob(".pruned-*"))

    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", real_mkdtemp)
    cache.defer_checks = False
    cache.store(PlanEntry("a", key, None), outputs)
    cache.defer_prune = True
    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", racing_mkdtemp)
    made.clear()
    cache.store(PlanEntry("a", "7" * 64, None), outputs)
    assert len(made) == 2
    assert not cache.entry_dir("a", key).exists() and cache.entry_dir("a", "7" * 64).exists()
    [aside] = list((tmp_path / "cache" / "plans").glob(".pruned-*"))
    assert [p.name for p in aside.iterdir()] == [cache.entry_dir("a", key).name]
    cache.drop_pruned()
    assert not list((tmp_path / "cache" / "plans").glob(".pruned-*"))
