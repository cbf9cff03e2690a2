"""Publishing a build: the site path is a symlink to a complete build folder, swapped atomically.

Everything lives in the folder holding the site path ``S`` (default ``ROOT/site``)::

    S                         symlink → .S.builds/<id> (relative): the published site
    .S.builds/<id>            complete build folders: the published one, and with ``reuse`` the
                              one before it (the spare, written over by the next build)
    .S.builds/<id>.state      what a complete build folder holds (``reuse`` only; see
                              :mod:`plansite.buildfolder`)
    .S.builds/<id>.partial    a build being written (or left behind by a killed build)
    .S.link-<id>              the new symlink, for a moment, before it replaces S
    .S.lock                   lock file (``fcntl.flock``) serialising builds into S; never removed

:func:`publish` takes the lock (printing a line on the stream while it waits for another
build), removes what killed builds left, builds into a fresh ``.partial`` folder, sets normal
permissions, renames the folder complete and publishes it with ONE ``rename(2)`` of a new
symlink over ``S`` (``os.replace``); the previous build folder is removed only after that. A
process killed at any moment leaves ``S`` pointing at a complete build: the old one before the
``rename``, the new one after. (Power loss is not covered: nothing is fsync'ed.)

With ``reuse`` (``build.py build``) the previous build folder is kept as the *spare* instead,
and the next build renames the spare to its ``.partial`` folder and updates it in place: only
the files that changed are written (:func:`plansite.buildfolder.update_folder`). The published
folder is never written into; a spare that was being updated when the build was killed has no
``.state`` and is removed by the next build, which then starts from a fresh folder. A build that
leaves no spare (the first one, a migration) makes one after publishing, by hard links to the
published folder (:func:`_make_spare`), so that the next build does not write a whole folder.

Older builds made ``S`` a plain folder (so does ``mkdocs build`` on a fresh checkout): such a
folder is migrated once, by exchanging it atomically with the new symlink
(``renameat2(RENAME_EXCHANGE)``, Linux 3.15+). Where the file system cannot exchange, it is moved
into ``.S.builds/`` first and ``S`` is missing until the symlink is renamed in; a build killed
in between is repaired by the next build (see :func:`publish`). ``S`` as a mount point, a
regular file, a folder that is not a built site, or a symlink that points elsewhere is refused
before anything is written.

File-system failures (disk full, read-only, permission denied…) become one
``path:line: message`` problem naming the folder and what to do; before the swap the published
site is unchanged, after it only leftovers remain (a warning, cleaned by the next build).
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import fcntl
import os
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .buildfolder import STATE, EarlyCheck, FolderState, link_folder, load_state, save_state
from .errors import PlansiteError, Problem
from .manifest import MANIFEST

PARTIAL = ".partial"
PREVIOUS = "-previous"
WRITING = "writing the new build"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class FileSystem:
    """The file-system steps of publishing, one method per step (a system call, or ``rmtree``).

    :func:`publish` changes the disk only through :data:`FS`, an instance of this class, so
    tests can fail or "crash" any step. Methods raise :class:`OSError` as the system calls do."""

    def open_lock(self, path: Path) -> int:
        """Open (create) the lock file ``path`` read-write; return the descriptor."""
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)

    def mkdir(self, path: Path, exist_ok: bool = False) -> None:
        """``mkdir(path, 0o777 & ~umask)``."""
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            if not (exist_ok and path.is_dir()):
                raise

    def remove(self, path: Path) -> None:
        """Remove ``path`` whatever it is: a symlink or file is unlinked, a folder removed with
        everything in it (symlinks inside are not followed). Missing is fine."""
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            os.unlink(path)
        elif path.is_dir():
            if sys.version_info >= (3, 12):
                shutil.rmtree(path, onexc=_writable_and_retry)
            else:
                shutil.rmtree(path, onerror=_writable_and_retry)

    def discard(self, path: Path, trash: Path) -> None:
        """Move the folder ``path`` into the folder ``trash`` (created; it must be on the same file
        system) and remove everything in ``trash`` in the background: a detached ``rm -rf``, so a
        build does not wait for tens of thousands of folders to be deleted (on ext4 that took
        longer than the rest of a no-change build). Raises :class:`OSError` (``EXDEV`` for
        another file system) with nothing changed when the move fails."""
        trash.mkdir(parents=True, exist_ok=True)
        os.rename(path, trash / path.name)
        entries = [str(p) for p in trash.iterdir()]  # with any an interrupted removal left
        subprocess.run(["sh", "-c", 'rm -rf -- "$@" >/dev/null 2>&1 &', "sh", *entries],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       start_new_session=True, check=False)

    def symlink(self, target: str, link: Path) -> None:
        """Create symlink ``link`` → ``target`` (a relative path)."""
        os.symlink(target, link)

    def replace(self, src: Path, dst: Path) -> None:
        """``rename(src, dst)`` replacing ``dst`` atomically (``os.replace``)."""
        os.replace(src, dst)

    def exchange(self, a: Path, b: Path) -> None:
        """Swap ``a`` and ``b`` atomically (``renameat2(RENAME_EXCHANGE)``). Raises OSError
        ``ENOSYS`` where libc lacks it, ``EINVAL`` where the file system does not support it."""
        fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
        if fn is None:
            raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(a), None, str(b))

    def chmod(self, path: Path, mode: int) -> None:
        """``chmod(path, mode)`` (publish only chmods real folders and files, never a symlink)."""
        os.chmod(path, mode)

    def chgrp(self, path: Path, gid: int) -> None:
        """``chown(path, -1, gid)``."""
        os.chown(path, -1, gid, follow_symlinks=False)


def _writable_and_retry(function, path, error) -> None:
    """``rmtree`` error handler (``error``: the exception, or ``sys.exc_info()`` before Python
    3.12): a folder someone made read-only (``chmod 555 site``) is made writable by its owner,
    and the removal retried once."""
    exc = error[1] if isinstance(error, tuple) else error
    parent = os.path.dirname(path)
    if not isinstance(exc, PermissionError) or not parent:
        raise exc
    os.chmod(parent, stat.S_IMODE(os.stat(parent).st_mode) | stat.S_IRWXU)
    function(path)


#: The file-system steps used by :func:`publish` (replaced by tests to inject faults).
FS = FileSystem()


@dataclass(frozen=True)
class SitePaths:
    """The paths around a site path ``site`` (absolute, its parent resolved, itself not)."""

    site: Path

    @property
    def parent(self) -> Path:
        return self.site.parent

    @property
    def builds(self) -> Path:
        """``.S.builds``: the build folders."""
        return self.parent / f".{self.site.name}.builds"

    @property
    def lock(self) -> Path:
        """``.S.lock``: the lock file."""
        return self.parent / f".{self.site.name}.lock"

    def link(self, build_id: str) -> Path:
        """``.S.link-<id>``: the new symlink before it replaces ``S``."""
        return self.parent / f".{self.site.name}.link-{build_id}"

    def target(self, build_id: str) -> str:
        """The symlink text for build ``build_id``: ``.S.builds/<id>``, relative to the parent."""
        return f"{self.builds.name}/{build_id}"

    def leftovers(self) -> list[Path]:
        """Entries of the parent that only an interrupted publish leaves: ``.S.link-*``, and the
        ``.S.tmp-*`` / ``.S.old`` folders of the builds before symlinks."""
        name = self.site.name
        found = []
        for entry in sorted(self.parent.iterdir()):
            if entry.name.startswith((f".{name}.link-", f".{name}.tmp-")) or entry.name == f".{name}.old":
                found.append(entry)
        return found


@dataclass(frozen=True)
class SiteState:
    """What the site path is now.

    ``kind``: ``missing``; ``link`` (a symlink into ``.S.builds/``; ``current`` is that build
    folder, which may be gone); ``folder`` (a plain folder holding a built site, or empty: to be
    migrated)."""

    kind: str
    current: Path | None = None


def site_paths(site_dir: Path) -> SitePaths:
    """:class:`SitePaths` of ``site_dir``; :class:`PlansiteError` when it names no folder (``/``)."""
    absolute = Path(os.path.abspath(site_dir))
    if not absolute.name:
        raise PlansiteError.at(str(site_dir), 0, "the site must be a folder path such as site or /srv/www/site")
    return SitePaths(absolute.parent.resolve() / absolute.name)


def inspect_site(paths: SitePaths, label: str) -> SiteState:
    """The :class:`SiteState` of ``paths.site``, or :class:`PlansiteError` (one problem at
    ``label``) when publishing must not touch it: a regular file (or device, socket…), a mount
    point, a folder that is not a built site (no ``manifest.json``, not empty), a symlink that
    does not point into ``.S.builds/``."""
    site = paths.site
    try:
        st = site.lstat()
    except FileNotFoundError:
        return SiteState("missing")
    if stat.S_ISLNK(st.st_mode):
        text = os.readlink(site)
        target = Path(os.path.normpath(paths.parent / text))
        if target.parent != paths.builds or target.name.endswith(PARTIAL):
            raise PlansiteError.at(label, 0, f"is a symlink to {text}, not to a build in {paths.builds.name}/: "
                                             "remove the link (the build then makes its own) or choose another "
                                             "--site; nothing was written")
        return SiteState("link", target)
    if not stat.S_ISDIR(st.st_mode):
        raise PlansiteError.at(label, 0, "is a file, not a folder: move it away or choose another --site; "
                                         "nothing was written")
    if os.path.ismount(site):
        raise PlansiteError.at(label, 0, "is a mount point, which a build cannot replace by its symlink: "
                                         f"build with --site {site}/site (inside the mount) and serve that, "
                                         "or mount the volume one level up; nothing was written")
    if not (site / MANIFEST).is_file() and any(site.iterdir()):
        raise PlansiteError.at(label, 0, f"is a folder without {MANIFEST}, not a built site: move it away "
                                         "or choose another --site; nothing was written")
    return SiteState("folder", site)


def new_build_id() -> str:
    """A fresh build folder name, sortable by time: ``20261121T165305123456Z-<pid>``."""
    return f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def build_lock(paths: SitePaths, label: str, say: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``.S.lock`` (created, never removed) for the block.

    When another build holds it, ``say`` one line (with its pid) and wait for it. The lock is
    released by the kernel however this process ends, so a killed build never blocks the next."""
    fd = FS.open_lock(paths.lock)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            say(f"waiting: another build into {label} is running (pid {holder}, lock {paths.lock}); "
                "this one starts when it ends")
            fcntl.flock(fd, fcntl.LOCK_EX)
            say(f"the other build ended; building {label}")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def _clean(entries: list[Path], warn: Callable[[str], None]) -> None:
    """Remove what interrupted builds left (``entries``), with a warning each; one that cannot
    be removed is a warning too (it does not stop the build)."""
    for entry in entries:
        try:
            FS.remove(entry)
        except OSError as exc:
            warn(f"{entry}:0: left by an interrupted build, but cannot be removed ({_strerror(exc)}): "
                 "remove it by hand")
        else:
            warn(f"{entry}:0: removed, left by an interrupted build")


