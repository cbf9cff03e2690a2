"""The cross-plan step of the cached build: the cross-plan files made from the plans' cached
cards (:func:`add_cross_outputs`, after :func:`plansite.incremental.build_plans`), kept in the
build cache's text store and handed on without being held in memory (:class:`CrossFiles`).

A set of cross-plan files is remembered under a digest of everything it is made from
(:func:`view_digest` of each card, :func:`_cross_key`), so a build whose cards are those of the
last one takes the whole set without making or reading anything. The plans' indicator tables
stay in their cache entries until a cross-plan page is made again (:class:`StoredCard`).
"""

from __future__ import annotations

import dataclasses
import pickle
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache, digest
from .errors import PlansiteError
from .gcpolicy import gc_frozen, rare_collections
from .site import PlanCard, cross_outputs

if TYPE_CHECKING:
    from .incremental import BuildOutputs


class CrossFiles(Mapping):
    """The cross-plan files ``{site path: text}`` (in the order given). The texts the cross-plan
    step keeps in the build cache (comparison pages and downloads, the indicator list,
    ``assets/t2s.json``, the all-plans downloads: at 300 plans 75 MiB of text, growing with N)
    are not held: each is read from its cache file when asked for, and :meth:`source` names that
    file so that it can be copied or hard-linked (as the plugin does) without being read at all;
    :meth:`stored` gives its sha256 and size."""

    def __init__(self, texts: dict[str, str], files: dict[str, tuple[Path, str, int]]):
        self._order = list(texts)
        self._files = {path: (Path(source), sha, size) for path, (source, sha, size) in files.items()}
        self._texts = {path: text for path, text in texts.items() if path not in self._files}

    def source(self, path: str) -> str | None:
        """Absolute path of the cache file holding the text of ``path``, or ``None`` when the
        text is held in memory (raises ``KeyError`` for an unknown path)."""
        if path not in self._files and path not in self._texts:
            raise KeyError(path)
        return str(self._files[path][0]) if path in self._files else None

    def stored(self, path: str) -> tuple[str, str, int] | None:
        """``(cache file, sha256 hex, size)`` of the text of ``path`` kept in the build cache (a
        file never rewritten in place), or ``None`` when it is held in memory."""
        hit = self._files.get(path)
        return (str(hit[0]), hit[1], hit[2]) if hit is not None else None

    def __getitem__(self, path: str) -> str:
        if path in self._files:
            try:
                return self._files[path][0].read_bytes().decode("utf-8")
            except FileNotFoundError:  # pruned by a later build (`mkdocs serve`): no longer this text
                raise KeyError(path) from None
        return self._texts[path]

    def __contains__(self, path) -> bool:
        # not Mapping's (which reads the text): ``keys()`` set operations ask this of every path
        return path in self._files or path in self._texts

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class _Stored:
    """Stands for a text kept in a :class:`~plansite.cache.TextStore` under ``key``, not read."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key


class _Seen:
    """A text store (``get``/``put``) passing through to ``store``: a stored text is not read,
    ``get`` gives a :class:`_Stored` for it; texts put are noted under their key."""

    def __init__(self, store):
        self.store, self._keys = store, {}

    def get(self, key: str):
        return _Stored(key) if self.store.stored(key) is not None else None

    def put(self, key: str, text: str) -> None:
        self.store.put(key, text)
        self._keys[id(text)] = (text, key)

    def write(self, key: str, text: str) -> tuple:
        """Write ``text``'s file under ``key`` (in a worker process: nothing is recorded here);
        the record to give :meth:`note` in the process holding this store."""
        return self.store.write(key, text)

    def note(self, key: str, record: tuple) -> None:
        """Record a text :meth:`write` stored: ``get(key)`` gives a :class:`_Stored` from now on."""
        self.store.note(key, record)

    def files(self, texts: dict[str, object]) -> dict[str, tuple[Path, str, int]]:
        """``{site path: (cache file, sha256 hex, size)}`` of the ``texts`` kept in the store:
        :class:`_Stored` ones and those put (these very objects)."""
        found = {}
        for path, text in texts.items():
            if isinstance(text, _Stored):
                key = text.key
            else:
                hit = self._keys.get(id(text))
                if hit is None or hit[0] is not text:
                    continue
                key = hit[1]
            hit = self.store.stored(key)
            if hit is None:  # removed or changed under this build (another process's prune)
                raise PlansiteError.at(str(self.store.path(key)), 0, "a cached cross-plan text changed while "
                                       "the build ran; build again")
            found[path] = (self.store.path(key), *hit)
        return found


class StoredCard(PlanCard):
    """A :class:`~plansite.site.PlanCard` whose indicator ``tables``, ``tables_json`` and
    ``tables_csv`` (about 130 KiB of the 210 KiB a card takes in memory, before the CSV; 45 of
    the 54 KB of its pickle, and nearly all the time to load it) stay in the plan's cache entry
    (each in its own part, read on each access: the cross-plan step reads each once) until a
    cross-plan page must be made again; every other field is held. The entry's own
    ``meta.pickle``, read on every build, holds the card without them (:func:`plansite.incremental._build_plan`)."""

    LAZY = ("tables", "tables_json", "tables_csv")

    def __init__(self, card: PlanCard, parts: Path):
        self.__dict__.update((k, v) for k, v in vars(card).items() if k not in self.LAZY)
        self._parts = parts

    def _stored(self, name: str):
        with open(self._parts / f"{name}.pickle", "rb") as f:
            return pickle.load(f)

    @property
    def tables(self) -> list:
        return self._stored("tables")

    @property
    def tables_json(self) -> str | None:
        return self._stored("tables_json")

    @property
    def tables_csv(self) -> tuple | None:
        return self._stored("tables_csv")


def cross_view(card) -> tuple:
    """What the cross-plan files (:func:`plansite.site.cross_outputs`) read of a card: all of it
    but the seed checksum and the raw metadata mapping (the plan's fields are read instead), as
    in :func:`plansite.site.make_card`'s digest; ``tests/test_preview.py`` holds
    :func:`~plansite.site.cross_outputs` to that. The tables are compared by that digest (of the
    plan's fields and tables), so a card whose tables stay in a cache entry
    (:class:`StoredCard`, perhaps superseded and deleted since) is not read."""
    plan = card.plan
    if dataclasses.is_dataclass(plan):
        plan = dataclasses.replace(plan, sha256="", meta_data=None)
    return plan, card.digest or card.tables, card.summary, card.discussed, card.chars, card.groups


def view_digest(card) -> str | None:
    """sha256 hex of a card's :func:`cross_view` (the comparison groups sorted: a ``frozenset``'s
    order changes between processes); ``None`` when the card has no digest of its tables.
    Computed once when the plan is built and kept in its cached card (``view_digest``)."""
    plan, tables, summary, discussed, chars, groups = cross_view(card)
    if not isinstance(tables, str) or not tables:
        return None
    return digest(repr((plan, tables, summary, discussed, chars,
                        sorted((gid, sorted(pairs)) for gid, pairs in groups.items()))))


def _cross_key(shared: str, cards: list) -> str | None:
    """A digest of everything the cross-plan files are made from: ``shared`` (code, templates,
    registry) and each card's :func:`view_digest`, in display order; ``None`` when a card has none."""
    parts = [shared]
    for card in cards:
        view = getattr(card, "view_digest", None) or view_digest(card)
        if view is None:
            return None
        parts.append(view)
    return digest(*parts)


def add_cross_outputs(out: BuildOutputs, templates: Path, cache: BuildCache) -> BuildOutputs:
    """Fill ``out.cross`` with the cross-plan files of the plans of ``out``; returns ``out``.

    Every file is kept in the build cache's text store, and the last set made is remembered
    (``cross/last-set.pickle``: the :func:`_cross_key` of its cards and the store key of each
    file), so a build whose cards are those of the last one (a seed edit that leaves the plan's
    summary, tables, mentions and characters as they were) takes the whole set from there
    without making or reading anything (each file's stat is still checked,
    :meth:`plansite.cache.TextStore.stored`)."""
    started = time.monotonic()
    store = cache.text_store("cross")
    key = _cross_key(out.shared, out.cards)
    out.cross = _last_set(cache, store, key) if key is not None else None
    if out.cross is None:
        seen = _Seen(store)
        # the cards, registry and inputs are not scanned by each full collection, and the
        # collector runs rarely here as in `build.py build` (in `mkdocs build` too; the workers
        # inherit it): at 300 plans the default thresholds cost a fifth of the workers' CPU
        with gc_frozen(), rare_collections():
            texts = cross_outputs(out.cards, Path(templates).resolve(), out.registry, cache.jinja_dir,
                                  pages=seen, salt=out.shared)
        if key is not None:  # the texts made on every build too: stored, so the set is whole
            for path, text in texts.items():
                if isinstance(text, str) and seen.files({path: text}) == {}:
                    seen.put(digest(key, path), text)
        files = seen.files(texts)
        if key is not None and files.keys() == texts.keys():
            order = list(texts)
            names = {path: source.stem for path, (source, _, _) in files.items()}
            cache.put_object("cross", "last-set", (key, order, names))
        out.cross = CrossFiles(texts, files)
        del texts, seen, files  # the texts kept in the cache are read from there from now on
    store.prune()
    clash = {path for path, _ in out.plan_files} & out.cross.keys()
    if clash:
        raise PlansiteError.at("site_src/plans", 0, f"two sources for {sorted(clash)[0]}")
    out.seconds += time.monotonic() - started
    return out


def _last_set(cache: BuildCache, store, key: str) -> CrossFiles | None:
    """The cross-plan files remembered under ``key`` (see :func:`add_cross_outputs`), each still
    in ``store`` as written; ``None`` otherwise."""
    last = cache.get_object("cross", "last-set")
    if not (isinstance(last, tuple) and len(last) == 3 and last[0] == key):
        return None
    _, order, names = last
    files = {}
    for path in order:
        hit = store.stored(names[path])
        if hit is None:
            return None
        files[path] = (store.path(names[path]), *hit)
    return CrossFiles({path: None for path in order}, files)
