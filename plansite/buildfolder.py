"""Updating a build folder in place: only the files that differ from what it holds are written.

``build.py build`` keeps two build folders (see :mod:`plansite.publish`): the published one and
the one before it. The next build is written into the older one, whose content is known from
its :class:`FolderState` (saved beside it as ``.S.builds/<id>.state``): a file whose (sha256,
size) is what the folder already holds is not touched, files no longer in the site are removed,
folders are created only when new. The cost of a build then follows what changed, not the size
of the site, except for one ``lstat`` per folder and per file that is not a hard link to a file the
build has just stat'ed in its cache (the check below), and the manifest. A folder can also be
made a copy of another by hard links (:func:`link_folder`: the spare left by a build that found
none).

The folder is not trusted blindly: it is checked against its state first
(:func:`plansite.foldercheck.check_folder`: files edited, replaced or deleted since are written
again, files added by hand removed). What the check found is one warning. The result is the
same set of bytes as a fresh folder (``tests/test_buildfolder.py``). ``build.py build`` makes
that check in a forked child while the build runs (:class:`plansite.foldercheck.EarlyCheck`,
started by :func:`plansite.publish.publish`).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import pickle
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from .atomicfile import write_atomic
from .foldercheck import check_folder, remove_entry as _remove
from .manifest import MANIFEST, files_under, manifest_text
from .stamp import dir_line, file_line, folder_listings, line_name

FORMAT = 2
STATE = ".state"


@dataclass
class FolderState:
    """What a build folder held when its build ended.

    ``files``: site path → ``(sha256 hex, size, inode, mtime_ns)`` of every regular file
    (``manifest.json`` included); ``dirs``: folder path (``""`` the top) → its ``mtime_ns``.
    ``listings``: folder path → its listing as the build stamp hashes it
    (:func:`plansite.stamp.folder_listings`, every file with ``st_mode`` ``mode``), for the
    folders known (kept from the state before for a folder the update did not change, made for
    the others), so the stamp of a folder of 100,000 entries hashes them without formatting each
    one again. ``format``: :data:`FORMAT` (an unknown format is not used)."""

    files: dict[str, tuple[str, int, int, int]] = field(default_factory=dict)
    dirs: dict[str, int] = field(default_factory=dict)
    listings: dict[str, str] = field(default_factory=dict)
    mode: int = 0
    format: int = FORMAT
    #: what :func:`~plansite.foldercheck.check_folder` found of the folder, when made ahead
    #: (:meth:`plansite.foldercheck.EarlyCheck.result`: ``(good, dirs, changed)``, with the modes
    #: of the process umask, which a build does not change), used by :func:`update_folder` instead
    #: of checking again; never saved (set only on the state given to :func:`update_folder`, which,
    #: like :func:`link_folder`, returns a state without it)
    checked: tuple | None = field(default=None, repr=False, compare=False)


class Wanted(NamedTuple):
    """A file of the new site: its ``sha256`` (hex) and ``size`` (bytes), and where its bytes
    come from — exactly one of ``link`` (a file never modified in place, e.g. the build cache:
    hard-linked, copied where links are impossible), ``move`` (a staged file, renamed into
    place) or ``data`` (bytes to write). (A named tuple: one per file of the site, made fast.)"""

    sha256: str
    size: int
    link: str | None = None
    move: str | None = None
    data: bytes | None = None


def wanted_bytes(data: bytes) -> Wanted:
    """:class:`Wanted` for bytes written by the build."""
    return Wanted(hashlib.sha256(data).hexdigest(), len(data), data=data)


def load_state(path: Path) -> FolderState | None:
    """The :class:`FolderState` saved at ``path``, or ``None`` (missing, unreadable, foreign)."""
    state = read_state(path)
    return state if isinstance(state, FolderState) else None


def read_state(path: Path) -> FolderState | str:
    """The :class:`FolderState` saved at ``path``, or why it cannot be used: a phrase to follow
    "its .state …" in a message, e.g. ``"was written by an older Plansite (format 1; this one
    reads 2)"`` (missing, unreadable, damaged, foreign, of another :data:`FORMAT`). Raises
    nothing."""
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    except Exception:  # noqa: BLE001 - any damage: the folder is not reused
        return "is damaged or was written by another Plansite (it cannot be loaded)"
    if not isinstance(state, FolderState):
        return f"holds no build folder state (a {type(state).__name__})"
    if state.format != FORMAT:
        age = "an older" if isinstance(state.format, int) and state.format < FORMAT else "a newer"
        return f"was written by {age} Plansite (format {state.format!r}; this one reads {FORMAT})"
    return state


def save_state(state: FolderState, path: Path) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file renamed over it).

    Pickled without the pickler's memo (``fast``: a state holds no object twice that must stay
    one, and no cycle): at 1000 plans (73,000 files, 17 MB) 0.014 s instead of 0.07 s, for a
    file 4 % larger that loads as fast. ``state.checked`` is ``None`` (the states
    :func:`update_folder` and :func:`link_folder` return)."""
    path = Path(path)
    data = io.BytesIO()
    pickler = pickle.Pickler(data, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(state)
    write_atomic(path, data.getbuffer(), prefix=f".{path.name}-")


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


#: ``os.link`` failures that mean "no hard link possible here" (another file system, not allowed,
#: too many links, not supported): the file is copied instead
NO_LINK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP)