def _find_spare(paths: SitePaths, state: SiteState) -> tuple[Path, FolderState] | None:
    """The spare build folder to update in place, with what it holds: the newest complete build
    folder other than the published one that has a readable ``.state`` and the published
    folder's group (``None`` when there is none)."""
    if state.kind != "link" or not paths.builds.is_dir() or state.current is None or not state.current.is_dir():
        return None
    names = sorted((e.name for e in paths.builds.iterdir()
                    if e.name != state.current.name and not e.name.endswith((PARTIAL, STATE))
                    and e.is_dir() and not e.is_symlink()), reverse=True)
    for name in names:
        folder = paths.builds / name
        if not (paths.builds / f"{name}{STATE}").is_file():
            continue
        if folder.stat().st_gid != state.current.stat().st_gid:
            return None
        saved = load_state(paths.builds / f"{name}{STATE}")
        return (folder, saved) if saved is not None else None
    return None


def _stale_builds(paths: SitePaths, keep: set[str]) -> list[Path]:
    """The build folders not named in ``keep``."""
    return [e for e in sorted(paths.builds.iterdir()) if e.name not in keep] if paths.builds.is_dir() else []


def _restore(paths: SitePaths, label: str, warn: Callable[[str], None]) -> str | None:
    """When the site path is missing (an interrupted migration, a build of the old code killed
    between its two renames, a deleted symlink), publish the newest complete build again;
    return its id (``None`` when there is none)."""
    old = paths.parent / f".{paths.site.name}.old"
    if old.is_dir() and not old.is_symlink() and (old / MANIFEST).is_file():
        FS.mkdir(paths.builds, exist_ok=True)
        FS.replace(old, paths.builds / new_build_id())
    complete = [e.name for e in paths.builds.iterdir()
                if not e.name.endswith(PARTIAL) and e.is_dir() and not e.is_symlink()] \
        if paths.builds.is_dir() else []
    if not complete:
        return None
    # the newest build; a folder moved aside by a migration only when nothing else is left
    build_id = max(complete, key=lambda name: (not name.endswith(PREVIOUS), name))
    _link(paths, build_id)
    warn(f"{label}:0: was missing; published the last complete build again ({paths.target(build_id)})")
    return build_id


