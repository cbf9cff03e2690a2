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
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

FORMAT = 1


class CheckMemo:
    """The remembered results in ``path`` (a pickle), for the project at ``root`` under code
    version ``code``. Use :meth:`call` around a validator, then :meth:`save`."""

    def __init__(self, path: Path, root: Path, code: str):
        self.path, self.root, self.code = Path(path), Path(root), code
        self.entries: dict[str, tuple[list, object]] = {}
        self.used: set[str] = set()
        self.changed = False
        self._prints: dict[str, tuple] = {}
        try:
            with open(self.path, "rb") as f:
                stored = pickle.load(f)
            if isinstance(stored, dict) and stored.get("code") == (FORMAT, code):
                self.entries = stored["entries"]
        except Exception:  # noqa: BLE001 - missing or damaged: start empty
            self.entries = {}

    def fingerprint(self, rel: str) -> tuple:
        """``(rel, resolved path, sha256 hex or None)`` of the project file ``rel`` (read once
        per run)."""
        hit = self._prints.get(rel)
        if hit is None:
            full = self.root / rel
            try:
                real = os.path.realpath(full)
                with open(full, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                real, sha = None, None
            hit = self._prints[rel] = (rel, real, sha)
        return hit

    def call(self, kind: str, key: tuple, reads, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``, or its remembered result.

        ``key`` (picklable, hashable by ``repr``) names the call; ``reads(result)`` lists the
        project-relative paths of every file the call read (a callable, as the files may only
        be known from the result). ``ok(result)`` decides what is remembered: see :meth:`clean`.
        """
        name = hashlib.sha256(repr((kind, key)).encode()).hexdigest()
        entry = self.entries.get(name)
        if entry is not None and all(self.fingerprint(p[0]) == p for p in entry[0]):
            self.used.add(name)
            return pickle.loads(entry[1])
        result = fn(*args, **kwargs)
        if self.clean(result):
            self.entries[name] = ([self.fingerprint(rel) for rel in reads(result)],
                                  pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            self.used.add(name)
            self.changed = True
        return result

    @staticmethod
    def clean(result) -> bool:
        """Whether ``result`` is worth remembering: a validator's ``(value, problems)`` with no
        problems and a value, or a plain value that is not ``None``."""
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
            return result[0] is not None and not result[1]
        return result is not None

    def save(self) -> None:
        """Write the results used in this run (atomically), dropping the others."""
        if not self.changed and self.used == set(self.entries):
            return
        keep = {k: v for k, v in self.entries.items() if k in self.used}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", dir=self.path.parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump({"code": (FORMAT, self.code), "entries": keep}, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
