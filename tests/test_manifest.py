"""manifest.json's list of files: every file under the site folder, as os.walk lists them."""

from __future__ import annotations

import hashlib
import json
import os

from plansite.manifest import MANIFEST, manifest_entries, write_manifest


def _walk_reference(site) -> dict:
    """The entries as the manifest made them before (os.walk, every file read)."""
    out = {}
    for folder, _dirs, names in os.walk(site):
        rel_dir = os.path.relpath(folder, site).replace(os.sep, "/")
        for name in names:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if rel != MANIFEST:
                data = open(os.path.join(folder, name), "rb").read()
                out[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return dict(sorted(out.items()))


def test_manifest_lists_what_os_walk_lists(tmp_path):
    site = tmp_path / "site"
    for rel, text in {"index.html": "a", "b/c/d.html": "bb", "b/e.json": "{}", "z/ö 1.txt": "ccc",
                      "b/c/f/g/h.css": ""}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    (site / "empty").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.html").write_text("x", encoding="utf-8")
    (site / "linked").symlink_to(outside, target_is_directory=True)  # os.walk does not enter it
    (site / "b" / "link.html").symlink_to(site / "index.html")  # a file link is listed
    (site / MANIFEST).write_text("old", encoding="utf-8")
    entries = manifest_entries(site)
    assert entries == _walk_reference(site)
    assert list(entries) == sorted(entries)
    assert "linked/x.html" not in entries and "b/link.html" in entries
    known = {"b/e.json": ("f" * 64, 2), "index.html": ("0" * 64, 5)}  # the second: wrong size, read
    entries = manifest_entries(site, known)
    assert entries["b/e.json"] == {"sha256": "f" * 64, "size": 2}
    assert entries["index.html"] == _walk_reference(site)["index.html"]
    write_manifest(site)
    assert json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"] == _walk_reference(site)