def _link(paths: SitePaths, build_id: str) -> None:
    """Point the site path at build ``build_id`` with one ``rename(2)`` of a new symlink over it."""
    link = paths.link(build_id)
    FS.symlink(paths.target(build_id), link)
    FS.replace(link, paths.site)


def _migrate(paths: SitePaths, build_id: str, label: str, warn: Callable[[str], None]) -> Path:
    """Replace the plain folder at the site path by the symlink to ``build_id``; return where
    the old folder went (to be removed)."""
    link = paths.link(build_id)
    FS.symlink(paths.target(build_id), link)
    try:
        FS.exchange(link, paths.site)
        return link  # the old folder now has the link's name
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            FS.remove(link)
            raise
    warn(f"{label}:0: the file system cannot exchange a folder and a symlink atomically; "
         "moving the old folder aside first (the site path is missing for a moment)")
    aside = paths.builds / f"{build_id}{PREVIOUS}"
    FS.replace(paths.site, aside)
    try:
        FS.replace(link, paths.site)
    except OSError:
        FS.replace(aside, paths.site)
        raise
    return aside


def _fix_modes(folder: Path, umask: int, top_mode: int | None) -> None:
    """Folders ``0o777 & ~umask``, files ``0o666 & ~umask`` (set-group-id kept on folders);
    the top folder ``top_mode`` when given."""
    dir_mode, file_mode = 0o777 & ~umask, 0o666 & ~umask
    for base, dirs, files in os.walk(folder):
        for name in dirs:
            path = Path(base, name)
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode) and stat.S_IMODE(mode) != dir_mode | (mode & stat.S_ISGID):
                FS.chmod(path, dir_mode | (mode & stat.S_ISGID))
        for name in files:
            path = Path(base, name)
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode) and stat.S_IMODE(mode) != file_mode:
                FS.chmod(path, file_mode)
    FS.chmod(folder, top_mode if top_mode is not None else dir_mode)


