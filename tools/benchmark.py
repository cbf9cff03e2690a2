#!/usr/bin/env python3
"""The build benchmark: synthetic collections of N plans, timed as editors and readers use them.

    .venv/bin/python tools/benchmark.py [--plans 5,100] [--serve-edits 3] [--skip-mkdocs] [--skip-hugo]
                                        [--skip-pagefind] [--builds-only] [--keep] [--paragraphs N]
                                        [--folder-plans N] [--no-bytecode]

The processes it times write and read ``.pyc`` files, Python's default, whatever
``PYTHONDONTWRITEBYTECODE`` says in the calling environment (this sandbox sets it);
they are written for plansite before the first timed build (``compileall``, as ``pip install``
does). ``--no-bytecode`` times the builds compiling every plansite module from source instead.

``--paragraphs N`` times only the parser on a synthetic plan of N one-line paragraphs (and of N/4,
to show that parse time grows linearly with the input). ``--folder-plans N`` times only the
update in place of a build folder (``plansite.buildfolder``) on a synthetic site of N plans.

For each N it makes a collection in a temporary folder — the project's five seeds with their
editor files, copied and renamed (``<slug>-0007``) until there are N plans (N = 5 is the project
itself) — and measures, each as a whole process (wall time, peak RSS summed over the process
tree, Pagefind included, polled from /proc):

- ``clean``        ``build.py build`` with no cache;
- ``no change``    the same build again (everything from the cache);
- ``one edit``     after a one-line edit of one seed (and its checksum);
- ``edit again``   after a one-line edit of another seed: this build always writes over the
                   build before last (``build.py build`` keeps it as the spare), whether or not
                   the builds before it published a new folder;
- ``no search``    a clean build with the search index turned off (``search: false``);
- ``pagefind``     one standalone Pagefind run over the built site's pages;
- ``serve``        ``mkdocs serve``: a one-line seed edit saved → the edited page served with
                   the new text (median of ``--serve-edits`` edits);
- ``mkdocs``       plain MkDocs (its default theme and search) over the same pages as Markdown
                   (the text of each page's ``<main>``);
- ``hugo``         Hugo over the same Markdown, when ``hugo`` is installed.

Figures only, printed as a table with ratios; no assertion (the targets are read from these
figures, never checked in a timed test).
"""

from __future__ import annotations

import argparse
import html.parser
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PARTS = ("mkdocs.yml", "templates", "site_src", "seeds")
#: subprocesses use this worktree's plansite, not another installed copy; they write and use
#: ``.pyc`` files as Python does by default (``PYTHONDONTWRITEBYTECODE``, set in some sandboxes,
#: is removed: otherwise every process compiles plansite's modules from source, about 0.1 s),
#: unless ``--no-bytecode`` (see :func:`main`)
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


# --- synthetic collections ----------------------------------------------------------------------


def make_collection(dest: Path, plans: int) -> list[str]:
    """Write a project of ``plans`` plans into ``dest``; returns the slugs. The first five are the
    project's own plans; then renamed copies (``<slug>-0005`` …) with all their editor files."""
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    originals = sorted(p.stem for p in (ROOT / "site_src" / "plans").glob("*.yml"))
    slugs = list(originals)
    for i in range(len(originals), plans):
        base = originals[i % len(originals)]
        slug = f"{base}-{i:04d}"
        shutil.copyfile(ROOT / "seeds" / f"{base}.txt", dest / "seeds" / f"{slug}.txt")
        for folder in (dest / "site_src").iterdir():
            src = folder / f"{base}.yml"
            if folder.is_dir() and src.exists():
                text = src.read_text(encoding="utf-8").replace(base, slug)
                if folder.name == "plans":
                    text = re.sub(r"(?m)^(short_title: .*?)\s*$", rf"\1（{i}）", text, count=1)
                (folder / f"{slug}.yml").write_text(text, encoding="utf-8")
        slugs.append(slug)
    return slugs[:plans]


