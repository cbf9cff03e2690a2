"""The build cache: per-plan results kept on disk, keyed by a content hash of every input.

Layout under the cache folder (default ``<root>/.cache/build/``, outside ``site/``)::

    plans/<slug>-<key>/meta.pickle      a PlanEntry (metadata, summary, file list: small, read on every build)
    plans/<slug>-<key>/<part>.pickle    large parts stored beside it (the card's indicator tables,
                                        read only when a cross-plan page is made again)
    plans/<slug>-<key>/files/<path>     the plan's rendered files, byte for byte as written to site/
    plan-meta/<digest>.pickle           validated plan metadata for a metadata file's bytes
    cross/<key>.txt                     cross-plan files (home, comparisons, all-plans downloads…)
    cross/index.pickle                  sha256, size, inode and mtime of each text written (TextStore)
    cross/last-set.pickle               the last set of cross-plan files (plansite.incremental)
    search/shard-<n>-<key>/             Pagefind bundles of the search shards
    jinja/                              compiled templates (Jinja2's own bytecode cache)

A key is the sha256 of the code version (:func:`code_version`: every source file of the
``plansite`` package, the Python and Jinja2 versions), the templates (:func:`tree_digest`), the
indicator registry, and the plan's metadata, seed, corrections and indicator files, so an entry
is never trusted across code versions or inputs. The folder is safe to delete at any time; an
unreadable, truncated or incomplete entry counts as missing (and is rebuilt).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2

from .atomicfile import write_atomic

PACKAGE = Path(__file__).resolve().parent
FORMAT = 4  # bump when the layout or PlanEntry changes


@lru_cache(maxsize=1)
def code_version() -> str:
    """sha256 hex of the ``plansite`` package sources (paths and bytes), the cache format, the
    Python version and the Jinja2 version: any code change makes every cached entry stale."""
    h = hashlib.sha256(f"{FORMAT}|{sys.version_info[:3]}|{jinja2.__version__}|".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """sha256 hex over the relative paths and bytes of every file under ``folder`` (sorted)."""
    h = hashlib.sha256()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def value_digest(value) -> str:
    """sha256 hex of a picklable ``value`` (dataclasses, lists, dicts, strings, numbers; no
    cycles, no sets: their order changes between processes) that depends on its value alone.
    A plain ``pickle.dumps`` does not: it writes an object met twice once and then a reference
    to it, so two equal values whose parts are shared differently (a string object used in two
    places by the process that parsed a plan, two equal copies in one that loaded it from the
    cache) give different bytes. Here the pickler runs without its memo (``fast``), each part
    written in full wherever it occurs. Raises :class:`ValueError` for a value holding itself."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=4)
    pickler.fast = True  # no memo: sharing does not show in the bytes
    pickler.dump(value)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def file_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``, or ``None`` when it does not exist."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def digest(*parts: bytes | str | None) -> str:
    """sha256 hex of ``parts``, each length-prefixed (``None`` distinct from empty)."""
    h = hashlib.sha256()
    for part in parts:
        if part is None:
            h.update(b"N")
            continue
        data = part.encode() if isinstance(part, str) else part
        h.update(b"B%d:" % len(data))
        h.update(data)
    return h.hexdigest()


@dataclass
class PlanEntry:
    """A cached plan: its ``card`` (:class:`plansite.site.PlanCard`), build ``log`` lines
    (progress and ``warning:`` lines, replayed on a cache hit), and ``files``: ``(site path,
    size in bytes, sha256 hex)`` of the rendered files kept in the entry's ``files/`` folder,
    sorted; ``mtimes``: their modification times (ns) when stored, aligned with ``files`` (the
    site hard-links these files, so one changed in place since is noticed); ``parts``: names of
    the parts stored beside it (:meth:`BuildCache.store`)."""

    slug: str
    key: str
    card: object
    log: list[str] = field(default_factory=list)
    files: list[tuple[str, int, str]] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


