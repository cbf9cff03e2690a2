"""Checking a build folder against what its state says it holds, before it is updated in place
(:func:`plansite.buildfolder.update_folder`): :func:`check_folder`, and :class:`EarlyCheck`,
which makes that check in a forked child while the build runs.

The folder is not trusted blindly: every file the state lists must still be the same inode with
the same size and modification time (a file edited in place, replaced or deleted since is
written again), and every folder whose modification time changed is listed, so files added by
hand are removed. (This module does not import :mod:`plansite.buildfolder`, which imports it:
what it needs of a :class:`~plansite.buildfolder.FolderState` is :class:`Listed`.)
"""

from __future__ import annotations

import os
import pickle
import shutil
import stat
from pathlib import Path
from typing import Mapping, Protocol

from .parallel import other_threads_running


class Listed(Protocol):
    """What the check reads of a :class:`plansite.buildfolder.FolderState`: ``files`` (site path
    → ``(sha256 hex, size, inode, mtime_ns)``) and ``dirs`` (folder path, ``""`` the top → its
    ``mtime_ns``)."""

    files: dict[str, tuple[str, int, int, int]]
    dirs: dict[str, int]


def remove_entry(path: str) -> None:
    """Remove a file, symlink or folder (whole) at ``path``; missing is fine. Raises
    :class:`OSError` as ``os.unlink`` and ``shutil.rmtree`` do."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def check_folder(folder: Path, previous: Listed, dir_mode: int, file_mode: int,
                 wanted: Mapping[str, tuple] | None = None,
                 seen: dict[str, tuple[int, int, int, int, int]] | None = None
                 ) -> tuple[dict[str, tuple[str, int, int, int]], set[str], list[str]]:
    """Compare ``folder`` with ``previous`` (what it held: a
    :class:`~plansite.buildfolder.FolderState`): returns ``(good, dirs, changed)``.

    ``good``: the files still as the state lists them (same inode, size, modification time);
    ``dirs``: the listed folders that still are folders; ``changed``: site paths found changed
    (files edited, replaced or deleted; entries nobody listed, which are removed here). Modes
    that differ from ``dir_mode``/``file_mode`` are set again (set-group-id kept).

    One ``lstat`` per folder and per file, except for a file that is a hard link to a file this
    build has just stat'ed: ``seen`` (link source path → ``(st_dev, st_ino, size, mtime_ns,
    st_mode)``, :attr:`plansite.cache.BuildCache.seen`) for the ``link`` of its ``wanted``
    entry (site path → :class:`~plansite.buildfolder.Wanted`). Such a file is good without an ``lstat`` when its folder's modification time is the
    recorded one and ``seen`` shows the device of ``folder``, the inode, size and modification
    time the state records and mode ``file_mode``. Why that is what its ``lstat`` would say: a
    name in a folder is made to point at another file (unlinked, renamed over, replaced) only by
    writing the folder, which sets the folder's modification time (the rule this check already
    trusts for files added by hand), so the name still points at the recorded inode; and that
    inode, stat'ed by this build through the cache, has the recorded size and modification time
    (a file edited in place gets a new one; the cache then drops its entry and builds the plan
    again, as before)."""
    top = str(folder)
    good: dict[str, tuple[str, int, int, int]] = {}
    changed: list[str] = []
    dirs: set[str] = set()
    same: set[str] = set()  # listed folders whose modification time is the recorded one
    device = None
    for rel, mtime in previous.dirs.items():
        path = f"{top}/{rel}" if rel else top
        try:
            st = os.lstat(path)
        except OSError:
            changed.append(rel + "/")
            continue
        if not stat.S_ISDIR(st.st_mode):
            changed.append(rel + "/")
            continue
        dirs.add(rel)
        if not rel:
            device = st.st_dev
        elif stat.S_IMODE(st.st_mode) & ~stat.S_ISGID != dir_mode:
            os.chmod(path, dir_mode | (st.st_mode & stat.S_ISGID))
        if st.st_mtime_ns == mtime:
            same.add(rel)
            continue  # no entry added, removed or renamed in it since
        for entry in os.scandir(path):
            name = f"{rel}/{entry.name}" if rel else entry.name
            if name not in previous.files and name not in previous.dirs:
                changed.append(name)
                remove_entry(entry.path)
    trusted = seen is not None and wanted is not None and device is not None
    regular = stat.S_IFREG | file_mode
    want_of, seen_of = (wanted.get, seen.get) if trusted else (None, None)
    for rel, rec in previous.files.items():
        if trusted:
            want = want_of(rel)
            if want is not None and want[2] is not None:  # (want.link: a named tuple's field by index is faster)
                known = seen_of(want[2])
                if known is not None and known[1] == rec[2] and known[3] == rec[3] and known[2] == rec[1] \
                        and known[0] == device and known[4] == regular and rel.rpartition("/")[0] in same:
                    good[rel] = rec
                    continue
        path = f"{top}/{rel}"
        try:
            st = os.lstat(path)
        except OSError:
            changed.append(rel)
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_ino != rec[2] or st.st_size != rec[1] or st.st_mtime_ns != rec[3]:
            changed.append(rel)
            continue
        if stat.S_IMODE(st.st_mode) != file_mode:
            os.chmod(path, file_mode)
        good[rel] = rec
    return good, dirs, changed


class EarlyCheck:
    """:func:`check_folder` of a build folder (``folder``, holding what ``previous`` lists; no
    ``wanted`` or ``seen``: every folder and file is ``lstat``'ed) run in a forked child while the
    build goes on: at 1000 plans its 108,000 ``lstat`` calls and the loop around them took about
    0.5 s of the one-edit build's building process, on a core that is then idle. The child makes
    the check's repairs itself (modes set again, entries nobody listed removed); nothing else
    writes the folder meanwhile (the build lock is held and the folder is not published).

    :meth:`result` waits for the child and gives ``(good, dirs, changed)`` as :func:`check_folder`
    does (the child sends only what is not good), or ``None`` when no child could be forked (a
    thread other than this one runs: see :func:`plansite.parallel.other_threads_running`), it
    failed or sent nothing whole: the caller then checks in-process. Call :meth:`result` (or
    :meth:`close`) before the folder is renamed or written."""

    def __init__(self, folder: Path, previous: Listed, dir_mode: int, file_mode: int):
        self.previous = previous
        self._pid: int | None = None
        self._fd: int | None = None
        self._result: tuple | None = None
        if other_threads_running() or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: check, send what is not good, exit without clean-up handlers
            code = 1
            try:
                os.close(read)
                good, dirs, changed = check_folder(folder, previous, dir_mode, file_mode)
                view = memoryview(pickle.dumps((sorted(previous.files.keys() - good.keys()),
                                                sorted(previous.dirs.keys() - dirs), changed),
                                               protocol=pickle.HIGHEST_PROTOCOL))
                while view:
                    view = view[os.write(write, view):]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._fd = pid, read

    def result(self) -> tuple[dict, set, list] | None:
        """``(good, dirs, changed)`` as :func:`check_folder` gives them, or ``None`` (see the class
        docstring)."""
        if self._fd is None:
            return self._result
        chunks, status = [], None
        try:
            while chunk := os.read(self._fd, 1 << 16):
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(self._fd)
            self._fd = None
            try:
                _, status = os.waitpid(self._pid, 0)
            except ChildProcessError:  # reaped by someone else: its result cannot be trusted
                pass
        if status != 0 or not chunks:
            return None
        try:
            bad_files, bad_dirs, changed = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - nothing whole was sent: check in-process
            return None
        files = self.previous.files
        bad = set(bad_files)
        good = dict(files) if not bad else {rel: rec for rel, rec in files.items() if rel not in bad}
        self._result = (good, set(self.previous.dirs).difference(bad_dirs), changed)
        return self._result

    def close(self) -> None:
        """Wait for the child without using its result (a failed build)."""
        self.result()