def publish(site_dir: Path, build_into: Callable, *, label: str | None = None,
            say: Callable[[str], None] = lambda line: None,
            warn: Callable[[str], None] = lambda line: None, trash: Path | None = None,
            reuse: bool = False) -> Path:
    """Build with ``build_into(folder)`` and publish the result at ``site_dir``; return the
    published build folder (``.S.builds/<id>``).

    ``trash`` (optional): a folder on the same file system where the previous build is moved,
    once the new one is published, to be deleted in the background (:meth:`FileSystem.discard`);
    without it, or when the move fails, the previous build is removed before returning.

    ``build_into`` writes a complete site into the (empty) folder it is given and raises on
    failure (:class:`PlansiteError` and the like pass through unchanged). With ``reuse``,
    ``build_into(staging)`` gets an empty scratch folder (removed afterwards) and returns
    ``finish(folder, previous)``, which makes ``folder`` the complete site and returns its
    :class:`~plansite.buildfolder.FolderState`; ``folder`` is the spare build folder holding
    ``previous`` (a FolderState), or an empty folder with ``previous`` ``None``. The previous
    build is then kept as the next spare. ``label`` names the
    site in problems (default: ``site_dir``); ``say`` gets progress lines (waiting for the
    lock), ``warn`` warning lines (``path:line: message``: leftovers removed, a missing site
    restored).

    Permissions: folders ``0o777 & ~umask`` and files ``0o666 & ~umask`` (0755/0644 under the
    usual umask 022), except the top folder, which keeps the mode and group of the build it
    replaces (so ``chmod``/``chgrp`` on the site survive builds; the group only for a plain
    folder being migrated, since the builds before symlinks made it 0700 by accident).

    Raises :class:`PlansiteError`: the site path cannot be published (see
    :func:`inspect_site`), or a file-system failure (one problem at ``label``: the step, the
    folder, the error and what to do). Until the final ``rename`` the published site is unchanged."""
    paths = site_paths(site_dir)
    label = label or str(site_dir)
    step = "reading the site folder"
    try:
        inspect_site(paths, label)  # refuse a file, a mount point… before anything is written
        step = "creating the folder holding the site"
        paths.parent.mkdir(parents=True, exist_ok=True)
        step = "taking the build lock"
        with build_lock(paths, label, say):
            state = inspect_site(paths, label)  # again: another build may have changed it
            step = "removing what interrupted builds left"
            _clean([e for e in paths.leftovers() if state.kind != "missing" or not e.name.endswith(".old")], warn)
            if state.kind == "missing":
                restored = _restore(paths, label, warn)
                if restored:
                    state = SiteState("link", paths.builds / restored)
            spare = _find_spare(paths, state) if reuse else None
            keep = {state.current.name, f"{state.current.name}{STATE}"} if state.kind == "link" and reuse else \
                {state.current.name} if state.kind == "link" else set()
            if spare is not None:
                keep |= {spare[0].name, f"{spare[0].name}{STATE}"}
            _clean(_stale_builds(paths, keep), warn)
            _clean(paths.leftovers(), warn)  # a .S.old that could not be restored
            step = WRITING
            build_id = new_build_id()
            final = paths.builds / build_id
            if reuse:
                _build_reusing(paths, build_id, state, build_into, spare, warn)
            else:
                _build(paths, build_id, state, build_into, warn)
            step = "publishing the new build"
            spare_kept = False
            if state.kind == "folder":
                previous = _migrate(paths, build_id, label, warn)
            else:
                try:
                    _link(paths, build_id)
                except BaseException:
                    _quietly(FS.remove, paths.link(build_id))
                    _quietly(FS.remove, final)
                    raise
                previous = state.current if state.kind == "link" else None
                if reuse and previous is not None and previous.is_dir() \
                        and (paths.builds / f"{previous.name}{STATE}").is_file():
                    previous, spare_kept = None, True  # kept: the spare the next build writes over
            if previous is not None and os.path.lexists(previous):
                try:
                    try:
                        if trash is None:
                            raise OSError(errno.ENOENT, "no trash folder")
                        FS.discard(previous, trash)
                    except OSError:
                        if os.path.lexists(previous):
                            FS.remove(previous)
                except OSError as exc:
                    warn(f"{previous}:0: the new site is published but the previous build could not be "
                         f"removed ({_strerror(exc)}); the next build removes it")
            if reuse and not spare_kept:
                _make_spare(paths, build_id, label, warn)
            return final
    except OSError as exc:
        raise fs_error(exc, paths, label, step) from None


