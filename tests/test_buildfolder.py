"""Updating a build folder in place (plansite.buildfolder) and the double-buffered build.py build.

The unit tests drive :func:`update_folder` with random sets of files over several builds and
compare the folder with a fresh one; the hand-edit test damages the folder in every way the
check must notice. The build tests run ``build.py build`` (in process) after random edits: the
published folder, written over the build before last, equals a clean build byte for byte, a
failed or killed update never touches the published site, and the next build repairs it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import random
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import trash_emptied
from plansite import buildfolder, cli, foldercheck, mkdocs_run, stamp
from plansite.buildfolder import FolderState, Wanted, update_folder, wanted_bytes
from plansite.diff import SEARCH_DIR, compare_manifests
from plansite.manifest import MANIFEST

ROOT = Path(__file__).resolve().parent.parent

UMASK = 0o022

def _remove_cache(project: Path) -> None:
    """Delete the project's ``.cache`` once the detached ``rm`` of its ``trash/`` (superseded
    cache entries a ``build.py build`` moved there) is done: deleting the folder under that
    ``rm`` would race with it."""
    trash_emptied(project)
    shutil.rmtree(project / ".cache")



def tree(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: file → its bytes, folder → ``"dir"``, with its mode."""
    out: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        mode = stat.S_IMODE(path.lstat().st_mode)
        out[rel] = ("dir", mode) if path.is_dir() else (path.read_bytes(), mode)
    return out


def random_site(rng: random.Random, sources: Path, previous: dict[str, bytes] | None) -> dict[str, bytes]:
    """A random set of files (site path → bytes), close to ``previous`` when given: some kept,
    some changed, some removed, some added, a file becoming a folder and back."""
    names = ["a", "b", "c", "plans", "x.html", "index.html", "d"]
    if previous is None:
        out = {}
    else:
        out = {p: (d if rng.random() < 0.7 else d + b"!") for p, d in previous.items() if rng.random() < 0.85}
    for _ in range(rng.randint(3, 12)):
        depth = rng.randint(1, 4)
        path = "/".join(rng.choice(names) for _ in range(depth))
        out[path] = f"{path} {rng.randint(0, 3)}".encode()
    # a path cannot be a file and a folder: drop files that are parents of others
    parents = {p.rsplit("/", 1)[0] for p in out if "/" in p}
    parents = {"/".join(p.split("/")[:i]) for p in parents for i in range(1, p.count("/") + 2)}
    return {p: d for p, d in out.items() if p not in parents and p != MANIFEST}


def as_wanted(files: dict[str, bytes], sources: Path, rng: random.Random) -> dict[str, Wanted]:
    """``files`` as :class:`Wanted`: some bytes, some hard links to files under ``sources``
    (never modified in place: a new source file per content), some staged files to move."""
    out = {}
    for n, (path, data) in enumerate(sorted(files.items())):
        sha = hashlib.sha256(data).hexdigest()
        kind = rng.choice(["data", "link", "move"])
        if kind == "data":
            out[path] = wanted_bytes(data)
            continue
        src = sources / f"{kind}-{sha[:16]}-{rng.random()}"
        src.write_bytes(data)
        out[path] = Wanted(sha, len(data), **{kind: str(src)})
    return out


def expected_tree(files: dict[str, bytes]) -> dict[str, object]:
    """The tree a fresh folder of ``files`` (plus its manifest) has."""
    out: dict[str, object] = {}
    for path, data in files.items():
        out[path] = (data, 0o644)
        parts = path.split("/")
        for i in range(1, len(parts)):
            out["/".join(parts[:i])] = ("dir", 0o755)
    entries = {p: (hashlib.sha256(d).hexdigest(), len(d)) for p, d in files.items()}
    text = json.dumps({"files": {p: {"sha256": s, "size": n} for p, (s, n) in sorted(entries.items())}},
                      ensure_ascii=False, indent=1) + "\n"
    out[MANIFEST] = (text.encode(), 0o644)
    return dict(sorted(out.items()))


@pytest.fixture
def umask022():
    old = os.umask(UMASK)
    yield
    os.umask(old)


def made_folders(tmp_path: Path, *names: str) -> list[Path]:
    """The folders ``names`` made under ``tmp_path``."""
    folders = [tmp_path / name for name in names]
    for folder in folders:
        folder.mkdir()
    return folders


