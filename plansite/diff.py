"""``build.py diff``: what changed between two built sites, for reviewers.

* Files are compared by their ``manifest.json`` (sha256 per file): added, removed and changed
  pages (``.html``) and other files are listed; the search index (``pagefind/``) is only counted,
  its fragment files mean nothing to a reader.
* For each changed page, a unified diff of the text of its ``<main>`` element, one line per block
  element (the renderer writes one block per line), navigation (``<nav>``) left out — so a
  reviewer sees the changed sentences, not the chrome.
* For each plan whose ``api/plans/<slug>.json`` changed, the indicator tables
  (``"indicator_tables"``: tables with ``id`` and ``rows``; rows with ``name``, ``subname``,
  ``unit`` and value fields ``baseline``/``target``/``growth``/…) are compared semantically, e.g.
  ``cangshan-14th 地区生产总值（GDP） target 2025: 1500 → 1600 亿元``. Without that key the
  semantic part is skipped.

Both sites are untrusted: every path named by a ``manifest.json`` must stay inside its site
folder (no absolute path, no ``..``, no symlink leading out); otherwise the manifest entry is
refused as ``manifest.json:LINE: …`` and nothing is read (exit 2).

``--against REV`` builds git revision ``REV`` in a temporary ``git worktree`` (with that
revision's own code) and compares it with a fresh build of the working tree (or ``--site DIR``).

Exit codes: 0 identical, 1 different, 2 error.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import PlansiteError, Problem
from .manifest import MANIFEST, read_manifest

SEARCH_DIR = "pagefind/"
#: Files of the search index that differ between two builds of the same pages: Pagefind 1.5
#: writes its filter maps in Rust HashMap order (randomly seeded per run), so the filter file and
#: the meta/entry files naming it by hash change; its fragments and word index do not.
_UNORDERED = ("filter/", "pagefind.", "pagefind-entry.json")
# the first search shard is pagefind/ itself, the others pagefind/shard-<n>/ (plansite.search)
UNORDERED_SEARCH_FILES = tuple(f"pagefind/{p}" for p in _UNORDERED) + tuple(
    f"pagefind/shard-{n}/{p}" for n in range(1, 1024) for p in _UNORDERED)
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "br",
}
CELL_TAGS = {"td", "th"}
SKIP_TAGS = {"nav", "script", "style", "template"}


@dataclass
class SiteDiff:
    """Files of two sites compared by manifest: site-relative posix paths, sorted."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """True when no file was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


def compare_manifests(old: dict[str, dict], new: dict[str, dict], ignore: tuple[str, ...] = ()) -> SiteDiff:
    """Compare two manifest ``files`` mappings (``{path: {"sha256", "size"}}``); paths starting
    with a prefix in ``ignore`` (e.g. :data:`UNORDERED_SEARCH_FILES`) are left out."""
    old = {p: v for p, v in old.items() if not p.startswith(ignore)}
    new = {p: v for p, v in new.items() if not p.startswith(ignore)}
    return SiteDiff(
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        changed=sorted(p for p in set(old) & set(new) if old[p]["sha256"] != new[p]["sha256"]),
    )


def compare_sites(old_site: Path, new_site: Path) -> SiteDiff:
    """Compare the built sites in two folders by their manifests (computed when missing).

    Raises :class:`PlansiteError` when a folder does not exist or a manifest names a path
    outside its site (see :func:`plansite.manifest.read_manifest`)."""
    for site in (old_site, new_site):
        if not Path(site).is_dir():
            raise PlansiteError.at(str(site), 0, "no such site folder")
    manifests, problems = [], []
    for site in (old_site, new_site):
        try:
            manifests.append(read_manifest(Path(site)))
        except PlansiteError as exc:
            problems += exc.problems
    if problems:
        raise PlansiteError(problems)
    return compare_manifests(*manifests)


