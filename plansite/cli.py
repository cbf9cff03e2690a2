"""The ``build.py`` commands. Each returns an exit code: 0 ok, 1 input errors (or, for ``diff``,
differences found), 2 usage or internal errors.

Problems are printed one per line as ``path:line: message`` on stderr; progress lines go to
stderr too, summaries to stdout. No command prints a traceback for bad input; an unexpected
internal error prints one line (set ``PLANSITE_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .errors import PlansiteError, Problem

ROOT = Path(__file__).resolve().parent.parent


class _LogCollector(logging.Handler):
    """Collects MkDocs' log records during a build; echoes INFO/WARNING lines to ``stream``
    (progress) unless ``quiet``; ERROR records are kept for the error report instead."""

    def __init__(self, stream, quiet: bool):
        super().__init__(logging.DEBUG)
        self.stream, self.quiet = stream, quiet
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
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
               stream=None) -> dict:
    """Build the project at ``root`` into ``site_dir`` atomically and return a summary dict.

    MkDocs builds (with ``root/config_file``; the plansite plugin reads the project beside that
    file) into a fresh temporary folder beside ``site_dir``; only when the build succeeded is it
    swapped in. On failure the previous ``site_dir`` is untouched, no temporary folder is left,
    and :class:`PlansiteError` is raised with the problems (``path:line: message``).

    Progress lines (one per plan parsed and rendered, MkDocs' own messages) go to ``stream``
    (default stderr) unless ``quiet``. The summary has ``site`` (path), ``plans``, ``pages``
    (HTML files), ``files``, ``warnings`` (list of ``str``) and ``seconds``.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = Path(root).resolve()
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    logger = logging.getLogger("mkdocs")
    collector = _LogCollector(stream or sys.stderr, quiet)
    saved = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    plugin = None
    try:
        try:
            # ``watch`` only matters to `mkdocs serve`; a copied project may lack the folders it names
            config = load_config(str(root / config_file), site_dir=str(tmp), watch=[])
            plugin = config.plugins.get("plansite")
            build(config)
        except PlansiteError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - MkDocs, template errors…: lines, no traceback
            raise _as_error(exc, plugin, collector, config_file, root) from None
        old = site_dir.with_name(f".{site_dir.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if site_dir.exists():
            site_dir.rename(old)
        tmp.rename(site_dir)
        if old.exists():
            shutil.rmtree(old)
    finally:
        logger.removeHandler(collector)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    files = [p for p in site_dir.rglob("*") if p.is_file()]
    project = getattr(plugin, "project", None)
    return {
        "site": str(site_dir),
        "plans": len(project.plans) if project is not None else 0,
        "files": len(files),
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "warnings": collector.warnings,
        "seconds": round(time.monotonic() - started, 2),
    }


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


def format_summary(summary: dict) -> str:
    """The one-screen summary printed after a build: counts, warnings (at most 10 listed), time."""
    lines = [
        f"built {summary['site']}",
        f"  plans     {summary['plans']}",
        f"  pages     {summary['pages']}",
        f"  files     {summary['files']}",
        f"  warnings  {len(summary['warnings'])}",
        f"  time      {summary['seconds']} s",
    ]
    for warning in summary["warnings"][:10]:
        lines.append(f"  warning: {warning}")
    if len(summary["warnings"]) > 10:
        lines.append(f"  … and {len(summary['warnings']) - 10} more warnings")
    return "\n".join(lines)


def cmd_build(args) -> int:
    summary = build_site(Path(args.root), Path(args.site), quiet=args.quiet)
    print(format_summary(summary))
    return 0


def cmd_check(args) -> int:
    from .check import run_checks

    report = run_checks(Path(args.root))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problem(s), {len(report.warnings)} warning(s)")
        return 1
    print(f"ok: {len(report.plans)} plans, {len(report.warnings)} warning(s)")
    return 0


def cmd_diff(args) -> int:
    from .diff import diff_command

    return diff_command(args.old, args.new, against=args.against, root=Path(args.root),
                        site=Path(args.site) if args.site else None)


def cmd_add(args) -> int:
    from .add import add_plan

    add_plan(Path(args.root), Path(args.path), slug=args.slug, kind=args.kind)
    return 0


def main(argv: list[str]) -> int:
    """Entry point of ``build.py``; see the module docstring of ``build.py``."""
    parser = argparse.ArgumentParser(prog="build.py", description="Build, check and compare the Plansite site.")
    parser.add_argument("--root", default=str(ROOT), help="project root (default: this repository)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build the site atomically")
    p.add_argument("--site", default=None, help="output folder (default: ROOT/site)")
    p.add_argument("--quiet", action="store_true", help="print only the summary and problems")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="validate all inputs without writing the site")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("diff", help="compare two built sites (exit 0 same, 1 different, 2 error)")
    p.add_argument("old", nargs="?", help="the old site folder")
    p.add_argument("new", nargs="?", help="the new site folder")
    p.add_argument("--against", metavar="REV", help="build git revision REV in a temporary worktree as the old site")
    p.add_argument("--site", default=None,
                   help="with --against: compare with this built site instead of a fresh build of the working tree")
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("add", help="add a plan: copy its source into seeds/ and draft its metadata")
    p.add_argument("path", help="the plan's source text, as published")
    p.add_argument("--slug", help="the plan's slug (default: from the file name)")
    p.add_argument("--kind", choices=["outline", "proposal"], help="outline (规划纲要) or proposal (建议); default: read from the text")
    p.set_defaults(func=cmd_add)
    args = parser.parse_args(argv)
    if getattr(args, "site", None) is None and args.command == "build":
        args.site = str(Path(args.root) / "site")
    try:
        return args.func(args)
    except PlansiteError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line instead of a traceback
        if os.environ.get("PLANSITE_DEBUG"):
            raise
        print(f"plansite: internal error: {type(exc).__name__}: {exc} (PLANSITE_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 2