def link_or_copy(source: str, target: str) -> None:
    """Hard-link ``source`` (a file never modified in place) at ``target``, which does not exist;
    copy its bytes where a link is not possible (:data:`NO_LINK`). Raises ``OSError`` as
    ``os.link`` or ``shutil.copyfile`` do."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in NO_LINK:
            raise
        shutil.copyfile(source, target)


def _place(target: str, want: Wanted) -> None:
    """Put the bytes of ``want`` at ``target`` (which does not exist)."""
    if want.link is not None:
        try:
            link_or_copy(want.link, target)
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError) or os.path.exists(want.link):
                exc.filename, exc.filename2 = target, None  # a failure writing the site, not reading its source
            raise
    elif want.move is not None:
        os.replace(want.move, target)
    else:
        with open(target, "xb") as f:
            f.write(want.data)


def update_folder(folder: Path, previous: FolderState | None, wanted: dict[str, Wanted], umask: int,
                  warn: Callable[[str], None] = lambda line: None, label: str | None = None,
                  seen: dict[str, tuple[int, int, int, int, int]] | None = None) -> FolderState:
    """Make ``folder`` hold exactly the files of ``wanted`` (site path → :class:`Wanted`) plus
    ``manifest.json`` (written last, listing them), and return its new :class:`FolderState`.

    ``previous``: what ``folder`` held (``None``: an empty folder). Files of the same (sha256,
    size) are kept, others written (unlinked first: a file may be a hard link into the cache),
    files and folders not wanted removed; new folders get ``0o777 & ~umask``, written files
    ``0o666 & ~umask``. Changes found by :func:`check_folder` are one ``warn`` line naming
    ``label`` (default: the folder). ``seen``: link sources this build has just stat'ed, whose
    hard links the check need not ``lstat`` (see :func:`check_folder`). The old manifest is
    removed first, so a folder left by a killed update lists nothing. Raises :class:`OSError` as
    the system calls do."""
    dir_mode, file_mode = 0o777 & ~umask, 0o666 & ~umask
    top = str(folder)
    if previous is not None:
        if previous.checked is not None:
            good, dirs, changed = previous.checked  # checked ahead (EarlyCheck)
        else:
            good, dirs, changed = check_folder(folder, previous, dir_mode, file_mode, wanted, seen)
        if changed:
            warn(f"{label or folder}:0: {len(changed)} file(s) changed by hand since this build folder was "
                 f"written (first: {sorted(changed)[0]}); they are written again")
    else:
        good, dirs, changed = {}, {""}, []
    manifest = f"{top}/{MANIFEST}"
    if MANIFEST in good or os.path.lexists(manifest):
        good.pop(MANIFEST, None)
        _remove(manifest)
    if previous is not None and len(wanted) == len(previous.files) - (MANIFEST in previous.files) \
            and MANIFEST not in wanted and wanted.keys() <= previous.files.keys():
        # the same files as the state lists (the usual build): their folders are the folders it
        # lists (its ``dirs`` are the folders of its files: this function and link_folder make them so)
        need: set[str] = set(previous.dirs)
    else:
        need = {""}
        for rel in wanted:
            d = _parent(rel)
            while d not in need:
                need.add(d)
                d = _parent(d)
    touched: dict[str, set[str]] = {}  # folder → names of the entries written or removed in it
    made: dict[str, bool] = {}  # folders made (again) by this update: whether made empty
    for rel in changed:  # what check_folder found damaged: not trusted, rewritten if still wanted
        rel = rel.rstrip("/")
        if rel in wanted or rel in need:
            continue
        _remove(f"{top}/{rel}")
        _touch(touched, rel)
    for rel in good.keys() - wanted.keys():
        os.unlink(f"{top}/{rel}")
        del good[rel]
        _touch(touched, rel)
    for rel in sorted(dirs - need):  # parents before children: one rmtree each
        if os.path.lexists(f"{top}/{rel}"):
            shutil.rmtree(f"{top}/{rel}")
            _touch(touched, rel)
        dirs.discard(rel)
    files: dict[str, tuple[str, int, int, int]] = {}
    good_of = good.get
    for rel, want in wanted.items():
        rec = good_of(rel)
        if rec is not None and rec[0] == want[0] and rec[1] == want[1]:  # (want.sha256, want.size)
            files[rel] = rec
            continue
        parent = _parent(rel)
        if parent not in dirs:
            _make_dirs(top, parent, dirs, dir_mode, touched, made)
        target = f"{top}/{rel}"
        if rec is not None or rel in need or os.path.lexists(target):
            _remove(target)
        _place(target, want)
        st = os.lstat(target)
        if stat.S_IMODE(st.st_mode) != file_mode:
            os.chmod(target, file_mode)
        sha = want.sha256
        if st.st_size != want.size:  # a source changed since it was hashed: list what is there
            with open(target, "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
        files[rel] = (sha, st.st_size, st.st_ino, st.st_mtime_ns)
        _touch(touched, rel)
    data = manifest_text(files).encode("utf-8")
    with open(manifest, "xb") as f:
        f.write(data)
    st = os.lstat(manifest)
    if stat.S_IMODE(st.st_mode) != file_mode:
        os.chmod(manifest, file_mode)
    files[MANIFEST] = (hashlib.sha256(data).hexdigest(), len(data), st.st_ino, st.st_mtime_ns)
    _touch(touched, MANIFEST)
    recorded = previous.dirs if previous is not None else {}
    out_dirs: dict[str, int] = {}
    for rel in need:
        mtime = recorded.get(rel)
        if mtime is None or rel in touched or rel in made:
            mtime = os.lstat(f"{top}/{rel}" if rel else top).st_mtime_ns
        out_dirs[rel] = mtime
    regular = stat.S_IFREG | file_mode
    known = previous.listings if previous is not None and previous.mode == regular else {}
    return FolderState(files=files, dirs=out_dirs, listings=_listings(files, need, known, touched, made, regular),
                       mode=regular)


def _touch(touched: dict[str, set[str]], rel: str) -> None:
    """Note that the entry ``rel`` (a site path) was written or removed: its folder's listing changes."""
    parent, _, name = rel.rpartition("/")
    names = touched.get(parent)
    if names is None:
        touched[parent] = {name}
    else:
        names.add(name)