def test_updates_in_place_equal_fresh_folders(tmp_path, umask022):
    rng = random.Random(11)
    sources, folder = made_folders(tmp_path, "sources", "folder")
    state, files = None, None
    kept_inodes = 0
    for round_ in range(40):
        files = random_site(rng, sources, files)
        before = {p: os.lstat(folder / p).st_ino for p in (state.files if state else {}) if p != MANIFEST}
        state = update_folder(folder, state, as_wanted(files, sources, rng), UMASK)
        assert tree(folder) == expected_tree(files), round_
        fresh = tmp_path / f"fresh-{round_}"
        fresh.mkdir()
        update_folder(fresh, None, as_wanted(files, sources, rng), UMASK)
        assert tree(fresh) == tree(folder)
        shutil.rmtree(fresh)
        # unchanged files were not written again
        kept_inodes += sum(1 for p, ino in before.items() if p in files and os.lstat(folder / p).st_ino == ino)
        assert set(state.files) == set(files) | {MANIFEST}
    assert kept_inodes > 100


def test_the_stamp_of_a_folder_from_its_state_is_that_of_a_walk(tmp_path, umask022):
    """mkdocs_run._listed_state (what a build stamps, from the FolderState) equals stamp.site_state (what
    the no-change check computes by walking the folder), round after round of updates in place."""
    rng = random.Random(5)
    sources, folder = made_folders(tmp_path, "sources", "folder")
    state, files = None, None
    for round_ in range(15):
        files = random_site(rng, sources, files)
        state = update_folder(folder, state, as_wanted(files, sources, rng), UMASK)
        listed = mkdocs_run._listed_state(state)  # what a build stamps (umask022: its mode bits)
        assert listed == stamp.site_state(folder), round_
        # from the folders' listings, kept from the state before where a folder did not change
        assert state.listings.keys() == state.dirs.keys() and state.mode == stat.S_IFREG | 0o644
        assert stamp.listed_state({}, state.dirs, state.listings) == listed
        fresh = stamp.folder_listings({rel: (state.mode, r[1], r[3], r[2]) for rel, r in state.files.items()},
                                      state.dirs)
        assert fresh == state.listings, round_
    (folder / "stray.txt").write_bytes(b"x")
    assert listed != stamp.site_state(folder)


