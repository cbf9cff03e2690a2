"""Running independent per-plan jobs on every core, results in input order.

Jobs run in forked worker processes (they inherit the loaded modules and the job context set
before the fork, so nothing large is pickled on the way in); results come back in the order of
the inputs whatever order the workers finish in, so the build stays deterministic.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator


def cpu_count() -> int:
    """Cores this process may run on (``sched_getaffinity``), at least 1; ``PLANSITE_JOBS``
    overrides it (``1`` runs everything in this process)."""
    forced = os.environ.get("PLANSITE_JOBS", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(fn: Callable, items: Iterable, jobs: int | None = None) -> Iterator:
    """``fn(item)`` for every item, yielded in input order as soon as each is ready.

    Uses a pool of ``jobs`` (default :func:`cpu_count`) forked processes when there are at least
    two items and two jobs, else runs in this process. ``fn`` must be a module-level function;
    its results must be picklable. An exception in a job is raised here.
    """
    items = list(items)
    jobs = min(jobs or cpu_count(), len(items))
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield fn(item)
        return
    # What is loaded before the fork (modules, the validated inputs of every plan) is frozen out
    # of the garbage collector: the workers' collections do not scan it again and again (their
    # cost would grow with the number of plans) and do not touch its pages (no copy on write).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap(fn, items, chunksize=1)
    finally:
        gc.unfreeze()
