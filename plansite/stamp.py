"""The build stamp: ``build.py build`` with nothing changed prints its summary and writes nothing.

After a build is published, :func:`write_stamp` records in ``<root>/.cache/stamps/<site>.json``
(one file per site path; safe to delete) which build folder ``S`` then pointed at, the digest of
every input (:func:`input_digest`), the state of that folder's files (:func:`site_state`) and
the summary the build printed (plans, pages, files, warnings in order). The next ``build.py
build`` computes the same digest before importing MkDocs, pydantic or the parser;
:func:`current_summary` returns the stored summary only when

- ``S`` is a symlink to exactly the stamped build folder, ``.S.builds/`` holds no ``.partial``
  folder, nothing an interrupted build leaves lies beside ``S``, and no other build holds the
  lock (a build that is interrupted drops the stamp when it starts, so its leftovers are
  always cleaned by a full build);
- the input digest is the same;
- every file and folder of the published build is still there, with the same size, modification
  time (ns) and inode, and nothing was added (so a page deleted, edited or added in place, or
  ``mkdocs build`` writing into ``S``, makes the next build a real one).

Inputs (:func:`input_digest`), hashed by content (sha256 of the bytes, no time-stamp shortcut):
every file under the project root — the config file, ``seeds/``, ``site_src/``, ``templates/``,
the docs folder, ``tools/``, ``tests/`` and whatever else lies there, symlinks followed — except
``.git``, ``.cache``, ``.venv`` and the like (:data:`SKIP_TOP`), ``__pycache__``/``*.pyc``,
virtual environments (a folder holding ``pyvenv.cfg``), the site and the folders of any other
built site (``.X.builds``, ``.X.lock``, ``.X.link-*``, a symlink into ``.X.builds/``, a folder
holding ``manifest.json`` and ``404.html``); the source of the running ``plansite`` package;
the Python version and executable, the names of the installed distributions (``*.dist-info``,
``*.egg-info``) and the ``.pth`` files in each folder of ``sys.path``, in import order (so an upgrade of MkDocs, Jinja2,
Markdown or the Pagefind binary counts); the environment variables that can change the output
(``SOURCE_DATE_EPOCH``, ``PAGEFIND_*``, ``PLANSITE_*``, locale and ``TZ``); the project root, the
site path and the config file name. A config file that reads the environment (``!ENV``), inherits
another file (``INHERIT``), names Python objects (``!!python``) or names paths outside the project
(``..``, absolute or ``~`` paths) has no stamp: such builds always run.

The build scans its inputs before it starts and again once it is published, and is stamped
only when both digests agree; the second scan does not read again a file whose device, inode,
size, modification and change times are those of the first and older than :data:`RACY_NS`
before the first began (git's rule for racy time stamps). That second scan is kept
(:func:`save_scan`, ``<root>/.cache/stamps/<site>.scan``), and the next build's first scan
(the no-change check included) takes the sha256 of such files from it by the same rule
(:func:`load_scan`), so an unchanged input is not read again; every other file is.

This module imports only the standard library (it runs before anything heavy is imported).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .atomicfile import write_atomic

FORMAT = 1
STAMPS = Path(".cache") / "stamps"
#: top-level entries of the project that are never inputs
SKIP_TOP = frozenset({".git", ".hg", ".svn", ".cache", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                      ".tox", ".nox"})
#: top-level entries a build of any site path ``X`` keeps beside it (see plansite.publish)
_SITE_MACHINERY = re.compile(r"^\..+\.(?:builds|lock|old|link-.*|tmp-.*)$")
#: environment variables that can change the output
_ENV = re.compile(r"^(?:SOURCE_DATE_EPOCH|PAGEFIND_.*|PLANSITE_.*|LANG|LANGUAGE|LC_.*|TZ)$")
#: what in a config file makes its inputs more than the project's files
_CONFIG_REFUSED = re.compile(
    r"!ENV|\bINHERIT\b|!!python|(?:^|[\s\[,'\"])(?:\.\.(?:[/\\\s'\",\]]|$)|/|~)", re.MULTILINE)


#: a file whose modification or change time is this close (ns) to the start of a scan, or later,
#: may have been written again within one time-stamp tick after the scan read it: its unchanged
#: stat proves nothing, it is read again (git's "racy" rule)
RACY_NS = 3_000_000_000


@dataclass
class Scan:
    """What :func:`scan_inputs` found: the ``digest`` (``None``: no stamp possible), when the scan
    started (``started``, ns since the epoch) and every regular file it read (``files``: path →
    ``((device, inode, size, mtime_ns, ctime_ns), sha256 bytes)``)."""

    digest: str | None
    started: int = 0
    files: dict[str, tuple[tuple[int, ...], bytes]] = field(default_factory=dict)
    #: how many files this scan read (the others were taken from a previous scan)
    read: int = 0


def _site(site_dir: Path) -> Path:
    """The absolute site path, its parent resolved, itself not (as :func:`plansite.sitepaths.site_paths`)."""
    absolute = Path(os.path.abspath(site_dir))
    return absolute.parent.resolve() / absolute.name


def stamp_file(root: Path, site_dir: Path) -> Path:
    """Where the stamp of the site ``site_dir`` built from the project ``root`` is kept."""
    name = hashlib.sha256(os.fsencode(_site(site_dir))).hexdigest()[:24]
    return Path(root).resolve() / STAMPS / f"{name}.json"


class _Digest:
    """A sha256 over length-prefixed fields."""

    def __init__(self):
        self.h = hashlib.sha256()

    def add(self, *parts: bytes | str) -> None:
        for part in parts:
            data = os.fsencode(part) if isinstance(part, str) else part
            self.h.update(b"%d:" % len(data))
            self.h.update(data)


def _hash_tree(d: _Digest, folder: Path, shown: str, skip, seen: set, scan: Scan, previous: Scan | None) -> None:
    """Add every entry under ``folder`` (named ``shown/…``), sorted, symlinks followed (a folder
    reached twice through links is added once more by name only); files by the sha256 of their
    bytes, recorded in ``scan.files``, and taken from ``previous.files`` instead of read when
    their stat is the same and not racy (:data:`RACY_NS`). ``skip(entry)`` leaves an entry out.
    Raises :class:`OSError` for an unreadable file or folder."""
    real = os.path.realpath(folder)
    if real in seen:
        d.add("cycle", shown)
        return
    seen.add(real)
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = f"{shown}/{entry.name}" if shown else entry.name
        if entry.name == "__pycache__" or entry.name.endswith(".pyc") or skip(entry):
            continue
        if entry.is_symlink():
            d.add("link", name, os.readlink(entry.path))
            try:
                st = os.stat(entry.path)
            except FileNotFoundError:
                continue  # a dangling link: its text is all there is
        else:
            st = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue  # a virtual environment: its packages count by name (see _environment)
            d.add("dir", name)
            _hash_tree(d, Path(entry.path), name, skip, seen, scan, previous)
        elif stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            known = previous.files.get(entry.path) if previous is not None else None
            if known is not None and known[0] == key \
                    and max(st.st_mtime_ns, st.st_ctime_ns) < previous.started - RACY_NS:
                sha = known[1]
            else:
                with open(entry.path, "rb") as f:
                    sha = hashlib.file_digest(f, "sha256").digest()
                scan.read += 1
            scan.files[entry.path] = (key, sha)
            d.add("file", name, sha)
        else:
            d.add("special", name, str(stat.S_IFMT(st.st_mode)))


def _environment(d: _Digest) -> None:
    """The interpreter and what is installed on its import path: the folders holding
    distributions, their names (with versions) and ``.pth`` files, in import order."""
    d.add("python", sys.version, sys.executable)
    seen: set[str] = set()
    for entry in sys.path:
        entry = os.path.realpath(entry or ".")  # '' (the current folder) and a test runner's
        if entry in seen:                       # additions name the same folders differently
            continue
        seen.add(entry)
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info", ".egg-link")):
                d.add("dist", entry, name)
            elif name.endswith(".pth"):
                try:
                    d.add("pth", entry, name, Path(entry, name).read_bytes())
                except OSError:
                    d.add("pth?", entry, name)
    d.add("env", *(f"{k}={v}" for k, v in sorted(os.environ.items()) if _ENV.match(k)))


def environment_digest() -> str:
    """sha256 hex of what :func:`scan_inputs` adds of the environment: the interpreter, the
    distributions and ``.pth`` files on the import path, the environment variables that count."""
    d = _Digest()
    _environment(d)
    return d.h.hexdigest()


def input_digest(root: Path, site_dir: Path, config_file: str = "mkdocs.yml") -> str | None:
    """sha256 hex of every input of a build of the project ``root`` into ``site_dir`` with
    ``config_file`` (see the module docstring for what counts); ``None`` when the config file
    makes the inputs more than that, or an input cannot be read (a build then always runs).
    Every file is read."""
    return scan_inputs(root, site_dir, config_file).digest


def scan_inputs(root: Path, site_dir: Path, config_file: str = "mkdocs.yml", previous: Scan | None = None) -> Scan:
    """:func:`input_digest` as a :class:`Scan`. With ``previous`` (a scan of the same inputs made
    earlier in this process) a file whose device, inode, size, modification and change times
    are the same, and not racy, is not read again: its sha256 is taken from ``previous``
    (the check after a build, that nothing changed while it ran)."""
    root = Path(root).resolve()
    site = _site(site_dir)
    scan = Scan(None, time.time_ns())
    try:
        config = (root / config_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return scan
    if _CONFIG_REFUSED.search(re.sub(r"(?m)(^|\s)#.*$", r"\1", config)):
        return scan
    d = _Digest()
    d.add(f"plansite-stamp {FORMAT}", str(root), str(site), config_file)
    _environment(d)
    package = package_dir()
    try:
        d.add("package", str(package))
        _hash_tree(d, package, "", lambda e: False, set(), scan, previous)
        d.add("project")
        _hash_tree(d, root, "", _input_filter(root, site), set(), scan, previous)
    except (OSError, ValueError, RecursionError):
        return Scan(None, scan.started)
    scan.digest = d.h.hexdigest()
    return scan


def save_scan(root: Path, site_dir: Path, scan: Scan) -> None:
    """Keep ``scan`` (its start time and the stat and sha256 of each file it saw) for the next
    build's first scan (:func:`load_scan`), beside the stamp of ``site_dir``; a scan without a
    digest is not kept. Written whole (a temporary file renamed into place); a failure to write
    is ignored (the next scan then reads every file)."""
    if scan.digest is None:
        return
    path = stamp_file(root, site_dir).with_suffix(".scan")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps((FORMAT, str(_site(site_dir)), scan.started, scan.files),
                                        protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def load_scan(root: Path, site_dir: Path) -> Scan | None:
    """The scan :func:`save_scan` kept for ``site_dir``, to pass as ``previous`` to
    :func:`scan_inputs`; ``None`` when there is none or it cannot be read."""
    try:
        with open(stamp_file(root, site_dir).with_suffix(".scan"), "rb") as f:
            form, site, started, files = pickle.load(f)
    except Exception:  # noqa: BLE001 - missing or damaged: every file is read
        return None
    if form != FORMAT or site != str(_site(site_dir)) or not isinstance(started, int) or not isinstance(files, dict):
        return None
    return Scan(None, started, files)


def package_dir() -> Path:
    """The folder of the running ``plansite`` package (its files are inputs)."""
    return Path(__file__).resolve().parent


def _input_filter(root: Path, site: Path):
    """For one ``root`` (resolved) and ``site`` (absolute, normalised): a function telling whether
    an ``os.DirEntry`` is left out of the inputs: the site path and what publishing keeps beside
    it (``.S.*``) wherever they are; at the top level also :data:`SKIP_TOP`, the build folders,
    lock and leftovers of any other site, a symlink into them, a plain folder holding a built
    site. It compares the entries' path strings (``os.scandir`` joins the folder's path and the
    name, so the paths under ``root`` are normalised too) instead of making a ``Path`` per entry:
    24 µs a call before, over 6,000 calls a build at 1000 plans."""
    root_s, site_s, site_parent = str(root), str(site), str(site.parent)
    own = f".{site.name}."

    def skip(entry: os.DirEntry) -> bool:
        path = entry.path
        parent = os.path.dirname(path)
        if path == site_s or (parent == site_parent and entry.name.startswith(own)):
            return True
        if parent != root_s:
            return False
        if entry.name in SKIP_TOP or _SITE_MACHINERY.match(entry.name):
            return True
        if entry.is_symlink():
            return re.match(r"^\.[^/]+\.builds/", os.readlink(path)) is not None
        return entry.is_dir() and os.path.isfile(os.path.join(path, "manifest.json")) \
            and os.path.isfile(os.path.join(path, "404.html"))

    return skip


def dir_line(name: str) -> str:
    """The listing line of a folder named ``name`` (no ``/``): ``d <length>:<name>`` — the name's
    length first, so the fields after it are unambiguous. The lines of a folder's entries, sorted
    and joined by NUL (which no name holds), are its listing (:func:`site_state`,
    :func:`folder_listings`, :attr:`plansite.buildfolder.FolderState.listings`)."""
    return f"d {len(name)}:{name}"


def file_line(name: str, st_mode: int, size: int, mtime_ns: int, inode: int) -> str:
    """The listing line of a regular file named ``name`` (see :func:`dir_line`):
    ``f <length>:<name> <st_mode> <size> <mtime_ns> <inode>``."""
    return f"f {len(name)}:{name} {st_mode} {size} {mtime_ns} {inode}"


def link_line(name: str, target: str) -> str:
    """The listing line of a symlink named ``name`` to ``target`` (its text; see
    :func:`dir_line`): ``l <length>:<name> <target>``."""
    return f"l {len(name)}:{name} {target}"


def line_name(line: str) -> str:
    """The name a listing line (:func:`dir_line`, :func:`file_line`, :func:`link_line`) is of.
    Raises ``ValueError`` on a line of another shape."""
    length, _, rest = line[2:].partition(":")
    return rest[:int(length)]


def site_state(folder: Path) -> str:
    """sha256 hex of every entry of the build ``folder``: path, kind, and for files mode, size,
    modification time (ns) and inode (a symlink: its text). One ``scandir`` per folder and one
    ``lstat`` per entry, no file read (about 0.8 s CPU for the ~110,000 entries of a 1000-plan
    site). Raises :class:`OSError` when it cannot be read."""
    h = hashlib.sha256()
    todo = [(os.fspath(folder), "")]
    while todo:
        path, shown = todo.pop()
        parts, folders = [], []
        with os.scandir(path) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                name = entry.name
                if stat.S_ISDIR(st.st_mode):
                    folders.append((entry.path, f"{shown}{name}/"))
                    parts.append(dir_line(name))
                elif stat.S_ISLNK(st.st_mode):
                    parts.append(link_line(name, os.readlink(entry.path)))
                else:
                    parts.append(file_line(name, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino))
        parts.sort()
        todo += sorted(folders, reverse=True)
        h.update(f"{len(shown)}:{shown}\0{len(parts)}\0".encode("utf-8", "surrogateescape"))
        h.update("\0".join(parts).encode("utf-8", "surrogateescape"))  # NUL is in no name or link text
    return h.hexdigest()


def folder_listings(files: dict[str, tuple], dirs, only=None, mode: int | None = None) -> dict[str, str]:
    """The listing of each folder of ``dirs`` (of ``only``, a subset, when given) as
    :func:`site_state` hashes it: the lines of its entries (:func:`dir_line` for a folder,
    :func:`file_line` for a file), sorted, joined by NUL (which no name holds). ``files``: site path → ``(st_mode, size, mtime_ns, inode)``; with
    ``mode``, the records of :class:`plansite.buildfolder.FolderState` (``(sha256, size, inode,
    mtime_ns)``), every file having ``st_mode`` ``mode``. ``dirs``: site paths of the folders
    (``""`` the top). Raises ``KeyError`` when, without ``only``, a file's folder is not in ``dirs``."""
    parts: dict[str, list[str]] = {d: [] for d in (dirs if only is None else only)}
    find = parts.__getitem__ if only is None else parts.get
    for rel in dirs:
        if rel:
            parent, _, name = rel.rpartition("/")
            here = find(parent)
            if here is not None:
                here.append(dir_line(name))
    if mode is None:
        for rel, (st_mode, size, mtime, ino) in files.items():
            parent, _, name = rel.rpartition("/")
            here = find(parent)
            if here is not None:
                here.append(file_line(name, st_mode, size, mtime, ino))
    else:
        for rel, (_, size, ino, mtime) in files.items():
            parent, _, name = rel.rpartition("/")
            here = find(parent)
            if here is not None:
                here.append(file_line(name, mode, size, mtime, ino))
    return {d: "\0".join(sorted(lines)) for d, lines in parts.items()}