def test_listings_and_folders_carried_from_the_state_before_equal_fresh_ones(tmp_path, umask022):
    """update_folder takes a touched folder's listing from the state before with the lines of
    the entries written or removed in it replaced, and, when the site has the same paths as
    before, its folders from that state: round after round (the same paths with some bytes
    changed, other paths, folders damaged by hand), the state equals one made from scratch."""
    rng = random.Random(23)
    sources, folder = made_folders(tmp_path, "sources", "folder")
    state, files = None, None
    for round_ in range(30):
        if files is not None and round_ % 2:  # the same paths: only bytes change
            files = {p: (d + b"!" if rng.random() < 0.3 else d) for p, d in files.items()}
        else:
            files = random_site(rng, sources, files)
        if state is not None and round_ % 5 == 4:  # hand damage: a file deleted, a folder removed, a stray file
            victim = rng.choice(sorted(files))
            (folder / victim).unlink()
            deep = sorted(d for d in state.dirs if d)
            if deep:
                shutil.rmtree(folder / rng.choice(deep), ignore_errors=True)
            (folder / "stray.txt").write_bytes(b"stray")
        state = update_folder(folder, state, as_wanted(files, sources, rng), UMASK)
        assert tree(folder) == expected_tree(files), round_
        fresh = stamp.folder_listings({rel: (state.mode, r[1], r[3], r[2]) for rel, r in state.files.items()},
                                      state.dirs)
        assert state.listings == fresh, round_
        assert set(state.dirs) == {""} | {p.rsplit("/", 1)[0] for p in files if "/" in p} \
            | {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/"))}, round_
        assert mkdocs_run._listed_state(state) == stamp.site_state(folder), round_


def test_hand_edits_in_the_reused_folder_are_found_and_repaired(tmp_path, umask022):
    rng = random.Random(3)
    sources, folder = made_folders(tmp_path, "sources", "folder")
    files = {"index.html": b"<p>home</p>", "a/b/page.html": b"<p>page</p>", "a/c.json": b"{}",
             "a/d/e.css": b"p{}", "f.txt": b"text", "g/h.txt": b"h"}
    state = update_folder(folder, None, as_wanted(files, sources, rng), UMASK)
    # damage: in-place edit of the same size, deletion, a stray file and folder, a file replaced
    # by a folder, a folder replaced by a file, a changed mode, the manifest deleted
    with open(folder / "a/b/page.html", "r+b") as f:
        f.write(b"<P>")
    (folder / "f.txt").unlink()
    (folder / "a/stray.html").write_bytes(b"stray")
    (folder / "stray-dir" / "x").mkdir(parents=True)
    (folder / "a/c.json").unlink()
    (folder / "a/c.json").mkdir()
    shutil.rmtree(folder / "g")
    (folder / "g").write_bytes(b"not a folder")
    os.chmod(folder / "a/d/e.css", 0o600)
    (folder / MANIFEST).unlink()
    warnings = []
    state = update_folder(folder, state, as_wanted(files, sources, rng), UMASK, warnings.append)
    assert tree(folder) == expected_tree(files)
    assert len(warnings) == 1 and "changed by hand" in warnings[0], warnings
    assert mkdocs_run._listed_state(state) == stamp.site_state(folder)
    # nothing damaged: no warning, nothing written
    inodes = {p: os.lstat(folder / p).st_ino for p in files}
    warnings.clear()
    update_folder(folder, state, as_wanted(files, sources, rng), UMASK, warnings.append)
    assert warnings == [] and inodes == {p: os.lstat(folder / p).st_ino for p in files}


def test_a_check_made_ahead_in_a_child_finds_and_repairs_what_the_check_in_process_does(tmp_path, umask022):
    """EarlyCheck: the same damage as above, checked in a forked child before update_folder runs,
    is found (one warning, the same count as the check made in process) and repaired; with another
    thread running nothing is forked and update_folder checks in process."""
    rng = random.Random(3)
    sources = tmp_path / "sources"
    sources.mkdir()
    files = {"index.html": b"<p>home</p>", "a/b/page.html": b"<p>page</p>", "a/c.json": b"{}",
             "a/d/e.css": b"p{}", "f.txt": b"text", "g/h.txt": b"h"}
    counts = []
    for ahead in (True, False):
        folder = tmp_path / f"folder-{ahead}"
        folder.mkdir()
        state = update_folder(folder, None, as_wanted(files, sources, rng), UMASK)
        with open(folder / "a/b/page.html", "r+b") as f:
            f.write(b"<P>")
        (folder / "f.txt").unlink()
        (folder / "a/stray.html").write_bytes(b"stray")
        shutil.rmtree(folder / "g")
        (folder / "g").write_bytes(b"not a folder")
        os.chmod(folder / "a/d/e.css", 0o600)
        if ahead:  # in a fresh process: this one may run threads (other tests' servers), which forbid the fork
            buildfolder.save_state(state, tmp_path / "state")
            probe = ("import pickle, sys; from pathlib import Path; from plansite import buildfolder, foldercheck; "
                     "state = buildfolder.load_state(Path(sys.argv[2])); "
                     "sys.stdout.buffer.write(pickle.dumps(foldercheck.EarlyCheck(Path(sys.argv[1]), state, "
                     "0o755, 0o644).result()))")
            done = subprocess.run([sys.executable, "-c", probe, str(folder), str(tmp_path / "state")],
                                  capture_output=True, timeout=120, cwd=ROOT)
            assert done.returncode == 0, done.stderr
            checked = pickle.loads(done.stdout)
            assert checked is not None and len(checked) == 3 and "a/stray.html" in checked[2]
            assert not (folder / "a/stray.html").exists()  # repaired by the child already
            state = dataclasses.replace(state, checked=checked)
        warnings = []
        state = update_folder(folder, state, as_wanted(files, sources, rng), UMASK, warnings.append)
        assert tree(folder) == expected_tree(files)
        assert state.checked is None and len(warnings) == 1 and "changed by hand" in warnings[0], warnings
        counts.append(warnings[0].split(":0: ")[1].split(" file(s)")[0])
    assert counts[0] == counts[1]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert foldercheck.EarlyCheck(folder, state, 0o755, 0o644).result() is None
    finally:
        stop.set()
        other.join()


def test_a_spare_linked_from_a_folder_is_updated_without_touching_that_folder(tmp_path, umask022):
    """link_folder (the spare made after a build that leaves none): the copy holds the same tree
    and its state passes the check as it is (no file written again, no warning); updating it in
    place gives a fresh folder's tree, while the folder it was linked from keeps every byte,
    mode and stamp (it is the published site)."""
    rng = random.Random(17)
    sources = tmp_path / "sources"
    sources.mkdir()
    files = None
    for round_ in range(12):
        published, spare = tmp_path / f"published-{round_}", tmp_path / f"spare-{round_}"
        published.mkdir()
        spare.mkdir()
        files = random_site(rng, sources, files)
        listed = update_folder(published, None, as_wanted(files, sources, rng), UMASK)
        before, stamped = tree(published), stamp.site_state(published)
        copy = buildfolder.link_folder(published, spare, listed)
        assert tree(spare) == before and set(copy.files) == set(listed.files), round_
        assert mkdocs_run._listed_state(copy) == stamp.site_state(spare) == stamped, round_
        assert all(os.lstat(spare / p).st_ino == os.lstat(published / p).st_ino for p in listed.files)
        good, dirs, changed = foldercheck.check_folder(spare, copy, 0o755, 0o644)
        assert changed == [] and good == copy.files and dirs == set(copy.dirs), round_
        files = random_site(rng, sources, files)
        warnings = []
        state = update_folder(spare, copy, as_wanted(files, sources, rng), UMASK, warnings.append)
        assert warnings == [] and tree(spare) == expected_tree(files), round_
        assert mkdocs_run._listed_state(state) == stamp.site_state(spare), round_
        assert tree(published) == before and stamp.site_state(published) == stamped, round_


def test_links_to_files_the_build_just_stated_need_no_lstat_unless_their_folder_changed(tmp_path, monkeypatch,
                                                                                       umask022):
    """check_folder with ``seen`` (what the cache's load found for each link source): a hard link
    whose inode, size, time and mode the build has just seen, in a folder whose modification time
    is the recorded one, is good without an lstat; a file replaced (its folder changed), edited
    in place or given another mode is still found, and repaired."""
    sources = tmp_path / "cache"
    sources.mkdir()
    files = {f"plans/p{n}/{name}": f"{n} {name}".encode() for n in range(4) for name in ("index.html", "t/a.json")}
    files["index.html"] = b"<p>home</p>"  # bytes, not a link: always lstat'ed
    wanted = {}
    for rel, data in files.items():
        if rel == "index.html":
            wanted[rel] = wanted_bytes(data)
            continue
        src = sources / rel.replace("/", "_")
        src.write_bytes(data)
        wanted[rel] = Wanted(hashlib.sha256(data).hexdigest(), len(data), link=str(src))
    folder = tmp_path / "spare"
    folder.mkdir()
    state = update_folder(folder, None, wanted, UMASK)

    def seen_now():  # what BuildCache.load records: a stat of each source
        return {w.link: (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)
                for w in wanted.values() if w.link for st in [os.stat(w.link)]}

    calls = []
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path, *a, **k: calls.append(str(path)) or real_lstat(path, *a, **k))
    good, dirs, changed = foldercheck.check_folder(folder, state, 0o755, 0o644, wanted, seen_now())
    assert changed == [] and good == state.files
    # the folders, and the files that are no link (the manifest, bytes written by the build)
    assert sorted(calls) == sorted([f"{folder}/{d}" if d else str(folder) for d in state.dirs]
                                   + [f"{folder}/index.html", f"{folder}/{MANIFEST}"])
    calls.clear()
    assert len(foldercheck.check_folder(folder, state, 0o755, 0o644)[0]) == len(state.files)
    assert len(calls) == len(state.dirs) + len(state.files)  # without seen: one lstat per file
    monkeypatch.setattr(os, "lstat", real_lstat)
    # a file replaced by another of the same size (renamed over it): its folder changed
    replaced = folder / "plans/p1/index.html"
    (folder / "plans/p1/new").write_bytes(b"1 INDEX.HTML"[:len(files["plans/p1/index.html"])])
    os.replace(folder / "plans/p1/new", replaced)
    # a file edited in place (so is its source: a hard link), and one given another mode
    with open(folder / "plans/p2/t/a.json", "r+b") as f:
        f.write(b"X")
    os.chmod(folder / "plans/p3/index.html", 0o600)
    warnings = []
    seen = seen_now()  # stat'ed after the damage, as a build's cache load would
    update_folder(folder, state, wanted, UMASK, warnings.append, seen=seen)
    assert len(warnings) == 1 and "2 file(s) changed by hand" in warnings[0], warnings
    assert replaced.read_bytes() == files["plans/p1/index.html"]
    assert stat.S_IMODE(os.lstat(folder / "plans/p3/index.html").st_mode) == 0o644


