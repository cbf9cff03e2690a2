"""Running MkDocs for ``build.py build``: :func:`build_site` builds the project with MkDocs and
publishes it atomically (:mod:`plansite.publish`), collecting MkDocs' log lines as progress,
warnings and one-line problems.

MkDocs writes only its own output (theme files, hand-written pages) into a scratch folder; the
generated files, the search index and the manifest are placed by
:func:`plansite.buildfolder.update_folder` into the spare build folder, which then holds the
build before last: only what changed since is written.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import sys
import time
from pathlib import Path

from . import mkdocs_own, stamp
from .buildfolder import staged_files, update_folder, wanted_bytes
from .errors import PlansiteError, Problem
from .generated import OPTIONS, standalone
from .manifest import MANIFEST
from .publish import publish
from .sitepaths import FS, current_umask

#: where the previous build goes to be deleted in the background (see plansite.publish)
TRASH = Path(".cache") / "trash"

#: the plansite plugin's logger (plansite.generated): its records are the build's own
PLUGIN_LOGGER = "mkdocs.plugins.plansite"

#: Errors of the disk as a whole, whatever file they hit.
DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)

#: MkDocs' logger of its build command, and the beginnings of its progress lines that build.py
#: replaces by its own (they name the scratch folder; a build reusing MkDocs' output has none):
#: one line saying how long the build took and whether MkDocs ran (:func:`built_line`)
MKDOCS_BUILD_LOGGER = "mkdocs.commands.build"
REPLACED = ("Cleaning site directory", "Building documentation to directory: ", "Documentation built in ")


class _LogCollector(logging.Handler):
    """Collects MkDocs' log records during a build; echoes INFO/WARNING lines to ``stream``
    (progress) unless ``quiet``; ERROR records are kept for the error report instead.
    ``foreign`` counts the WARNING and ERROR records not from the plansite plugin's logger."""

    def __init__(self, stream, quiet: bool):
        super().__init__(logging.DEBUG)
        self.stream, self.quiet = stream, quiet
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.foreign = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno == logging.INFO and record.name == MKDOCS_BUILD_LOGGER and message.startswith(REPLACED):
            return  # (build.py says what happened instead: built_line)
        if record.levelno >= logging.WARNING and record.name != PLUGIN_LOGGER:
            self.foreign += 1
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
            return
        if record.levelno >= logging.WARNING:
            self.warnings.append(message)
        elif message.startswith("warning: "):
            self.warnings.append(message[len("warning: "):])
        if not self.quiet and record.levelno >= logging.INFO:
            print(message if record.levelno < logging.WARNING else f"warning: {message}",
                  file=self.stream, flush=True)


