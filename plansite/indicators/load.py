"""Loading the indicator files and the registry: the schema (:mod:`plansite.indicator_schema`),
then the checks that relate fields; every problem is ``path:line: message``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from plansite import paths, yamlfile
from plansite.errors import PlansiteError, Problem
from plansite.yamlfile import LineDict, LineList

if TYPE_CHECKING:  # imported where a file is validated: pydantic takes a while to import
    from plansite import indicator_schema as schema

from .model import (INDICATORS_DIR, REGISTRY_PATH, Footnote, Growth, IndicatorRow, IndicatorTable, Outcome,
                    Registry, RegistryEntry, Value)



def _rel(root: Path, path: Path) -> str:
    return paths.shown_path(root, path)


def load_yaml(root: Path, path: Path) -> Any:
    """Load a YAML file keeping line numbers (see :mod:`plansite.yamlfile`), its path shown
    relative to ``root``; the file must lie inside ``root``. Raises :class:`PlansiteError`
    ``path:line: message`` for a missing file, a syntax error or input past a limit."""
    return yamlfile.load_yaml(path, _rel(root, path), root=root)


def _value(m: schema.ValueModel | None) -> Value | None:
    return None if m is None else Value(year=m.year, value=m.value, text=m.text, qualifier=m.qualifier,
                                        cumulative=m.cumulative, unit=m.unit, strive=m.strive)


def _growth(m: schema.GrowthModel | None) -> Growth | None:
    return None if m is None else Growth(kind=m.kind, value=m.value, text=m.text, qualifier=m.qualifier,
                                         strive=m.strive)


def _outcome(m: schema.OutcomeModel | None) -> Outcome | None:
    return None if m is None else Outcome(value=_value(m.value), growth=_growth(m.growth))


def _row(m: schema.RowModel, raw: LineDict, table: IndicatorTable, where: str,
         add) -> IndicatorRow:
    """The row of model ``m``; ``add(line, message)`` receives the problems relating its fields."""
    lines = tuple(m.lines) if m.lines else (m.line, m.line)
    if lines[0] != m.line:
        add(raw.line_of("lines"), f"{where}lines {list(lines)!r} do not start at line {m.line}")
    row = IndicatorRow(
        line=m.line, lines=lines, cells=list(m.cells), name=m.name, seq=m.seq, category=m.category,
        subname=m.subname, unit=m.unit, baseline=_value(m.baseline), target=_value(m.target),
        growth=_growth(m.growth), past_growth=_growth(m.past_growth), base=_value(m.base),
        planned=_outcome(m.planned), achieved=_outcome(m.achieved), attribute=m.attribute,
        markers=list(m.markers), notes=list(m.notes), extra_lines=[tuple(p) for p in m.extra_lines],
        quote=m.quote, note=m.note, yaml_line=raw.line)
    wrong = ("baseline", "target", "growth") if table.kind == "completion" else ("planned", "achieved")
    for k in wrong:
        if getattr(m, k) is not None:
            add(raw.line_of(k), f"{where}{k} belongs to "
                                + ("targets tables; completion rows use planned/achieved"
                                   if table.kind == "completion" else "completion tables"))
    if table.columns and row.cells and len(row.cells) != len(table.columns):
        add(raw.line_of("cells"), f"{where}{len(row.cells)} cells but the table has "
                                  f"{len(table.columns)} columns")
    if not row.cells and row.quote is None:
        add(raw.line, f"{where}needs cells (a printed table row) or quote (a sentence)")
    for v, k in ((row.baseline, "baseline"), (row.target, "target")):
        if v is not None and v.value is not None and v.year is None:
            add(raw[k].line, f"{where}{k}.year is missing")
    if table.lines[0] > row.line or row.lines[1] > table.lines[1]:
        add(raw.line_of("line"), f"{where}line {row.line} is outside the table's lines {list(table.lines)}")
    return row


def _table(m: schema.TableModel, raw: LineDict, plan: str, source: str, shown: str, ids: dict,
           add) -> IndicatorTable:
    where = f"table {m.id}: "
    if m.id in ids:
        add(raw.line_of("id"), f"{where}duplicate table id {m.id!r} (first at line {ids[m.id]})")
    ids.setdefault(m.id, raw.line_of("id"))
    for k, v in m.layout.items():
        if v >= max(len(m.columns), 1):
            add(raw["layout"].line_of(k), f"{where}layout.{k} {v} is not a column index")
    table = IndicatorTable(
        plan=plan, id=m.id, kind=m.kind, title=m.title, lines=tuple(m.lines), columns=list(m.columns),
        layout=dict(m.layout), rows=[], footnotes=[Footnote(f.marker, f.text, f.line, f.last_line)
                                                   for f in m.footnotes],
        base_year=m.base_year, target_year=m.target_year, source=source, path=shown, yaml_line=raw.line)
    for i, (row, row_raw) in enumerate(zip(m.rows, raw["rows"])):
        table.rows.append(_row(row, row_raw, table, f"table {m.id} row {i + 1}: ", add))
    return table


_LABELS = {"tables": lambda i, item: f"table {item.get('id') if isinstance(item, dict) and isinstance(item.get('id'), str) else i + 1}",
           "rows": lambda i, item: f"row {i + 1}"}


def parse_tables(root: Path, slug: str) -> tuple[list[IndicatorTable], list[Problem], int]:
    """Tables, problems and the line of ``source:`` of ``site_src/indicators/<slug>.yml``."""
    from plansite import indicator_schema as schema

    path = root / INDICATORS_DIR / f"{slug}.yml"
    shown = _rel(root, path)
    data = load_yaml(root, path)
    model, problems = schema.validate(schema.IndicatorFileModel, data, shown, _LABELS)
    if model is None:
        model, data = _salvage(data)
        if model is None:
            return [], problems, 0

    def add(line: int, message: str) -> None:
        problems.append(Problem(shown, line, message))

    if model.plan != slug:
        add(data.line_of("plan"), f"plan {model.plan!r} does not match the file name {slug!r}")
    ids: dict = {}
    tables = [_table(t, t_raw, slug, model.source, shown, ids, add)
              for t, t_raw in zip(model.tables, data["tables"])]
    return tables, problems, data.line_of("source")


def _valid(model, raw) -> bool:
    try:
        model.model_validate(raw)
        return True
    except ValueError:
        return False


def _salvage(data: Any):
    """``(model, data)`` of the tables and rows of an invalid indicator file that are valid on
    their own (their problems are reported already), so that the checks against the seed and
    the registry still run on them; ``(None, data)`` when nothing can be kept."""
    from plansite import indicator_schema as schema

    if not (isinstance(data, LineDict) and isinstance(data.get("tables"), list)):
        return None, data
    kept = LineList()
    kept.line, kept.item_lines = data["tables"].line, []
    for raw, line in zip(data["tables"], data["tables"].item_lines):
        if isinstance(raw, LineDict) and not _valid(schema.TableModel, raw) and isinstance(raw.get("rows"), list):
            rows = LineList(r for r in raw["rows"] if _valid(schema.RowModel, r))
            rows.line = raw["rows"].line
            rows.item_lines = [n for r, n in zip(raw["rows"], raw["rows"].item_lines) if _valid(schema.RowModel, r)]
            copy = LineDict(raw)
            copy.line, copy.key_lines = raw.line, raw.key_lines
            copy["rows"] = rows
            raw = copy
        if _valid(schema.TableModel, raw):
            kept.append(raw)
            kept.item_lines.append(line)
    copy = LineDict(data)
    copy.line, copy.key_lines = data.line, data.key_lines
    copy["tables"] = kept
    try:
        return schema.IndicatorFileModel.model_validate(copy), copy
    except ValueError:
        return None, data


def load_tables(root: Path, slug: str) -> list[IndicatorTable]:
    """Load and schema-check ``site_src/indicators/<slug>.yml`` under ``root``.

    Returns the plan's tables in file order. Raises :class:`PlansiteError` whose problems are
    ``path:line: message`` lines (YAML syntax errors included). Does not read the seed; see
    :func:`check_tables` for the checks against the source and the registry."""
    tables, problems, _ = parse_tables(Path(root), slug)
    if problems:
        raise PlansiteError(problems)
    return tables


def load_all_tables(root: Path) -> dict[str, list[IndicatorTable]]:
    """``{slug: tables}`` for every ``site_src/indicators/*.yml``, sorted by slug."""
    d = Path(root) / INDICATORS_DIR
    return {p.stem: load_tables(root, p.stem) for p in sorted(d.glob("*.yml"))}


_REGISTRY_LABELS = {"indicators": lambda i, item: f"indicator {item.get('id') if isinstance(item, dict) and isinstance(item.get('id'), str) else i + 1}"}


def load_registry(root: Path) -> Registry:
    """Load and schema-check ``site_src/indicator_registry.yml``
    (:class:`plansite.indicator_schema.RegistryModel`).

    Shape: ``indicators: [{id, name, name_en, unit, direction, measure, aliases: [...],
    definition?, definition_source?, growth_of?, real_growth?}]``.
    Raises :class:`PlansiteError` (``path:line: message``) on any problem, including duplicate
    ids and an alias claimed by two entries."""
    from plansite import indicator_schema as schema

    root = Path(root)
    path = root / REGISTRY_PATH
    shown = _rel(root, path)
    data = load_yaml(root, path)
    model, problems = schema.validate(schema.RegistryModel, data, shown, _REGISTRY_LABELS)
    if model is None:
        raise PlansiteError(problems)
    entries: list[RegistryEntry] = []
    seen_ids: dict[str, int] = {}
    seen_alias: dict[str, str] = {}
    for m, raw in zip(model.indicators, data["indicators"]):
        w = f"indicator {m.id}: "
        if m.id in seen_ids:
            problems.append(Problem(shown, raw.line_of("id"), f"{w}duplicate id (first at line {seen_ids[m.id]})"))
        seen_ids.setdefault(m.id, raw.line_of("id"))
        for a in m.aliases:
            if a in seen_alias and seen_alias[a] != m.id:
                problems.append(Problem(shown, raw.line_of("aliases"), f"{w}alias {a!r} already belongs to "
                                                                        f"{seen_alias[a]}"))
            seen_alias.setdefault(a, m.id)
        entries.append(RegistryEntry(id=m.id, name=m.name, name_en=m.name_en, unit=m.unit,
                                     direction=m.direction, measure=m.measure, aliases=list(m.aliases),
                                     yaml_line=raw.line, definition=m.definition,
                                     definition_source=m.definition_source, growth_of=m.growth_of,
                                     real_growth=m.real_growth))
    for e in entries:
        if e.growth_of is not None and (e.growth_of not in seen_ids or e.growth_of == e.id):
            problems.append(Problem(shown, e.yaml_line, f"indicator {e.id}: growth_of {e.growth_of!r} is not "
                                                        "another indicator's id"))
    if problems:
        raise PlansiteError(problems)
    return Registry(entries, path=shown)
