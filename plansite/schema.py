"""The editor files' schemas as pydantic v2 models, and their errors as ``path:line: message``.

One place defines what an editor file may hold; :func:`validate` checks a loaded file (the
:class:`plansite.yamlfile.LineDict` / ``LineList`` tree) against a model and maps each pydantic
error ``loc`` back to the file line it concerns. The JSON Schema files in ``site_src/schemas/``
are generated from these models by ``tools/schemas.py`` (a test keeps them equal), so editors'
YAML tools (the YAML language server) check and complete the files as they type.

Bounds every value obeys (the models are *strict*: ``"1"`` is not a number, ``true`` is not 1):

- years 1949–2100 (:data:`Year`); dates real calendar dates ``YYYY-MM-DD`` in those years or
  ``""`` (:data:`DateText`); line numbers 1–10,000,000 (and, checked by the loaders, within
  their file); numbers finite, |x| ≤ 10¹⁵ (no ``.nan`` / ``.inf``);
- text without control characters (form feed, CR, …; one-line fields have no line break or tab
  either), non-empty where a value is required, at most 300 characters (names) or 5,000 (cells,
  quotes, reasons); identifiers ``a-z0-9-``.

The plan metadata model is here; the indicator and registry models are in
:mod:`plansite.indicator_schema`.
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any, Callable, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationError,
                      model_validator)
from pydantic_core import PydanticCustomError

from .errors import Problem
from .vocabulary import KINDS, LEVELS  # noqa: F401 - re-exported

#: text without control characters (tab and line feed allowed)
NO_CONTROL = r"^[^\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]*$"
#: one-line text: no control character, line break or tab
ONE_LINE = r"^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$"
SHA256 = r"^[0-9a-f]{64}$"
IDENT = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE = r"^(\d{4}-\d{2}-\d{2})?$"
URL = r"^(https?://[^\s/?#]+[^\s]*)?$"
RELATIVE_PATH = r"^[^/\\\u0000-\u001f][^\\\u0000-\u001f]*$"
RULE = r"^[a-z]+(-[a-z]+)*$"
MAX_ERRORS = 50  #: problems reported per file at most (the rest are counted)

_PATTERN_MESSAGES = {
    NO_CONTROL: "holds a control character (such as a form feed or carriage return)",
    ONE_LINE: "holds a line break, tab or control character",
    SHA256: "must be 64 lowercase hex digits",
    IDENT: "must be lowercase letters, digits and single hyphens (a-z, 0-9, -)",
    DATE: "must be a date YYYY-MM-DD (or \"\" when unknown)",
    URL: "must be an http:// or https:// address (or \"\")",
    RELATIVE_PATH: "must be a path relative to the project root (e.g. seeds/x.txt)",
    RULE: "must be lowercase words joined by hyphens",
}


class StrictModel(BaseModel):
    """Base of every editor-file model: strict types, unknown fields refused, frozen.

    ``defer_build``: pydantic builds a model's validator on its first use, not at import, so a
    build that validates only an edited plan's metadata does not pay for the indicator and
    registry models (about 60 ms of the import, measured: see README "Speed")."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


def _real_date(value: str) -> str:
    if value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("not_a_date", "is not a real calendar date") from None
        if not 1949 <= day.year <= 2100:
            raise PydanticCustomError("not_a_date", "is outside the years 1949–2100")
    return value


def _ordered(pair: list[int]) -> list[int]:
    if pair[0] > pair[1]:
        raise PydanticCustomError("range_order", "is not a [first, last] range (first ≤ last)")
    return pair


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


Year = Annotated[int, Field(ge=1949, le=2100, description="a calendar year, 1949–2100")]
LineNo = Annotated[int, Field(ge=1, le=10_000_000, description="a 1-based line number")]
LineRange = Annotated[list[LineNo], Field(min_length=2, max_length=2,
                                          description="[first, last] line numbers, inclusive"),
                      AfterValidator(_ordered)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15, description="a finite number")]
Name = Annotated[str, Field(min_length=1, max_length=300, pattern=ONE_LINE), AfterValidator(_not_blank)]
Fact = Annotated[str, Field(max_length=300, pattern=ONE_LINE,
                            description='a fact from the document, or "" when unknown')]
ShortText = Annotated[str, Field(max_length=300, pattern=NO_CONTROL)]
LongText = Annotated[str, Field(max_length=5000, pattern=NO_CONTROL)]
Reason = Annotated[str, Field(min_length=1, max_length=5000, pattern=NO_CONTROL), AfterValidator(_not_blank)]
Ident = Annotated[str, Field(min_length=1, max_length=80, pattern=IDENT)]
DateText = Annotated[str, Field(max_length=10, pattern=DATE, description='YYYY-MM-DD, or "" when unknown'),
                     AfterValidator(_real_date)]
RelativePath = Annotated[str, Field(min_length=1, max_length=300, pattern=RELATIVE_PATH,
                                    description="a file inside the project, relative to its root")]