def _listings(files: dict[str, tuple[str, int, int, int]], need: set[str], known: dict[str, str],
              touched: dict[str, set[str]], made: dict[str, bool], mode: int) -> dict[str, str]:
    """The :func:`plansite.stamp.folder_listings` of every folder of ``need`` holding ``files``
    (every file with ``st_mode`` ``mode``), from ``known`` (the listings of the state before):
    a folder's listing changes only with what it holds, so a folder not ``touched`` keeps its
    listing; a touched one has the lines of the names written or removed in it (``touched``:
    folder → names) replaced in its known listing (a folder ``made`` empty by the update: in an
    empty one); a folder found there by the update, or without a known listing, is listed from
    ``files`` (one pass over them all, done only then)."""
    listings: dict[str, str] = {}
    fresh: list[str] = []
    for rel in need:
        if rel in made:  # made empty: it holds what was written or made in it (all touched)
            text = "" if made[rel] else None
        else:
            text = known.get(rel)
        if text is None:
            fresh.append(rel)
        elif rel not in touched:
            listings[rel] = text
        else:  # the lines of its entries, by name
            lines = {line_name(line): line for line in text.split("\0")} if text else {}
            for name in touched[rel]:
                path = f"{rel}/{name}" if rel else name
                rec = files.get(path)
                if rec is not None:
                    lines[name] = file_line(name, mode, rec[1], rec[3], rec[2])
                elif path in need:
                    lines[name] = dir_line(name)
                else:
                    lines.pop(name, None)
            listings[rel] = "\0".join(sorted(lines.values()))
    if fresh:
        listings.update(folder_listings(files, need, fresh, mode=mode))
    return listings


