"""Reading editor-owned YAML files so that every problem can name its file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import PlansiteError


class LineDict(dict):
    """A mapping read from YAML that remembers where it was: ``line`` (1-based line of the mapping)
    and ``key_lines`` (key → 1-based line where that key's value starts, which is where a
    problem with the value is reported)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        """1-based line of ``key`` in the file, or the mapping's own line when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence read from YAML with ``line`` (1-based) and ``item_lines`` (1-based line of each item)."""

    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = value_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings ("2021-01-14"): the site prints them as written and JSON has no date type.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path, display: str | None = None):
    """Parse the YAML file at ``path`` into :class:`LineDict` / :class:`LineList` / scalars.

    ``display`` is the path used in messages (default ``str(path)``). Raises :class:`PlansiteError`
    ``path:line: message`` when the file is missing or is not valid YAML.
    """
    shown = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlansiteError.at(shown, 0, f"cannot read file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise PlansiteError.at(shown, 0, f"not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark and exc.context_mark and mark.line >= len(text.splitlines()):
            mark = exc.context_mark  # an error at end of file is reported where the open construct began
        line = mark.line + 1 if mark else 0
        what = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise PlansiteError.at(shown, line, f"YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise PlansiteError.at(shown, 0, f"YAML syntax error: {exc}") from None