def _numbering_level(value: str) -> str:
    from .parser import levels as numbering  # read at run time: the parser may add levels

    if value not in numbering.LEVEL_ORDER:
        raise PydanticCustomError("level", "is not a numbering level ({levels})",
                                  {"levels": " ".join(numbering.LEVEL_ORDER)})
    return value


def _url(value: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise PydanticCustomError("url", "is not a valid web address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("url", "must be an http:// or https:// address")
    return value


NumberingLevel = Annotated[str, Field(min_length=1, max_length=10,
                                      description="a numbering level of plansite.parser.levels.LEVEL_ORDER "
                                                  "(篇, 章, 节, 一、, （一）, 1. …)"),
                           AfterValidator(_numbering_level)]


class PeriodModel(StrictModel):
    """The plan period in calendar years, ``start``–``end`` inclusive; ``vision`` the 远景 year."""

    start: Year
    end: Year
    vision: Year | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.start > self.end:
            raise PydanticCustomError("period", "start {start} is after end {end}",
                                      {"start": self.start, "end": self.end})
        if self.vision is not None and self.vision < self.end:
            raise PydanticCustomError("period", "vision {vision} is before end {end}",
                                      {"vision": self.vision, "end": self.end})
        return self


class DropModel(StrictModel):
    """Editor-recorded non-document lines of the seed: ``lines`` [first, last], ``rule`` a name
    (default ``editor``), ``reason`` shown on the plan page."""

    lines: LineRange
    rule: Annotated[str, Field(min_length=1, max_length=40, pattern=RULE)] = "editor"
    reason: Reason


class PlanModel(StrictModel):
    """``site_src/plans/<slug>.yml``: the facts of one plan the text may lack (editor-owned;
    unknown facts stay ``""``)."""

    model_config = ConfigDict(title="Plansite plan metadata (site_src/plans/<slug>.yml)")

    title: Annotated[Name, Field(description="full title as printed")]
    short_title: Annotated[Name, Field(description="short title for lists and navigation")]
    region: Name
    level: Literal[tuple(LEVELS)] = Field(description="administrative level: " + ", ".join(
        f"{k} ({v})" for k, v in LEVELS.items()))
    parent_region: Fact = ""
    period: PeriodModel
    kind: Literal[tuple(KINDS)] = Field(description="outline (规划纲要) or proposal (建议)")
    issuer: Fact = ""
    doc_number: Fact = ""
    approved_by: Fact = ""
    approved_on: DateText = ""
    issued_on: DateText = ""
    source: Annotated[RelativePath, Field(description="the seed file, e.g. seeds/<slug>.txt")]
    sha256: Annotated[str, Field(pattern=SHA256, description="sha256 of the seed file (sha256sum)")]
    source_url: Annotated[str, Field(max_length=500, pattern=URL,
                                     description='http(s) address of the official original, or ""'),
                          AfterValidator(lambda v: _url(v) if v else v)] = ""
    levels: list[NumberingLevel] = Field(default=[], max_length=20,
                                         description="numbering levels the document uses, top first "
                                                     "(detected when absent)")
    table_ranges: list[LineRange] = Field(default=[], max_length=1000,
                                          description="seed line ranges that are tables without tabs")
    drop: list[DropModel] = Field(default=[], max_length=1000)

    @model_validator(mode="after")
    def _checks(self):
        if len(set(self.levels)) != len(self.levels):
            raise PydanticCustomError("levels", "levels lists a numbering level twice")
        return self


class CorrectionModel(StrictModel):
    """One correction of a seed line: ``find`` → ``replace``, or ``insert`` a line before ``line``."""

    line: LineNo
    reason: Reason
    find: Annotated[str, Field(min_length=1, max_length=5000, pattern=ONE_LINE)] | None = None
    replace: Annotated[str, Field(max_length=5000, pattern=ONE_LINE)] | None = None
    insert: Annotated[str, Field(max_length=5000, pattern=ONE_LINE)] | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if self.insert is not None:
            if self.find is not None or self.replace is not None:
                raise PydanticCustomError("correction", "use either insert, or find and replace")
        elif self.find is None or self.replace is None:
            raise PydanticCustomError("correction", "a correction needs find and replace text (or insert)")
        return self


class CorrectionsModel(StrictModel):
    """``site_src/corrections/<slug>.yml``: recorded corrections applied to the seed at build time."""

    model_config = ConfigDict(title="Plansite corrections (site_src/corrections/<slug>.yml)")

    corrections: list[CorrectionModel] = Field(default=[], max_length=10_000)


# ---------------------------------------------------------------------------------------------
# errors → path:line: message


def shown_value(value: Any, limit: int = 40) -> str:
    """A short one-line rendering of an input value for messages: strings in double quotes with
    escapes (``"1500x"``), ``true``/``false``/``null``, others by ``repr``, cut at ``limit``."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = json.dumps(value if len(value) <= limit else value[:limit] + "…", ensure_ascii=False)
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "…"


_TYPES = {
    "int_type": "an integer", "float_type": "a number", "string_type": "text", "bool_type": "true or false",
    "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "int_from_float": "an integer", "int_parsing": "an integer",
}


def _message(err: dict, name: str) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = shown_value(value)
    subject = f"{name} {shown}" if name else shown
    if kind == "missing":
        return f"missing required field {name!r}"
    if kind == "extra_forbidden":
        return f"unknown field {name!r}"
    if kind in _TYPES:
        if not name:
            return f"expected {_TYPES[kind]}, not {shown}"
        if isinstance(value, (dict, list)) or value is None:
            return f"{name} must be {_TYPES[kind]}, not {shown}"
        return f"{subject} is not {_TYPES[kind]}"
    if kind == "finite_number":
        return f"{subject} is not a finite number"
    if kind == "literal_error":
        return f"{name} must be one of {ctx.get('expected', '?')}, not {shown}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{subject} is below the minimum {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{subject} is above the maximum {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "string_too_long":
        return f"{name} is longer than {ctx.get('max_length')} characters"
    if kind == "too_short" and ctx.get("min_length") == ctx.get("max_length", -1):
        return f"{name} must have {ctx.get('min_length')} items"
    if kind == "too_short":
        return f"{name} needs at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"{name} has more than {ctx.get('max_length')} items"
    if kind == "string_pattern_mismatch":
        return f"{subject} {_PATTERN_MESSAGES.get(ctx.get('pattern'), 'has the wrong form')}"
    if kind in ("not_a_date", "range_order", "blank", "level", "url"):
        return f"{subject} {err['msg']}"
    return f"{name}: {err['msg']}" if name else err["msg"]


#: how the items of a named list are called in messages: field → (label(index, raw item))
Labels = dict[str, Callable[[int, Any], str]]


def _locate(data: Any, loc: tuple, labels: Labels) -> tuple[int, str, str]:
    """``(line, where, name)`` of a pydantic ``loc`` in the loaded tree ``data``: the 1-based
    line of the deepest value reached, a prefix such as ``table main row 3`` for labelled lists,
    and the dotted field name below it (``target.value``, ``lines[0]``)."""
    line = getattr(data, "line", 0) or (1 if data is not None else 0)
    cur, where, name, last_key = data, [], "", None
    for seg in loc:
        if isinstance(seg, int):
            if last_key in labels and not name.count("."):
                item = cur[seg] if isinstance(cur, list) and seg < len(cur) else None
                where.append(labels[last_key](seg, item))
                name = ""
            else:
                name += f"[{seg}]"
            if isinstance(cur, list) and 0 <= seg < len(cur):
                line = cur.item_lines[seg] if hasattr(cur, "item_lines") else line
                cur = cur[seg]
            else:
                cur = None
        else:
            seg = str(seg)
            name = f"{name}.{seg}" if name else seg
            last_key = seg if name == seg else None
            if isinstance(cur, dict) and seg in cur:
                line = cur.line_of(seg) if hasattr(cur, "line_of") else line
                cur = cur[seg]
            else:
                line = getattr(cur, "line", line) if isinstance(cur, dict) else line
                cur = None
    return line, " ".join(where), name


def validate(model: type[StrictModel], data: Any, shown: str, labels: Labels | None = None):
    """``(instance or None, problems)``: ``data`` (a loaded YAML tree) validated by ``model``.

    Each pydantic error becomes one :class:`Problem` ``shown:line: message``, the line being
    that of the offending value (its mapping's line for a missing field); at most
    :data:`MAX_ERRORS` per file, then one line counting the rest.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    labels = labels or {}
    problems = []
    for err in errors[:MAX_ERRORS]:
        loc = tuple(err["loc"])
        if loc and loc[-1] == "[key]":  # a mapping key not allowed (an enumeration of keys)
            line, where, name = _locate(data, loc[:-1], labels)
            parent = name.rsplit(".", 1)[0] if "." in name else name
            message = f"{parent}: unknown key {shown_value(err.get('input'))}"
            problems.append(Problem(shown, line, f"{where}: {message}" if where else message))
            continue
        line, where, name = _locate(data, loc, labels)
        if err["type"] == "missing" and name:
            name = name.rsplit(".", 1)[-1]
        message = _message(err, name)
        problems.append(Problem(shown, line, f"{where}: {message}" if where else message))
    if len(errors) > MAX_ERRORS:
        problems.append(Problem(shown, 0, f"… and {len(errors) - MAX_ERRORS} more problems in this file"))
    return None, problems


def json_schemas() -> dict[str, dict]:
    """``{file name: JSON Schema}`` of every editor file, as published in ``site_src/schemas/``."""
    from .indicator_schema import IndicatorFileModel, RegistryModel

    out = {}
    for name, model in (("plan", PlanModel), ("corrections", CorrectionsModel),
                        ("indicators", IndicatorFileModel), ("indicator_registry", RegistryModel)):
        schema = model.model_json_schema(mode="validation")
        # draft-07: the version the YAML language server fully supports (pydantic's output uses
        # nothing newer; "$defs" is reached by JSON pointer)
        out[f"{name}.schema.json"] = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    return out


def schema_text(schema: dict) -> str:
    """The committed form of a JSON Schema: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


