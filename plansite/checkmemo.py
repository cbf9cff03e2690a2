"""Remembered validation results: :func:`plansite.check.validate_inputs` without re-reading
every unchanged editor file.

At a thousand plans the shared validation parses about three thousand YAML files on every
build. A :class:`CheckMemo` keeps the *clean* results of the expensive per-file validators
(plan metadata, corrections, indicator tables, the registry) in one pickle under the build
cache, each with the fingerprint of every file it read: the project-relative path, where it
resolves (symlinks followed, so a file swapped for a link leading outside is seen) and the
sha256 of its bytes. A result is reused only when every fingerprint still matches and the code
version is the same; a call that found problems is never remembered (it runs again and reports
them exactly as before). Deleting the file is always safe.

Files unchanged *by their stat* are not read again, as git's index does: a file whose resolved
path and ``os.stat`` (device, inode, size, modification and change times) are those recorded
when it was last hashed keeps that hash (recorded only when its modification and change times
were at least :data:`SETTLED_NS` older than the reading, so that a write within the same clock
tick cannot pass unseen; the change time cannot be set back by tools such as ``touch``). The
stats are saved with the results, so a new build process does not read and hash every editor
file and seed again. A memo kept in memory across builds (:meth:`CheckMemo.live`, one per cache
file and process: `mkdocs serve` rebuilds) also does not unpickle its results again. Seeds are decoded only when a remembered result
needs them again (see :func:`plansite.check.validate_inputs`: the number of a seed's lines is
itself a remembered result).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat as statmod
import time
from pathlib import Path

from .atomicfile import write_atomic

FORMAT = 1
#: A file's stat is trusted only when it was modified at least this long (ns) before it was read.
SETTLED_NS = 1_000_000_000
_LIVE: dict[tuple, "CheckMemo"] = {}


class CheckMemo:
    """The remembered results in ``path`` (a pickle), for the project at ``root`` under code
    version ``code``. Use :meth:`call` around a validator, then :meth:`save`."""

    def __init__(self, path: Path, root: Path, code: str):
        self.path, self.root, self.code = Path(path), Path(root), code
        self.entries: dict[str, tuple[list, object]] = {}
        self.used: set[str] = set()
        #: entry name -> names of the entries its validator called (:meth:`call` inside a call):
        #: used whenever it is, so a result remembered inside another one is kept while that one
        #: answers (a plan's schema check inside its file check: see :func:`plansite.plans.check_plan_file`)
        self.inner: dict[str, frozenset] = {}
        self._calls: list[set] = []  # the names called by each validator running now, innermost last
        self.changed = False
        self._prints: dict[str, tuple] = {}
        self._dirs: dict[str, str] = {}  # folder -> resolved folder, this run
        #: rel -> (resolved path, stat key, fingerprint), saved with the results (see
        #: :meth:`fingerprint`); ``_stats_changed`` when this run changed it
        self._stats: dict[str, tuple] = {}
        self._stats_changed = False
        #: kept across runs of a live memo: entry name -> (fingerprints, result object)
        self._live: dict[str, tuple] = {}
        #: kept across runs of a live memo: seed path -> (fingerprint, number of lines)
        try:
            with open(self.path, "rb") as f:
                stored = pickle.load(f)
            if isinstance(stored, dict) and stored.get("code") == (FORMAT, code):
                self.entries = stored["entries"]
                stats = stored.get("stats")
                inner = stored.get("inner")
                self.inner = inner if isinstance(inner, dict) else {}
                self._stats = stats if isinstance(stats, dict) else {}
        except Exception:  # noqa: BLE001 - missing or damaged: start empty
            self.entries, self._stats, self.inner = {}, {}, {}

    @classmethod
    def live(cls, path: Path, root: Path, code: str) -> "CheckMemo":
        """The memo of ``path`` for ``root`` and ``code`` kept in this process (made on first
        use), ready for a new run: what it learnt in earlier runs is reused as described in the
        module docstring."""
        key = (str(path), str(root), code)
        memo = _LIVE.get(key)
        if memo is None:
            _LIVE.clear()  # one project and code version at a time
            memo = _LIVE[key] = cls(path, root, code)
        memo.used, memo.changed, memo._prints, memo._dirs = set(), False, {}, {}
        memo._stats_changed = False
        return memo

    def fingerprint(self, rel: str) -> tuple:
        """``(rel, resolved path, sha256 hex or None)`` of the project file ``rel`` (read once
        per run; not read at all when its stat is that of an earlier run, see module docstring)."""
        hit = self._prints.get(rel)
        if hit is None:
            full = self.root / rel
            try:
                real, st = self._resolve(rel)
                stat = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                known = self._stats.get(rel)
                if known is not None and known[0] == real and known[1] == stat:
                    hit = self._prints[rel] = known[2]
                    return hit
                now = time.time_ns()
                with open(full, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                real, sha = None, None
            hit = self._prints[rel] = (rel, real, sha)
            if sha is not None and now - max(stat[3], stat[4]) >= SETTLED_NS and \
                    os.stat(real).st_ctime_ns == stat[4]:
                self._stats[rel] = (real, stat, hit)
                self._stats_changed = True
            elif self._stats.pop(rel, None) is not None:
                self._stats_changed = True
        return hit

    def _resolve(self, rel: str) -> tuple[str, os.stat_result]:
        """``(resolved path, os.stat of it)`` of ``rel``: its folder resolved once per run, the
        file itself when it is a symlink."""
        parent, name = os.path.split(rel)
        if name in ("", ".", ".."):
            real = os.path.realpath(self.root / rel)
            return real, os.stat(real)
        folder = self._dirs.get(parent)
        if folder is None:
            folder = self._dirs[parent] = os.path.realpath(self.root / parent)
        real = os.path.join(folder, name)
        st = os.lstat(real)
        if statmod.S_ISLNK(st.st_mode):
            real = os.path.realpath(real)
            st = os.stat(real)
        return real, st

    def call(self, kind: str, key: tuple, reads, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``, or its remembered result.

        ``key`` (picklable, hashable by ``repr``) names the call; ``reads(result)`` lists the
        project-relative paths of every file the call read (a callable, as the files may only
        be known from the result). ``ok(result)`` decides what is remembered: see :meth:`clean`.
        """
        name = hashlib.sha256(repr((kind, key)).encode()).hexdigest()
        entry = self.entries.get(name)
        if entry is not None and all(self.fingerprint(p[0]) == p for p in entry[0]):
            self._use(name)
            live = self._live.get(name)
            if live is not None and live[0] is entry[0]:
                return live[1]  # the object of an earlier run (results are never modified)
            result = pickle.loads(entry[1])
            self._live[name] = (entry[0], result)
            return result
        self._calls.append(set())
        try:
            result = fn(*args, **kwargs)
        finally:
            called = frozenset(self._calls.pop())
        if self.clean(result):
            self.entries[name] = ([self.fingerprint(rel) for rel in reads(result)],
                                  pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            self._live[name] = (self.entries[name][0], result)
            if called or name in self.inner:
                self.inner[name] = called
            self._use(name)
            self.changed = True
        return result

    def _use(self, name: str) -> None:
        """Mark the entry ``name`` used in this run (kept by :meth:`save`), with the entries its
        validator called, and note it as called by the validator running now, if any."""
        todo = [name]
        while todo:
            n = todo.pop()
            if n not in self.used and n in self.entries:
                self.used.add(n)
                todo.extend(self.inner.get(n, ()))
        if self._calls:
            self._calls[-1].add(name)

    def call_lazy(self, kind: str, key: tuple, reads, fn, *args, **kwargs):
        """:meth:`call` for a validator returning ``(value, problems)`` whose remembered value is
        large (a plan's indicator tables: unpickling them all took 0.17 s of a 300-plan build that
        then used few of them): a remembered result is always clean, so it is returned as
        ``(later, [])`` without unpickling, ``later()`` giving the value (unpickled once). A call
        that runs returns what ``fn`` returned."""
        name = hashlib.sha256(repr((kind, key)).encode()).hexdigest()
        entry = self.entries.get(name)
        if entry is not None and all(self.fingerprint(p[0]) == p for p in entry[0]):
            self._use(name)
            return self._later(name, *entry), []
        return self.call(kind, key, reads, fn, *args, **kwargs)

    def remembered(self, kind: str, key: tuple) -> bool:
        """Whether :meth:`call` / :meth:`call_lazy` of ``kind`` and ``key`` would be answered
        from memory now (every file it read unchanged), without running anything."""
        name = hashlib.sha256(repr((kind, key)).encode()).hexdigest()
        entry = self.entries.get(name)
        return entry is not None and all(self.fingerprint(p[0]) == p for p in entry[0])

    def call_pickled(self, kind: str, key: tuple, reads, blob: bytes):
        """:meth:`call_lazy` for a clean ``(value, [])`` result computed elsewhere (a forked
        worker, :func:`plansite.check.validate_inputs`) and given as its pickle ``blob``:
        remembered as it is (not pickled again) and returned as ``(later, [])``, ``later()``
        giving the value (unpickled once). ``reads(None)`` lists the files the call read."""
        name = hashlib.sha256(repr((kind, key)).encode()).hexdigest()
        prints = [self.fingerprint(rel) for rel in reads(None)]
        self.entries[name] = (prints, blob)
        self._use(name)
        self.changed = True
        return self._later(name, prints, blob), []

    def _later(self, name: str, prints: list, blob: bytes):
        """A zero-argument callable giving the value of the remembered clean ``(value, [])``
        result ``blob`` (entry ``name``, fingerprints ``prints``), unpickled on its first call
        and kept live for later ones and later runs while the entry stays the same."""
        def later():
            live = self._live.get(name)
            if live is not None and live[0] is prints:
                return live[1][0]
            result = pickle.loads(blob)
            self._live[name] = (prints, result)
            return result[0]

        return later

    @staticmethod
    def clean(result) -> bool:
        """Whether ``result`` is worth remembering: a validator's ``(value, problems)`` with no
        problems and a value, or a plain value that is not ``None``."""
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
            return result[0] is not None and not result[1]
        return result is not None

    def save(self) -> None:
        """Write the results used in this run (atomically), dropping the others."""
        stale = self._stats.keys() - self._prints.keys()  # files this run did not look at
        if not self.changed and not self._stats_changed and not stale and self.used == set(self.entries):
            return
        for rel in stale:
            del self._stats[rel]
        self._stats_changed = False
        keep = {k: v for k, v in self.entries.items() if k in self.used}
        self.inner = {k: v for k, v in self.inner.items() if k in keep}
        self._live = {k: v for k, v in self._live.items() if k in self.used}
        self.entries = keep
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, pickle.dumps({"code": (FORMAT, self.code), "entries": keep, "stats": self._stats,
                                              "inner": self.inner}, protocol=pickle.HIGHEST_PROTOCOL), prefix=".")