def test_a_state_is_saved_and_loaded_and_damage_means_none(tmp_path):
    state = FolderState(files={"a": ("0" * 64, 1, 2, 3)}, dirs={"": 4})
    buildfolder.save_state(state, tmp_path / "x.state")
    assert buildfolder.load_state(tmp_path / "x.state") == state
    (tmp_path / "x.state").write_bytes(b"garbage")
    assert buildfolder.load_state(tmp_path / "x.state") is None
    assert buildfolder.load_state(tmp_path / "missing.state") is None


# --- build.py build: the double buffer -----------------------------------------------------------


def edit_seed(root: Path, slug: str, rng: random.Random) -> None:
    """Change one comma of a long body line of ``slug``'s seed that no indicator file quotes."""
    from test_cache import edit_seed_line

    edit_seed_line(root, slug, rng)


def manifest(site: Path) -> dict:
    return json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]


def assert_same_site(site: Path, clean: Path) -> None:
    """``site`` holds exactly its manifest's files, with the modes of ``clean``, and equals it
    byte for byte, the search index aside (it depends on the edit history: overlay bundles and
    excluded versions, README Search; ``tests/test_search_overlay.py`` compares its results)."""
    diff = compare_manifests(manifest(site), manifest(clean), ignore=(SEARCH_DIR,))
    assert diff.same, diff
    for folder in (site.resolve(), clean.resolve()):
        listed = manifest(folder)
        on_disk = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if not p.is_dir()}
        assert set(on_disk) == set(listed) | {MANIFEST}
        for rel, entry in listed.items():
            assert hashlib.sha256(on_disk[rel].read_bytes()).hexdigest() == entry["sha256"], rel
    modes = lambda f: {p.relative_to(f).as_posix(): stat.S_IMODE(p.stat().st_mode)  # noqa: E731
                       for p in f.rglob("*") if not p.relative_to(f).as_posix().startswith(SEARCH_DIR)}
    assert modes(site.resolve()) == modes(clean.resolve())