def _make_dirs(top: str, rel: str, dirs: set[str], dir_mode: int, touched: dict[str, set[str]],
               made: dict[str, bool]) -> None:
    """Create folder ``rel`` and its missing parents (mode ``dir_mode``, set-group-id inherited);
    they are noted in ``made`` (``True``: made empty here; ``False``: it was there) and as
    entries of their parents in ``touched`` (see :func:`_touch`)."""
    missing = []
    while rel not in dirs:
        missing.append(rel)
        rel = _parent(rel)
    for d in reversed(missing):
        path = f"{top}/{d}"
        if os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)
        try:
            os.mkdir(path, dir_mode)
            made[d] = True
        except FileExistsError:
            made[d] = False  # (a folder nobody listed: what it holds is not known)
        st = os.lstat(path)
        if stat.S_IMODE(st.st_mode) & ~stat.S_ISGID != dir_mode:
            os.chmod(path, dir_mode | (st.st_mode & stat.S_ISGID))
        dirs.add(d)
        _touch(touched, d)


def link_folder(source: Path, target: Path, state: FolderState) -> FolderState:
    """Make ``target`` (an empty folder) a copy of the build folder ``source``, which holds what
    ``state`` lists, by hard links: its folders are made (mode ``0o777 & ~umask``, set-group-id
    inherited) and every file of ``state`` is linked (copied, and hashed, where a link is
    impossible: :data:`NO_LINK`); returns the :class:`FolderState` of ``target``.

    No file is read or stat'ed: a hard link shares the inode, size and modification time that
    ``state`` records, so its records are ``target``'s. Should a file of ``source`` no longer be
    what ``state`` says (changed by hand in the moment since it was written), the record is
    wrong the safe way: :func:`check_folder` finds that file changed when ``target`` is next
    updated, and writes it again. Costs one ``link`` per file and one ``mkdir`` and ``lstat``
    per folder (about a third of writing the folder afresh). Raises :class:`OSError` as the
    system calls do (``target`` is then half made: the caller removes it)."""
    src, top = str(source), str(target)
    for rel in sorted(state.dirs):  # parents before children
        if rel:
            os.mkdir(f"{top}/{rel}", 0o777)
    files: dict[str, tuple[str, int, int, int]] = {}
    listings = dict(state.listings)  # the same names and records, but where a file was copied
    for rel, rec in state.files.items():
        path = f"{top}/{rel}"
        try:
            os.link(f"{src}/{rel}", path)
        except OSError as exc:
            if exc.errno not in NO_LINK:
                raise
            with open(f"{src}/{rel}", "rb") as f:
                data = f.read()
            with open(path, "xb") as f:
                f.write(data)
            st = os.lstat(path)
            rec = (hashlib.sha256(data).hexdigest(), st.st_size, st.st_ino, st.st_mtime_ns)
            listings.pop(rel.rpartition("/")[0], None)
        files[rel] = rec
    dirs = {rel: os.lstat(f"{top}/{rel}" if rel else top).st_mtime_ns for rel in state.dirs}
    return FolderState(files=files, dirs=dirs, listings=listings, mode=state.mode)


def staged_files(staging: Path) -> dict[str, Wanted]:
    """Every file under ``staging`` (a scratch folder the build wrote) as a :class:`Wanted` to
    be renamed into place, hashed; site path → Wanted (listed by
    :func:`plansite.manifest.files_under`, in no particular order)."""
    out: dict[str, Wanted] = {}
    for rel, entry in files_under(str(staging)):
        path = entry.path
        with open(path, "rb") as f:
            data = f.read()
        out[rel] = Wanted(hashlib.sha256(data).hexdigest(), len(data), move=path)
    return out


def linked_tree(folder: Path, prefix: str, memo: dict[str, list[tuple[str, str, int]]],
                used: set[str] | None = None) -> dict[str, Wanted]:
    """The files of ``folder`` — a folder never changed once written (it may be replaced whole),
    such as a cached search bundle — as :class:`Wanted` hard links at ``prefix + relative path``.
    Their hashes are kept in ``memo`` (``{"<folder>:<inode>:<mtime_ns>": [(relative path,
    sha256, size)]}``), so a folder is read only the first time it is seen; its memo key is
    added to ``used``."""
    st = os.stat(folder)
    key = f"{folder}:{st.st_ino}:{st.st_mtime_ns}"
    listed = memo.get(key)
    if listed is None:
        listed = []
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            data = path.read_bytes()
            listed.append((path.relative_to(folder).as_posix(), hashlib.sha256(data).hexdigest(), len(data)))
        memo[key] = listed
    if used is not None:
        used.add(key)
    return {f"{prefix}{rel}": Wanted(sha, size, link=f"{folder}/{rel}") for rel, sha, size in listed}
