"""Input checks made ahead on every core for :func:`plansite.check.validate_inputs`.

When many per-plan checks are not remembered (a clean build, ``build.py check``), each plan's
metadata, seed and corrections, and its indicator file against the registry, are checked in
forked workers first (:func:`plans_everywhere`, :func:`checked_tables_everywhere`: at least
:data:`PARALLEL_FROM` of them); :func:`plansite.check.validate_inputs` then takes those results
where it would have run the checks (:func:`take_ahead`, :func:`checked_table_file`), giving them
to its memo as if made there, so the problems come out the same and in the same order. The
checks of one indicator file (:func:`_parsed_tables`, :func:`_table_checks`) live here too, as
the workers and the building process run them alike.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from . import indicators
from .comparisons import group_tables
from .errors import PlansiteError, Problem
from .parallel import forks, ordered_map
from .plans import check_plan_file
from .sources import check_corrections, read_seed

#: at least this many plan files, or indicator files, to check (not remembered) before they are
#: checked on every core (:func:`plans_everywhere`, :func:`checked_tables_everywhere`); fewer
#: are checked in this process (forking costs more)
PARALLEL_FROM = 16

# Set before the workers fork (see plansite.parallel.ordered_map): root and registry.
_JOB: dict = {}


def _tables_job(job: tuple[str, str]) -> tuple:
    """Worker job of :func:`checked_tables_everywhere`: ``(slug, kind, value)`` of
    :func:`_tables_result` for ``(slug, expected source)``."""
    slug, source = job
    return (slug, *_tables_result(_JOB["root"], _JOB["registry"], slug, source))


def _tables_result(root: Path, registry, slug: str, source: str, seed: list[str] | None = None) -> tuple:
    """The two checks of :func:`plansite.check._check_indicators` (:func:`_parsed_tables`, then
    :func:`_table_checks`) of ``slug``'s indicator file against its plan's ``source`` (``seed``:
    its lines when read already), made ahead in a worker, as ``("ok", (pickle of (parsed, []),
    row names, groups))`` when clean (the row names as :func:`plansite.check._check_indicators`
    collects them, the groups those of :func:`plansite.comparisons.group_tables`: the building process then
    need not unpickle the tables at all), ``("bad", (parsed, problems, pickle or None))`` when
    not (the pickle of ``(parsed, [])`` when the schema check alone was clean: remembered as
    here), ``("raise", problems)`` when it raised :class:`PlansiteError`."""
    try:
        parsed, schema_problems = _parsed_tables(root, slug)
        _, found = _table_checks(root, slug, registry, source, parsed, schema_problems, seed=seed)
    except PlansiteError as exc:
        return "raise", exc.problems
    blob = None if schema_problems else pickle.dumps((parsed, []), protocol=pickle.HIGHEST_PROTOCOL)
    if found:
        return "bad", (parsed, found, blob)
    return "ok", (blob, row_names(parsed[0]), group_tables(slug, parsed[0], registry))


class _Recorder:
    """The memo a worker of :func:`plans_everywhere` gives the plan and corrections checks: it
    runs every validator and records each call as ``(kind, key, files read, result)``, so that
    the building process remembers those inner results too (:func:`take_ahead`), as it would have
    had it run the check itself with its :class:`plansite.checkmemo.CheckMemo` (a plan's
    ``plan-fields``: without it the first edit of each plan after a clean build imports pydantic
    again)."""

    def __init__(self):
        self.calls: list[tuple] = []

    def call(self, kind, key, reads, fn, *args, **kwargs):
        result = fn(*args, **kwargs)
        self.calls.append((kind, key, list(reads(result)), result))
        return result


def _plan_job(path: Path) -> dict:
    """Worker job of :func:`plans_everywhere`: what :func:`plansite.check.validate_inputs`
    computes for the plan file ``path`` in its first loop — ``{"plan": check_plan_file result, "seed": number of the
    seed's lines, "corrections": check_corrections result}``, each ``("ok", value, inner calls)``
    (the :class:`_Recorder` calls made on the way) or ``("raise", problems)`` (a
    :class:`PlansiteError`), stopping where the loop would — and, when the plan has an indicator
    file (its slug in ``_JOB["tables"]``) and its corrections did not raise, ``"tables": (source,
    kind, value)``: :func:`_tables_result` against the seed lines read here (what
    :func:`plansite.check._check_indicators` would check later in a second pool, reading the
    seed again)."""
    root = _JOB["root"]
    out: dict = {}
    record = _Recorder()
    try:
        plan, problems = check_plan_file(root, path, memo=record)
    except PlansiteError as exc:
        out["plan"] = ("raise", exc.problems)
        return out
    out["plan"] = ("ok", (plan, problems), record.calls)
    if plan is None:
        return out
    try:
        lines = read_seed(root, plan)
    except PlansiteError as exc:
        out["seed"] = ("raise", exc.problems)
        return out
    out["seed"] = ("ok", len(lines), [])
    record = _Recorder()
    try:
        out["corrections"] = ("ok", check_corrections(root, plan, lines, memo=record), record.calls)
    except PlansiteError as exc:
        out["corrections"] = ("raise", exc.problems)
        return out
    if plan.slug in _JOB.get("tables", ()):
        out["tables"] = (plan.source, *_tables_result(root, _JOB["registry"], plan.slug, plan.source, seed=lines))
    return out


def _load_schemas() -> None:
    """Import the schema modules (and so pydantic) in this process before the validation workers
    fork, and build the validators of the models they use (``defer_build``: built on first use;
    the first build also loads pydantic's plugin machinery, ``importlib.metadata``): the workers
    inherit them instead of each importing and building them again (0.11-0.13 s of CPU per
    worker before, 0.03 s after, measured at 100 plans). Called only when the pool is used: a
    build whose checks are all remembered, or few, does not import pydantic."""
    from . import indicator_schema, schema
    for model in (schema.PlanModel, schema.CorrectionsModel, indicator_schema.IndicatorFileModel):
        model.model_rebuild()


def _every_core(job, jobs: list, **shared) -> list:
    """``[job(j) for j in jobs]`` computed in forked workers (:func:`plansite.parallel.ordered_map`,
    results in the order of ``jobs``), the workers finding ``shared`` in :data:`_JOB`; ``[]``
    when there are fewer than :data:`PARALLEL_FROM` jobs (forking costs more: the caller then
    runs each check where it uses it)."""
    if len(jobs) < PARALLEL_FROM:
        return []
    if forks(len(jobs)):  # (the workers find the validators made)
        _load_schemas()
    _JOB.update(shared)
    try:
        return list(ordered_map(job, jobs))
    finally:
        _JOB.clear()


def plans_everywhere(root: Path, paths_: list[Path], registry, tables: set[str]) -> dict[Path, dict]:
    """``{plan file: _plan_job result}`` for the plan files ``paths_``, checked on every core when
    there are at least :data:`PARALLEL_FROM` of them; empty otherwise (each is then checked where
    it is used). Each plan file, its seed, its corrections and its indicator file are
    independent of the others'. The indicator files (``tables``: the slugs that have one) are
    checked in the same jobs (one pool, the seed read once) against ``registry``, the one
    :func:`plansite.check._check_indicators` uses."""
    if len(paths_) < PARALLEL_FROM:
        return {}
    return dict(zip(paths_, _every_core(_plan_job, paths_, root=root, registry=registry, tables=tables)))


def take_ahead(done: dict, name: str, fn, memo=None):
    """A zero-argument callable: the result ``name`` of ``done`` (a :func:`_plan_job` result)
    when there is one (raising its problems as :class:`PlansiteError` when it raised; its inner
    calls given to ``memo`` first, as if made here), else ``fn()``."""
    def call():
        hit = done.pop(name, None)
        if hit is None:
            return fn()
        if hit[0] == "raise":
            raise PlansiteError(hit[1])
        _, value, inner = hit
        if memo is not None:
            for kind, key, reads, result in inner:
                memo.call(kind, key, lambda r, reads=reads: reads, lambda result=result: result)
        return value
    return call


def row_names(tables: list) -> frozenset:
    """The row names (keys) of a plan's indicator ``tables``."""
    return frozenset(r.key for t in tables for r in t.rows)


def checked_tables_everywhere(root: Path, registry, jobs: list[tuple[str, str]],
                               ahead: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """``{slug: (kind, value)}`` of :func:`_tables_job` for every ``(slug, expected source)`` of
    ``jobs``: taken from ``ahead`` (``{slug: (source, kind, value)}`` found by the plan jobs,
    :func:`_plan_job`) when checked there against the same source, the others checked on every
    core (:func:`plansite.parallel.ordered_map`) when there are at least :data:`PARALLEL_FROM` of
    them, else left out (each is then checked where it is used). The plans' indicator files
    are independent of each other: only the results' order (the problems' order) matters, and
    it is kept by the caller's loop."""
    ahead = ahead or {}
    found = {slug: ahead[slug][1:] for slug, source in jobs if slug in ahead and ahead[slug][0] == source}
    rest = [job for job in jobs if job[0] not in found]
    found.update((slug, (kind, value)) for slug, kind, value in
                 _every_core(_tables_job, rest, root=root, registry=registry))
    return found


def checked_table_file(done: dict[str, tuple], slug: str, memo, source: str, registry, shown: str, reads: list,
             root: Path) -> tuple:
    """``(parsed, problems)`` of ``slug``'s indicator file: its schema check (``table-file``,
    :func:`_parsed_tables`, remembered by the file alone) and its checks against the seed and the
    registry (``table-checks``, :func:`_table_checks`, remembered by ``reads``), through ``memo``;
    ``parsed`` may be a callable (a remembered value, unpickled on first use). The result already
    computed in ``done`` (see :func:`checked_tables_everywhere`) is taken when there is one, and
    remembered as if computed here; ``done[slug]`` is then replaced by ``(row names, groups)`` of
    a clean result, removed otherwise."""
    hit = done.pop(slug, None)
    if hit is None:
        parsed, schema_problems = memo.call_lazy("table-file", (slug,), lambda r, shown=shown: [shown],
                                                 _parsed_tables, root, slug)
        _, found = memo.call("table-checks", (slug, source, registry is None), lambda r, reads=reads: reads,
                             _table_checks, root, slug, registry, source, parsed, schema_problems)
        return parsed, found
    kind, value = hit
    if kind == "raise":
        raise PlansiteError(value)
    if kind == "bad":
        parsed, found, blob = value
        if blob is not None:  # the schema check was clean: remembered, as a check made here would be
            memo.call_pickled("table-file", (slug,), lambda r, shown=shown: [shown], blob)
        return parsed, found
    blob, names, groups = value
    done[slug] = (names, groups)
    parsed, _ = memo.call_pickled("table-file", (slug,), lambda r, shown=shown: [shown], blob)
    memo.call("table-checks", (slug, source, registry is None), lambda r, reads=reads: reads, lambda: (True, []))
    return parsed, []


def _parsed_tables(root: Path, slug: str) -> tuple[tuple[list, int], list[Problem]]:
    """``((tables, line of source:), problems)`` of :func:`plansite.indicators.parse_tables`, the
    shape :class:`plansite.checkmemo.CheckMemo` remembers when there are no problems. Raises
    :class:`PlansiteError` as that does (a file that cannot be read as YAML)."""
    tables, problems, line = indicators.parse_tables(root, slug)
    return (tables, line), problems


def _value(parsed):
    """A remembered value given as a callable (:meth:`plansite.checkmemo.CheckMemo.call_lazy`), called."""
    return parsed() if callable(parsed) else parsed


def _table_checks(root: Path, slug: str, registry, source: str, parsed, schema_problems: list[Problem],
                  seed: list[str] | None = None):
    """``(True, problems)``: the checks of :func:`plansite.indicators.checked_tables` on the tables
    parsed already (``parsed`` as :func:`_parsed_tables` gives it, possibly to be called);
    ``seed``: the lines of ``source`` when read already (:func:`plansite.sources.read_seed`)."""
    tables, line = _value(parsed)
    given = (tables, list(schema_problems), line)
    return True, indicators.checked_tables(root, slug, registry, expected_source=source, seed=seed,
                                           parsed=given)[1]