def spare_of(site: Path) -> Path | None:
    builds = site.parent / f".{site.name}.builds"
    others = [p for p in builds.iterdir() if p.is_dir() and p != site.resolve()]
    return others[0] if others else None


def test_double_buffered_builds_equal_a_clean_build_after_random_edits(project, tmp_path, umask022):
    rng = random.Random(23)
    site = project / "site"
    slugs = sorted(p.stem for p in (project / "site_src" / "plans").glob("*.yml"))
    cli.build_site(project, site, quiet=True)
    reused = 0
    for n in range(3):
        edit_seed(project, rng.choice(slugs), rng)
        spare = spare_of(site)
        spare_ino = os.stat(spare).st_ino if spare is not None else None
        summary = cli.build_site(project, site, quiet=True)
        assert not [w for w in summary["warnings"] if "changed by hand" in w], summary["warnings"]
        if spare_ino is not None:
            assert os.stat(site.resolve()).st_ino == spare_ino  # written over the build before last
            reused += 1
    assert reused == 3  # the first build leaves a spare too (hard links to it): every edit updates one
    _remove_cache(project)
    cli.build_site(project, tmp_path / "clean", quiet=True)
    assert_same_site(site, tmp_path / "clean")


def test_a_failed_or_killed_update_keeps_the_site_and_the_next_build_repairs(project, tmp_path, monkeypatch,
                                                                            umask022):
    from plansite.errors import PlansiteError

    rng = random.Random(5)
    site = project / "site"
    cli.build_site(project, site, quiet=True)
    edit_seed(project, "cangshan-14th", rng)
    cli.build_site(project, site, quiet=True)  # now a spare exists
    published = os.readlink(site)
    before = manifest(site)
    # an input problem: the spare is left as it was (still reused next time)
    spare = spare_of(site)
    meta = project / "site_src" / "plans" / "taijiang-14th.yml"
    good = meta.read_text(encoding="utf-8")
    meta.write_text(good.replace("sha256: ", "sha256: 0", 1), encoding="utf-8")
    with pytest.raises(PlansiteError):
        cli.build_site(project, site, quiet=True)
    assert os.readlink(site) == published and manifest(site) == before and spare_of(site) == spare
    meta.write_text(good, encoding="utf-8")
    # a failure in the middle of the update of the spare (a write fails after 5 files)
    edit_seed(project, "fuzhou-15th", rng)
    calls = [0]
    place = buildfolder._place

    def failing(target, want):
        calls[0] += 1
        if calls[0] == 5:
            raise OSError(28, "No space left on device", target)
        place(target, want)

    monkeypatch.setattr(buildfolder, "_place", failing)
    with pytest.raises(PlansiteError) as err:
        cli.build_site(project, site, quiet=True)
    assert "writing the new build failed" in str(err.value) and calls[0] == 5
    assert os.readlink(site) == published and manifest(site) == before
    monkeypatch.setattr(buildfolder, "_place", place)
    cli.build_site(project, site, quiet=True)
    cli.build_site(project, site, quiet=True)  # and once more over the build before last
    _remove_cache(project)
    cli.build_site(project, tmp_path / "clean", quiet=True)
    assert_same_site(site, tmp_path / "clean")


