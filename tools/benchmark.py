#!/usr/bin/env python3
"""Build benchmark: prints how long each stage takes and the peak memory, for all plans.

    .venv/bin/python tools/benchmark.py [--repeat N] [--paragraphs N]

``--paragraphs N`` times only the parser on a synthetic plan of N one-line paragraphs (and of N/4,
to show that parse time grows linearly with the input).

Figures only; no assertion (speed targets are checked by reading these figures, not by tests).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plansite.cli import build_site  # noqa: E402
from plansite.project import load_project  # noqa: E402
from plansite.site import site_outputs  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeat`` runs, in seconds, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paragraphs", type=int, default=0)
    args = parser.parse_args()
    if args.paragraphs:
        for n in (args.paragraphs // 4, args.paragraphs):
            print(f"parse {n} paragraphs  {synthetic_parse(n) * 1000:.0f} ms")
        return 0
    t_load, project = timed(lambda: load_project(ROOT), args.repeat)
    t_render, outputs = timed(lambda: site_outputs(project, ROOT / "templates"), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        t_build, summary = timed(lambda: build_site(ROOT, Path(tmp) / "site", quiet=True), 1)
    lines = sum(len(d.seed) for d in project.plans)
    size = sum(len(v.encode("utf-8")) for v in outputs.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"plans                {len(project.plans)}")
    print(f"source lines         {lines}")
    print(f"load+parse           {t_load * 1000:.0f} ms (median of {args.repeat})")
    print(f"render pages+API     {t_render * 1000:.0f} ms (median of {args.repeat}), {len(outputs)} files, {size / 1e6:.1f} MB")
    print(f"full build (mkdocs, search, manifest)  {t_build:.2f} s")
    print(f"peak memory (RSS)    {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
