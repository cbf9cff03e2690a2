#!/usr/bin/env python3
"""CPU time of each per-plan stage of a build, plan by plan: parse and render.

    .venv/bin/python tools/stage_times.py [ROOT] [--reps N] [--profile parse|render]

For every plan of the project at ROOT (default: this checkout), after the shared validation
(``plansite.check.validate_inputs``): ``parse`` (corrections applied and
``plansite.parser.parse_document``), ``placed`` (``check_placed``) and ``render``
(``plansite.site.plan_outputs``: pages, API, downloads, indicator pages), each the best of
``--reps`` runs in CPU seconds of this process. The parser's line caches are emptied before
each run, so a plan is timed as if its text were new (the benchmark's collections repeat the
five seeds, whose lines the caches would otherwise remember); templates are compiled once
before timing, as in a build worker. ``--profile STAGE`` prints cProfile's top functions of
that stage. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's plansite, not another installed copy

from plansite.check import validate_inputs  # noqa: E402
from plansite.parser import lines as parser_lines, normalize, parse_document  # noqa: E402
from plansite.parser.document import check_placed  # noqa: E402
from plansite.project import PlanData  # noqa: E402
from plansite.site import compared_groups, plan_outputs  # noqa: E402
from plansite.sources import apply_corrections  # noqa: E402


def clear_line_caches() -> None:
    """Empty the parser's per-line caches (normalised views, printed widths)."""
    normalize.normalize.cache_clear()
    parser_lines.printed_width.cache_clear()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default=str(ROOT))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", choices=["parse", "render"])
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key of --profile (cumulative, tottime …)")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    inputs = validate_inputs(root)
    chosen = inputs.chosen(None)
    compared = compared_groups([(i.plan, i.tables) for i in chosen], inputs.registry)
    templates = root / "templates"
    profile = cProfile.Profile() if args.profile else None

    def run(item):
        clear_line_caches()
        t0 = time.process_time()
        if args.profile == "parse":
            profile.enable()
        lines = apply_corrections(item.seed, item.corrections)
        doc = parse_document(item.plan, lines)
        if args.profile == "parse":
            profile.disable()
        t1 = time.process_time()
        check_placed(item.plan.source, doc, lines)
        t2 = time.process_time()
        data = PlanData(item.plan, item.seed, lines, item.corrections, doc, item.tables)
        if args.profile == "render":
            profile.enable()
        files, _ = plan_outputs(data, templates, inputs.registry, None, compared)
        if args.profile == "render":
            profile.disable()
        return [t1 - t0, t2 - t1, time.process_time() - t2], len(files)

    run(chosen[0])  # compile the templates once, as a build worker does
    total = [0.0, 0.0, 0.0]
    print(f"{'plan':32} {'lines':>6} {'parse':>7} {'placed':>7} {'render':>7} {'files':>6}")
    for item in chosen:
        best = [float("inf")] * 3
        for _ in range(args.reps):
            times, count = run(item)
            best = [min(a, b) for a, b in zip(best, times)]
        total = [a + b for a, b in zip(total, best)]
        print(f"{item.plan.slug:32} {len(item.seed):6} {best[0]:7.3f} {best[1]:7.3f} {best[2]:7.3f} {count:6}")
    print(f"{'total (CPU s, best of ' + str(args.reps) + ')':32} {'':6} {total[0]:7.3f} {total[1]:7.3f} {total[2]:7.3f}")
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
