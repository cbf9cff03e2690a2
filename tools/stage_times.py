#!/usr/bin/env python3
"""CPU time of each per-plan stage of a build, plan by plan: parse, render and store.

    .venv/bin/python tools/stage_times.py [ROOT] [--reps N] [--profile parse|render [--sort KEY]] [--split]

For every plan of the project at ROOT (default: this checkout), after the shared validation
(``plansite.check.validate_inputs``): ``parse`` (corrections applied and
``plansite.parser.parse_document``), ``placed`` (``check_placed``), ``render``
(``plansite.site.plan_outputs``: pages, API, downloads, indicator pages, the card) and ``store``
(``plansite.cache.BuildCache.store`` of the outputs into a temporary cache folder: writing ~32
files in ~100 folders per plan, mostly system time), each the best of ``--reps`` runs in CPU
seconds (user + system) of this process. The parser's line caches are emptied before each run,
so a plan is timed as if its text were new (the benchmark's collections repeat the five seeds,
whose lines the caches would otherwise remember); templates are compiled once before timing, as
in a build worker. ``--profile STAGE`` prints cProfile's top functions of that stage (sorted by
``--sort``, default ``cumulative``); ``--split`` prints where the render stage's CPU went, all
plans together: each page template and each other output (API, downloads, texts, the card).
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's plansite, not another installed copy

from plansite import pages, site  # noqa: E402
from plansite.cache import BuildCache, PlanEntry  # noqa: E402
from plansite.check import validate_inputs  # noqa: E402
from plansite.parser import parse_document  # noqa: E402
from plansite.parser.document import check_placed, forget_lines  # noqa: E402
from plansite.project import PlanData  # noqa: E402
from plansite.site import compared_groups, plan_outputs  # noqa: E402
from plansite.sources import apply_corrections  # noqa: E402


def split_render() -> collections.Counter:
    """Wrap :meth:`plansite.pages.Renderer.render` and the other outputs of ``plan_outputs`` so
    that their CPU seconds add up, by template name or function name, in the returned counter."""
    spent: collections.Counter = collections.Counter()

    def timed(name, fn):
        def run(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name or args[1]] += time.process_time() - t0
        return run

    pages.Renderer.render = timed(None, pages.Renderer.render)  # keyed by the template name
    for name in ("plan_api", "plan_text", "plan_markdown", "make_card", "find_mentions", "table_csv", "indented"):
        setattr(site, name, timed(name + "()", getattr(site, name)))
    return spent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default=str(ROOT))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", choices=["parse", "render"])
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key of --profile (cumulative, tottime …)")
    ap.add_argument("--split", action="store_true", help="CPU of the render stage by template and output")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    inputs = validate_inputs(root)
    chosen = inputs.chosen(None)
    compared = compared_groups([(i.plan, i.tables) for i in chosen], inputs.registry)
    templates = root / "templates"
    profile = cProfile.Profile() if args.profile else None
    scratch = tempfile.TemporaryDirectory(prefix="stage-times-")
    cache = BuildCache(Path(scratch.name))

    def run(item):
        forget_lines()
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
        files, card = plan_outputs(data, templates, inputs.registry, None, compared)
        if args.profile == "render":
            profile.disable()
        t3 = time.process_time()
        cache.store(PlanEntry(item.plan.slug, "0" * 40, card), files)  # into an empty cache, as a clean build
        t4 = time.process_time()
        shutil.rmtree(cache.entry_dir(item.plan.slug, "0" * 40))
        return [t1 - t0, t2 - t1, t3 - t2, t4 - t3], len(files)

    run(chosen[0])  # compile the templates once, as a build worker does
    spent = split_render() if args.split else None
    total = [0.0] * 4
    print(f"{'plan':32} {'lines':>6} {'parse':>7} {'placed':>7} {'render':>7} {'store':>7} {'files':>6}")
    for item in chosen:
        best = [float("inf")] * 4
        for _ in range(args.reps):
            times, count = run(item)
            best = [min(a, b) for a, b in zip(best, times)]
        total = [a + b for a, b in zip(total, best)]
        print(f"{item.plan.slug:32} {len(item.seed):6} " + " ".join(f"{t:7.3f}" for t in best) + f" {count:6}")
    print(f"{'total (CPU s, best of ' + str(args.reps) + ')':32} {'':6} " + " ".join(f"{t:7.3f}" for t in total))
    scratch.cleanup()
    if spent is not None:
        print(f"\nrender, all {args.reps} runs of the {len(chosen)} plans (CPU s; indented() and "
              f"table_csv() are also inside the pages' figures where those call them):")
        for name, seconds in spent.most_common():
            print(f"  {name:28} {seconds:7.3f}")
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
