"""The ``build.py`` commands. Each returns an exit code: 0 ok, 1 input errors (or, for ``diff``,
differences found), 2 usage or internal errors.

Problems are printed one per line as ``path:line: message`` on stderr; progress lines go to
stderr too, summaries to stdout. No command prints a traceback for bad input; an unexpected
internal error prints one line (set ``PLANSITE_DEBUG=1`` to see the traceback).

Each command imports what it needs when it runs: ``build.py build`` with nothing changed since
the published build (:mod:`plansite.stamp`) imports neither MkDocs nor pydantic nor the parser.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PlansiteError

if TYPE_CHECKING:  # at run time see __getattr__: MkDocs is imported only when a build runs
    from .mkdocs_run import build_site

__all__ = ["build_site", "format_summary", "main"]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "mkdocs.yml"


def __getattr__(name: str):
    """``plansite.cli.build_site`` is :func:`plansite.mkdocs_run.build_site`, imported on first use."""
    if name == "build_site":
        from .mkdocs_run import build_site

        return build_site
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from .gcpolicy import rare_collections

    with rare_collections():  # the collector's scans of the live inputs grow with the number of plans
        return _build(args)


def _build(args) -> int:
    started = time.monotonic()
    from . import stamp

    # (scanned with --force too: the build needs the scan, and MkDocs' own output is looked up by it)
    inputs = stamp.scan_inputs(Path(args.root), Path(args.site), CONFIG,
                               previous=stamp.load_scan(Path(args.root), Path(args.site)))
    if not args.force:
        stored = stamp.current_summary(Path(args.root), Path(args.site), inputs.digest)
        if stored is not None:
            if not args.quiet:
                print(f"plansite: nothing changed since the published build {os.readlink(args.site)}; "
                      "nothing written (--force builds anyway)", file=sys.stderr)
                for warning in stored["warnings"]:
                    print(f"warning: {warning}", file=sys.stderr)
            print(format_summary({**stored, "site": str(Path(args.site)),
                                  "seconds": round(time.monotonic() - started, 2)}))
            return 0
    from . import mkdocs_own

    root = Path(args.root).resolve()
    own = mkdocs_own.load(root, CONFIG, inputs)  # MkDocs' own output, reusable
    if own is None or own.options["search"]:  # (with no search index Pagefind is not wanted)
        from .pfservice import prestart

        prestart()  # Pagefind's service loads its dictionary while the pipeline (and MkDocs) are imported (overlay runs)
    from .mkdocs_run import build_site

    summary = build_site(Path(args.root), Path(args.site), CONFIG, quiet=args.quiet, inputs=inputs,
                         own_record=own)
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
    p.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the published build")
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