def test_hand_edits_of_the_spare_are_repaired_with_a_warning(project, tmp_path, monkeypatch, umask022):
    rng = random.Random(9)
    site = project / "site"
    cli.build_site(project, site, quiet=True)
    cli.build_site(project, site, quiet=True)
    spare = spare_of(site)
    # a cross-plan page edited in place, a plan page (a hard link into the cache) deleted, a stray file
    home = spare / "index.html"
    data = home.read_bytes()
    with open(home, "r+b") as f:
        f.write(data.replace(b"<", b"[", 1)[:10])
    (spare / "plans" / "taijiang-14th" / "index.html").unlink()
    (spare / "plans" / "stray.html").write_text("stray", encoding="utf-8")
    edit_seed(project, "taishang-14th", rng)
    here = []  # check_folder calls in this process: none, the spare is checked in a forked child (EarlyCheck)
    real = foldercheck.check_folder
    spy = lambda *a, **k: here.append(a[0]) or real(*a, **k)  # noqa: E731
    monkeypatch.setattr(foldercheck, "check_folder", spy)  # (EarlyCheck's, were it run in this process)
    monkeypatch.setattr(buildfolder, "check_folder", spy)  # (update_folder's)
    alone = threading.active_count() == 1  # (else no child is forked: the check runs here, as before)
    summary = cli.build_site(project, site, quiet=True)
    assert any("changed by hand" in w and "3 file(s)" in w for w in summary["warnings"]), summary["warnings"]
    assert (here == []) if alone else len(here) == 1
    _remove_cache(project)
    cli.build_site(project, tmp_path / "clean", quiet=True)
    assert_same_site(site, tmp_path / "clean")


def test_build_py_checks_the_spare_in_a_forked_child(project, tmp_path):
    """In a process running no other thread (as ``build.py build``), the second build checks the
    spare the first one left in a child: every check_folder call comes from another process."""
    calls = tmp_path / "calls"
    probe = ("import os, sys; from pathlib import Path; from plansite import buildfolder, cli, foldercheck; "
             "real = foldercheck.check_folder; "
             "spy = lambda *a, **k: open(sys.argv[2], 'a').write(f'{os.getpid()}\\n') and real(*a, **k); "
             "buildfolder.check_folder = foldercheck.check_folder = spy; "
             "[cli.build_site(Path(sys.argv[1]), Path(sys.argv[1]) / 'site', quiet=True) for _ in range(2)]; "
             "print(os.getpid())")
    done = subprocess.run([sys.executable, "-c", probe, str(project), str(calls)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pids = calls.read_text().split()
    assert len(pids) == 1 and pids[0] != done.stdout.strip(), (pids, done.stdout)


def test_the_search_bundles_are_listed_once_and_remembered(project, build_py, monkeypatch):
    """plugin.site_files keeps the listing (sha256, size) of every cached search bundle in the
    build cache, so the next build does not read and hash the bundle files again."""
    from plansite.cache import BuildCache

    run = build_py("--root", project, "build", "--quiet", "--site", project / "site")
    assert run.returncode == 0, run.stderr
    memo = BuildCache(project / ".cache" / "build").get_object(".", "search-files")
    bundles = sorted(p for p in (project / ".cache" / "build" / "search").iterdir() if p.is_dir())  # not state.json
    assert isinstance(memo, dict) and len(memo) == len(bundles) >= 1
    # a remembered bundle is not read again
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self}"))
    listed = {}
    for folder in bundles:  # shard 0 is the main bundle, the others lie in pagefind/shard-<id>/
        shard = folder.name.split("-")[1]
        listed.update(buildfolder.linked_tree(folder, "pagefind/" if shard == "0" else f"pagefind/shard-{shard}/", memo))
    published = json.loads((project / "site" / MANIFEST).read_text(encoding="utf-8"))["files"]
    wrong = [p for p, w in listed.items() if published.get(p) != {"sha256": w.sha256, "size": w.size}]
    assert listed and not wrong, wrong[:5]
