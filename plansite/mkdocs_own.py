"""MkDocs' own output kept for the next ``build.py build``: with it, a build whose hand-written
pages, templates, ``mkdocs.yml``, code and environment are unchanged (a seed or plan edit)
neither imports nor runs MkDocs (:func:`plansite.mkdocs_run.build_site`).

Under ``build.py build`` MkDocs renders only its own files (theme files, ``site_src/pages/``,
``404.html``) into a scratch folder: the plugin adds none of the generated files to MkDocs'
collection, and what it gives MkDocs' pages (:func:`plansite.pages.page_context`) is made from
the page URL and constants. So those files are a function of the config file, the docs folder,
the theme folders, the code and the environment. After a build whose inputs did not change
while it ran, they are kept with the plugin's options in ``.cache/mkdocs/<digest of the config
file name>.pickle`` (a :class:`Record`) under a :func:`own_key` over the sha256 of every input
file the build's input scan (:func:`plansite.stamp.scan_inputs`) read — except the plan inputs
(``seeds/`` and ``site_src/`` under the plugin's root, outside the docs and theme folders) —
and the environment (:func:`plansite.stamp.environment_digest`), which also stands for the
theme folders of installed distributions (MkDocs' own, even under a ``.venv`` in the project:
:func:`own_dirs`). A record is made only when
nothing makes that reasoning doubtful: the config is one the stamp accepts (no ``!ENV``,
``INHERIT``, ``!!python``, paths outside the project), ``plansite`` is its only plugin (no
hooks), ``strict`` is off, the plugin's cache is on, no docs or theme folder holds the plan
inputs, and MkDocs logged no warning or error of its own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sysconfig
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from . import stamp
from .atomicfile import write_atomic
from .manifest import files_under

FORMAT = 1
FOLDER = Path(".cache") / "mkdocs"
#: top-level folders of the plugin's root holding the plan inputs (seeds, editor files, registry)
PLAN_INPUTS = ("seeds", "site_src")
#: MkDocs' own output larger than this (bytes) is not kept (a docs folder of images…)
MAX_BYTES = 8 << 20


@dataclass
class Record:
    """MkDocs' own output of a build: ``files`` (site path → bytes), the plugin's ``root``
    (absolute) and validated ``options`` (:data:`plansite.generated.OPTIONS` → value), the
    docs and theme folders inside the project (``dirs``, absolute) and the :func:`own_key`
    it is valid for."""

    key: str
    root: str
    options: dict
    dirs: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    format: int = FORMAT


def record_file(root: Path, config_file: str) -> Path:
    """Where the :class:`Record` of builds of ``root`` with ``config_file`` is kept."""
    name = hashlib.sha256(os.fsencode(config_file)).hexdigest()[:24]
    return Path(root) / FOLDER / f"{name}.pickle"


def own_key(root: Path, config_file: str, inputs: stamp.Scan, plan_root: str, dirs: list[str]) -> str | None:
    """sha256 hex of what MkDocs' own output of a build of ``root`` with ``config_file`` is made
    from: the environment and the sha256 of every file ``inputs`` read but the plan inputs
    (:data:`PLAN_INPUTS` under ``plan_root``, the plugin's root, outside ``dirs``); ``None``
    when ``inputs`` has no digest (the config is refused by the stamp, or an input unreadable)."""
    if inputs.digest is None:
        return None
    skip = tuple(os.path.join(plan_root, top) + os.sep for top in PLAN_INPUTS)
    keep = tuple(d.rstrip(os.sep) + os.sep for d in dirs)
    h = hashlib.sha256()
    for part in (f"plansite-mkdocs-own {FORMAT}", str(root), config_file, stamp.environment_digest(), plan_root, *dirs):
        data = os.fsencode(part)
        h.update(b"%d:" % len(data) + data)
    for path in sorted(inputs.files):
        if path.startswith(skip) and not path.startswith(keep):
            continue
        data = os.fsencode(path)
        h.update(b"%d:" % len(data) + data + inputs.files[path][1])
    return h.hexdigest()


def load(root: Path, config_file: str, inputs: stamp.Scan) -> Record | None:
    """The kept :class:`Record` when it is valid for these ``inputs``; else ``None`` (none
    kept, damaged, another format, or anything it was made from changed)."""
    try:
        with open(record_file(root, config_file), "rb") as f:
            record = pickle.load(f)
    except Exception:  # noqa: BLE001 - missing or damaged: MkDocs runs
        return None
    if not isinstance(record, Record) or getattr(record, "format", None) != FORMAT:
        return None
    if own_key(root, config_file, inputs, record.root, record.dirs) != record.key:
        return None
    return record


def own_dirs(root: Path, dirs: list[str]) -> list[str]:
    """The docs and theme folders of ``dirs`` (MkDocs' ``docs_dir`` and ``theme.dirs``) whose
    files the record's key covers: those inside the project ``root``, but for the folders of
    installed distributions (``sysconfig``'s ``purelib``/``platlib``: MkDocs' own theme under a
    ``.venv`` in the project), which, like those outside it, the environment's digest covers
    (distribution names and versions)."""
    libs = {Path(sysconfig.get_paths()[name]).resolve() for name in ("purelib", "platlib")}
    return [str(Path(d)) for d in dirs if Path(d).is_relative_to(root)
            and not any(Path(d).resolve().is_relative_to(lib) for lib in libs)]


def usable(root: Path, plan_root: Path, dirs: list[str]) -> bool:
    """Whether MkDocs' own output can be keyed by the input scan without the plan inputs: every
    docs or theme folder in ``dirs`` is inside ``root``, not in a folder the scan leaves out
    (:data:`plansite.stamp.SKIP_TOP`: ``.cache``, ``.git`` …), and none holds a
    :data:`PLAN_INPUTS` folder of ``plan_root`` (nor is one)."""
    inputs = [Path(plan_root) / top for top in PLAN_INPUTS]
    for d in map(Path, dirs):
        if not d.is_relative_to(root) or d == Path(root) or d.relative_to(root).parts[0] in stamp.SKIP_TOP:
            return False
        if any(p == d or p.is_relative_to(d) for p in inputs):
            return False
    return True


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` (MkDocs' scratch output): site path → bytes; ``None`` when
    more than :data:`MAX_BYTES` or anything but plain files and folders (listed by
    :func:`plansite.manifest.files_under`; sorted by path)."""
    out: dict[str, bytes] = {}
    total = 0
    for rel, entry in sorted(files_under(str(folder)), key=itemgetter(0)):
        if entry.is_symlink() or not entry.is_file():
            return None
        with open(entry.path, "rb") as f:
            data = f.read()
        total += len(data)
        if total > MAX_BYTES:
            return None
        out[rel] = data
    return out


def save(root: Path, config_file: str, record: Record) -> None:
    """Keep ``record`` (written whole: a temporary file renamed into place); a failure to
    write is ignored (the next build runs MkDocs)."""
    path = record_file(root, config_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def forget(root: Path, config_file: str) -> None:
    """Drop the kept record (a build that cannot keep one: the next one runs MkDocs)."""
    try:
        record_file(root, config_file).unlink()
    except OSError:
        pass
