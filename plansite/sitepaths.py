"""The site path and what lies around it: its layout (:class:`SitePaths`: the symlink ``S``,
``.S.builds/``, ``.S.lock``, ``.S.link-<id>``), what it is now (:func:`inspect_site`), the
file-system steps publishing takes (:class:`FileSystem`, through :data:`FS`, so that tests can
fail or "crash" any of them) and how their failures read (:func:`fs_error`: one
``path:line: message`` naming the folder and what to do). :mod:`plansite.publish` holds the
procedure that uses them."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import PlansiteError, Problem
from .manifest import MANIFEST

#: Suffix of a build folder being written (or left by a killed build).
PARTIAL = ".partial"
#: The step named by :func:`fs_error` while the new build is written.
WRITING = "writing the new build"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class FileSystem:
    """The file-system steps of publishing, one method per step (a system call, or ``rmtree``).

    :func:`plansite.publish.publish` changes the disk only through :data:`FS`, an instance of
    this class (tests replace ``plansite.publish.FS``), so they can fail or "crash" any step. Methods raise :class:`OSError` as the system calls do."""

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


#: The file-system steps used by :func:`plansite.publish.publish` (tests replace ``plansite.publish.FS``).
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
    return PlansiteError(Problem(label, 0, f"{step} failed in {folder}: {error_text(exc)}; "
                                           f"{advice}; the published site is unchanged"))


def error_text(exc: OSError) -> str:
    """``No space left on device (ENOSPC)``; the exception's text when it has no errno."""
    if not exc.errno:
        return str(exc) or type(exc).__name__
    return f"{os.strerror(exc.errno)} ({errno.errorcode.get(exc.errno, exc.errno)})"
