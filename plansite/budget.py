"""Admission of concurrent jobs within a cost budget, in a fixed order (the search index's
Pagefind runs: at most one per core, their estimated peak memory together within a budget)."""

from __future__ import annotations

import threading


class Budget:
    """Admission of Pagefind runs in the order of their tickets (:meth:`ticket`): at most
    ``workers`` at once, and a further one only while the costs (bytes) of those running plus its
    own stay within ``budget`` (a run costing more than ``budget`` runs alone)."""

    def __init__(self, budget: int, workers: int):
        self.budget, self.workers = budget, max(1, workers)
        self._cond = threading.Condition()
        self._used = self._running = self._issued = self._next = 0

    def ticket(self) -> int:
        """A place in the queue (take it where the order is decided)."""
        with self._cond:
            self._issued += 1
            return self._issued - 1

    def acquire(self, ticket: int, cost: int, cancelled: threading.Event | None = None) -> bool:
        """Wait for the turn of ``ticket`` and room for ``cost``; ``False`` (the turn given up,
        nothing to release) when ``cancelled`` is set first."""
        with self._cond:
            while True:
                if ticket == self._next:
                    if cancelled is not None and cancelled.is_set():
                        self._next += 1
                        self._cond.notify_all()
                        return False
                    if self._running < self.workers and (not self._running or self._used + cost <= self.budget):
                        self._next += 1
                        self._running += 1
                        self._used += cost
                        self._cond.notify_all()
                        return True
                self._cond.wait(0.05)

    def release(self, cost: int) -> None:
        """A run admitted with ``cost`` has ended."""
        with self._cond:
            self._running -= 1
            self._used -= cost
            self._cond.notify_all()


def bounded_map(fn, items: list, costs: list[int], budget: int, workers: int) -> None:
    """``fn(item)`` for every item in threads, starting them in order: at most ``workers`` at
    once, and a further one only while the ``costs`` of those running plus its own stay within
    ``budget`` (an item costing more than ``budget`` runs alone; :class:`Budget`). Waits for all;
    the first error raised by ``fn`` is raised here once the running calls have ended (the items
    not started by then are not)."""
    gate = Budget(budget, workers)
    failed = threading.Event()
    errors: list[BaseException] = []

    def run(ticket: int, item, cost: int) -> None:
        if not gate.acquire(ticket, cost, failed):
            return
        try:
            fn(item)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller
            errors.append(exc)
            failed.set()
        finally:
            gate.release(cost)

    threads = [threading.Thread(target=run, args=(gate.ticket(), item, cost), daemon=True)
               for item, cost in zip(items, costs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
