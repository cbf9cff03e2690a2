"""Parsing of printed indicator cells (value, growth, markers, numbering), shared by the
drafting tool (``tools/draft_indicators.py``) and the consistency check."""

from __future__ import annotations

import re
from typing import Any



_NUM = r"-?\d+(?:\.\d+)?"
_MARKER_RE = re.compile(r"\s*(\[\*\]|\*)$")
_NUMBERING_RE = re.compile(r"^(\d+)[.．、]\s*")
_NONE_TEXTS = {"", "—", "-", "/", "－", "——"}
# compiled once (the checks parse every value cell of every plan: a pattern built per call is
# looked up in re's cache each time)
_NUMBER_WORDS_RE = re.compile(rf"({_NUM})\s*%?\s*(以上|左右|以内|以下)?\s*(\S*)")
_DIGIT_RE = re.compile(r"\d")
_TEXT_NUMBER_RE = re.compile(rf"[（(]({_NUM})%?(以上|左右)?[）)]$")


def split_markers(text: str) -> tuple[str, list[str]]:
    """Strip trailing footnote markers (``[*]``) from a cell: ``("3.5 [*]") → ("3.5", ["[*]"])``."""
    markers: list[str] = []
    while True:
        m = _MARKER_RE.search(text)
        if not m or m.group(0).strip() == text.strip():
            break
        markers.insert(0, m.group(1))
        text = text[: m.start()]
    return text.strip(), markers


def split_numbering(text: str) -> tuple[str | None, str]:
    """Split a printed ``1.地区生产总值`` into ``("1", "地区生产总值")``."""
    m = _NUMBERING_RE.match(text)
    if m:
        return m.group(1), text[m.end():].strip()
    return None, text.strip()


def _parse_number_words(s: str) -> dict[str, Any] | None:
    """Parse ``[超]>?number%?(以上|左右)?unit?`` forms; None if s is not such a form."""
    out: dict[str, Any] = {}
    if s.startswith("力争"):
        out["strive"] = True
        s = s[2:]
    cumulative = False
    prefix = None
    for p, q in (("超过", "above"), ("超", "above"), ("≥", "at_least"), ("≤", "at_most"),
                 (">", "above"), ("<", "below"), ("不高于", "at_most"), ("不低于", "at_least")):
        if s.startswith(p):
            prefix, s = q, s[len(p):]
            break
    if s.startswith("[") and s.endswith("]"):
        cumulative, s = True, s[1:-1].strip()
    m = _NUMBER_WORDS_RE.fullmatch(s)
    if not m:
        return None
    out["value"] = float(m.group(1))
    suffix = {"以上": "at_least", "左右": "about", "以内": "at_most", "以下": "at_most"}.get(
        m.group(2) or "")
    if prefix and suffix:
        return None
    if prefix or suffix:
        out["qualifier"] = prefix or suffix
    if cumulative:
        out["cumulative"] = True
    if m.group(3):
        if _DIGIT_RE.search(m.group(3)):
            return None
        out["unit"] = m.group(3)
    return out


def parse_value_cell(text: str) -> dict[str, Any] | None:
    """Parse a printed value cell into a value mapping (without ``year``), or None for an empty
    or no-data cell (``""``, ``—``, ``-``, ``/``).

    ``"1500"`` → ``{value: 1500}``; ``"60以上"`` → ``{value: 60, qualifier: at_least}``;
    ``"[60]"`` → ``{value: 60, cumulative: true}``; ``"7.8亿元人民币"`` → ``{value: 7.8,
    unit: 亿元人民币}``; ``"完成省下达指标（97%以上）"`` → ``{text: ..., value: 97,
    qualifier: at_least}``; any other text → ``{text: ...}``. Footnote markers must be stripped
    first (:func:`split_markers`)."""
    s = text.strip()
    if s in _NONE_TEXTS:
        return None
    parsed = _parse_number_words(s)
    if parsed is not None:
        return parsed
    out: dict[str, Any] = {"text": s}
    m = _TEXT_NUMBER_RE.search(s)
    if m:
        out["value"] = float(m.group(1))
        if m.group(2):
            out["qualifier"] = {"以上": "at_least", "左右": "about"}[m.group(2)]
    return out


def parse_growth_cell(text: str, default_kind: str = "annual") -> dict[str, Any] | None:
    """Parse a printed growth cell: ``"8%"``/``"8"`` → ``{kind: annual, value: 8}``,
    ``"[4.5]"`` → ``{kind: cumulative, value: 4.5}``, ``"2%以上"`` → ``{..., qualifier:
    at_least}``, ``"持平"`` → ``{kind: annual, text: 持平}``; None when empty or no data."""
    v = parse_value_cell(text)
    if v is None:
        return None
    out: dict[str, Any] = {"kind": "cumulative" if v.pop("cumulative", False) else default_kind}
    v.pop("unit", None)
    out.update(v)
    return out
