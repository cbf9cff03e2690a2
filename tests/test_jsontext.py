"""plansite.jsontext.indented writes the very text of json.dumps(…, ensure_ascii=False, indent=2)."""

from __future__ import annotations

import json
import random

import pytest

from plansite.jsontext import indented

SCALARS = ["", "a", "中文\"\\\n\t\u2028", "\x00\x1f", "😀", 0, -3, 10**20, 1.5, 1e16, 0.1, -0.0, 2.5e-8,
           float("nan"), float("inf"), float("-inf"), True, False, None]
KEYS = [["a", "b", "中", "", "z"], [1, 2, 30], [1.5, -2.5], [True, None, False]]


def _value(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 4 or r < 0.5:
        return rng.choice(SCALARS)
    if r < 0.75:
        items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return items if rng.random() < 0.8 else tuple(items)
    keys = rng.choice(KEYS)
    return {rng.choice(keys): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("sort_keys", [False, True])
def test_same_text_as_json_dumps(sort_keys):
    rng = random.Random(11)
    for _ in range(3000):
        value = _value(rng)
        try:
            expected = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=sort_keys)
        except TypeError:  # keys that cannot be sorted together (None and True)
            with pytest.raises(TypeError):
                indented(value, sort_keys)
            continue
        assert indented(value, sort_keys) == expected


def test_refuses_what_json_dumps_refuses():
    with pytest.raises(TypeError):
        indented({"a": {1, 2}})
    with pytest.raises(TypeError):
        indented({("a",): 1})
    with pytest.raises(TypeError):
        indented({"a": 1, 2: 3}, sort_keys=True)  # keys that cannot be sorted together
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        indented(loop)
