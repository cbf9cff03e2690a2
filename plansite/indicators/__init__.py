"""Indicator tables (指标表) of the plans: model (:mod:`.model`), cell parsing (:mod:`.values`),
loading (:mod:`.load`) and checks against the source (:mod:`.verify`).

Facts live in ``site_src/indicators/<slug>.yml`` (one file per plan, hand-checked against the
seed text ``seeds/<slug>.txt``) and in ``site_src/indicator_registry.yml`` (printed names →
canonical indicators). This package is the ONE place where their schema is checked.

YAML shape of ``site_src/indicators/<slug>.yml``::

    plan: cangshan-14th
    source: seeds/cangshan-14th.txt
    tables:
      - id: main                      # URL-safe, unique within the plan
        kind: targets                 # targets (基期值→目标值) | completion (规划目标 vs 完成情况)
        title: “十四五”时期主要经济社会发展指标    # as printed
        lines: [178, 198]             # 1-based source line range of the table
        base_year: 2020               # year of the baseline (基期) column (targets tables)
        target_year: 2025             # year of the target (目标值) / planned column
        columns: [类别, 指标, 单位, 2020年, 2025年, 年均增长/累计, 属性]   # header cells
        layout: {category: 0, name: 1, unit: 2, baseline: 3, target: 4, growth: 5, attribute: 6}
        footnotes: [{marker: "（1）", text: "...", line: 200}]
        rows:
          - line: 179                 # source line where the row starts
            lines: [179, 179]         # optional: first and last source line of the row
            extra_lines: [[598, 604]] # optional: lines of merged cells printed outside the row
            cells: [经济发展, 1.地区生产总值（GDP）, 亿元, "902.27", "1500", 8%, 预期性]
            seq: "1"                  # printed 序号 (or null; carried to sub-rows)
            category: 经济发展          # carried down from merged category cells
            name: 地区生产总值（GDP）    # printed name without numbering and markers
            subname: null             # second name cell of split rows (福州 14: 执业医师数)
            unit: 亿元
            baseline: {year: 2020, value: 902.27}
            target: {year: 2025, value: 1500}
            growth: {kind: annual, value: 8}
            attribute: expected       # expected 预期性 | binding 约束性 | null
            markers: ["[*]"]           # footnote markers printed in the row
            notes: ["2"]              # markers of table footnotes that concern this row

A *value* mapping has the keys ``year`` (int), ``value`` (number), ``text`` (printed text of a
text-only value, e.g. 完成省下达指标), ``qualifier`` (see :data:`QUALIFIERS`), ``cumulative``
(true when printed in ``[ ]``, a five-year total), ``unit`` (only when the printed unit differs
from the row's, e.g. 7.8亿元人民币), ``strive`` (true for 力争). Missing keys mean null/false.
A *growth* mapping has ``kind`` (annual 年均增长 | cumulative [累计]), ``value``, ``text``,
``qualifier``, ``strive``. Completion rows have ``planned`` and ``achieved``, each
``{value: <value>, growth: <growth>}``, and may have ``base`` (the value of the year before the
plan, e.g. 台江 表1 2015年). Targets tables of plans may also have ``past_growth`` (台商 "十三五"
年均增长). Proposal (建议) rows have ``quote`` (verbatim clause) and ``line`` instead of cells.

Every problem is reported as ``path:line: message`` (:class:`plansite.errors.Problem`).
"""

from .load import load_all_tables, load_registry, load_tables, load_yaml, parse_tables
from .model import (ATTRIBUTES, INDICATORS_DIR, QUALIFIERS, REGISTRY_PATH, Footnote, Growth, IndicatorRow,
                    IndicatorTable, Outcome, Registry, RegistryEntry, Value, table_dict_row)
from .values import parse_growth_cell, parse_value_cell, split_markers, split_numbering
from .verify import check_registry, check_row_cells, check_tables, checked_tables, read_source, stale_aliases

__all__ = [
    "ATTRIBUTES", "DIRECTIONS", "GROWTH_KINDS", "INDICATORS_DIR", "LAYOUT_FIELDS", "MEASURES", "QUALIFIERS",
    "REGISTRY_PATH", "TABLE_KINDS",
    "Footnote", "Growth", "IndicatorRow", "IndicatorTable", "Outcome", "Registry", "RegistryEntry", "Value",
    "check_registry", "check_row_cells", "check_tables", "checked_tables", "load_all_tables", "load_registry",
    "load_tables", "load_yaml", "parse_growth_cell", "parse_tables", "parse_value_cell", "read_source",
    "split_markers", "split_numbering", "stale_aliases", "table_dict_row",
]

_SCHEMA_NAMES = ("DIRECTIONS", "GROWTH_KINDS", "LAYOUT_FIELDS", "MEASURES", "TABLE_KINDS")


def __getattr__(name: str):
    """The enumerations of :mod:`plansite.indicator_schema`, re-exported on first use (importing
    pydantic takes a while, and a build whose inputs were validated before does not need it)."""
    if name in _SCHEMA_NAMES:
        from plansite import indicator_schema

        return getattr(indicator_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
