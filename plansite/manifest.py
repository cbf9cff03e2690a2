"""``site/manifest.json``: every output file with its sha256 and size, sorted by path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"


def manifest_entries(site_dir: Path) -> dict[str, dict]:
    """``{posix path: {"sha256": hex, "size": bytes}}`` for every file under ``site_dir`` except
    the manifest itself, sorted by path."""
    entries = {}
    for path in sorted(p for p in Path(site_dir).rglob("*") if p.is_file()):
        rel = path.relative_to(site_dir).as_posix()
        if rel == MANIFEST:
            continue
        data = path.read_bytes()
        entries[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return dict(sorted(entries.items()))


def write_manifest(site_dir: Path) -> Path:
    """Write ``manifest.json`` into ``site_dir`` (run last, after every other file is written)."""
    out = Path(site_dir) / MANIFEST
    text = json.dumps({"files": manifest_entries(site_dir)}, ensure_ascii=False, indent=1) + "\n"
    out.write_text(text, encoding="utf-8")
    return out


def read_manifest(site_dir: Path) -> dict[str, dict]:
    """The ``files`` mapping of ``site_dir/manifest.json``; computed from the files when absent."""
    path = Path(site_dir) / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    return manifest_entries(site_dir)