def listed_state(files: dict[str, tuple[int, int, int, int]], dirs, listings: dict[str, str] | None = None) -> str:
    """:func:`site_state` of a build folder known to hold exactly ``files`` (site path →
    ``(st_mode, size, mtime_ns, inode)``) in exactly the folders ``dirs`` (site paths, ``""``
    the top), without looking at the disk: what :mod:`plansite.buildfolder` recorded of the
    folder it has just written (its ``.state``), so a build stamps the 100,000 entries of a
    1000-plan site without a walk. ``listings``: folder → its :func:`folder_listings` text where
    already known (:attr:`plansite.buildfolder.FolderState.listings`: kept from build to build
    for the folders a build did not change); the others are made from ``files``. Raises
    ``KeyError`` when a file's folder is not in ``dirs``."""
    known = listings or {}
    missing = [d for d in dirs if d not in known]
    made = folder_listings(files, dirs, None if len(missing) == len(dirs) else missing) if missing else {}
    subdirs: dict[str, list[str]] = {d: [] for d in dirs}
    for rel in dirs:
        if rel:
            subdirs[rel.rpartition("/")[0]].append(rel)
    pieces: list[str] = []  # the bytes site_state hashes, joined and encoded once (not 2 updates a folder)
    todo = [""]
    while todo:  # the order of site_state: depth first, folders by name
        rel = todo.pop()
        shown = f"{rel}/" if rel else ""
        text = known[rel] if rel in known else made[rel]
        below = subdirs[rel]
        if below:
            below.sort(reverse=True)
            todo += below
        pieces.append(f"{len(shown)}:{shown}\0{text.count(chr(0)) + 1 if text else 0}\0")
        pieces.append(text)
    return hashlib.sha256("".join(pieces).encode("utf-8", "surrogateescape")).hexdigest()