def _build(paths: SitePaths, build_id: str, state: SiteState, build_into: Callable[[Path], None],
           warn: Callable[[str], None]) -> None:
    """Write build ``build_id`` complete: ``build_into`` a fresh ``<id>.partial`` folder, set
    the permissions, rename it ``<id>``. On any failure the partial folder is removed."""
    FS.mkdir(paths.builds, exist_ok=True)
    partial = paths.builds / f"{build_id}{PARTIAL}"
    FS.mkdir(partial)
    try:
        top_mode = _carry_over(state, partial, warn)
        build_into(partial)
        _fix_modes(partial, current_umask(), top_mode)
        FS.replace(partial, paths.builds / build_id)
    except BaseException:
        _quietly(FS.remove, partial)
        raise


def _build_reusing(paths: SitePaths, build_id: str, state: SiteState, build_into: Callable,
                   spare: tuple[Path, FolderState] | None, warn: Callable[[str], None]) -> None:
    """Write build ``build_id`` complete with ``reuse`` (see :func:`publish`): ``build_into`` a
    fresh scratch folder first (a failure there leaves the spare as it was), then the spare
    renamed ``<id>.partial`` (or a fresh folder) is brought up to date by ``finish``, its state
    saved, and it is renamed ``<id>``. On any failure the partial folder is removed."""
    FS.mkdir(paths.builds, exist_ok=True)
    partial = paths.builds / f"{build_id}{PARTIAL}"
    staging = paths.builds / f"{build_id}.staging{PARTIAL}"
    saved = paths.builds / f"{build_id}{STATE}"
    FS.mkdir(staging)
    umask = current_umask()
    # the spare is checked against its state on the idle core while the build runs
    early = EarlyCheck(spare[0], spare[1], 0o777 & ~umask, 0o666 & ~umask) if spare is not None else None
    try:
        finish = build_into(staging)
        previous = None
        if spare is not None:
            checked = early.result()  # (before the rename: the child checks the folder by its name)
            previous = dataclasses.replace(spare[1], checked=checked) if checked is not None else spare[1]
            FS.replace(spare[0], partial)
            FS.remove(paths.builds / f"{spare[0].name}{STATE}")
        else:
            FS.mkdir(partial)
        _fill_and_rename(partial, saved, paths.builds / build_id, lambda: _carry_over(state, partial, warn),
                         lambda: finish(partial, previous))
    finally:
        if early is not None:
            early.close()
        _quietly(FS.remove, staging)


