"""Writing a file whole: into a temporary file beside it, then renamed into place, so that a
reader sees the old file or the new one, never part of one. Standard library only (it serves
:mod:`plansite.stamp`'s fast path, which imports nothing else)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, prefix: str = ".tmp-", mode: int | None = None) -> os.stat_result:
    """Write ``data`` (bytes, or a bytes-like buffer) to ``path`` whole: into a new temporary
    file in the same folder (named ``prefix`` + random characters), renamed over ``path``. The
    folder must exist. The file's mode is ``mkstemp``'s ``0o600``, or with ``mode`` that mode
    less the umask (as a plain ``open`` gives ``0o666``). Returns the written file's
    :func:`os.stat` result (its inode and mtime are the renamed file's). Raises
    :class:`OSError`; the temporary file is removed on any failure."""
    path = Path(path)
    if mode is None:
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    else:
        while True:
            tmp = os.path.join(path.parent, prefix + secrets.token_hex(8))
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
                break
            except FileExistsError:
                continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            written = os.fstat(f.fileno())  # (closing does not change the mtime)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return written
