"""Running independent per-plan jobs on every core, results in input order.

Jobs run in forked worker processes (they inherit the loaded modules and the job context set
before the fork, so nothing large is pickled on the way in); results come back in the order of
the inputs whatever order the workers finish in, so the build stays deterministic.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator

from . import gcpolicy

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


def other_threads_running() -> bool:
    """Whether a thread other than the calling one runs in this process: then nothing is forked
    outside the process pool's own start (a child forked while another thread holds a lock, an
    import's say, could wait forever)."""
    return threading.active_count() > 1


def forks(count: int, jobs: int | None = None) -> bool:
    """Whether :func:`ordered_map` runs ``count`` items in forked workers (``jobs``: as it is
    given): two jobs or more (at most one per item) and the ``fork`` start method available."""
    return min(jobs or cpu_count(), count) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def ordered_map(fn: Callable, items: Iterable, jobs: int | None = None,
                cost: Callable | None = None, ready: Callable | None = None) -> Iterator:
    """``fn(item)`` for every item, yielded in input order as soon as each is ready.

    Uses a pool of ``jobs`` (default :func:`cpu_count`) forked processes when there are at least
    two items and two jobs, else runs in this process. ``fn`` must be a module-level function;
    its results must be picklable. An exception in a job is raised here.

    ``cost(item)`` (optional, any comparable number): the pool is handed the items costliest
    first (longest-first scheduling: the last jobs running are short ones, so the workers finish
    together); the results still come out in input order (those ready early are held).

    ``ready(result)`` (optional) is called with each result as soon as it arrives, in the order
    the jobs finish (in the calling thread, while the caller waits for a result), before it is
    held for its turn: e.g. the search index starts on a plan rendered early although an
    earlier plan in input order is still being built.
    """
    items = list(items)
    jobs = min(jobs or cpu_count(), len(items))
    if not forks(len(items), jobs):
        for item in items:
            result = fn(item)
            if ready is not None:
                ready(result)
            yield result
        return
    order = list(range(len(items)))
    if cost is not None:
        order.sort(key=lambda i: cost(items[i]), reverse=True)  # stable: ties keep input order
    # What is loaded before the fork (modules, the validated inputs of every plan) is frozen out
    # of the garbage collector: the workers' collections do not scan it again and again (their
    # cost would grow with the number of plans) and do not touch its pages (no copy on write).
    with gcpolicy.gc_frozen(), multiprocessing.get_context("fork").Pool(jobs) as pool:
        if order == sorted(order) and ready is None:
            yield from pool.imap(fn, items, chunksize=1)
            return
        held: dict = {}
        wanted = 0
        for index, result in pool.imap_unordered(_Indexed(fn), [(i, items[i]) for i in order], chunksize=1):
            if ready is not None:
                ready(result)
            held[index] = result
            while wanted in held:
                yield held.pop(wanted)
                wanted += 1


class _Indexed:
    """``fn`` as a job of :func:`ordered_map`'s pool: ``(index, item) -> (index, fn(item))``
    (picklable when ``fn`` is a module-level function)."""

    def __init__(self, fn: Callable):
        self.fn = fn

    def __call__(self, job: tuple):
        index, item = job
        return index, self.fn(item)
