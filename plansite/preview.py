"""The ``mkdocs serve`` preview: how fast an edit is noticed, and the search index's status.

MkDocs' live-reload server (``mkdocs.livereload.LiveReloadServer``, MkDocs 1.6) notices changes
with a *polling* watchdog observer that walks every watched folder every 0.5 s (so a save waits
0.25 s on average before anything happens, and at 1000 plans each walk stats ~5,000 files), then
waits until no change came for ``build_delay`` (0.1 s) before it rebuilds.
:func:`fast_watching` configures the server through its public attributes, from the plugin's
``on_serve``: the folders MkDocs is told to watch *after* ``on_serve`` (``watch:`` in mkdocs.yml:
``seeds``, ``site_src``, ``templates``) are watched by the native observer (inotify on Linux:
an event within milliseconds, no walking), and ``build_delay`` is :data:`BUILD_DELAY`. The paths
MkDocs scheduled before ``on_serve`` (``docs_dir``, ``mkdocs.yml``) stay on the polling observer,
which the plugin starts and stops itself. When the native observer cannot be made (no inotify,
too many inotify instances), everything stays on polling, with a warning.

The search index is rebuilt in the background while serving
(:class:`plansite.search.BackgroundIndexer`); meanwhile ``search/status.json``
(:data:`STATUS_FILE`, :func:`write_status`) says it is stale, and the search page (rendered with
``serve_preview`` only under ``mkdocs serve``) shows a notice while it is. ``mkdocs build`` and
``build.py build`` write neither the file nor the notice.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .atomicfile import write_atomic

#: Seconds without further change before a serve rebuild starts (MkDocs' default is 0.1): an
#: editor's save, or a seed and its checksum written one after the other, arrive well within it.
BUILD_DELAY = 0.05

#: The search index status under ``mkdocs serve``, relative to the site folder.
STATUS_FILE = "search/status.json"

log = logging.getLogger("mkdocs.plugins.plansite")


def fast_watching(server, make_observer=None):
    """Let ``server`` (MkDocs' ``LiveReloadServer``) notice edits at once; call from ``on_serve``.

    Replaces ``server.observer`` by a native observer (``make_observer()``, default
    :func:`change_observer`) for the paths watched from now on and sets ``server.build_delay``. Returns the
    polling observer that keeps the paths scheduled before (start it with :func:`start_polling`,
    stop it on shutdown), or ``None`` when the native observer could not be made: then nothing
    changes but ``build_delay``, and a warning says so.
    """
    server.build_delay = min(getattr(server, "build_delay", BUILD_DELAY), BUILD_DELAY)
    polling = getattr(server, "observer", None)
    try:
        native = (make_observer or change_observer)()
    except Exception as exc:  # noqa: BLE001 - no native file events here: MkDocs' polling stays
        log.warning("plansite: edits are noticed by polling (every 0.5 s): no native file events "
                    "(%s: %s)", type(exc).__name__, exc)
        return None
    server.observer = native
    return polling


def change_observer():
    """watchdog's native ``Observer`` (inotify on Linux) reporting only changes: files created,
    modified, deleted, moved or closed after writing — not files opened or read, which the build
    itself does (every read would otherwise start another rebuild). Raises ``OSError`` when the
    platform's file events cannot be used."""
    from watchdog import events
    from watchdog.observers import Observer

    changes = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent,
               events.FileMovedEvent, events.FileClosedEvent, events.DirCreatedEvent,
               events.DirDeletedEvent, events.DirMovedEvent]

    class ChangeObserver(Observer):
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, **kwargs):
            return super().schedule(event_handler, path, recursive=recursive,
                                    event_filter=event_filter or changes, **kwargs)

    return ChangeObserver()


def start_polling(observer) -> None:
    """Start the polling observer returned by :func:`fast_watching` when it watches anything."""
    if observer is not None and observer.emitters and not observer.is_alive():
        observer.start()


def stop_polling(observer) -> None:
    """Stop (and join) an observer started by :func:`start_polling`."""
    if observer is not None and observer.is_alive():
        observer.stop()
        observer.join(timeout=5)


def write_status(site_dir: Path, stale: bool, failed: bool = False) -> None:
    """Write ``site_dir/search/status.json``: ``{"stale": bool, "failed": bool}`` (atomically)."""
    path = Path(site_dir) / STATUS_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (json.dumps({"stale": bool(stale), "failed": bool(failed)}) + "\n").encode("utf-8"),
                     prefix=".status-")
    except OSError as exc:
        log.warning("plansite: search status not written: %s", exc)


def read_status(site_dir: Path) -> dict | None:
    """The status written by :func:`write_status`, or ``None`` when there is none (tests)."""
    try:
        return json.loads((Path(site_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
