"""How often Python's cyclic garbage collector runs while a site is built, and what it scans.

A build allocates millions of small objects that live until it ends (the validated inputs and
the records of every plan): with Python's default thresholds ``(700, 10, 10)`` the collector
runs hundreds of times and its older generations scan all of them again and again, a cost that
grows with the number of plans (one-edit builds at 1000 plans, measured with ``gc.callbacks``:
about 1,300 collections, 7 of them full, 0.6–0.7 s of CPU in the building process; with
:data:`BUILD_THRESHOLD` 16 young ones, 0.15 s). During a build the collector therefore runs
rarely; it is not switched off: young garbage cycles are still collected, so memory stays
bounded. What lives through a build stage is also taken out of its scans (:func:`gc_frozen`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: ``gc.set_threshold`` during a build: a young-generation collection every 50,000 net
#: allocations (default 700); the middle and old generations after 20 and 100 of those (default
#: 10 and 10), so a full collection is about once per 10⁸ allocations (never in a one-edit build)
BUILD_THRESHOLD = (50_000, 20, 100)


@contextmanager
def rare_collections(threshold: tuple[int, int, int] = BUILD_THRESHOLD) -> Iterator[None]:
    """Run the body with the collector's ``threshold`` (see :data:`BUILD_THRESHOLD`); the previous
    thresholds are restored afterwards, also when the body raises. Worker processes forked inside
    the body inherit the setting. Raises nothing of its own."""
    previous = gc.get_threshold()
    gc.set_threshold(*threshold)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


_frozen_lock = threading.Lock()
_frozen_depth = 0


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Every object alive on entry is moved out of the garbage collector's reach
    (``gc.freeze``) until the outermost ``gc_frozen`` block ends (``gc.unfreeze``): the
    collections made meanwhile do not scan them again and again (a full collection costs time in
    proportion to everything alive: at 300 plans the building process's nine full collections
    took 1.0 s of its 7.7 s). Nestable (an inner block freezes what was made since; only the
    outermost one unfreezes) and safe across threads. Garbage made before entry is collected
    only after the outermost block; nothing else changes."""
    global _frozen_depth
    with _frozen_lock:
        _frozen_depth += 1
        gc.freeze()
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_depth -= 1
            if _frozen_depth == 0:
                gc.unfreeze()