def write_stamp(root: Path, site_dir: Path, build: Path, inputs: str, summary: dict,
                state: str | None = None) -> None:
    """Record that the build folder ``build`` (just published at ``site_dir``) was built from
    ``inputs`` (:func:`input_digest`) and printed ``summary`` (``plans``, ``pages``, ``files``,
    ``warnings``). ``state``: its :func:`site_state` when known (:func:`listed_state`), else
    the folder is walked. Written whole (a temporary file renamed into place). Raises :class:`OSError`."""
    record = {"format": FORMAT, "path": str(_site(site_dir)), "build": Path(build).name, "inputs": inputs,
              "site": state or site_state(build),
              "summary": {k: summary[k] for k in ("plans", "pages", "files", "warnings")}}
    path = stamp_file(root, site_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    _prune(path.parent, path)
    write_atomic(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def _prune(folder: Path, keep: Path) -> None:
    """Remove the stamps (and kept scans) of site paths that no longer exist (temporary sites of
    tests and the like); ``keep``: the stamp being written."""
    for path in folder.glob("*.scan"):
        if path.stem != keep.stem and not path.with_suffix(".json").exists():
            path.unlink(missing_ok=True)  # (its stamp was pruned or dropped: a new one comes with a new scan)
    for path in folder.glob("*.json"):
        try:
            with open(path, encoding="utf-8") as f:
                site = json.load(f).get("path")
            if not isinstance(site, str) or not os.path.lexists(site):
                os.unlink(path)
        except (OSError, ValueError, AttributeError):
            try:
                os.unlink(path)
            except OSError:
                pass


def forget(root: Path, site_dir: Path) -> None:
    """Remove the stamp of ``site_dir`` (missing is fine)."""
    try:
        os.unlink(stamp_file(root, site_dir))
    except OSError:
        pass


def current_summary(root: Path, site_dir: Path, inputs: str | None) -> dict | None:
    """The stored summary (``plans``, ``pages``, ``files``, ``warnings``) when the build
    published at ``site_dir`` is current for ``inputs`` and intact (see the module docstring);
    ``None`` otherwise. Reads only; holds a shared lock on ``.S.lock`` while it looks."""
    if inputs is None:
        return None
    site = _site(site_dir)
    try:
        with open(stamp_file(root, site_dir), encoding="utf-8") as f:
            record = json.load(f)
        if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("inputs") != inputs:
            return None
        fd = os.open(site.parent / f".{site.name}.lock", os.O_RDONLY | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return None  # another build is running: wait for it the usual way
        builds = f".{site.name}.builds"
        build = str(record.get("build"))
        if os.readlink(site) != f"{builds}/{build}" \
                or any(name.endswith(".partial") for name in os.listdir(site.parent / builds)):
            return None  # another build folder, complete (a spare kept for the next build), may stay
        leftovers = (f".{site.name}.link-", f".{site.name}.tmp-", f".{site.name}.old")
        if any(name.startswith(leftovers) for name in os.listdir(site.parent)):
            return None
        if site_state(site.parent / builds / build) != record.get("site"):
            return None
        summary = record.get("summary")
        if not isinstance(summary, dict) or not isinstance(summary.get("warnings"), list) \
                or not all(isinstance(summary.get(k), int) for k in ("plans", "pages", "files")):
            return None
        return summary
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
