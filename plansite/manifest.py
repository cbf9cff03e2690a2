"""``site/manifest.json``: every output file with its sha256 and size, sorted by path."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MANIFEST = "manifest.json"


def manifest_entries(site_dir: Path, known: dict[str, tuple[str, int]] | None = None) -> dict[str, dict]:
    """``{posix path: {"sha256": hex, "size": bytes}}`` for every file under ``site_dir`` except
    the manifest itself, sorted by path.

    ``known`` (optional): ``{path: (sha256 hex, size)}`` of files copied in this build from a
    cache that recorded their digest; such a file of the recorded size is not read again."""
    known = known or {}
    entries = {}
    site_dir = str(site_dir)
    for folder, dirs, names in os.walk(site_dir):
        dirs.sort()
        rel_dir = os.path.relpath(folder, site_dir).replace(os.sep, "/")
        for name in names:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if rel == MANIFEST:
                continue
            path = os.path.join(folder, name)
            hit = known.get(rel)
            if hit is not None and os.stat(path).st_size == hit[1]:
                entries[rel] = {"sha256": hit[0], "size": hit[1]}
                continue
            with open(path, "rb") as f:
                data = f.read()
            entries[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return dict(sorted(entries.items()))


def write_manifest(site_dir: Path, known: dict[str, tuple[str, int]] | None = None) -> Path:
    """Write ``manifest.json`` into ``site_dir`` (run last, after every other file is written);
    ``known`` as in :func:`manifest_entries`."""
    out = Path(site_dir) / MANIFEST
    text = json.dumps({"files": manifest_entries(site_dir, known)}, ensure_ascii=False, indent=1) + "\n"
    out.write_text(text, encoding="utf-8")
    return out


def read_manifest(site_dir: Path) -> dict[str, dict]:
    """The ``files`` mapping of ``site_dir/manifest.json``; computed from the files when absent."""
    path = Path(site_dir) / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    return manifest_entries(site_dir)