class BuildCache:
    """The cache folder ``folder`` (see module docstring). Writers never expose a partial entry:
    an entry is written in a temporary folder and renamed into place when complete."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        #: entries read or written by this object, by (slug, key): a long-lived cache (`mkdocs
        #: serve`) does not unpickle them again (their files are still checked on every load)
        self._known: dict[tuple[str, str], PlanEntry] = {}
        #: when set (`mkdocs serve`'s quick rebuild), superseded entries are only moved aside by
        #: :meth:`store` (one rename) and deleted later by :meth:`drop_pruned`
        self.defer_prune = False
        #: what :meth:`load` found when it stat'ed each file of a complete entry: file path (as
        #: :meth:`files_dir` + site path) → ``(st_dev, st_ino, size, mtime_ns, st_mode)``; a build
        #: folder whose files are hard links to these needs no ``lstat`` of its own for them
        #: (:func:`plansite.foldercheck.check_folder`)
        self.seen: dict[str, tuple[int, int, int, int, int]] = {}
        #: (slug, key) → (entry folder, its ``files`` folder): made once (four ``Path`` joins
        #: per plan and build, at 1000 plans 0.05 s, before)
        self._paths: dict[tuple[str, str], tuple[Path, Path]] = {}
        #: when set (`mkdocs serve`'s quick rebuild), :meth:`load` returns an entry whose files
        #: were checked since it was last so returned without a ``stat`` of each (at 1000 plans
        #: about 33,000 of them, a third of a rebuild); :meth:`check_deferred` checks them once
        #: the preview is served
        self.defer_checks = False
        #: entries (slug, key) whose files were found as stored by a check or were just stored,
        #: and not returned unchecked since; entries returned unchecked, waiting for
        #: :meth:`check_deferred`
        self._checked: set[tuple[str, str]] = set()
        self._unchecked: set[tuple[str, str]] = set()
        self._lock = threading.RLock()  # (check_deferred forgets an entry while holding it)
        self._aside_lock = threading.Lock()  # (_move_aside and drop_pruned)

    @property
    def jinja_dir(self) -> Path:
        """Folder of Jinja2's bytecode cache (created)."""
        path = self.folder / "jinja"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def entry_dir(self, slug: str, key: str) -> Path:
        """Folder of the entry of plan ``slug`` under ``key``."""
        return self._entry_paths(slug, key)[0]

    def _entry_paths(self, slug: str, key: str) -> tuple[Path, Path]:
        """``(entry folder, its files folder)`` of ``slug`` under ``key`` (remembered)."""
        hit = self._paths.get((slug, key))
        if hit is None:
            folder = Path(f"{self.folder}{os.sep}plans{os.sep}{slug}-{key[:40]}")
            hit = self._paths[(slug, key)] = (folder, Path(f"{folder}{os.sep}files"))
        return hit

    def load(self, slug: str, key: str) -> PlanEntry | None:
        """The complete entry of ``slug`` under ``key``, or ``None`` (missing, unreadable, or with a
        file missing, of the wrong size or modified since it was stored: such an entry is removed).
        What the ``stat`` of each of its files found is kept in :attr:`seen`, except with
        :attr:`defer_checks` for an entry checked since it was last returned unchecked: it is
        returned without a ``stat`` and checked by :meth:`check_deferred`."""
        folder = self.entry_dir(slug, key)
        base = f"{folder}{os.sep}"
        try:
            entry = self._known.get((slug, key))
            if entry is not None and self.defer_checks:
                with self._lock:
                    if (slug, key) in self._checked:
                        self._checked.discard((slug, key))
                        self._unchecked.add((slug, key))
                        return entry
            if entry is None:
                with open(f"{base}meta.pickle", "rb") as f:
                    entry = pickle.load(f)
            if not isinstance(entry, PlanEntry) or entry.key != key or entry.slug != slug:
                raise ValueError("foreign entry")
            seen = self._check_files(entry, base)
            self._known[(slug, key)] = entry
            self._mark_checked((slug, key))
            self.seen.update(seen)  # (only a complete entry's: a damaged one is rebuilt, with new files)
            return entry
        except FileNotFoundError:
            self._forget((slug, key))
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            return None
        except Exception:  # noqa: BLE001 - any damage means: rebuild this plan
            self._forget((slug, key))
            shutil.rmtree(folder, ignore_errors=True)
            return None

    @staticmethod
    def _check_files(entry: PlanEntry, base: str) -> list[tuple[str, tuple[int, int, int, int, int]]]:
        """``stat`` each file of ``entry`` (in the entry folder ``base``, ending with a separator)
        and its parts: ``[(file path, (st_dev, st_ino, size, mtime_ns, st_mode))]``. Raises
        :class:`ValueError` when a file's size or modification time is not the stored one,
        :class:`OSError` (e.g. FileNotFoundError) when one cannot be stat'ed."""
        files = f"{base}files{os.sep}"
        if len(entry.mtimes) != len(entry.files):
            raise ValueError("no modification times")
        seen = []
        for (path, size, _), mtime in zip(entry.files, entry.mtimes):
            st = os.stat(full := files + path)
            if st.st_size != size or st.st_mtime_ns != mtime:
                raise ValueError(f"{path}: changed since stored")
            seen.append((full, (st.st_dev, st.st_ino, size, mtime, st.st_mode)))
        for name in entry.parts:
            os.stat(f"{base}{name}.pickle")  # read later, when asked for: it must be there
        return seen

    def _mark_checked(self, known: tuple[str, str]) -> None:
        with self._lock:
            self._checked.add(known)
            self._unchecked.discard(known)

    def _forget(self, known: tuple[str, str]) -> None:
        with self._lock:
            self._known.pop(known, None)
            self._checked.discard(known)
            self._unchecked.discard(known)

    def check_deferred(self) -> list[str]:
        """Check the files of the entries :meth:`load` returned unchecked (:attr:`defer_checks`),
        as it checks them otherwise; returns the entry folders found changed, which are removed
        (their plans are rebuilt by the next build). Safe to run in a thread while another build
        loads entries: an entry not checked yet is checked by :meth:`load` itself."""
        with self._lock:
            todo = sorted(self._unchecked)
        damaged = []
        for known in todo:
            entry = self._known.get(known)
            folder = self.entry_dir(*known)
            try:
                if entry is None:
                    raise ValueError("forgotten")
                self._check_files(entry, f"{folder}{os.sep}")
            except Exception:  # noqa: BLE001 - any damage means: rebuild this plan
                with self._lock:
                    if known not in self._unchecked:
                        continue  # a build checked (or dropped) it meanwhile
                    self._forget(known)
                    # moved aside at once, so that a build storing the plan again meanwhile
                    # cannot lose its new entry to the removal
                    aside = self._move_aside(folder)
                if aside is not None:
                    shutil.rmtree(aside, ignore_errors=True)
                damaged.append(str(folder))
                continue
            with self._lock:
                if known in self._unchecked:
                    self._unchecked.discard(known)
                    self._checked.add(known)
        return damaged

    def remember(self, entry: PlanEntry) -> None:
        """Keep ``entry`` (just built, e.g. by a worker process) for later :meth:`load` calls."""
        self._known[(entry.slug, entry.key)] = entry
        self._mark_checked((entry.slug, entry.key))

    def files_dir(self, slug: str, key: str) -> Path:
        """Folder holding the rendered files of the entry of ``slug`` under ``key``."""
        return self._entry_paths(slug, key)[1]

    def part_path(self, slug: str, key: str, name: str) -> Path:
        """Where the part ``name`` (see :meth:`store`) of the entry of ``slug`` under ``key`` is kept."""
        return self.entry_dir(slug, key) / f"{name}.pickle"

    def store(self, entry: PlanEntry, outputs: dict[str, str], parts: dict[str, object] | None = None,
              others: list[str] | None = None) -> None:
        """Write ``entry`` with its rendered ``outputs`` (``{site path: text}``, UTF-8) and
        ``parts`` (``{name: picklable object}``, each in its own pickle beside the entry, read
        only when asked for: :meth:`part_path`) atomically; fills ``entry.files``. Other entries
        of the same plan are removed (superseded): those named in ``others`` (the plan's entry
        folders, as :meth:`entry_names` listed them before the build) or, without it, those
        found by listing ``plans/`` (at 1000 plans a listing takes ~0.7 ms; one per plan built
        made the build's cost grow as N²)."""
        plans = self.folder / "plans"
        plans.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{entry.slug}-", dir=plans))
        try:
            made = {""}  # folders made under files/ (a fresh folder: each is made once, by mkdir alone)
            sizes, mtimes = [], []
            files = f"{tmp}{os.sep}files{os.sep}"
            os.mkdir(files)
            for path, text in sorted(outputs.items()):
                data = text.encode("utf-8")
                target = files + path
                parent = path.rpartition("/")[0]
                if parent not in made:
                    make_under(files, parent, made)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
                try:
                    view = memoryview(data)
                    while view:  # os.write may write less than asked
                        view = view[os.write(fd, view):]
                    mtime = os.fstat(fd).st_mtime_ns  # written: closing does not change it
                finally:
                    os.close(fd)
                sizes.append((path, len(data), hashlib.sha256(data).hexdigest()))
                mtimes.append(mtime)
            entry.files, entry.mtimes, entry.parts = sizes, mtimes, sorted(parts or {})
            for name, value in (parts or {}).items():
                with open(tmp / f"{name}.pickle", "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            with open(tmp / "meta.pickle", "wb") as f:
                pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
            final = self.entry_dir(entry.slug, entry.key)
            try:
                os.rename(tmp, final)
            except OSError:  # an entry of that key is there (a damaged one: `load` refused it)
                shutil.rmtree(final, ignore_errors=True)
                os.replace(tmp, final)
            tmp = None
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        self._prune(entry.slug, final.name, others)

    def entry_names(self) -> dict[str, list[str]]:
        """``{slug: [entry folder name, …]}`` of the entries under ``plans/`` (one listing; a
        slug never holds a hyphen-hex suffix of 40), for :meth:`store`'s ``others``."""
        found: dict[str, list[str]] = {}
        try:
            with os.scandir(self.folder / "plans") as it:
                for item in it:
                    name = item.name
                    if len(name) > 41 and name[-41] == "-" and _is_hex(name[-40:]):
                        found.setdefault(name[:-41], []).append(name)
        except FileNotFoundError:
            pass
        return found

    def _prune(self, slug: str, keep: str, others: list[str] | None = None) -> None:
        """Remove the other entries of plan ``slug``: those named in ``others`` (from
        :meth:`entry_names`), or found by listing ``plans/`` the same way."""
        plans = self.folder / "plans"
        names = others if others is not None else self.entry_names().get(slug, [])
        for name in names:
            old = plans / name
            if name != keep:  # (entry_names gave only this slug's entry folders)
                if self.defer_prune and self._move_aside(old) is not None:
                    continue
                shutil.rmtree(old, ignore_errors=True)

    def _move_aside(self, folder: Path) -> Path | None:
        """Rename the entry folder ``folder`` into a new ``.pruned-*`` folder beside it, which
        :meth:`drop_pruned` deletes; returns that ``.pruned-*`` folder, or ``None`` when ``folder``
        could not be moved (gone, or an ``OSError`` such as a permission error).

        :meth:`drop_pruned` may delete the new ``.pruned-*`` folder before the rename (another
        process's, or a thread's of this one before it took the lock): then it is made again,
        up to three times."""
        for _ in range(3):
            with self._aside_lock:
                aside = Path(tempfile.mkdtemp(prefix=".pruned-", dir=folder.parent))
                try:
                    os.rename(folder, aside / folder.name)
                    return aside
                except FileNotFoundError:
                    if os.path.isdir(aside) or not os.path.isdir(folder):
                        shutil.rmtree(aside, ignore_errors=True)
                        return None  # (folder gone: nothing to move)
                except OSError:
                    shutil.rmtree(aside, ignore_errors=True)
                    return None
        return None

    def drop_pruned(self) -> None:
        """Delete the entries :meth:`_prune` and :meth:`check_deferred` moved aside (the
        ``.pruned-*`` folders under ``plans/``). The folders are listed under the lock
        :meth:`_move_aside` renames under, so a folder listed is never one it is still moving an
        entry into."""
        with self._aside_lock:
            pruned = list((self.folder / "plans").glob(".pruned-*"))
        for old in pruned:
            shutil.rmtree(old, ignore_errors=True)

    def text_store(self, kind: str) -> "TextStore":
        """A :class:`TextStore` in the folder ``kind``."""
        return TextStore(self.folder / kind)

    def get_object(self, kind: str, key: str):
        """A small cached object (e.g. validated plan metadata) or ``None``."""
        try:
            with open(self.folder / kind / f"{key}.pickle", "rb") as f:
                return pickle.load(f)
        except Exception:  # noqa: BLE001 - missing or damaged: recompute
            return None

    def put_object(self, kind: str, key: str, value) -> None:
        """Store a small object atomically under ``kind/key``."""
        folder = self.folder / kind
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), prefix=".")


