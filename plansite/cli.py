"""The ``build.py`` commands. Each returns an exit code: 0 ok, 1 input errors, 2 usage errors."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .errors import PlansiteError

ROOT = Path(__file__).resolve().parent.parent


def build_site(root: Path, site_dir: Path, config_file: str = "mkdocs.yml", quiet: bool = False) -> dict:
    """Build the site into ``site_dir`` atomically and return a summary dict.

    MkDocs builds into a fresh temporary folder beside ``site_dir``; only when the build succeeded
    is it swapped in. On failure the previous ``site_dir`` is untouched and :class:`PlansiteError`
    is raised with the problems (``path:line: message``).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    try:
        logging.getLogger("mkdocs").setLevel(logging.WARNING if quiet else logging.INFO)
        config = load_config(str(root / config_file), site_dir=str(tmp))
        try:
            build(config)
        except MkDocsException as exc:
            raise PlansiteError.at(config_file, 0, str(exc)) if ":" not in str(exc) else _as_error(exc) from None
        old = site_dir.with_name(f".{site_dir.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if site_dir.exists():
            site_dir.rename(old)
        tmp.rename(site_dir)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    files = [p for p in site_dir.rglob("*") if p.is_file()]
    return {
        "site": str(site_dir), "files": len(files),
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "seconds": round(time.monotonic() - started, 2),
    }


def _as_error(exc: Exception) -> PlansiteError:
    from .errors import Problem

    problems = []
    for line in str(exc).splitlines():
        path, _, rest = line.partition(":")
        number, _, message = rest.partition(":")
        problems.append(Problem(path, int(number) if number.strip().isdigit() else 0, message.strip() or line))
    return PlansiteError(problems)


def cmd_build(args) -> int:
    summary = build_site(ROOT, Path(args.site), quiet=args.quiet)
    print(f"built {summary['pages']} pages, {summary['files']} files in {summary['seconds']} s → {summary['site']}")
    return 0


def cmd_check(args) -> int:
    from .project import load_project

    project = load_project(ROOT)
    for data in project.plans:
        for warning in data.doc.warnings:
            print(f"warning: {warning}")
    print(f"ok: {len(project.plans)} plans")
    return 0


def main(argv: list[str]) -> int:
    """Entry point of ``build.py``; see the module docstring of ``build.py``."""
    parser = argparse.ArgumentParser(prog="build.py", description="Build and check the Plansite site.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build the site atomically")
    p.add_argument("--site", default=str(ROOT / "site"), help="output folder (default: site/)")
    p.add_argument("--quiet", action="store_true", help="print only the summary and problems")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="validate all inputs without writing the site")
    p.set_defaults(func=cmd_check)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PlansiteError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