def build_site(root: Path, site_dir: Path, config_file: str = "mkdocs.yml", quiet: bool = False,
               stream=None, inputs: stamp.Scan | None = None, own_record: mkdocs_own.Record | None = None) -> dict:
    """Build the project at ``root`` and publish it at ``site_dir``; return a summary dict.

    MkDocs builds (with ``root/config_file``; the plansite plugin reads the project beside that
    file) into a scratch folder, then the spare build folder beside ``site_dir`` (or a fresh one)
    is brought up to date (:func:`plansite.buildfolder.update_folder`), and ``site_dir`` becomes
    a symlink to it only when the build succeeded (see :func:`plansite.publish.publish`: lock, permissions, atomic swap,
    clean-up of interrupted builds). On failure the previous site is untouched, no build folder
    is left, and :class:`PlansiteError` is raised with the problems (``path:line: message``;
    file-system failures as one line naming the folder).

    Progress lines (one per plan parsed and rendered, MkDocs' own messages) go to ``stream``
    (default stderr) unless ``quiet``; a line saying the build waits for another one always
    does. The summary has ``site`` (path), ``plans``, ``pages`` (HTML files), ``files``,
    ``warnings`` (list of ``str``) and ``seconds``.

    Once published, the build is stamped (:func:`plansite.stamp.write_stamp`) with the digest of
    ``inputs`` (a :func:`plansite.stamp.scan_inputs`, made here when not given), unless the inputs
    changed while it ran (scanned again: files whose stat did not change are not read again; that
    scan is kept for the next build's first one, :func:`plansite.stamp.save_scan`);
    the stamp of the previous build is dropped first, so a build that fails leaves none. The
    warnings of the publishing itself (leftovers removed, hand edits repaired…) are not stamped.

    MkDocs does not run when its own output of an earlier build can be reused
    (:mod:`plansite.mkdocs_own`): with ``inputs`` given, ``own_record`` is that
    :class:`~plansite.mkdocs_own.Record` (or ``None``) as :func:`plansite.mkdocs_own.load` gave it
    for them; without ``inputs`` it is ignored and looked up here with the inputs scanned here. A
    build running MkDocs keeps its output for the next one once stamped.
    """
    root = Path(root).resolve()
    stream = stream or sys.stderr
    started = time.monotonic()
    if inputs is None:
        inputs = stamp.scan_inputs(root, site_dir, config_file, previous=stamp.load_scan(root, site_dir))
        own_record = mkdocs_own.load(root, config_file, inputs)
    stamp.forget(root, site_dir)
    logger = logging.getLogger("mkdocs")
    collector = _LogCollector(stream, quiet)
    saved = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    plugin = None
    written = None  # the FolderState of the new build folder
    # MkDocs' own output, when nothing it reads changed
    reused = own_record
    kept = None  # a Record of MkDocs' own output of this build, saved once the build is stamped

    def run_mkdocs(staging: Path) -> None:
        nonlocal plugin, kept
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        # ``watch`` only matters to `mkdocs serve`; a copied project may lack the folders it names
        config = load_config(str(root / config_file), site_dir=str(staging), watch=[])
        plugin = config.plugins.get("plansite")
        if plugin is not None:
            plugin.place_files = True
        build(config)
        kept = _own_record(root, config_file, inputs, config, plugin, collector, staging)

    def run_reused() -> None:
        nonlocal plugin
        plugin = standalone(Path(reused.root), reused.options)
        try:
            plugin.build_generated()
            plugin.take_index()
        except BaseException:
            plugin.abandon()
            raise

    def build_into(staging: Path):
        begun = time.monotonic()
        try:
            if reused is not None:
                run_reused()
            else:
                run_mkdocs(staging)
        except PlansiteError:
            raise
        except OSError as exc:
            raise _file_error(exc, staging, root) from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - MkDocs, template errors…: lines, no traceback
            if isinstance(exc.__cause__, OSError):
                raise _file_error(exc.__cause__, staging, root) from None
            raise _as_error(exc, plugin, collector, config_file, root) from None
        if not quiet:
            say(built_line(time.monotonic() - begun, reused is not None))
        staged = {rel: wanted_bytes(data) for rel, data in reused.files.items()} if reused is not None else None

        def finish(folder: Path, previous):
            nonlocal written
            try:
                wanted = plugin.site_files(staging, staged) if plugin is not None else staged_files(staging)
                written = update_folder(folder, previous, wanted, current_umask(), warn,
                                        label=_label(folder, root),
                                        seen=getattr(getattr(plugin, "cache", None), "seen", None))
                return written
            except OSError as exc:
                raise _file_error(exc, folder, root) from None
            finally:
                if plugin is not None:
                    plugin.release()

        return finish

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    own: set[int] = set()  # indexes of the publishing's own warnings in collector.warnings

    def warn(line: str) -> None:
        own.add(len(collector.warnings))
        collector.warnings.append(line)
        if not quiet:
            say(f"warning: {line}")

    try:
        published = publish(Path(site_dir), build_into, label=_label(Path(site_dir), root), say=say, warn=warn,
                            trash=root / TRASH, reuse=True)
    finally:
        logger.removeHandler(collector)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        _discard_pruned(plugin, root / TRASH)
    files = list(written.files) if written is not None else _published_files(published)
    summary = _summary(Path(site_dir), getattr(plugin, "project", None), files, collector.warnings, started)
    after = stamp.scan_inputs(root, site_dir, config_file, previous=inputs) if inputs.digest is not None else None
    if after is not None:
        stamp.save_scan(root, site_dir, after)  # the next build's first scan reads only what changed
    if after is not None and after.digest == inputs.digest:
        if kept is not None:
            mkdocs_own.save(root, config_file, kept)
        stamped = dict(summary, warnings=[w for i, w in enumerate(collector.warnings) if i not in own])
        try:
            stamp.write_stamp(root, site_dir, published, inputs.digest, stamped, _listed_state(written))
        except OSError:
            stamp.forget(root, site_dir)  # no stamp: the next build is a full one
    return summary


def built_line(seconds: float, reused: bool) -> str:
    """The progress line ending the build of a site's files (before they are placed in the
    build folder), the same whether MkDocs ran (its own lines about the scratch folder,
    :data:`REPLACED`, are not shown) or its own output was reused (:mod:`plansite.mkdocs_own`):
    how long it took (``seconds``) and which of the two happened."""
    how = (f"MkDocs' own output reused from {mkdocs_own.FOLDER.as_posix()} (nothing MkDocs reads changed)"
           if reused else "MkDocs ran (its own output: theme files, hand-written pages)")
    return f"plansite: documentation built in {seconds:.2f} s; {how}"


def _own_record(root: Path, config_file: str, inputs: stamp.Scan, config, plugin, collector: _LogCollector,
                staging: Path) -> mkdocs_own.Record | None:
    """A :class:`plansite.mkdocs_own.Record` of MkDocs' own output of this build (in
    ``staging``, just written by MkDocs with ``config``), or ``None`` when it cannot be reused
    (see :mod:`plansite.mkdocs_own` for the conditions)."""
    if plugin is None or list(config.plugins) != ["plansite"] or config.strict or not plugin.config.cache \
            or collector.foreign:
        return None
    dirs = mkdocs_own.own_dirs(root, [config.docs_dir, *config.theme.dirs])
    if not mkdocs_own.usable(root, plugin.root, dirs):
        return None
    key = mkdocs_own.own_key(root, config_file, inputs, str(plugin.root), dirs)
    files = mkdocs_own.snapshot(staging) if key is not None else None
    if files is None:
        return None
    return mkdocs_own.Record(key, str(plugin.root), {name: plugin.config[name] for name in OPTIONS}, dirs, files)