def _is_hex(text: str) -> bool:
    """Whether ``text`` is lower-case hex digits only."""
    return all(c in "0123456789abcdef" for c in text)


def make_under(base: str, folder: str, made: set[str], exist_ok: bool = False) -> None:
    """Make the folder ``folder`` (``a/b/c``, posix) under ``base`` (ending in a separator) with
    its parents not in ``made`` (folders made already, relative; ``""`` for ``base``), parents
    first, one ``mkdir`` each and no ``stat`` (``os.makedirs`` checks each parent first); adds
    them to ``made``. Raises ``OSError`` as ``os.mkdir`` does (but ``FileExistsError`` with
    ``exist_ok``: a folder already there counts as made)."""
    parent = folder.rpartition("/")[0]
    if parent not in made:
        make_under(base, parent, made, exist_ok)
    try:
        os.mkdir(base + folder)
    except FileExistsError:
        if not exist_ok:
            raise
    made.add(folder)


class TextStore:
    """Texts kept under content keys in one folder (``<key>.txt``, UTF-8); :meth:`prune` removes
    the texts not read or written since the store was opened.

    ``index.pickle`` beside them records, per key, the sha256 and size of the text's bytes and
    the inode and modification time (ns) of its file when written, so that a caller can use a
    stored text (:meth:`stored`: hard-link it into a site, list it in a manifest) without
    reading it; a file whose stat is no longer the recorded one (edited in place through such a
    hard link) is not trusted: :meth:`stored` and :meth:`get` treat it as missing. The index is
    written by :meth:`prune` (atomically; a lost index only means texts made again)."""

    INDEX = "index.pickle"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        self._index: dict[str, tuple[str, int, int, int]] | None = None

    @property
    def index(self) -> dict[str, tuple[str, int, int, int]]:
        """key → ``(sha256 hex, size, inode, mtime_ns)`` of the texts written (see class docstring)."""
        if self._index is None:
            try:
                with open(self.folder / self.INDEX, "rb") as f:
                    index = pickle.load(f)
            except Exception:  # noqa: BLE001 - missing or damaged: every text is made again
                index = {}
            self._index = index if isinstance(index, dict) else {}
        return self._index

    def path(self, key: str) -> Path:
        """The file of the text stored under ``key``."""
        return self.folder / f"{key}.txt"

    def stored(self, key: str) -> tuple[str, int] | None:
        """``(sha256 hex, size)`` of the text stored under ``key``, from the index, without reading
        it (it is marked used); ``None`` when there is none or its file changed since written."""
        rec = self.index.get(key)
        if rec is None:
            return None
        try:
            st = os.stat(self.path(key))
        except OSError:
            return None
        if (st.st_size, st.st_ino, st.st_mtime_ns) != rec[1:]:
            return None
        self.used.add(key)
        return rec[0], rec[1]

    def get(self, key: str) -> str | None:
        """The text stored under ``key``, or ``None`` (also when it is not the text written: see
        :meth:`stored`)."""
        if self.stored(key) is None:
            return None
        try:
            return self.path(key).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, text: str) -> None:
        """Store ``text`` under ``key`` (atomically)."""
        self.note(key, self.write(key, text))

    def write(self, key: str, text: str) -> tuple[str, int, int, int]:
        """Write ``text``'s file under ``key`` (atomically) without recording it: returns its
        index record ``(sha256 hex, size, inode, mtime_ns)`` for :meth:`note` (a worker process
        writes, the process holding the store notes). The file gets the mode a plain ``open``
        gives (``0o666`` less the umask, not ``mkstemp``'s ``0o600``): a site may hard-link it
        (:class:`plansite.plugin.CachedFile`) where MkDocs would have written a copy."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        st = write_atomic(self.path(key), data, prefix=".", mode=0o666)
        return hashlib.sha256(data).hexdigest(), len(data), st.st_ino, st.st_mtime_ns

    def note(self, key: str, record: tuple[str, int, int, int]) -> None:
        """Record the text :meth:`write` wrote under ``key`` (``record``: what it returned)."""
        self.index[key] = record
        self.used.add(key)

    def prune(self) -> None:
        """Remove every stored text not used since this store was opened; save the index of the others."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.txt"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
            index = {key: rec for key, rec in self.index.items() if key in self.used}
            write_atomic(self.folder / self.INDEX, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), prefix=".")
