"""``site/manifest.json``: every output file with its sha256 and size, sorted by path.

Written last by the build (:func:`write_manifest`); read by ``build.py diff``
(:func:`read_manifest`), which treats it as untrusted: an entry may only name a file inside its
own site folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePosixPath

from .errors import PlansiteError, Problem

MANIFEST = "manifest.json"
_ENTRY_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*\{')


def manifest_entries(site_dir: Path, known: dict[str, tuple[str, int]] | None = None) -> dict[str, dict]:
    """``{posix path: {"sha256": hex, "size": bytes}}`` for every file under ``site_dir`` except
    the manifest itself, sorted by path.

    ``known`` (optional): ``{path: (sha256 hex, size)}`` of files copied in this build from a
    cache that recorded their digest; such a file of the recorded size is not read again."""
    known = known or {}
    entries = {}
    for rel, entry in files_under(str(site_dir)):
        if rel == MANIFEST:
            continue
        hit = known.get(rel)
        if hit is not None and entry.stat().st_size == hit[1]:
            entries[rel] = {"sha256": hit[0], "size": hit[1]}
            continue
        with open(entry.path, "rb") as f:
            data = f.read()
        entries[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return dict(sorted(entries.items()))


def files_under(site_dir: str) -> list[tuple[str, os.DirEntry]]:
    """``(posix path relative to site_dir, DirEntry)`` of every entry under ``site_dir`` that is
    not a folder (files, symlinks other than to folders, …), in no particular order: what
    :func:`os.walk` lists (a symlinked folder is neither entered nor listed; a folder that cannot
    be read is skipped), with each path made by concatenation instead of ``os.path.relpath`` per
    folder (at 100 plans 0.08 -> 0.05 s CPU for the ~3,500 folders). The one walk over a site
    folder: also :func:`plansite.buildfolder.staged_files` and
    :func:`plansite.mkdocs_own.snapshot`."""
    found = []
    stack = [("", site_dir)]
    while stack:
        rel, path = stack.pop()
        try:
            with os.scandir(path) as it:
                for entry in it:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        found.append((rel + entry.name, entry))
                    elif not entry.is_symlink():
                        stack.append((rel + entry.name + "/", entry.path))
        except OSError:
            continue
    return found


def write_manifest(site_dir: Path, known: dict[str, tuple[str, int]] | None = None) -> Path:
    """Write ``manifest.json`` into ``site_dir`` (run last, after every other file is written);
    ``known`` as in :func:`manifest_entries`."""
    out = Path(site_dir) / MANIFEST
    entries = manifest_entries(site_dir, known)
    out.write_text(manifest_text({k: (v["sha256"], v["size"]) for k, v in entries.items()}), encoding="utf-8")
    return out


def manifest_text(entries: dict[str, tuple]) -> str:
    """The text of ``manifest.json`` for ``entries`` (``{path: (sha256 hex, size, …)}``, any
    order; items after the size are ignored): exactly ``json.dumps({"files": …},
    ensure_ascii=False, indent=1) + "\\n"`` with the entries sorted by path, made line by line
    (the indenting JSON encoder is pure Python: for 100,000 entries it took 0.37 s CPU here,
    this 0.10 s)."""
    if not entries:
        return '{\n "files": {}\n}\n'
    key = json.encoder.encode_basestring  # ensure_ascii=False
    parts = [f'  {key(path)}: {{\n   "sha256": "{rec[0]}",\n   "size": {rec[1]}\n  }}'
             for path, rec in sorted(entries.items())]
    return '{\n "files": {\n' + ",\n".join(parts) + "\n }\n}\n"


def outside_reason(site_dir: Path, rel: str) -> str | None:
    """Why the site-relative path ``rel`` does not name a file inside ``site_dir`` (``None``
    when it does): empty, absolute, a ``..`` part, or resolving (symlinks followed) outside."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        return "is not a file path"
    pure = PurePosixPath(rel)
    if pure.is_absolute() or rel.startswith("\\") or re.match(r"^[A-Za-z]:", rel):
        return "is an absolute path"
    if ".." in pure.parts or ".." in rel.split("\\"):
        return "has a '..' part"
    base = Path(site_dir).resolve()
    target = (base / pure).resolve()
    if target != base and base not in target.parents:
        return f"resolves outside the site (to {target})"
    return None


def _entry_lines(text: str) -> dict[str, int]:
    """``{key: 1-based line}`` of the ``"key": {`` lines of a manifest (first occurrence)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        m = _ENTRY_LINE.match(line)
        if m:
            try:
                lines.setdefault(json.loads(m.group(1)), number)
            except ValueError:
                pass
    return lines


def read_manifest(site_dir: Path) -> dict[str, dict]:
    """The ``files`` mapping (``{path: {"sha256": hex, "size": bytes}}``) of the built site in
    ``site_dir``: from its ``manifest.json``, or computed from the files when it has none.

    Only paths inside ``site_dir`` are accepted. Raises :class:`PlansiteError` with one
    ``path:line: message`` problem per refused entry (an absolute path, a ``..`` part, a path
    resolving outside the site through a symlink; a path or sha256 that is not a string;
    ``path`` the manifest, ``line`` the entry's line), for a manifest that is not valid JSON or
    lies outside the site, and, without a manifest, per file symlinked outside the site."""
    site_dir = Path(site_dir)
    path = site_dir / MANIFEST
    if not path.exists() and not path.is_symlink():
        outside = [p for p in sorted(site_dir.rglob("*"))
                   if p.is_symlink() and outside_reason(site_dir, p.relative_to(site_dir).as_posix())]
        if outside:
            raise PlansiteError([Problem(str(p), 0, "symlink to a file outside the site; refused")
                                 for p in outside])
        return manifest_entries(site_dir)
    if outside_reason(site_dir, MANIFEST):
        raise PlansiteError.at(str(path), 0, "resolves outside the site; refused")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlansiteError.at(str(path), getattr(exc, "lineno", 0), f"not valid JSON: {exc}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise PlansiteError.at(str(path), 0, 'no "files" mapping: not a Plansite manifest')
    lines = _entry_lines(text)
    problems = []
    for rel, entry in files.items():
        reason = outside_reason(site_dir, rel)
        if reason is None and not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)):
            reason = "has no sha256 string"
        if reason:
            problems.append(Problem(str(path), lines.get(rel, 0), f"entry {rel!r} {reason}; refused"))
    if problems:
        raise PlansiteError(problems)
    return files
