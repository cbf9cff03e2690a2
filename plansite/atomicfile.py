"""Writing a file whole: into a temporary file beside it, then renamed into place, so that a
reader sees the old file or the new one, never part of one. Standard library only (it serves
:mod:`plansite.stamp`'s fast path, which imports nothing else)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, prefix: str = ".tmp-") -> None:
    """Write ``data`` (bytes, or a bytes-like buffer) to ``path`` whole: into a new temporary
    file in the same folder (named ``prefix`` + random characters), renamed over ``path``. The
    folder must exist. Raises :class:`OSError`; the temporary file is removed on any failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
