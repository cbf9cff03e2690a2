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

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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


def pagefind_command(site_dir: Path, output: Path | None = None) -> tuple[list[str], dict]:
    """``(argv, environment)`` of one quiet Pagefind run over ``site_dir``, writing the bundle to
    ``output`` (default ``site_dir/pagefind``); the language is forced to ``zh-cn`` so that every
    page lands in one index (the pages all declare ``lang="zh-CN"``)."""
    env = dict(os.environ, PAGEFIND_BINARY_PATH=str(pagefind_binary()))
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir)]
    cmd += ["--output-path", str(output)] if output else ["--output-subdir", BUNDLE_DIR]
    cmd += ["--force-language", "zh-cn", "--quiet"]
    return cmd, env


def build_search_index(site_dir: Path) -> Path:
    """Index the HTML written in ``site_dir`` with Pagefind; return the bundle folder ``site_dir/pagefind``.

    Runs ``python -m pagefind`` pinned to the extended binary, quietly (see :func:`pagefind_command`).
    A failing Pagefind run raises :class:`PlansiteError` with its output.
    """
    site_dir = Path(site_dir)
    cmd, env = pagefind_command(site_dir)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip() or f"exit code {proc.returncode}"
        raise PlansiteError.at(str(site_dir), 0, f"pagefind failed: {output}")
    bundle = site_dir / BUNDLE_DIR
    if not (bundle / "pagefind.js").is_file():
        raise PlansiteError.at(str(site_dir), 0, "pagefind wrote no pagefind/pagefind.js")
    return bundle


class BackgroundIndexer:
    """The search index under ``mkdocs serve``: rebuilt in a thread after each rebuild, so the
    preview never waits for Pagefind.

    :meth:`start` (after MkDocs wrote the site) first puts the last complete index back into the
    freshly cleaned ``site_dir/pagefind`` (hard links, instant) — stale until the new one is
    ready — then runs Pagefind into a folder outside the site and swaps the result in, then
    writes ``manifest.json``. A new :meth:`start` cancels a run still going (its Pagefind process
    is killed). Failures are logged as warnings, never raised: the preview goes on.
    """

    def __init__(self):
        self._work = Path(tempfile.mkdtemp(prefix="plansite-search-"))
        self._last: Path | None = None
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._runs = 0

    def start(self, site_dir: Path) -> None:
        """Restore the last index into ``site_dir`` and rebuild it in the background."""
        self.cancel()
        site_dir = Path(site_dir)
        if self._last is not None and not (site_dir / BUNDLE_DIR).exists():
            shutil.copytree(self._last, site_dir / BUNDLE_DIR, copy_function=os.link)
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(site_dir, self._cancelled),
                                        name="plansite-search", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running index build (tests, shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def cancel(self) -> None:
        """Stop the running index build, if any, and wait for its thread."""
        self._cancelled.set()
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()
        self.wait()

    def stop(self) -> None:
        """Cancel and remove the working folder."""
        self.cancel()
        shutil.rmtree(self._work, ignore_errors=True)

    def _run(self, site_dir: Path, cancelled: threading.Event) -> None:
        from .manifest import write_manifest

        log = logging.getLogger("mkdocs.plugins.plansite")
        self._runs += 1
        out = self._work / f"index-{self._runs}"
        try:
            cmd, env = pagefind_command(site_dir, out)
            with self._lock:
                if cancelled.is_set():
                    return
                self._proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                              stderr=subprocess.STDOUT, text=True)
            output, _ = self._proc.communicate()
            if cancelled.is_set():
                return
            if self._proc.returncode != 0 or not (out / "pagefind.js").is_file():
                log.warning("search index not rebuilt: pagefind failed: %s", output.strip())
                return
            target = site_dir / BUNDLE_DIR
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(out, target, copy_function=os.link)
            if self._last is not None:
                shutil.rmtree(self._last, ignore_errors=True)
            self._last = out
            write_manifest(site_dir)
            log.info("plansite: search index rebuilt")
        except Exception as exc:  # noqa: BLE001 - the preview goes on without a fresh index
            log.warning("search index not rebuilt: %s: %s", type(exc).__name__, exc)
        finally:
            if self._last != out:
                shutil.rmtree(out, ignore_errors=True)