def edit_one_line(root: Path, slug: str, count: int) -> str:
    """Edit one long body line of ``slug``'s seed (a comma becomes 、 and a marker is appended to
    a word), fix the checksum; returns a snippet of the new text to look for on the page."""
    import hashlib

    seed = root / "seeds" / f"{slug}.txt"
    lines = seed.read_text(encoding="utf-8").split("\n")
    tables = root / "site_src" / "indicators" / f"{slug}.yml"
    checked: set[int] = set()  # lines the indicator file quotes: the validation would refuse an edit there
    if tables.exists():
        text = tables.read_text(encoding="utf-8")
        for a, b in re.findall(r"\[(\d+),\s*(\d+)\]", text):
            checked.update(range(int(a), int(b) + 1))
        checked.update(int(x) for x in re.findall(r"\bline: (\d+)", text))
    # a long line of the second half; a hard-wrapped seed (lines of at most ~56 columns) has none
    index = next(i for wide in (60, 20) for i in range(len(lines) // 2, len(lines))
                 if len(lines[i]) > wide and "，" in lines[i] and not lines[i].startswith(("#", "|", "<"))
                 and "\t" not in lines[i] and i + 1 not in checked)
    marker = f"（修订{count}）"
    lines[index] = lines[index].replace("，", marker + "，", 1)
    seed.write_text("\n".join(lines), encoding="utf-8")
    digest = hashlib.sha256(seed.read_bytes()).hexdigest()
    meta = root / "site_src" / "plans" / f"{slug}.yml"
    meta.write_text(re.sub(r"(?m)^sha256: .*$", f"sha256: {digest}", meta.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return marker


# --- measuring processes ------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident set size in bytes of ``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


class Run:
    """A whole process: wall ``seconds``, ``peak`` RSS of its tree (bytes), ``returncode``, output."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict | None = None, poll: float = 0.05):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.peak = 0
        out: list[str] = []
        reader = threading.Thread(target=lambda: out.append((proc.stdout.read(), proc.stderr.read())))
        reader.start()
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            self.peak = max(self.peak, _tree_rss(proc.pid))
            time.sleep(poll)
        reader.join()
        self.seconds = time.perf_counter() - start
        #: CPU seconds (user + system) of the process and the descendants it waited for
        self.cpu = usage.ru_utime + usage.ru_stime
        proc.returncode = self.returncode = os.waitstatus_to_exitcode(status)
        self.stdout, self.stderr = out[0] if out else ("", "")
        if self.returncode != 0:
            raise SystemExit(f"failed ({self.returncode}): {' '.join(map(str, cmd))}\n{self.stderr[-3000:]}")


def build(root: Path, site: Path, config: str | None = None) -> Run:
    if config:
        return Run([PY, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)], root)
    return Run([PY, str(ROOT / "build.py"), "--root", str(root), "build", "--quiet", "--site", str(site)], root)


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


def serve_latency(root: Path, slug: str, edits: int) -> list[float]:
    """Seconds from saving a one-line seed edit to ``mkdocs serve`` serving the edited page.

    Prints, per edit, the server's own breakdown of its quick rebuild (the plugin's ``quick
    rebuild:`` log line: validation and the changed plan's parse and render, files written,
    cross-plan files); the rest of the latency is noticing the save, MkDocs' ``build_delay`` and
    the request."""
    port = _free_port()
    log_path = root.parent / "serve.log"
    log_file = open(log_path, "w", encoding="utf-8")
    server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=root, env=ENV,
                              stdout=log_file, stderr=subprocess.STDOUT)
    times = []
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 1800
        while "plans" not in _get(base + "api/plans.json"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("mkdocs serve did not come up")
            time.sleep(0.2)
        time.sleep(2)  # let the first background search index start
        for count in range(1, edits + 1):
            marker = edit_one_line(root, slug, count)
            saved = time.perf_counter()
            pages = _edited_pages(root, slug, base)
            while True:
                if any(marker in _get(page) for page in pages):
                    times.append(time.perf_counter() - saved)
                    break
                if time.perf_counter() - saved > 600:
                    raise SystemExit("the edit never reached the served page")
                time.sleep(0.02)
            time.sleep(3)  # the search index is rebuilt in the background meanwhile
            log_file.flush()
            quick = [line.split("quick rebuild: ", 1)[1].strip() for line in
                     log_path.read_text(encoding="utf-8", errors="replace").splitlines()
                     if "quick rebuild: " in line and "(0 rebuilt)" not in line]
            print(f"{'':12} edit {count}: {times[-1]:.2f} s; server: {quick[-1] if quick else 'no quick rebuild'}",
                  flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()
    return times


def _edited_pages(root: Path, slug: str, base: str) -> list[str]:
    """URLs of the pages that can show a body line of ``slug`` (its source view is enough)."""
    return [f"{base}plans/{slug}/source/"]


# --- the same pages for plain MkDocs and Hugo ---------------------------------------------------


class _MainText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif self.depth and tag in ("p", "h1", "h2", "h3", "li", "tr", "div", "section"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data.replace("*", "＊").replace("#", "＃").replace("<", "＜"))


def markdown_pages(site: Path, dest: Path, front_matter: bool) -> int:
    """One Markdown file per plan page of the built ``site`` (the text of its ``<main>``)."""
    count = 0
    for page in sorted(site.rglob("index.html")):
        rel = page.relative_to(site).parent
        if rel.parts[:1] != ("plans",):
            continue
        parser = _MainText()
        parser.feed(page.read_text(encoding="utf-8"))
        text = re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
        title = text.split("\n", 1)[0][:60]
        out = dest / (rel.as_posix() + ".md")
        out.parent.mkdir(parents=True, exist_ok=True)
        head = f'---\ntitle: "{title.replace(chr(34), "")}"\n---\n\n' if front_matter else ""
        out.write_text(head + text + "\n", encoding="utf-8")
        count += 1
    return count


def plain_mkdocs(site: Path, work: Path) -> Run:
    docs = work / "docs"
    markdown_pages(site, docs, front_matter=False)
    (docs / "index.md").write_text("# Plans\n", encoding="utf-8")
    (work / "mkdocs.yml").write_text("site_name: plans\ntheme: mkdocs\nuse_directory_urls: true\n", encoding="utf-8")
    return Run([PY, "-m", "mkdocs", "build", "-q", "-d", str(work / "out")], work)


def hugo(site: Path, work: Path) -> Run | None:
    exe = shutil.which("hugo")
    if not exe:
        return None
    markdown_pages(site, work / "content", front_matter=True)
    layouts = work / "layouts" / "_default"
    layouts.mkdir(parents=True)
    page = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
            '<body><main>{{ .Content }}</main></body></html>\n')
    (layouts / "single.html").write_text(page, encoding="utf-8")
    (layouts / "list.html").write_text(page.replace("{{ .Content }}", "{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"), encoding="utf-8")
    (work / "hugo.toml").write_text('baseURL = "/"\ntitle = "plans"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n', encoding="utf-8")
    return Run([exe, "--quiet", "-d", str(work / "out")], work)


def standalone_pagefind(site: Path) -> Run:
    sys.path.insert(0, str(ROOT))
    from plansite.pagefind_run import pagefind_binary

    return Run([str(pagefind_binary()), "--site", str(site), "--output-path", str(site.parent / "pf-standalone"),
                "--force-language", "zh-cn", "--quiet", "--glob", "plans/**/*.html"], site.parent)


# --- the report ---------------------------------------------------------------------------------


def fmt(run: Run | None) -> str:
    if run is None:
        return "—"
    return f"{run.seconds:7.2f} s {run.cpu:7.2f} s CPU {run.peak / 2**20:7.0f} MiB"


def bench(n: int, args) -> dict:
    """Measure a collection of ``n`` plans; prints each figure as soon as it is measured."""
    tmp = Path(tempfile.mkdtemp(prefix=f"plansite-bench-{n}-"))

    def show(name: str, run):
        results[name] = run
        print(f"{name:12} {fmt(run)}", flush=True)

    results: dict = {}
    try:
        root = tmp / "project"
        slugs = make_collection(root, n)
        site = root / "site"
        print(f"\n## {n} plans", flush=True)
        show("clean", build(root, site))
        results["pages"] = sum(1 for _ in site.rglob("*.html"))
        print(f"{'':12} {results['pages']} HTML pages", flush=True)
        show("no change", build(root, site))
        edit_one_line(root, slugs[n // 2], 0)
        show("one edit", build(root, site))
        edit_one_line(root, slugs[n // 3], 1)
        show("edit again", build(root, site))
        if args.builds_only:
            results.update({k: None for k in ("no search", "mkdocs", "hugo", "pagefind")}, serve=[])
            return results
        nosearch = root / "mkdocs-nosearch.yml"
        nosearch.write_text((root / "mkdocs.yml").read_text(encoding="utf-8").replace(
            "  - plansite\n", "  - plansite:\n      cache_dir: .cache/build-nosearch\n      search: false\n"),
            encoding="utf-8")
        show("no search", build(root, tmp / "site-nosearch", config=str(nosearch)))
        results["serve"] = serve_latency(root, slugs[n // 2], args.serve_edits) if args.serve_edits else []
        if results["serve"]:
            print(f"{'serve':12} {statistics.median(results['serve']):7.2f} s  (edit saved → page served; median "
                  f"of {len(results['serve'])}: {', '.join(f'{t:.2f}' for t in results['serve'])})", flush=True)
        show("hugo", None if args.skip_hugo else hugo(site, tmp / "hugo"))
        show("pagefind", None if args.skip_pagefind else standalone_pagefind(site))
        show("mkdocs", None if args.skip_mkdocs else plain_mkdocs(site, tmp / "mkdocs"))
        return results
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def synthetic_parse(n: int) -> float:
    """Seconds to parse a synthetic plan of ``n`` paragraphs under one chapter and ``n // 50``
    sections (one blank line between paragraphs, as web copies have)."""
    from plansite.model import SourceLine
    from plansite.parser import parse_document
    from plansite.plans import Period, Plan

    plan = Plan(slug="bench", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind="outline", source="seeds/bench.txt")
    texts = ["第一章 总体要求", ""]
    for k in range(n):
        if k % 50 == 0:
            texts += [f"第{k // 50 + 1}节 任务{k // 50 + 1}", ""]
        texts += [f"推进第{k}项工作，完善体制机制，提高发展质量和效益。", ""]
    lines = [SourceLine(i + 1, t) for i, t in enumerate(texts)]
    from plansite.parser.normalize import normalize

    normalize.cache_clear()  # no help from an earlier run
    start = time.perf_counter()
    parse_document(plan, lines)
    return time.perf_counter() - start


def synthetic_folder(plans: int) -> None:
    """Print the CPU seconds :func:`plansite.buildfolder.update_folder` takes on a synthetic site
    of ``plans`` plans (100 files in 36 folders each, hard links as the cache gives them): a fresh
    folder, then the same folder updated in place after one plan's files all changed (what a
    one-edit build pays per file of the site, outside MkDocs, the plan and Pagefind), and the
    state saved and loaded."""
    from plansite.buildfolder import Wanted, load_state, save_state, update_folder

    def wanted_of(src: Path, edited: int) -> dict:
        out = {}
        for p in range(plans):
            for f in range(100):
                rel = f"plans/plan-{p:05d}/chapter-{f % 36}/{f}.html"
                out[rel] = Wanted(f"{p:05d}{f:03d}{'e' if p == edited else ''}".ljust(64, "0"), 10,
                                  link=str(src / ("e" if p == edited else "s") / f"{f}.html"))
        return out

    tmp = Path(tempfile.mkdtemp(prefix="plansite-bench-folder-"))
    try:
        for kind in ("s", "e"):
            (tmp / kind).mkdir()
            for f in range(100):
                (tmp / kind / f"{f}.html").write_bytes(f"{kind}{f:09d}".encode()[:10])
        folder = tmp / "site"
        folder.mkdir()
        first, again = wanted_of(tmp, -1), wanted_of(tmp, plans // 2)
        start = time.process_time()
        state = update_folder(folder, None, first, 0o022)
        fresh = time.process_time() - start
        start = time.process_time()
        save_state(state, tmp / "site.state")
        state = load_state(tmp / "site.state")
        saved = time.process_time() - start
        start = time.process_time()
        update_folder(folder, state, again, 0o022)
        update = time.process_time() - start
        print(f"{plans} plans, {len(first)} files, {len(state.dirs)} folders: fresh folder {fresh:.2f} s CPU, "
              f"state saved and loaded {saved:.2f} s CPU, one plan's 100 files changed in place {update:.2f} s CPU")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", default="5,100", help="comma-separated collection sizes (default 5,100)")
    parser.add_argument("--serve-edits", type=int, default=3, help="edits timed under mkdocs serve (0: skip)")
    parser.add_argument("--skip-mkdocs", action="store_true", help="do not time plain MkDocs")
    parser.add_argument("--skip-hugo", action="store_true", help="do not time Hugo")
    parser.add_argument("--skip-pagefind", action="store_true", help="do not time a standalone Pagefind run")
    parser.add_argument("--builds-only", action="store_true", help="only clean, no-change and one-edit builds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary collections")
    parser.add_argument("--paragraphs", type=int, default=0, help="time only the parser on N synthetic paragraphs")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="run the builds with PYTHONDONTWRITEBYTECODE=1 (modules compiled from source each time)")
    parser.add_argument("--folder-plans", type=int, default=0,
                        help="time only the build folder's update in place on a synthetic site of N plans")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # this checkout's plansite, not another installed one
    if args.folder_plans:
        synthetic_folder(args.folder_plans)
        return 0
    if args.paragraphs:
        for n in (args.paragraphs // 4, args.paragraphs):
            print(f"parse {n} paragraphs  {synthetic_parse(n) * 1000:.0f} ms")
        return 0
    if args.no_bytecode:
        ENV["PYTHONDONTWRITEBYTECODE"] = "1"
    else:  # written before the first timed build, as `pip install` does for an installed package
        subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "plansite")], env=ENV, check=True)
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; figures: wall time, "
          "CPU time (user + system) and peak RSS of the whole process tree; modules "
          + ("compiled from source in every process (--no-bytecode)" if args.no_bytecode
             else "read from .pyc files (Python's default; PYTHONDONTWRITEBYTECODE unset)"))
    for n in [int(x) for x in args.plans.split(",")]:
        r = bench(n, args)
        clean, nosearch = r["clean"], r["no search"]
        if nosearch is None:
            continue
        if r["mkdocs"]:
            print(f"ratio clean / plain MkDocs      {clean.seconds / r['mkdocs'].seconds:5.2f}")
        if r["hugo"]:
            print(f"ratio clean / Hugo              {clean.seconds / r['hugo'].seconds:5.2f}")
            print(f"ratio no search / Hugo          {nosearch.seconds / r['hugo'].seconds:5.2f}")
        if r["pagefind"]:
            print(f"search share: clean − no search = {clean.seconds - nosearch.seconds:.2f} s; "
                  f"standalone Pagefind {r['pagefind'].seconds:.2f} s")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
