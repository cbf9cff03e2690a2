"""Pagefind's service mode: one ``pagefind_extended --service`` process, fed pages from memory.

A one-plan (overlay) search run of a one-edit build used to write tagged copies of the plan's
pages to a temporary site and start the Pagefind binary over it once the plan was rendered, so
Pagefind's start-up (about 0.2–0.4 s, nearly all of it the Chinese segmentation dictionary,
loaded on the first ``zh`` page) and those writes sat on the critical path. Here the service is
started early (:func:`prestart`, from ``build.py build`` as soon as the stamp says something
changed, before MkDocs is imported), warmed with a throw-away ``zh`` page so that the dictionary
loads while Python imports and validates, and later given the plan's pages as strings
(:meth:`PagefindService.index`).

The protocol is Pagefind's own (``pagefind/src/service``, 1.5.2): each request is the base64 of
a JSON ``{"message_id": n, "payload": {"type": …}}`` followed by ``,``; each response likewise;
the service handles requests one at a time, in order, and exits when its stdin closes. The
``pagefind`` package's ``PagefindService`` speaks it too, but (1.5.2) its reader sleeps 0.1 s
before reading each response (96 pages: at least 9.6 s), needs an asyncio loop and starts no
process before a coroutine runs; so this module keeps a small client of its own. Measured
(README, "Pagefind's service mode"; load 2.7–7.7): launch → first ``zh`` page 0.36–0.40 s, the
next page 10 ms; the 96 indexed pages of ``fuzhou-15th`` 0.15–0.58 s, the bundle 0.18–0.6 s.

Threads: a launched service has none of ours until :meth:`PagefindService.index` (the build
forks worker processes meanwhile, which is only safe while no other thread runs).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

#: The page that makes the service load its Chinese dictionary before the real pages come.
WARM_PAGE = '<html lang="zh-CN"><body><p>数字经济发展规划</p></body></html>'


class ServiceFailed(Exception):
    """The service died, answered with an error, or broke the protocol; the message says which
    (with what the process wrote on stderr, if anything)."""


class PagefindService:
    """One running ``pagefind_extended --service`` process with an index ready for pages.

    Launching sends, without waiting: a warm-up index holding :data:`WARM_PAGE` (never written)
    and the index :meth:`index` fills, both with ``force_language: zh-cn`` (as the CLI runs).
    ``binary``: the executable (default :func:`plansite.pagefind_run.pagefind_binary`). Raises
    :class:`ServiceFailed` when the process cannot be started."""

    def __init__(self, binary: Path | None = None, warm: bool = True):
        if binary is None:
            from .pagefind_run import pagefind_binary

            binary = pagefind_binary()
        self._stderr = tempfile.TemporaryFile()
        try:
            # cwd "/": the service is given no path of a file to read, and writes none itself
            self._proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._stderr, cwd="/", bufsize=0)
        except OSError as exc:
            self._stderr.close()
            raise ServiceFailed(f"cannot start {binary}: {exc.strerror or exc}") from None
        self._next = 0
        self._answers: dict[int, dict] = {}
        self._done = threading.Condition()
        self._eof = False
        self._reader: threading.Thread | None = None
        config = {"force_language": "zh-cn"}
        if warm:
            self._send({"type": "NewIndex", "config": config})
            self._send({"type": "AddFile", "index_id": 0, "file_path": "warm/index.html", "url": None,
                        "file_contents": WARM_PAGE})
        self._index_message = self._send({"type": "NewIndex", "config": config})

    @property
    def pid(self) -> int:
        """The service's process id."""
        return self._proc.pid

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self._proc.poll() is None

    def _send(self, payload: dict) -> int:
        self._next += 1
        message = {"message_id": self._next, "payload": payload}
        data = memoryview(base64.b64encode(json.dumps(message, ensure_ascii=False).encode()) + b",")
        try:
            while data:  # a write to a pipe can be cut short (by a signal: a profiler's, a stop)
                data = data[self._proc.stdin.write(data):]
        except (BrokenPipeError, ValueError):
            raise ServiceFailed(self._failure("the service stopped")) from None
        return self._next

    def _read(self) -> None:
        """Reader thread: store each response under its ``message_id`` until stdout closes (a
        response is gathered in pieces: the bundle's files come as one message of megabytes)."""
        fd = self._proc.stdout.fileno()
        parts: list[bytes] = []
        try:
            while chunk := os.read(fd, 1 << 20):
                start = 0
                while (comma := chunk.find(b",", start)) >= 0:
                    parts.append(chunk[start:comma])
                    self._store(b"".join(parts))
                    parts, start = [], comma + 1
                parts.append(chunk[start:])
        except OSError:
            pass
        with self._done:
            self._eof = True
            self._done.notify_all()

    def _store(self, raw: bytes) -> None:
        try:
            answer = json.loads(base64.b64decode(raw))
            key = answer.get("message_id")
        except (ValueError, AttributeError):
            answer, key = {"payload": {"type": "Error", "message": f"unreadable answer {raw[:60]!r}"}}, -1
        with self._done:
            self._answers[key if isinstance(key, int) else -1] = answer
            self._done.notify_all()

    def _answer(self, message: int, cancelled: threading.Event | None) -> dict | None:
        """The payload answering ``message``; ``None`` when ``cancelled`` was set first. Raises
        :class:`ServiceFailed` on an error answer or when the service stopped."""
        with self._done:
            while message not in self._answers and -1 not in self._answers and not self._eof:
                if cancelled is not None and cancelled.is_set():
                    return None
                self._done.wait(0.05)
            answer = self._answers.get(message) or self._answers.get(-1)
        if answer is None:
            raise ServiceFailed(self._failure("the service stopped"))
        payload = answer.get("payload") if isinstance(answer, dict) else None
        if not isinstance(payload, dict) or payload.get("type") == "Error":
            text = payload.get("message") if isinstance(payload, dict) else None
            raise ServiceFailed(self._failure(f"the service answered: {text or answer!r}"))
        return payload

    def _failure(self, what: str) -> str:
        """``what``, with the exit code (once the process ended: waited for up to a second after
        its stdout closed) and what it wrote on stderr."""
        try:
            code = self._proc.wait(1.0) if self._eof else self._proc.poll()
        except subprocess.TimeoutExpired:
            code = None
        try:
            self._stderr.seek(0)
            said = " ".join(self._stderr.read(4000).decode("utf-8", "replace").split())
        except (OSError, ValueError):
            said = ""
        return "; ".join(x for x in (what, f"exit code {code}" if code is not None else "", said) if x)

    def index(self, pages: Iterable[tuple[str, str]], output: Path,
              cancelled: threading.Event | None = None) -> int | None:
        """Add ``pages`` (``(site-relative path such as "plans/x/chapter-5/index.html", HTML)``;
        Pagefind makes each URL from the path as the CLI would) to the index and write the bundle
        into the new folder ``output``; returns the pages sent, ``None`` when ``cancelled`` was
        set (the process is then killed). Raises :class:`ServiceFailed`, or :class:`OSError`
        when a file cannot be written. The caller checks the bundle
        (:func:`plansite.pagefind_run.bundle_problem`).

        The bundle's files are asked for (``GetFiles``) and written here, not by Pagefind's
        ``WriteFiles``: Pagefind 1.5.2 answers that before its last writes reach the files (it
        never flushes its asynchronous file handles; killed or exiting at once, the service lost
        the end of ``pagefind-entry.json`` in a test run under load)."""
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, name="plansite-pagefind-service", daemon=True)
            self._reader.start()
        created = self._answer(self._index_message, cancelled)
        if created is None:
            self.kill()
            return None
        index_id = created.get("index_id")
        sent = []
        for path, html in pages:
            if cancelled is not None and cancelled.is_set():
                self.kill()
                return None
            sent.append(self._send({"type": "AddFile", "index_id": index_id, "file_path": path, "url": None,
                                    "file_contents": html}))
        files = self._send({"type": "GetFiles", "index_id": index_id})
        for message in sent:
            if self._answer(message, cancelled) is None:
                self.kill()
                return None
            with self._done:
                del self._answers[message]
        bundle = self._answer(files, cancelled)
        if bundle is None:
            self.kill()
            return None
        _write_bundle(bundle.get("files"), Path(output), self._failure)
        return len(sent)

    def kill(self) -> None:
        """End the service at once: killed, not asked to exit (closing its stdin would not end it
        while a worker process forked meanwhile holds a copy of the pipe), which is safe: the bundle's
        files are received whole before :meth:`index` returns, and Pagefind writes nothing itself."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        self._cleanup()

    def _cleanup(self) -> None:
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(1.0)
        try:
            self._proc.stdout.close()
        except OSError:
            pass
        self._stderr.close()


def _write_bundle(files, output: Path, failure) -> None:
    """Write the files of a ``GetFiles`` answer (``[{"path": relative path, "content": base64}]``)
    into the new folder ``output``; a path that is absolute or climbs out raises
    :class:`ServiceFailed` (``failure(text)`` words it)."""
    if not isinstance(files, list):
        raise ServiceFailed(failure("the service sent no files"))
    output.mkdir()
    made = {output}
    for item in files:
        path = item.get("path") if isinstance(item, dict) else None
        parts = Path(path).parts if isinstance(path, str) else ()
        if not parts or Path(path).is_absolute() or ".." in parts:
            raise ServiceFailed(failure(f"the service sent a file outside the bundle: {path!r}"))
        try:
            data = base64.b64decode(item.get("content", ""), validate=True)
        except ValueError:
            raise ServiceFailed(failure(f"the service sent an unreadable {path}")) from None
        target = output.joinpath(*parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


_spare: PagefindService | None = None
_spare_lock = threading.Lock()


def prestart() -> None:
    """Start a warmed service now (once per process) for a later :func:`take`: ``build.py
    build`` calls it when the stamp says the inputs changed, before MkDocs is imported. Closed at
    exit if nobody took it; a failure to start is left to the run that wanted it."""
    global _spare
    with _spare_lock:
        if _spare is not None:
            return
        try:
            _spare = PagefindService()
        except Exception:  # noqa: BLE001 - no binary, no process: the run starts its own and says why
            return
    atexit.register(discard)


def waiting() -> bool:
    """Whether a service :func:`prestart` started waits to be taken (not checked to be alive)."""
    return _spare is not None


def take() -> PagefindService | None:
    """The service :func:`prestart` started, if it still runs (each is given out once), else ``None``."""
    global _spare
    with _spare_lock:
        service, _spare = _spare, None
    if service is not None and not service.alive():
        service.kill()
        return None
    return service


def discard() -> None:
    """Close the service :func:`prestart` started if nobody took it (the build needs no overlay
    run, or has no search index)."""
    service = take()
    if service is not None:
        service.kill()
