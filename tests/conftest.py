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
