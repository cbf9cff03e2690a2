"""MkDocs is the site engine: `mkdocs build --strict` and `mkdocs serve` work directly."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT, copy_project, update_checksum

#: The subprocesses import this checkout's ``plansite`` (not another checkout's editable install).
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def test_mkdocs_build_strict_passes_and_writes_every_kind_of_page(tmp_path):
    out = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                         cwd=str(copy_project(tmp_path / "project")), capture_output=True, text=True, env=ENV)
    assert run.returncode == 0, run.stderr
    assert "WARNING" not in run.stderr
    for page in ("index.html", "about/index.html", "search/index.html", "plans/fuzhou-15th/index.html",
                 "plans/fuzhou-15th/chapter-75/index.html", "plans/fuzhou-15th/source/index.html",
                 "api/plans.json", "manifest.json", "404.html"):
        assert (out / page).is_file(), page
    assert not (out / "sitemap.xml").exists()  # carries build dates: left out for determinism
    # the manifest takes the digests of files copied from the build cache (plan and cross-plan
    # files) without reading them: they must be those of the files as written
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    on_disk = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    del on_disk["manifest.json"]
    assert manifest == {rel: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                        for rel, data in sorted(on_disk.items())}
    assert "indicators/index.html" in manifest and "assets/t2s.json" in manifest
    # the plan files and the cross-plan texts kept in the build cache are hard links to the
    # cache's files, with the mode a copy would have had (0o666 less the umask)
    cross = tmp_path / "project" / ".cache" / "build" / "cross"
    umask = os.umask(0o022)
    os.umask(umask)
    for page in ("plans/fuzhou-15th/index.html", "api/plans/fuzhou-15th.json", "downloads/all-indicators.json",
                 "indicators/index.html"):
        st = (out / page).stat()
        assert st.st_nlink == 2 and st.st_mode & 0o777 == 0o666 & ~umask, page
    texts = {p.stat().st_ino for p in cross.glob("*.txt")}
    assert (out / "downloads" / "all-indicators.json").stat().st_ino in texts
    # the stale-index notice and its status file belong to `mkdocs serve` only
    assert not (out / "search" / "status.json").exists()
    assert 'id="search-stale"' not in (out / "search" / "index.html").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait_for(url: str, needle: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in _get(url):
            return True
        time.sleep(0.5)
    return False


def test_mkdocs_serve_rebuilds_when_plan_metadata_or_a_seed_changes(tmp_path):
    root = copy_project(tmp_path / "project")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=str(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        url = f"http://127.0.0.1:{port}/plans/cangshan-14th/"
        assert _wait_for(url, "仓山区“十四五”规划纲要", 60), "mkdocs serve did not come up"
        meta = root / "site_src" / "plans" / "cangshan-14th.yml"
        meta.write_text(meta.read_text(encoding="utf-8").replace(
            "short_title: 仓山区“十四五”规划纲要", "short_title: 仓山区规划纲要（预览）"), encoding="utf-8")
        assert _wait_for(url, "仓山区规划纲要（预览）", 60), "no rebuild after editing site_src/"
        # a seed edit (with its checksum) reaches the page without a MkDocs rebuild; the search
        # index is rebuilt in the background and served again
        seed = root / "seeds" / "cangshan-14th.txt"
        seed.write_text(seed.read_text(encoding="utf-8").replace("，", "（预览修订），", 1), encoding="utf-8")
        update_checksum(root, "cangshan-14th")
        assert _wait_for(url.replace("cangshan-14th/", "cangshan-14th/source/"), "（预览修订）", 60), \
            "no rebuild after editing a seed"
        # the edited chapter page itself, not only the source view
        assert _wait_for(url + "full/", "（预览修订）", 10), "the edit did not reach the plan's pages"
        # meanwhile the search page can say that its index is being rebuilt; then it is fresh again
        search = _get(f"http://127.0.0.1:{port}/search/")
        assert 'id="search-stale"' in search and 'data-status="status.json"' in search
        status = f"http://127.0.0.1:{port}/search/status.json"
        assert _wait_for(status, '"stale": false', 120), "the search index status never became fresh"
        assert _wait_for(f"http://127.0.0.1:{port}/pagefind/shards.json", "bundles", 60), "no search index"
        assert "仓山区规划纲要（预览）" in _get(f"http://127.0.0.1:{port}/indicators/"), "a cross-plan page lost the edit"
        template = root / "templates" / "plan.html"
        template.write_text(template.read_text(encoding="utf-8").replace("<h2 id=\"outline-h\">目录</h2>",
                                                                          "<h2 id=\"outline-h\">全文目录</h2>"),
                            encoding="utf-8")
        assert _wait_for(url, "全文目录", 60), "no rebuild after editing templates/"
    finally:
        server.terminate()
        server.wait(timeout=10)
