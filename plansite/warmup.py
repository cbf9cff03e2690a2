"""Work done ahead on the idle core: the Jinja2 templates compiled while the build validates.

A build whose templates have no bytecode yet (a clean build, or one after a template edit)
compiles every template (about 0.15 s CPU for the 18 of ``templates/``). Before, that was done
inside the work measured as the build: the forked workers compiled them in their first plans
(sharing the bytecode folder: 10 and 4 of them in a 5-plan clean build) and the building
process the cross-plan ones (3). :func:`start` forks a child that compiles them into the build cache's bytecode folder
while the building process validates the inputs (single-threaded: the second core is idle);
:meth:`Warming.finish` waits for it and loads the templates (from that bytecode) into this
process's environment, so that the workers forked after it inherit them compiled. When every
template has its bytecode already (most builds), nothing is forked; nor while other threads run
in this process (``mkdocs serve``), nor on one core: the renders then compile what they use.

Nothing here decides what is built: a template that fails to compile is left to the real
render, which reports it (``path:line: template error``); the child prints nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import parallel
from .parallel import cpu_count


def load_templates(templates: Path, bytecode_dir: Path | None) -> int:
    """Load every ``*.html`` template of ``templates`` into this process's environment
    (:func:`plansite.pages.make_env`; compiled and written to ``bytecode_dir``, or read from
    it); returns how many loaded. Raises Jinja2's errors (``TemplateSyntaxError``…)."""
    from .pages import make_env

    env = make_env(templates, bytecode_dir)
    names = [name for name in env.list_templates() if name.endswith(".html")]
    for name in names:
        env.get_template(name)
    return len(names)


#: children forked by :func:`start` and not waited for (a build that stopped at an input
#: problem under ``mkdocs serve``): reaped by the next :func:`start`
_UNJOINED: set[int] = set()


class Warming:
    """A started warm-up (see :func:`start`): ``pid`` of the child, or ``None`` when none was
    forked (every template compiled already, one core, no ``fork``) or it was waited for."""

    def __init__(self, templates: Path, bytecode_dir: Path, pid: int | None):
        self.templates, self.bytecode_dir, self.pid = templates, bytecode_dir, pid

    def join(self) -> None:
        """Wait for the child (if any, once)."""
        if self.pid is not None:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped already
                pass
            _UNJOINED.discard(self.pid)
            self.pid = None

    def finish(self) -> None:
        """Wait for the child, then load the templates into this process (from the bytecode it
        wrote), when a child was forked. A template that fails to load is left to the render
        that uses it."""
        if self.pid is None:
            return
        self.join()
        try:
            load_templates(self.templates, self.bytecode_dir)
        except Exception:  # noqa: BLE001 - reported by the render itself, with its line
            pass


def stale_templates(templates: Path, bytecode_dir: Path) -> list[str]:
    """The ``*.html`` templates of ``templates`` whose bytecode in ``bytecode_dir`` is missing or
    older than the template (Jinja2's own file name for it: ``FileSystemBytecodeCache.pattern``
    of ``get_cache_key(name, filename)``). A guess for speed only: Jinja2 checks every bytecode
    file against its template's source checksum when it loads it."""
    from .pages import make_env

    env = make_env(templates, bytecode_dir)
    bcc = env.bytecode_cache
    stale = []
    for name in env.list_templates():
        if not name.endswith(".html"):
            continue
        _, filename, _ = env.loader.get_source(env, name)
        cached = os.path.join(bcc.directory, bcc.pattern % bcc.get_cache_key(name, filename))
        try:
            if os.stat(cached).st_mtime_ns >= os.stat(filename).st_mtime_ns:
                continue
        except OSError:
            pass
        stale.append(name)
    return stale


def start(templates: Path, bytecode_dir: Path) -> Warming:
    """Fork a child compiling the templates of ``templates`` into ``bytecode_dir`` (Jinja2's
    ``FileSystemBytecodeCache``: each file written whole and renamed, and checked against its
    template's source when read) when any has no up-to-date bytecode
    (:func:`stale_templates`); returns at once. No child when all are compiled, on one core,
    without ``fork``, or while another thread runs."""
    for pid in list(_UNJOINED):
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                _UNJOINED.discard(pid)
        except ChildProcessError:
            _UNJOINED.discard(pid)
    templates = Path(templates).resolve()
    if cpu_count() < 2 or not hasattr(os, "fork") or parallel.other_threads_running():
        # (a child forked while another thread holds a lock, an import's say, could wait forever)
        return Warming(templates, bytecode_dir, None)
    try:
        if not stale_templates(templates, bytecode_dir):
            return Warming(templates, bytecode_dir, None)
    except Exception:  # noqa: BLE001 - an unreadable template: left to the render that reads it
        return Warming(templates, bytecode_dir, None)
    pid = os.fork()
    if pid == 0:  # the child: compile, then leave without running the parent's exit handlers
        code = 0
        try:
            load_templates(templates, bytecode_dir)
        except BaseException:  # noqa: BLE001 - see the module docstring
            code = 1
        finally:
            os._exit(code)
    _UNJOINED.add(pid)
    return Warming(templates, bytecode_dir, pid)
