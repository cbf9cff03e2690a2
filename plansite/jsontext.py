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
    """A dict key as JSON writes it before encoding it as a string: a str as it is, an int, float,
    bool or ``None`` as its JSON text (:func:`_scalar`); ``TypeError`` for anything else."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (int, float)):  # (bool is an int)
        return _scalar(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


_LEAF = {str: encode_basestring, int: int.__repr__, float: _float,
         bool: {True: "true", False: "false"}.__getitem__, type(None): {None: "null"}.__getitem__}
"""Encoders of the scalars by exact type, every one a C function but for floats: written straight
from their container's loop (most values of the API are scalars; a call of :func:`_write` each
cost more than its text)."""


def _scalar(value) -> str:
    """The JSON text of a scalar ``value`` of any type (subclasses of str, int, float included);
    ``TypeError`` for anything else."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write(value, out: list[str], newline: str, sort_keys: bool, open_: set[int]) -> None:
    """Append the JSON text of ``value`` to ``out``; ``newline`` is ``"\\n"`` plus the indentation
    of the line ``value`` starts on; ``open_`` the ids of the containers being written. Each item
    of a container is one string appended (its separator, indentation, key and, for a scalar,
    value in one f-string)."""
    if not isinstance(value, (list, tuple, dict)):
        out.append(_scalar(value))
        return
    if not value:
        out.append("{}" if isinstance(value, dict) else "[]")
        return
    marker = id(value)
    if marker in open_:
        raise ValueError("Circular reference detected")
    open_.add(marker)
    inner = newline + _INDENT
    after = "," + inner
    sep = inner  # before the first item, then ``after``
    leaf = _LEAF.get
    encode = encode_basestring
    if isinstance(value, dict):
        out.append("{")
        for key, item in (sorted(value.items()) if sort_keys else value.items()):
            name = encode(key if type(key) is str else _key(key))
            write = leaf(type(item))
            if write is not None:
                out.append(f"{sep}{name}: {write(item)}")
            else:
                out.append(f"{sep}{name}: ")
                _write(item, out, inner, sort_keys, open_)
            sep = after
        out.append(newline + "}")
    else:
        out.append("[")
        for item in value:
            write = leaf(type(item))
            if write is not None:
                out.append(sep + write(item))
            else:
                out.append(sep)
                _write(item, out, inner, sort_keys, open_)
            sep = after
        out.append(newline + "]")
    open_.discard(marker)