class _MainText(HTMLParser):
    """Collects the text of ``<main>``: one line per block element, cells joined by `` | ``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.in_main = 0
        self.skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
        if not self.in_main:
            return
        if tag in SKIP_TAGS:
            self.skip += 1
        elif self.skip:
            return
        elif tag in BLOCK_TAGS:
            self._flush()
        elif tag in CELL_TAGS and "".join(self.current).strip():
            self.current.append(" | ")

    def handle_endtag(self, tag):
        if not self.in_main:
            return
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1
        elif not self.skip and (tag in BLOCK_TAGS or tag == "main"):
            self._flush()
        if tag == "main":
            self.in_main -= 1

    def handle_data(self, data):
        if self.in_main and not self.skip:
            self.current.append(data)


def main_text(html: str) -> list[str]:
    """The text lines of the ``<main>`` element of ``html`` (whitespace collapsed, empty lines
    dropped, ``<nav>``/``<script>``/``<style>`` left out); the whole body when there is no ``<main>``."""
    parser = _MainText()
    if "<main" not in html:
        html = f"<main>{html}</main>"
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines


def page_diff(old_html: str, new_html: str, path: str) -> list[str]:
    """Unified diff (lines without terminators) of the main text of one page in two sites."""
    return list(difflib.unified_diff(main_text(old_html), main_text(new_html),
                                     f"old/{path}", f"new/{path}", n=1, lineterm=""))


# --- indicators ------------------------------------------------------------------------------

_VALUE_FIELDS = ("base", "baseline", "target", "past_growth", "growth")
_OUTCOME_FIELDS = ("planned", "achieved")


def _number(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _show(v: dict | None) -> str:
    """A value or growth mapping as printed-like text: ``1500``, ``[12]``, ``力争8左右``, ``完成省下达指标``."""
    if not v:
        return "—"
    text = _number(v["value"]) if v.get("value") is not None else (v.get("text") or "—")
    if v.get("qualifier"):
        try:
            from .indicators import QUALIFIERS
            text += QUALIFIERS.get(v["qualifier"], f" ({v['qualifier']})")
        except ImportError:
            text += f" ({v['qualifier']})"
    if v.get("cumulative"):
        text = f"[{text}]"
    if v.get("strive"):
        text = "力争" + text
    return text


def _label(name: str, v_old: dict | None, v_new: dict | None) -> str:
    v = v_new or v_old or {}
    if "kind" in v and name.endswith("growth"):
        return f"{name} ({v['kind']})"
    return f"{name} {v['year']}" if v.get("year") is not None else name


def _row_values(row: dict) -> dict[str, dict | None]:
    values = {k: row.get(k) for k in _VALUE_FIELDS if k in row}
    for k in _OUTCOME_FIELDS:
        outcome = row.get(k) or {}
        values[f"{k} value"] = outcome.get("value")
        values[f"{k} growth"] = outcome.get("growth")
    return values


def _keyed_rows(table: dict) -> dict[tuple, dict]:
    rows, seen = {}, {}
    for row in table.get("rows") or []:
        base = (row.get("name") or row.get("quote") or "?", row.get("subname") or "")
        seen[base] = seen.get(base, 0) + 1
        rows[base + (seen[base],)] = row
    return rows


def _row_name(key: tuple) -> str:
    name, subname, n = key
    return " ".join(filter(None, [name, subname])) + (f" #{n}" if n > 1 else "")


def indicator_changes(slug: str, old: dict, new: dict) -> list[str]:
    """Semantic lines for the indicator changes between two ``api/plans/<slug>.json`` documents.

    One line per changed value (``<slug> <name> target 2025: 1500 → 1600 亿元``), per changed
    unit or attribute, and per added or removed row or table. Empty when neither document has
    ``indicator_tables``."""
    if "indicator_tables" not in old and "indicator_tables" not in new:
        return []
    out = []
    old_tables = {t.get("id"): t for t in old.get("indicator_tables") or []}
    new_tables = {t.get("id"): t for t in new.get("indicator_tables") or []}
    for tid in old_tables.keys() - new_tables.keys():
        out.append(f"{slug} table {tid}: removed")
    for tid in new_tables.keys() - old_tables.keys():
        out.append(f"{slug} table {tid}: added")
    for tid in [t for t in new_tables if t in old_tables]:
        old_rows, new_rows = _keyed_rows(old_tables[tid]), _keyed_rows(new_tables[tid])
        for key in old_rows.keys() - new_rows.keys():
            out.append(f"{slug} {_row_name(key)} (table {tid}): row removed")
        for key in new_rows:
            if key not in old_rows:
                out.append(f"{slug} {_row_name(key)} (table {tid}): row added")
                continue
            a, b = old_rows[key], new_rows[key]
            name = f"{slug} {_row_name(key)}"
            for attr in ("unit", "attribute"):
                if a.get(attr) != b.get(attr):
                    out.append(f"{name} {attr}: {a.get(attr) or '—'} → {b.get(attr) or '—'}")
            va, vb = _row_values(a), _row_values(b)
            for k in list(dict.fromkeys([*va, *vb])):
                x, y = va.get(k), vb.get(k)
                if _show(x) == _show(y) and (x or {}).get("year") == (y or {}).get("year"):
                    continue
                unit = "%" if "growth" in k else ((y or x or {}).get("unit") or b.get("unit") or "")
                line = f"{name} {_label(k, x, y)}: {_show(x)} → {_show(y)}"
                out.append(f"{line} {unit}".rstrip())
    return out


# --- the report ------------------------------------------------------------------------------


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _read_page(site: Path, path: str) -> str:
    """The text of ``site/path`` (a manifest path already checked to stay inside ``site``)."""
    try:
        return (site / path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise PlansiteError.at(str(site / path), 0, f"listed in {MANIFEST} but cannot be read: "
                                                    f"{exc.strerror or exc}") from None


def diff_report(old_site: Path, new_site: Path) -> tuple[bool, list[str]]:
    """Compare two built sites; return ``(different, report lines)``.

    The report lists added/removed/changed pages, other files, the search index as a count,
    indicator changes (semantic lines) and a main-text diff of each changed page."""
    old_site, new_site = Path(old_site), Path(new_site)
    d = compare_sites(old_site, new_site)
    content = [p for p in d.added + d.removed + d.changed if not p.startswith(SEARCH_DIR)]
    if not content:
        # The index is a function of the pages; Pagefind (1.5) writes its filter maps in random
        # (Rust HashMap) order, so two builds of the same pages differ in pagefind/filter/* and
        # in the files naming it. Identical pages mean an identical site for a reader.
        note = f" (the search index files differ: {len(d.added + d.removed + d.changed)})" if not d.same else ""
        return False, [f"no differences{note}"]
    lines: list[str] = []

    def section(title: str, paths: list[str], mark: str) -> None:
        if paths:
            lines.append(f"{title} ({len(paths)}):")
            lines.extend(f"  {mark} {p}" for p in paths)

    def pages(paths):
        return [p for p in paths if p.endswith(".html") and not p.startswith(SEARCH_DIR)]

    def others(paths):
        return [p for p in paths if not p.endswith(".html") and not p.startswith(SEARCH_DIR)]

    section("added pages", pages(d.added), "+")
    section("removed pages", pages(d.removed), "-")
    section("changed pages", pages(d.changed), "~")
    section("added files", others(d.added), "+")
    section("removed files", others(d.removed), "-")
    section("changed files", others(d.changed), "~")
    search = [p for p in d.added + d.removed + d.changed if p.startswith(SEARCH_DIR)]
    if search:
        lines.append(f"search index ({SEARCH_DIR}): {len(search)} files added, removed or changed")
    semantic = []
    for path in d.changed + d.added + d.removed:
        if path.startswith("api/plans/") and path.endswith(".json"):
            slug = path[len("api/plans/"):-len(".json")]
            semantic += indicator_changes(slug, _read_json(old_site / path), _read_json(new_site / path))
    if semantic:
        lines.append(f"indicator changes ({len(semantic)}):")
        lines.extend(f"  {s}" for s in semantic)
    for path in pages(d.changed):
        text = page_diff(_read_page(old_site, path), _read_page(new_site, path), path)
        lines.extend(text or [f"--- {path}: markup changed, main text unchanged"])
    return True, lines


def git_toplevel(root: Path) -> Path:
    """The top folder of the git work tree holding ``root``; :class:`PlansiteError` if none."""
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                            capture_output=True, text=True)
    if result.returncode:
        raise PlansiteError.at(str(root), 0, f"not a git work tree: {result.stderr.strip()}")
    return Path(result.stdout.strip())


def build_revision(root: Path, rev: str, site_dir: Path) -> None:
    """Build git revision ``rev`` of the repository at ``root`` into ``site_dir``.

    The revision is checked out in a temporary ``git worktree`` (removed afterwards) and built
    by its own ``build.py`` with its own ``plansite`` package first on ``PYTHONPATH``. Raises
    :class:`PlansiteError` when the revision is unknown or its build fails (its problems are
    passed on, prefixed with the revision)."""
    top = git_toplevel(root)
    resolved = subprocess.run(["git", "-C", str(top), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              capture_output=True, text=True)
    if resolved.returncode:
        raise PlansiteError.at(str(rev), 0, "unknown git revision")
    commit = resolved.stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="plansite-rev-"))
    tree = tmp / "tree"
    try:
        added = subprocess.run(["git", "-C", str(top), "worktree", "add", "--detach", "--quiet", str(tree), commit],
                               capture_output=True, text=True)
        if added.returncode:
            raise PlansiteError.at(str(rev), 0, f"git worktree add failed: {added.stderr.strip()}")
        project = tree / Path(root).resolve().relative_to(top)
        if not (project / "build.py").exists():
            raise PlansiteError.at(f"{rev}:build.py", 0, "the revision has no build.py")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")])))
        built = subprocess.run([sys.executable, "build.py", "build", "--quiet", "--site", str(site_dir)],
                               cwd=project, env=env, capture_output=True, text=True)
        if built.returncode:
            lines = [line for line in built.stderr.splitlines() if line.strip()][-20:]
            raise PlansiteError([Problem(f"{rev}", 0, f"the build of the revision failed: {line}") for line in lines]
                                or Problem(str(rev), 0, "the build of the revision failed"))
    finally:
        subprocess.run(["git", "-C", str(top), "worktree", "remove", "--force", str(tree)], capture_output=True)
        subprocess.run(["git", "-C", str(top), "worktree", "prune"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def diff_command(old: str | None, new: str | None, against: str | None = None, root: Path | None = None,
                 site: Path | None = None, out=None) -> int:
    """``build.py diff``: print the report of :func:`diff_report` to ``out`` (default stdout).

    Either ``old`` and ``new`` site folders, or ``against`` a git revision (built in a
    temporary worktree) compared with ``site`` or, by default, a fresh build of ``root``.
    Returns 0 when identical, 1 when different, 2 on error (problems printed on stderr)."""
    out = out or sys.stdout
    tmp = None
    try:
        if against:
            if old or new:
                raise PlansiteError.at("build.py", 0, "diff: give either OLD_SITE NEW_SITE or --against REV")
            from .mkdocs_run import build_site

            tmp = Path(tempfile.mkdtemp(prefix="plansite-diff-"))
            old = str(tmp / "old")
            build_revision(Path(root), against, Path(old))
            if site is None:
                new = str(tmp / "new")
                build_site(Path(root), Path(new), quiet=True)
            else:
                new = str(site)
        elif not (old and new):
            raise PlansiteError.at("build.py", 0, "diff: give OLD_SITE and NEW_SITE, or --against REV")
        different, lines = diff_report(Path(old), Path(new))
    except PlansiteError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    for line in lines:
        print(line, file=out)
    return 1 if different else 0
