"""Publishing (plansite.publish): the site is a symlink to a complete build, swapped with one
rename; crashes at every file-system step, real SIGKILLs of real builds, stale build folders,
the build lock, permissions, refused site paths, migration of a plain folder, file-system errors.

Most tests drive :func:`publish` with a small fake build (a few files and a manifest) and a
:class:`plansite.sitepaths.FileSystem` whose steps can crash or fail; the subprocess tests run
``build.py build`` on a one-plan copy of the project and kill it with SIGKILL.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, one_plan_project, update_checksum
from plansite import cli, publish as pub
from plansite.errors import PlansiteError
from plansite.publish import publish
from plansite.sitepaths import FileSystem

# --- helpers ---------------------------------------------------------------------------------


def fake_build(version: str, crash_after: int | None = None):
    """A ``build_into`` writing a small site of version ``version`` (manifest last, as the real
    build does); with ``crash_after`` it raises :class:`Crash` after that many files."""

    def build_into(folder: Path) -> None:
        files = {"index.html": f"<p>{version}</p>", "a/index.html": f"<p>a {version}</p>",
                 "a/b/data.json": json.dumps({"v": version}), "style.css": "p{}"}
        for n, (rel, text) in enumerate(files.items()):
            if crash_after is not None and n >= crash_after:
                raise Crash(f"killed while writing the build ({n} files written)")
            out = folder / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        entries = {rel: {"sha256": hashlib.sha256(text.encode()).hexdigest(), "size": len(text.encode())}
                   for rel, text in sorted(files.items())}
        (folder / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")

    return build_into


def assert_complete(site: Path) -> str:
    """``site`` holds a complete build: every file its manifest lists, with that sha256, and
    nothing else. Returns the text of its ``index.html``."""
    assert site.is_dir(), f"{site} is missing"
    listed = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]
    on_disk = {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in site.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert on_disk == {k: v["sha256"] for k, v in listed.items()}
    return (site / "index.html").read_text(encoding="utf-8")


def assert_tidy(site: Path) -> None:
    """After a finished publish: ``site`` is a symlink to a build folder, the only one, or (real
    builds, which reuse the build before last) with one spare beside it, each with its
    ``.state``; the parent holds nothing else of the build but the lock file."""
    builds = site.parent / f".{site.name}.builds"
    names = sorted(os.listdir(builds))
    folders = [n for n in names if not n.endswith(".state")]
    states = [n for n in names if n.endswith(".state")]
    assert site.is_symlink() and os.readlink(site) in [f"{builds.name}/{n}" for n in folders], names
    assert not any(n.endswith(".partial") for n in names), names
    if states:
        assert len(folders) <= 2 and states == [f"{n}.state" for n in folders], names
    else:
        assert len(folders) == 1, names
    extra = sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))
    assert extra == [f".{site.name}.builds", f".{site.name}.lock"], extra


class Crash(BaseException):
    """The process dies here (BaseException: no ``except Exception`` or OSError handler runs)."""


class CrashingFS(FileSystem):
    """Performs the first ``alive`` steps, then "dies": that step and every later one raise
    :class:`Crash` (a real process would run nothing more). A ``remove`` that dies removes one
    file first, as an ``rmtree`` killed midway does."""

    def __init__(self, alive: int):
        self.alive, self.steps = alive, []

    def _step(self, name: str, path) -> None:
        self.steps.append(name)
        if len(self.steps) > self.alive:
            if name == "remove" and Path(path).is_dir() and not Path(path).is_symlink():
                first = next((p for p in Path(path).rglob("*") if p.is_file()), None)
                if first is not None:
                    first.unlink()
            raise Crash(f"killed at step {len(self.steps)} ({name} {path})")


def _wrap(name):
    def method(self, *args, **kwargs):
        self._step(name, args[0] if name != "symlink" else args[1])
        return getattr(FileSystem, name)(self, *args, **kwargs)
    return method


for _name in ("open_lock", "mkdir", "remove", "symlink", "replace", "exchange", "chmod", "chgrp"):
    setattr(CrashingFS, _name, _wrap(_name))


class FailingFS(FileSystem):
    """Raises ``OSError(code)`` at the ``at``-th step named ``name`` (1-based)."""

    def __init__(self, name: str, code: int, at: int = 1):
        self.name, self.code, self.at, self.seen = name, code, at, 0

    def __getattribute__(self, attr):
        if attr == object.__getattribute__(self, "name"):
            self.seen += 1
            if self.seen == self.at:
                def fail(path, *args, **kwargs):  # as os.* names them: first path, then the second
                    second = str(args[0]) if args and isinstance(args[0], Path) else None
                    raise OSError(self.code, os.strerror(self.code), str(path), None, second)
                return fail
        return object.__getattribute__(self, attr)


@pytest.fixture
def site(tmp_path) -> Path:
    return tmp_path / "www" / "site"


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def steps_of_a_publish(site: Path, monkeypatch, prepare) -> int:
    """How many file-system steps one publish over the state made by ``prepare`` takes."""
    prepare(site)
    counter = CrashingFS(10 ** 6)
    monkeypatch.setattr(pub, "FS", counter)
    publish(site, fake_build("v2"))
    monkeypatch.setattr(pub, "FS", FileSystem())
    return len(counter.steps)


def steps_before_build(prepare) -> int:
    """File-system steps before the build runs: lock, [removing 2 leftovers], 2 mkdir."""
    return 5 if prepare is stale_v1 else 3


def publish_v1(site: Path) -> None:
    publish(site, fake_build("v1"))


def stale_v1(site: Path) -> None:
    """A published v1 with what a killed build left: a half-written build folder and a link."""
    publish_v1(site)
    partial = site.parent / ".site.builds" / "20200101T000000000000Z-1.partial"
    (partial / "a").mkdir(parents=True)
    (partial / "a" / "index.html").write_text("half", encoding="utf-8")
    (partial / "index.html").write_text("half", encoding="utf-8")
    os.symlink(".site.builds/20200101T000000000000Z-1", site.parent / ".site.link-20200101T000000000000Z-1")


def plain_v1(site: Path) -> None:
    """A plain folder holding a built site, as the builds before symlinks (or `mkdocs build`) left."""
    site.mkdir(parents=True)
    fake_build("v1")(site)
    site.chmod(0o700)


def reset(site: Path) -> None:
    import shutil

    shutil.rmtree(site.parent, ignore_errors=True)


# --- crashes between every two file-system steps ---------------------------------------------


@pytest.mark.parametrize("prepare", [publish_v1, stale_v1, plain_v1], ids=["rebuild", "clean-and-rebuild",
                                                                           "migrate-folder"])
def test_a_crash_at_any_step_leaves_a_complete_site(site, monkeypatch, prepare):
    total = steps_of_a_publish(site, monkeypatch, prepare)
    assert total >= 6
    seen = set()
    for alive in range(total):
        for crash_in_build in ([None, 2] if steps_before_build(prepare) == alive else [None]):
            reset(site)
            prepare(site)
            monkeypatch.setattr(pub, "FS", CrashingFS(alive))
            with pytest.raises(Crash):
                publish(site, fake_build("v2", crash_after=crash_in_build))
            monkeypatch.setattr(pub, "FS", FileSystem())
            seen.add(assert_complete(site))  # v1 before the swap, v2 after it
            if crash_in_build is not None:  # killed inside the build: its folder is left half-written
                assert any(p.name.endswith(".partial") and not p.name.startswith("2020") and any(p.rglob("*.*"))
                           for p in (site.parent / ".site.builds").iterdir())
            # the next build cleans up what the killed one left and publishes
            warnings = []
            publish(site, fake_build("v3"), warn=warnings.append)
            assert assert_complete(site) == "<p>v3</p>"
            assert_tidy(site)
    assert seen == {"<p>v1</p>", "<p>v2</p>"}


def reusing_build(version: str, crash_after: int | None = None):
    """A ``build_into`` for ``publish(reuse=True)`` (as build.py's): nothing in the scratch
    folder; ``finish`` brings the folder to version ``version`` with
    :func:`plansite.buildfolder.update_folder` (``index.html`` and ``a/b/data.json`` change with
    the version, ``old-<version>.txt`` comes and goes); with ``crash_after`` the update "dies"
    after that many files are placed."""
    from plansite import buildfolder

    def build_into(staging: Path):
        def finish(folder: Path, previous):
            files = {"index.html": f"<p>{version}</p>", "a/index.html": "<p>a</p>",
                     "a/b/data.json": json.dumps({"v": version}), "style.css": "p{}",
                     f"old-{version}.txt": version}
            wanted = {rel: buildfolder.wanted_bytes(text.encode()) for rel, text in files.items()}
            if crash_after is None:
                return buildfolder.update_folder(folder, previous, wanted, pub.current_umask())
            place, calls = buildfolder._place, [0]

            def dying(target, want):
                calls[0] += 1
                if calls[0] > crash_after:
                    raise Crash("killed while updating the build folder")
                place(target, want)

            buildfolder._place = dying
            try:
                return buildfolder.update_folder(folder, previous, wanted, pub.current_umask())
            finally:
                buildfolder._place = place
        return finish

    return build_into


def test_a_crash_at_any_step_of_an_update_in_place_leaves_a_complete_site(site, monkeypatch):
    """publish(reuse=True): the build before last is renamed and updated in place; a crash at any
    file-system step, or in the middle of the update, leaves a complete site, and the next build
    (which starts afresh or from the spare) publishes a complete one and keeps one spare."""

    def prepare(site):
        publish(site, reusing_build("v0"), reuse=True)
        publish(site, reusing_build("v1"), reuse=True)  # v0 is the spare now

    prepare(site)
    counter = CrashingFS(10 ** 6)
    monkeypatch.setattr(pub, "FS", counter)
    publish(site, reusing_build("v2"), reuse=True)
    monkeypatch.setattr(pub, "FS", FileSystem())
    assert "replace" in counter.steps and assert_complete(site) == "<p>v2</p>"
    total = len(counter.steps)
    seen = set()
    for alive in range(total):
        for crash_after in (None, 1):
            reset(site)
            prepare(site)
            monkeypatch.setattr(pub, "FS", CrashingFS(alive))
            with pytest.raises(Crash):
                publish(site, reusing_build("v2", crash_after), reuse=True)
            monkeypatch.setattr(pub, "FS", FileSystem())
            seen.add(assert_complete(site))
            publish(site, reusing_build("v3"), reuse=True)
            assert assert_complete(site) == "<p>v3</p>"
            assert_tidy(site)
            publish(site, reusing_build("v4"), reuse=True)  # over the spare, whichever it is
            assert assert_complete(site) == "<p>v4</p>"
            assert_tidy(site)
    assert seen == {"<p>v1</p>"}  # the swap is the last step: after it nothing can fail


def test_a_build_that_leaves_no_spare_makes_one_and_a_crash_there_is_harmless(site, monkeypatch):
    """publish(reuse=True) over a build that is no spare (here one without ``.state``, as after a
    migration) writes a whole folder, publishes it, then makes the next build's spare by hard
    links to it. A crash at any step, making the spare included, leaves a complete site, and
    the next builds clean up and update a spare in place; a spare always still holds the
    complete build it was (the published folder is never written into)."""

    def prepare(site):
        publish(site, fake_build("v0"))  # reuse=False: no .state

    def assert_spare_complete(site):
        others = [p for p in (site.parent / ".site.builds").iterdir() if p.is_dir() and p != site.resolve()]
        assert len(others) == 1
        return assert_complete(others[0])

    prepare(site)
    counter = CrashingFS(10 ** 6)
    monkeypatch.setattr(pub, "FS", counter)
    publish(site, reusing_build("v1"), reuse=True)
    monkeypatch.setattr(pub, "FS", FileSystem())
    assert assert_complete(site) == "<p>v1</p>"
    assert_tidy(site)
    assert assert_spare_complete(site) == "<p>v1</p>"
    spare = next(p for p in (site.parent / ".site.builds").iterdir() if p.is_dir() and p != site.resolve())
    assert os.stat(spare / "index.html").st_ino == os.stat(site / "index.html").st_ino  # a hard link
    total = len(counter.steps)
    swap = max(i for i, step in enumerate(counter.steps) if step == "symlink") + 1  # the link over the site
    assert counter.steps[swap] == "replace" and total > swap + 2  # then the steps making the spare
    seen = set()
    for alive in range(total):
        reset(site)
        prepare(site)
        monkeypatch.setattr(pub, "FS", CrashingFS(alive))
        with pytest.raises(Crash):
            publish(site, reusing_build("v1"), reuse=True)
        monkeypatch.setattr(pub, "FS", FileSystem())
        seen.add(assert_complete(site))
        for version in ("v2", "v3"):
            before = assert_complete(site)
            publish(site, reusing_build(version), reuse=True)
            assert assert_complete(site) == f"<p>{version}</p>"
            assert_tidy(site)
            # the build published before (or, where that one had no .state, a copy of the new one)
            assert assert_spare_complete(site) in (before, f"<p>{version}</p>")
    assert seen == {"<p>v0</p>", "<p>v1</p>"}


def test_migration_without_an_atomic_exchange(site, monkeypatch):
    """Where renameat2(RENAME_EXCHANGE) is missing, the plain folder is moved aside first; a
    crash in that window leaves the site path missing, and the next build publishes a complete
    build again even when that build fails."""

    class NoExchange(CrashingFS):
        def exchange(self, a, b):
            self._step("exchange", a)
            raise OSError(errno.EINVAL, "Invalid argument", str(a))

    total = None
    for alive in range(100):
        reset(site)
        plain_v1(site)
        fs = NoExchange(alive)
        monkeypatch.setattr(pub, "FS", fs)
        warnings = []
        try:
            publish(site, fake_build("v2"), warn=warnings.append)
            total = alive
        except Crash:
            pass
        monkeypatch.setattr(pub, "FS", FileSystem())
        if total is not None:
            assert any("cannot exchange" in w for w in warnings), warnings
            assert assert_complete(site) == "<p>v2</p>"
            assert_tidy(site)
            break
        if not os.path.lexists(site):
            # killed between the two renames: a failing build still restores a complete site
            warnings = []
            with pytest.raises(PlansiteError):
                publish(site, failing_build, warn=warnings.append)
            assert any("was missing" in w for w in warnings), warnings
        assert assert_complete(site) in ("<p>v1</p>", "<p>v2</p>")
    assert total is not None


def failing_build(folder: Path) -> None:
    (folder / "half.html").write_text("half", encoding="utf-8")
    raise PlansiteError.at("site_src/plans/x.yml", 3, "bad input")


def test_a_failed_build_changes_nothing(site):
    publish_v1(site)
    target = os.readlink(site)
    with pytest.raises(PlansiteError) as err:
        publish(site, failing_build)
    assert str(err.value) == "site_src/plans/x.yml:3: bad input"
    assert os.readlink(site) == target and assert_complete(site) == "<p>v1</p>"
    assert_tidy(site)


# --- stale folders, a missing site, the lock ---------------------------------------------------


def test_stale_build_folders_are_removed_by_the_next_build(site):
    publish_v1(site)
    builds = site.parent / ".site.builds"
    for stale in (builds / "20200101T000000000000Z-1.partial", builds / "20200101T000000000000Z-2",
                  site.parent / ".site.tmp-abc123", site.parent / ".site.old"):
        (stale / "plans").mkdir(parents=True)
        (stale / "plans" / "index.html").write_text("old", encoding="utf-8")
    os.symlink(".site.builds/x", site.parent / ".site.link-x")
    (site.parent / "unrelated").mkdir()
    warnings = []
    publish(site, fake_build("v2"), warn=warnings.append)
    assert_tidy(site)
    assert (site.parent / "unrelated").is_dir()
    assert len(warnings) == 5 and all("left by an interrupted build" in w for w in warnings), warnings


def spare_of(site: Path) -> Path:
    """The one spare build folder beside the published one (it has a ``.state``)."""
    builds = site.parent / ".site.builds"
    spares = [p for p in builds.iterdir() if p.is_dir() and p != site.resolve()]
    assert len(spares) == 1 and (builds / f"{spares[0].name}.state").is_file(), sorted(os.listdir(builds))
    return spares[0]


def set_state_format(state_file: Path, value) -> None:
    """Rewrite a saved FolderState with ``format`` ``value`` (as another Plansite version saved it)."""
    import pickle

    state = pickle.loads(state_file.read_bytes())
    state.format = value
    state_file.write_bytes(pickle.dumps(state))


@pytest.mark.parametrize("case", ["older", "newer", "damaged", "other-group"])
def test_a_complete_spare_this_build_cannot_use_is_removed_with_its_own_reason(site, case, umask022):
    """A spare left by a finished build is no leftover of an interrupted one: when this build
    cannot use it (its .state of another format or damaged, the site given another group since),
    its one warning line says why, and the build writes a whole folder and leaves a new spare."""
    from plansite.buildfolder import FORMAT

    publish(site, reusing_build("v0"), reuse=True)
    publish(site, reusing_build("v1"), reuse=True)  # v0 is the spare now
    spare = spare_of(site)
    state_file = spare.parent / f"{spare.name}.state"
    if case == "older":
        set_state_format(state_file, FORMAT - 1)
        why = f"its .state was written by an older Plansite (format {FORMAT - 1}; this one reads {FORMAT})"
    elif case == "newer":
        set_state_format(state_file, FORMAT + 1)
        why = f"its .state was written by a newer Plansite (format {FORMAT + 1}; this one reads {FORMAT})"
    elif case == "damaged":
        state_file.write_bytes(b"not a pickle")
        why = "its .state is damaged or was written by another Plansite (it cannot be loaded)"
    else:
        os.chown(site, -1, 4321)  # the published build (the site) was given another group
        why = f"it has another group (gid {spare.stat().st_gid}; the published build's is 4321)"
    warnings = []
    publish(site, reusing_build("v2"), reuse=True, warn=warnings.append)
    assert warnings == [f"{spare}:0: removed, unusable as the spare: {why}; this build writes a whole folder"]
    assert not spare.exists() and not state_file.exists()
    assert assert_complete(site) == "<p>v2</p>"
    assert_tidy(site)
    assert assert_complete(spare_of(site)) == "<p>v1</p>"  # the build before is the next spare
    warnings.clear()
    publish(site, reusing_build("v3"), reuse=True, warn=warnings.append)
    assert warnings == [] and assert_complete(site) == "<p>v3</p>"


def test_a_spare_without_its_state_is_still_left_by_an_interrupted_build(site):
    publish(site, reusing_build("v0"), reuse=True)
    publish(site, reusing_build("v1"), reuse=True)
    spare = spare_of(site)
    (spare.parent / f"{spare.name}.state").unlink()  # as a killed build may leave the previous one
    warnings = []
    publish(site, reusing_build("v2"), reuse=True, warn=warnings.append)
    assert warnings == [f"{spare}:0: removed, left by an interrupted build"]
    assert assert_complete(site) == "<p>v2</p>"
    assert_tidy(site)


def test_leftovers_that_cannot_be_removed_do_not_stop_the_build(site, monkeypatch):
    publish_v1(site)
    stale = site.parent / ".site.builds" / "20200101T000000000000Z-1.partial"
    stale.mkdir()
    warnings = []
    monkeypatch.setattr(pub, "FS", FailingFS("remove", errno.EACCES, at=1))  # the stale folder
    publish(site, fake_build("v2"), warn=warnings.append)
    assert assert_complete(site) == "<p>v2</p>" and stale.is_dir()
    assert warnings == [f"{stale}:0: left by an interrupted build, but cannot be removed "
                        "(Permission denied (EACCES)): remove it by hand"]
    previous = site.resolve()
    warnings.clear()
    monkeypatch.setattr(pub, "FS", FailingFS("remove", errno.EACCES, at=2))  # the previous build
    publish(site, fake_build("v3"), warn=warnings.append)
    assert assert_complete(site) == "<p>v3</p>" and previous.is_dir()
    assert len(warnings) == 2 and warnings[1].startswith(f"{previous}:0: the new site is published but")


def test_a_missing_site_is_published_again_from_the_last_complete_build(site):
    """The old code killed between its two renames left no site/ but a complete .site.old."""
    site.parent.mkdir(parents=True)
    old = site.parent / ".site.old"
    old.mkdir()
    fake_build("v0")(old)
    warnings = []
    with pytest.raises(PlansiteError):
        publish(site, failing_build, warn=warnings.append)
    assert assert_complete(site) == "<p>v0</p>"
    assert any(w.startswith(f"{site}:0: was missing") for w in warnings), warnings
    assert_tidy(site)


def test_a_second_build_waits_for_the_lock_and_says_so(site):
    publish_v1(site)
    lock = site.parent / ".site.lock"
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242\n", 0)
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_publish import fake_build
        from plansite.publish import publish
        publish(Path({str(site)!r}), fake_build("v2"), say=lambda line: print(line, file=sys.stderr, flush=True))
        print("published")
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()  # blocks until the build reports that it waits
        assert first.startswith("waiting: another build into") and "(pid 4242" in first, first
        assert proc.poll() is None and assert_complete(site) == "<p>v1</p>"  # it waits
    finally:
        os.close(fd)  # releases the lock
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out == "published\n", err
    assert "the other build ended" in err
    assert assert_complete(site) == "<p>v2</p>"
    assert_tidy(site)


# --- permissions -------------------------------------------------------------------------------


def modes(site: Path) -> dict[str, int]:
    real = site.resolve()
    return {p.relative_to(real).as_posix() or ".": stat.S_IMODE(p.lstat().st_mode)
            for p in [real, *real.rglob("*")]}


@pytest.mark.parametrize("mask,folder,file", [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_site_folders_and_files_get_normal_permissions(site, mask, folder, file):
    def private_build(out: Path) -> None:
        fake_build("v1")(out)
        (out / "a").chmod(0o700)
        (out / "style.css").chmod(0o600)

    old = os.umask(mask)
    try:
        publish(site, private_build)
    finally:
        os.umask(old)
    got = modes(site)
    assert got["."] == folder and got["a"] == folder and got["a/b"] == folder
    assert {m for p, m in got.items() if (site / p).is_file()} == {file}
    assert stat.S_IMODE((site.parent / ".site.builds").stat().st_mode) == folder


def test_mode_and_group_set_on_the_site_survive_a_build(site, umask022):
    publish_v1(site)
    os.chmod(site, 0o2750)  # follows the symlink: the published build folder
    os.chown(site, -1, 4321)
    publish(site, fake_build("v2"))
    top = site.stat()
    assert assert_complete(site) == "<p>v2</p>"
    assert stat.S_IMODE(top.st_mode) == 0o2750 and top.st_gid == 4321
    assert (site / "a").stat().st_gid == 4321  # set-group-id: the new folders inherit the group


def test_a_group_the_builder_is_not_in_is_a_warning(site, monkeypatch, umask022):
    publish_v1(site)
    os.chown(site, -1, 4321)
    monkeypatch.setattr(pub, "FS", FailingFS("chgrp", errno.EPERM))
    warnings = []
    publish(site, fake_build("v2"), warn=warnings.append)
    assert assert_complete(site) == "<p>v2</p>" and site.stat().st_gid == os.getegid()
    assert len(warnings) == 1 and "group 4321 cannot be given to the new build" in warnings[0]


def test_a_plain_folder_is_migrated_once_without_its_accidental_0700(site, umask022):
    plain_v1(site)
    os.chown(site, -1, 4321)
    publish(site, fake_build("v2"))
    assert assert_complete(site) == "<p>v2</p>"
    assert_tidy(site)
    assert stat.S_IMODE(site.stat().st_mode) == 0o755 and site.stat().st_gid == 4321


# --- refused site paths --------------------------------------------------------------------------


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def refused(site: Path, capsys) -> str:
    """Run ``build.py build --site site`` in-process; it must exit 1 with one line, write nothing."""
    before = listing(site.parent)
    assert cli.main(["--root", str(ROOT), "build", "--quiet", "--site", str(site)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{site}:0: "), err
    assert listing(site.parent) == before
    return err[0]


def test_a_site_that_is_a_file_is_refused_before_anything_is_written(site, capsys):
    site.parent.mkdir(parents=True)
    site.write_text("not a site", encoding="utf-8")
    assert "is a file, not a folder" in refused(site, capsys)
    assert site.read_text(encoding="utf-8") == "not a site"


def test_a_folder_that_is_not_a_site_and_a_foreign_symlink_are_refused(site, capsys):
    site.mkdir(parents=True)
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    assert "without manifest.json, not a built site" in refused(site, capsys)
    other = site.parent / "elsewhere"
    site.rename(other)
    site.symlink_to(other)
    assert f"is a symlink to {other}" in refused(site, capsys)


def test_a_mount_point_is_refused(site, capsys, monkeypatch):
    plain_v1(site)
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == site or real(p))
    assert "is a mount point" in refused(site, capsys)


# --- file-system failures ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("step,at", [("open_lock", 1), ("mkdir", 1), ("mkdir", 2), ("chmod", 1),
                                     ("replace", 1), ("symlink", 1), ("replace", 2)])
def test_file_system_failures_are_one_line_and_keep_the_site(site, monkeypatch, code, step, at):
    publish_v1(site)
    target = os.readlink(site)
    monkeypatch.setattr(pub, "FS", FailingFS(step, code, at))
    with pytest.raises(PlansiteError) as err:
        publish(site, fake_build("v2"), label="www/site")
    monkeypatch.setattr(pub, "FS", FileSystem())
    [problem] = err.value.problems
    text = str(problem)
    assert text.startswith("www/site:0: ") and "\n" not in text
    assert errno.errorcode[code] in text and "the published site is unchanged" in text
    assert str(site.parent) in text  # the folder: the site's parent or its .site.builds
    assert {errno.ENOSPC: "free space", errno.EROFS: "read-only",
            errno.EACCES: "write access"}[code] in text
    assert os.readlink(site) == target and assert_complete(site) == "<p>v1</p>"
    assert_tidy(site)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_build_py_exits_1_with_one_line_on_a_file_system_failure(site, monkeypatch, capsys, code):
    publish_v1(site)
    target = os.readlink(site)
    monkeypatch.setattr(pub, "FS", FailingFS("mkdir", code, at=2))  # the new build folder
    assert cli.main(["--root", str(ROOT), "build", "--quiet", "--site", str(site)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{site}:0: writing the new build failed in {site.parent}/.site.builds: ")
    assert f"({errno.errorcode[code]})" in err[0]
    assert os.readlink(site) == target and assert_complete(site) == "<p>v1</p>"


def test_disk_full_while_mkdocs_writes_gives_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    """The real build through build.py's main: MkDocs' own write fails with ENOSPC."""
    import mkdocs.utils

    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    assert cli.main(["--root", str(root), "build", "--quiet", "--site", str(site)]) == 0
    before = os.readlink(site)
    capsys.readouterr()

    def full(content, output_path):
        raise OSError(errno.ENOSPC, "No space left on device", output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", full)
    from plansite import mkdocs_own

    mkdocs_own.forget(root, "mkdocs.yml")  # else MkDocs' own output of the first build is reused: MkDocs must run
    assert cli.main(["--root", str(root), "build", "--quiet", "--force", "--site", str(site)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("site:0: writing the new build failed in "), err
    assert f"{root}/.site.builds" in err[0] and "ENOSPC" in err[0] and "Traceback" not in err[0]
    assert os.readlink(site) == before
    assert_tidy(site)


# --- real builds in a subprocess ---------------------------------------------------------------

ONE_PLAN = "taijiang-14th"


def real_complete(site: Path) -> None:
    """A complete real build: the manifest's files, sha256 for sha256, nothing else, and the
    plan's pages."""
    listed = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert f"plans/{ONE_PLAN}/index.html" in listed and len(listed) > 30
    for rel, entry in listed.items():
        assert hashlib.sha256((site / rel).read_bytes()).hexdigest() == entry["sha256"], rel
    real = site.resolve()
    on_disk = {p.relative_to(real).as_posix() for p in real.rglob("*") if not p.is_dir()}
    assert on_disk == set(listed) | {"manifest.json"}


#: Where the killed build stops: a point inside the MkDocs build (its scratch folder), the third
#: file placed into the build folder (the spare being updated in place, or a fresh folder), or a
#: publish step (the n-th call of a FileSystem method): build written, before its permissions;
#: the spare renamed (when there is one), the build renamed complete, the swap (as many as are
#: reached depends on whether a spare is left); after publishing. (Every step is crashed
#: in-process by test_a_crash_at_any_step_leaves_a_complete_site.)
KILL_POINTS = [("mkdocs", "write_file", 3), ("buildfolder", "_place", 3), ("FS", "chmod", 1),
               ("FS", "replace", 1), ("FS", "replace", 2), ("FS", "replace", 3),
               ("mkdocs_run", "_summary", 1)]

DRIVER = """
import os, sys, time
from pathlib import Path
import mkdocs.utils
import plansite.buildfolder, plansite.mkdocs_own, plansite.mkdocs_run, plansite.plugin, plansite.sitepaths
from plansite.cli import main
where, name, nth, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
if where == "mkdocs":  # MkDocs must run: its own output of the build before is not reused
    plansite.mkdocs_own.forget(Path(sys.argv[sys.argv.index("--root") + 1]), "mkdocs.yml")
owner = {"FS": plansite.sitepaths.FS, "mkdocs": mkdocs.utils, "plugin": plansite.plugin,
         "buildfolder": plansite.buildfolder, "mkdocs_run": plansite.mkdocs_run}[where]
original, calls = getattr(owner, name), [0]
def stop(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        marker.write_text("stopped", encoding="utf-8")
        while True:
            time.sleep(1)  # until SIGKILL
    return original(*args, **kwargs)
setattr(owner, name, stop)
sys.exit(main(sys.argv[5:]))
"""


def edit_one_line(root: Path, n: int) -> None:
    """Edit the last long comma-holding line of the one plan's seed (marker ``n``); fix its checksum."""
    seed = root / "seeds" / f"{ONE_PLAN}.txt"
    lines = seed.read_text(encoding="utf-8").split("\n")
    i = max(i for i, line in enumerate(lines) if len(line) > 40 and "，" in line and "\t" not in line)
    lines[i] = lines[i].replace("，", f"（{n}），", 1)
    seed.write_text("\n".join(lines), encoding="utf-8")
    update_checksum(root, ONE_PLAN)


def test_sigkill_of_a_real_build_at_each_step_leaves_a_complete_site(tmp_path):
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    base = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--site", str(site)]
    assert subprocess.run(base, capture_output=True, timeout=300).returncode == 0
    outcomes = set()
    for n, (where, name, nth) in enumerate(KILL_POINTS):
        before = os.readlink(site)
        edit_one_line(root, n)  # so that the build before last differs: files are written into it
        marker = tmp_path / f"stopped-{where}-{name}-{nth}"
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, where, name, str(nth), str(marker),
                                 "--root", str(root), "build", "--quiet", "--force", "--site", str(site)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300  # a guard against a hang, not a speed check
        while not marker.exists():
            assert proc.poll() is None, (where, name, proc.stderr.read())
            assert time.monotonic() < deadline, f"the build never reached {where}.{name} #{nth}"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stderr.close()
        real_complete(site)
        outcomes.add("old" if os.readlink(site) == before else "new")
        # the next build removes what the killed one left
        assert subprocess.run(base, capture_output=True, timeout=300).returncode == 0
        real_complete(site)
        assert_tidy(site)
    assert outcomes == {"old", "new"}


def test_sigkill_while_the_build_folder_fills(tmp_path):
    """No hook at all: kill the build as soon as its build folder holds some pages."""
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    base = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--site", str(site)]
    assert subprocess.run(base, capture_output=True, timeout=300).returncode == 0
    before = os.readlink(site)
    proc = subprocess.Popen([*base, "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    builds = root / ".site.builds"

    def filling() -> bool:
        try:
            return any(p.name.endswith(".partial") and any(p.rglob("*.html")) for p in builds.iterdir())
        except OSError:  # renamed or removed while looked at
            return False

    deadline = time.monotonic() + 300  # a guard against a hang, not a speed check
    while proc.poll() is None and not filling():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    real_complete(site)
    if proc.returncode == -signal.SIGKILL:
        assert os.readlink(site) == before
    assert subprocess.run(base, capture_output=True, timeout=300).returncode == 0
    assert_tidy(site)


def test_two_concurrent_builds_both_end_cleanly(tmp_path):
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    cmd = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--site", str(site)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert out.startswith(f"built {site}") and "Traceback" not in err
        assert all(line.startswith(("waiting: ", "the other build ended")) for line in err.splitlines()), err
    real_complete(site)
    assert_tidy(site)


def test_real_build_is_readable_by_others(tmp_path, umask022):
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    cli.build_site(root, site, quiet=True)
    got = modes(site)
    real = site.resolve()
    assert {m for p, m in got.items() if (real / p).is_dir()} == {0o755}
    assert {m for p, m in got.items() if (real / p).is_file()} == {0o644}


def test_mkdocs_build_and_build_py_take_turns(tmp_path):
    """`mkdocs build` on a fresh checkout makes `site/` a plain folder: build.py migrates it to
    the symlink. `mkdocs build` run again writes into its site_dir through the symlink, into the
    published build; build.py then publishes the next build as usual."""
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    site = root / "site"
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    assert subprocess.run(mkdocs, cwd=root, capture_output=True, timeout=300).returncode == 0
    assert site.is_dir() and not site.is_symlink()
    cli.build_site(root, site, quiet=True)
    real_complete(site)
    assert_tidy(site)
    (site / "stray.txt").write_text("removed by mkdocs' clean", encoding="utf-8")
    result = subprocess.run(mkdocs, cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert site.is_symlink() and not (site / "stray.txt").exists()
    real_complete(site)
    written_by_mkdocs = site.resolve().stat().st_ino
    cli.build_site(root, site, quiet=True)
    real_complete(site)
    assert_tidy(site)
    # the folder `mkdocs build` rewrote is now the spare: the next build writes over it, and
    # notices that its files are not those its .state lists
    edit_one_line(root, 0)
    summary = cli.build_site(root, site, quiet=True)
    assert site.resolve().stat().st_ino == written_by_mkdocs
    assert any("changed by hand" in w for w in summary["warnings"]), summary["warnings"]
    real_complete(site)
    assert_tidy(site)


# --- real file-system failures: a private mount namespace (tmpfs), another user ----------------

NAMESPACE_DRIVER = """
import hashlib, json, os, subprocess, sys
from pathlib import Path
scenario, folder, build = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
site = folder / "site"
def run(*cmd):
    subprocess.run(cmd, check=True)
def state():
    out = {"entries": sorted(os.listdir(folder))}
    if site.is_symlink():
        out["target"] = os.readlink(site)
        out["builds"] = sorted(os.listdir(folder / ".site.builds"))
        listed = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]
        out["complete"] = all(hashlib.sha256((site / rel).read_bytes()).hexdigest() == e["sha256"]
                              for rel, e in listed.items())
    return out
if scenario == "mount-point":
    site.mkdir()
    run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(site))
    before = state()
else:
    run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder))
    first = subprocess.run(build, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    if scenario == "disk-full":  # no spare (as when it could not be made): the build writes a whole folder
        published = os.readlink(site).rpartition("/")[2]
        for name in os.listdir(folder / ".site.builds"):
            if name not in (published, published + ".state"):
                subprocess.run(["rm", "-rf", str(folder / ".site.builds" / name)], check=True)
    before = state()
    if scenario == "disk-full":
        st = os.statvfs(folder)
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        run("mount", "-o", f"remount,size={used // 1024 + 128}k", str(folder))
    else:
        run("mount", "-o", "remount,ro", str(folder))
second = subprocess.run(build, capture_output=True, text=True)
print(json.dumps({"before": before, "after": state(), "rc": second.returncode, "stderr": second.stderr}))
"""


@pytest.fixture(scope="module")
def private_mounts(tmp_path_factory):
    """Skips unless this process may mount a tmpfs in a private mount namespace (``unshare -m``)."""
    probe = tmp_path_factory.mktemp("probe")
    result = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
                            capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"no private mount namespace here: {result.stderr.strip()}")


@pytest.mark.parametrize("scenario,expected", [
    ("disk-full", "writing the new build failed in {folder}/.site.builds: No space left on device (ENOSPC); free space"),
    ("read-only", "taking the build lock failed in {folder}: Read-only file system (EROFS); the file system is "
                  "mounted read-only"),
    ("mount-point", "is a mount point, which a build cannot replace by its symlink"),
])
def test_real_disk_full_read_only_and_mount_point(tmp_path, private_mounts, scenario, expected):
    root = one_plan_project(tmp_path / "project", ONE_PLAN)
    folder = tmp_path / "www"
    folder.mkdir()
    build = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--force",
             "--site", str(folder / "site")]
    result = subprocess.run(["unshare", "-m", sys.executable, "-c", NAMESPACE_DRIVER, scenario, str(folder), *build],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    errors = [ln for ln in report["stderr"].splitlines() if not ln.startswith("warning: ")]
    assert report["rc"] == 1 and len(errors) == 1, report["stderr"]
    assert errors[0].startswith(f"{folder}/site:0: ") and expected.format(folder=folder) in errors[0], errors
    assert report["after"] == report["before"]  # the same published build, complete; nothing left over
    if scenario != "mount-point":
        # the published build and, but where removed above, the spare made after it; each with its
        # .state, nothing else
        builds = report["after"]["builds"]
        folders = [b for b in builds if not b.endswith(".state")]
        assert report["after"]["complete"] and builds == sorted(folders + [f"{b}.state" for b in folders]), builds
        assert report["after"]["target"] == f".site.builds/{folders[0]}", builds
        assert len(folders) == (1 if scenario == "disk-full" else 2), builds


def test_real_permission_denied(tmp_path):
    """A build run by another user (nobody) into a folder it may not write."""
    import shutil
    import tempfile

    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run a build as another user")
    folder = Path(tempfile.mkdtemp(prefix="plansite-eacces-"))
    try:
        folder.chmod(0o755)
        root = one_plan_project(tmp_path / "project", ONE_PLAN)
        build = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--force",
                 "--site", str(folder / "site")]
        assert subprocess.run(build, capture_output=True, timeout=300).returncode == 0
        before = os.readlink(folder / "site")
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *build],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == (
            f"{folder}/site:0: taking the build lock failed in {folder}: Permission denied (EACCES); give the "
            "user running the build write access there, or build with --site elsewhere; the published site is "
            "unchanged")
        assert os.readlink(folder / "site") == before
        real_complete(folder / "site")
        assert_tidy(folder / "site")
    finally:
        shutil.rmtree(folder)


def test_a_scratch_folder_mkdocs_wrote_into_goes_to_the_trash_not_removed_file_by_file(site, monkeypatch, tmp_path):
    """publish(reuse=True): the scratch folder MkDocs wrote a whole site into is moved into
    ``trash`` (deleted there in the background, FileSystem.discard) instead of being removed
    file by file before the build returns; an empty one (MkDocs' output reused) is removed, and
    without a trash folder a full one is removed as before. Nothing is left beside the builds."""
    moved = []

    class Recording(FileSystem):
        def discard(self, path, trash):
            moved.append(path.name)
            super().discard(path, trash)

    monkeypatch.setattr(pub, "FS", Recording())

    def writing_build(version: str):
        reusing = reusing_build(version)

        def build_into(staging: Path):
            for n in range(20):
                (staging / f"page-{n}").mkdir()
                (staging / f"page-{n}" / "index.html").write_text(f"<p>{n}</p>", encoding="utf-8")
            return reusing(staging)
        return build_into

    trash = tmp_path / "trash"
    publish(site, writing_build("v1"), reuse=True, trash=trash)
    assert [name for name in moved if name.endswith(".staging.partial")], moved
    moved.clear()
    publish(site, reusing_build("v2"), reuse=True, trash=trash)
    assert not [name for name in moved if name.endswith(".staging.partial")]
    publish(site, writing_build("v3"), reuse=True)
    assert not [name for name in moved if name.endswith(".staging.partial")]
    assert assert_complete(site) == "<p>v3</p>"
    assert_tidy(site)
    assert not [p for p in (site.parent / ".site.builds").iterdir() if "staging" in p.name]
