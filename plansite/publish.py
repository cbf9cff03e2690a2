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

The site path's layout, what it is now, the file-system steps (each through :data:`FS`, this
module's name for :data:`plansite.sitepaths.FS`, which tests replace here to inject faults) and the wording of their
failures are in :mod:`plansite.sitepaths`. File-system failures (disk full, read-only,
permission denied…) become one ``path:line: message`` problem naming the folder and what to do; before the swap the published
site is unchanged, after it only leftovers remain (a warning, cleaned by the next build).
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .buildfolder import STATE, FolderState, link_folder, load_state, read_state, save_state
from .foldercheck import EarlyCheck
from .manifest import MANIFEST
from .sitepaths import (FS, PARTIAL, WRITING, SitePaths, SiteState, current_umask, fs_error, inspect_site,
                        error_text, new_build_id, site_paths)

PREVIOUS = "-previous"


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


#: why an entry is removed, unless :func:`_find_spare` gave another reason
INTERRUPTED = "left by an interrupted build"


def _clean(entries: list[Path], warn: Callable[[str], None], reasons: dict[str, str | None] | None = None) -> None:
    """Remove ``entries``, with a warning each: "removed, <reason>", the reason from ``reasons``
    (entry name → reason; ``None``: no line of its own, e.g. the ``.state`` of a folder whose line
    says why both go) or else :data:`INTERRUPTED`. One that cannot be removed is a warning too
    (it does not stop the build)."""
    reasons = reasons or {}
    for entry in entries:
        reason = reasons.get(entry.name, INTERRUPTED)
        try:
            FS.remove(entry)
        except OSError as exc:
            warn(f"{entry}:0: {reason or INTERRUPTED}, but cannot be removed ({error_text(exc)}): "
                 "remove it by hand")
        else:
            if reason is not None:
                warn(f"{entry}:0: removed, {reason}")


def _find_spare(paths: SitePaths, state: SiteState) -> tuple[tuple[Path, FolderState] | None, dict[str, str | None]]:
    """The spare build folder to update in place, with what it holds: the newest complete build
    folder other than the published one that has a ``.state`` (``None`` when there is none, or
    when that one cannot be used); and why it cannot be used, for :func:`_clean` (``{}``, or
    folder name → reason and its ``.state`` → ``None``): its ``.state`` is not one this version
    reads (:func:`plansite.buildfolder.read_state`: an older or newer format, damaged…), or the
    folder's group is not the published folder's (the site was given another group since)."""
    if state.kind != "link" or not paths.builds.is_dir() or state.current is None or not state.current.is_dir():
        return None, {}
    names = sorted((e.name for e in paths.builds.iterdir()
                    if e.name != state.current.name and not e.name.endswith((PARTIAL, STATE))
                    and e.is_dir() and not e.is_symlink()), reverse=True)
    for name in names:
        folder = paths.builds / name
        if not (paths.builds / f"{name}{STATE}").is_file():
            continue
        group, site_group = folder.stat().st_gid, state.current.stat().st_gid
        if group != site_group:
            why = f"it has another group (gid {group}; the published build's is {site_group})"
        else:
            saved = read_state(paths.builds / f"{name}{STATE}")
            if isinstance(saved, FolderState):
                return (folder, saved), {}
            why = f"its .state {saved}"
        return None, {name: f"unusable as the spare: {why}; this build writes a whole folder",
                      f"{name}{STATE}": None}
    return None, {}


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
            spare, unusable = _find_spare(paths, state) if reuse else (None, {})
            keep = {state.current.name, f"{state.current.name}{STATE}"} if state.kind == "link" and reuse else \
                {state.current.name} if state.kind == "link" else set()
            if spare is not None:
                keep |= {spare[0].name, f"{spare[0].name}{STATE}"}
            _clean(_stale_builds(paths, keep), warn, unusable)
            _clean(paths.leftovers(), warn)  # a .S.old that could not be restored
            step = WRITING
            build_id = new_build_id()
            final = paths.builds / build_id
            if reuse:
                _build_reusing(paths, build_id, state, build_into, spare, warn, trash)
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
                    _throw_away(previous, trash)
                except OSError as exc:
                    warn(f"{previous}:0: the new site is published but the previous build could not be "
                         f"removed ({error_text(exc)}); the next build removes it")
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
                   spare: tuple[Path, FolderState] | None, warn: Callable[[str], None],
                   trash: Path | None = None) -> None:
    """Write build ``build_id`` complete with ``reuse`` (see :func:`publish`): ``build_into`` a
    fresh scratch folder first (a failure there leaves the spare as it was), then the spare
    renamed ``<id>.partial`` (or a fresh folder) is brought up to date by ``finish``, its state
    saved, and it is renamed ``<id>``. On any failure the partial folder is removed. The scratch
    folder is removed at the end, or, when it is not empty (MkDocs ran: a whole site of hard
    links) and ``trash`` is given, moved there to be deleted in the background."""
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
        try:
            staging.rmdir()  # (empty when MkDocs' own output was reused)
        except OSError:
            _quietly(lambda path: _throw_away(path, trash), staging)


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
             f"be made in {paths.builds} ({error_text(exc)}); the next build writes a whole folder")


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


def _throw_away(path: Path, trash: Path | None) -> None:
    """Move ``path`` into the folder ``trash`` to be deleted there in the background
    (:meth:`plansite.sitepaths.FileSystem.discard`); where it cannot be moved (no trash folder,
    another file system), remove it now. Raises :class:`OSError` when the removal fails."""
    try:
        if trash is None:
            raise OSError(errno.ENOENT, "no trash folder")
        FS.discard(path, trash)
    except OSError:
        if os.path.lexists(path):
            FS.remove(path)


def _quietly(fn: Callable[[Path], None], path: Path) -> None:
    """Run a clean-up step; a failure leaves a leftover the next build removes."""
    try:
        fn(path)
    except OSError:
        pass
