"""Indented JSON text, the very text of ``json.dumps(data, ensure_ascii=False, indent=2)``, faster.

The standard library encodes with indentation in pure Python, through a chain of generators
(its C encoder serves compact output only); the plan API and the indicator downloads are
indented, and encoding them was a tenth of the rendering of a plan. :func:`indented` writes the
same text by a plain recursion, strings escaped by the standard library's C string encoder.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # the C version when the _json accelerator is present

_INDENT = "  "


def indented(data, sort_keys: bool = False) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys)``, character for
    character (no trailing newline). ``data``: dicts, lists, tuples, str, int, float, bool and
    ``None``; raises ``TypeError`` on anything else or on a key that is not a str, number, bool
    or ``None``, and ``ValueError`` on a circular reference, as ``json.dumps`` does."""
    out: list[str] = []
    _write(data, out, "\n", sort_keys, set())
    return "".join(out)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


_LEAF = {str: encode_basestring, int: int.__repr__, float: _float, bool: lambda b: "true" if b else "false",
         type(None): lambda _: "null"}
"""Encoders of the scalars by exact type: written straight from their container's loop (most
values of the API are scalars; a call of :func:`_write` each cost more than its text)."""


def _write(value, out: list[str], newline: str, sort_keys: bool, open_: set[int]) -> None:
    """Append the JSON text of ``value`` to ``out``; ``newline`` is ``"\\n"`` plus the indentation
    of the line ``value`` starts on; ``open_`` the ids of the containers being written."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, (list, tuple, dict)):
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        if id(value) in open_:
            raise ValueError("Circular reference detected")
        open_.add(id(value))
        inner = newline + _INDENT
        leaf = _LEAF.get
        if isinstance(value, dict):
            out.append("{")
            items = sorted(value.items()) if sort_keys else value.items()
            for k, (key, item) in enumerate(items):
                head = ("," if k else "") + inner + encode_basestring(key if type(key) is str else _key(key)) + ": "
                encode = leaf(type(item))
                if encode is not None:
                    out.append(head + encode(item))
                else:
                    out.append(head)
                    _write(item, out, inner, sort_keys, open_)
            out.append(newline + "}")
        else:
            out.append("[")
            after = "," + inner
            for k, item in enumerate(value):
                encode = leaf(type(item))
                if encode is not None:
                    out.append((after if k else inner) + encode(item))
                else:
                    out.append(after if k else inner)
                    _write(item, out, inner, sort_keys, open_)
            out.append(newline + "]")
        open_.discard(id(value))
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
