"""Inside the project only: every file an input names, or the build finds, must resolve inside the
project root.

Editor files name other files (a plan's ``source:``, an indicator file's ``source:``) and the
build globs folders (``site_src/plans/*.yml``, ``seeds/``); any of them may be a symlink. The
rule, applied by :func:`inside` to every such path before it is opened:

- a named path is relative, in POSIX form (``seeds/x.txt``): no absolute path (``/etc/passwd``,
  ``C:\\x``, ``\\\\host\\x``), no ``..`` part, no backslash, no empty or control characters;
- the path, with every symlink on it resolved, lies inside the resolved project root (a seed
  file, a ``seeds/`` folder or a metadata file linking elsewhere is refused);
- it is a regular file (not a folder, FIFO or device) when it is to be read.

Each refusal is a :class:`plansite.errors.PlansiteError` ``shown:line: message``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .errors import PlansiteError

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def project_root(root: Path) -> Path:
    """``root`` with every symlink resolved (the folder every input must stay inside)."""
    return Path(root).resolve()


def named_path(root: Path, name: object, shown: str, line: int) -> Path:
    """The file named by the editor-written relative path ``name`` (e.g. a plan's ``source:``),
    checked to stay inside ``root``.

    ``shown``/``line`` locate the naming field in messages. Returns the absolute resolved path.
    Raises :class:`PlansiteError` for a path that is not text, absolute, climbs with ``..``, uses
    backslashes or control characters, or resolves (through a symlink) outside the project.
    Does not check that the file exists (see :func:`readable_file`).
    """
    if not isinstance(name, str) or not name:
        raise PlansiteError.at(shown, line, "a file path must be non-empty text")
    if _CONTROL.search(name):
        raise PlansiteError.at(shown, line, f"path {name!r} holds a control character")
    if "\\" in name or re.match(r"^[A-Za-z]:", name):
        raise PlansiteError.at(shown, line, f"path {name!r} must use / and be relative to the project root")
    pure = PurePosixPath(name)
    if pure.is_absolute():
        raise PlansiteError.at(shown, line, f"path {name!r} is absolute; name a file inside the project, "
                                            "relative to its root (e.g. seeds/x.txt)")
    if ".." in pure.parts:
        raise PlansiteError.at(shown, line, f"path {name!r} climbs out with '..'; name a file inside the "
                                            "project, relative to its root")
    return inside(root, Path(root) / pure, shown, line)


def inside(root: Path, path: Path, shown: str, line: int = 0) -> Path:
    """``path`` (absolute, or relative to the working folder) with symlinks resolved, checked to
    lie inside ``root``; raises :class:`PlansiteError` ``shown:line: …`` when it leaves it."""
    base = project_root(root)
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise PlansiteError.at(shown, line, f"cannot resolve path: {exc}") from None
    if not real.is_relative_to(base):
        raise PlansiteError.at(shown, line, "leaves the project through a symlink; only files inside the "
                                            "project are read")
    return real


def readable_file(root: Path, path: Path, shown: str, line: int = 0) -> Path:
    """:func:`inside`, and the target must exist and be a regular file; returns the resolved path."""
    real = inside(root, path, shown, line)
    if not real.exists():
        raise PlansiteError.at(shown, line, "file does not exist")
    if not real.is_file():
        raise PlansiteError.at(shown, line, "not a regular file")
    return real


def read_limited(path: Path, limit: int, shown: str, line: int = 0) -> bytes:
    """The bytes of ``path`` (already checked by :func:`readable_file`), at most ``limit`` bytes:
    raises :class:`PlansiteError` for a larger file or a read error."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise PlansiteError.at(shown, line, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise PlansiteError.at(shown, line, f"file is larger than the limit of {limit:,} bytes")
    return data


def project_files(root: Path, folder: str, pattern: str = "*.yml") -> list[Path]:
    """The files matching ``pattern`` in ``root/folder`` (sorted by name), unresolved: each must
    still pass :func:`readable_file` before it is read. A missing folder gives ``[]``. (``pattern``
    names files of the folder itself, so their names order them as the paths would, without
    comparing ``Path`` objects: 0.07 s under cProfile at 1000 plans, on each serve rebuild.)"""
    return sorted((Path(root) / folder).glob(pattern), key=lambda p: p.name)


def shown_path(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` in POSIX form for messages (the path as found, not resolved)."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
