"""Schemas of the indicator files (``site_src/indicators/<slug>.yml``) and the indicator registry
(``site_src/indicator_registry.yml``) as pydantic v2 models; see :mod:`plansite.indicators` for
the meaning of every field and :mod:`plansite.schema` for the common types and bounds.

The models check each value on its own (types, bounds, enumerations); the checks that relate
fields (a row inside its table's lines, cells matching the columns, ids unique) and the checks
against the seed and the registry stay in :mod:`plansite.indicators`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .schema import (IDENT, LineNo, LineRange, LongText, Name, Number, RelativePath, ShortText,
                     StrictModel, Year)
from .schema import validate  # noqa: F401 - re-exported: the indicator loaders use schema.validate

TABLE_KINDS = ("targets", "completion")
GROWTH_KINDS = ("annual", "cumulative")
ATTRIBUTE_CODES = ("expected", "binding")
#: qualifier codes (see plansite.indicators.QUALIFIERS for the printed words)
QUALIFIER_CODES = ("about", "at_least", "above", "at_most", "below")
DIRECTIONS = ("higher", "lower")
MEASURES = ("level", "rate", "share", "count", "other")
LAYOUT_FIELDS = (
    "seq", "category", "name", "subname", "unit", "baseline", "target", "growth", "past_growth",
    "base", "planned_value", "planned_growth", "achieved_value", "achieved_growth", "attribute",
)

Ident = Annotated[str, Field(min_length=1, max_length=80, pattern=IDENT)]
Cell = Annotated[LongText, Field(description="a printed cell, verbatim")]


class _Amount(StrictModel):
    @model_validator(mode="after")
    def _value_or_text(self):
        if self.value is None and self.text is None:
            raise PydanticCustomError("amount", "has neither value nor text")
        return self


class ValueModel(_Amount):
    """A parsed value cell: ``value`` (number) and/or ``text``; ``year`` it refers to."""

    year: Year | None = None
    value: Number | None = None
    text: ShortText | None = None
    qualifier: Literal[QUALIFIER_CODES] | None = None
    cumulative: bool = False
    unit: Name | None = None
    strive: bool = False


class GrowthModel(_Amount):
    """A parsed growth cell: ``kind`` annual (年均增长) or cumulative ([累计])."""

    kind: Literal[GROWTH_KINDS]
    value: Number | None = None
    text: ShortText | None = None
    qualifier: Literal[QUALIFIER_CODES] | None = None
    strive: bool = False


class OutcomeModel(StrictModel):
    """The planned or achieved side of a completion row."""

    value: ValueModel | None = None
    growth: GrowthModel | None = None


class FootnoteModel(StrictModel):
    """A table footnote as printed, at seed ``line`` (to ``last_line``)."""

    marker: Name
    text: LongText
    line: LineNo
    last_line: LineNo | None = None


class RowModel(StrictModel):
    """One row of a table (``cells`` verbatim) or one target of a proposal (``quote``)."""

    line: LineNo
    lines: LineRange | None = None
    extra_lines: list[LineRange] = Field(default=[], max_length=100)
    cells: list[Cell] = Field(default=[], max_length=100)
    seq: ShortText | None = None
    category: ShortText | None = None
    name: Name
    subname: ShortText | None = None
    unit: ShortText | None = None
    baseline: ValueModel | None = None
    target: ValueModel | None = None
    growth: GrowthModel | None = None
    past_growth: GrowthModel | None = None
    base: ValueModel | None = None
    planned: OutcomeModel | None = None
    achieved: OutcomeModel | None = None
    attribute: Literal[ATTRIBUTE_CODES] | None = None
    markers: list[Name] = Field(default=[], max_length=20)
    notes: list[Name] = Field(default=[], max_length=20)
    quote: LongText | None = None
    note: LongText | None = None


class TableModel(StrictModel):
    """One indicator table of a plan."""

    id: Ident
    kind: Literal[TABLE_KINDS]
    title: Name
    lines: LineRange
    base_year: Year | None = None
    target_year: Year | None = None
    columns: list[Annotated[ShortText, Field(description="a header cell")]] = Field(default=[], max_length=100)
    layout: dict[Literal[LAYOUT_FIELDS], Annotated[int, Field(ge=0, le=99)]] = {}
    footnotes: list[FootnoteModel] = Field(default=[], max_length=100)
    rows: list[RowModel] = Field(max_length=2000)


class IndicatorFileModel(StrictModel):
    """``site_src/indicators/<slug>.yml``: the indicator tables of one plan."""

    model_config = ConfigDict(title="Plansite indicator tables (site_src/indicators/<slug>.yml)")

    plan: Annotated[Ident, Field(description="the plan's slug (the file name)")]
    source: Annotated[RelativePath, Field(description="the plan's seed file, as in its metadata")]
    tables: list[TableModel] = Field(max_length=100)


class RegistryEntryModel(StrictModel):
    """A canonical indicator and the printed names (aliases) that mean it."""

    id: Ident
    name: Name
    name_en: Name
    unit: Name | None = None
    direction: Literal[DIRECTIONS]
    measure: Literal[MEASURES]
    aliases: list[Name] = Field(min_length=1, max_length=100)
    definition: LongText | None = Field(default=None,
                                   description="what the indicator measures, in Chinese, for readers")
    definition_source: LongText | None = Field(default=None,
                                          description="where the definition comes from")
    growth_of: Ident | None = Field(default=None, description="id of the level indicator this is the growth rate of")
    real_growth: bool = Field(default=False, description="the growth rate is at comparable (constant) prices")


class RegistryModel(StrictModel):
    """``site_src/indicator_registry.yml``: canonical indicators across plans."""

    model_config = ConfigDict(title="Plansite indicator registry (site_src/indicator_registry.yml)")

    indicators: list[RegistryEntryModel] = Field(max_length=10_000)
