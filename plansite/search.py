"""Full-text search: the Pagefind index over the written HTML (``site/pagefind/``).

Run after MkDocs wrote every page and before ``manifest.json``. The *extended* Pagefind binary
(PyPI ``pagefind[extended]``) is required: only it segments Chinese text into words, so that a
query such as ``数字经济`` matches the words of the plans rather than single characters.

Only elements inside ``data-pagefind-body`` (the chapter pages' ``<article>``) are indexed; every
chapter carries ``data-pagefind-filter="plan:…"`` and ``data-pagefind-meta`` for the plan and
chapter names, and every section heading carries the section's node id, so that Pagefind's
sub-results link straight to ``chapter-5/#chapter-5-2``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .errors import PlansiteError

BUNDLE_DIR = "pagefind"


def pagefind_binary() -> Path:
    """Path of the extended Pagefind executable shipped by the ``pagefind_bin_extended`` wheel.

    Raises :class:`PlansiteError` when it is not installed (``pip install 'pagefind[extended]'``).
    """
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise PlansiteError.at("pyproject.toml", 0, "pagefind[extended] is not installed: "
                               "the search index needs the extended Pagefind binary") from None
    return Path(get_executable())


def build_search_index(site_dir: Path) -> Path:
    """Index the HTML written in ``site_dir`` with Pagefind; return the bundle folder ``site_dir/pagefind``.

    Runs ``python -m pagefind`` pinned to the extended binary, quietly; the language is forced to
    ``zh-cn`` so that every page lands in one index (the pages all declare ``lang="zh-CN"``).
    A failing Pagefind run raises :class:`PlansiteError` with its output.
    """
    site_dir = Path(site_dir)
    env = dict(os.environ, PAGEFIND_BINARY_PATH=str(pagefind_binary()))
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
           "--force-language", "zh-cn", "--quiet"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip() or f"exit code {proc.returncode}"
        raise PlansiteError.at(str(site_dir), 0, f"pagefind failed: {output}")
    bundle = site_dir / BUNDLE_DIR
    if not (bundle / "pagefind.js").is_file():
        raise PlansiteError.at(str(site_dir), 0, "pagefind wrote no pagefind/pagefind.js")
    return bundle