def _discard_pruned(plugin, trash: Path) -> None:
    """The superseded cache entries this build moved aside (the plugin sets
    :attr:`plansite.cache.BuildCache.defer_prune` under ``build.py build``) go into ``trash`` and
    are deleted there by a detached ``rm`` (:meth:`plansite.sitepaths.FileSystem.discard`), as a
    previous build folder is: deleting one plan's entry took 0.07 s of a one-edit build (about
    100 files in 24 folders). Where they cannot be moved (a cache on another file system) they
    are deleted here."""
    cache = getattr(plugin, "cache", None)
    if cache is None or not cache.defer_prune:
        return
    cache.defer_prune = False
    pruned = sorted((cache.folder / "plans").glob(".pruned-*"))
    if not pruned:
        return
    try:
        trash.mkdir(parents=True, exist_ok=True)
        for folder in pruned[:-1]:
            os.rename(folder, trash / folder.name)
        FS.discard(pruned[-1], trash)
    except OSError:
        cache.drop_pruned()


def _listed_state(written) -> str | None:
    """:func:`plansite.stamp.listed_state` of the build folder just written (``written``, its
    :class:`~plansite.buildfolder.FolderState`: every file was given mode ``0o666 & ~umask``),
    so the stamp needs no walk of the site; ``None`` (the folder is walked) when unknown."""
    if written is None:
        return None
    mode = stat.S_IFREG | (0o666 & ~current_umask())
    try:
        if written.mode == mode and written.listings.keys() == written.dirs.keys():
            return stamp.listed_state({}, written.dirs, written.listings)  # (every folder's listing known)
        return stamp.listed_state({rel: (mode, rec[1], rec[3], rec[2]) for rel, rec in written.files.items()},
                                  written.dirs)
    except KeyError:
        return None


def _summary(site_dir: Path, project, files: list[str], warnings: list[str], started: float) -> dict:
    """The summary dict of :func:`build_site` (the site is published when this runs)."""
    return {
        "site": str(site_dir),
        "plans": len(project.plans) if project is not None else 0,
        "files": len(files),
        "pages": sum(1 for p in files if p.endswith(".html")),
        "warnings": warnings,
        "seconds": round(time.monotonic() - started, 2),
    }


def _published_files(folder: Path) -> list[str]:
    """The site-relative paths of the files of the published build ``folder``: its manifest's
    entries and the manifest itself (the manifest lists every other file), else a walk."""
    try:
        with open(folder / MANIFEST, encoding="utf-8") as f:
            return [*json.load(f)["files"], MANIFEST]
    except (OSError, ValueError, KeyError, TypeError):
        return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]


def _label(path: Path, root: Path) -> str:
    """How problems name ``path``: relative to the project root when inside it, else as given."""
    try:
        return Path(path).absolute().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _file_error(exc: OSError, folder: Path, root: Path) -> Exception:
    """A file-system failure during the MkDocs run. Writing into the build ``folder`` (or a
    full or read-only disk) is left to :func:`plansite.publish.publish`, which names the
    folder; failing to read an input becomes a problem at that file."""
    name = Path(exc.filename) if exc.filename else None
    if name is None or name == folder or folder in name.parents or exc.errno in DISK_ERRORS:
        return exc
    return PlansiteError.at(_label(name, root), 0, f"cannot read: {exc.strerror or exc}")


def _as_error(exc: BaseException, plugin, collector: _LogCollector, config_file: str,
              root: Path | None = None) -> PlansiteError:
    """The :class:`PlansiteError` behind a failed MkDocs build.

    The plansite plugin keeps the original error (``plugin.error``), so its problems come out
    exactly; a Jinja2 template error names its template and line; anything else (an invalid
    ``mkdocs.yml``, another plugin's error) becomes problems at ``config_file`` with MkDocs' own
    error messages."""
    import jinja2

    stashed = getattr(plugin, "error", None)
    if isinstance(stashed, PlansiteError):
        return stashed
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = exc.filename or exc.name or "templates"
        if root is not None and Path(shown).is_absolute() and Path(shown).is_relative_to(root):
            shown = Path(shown).relative_to(root).as_posix()
        return PlansiteError.at(shown, exc.lineno or 0, f"template error: {exc.message}")
    if isinstance(exc, jinja2.TemplateError):
        return PlansiteError.at("templates", 0, f"template error: {type(exc).__name__}: {exc}")
    messages = [m for m in collector.errors if m.strip()]
    text = str(exc).strip()
    if text and not text.startswith("Aborted with") and text not in messages:
        messages.append(text)
    if not messages:
        messages = [f"{type(exc).__name__}: {text or 'the build failed'}"]
    problems = []
    for message in messages:
        for line in message.splitlines():
            if line.strip():
                problems.append(Problem(config_file, 0, " ".join(line.split())))
    return PlansiteError(problems)