def _fill_and_rename(partial: Path, saved: Path, final: Path, carry: Callable[[], int | None],
                     fill: Callable[[], FolderState]) -> None:
    """Complete the build folder ``partial`` and rename it ``final``: ``carry()`` carries the
    group over and gives the top folder's mode (``None``: from the umask), ``fill()`` writes the
    files and gives the :class:`FolderState`, saved at ``saved`` before the rename. On any
    failure ``partial`` and ``saved`` are removed and the error raised again."""
    try:
        top_mode = carry()
        state = fill()
        FS.chmod(partial, top_mode if top_mode is not None else 0o777 & ~current_umask())
        save_state(state, saved)
        FS.replace(partial, final)
    except BaseException:
        _quietly(FS.remove, partial)
        _quietly(FS.remove, saved)
        raise


def _make_spare(paths: SitePaths, build_id: str, label: str, warn: Callable[[str], None]) -> None:
    """With ``reuse``, after build ``build_id`` was published and no spare is left for the next
    build (the first build, a migration, a spare that could not be used): make one now, a copy
    of ``build_id`` by hard links (:func:`plansite.buildfolder.link_folder`: one ``link`` per
    file, nothing read), so that the next build — typically the first edit after a clean build —
    updates a folder in place instead of writing a whole one. The published folder is only
    linked from, never written into (the next build unlinks a file of the spare before writing
    it, so the published one keeps its bytes).

    Like a build, the copy is written as ``<id>.partial`` (its group and set-group-id carried over
    from the published folder, its top folder given the same mode) and renamed ``<id>`` only
    after its ``.state`` is saved: a build killed meanwhile leaves a ``.partial`` folder (and
    perhaps a ``.state``) that the next build removes, which then writes a whole folder. A
    file-system failure is one warning line at ``label``; the build still succeeds."""
    source = paths.builds / build_id
    listed = load_state(paths.builds / f"{build_id}{STATE}")
    spare_id = new_build_id()
    if spare_id == build_id:  # (the same microsecond)
        spare_id = f"{spare_id}s"
    partial = paths.builds / f"{spare_id}{PARTIAL}"
    saved = paths.builds / f"{spare_id}{STATE}"
    try:
        if listed is None:
            raise OSError(errno.ENOENT, "the published build's .state cannot be read",
                          str(paths.builds / f"{build_id}{STATE}"))
        FS.mkdir(partial)
        # (the published folder's group could not be set: already a warning of this build)
        _fill_and_rename(partial, saved, paths.builds / spare_id,
                         lambda: _carry_over(SiteState("link", source), partial, lambda line: None),
                         lambda: link_folder(source, partial, listed))
    except OSError as exc:
        warn(f"{label}:0: the site is published, but the spare build folder for the next build could not "
             f"be made in {paths.builds} ({_strerror(exc)}); the next build writes a whole folder")


