"""Shared fixtures.

``built_site``: the whole site built once per test session into a temporary folder (the same
``build_site`` as ``build.py build``), for the tests that check the written HTML.
``site_url``: that folder served over HTTP on 127.0.0.1 (a thread, stopped at session end).
``browser``: Debian's Chromium driven by Playwright (no browser download).
``test_tool``: path of a tool installed by ``tools/test-deps.sh`` (vnu.jar, axe.min.js).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DEPS = ROOT / ".cache" / "test-deps"
TOOLS = {
    "vnu.jar": TEST_DEPS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar",
    "axe.min.js": TEST_DEPS / "node_modules" / "axe-core" / "axe.min.js",
    "chromium": Path(os.environ.get("PLANSITE_CHROMIUM", "/usr/bin/chromium")),
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require(name: str) -> Path:
    """Path of test tool ``name``; fails under CI (``make test`` installs it), skips elsewhere."""
    path = TOOLS[name]
    if not path.exists():
        message = f"{name} missing at {path}: run `make test` (tools/test-deps.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def test_tool():
    """``test_tool("vnu.jar")`` → path of that tool (see :func:`require`)."""
    return require


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site built once into a temporary folder; returns the folder."""
    from plansite.cli import build_site

    site = tmp_path_factory.mktemp("built") / "site"
    build_site(ROOT, site, quiet=True)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (``http://127.0.0.1:PORT/``) of an HTTP server serving ``built_site``."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's ``/usr/bin/chromium``) under Playwright, for the session."""
    chromium = require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- copied projects (editors and reviewers: check, build, determinism, diff) ------------------

PROJECT_PARTS = ("mkdocs.yml", "templates", "site_src", "seeds")


def copy_project(dest: Path) -> Path:
    """Copy the project's inputs (``mkdocs.yml``, ``templates/``, ``site_src/``, ``seeds/``) into
    ``dest`` (created) and return it; the code stays the installed ``plansite`` package."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def one_plan_project(dest: Path, slug: str) -> Path:
    """A copy of the project (:func:`copy_project`) keeping only plan ``slug`` (fast builds),
    without indicator tables or registry: with one plan left most of the registry's names would
    be stale aliases, which the shared validation refuses."""
    root = copy_project(dest)
    for meta in (root / "site_src/plans").glob("*.yml"):
        if meta.stem != slug:
            for path in (meta, root / f"site_src/corrections/{meta.stem}.yml", root / f"seeds/{meta.stem}.txt"):
                path.unlink(missing_ok=True)
    for path in (root / "site_src/indicators").glob("*.yml"):
        path.unlink()
    (root / "site_src/indicator_registry.yml").unlink()
    return root


def build_in_fresh_process(root: Path, modules: tuple[str, ...], args: tuple[str, ...] = ()):
    """Run ``build.py --root ROOT build --quiet`` (then ``args``, e.g. ``("--force",)``) in a new
    Python process (this checkout's ``plansite``); returns ``(the CompletedProcess, the names of
    ``modules`` it had imported by the end)``: what a command imports is only seen in a process of
    its own."""
    import json
    import subprocess
    import sys

    probe = ("import json, sys; from plansite.cli import main; code = main(sys.argv[2:]); "
             "print('loaded:', json.dumps([m for m in json.loads(sys.argv[1]) if m in sys.modules])); "
             "sys.exit(code)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", probe, json.dumps(list(modules)), "--root", str(root),
                             "build", "--quiet", *args], capture_output=True, text=True, env=env, timeout=300)
    line = next((x for x in result.stdout.splitlines() if x.startswith("loaded: ")), "loaded: null")
    return result, json.loads(line[len("loaded: "):])


def search_page(slug: str, n: int, text: str) -> str:
    """A chapter page as the build renders it for search: ``text`` in a ``data-pagefind-body``
    article filtered by plan ``slug``, headed 第``n``章."""
    return (f'<!doctype html><html lang="zh-CN"><head><title>{slug} {n}</title></head><body>'
            f'<article data-pagefind-body data-pagefind-filter="plan:{slug}"><h1>第{n}章</h1>'
            f"<p>{text}</p></article></body></html>")


def write_plan_pages(folder: Path, slug: str, texts: list[str]) -> Path:
    """``folder``, laid out like ``site/``, holding plan ``slug``'s chapter pages
    (``plans/<slug>/chapter-<n>/index.html``, one per text: :func:`search_page`) and an overview
    page Pagefind does not index; returns ``folder``."""
    for n, text in enumerate(texts, 1):
        page = folder / "plans" / slug / f"chapter-{n}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(search_page(slug, n, text), encoding="utf-8")
    (folder / "plans" / slug / "index.html").write_text("<html><body><p>概览</p></body></html>", encoding="utf-8")
    return folder


def trash_emptied(root: Path, seconds: float = 60) -> None:
    """Wait until the detached ``rm`` that builds start has emptied ``root/.cache/trash``
    (superseded cache entries, replaced build folders, a clean build's scratch folder), so that
    a snapshot or a removal of the project does not race with it; fails after ``seconds``."""
    import time

    trash = root / ".cache" / "trash"
    deadline = time.monotonic() + seconds
    while trash.exists() and any(trash.iterdir()):
        assert time.monotonic() < deadline, sorted(p.name for p in trash.iterdir())
        time.sleep(0.05)


def update_checksum(root: Path, slug: str) -> str:
    """Rewrite the ``sha256:`` line of ``site_src/plans/<slug>.yml`` under ``root`` to match the
    plan's seed ``seeds/<slug>.txt``; return the new digest."""
    import hashlib
    import re

    digest = hashlib.sha256((root / "seeds" / f"{slug}.txt").read_bytes()).hexdigest()
    meta = root / "site_src" / "plans" / f"{slug}.yml"
    text, n = re.subn(r"(?m)^sha256: .*$", f"sha256: {digest}", meta.read_text(encoding="utf-8"))
    assert n == 1, meta
    meta.write_text(text, encoding="utf-8")
    return digest


def line_of(path: Path, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` in ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project's inputs in ``tmp_path/project`` (see :func:`copy_project`)."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def build_py():
    """``build_py(*args, env=None, cwd=None)`` runs ``python build.py ARGS`` of this repository in a
    subprocess (text mode, output captured) and returns the ``CompletedProcess``."""
    import subprocess
    import sys

    def run(*args, env=None, cwd=None):
        return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], env=env,
                              cwd=cwd or ROOT, capture_output=True, text=True, timeout=300)

    return run


# --- indicator tables (shared by the indicator tests) ------------------------------------------


class IndicatorTables(dict):
    """``{slug: [IndicatorTable]}`` of the real project, with lookups by id and printed name."""

    def table(self, slug: str, table_id: str):
        return next(t for t in self[slug] if t.id == table_id)

    def row(self, slug: str, table_id: str, key: str):
        return next(r for r in self.table(slug, table_id).rows if r.key == key)


@pytest.fixture(scope="session")
def registry():
    from plansite.indicators import load_registry

    return load_registry(ROOT)


@pytest.fixture(scope="session")
def tables():
    from plansite.indicators import load_all_tables

    return IndicatorTables(load_all_tables(ROOT))