def _carry_over(state: SiteState, partial: Path, warn: Callable[[str], None]) -> int | None:
    """Give ``partial`` the group of the published build (and its set-group-id bit, so the
    build's folders inherit the group); return the published top folder's mode to apply at the
    end (``None``: the default, also for a plain folder being migrated)."""
    if state.current is None or not state.current.is_dir():
        return None
    st = state.current.stat()
    if st.st_gid != partial.stat().st_gid:
        try:
            FS.chgrp(partial, st.st_gid)
        except PermissionError:  # not a member of that group
            warn(f"{state.current}:0: the site's group {st.st_gid} cannot be given to the new build "
                 "(the user running the build is not in it); it gets the user's default group")
    if st.st_mode & stat.S_ISGID:
        FS.chmod(partial, stat.S_IMODE(partial.stat().st_mode) | stat.S_ISGID)
    return stat.S_IMODE(st.st_mode) if state.kind == "link" else None


def _quietly(fn: Callable[[Path], None], path: Path) -> None:
    """Run a clean-up step; a failure leaves a leftover the next build removes."""
    try:
        fn(path)
    except OSError:
        pass


ADVICE = {
    errno.ENOSPC: "free space on that file system, then build again",
    errno.EDQUOT: "free space or raise the disk quota, then build again",
    errno.EROFS: "the file system is mounted read-only: remount it read-write, or build with --site on another one",
    errno.EACCES: "give the user running the build write access there, or build with --site elsewhere",
    errno.EPERM: "give the user running the build write access there, or build with --site elsewhere",
}


def fs_error(exc: OSError, paths: SitePaths, label: str, step: str) -> PlansiteError:
    """The one-line problem (at ``label``) for a file-system failure during ``step``: the folder
    where it happened (from the error's file names; without one, as a ``write`` failing on a
    full disk: the build folders while writing the build, else the site's parent), the error
    (text and name) and what to do."""
    named = [Path(os.fsdecode(n)) for n in (exc.filename, exc.filename2) if n is not None]
    default = paths.builds if step == WRITING else paths.parent
    where = next((n for n in named if n.is_absolute()), default)  # a symlink's target is relative
    if where == paths.builds or paths.builds in where.parents:
        folder = paths.builds
    elif where == paths.parent or where.parent == paths.parent:
        folder = paths.parent
    else:
        folder = where.parent
    advice = ADVICE.get(exc.errno, "fix that folder, then build again")
    return PlansiteError(Problem(label, 0, f"{step} failed in {folder}: {_strerror(exc)}; "
                                           f"{advice}; the published site is unchanged"))


def _strerror(exc: OSError) -> str:
    """``No space left on device (ENOSPC)``; the exception's text when it has no errno."""
    if not exc.errno:
        return str(exc) or type(exc).__name__
    return f"{os.strerror(exc.errno)} ({errno.errorcode.get(exc.errno, exc.errno)})"
