"""Reading editor-owned YAML files safely, so that every problem names its file and line.

Safe against hostile input: only the YAML safe types are built (no Python objects), and the
loader refuses, each with one ``path:line: message`` line,

- files over :data:`MAX_BYTES`, text that is not UTF-8;
- nesting deeper than :data:`MAX_DEPTH` (the composer is iterative: no recursion, no crash);
- documents whose expanded size, counting every alias as a copy of its anchor (alias bombs:
  nested lists of aliases), exceeds :data:`MAX_NODES` nodes; aliases to an unfinished node
  (recursive structures);
- scalars longer than :data:`MAX_SCALAR` characters; mapping keys that are not text
  (``{a: 1}: b``, ``1: x``, ``yes: x``) and duplicate keys;
- values a tag cannot convert (``!!float abc``, ``!!int x``, a 5,000-digit integer).

Parsing uses libyaml's C parser (``yaml.CParser``) when PyYAML was built with it, else the
pure-Python parser; both give the same events, values and line numbers. Dates stay strings
(``"2021-01-14"``): the implicit timestamp type is disabled.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from . import paths
from .errors import PlansiteError

MAX_BYTES = 1_048_576      #: largest editor file read (bytes); the biggest real one is ~24 KB
MAX_DEPTH = 32             #: deepest nesting of mappings/sequences (real files: 6)
MAX_NODES = 100_000        #: largest document, aliases expanded (real files: < 2,500 nodes)
MAX_SCALAR = 10_000        #: longest scalar (characters)


class LineDict(dict):
    """A mapping read from YAML that remembers where it was: ``line`` (1-based line of the mapping)
    and ``key_lines`` (key → 1-based line where that key's value starts, which is where a
    problem with the value is reported)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        """1-based line of ``key`` in the file, or the mapping's own line when the key is absent."""
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    """A sequence read from YAML with ``line`` (1-based) and ``item_lines`` (1-based line of each item)."""

    line: int = 0
    item_lines: list


def tree_key(value) -> tuple:
    """A loaded YAML tree as nested tuples naming each value's type, for remembering what a pure
    function of the tree returned (:mod:`plansite.checkmemo`): ``1``, ``"1"``, ``True`` and
    ``1.0`` differ, as they do to the strict schemas; the order of keys is kept. Line numbers
    are not part of it."""
    if isinstance(value, dict):
        return ("map", tuple((tree_key(k), tree_key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("seq", tuple(tree_key(v) for v in value))
    return (type(value).__qualname__, value)


class _Refused(Exception):
    """A limit or type problem found while loading: ``line`` (1-based) and a message."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


try:
    from yaml.cyaml import CParser as _ParserBase
except ImportError:  # PyYAML built without libyaml
    _ParserBase = None


def _parser_classes():
    if _ParserBase is not None:
        return (_ParserBase,)
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    return (Reader, Scanner, Parser)


class _Loader(*_parser_classes(), SafeConstructor, Resolver):
    """Events from libyaml (or PyYAML's parser), composed by :meth:`compose_limited`, built by
    the safe constructor into :class:`LineDict` / :class:`LineList` / scalars."""

    def __init__(self, stream):
        if _ParserBase is not None:
            _ParserBase.__init__(self, stream)
        else:
            from yaml.parser import Parser
            from yaml.reader import Reader
            from yaml.scanner import Scanner

            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_limited(self):
        """The single document's root node (or ``None`` for an empty file), composed without
        recursion; raises :class:`_Refused` past the limits."""
        self.get_event()  # StreamStart
        if self.check_event(yaml.StreamEndEvent):
            return None
        self.get_event()  # DocumentStart
        anchors: dict[str, tuple[object, int]] = {}
        stack: list[list] = []       # [node, anchor, size so far]
        root = None
        while True:
            event = self.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise _Refused(line, f"YAML alias *{event.anchor} has no anchor before it")
                node, size = anchors[event.anchor]
                if size < 0:
                    raise _Refused(line, f"YAML alias *{event.anchor} refers to its own enclosing node")
                done = (node, size)
            elif isinstance(event, yaml.ScalarEvent):
                if len(event.value) > MAX_SCALAR:
                    raise _Refused(line, f"value longer than {MAX_SCALAR:,} characters")
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.resolve(ScalarNode, event.value, event.implicit)
                node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
                if event.anchor is not None:
                    anchors[event.anchor] = (node, 1)
                done = (node, 1)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels")
                seq = isinstance(event, yaml.SequenceStartEvent)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.resolve(SequenceNode if seq else MappingNode, None, event.implicit)
                node = (SequenceNode if seq else MappingNode)(tag, [], event.start_mark, None,
                                                              flow_style=event.flow_style)
                if event.anchor is not None:
                    anchors[event.anchor] = (node, -1)
                stack.append([node, event.anchor, 1])
                continue
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node, anchor, size = stack.pop()
                node.end_mark = event.end_mark
                if isinstance(node, MappingNode) and len(node.value) % 2:
                    raise _Refused(line, "mapping ends with a key without value")  # cannot happen
                if isinstance(node, MappingNode):
                    node.value = list(zip(node.value[0::2], node.value[1::2]))
                if anchor is not None:
                    anchors[anchor] = (node, size)
                done = (node, size)
            else:
                raise _Refused(line, f"unexpected YAML event {type(event).__name__}")
            node, size = done
            if not stack:
                root = node
                break
            parent = stack[-1]
            parent[2] += size
            if parent[2] > MAX_NODES:
                raise _Refused(line, f"the document expands to more than {MAX_NODES:,} values "
                                     "(too many aliases?)")
            parent[0].value.append(node)
        self.get_event()  # DocumentEnd
        if not self.check_event(yaml.StreamEndEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark.line + 1, "more than one YAML document in the file")
        return root


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise _Refused(key_node.start_mark.line + 1, "a mapping key must be plain text, not a "
                                                         "list or mapping")
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _Refused(key_node.start_mark.line + 1, f"mapping key {key_node.value!r} must be text "
                                                         "(quote it)")
        if key in result:
            raise _Refused(key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = value_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(Resolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(Resolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings ("2021-01-14"): the site prints them as written and JSON has no date type.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _Slow(Exception):
    """The document needs the general loader (:func:`_parse_general`): tags, anchors, aliases,
    merge keys, a limit or a problem to report."""


_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool",
               "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _parse_plain(text: str):
    """The value of ``text`` built straight from libyaml's events, for the documents editors
    write (no tags, anchors, aliases or merge keys; within the limits; keys unique text): the
    same :class:`LineDict` / :class:`LineList` / scalars as :func:`_parse_general`, without
    composing nodes or running PyYAML's constructor object by object (3× less CPU on the plan
    and indicator files). Raises :class:`_Slow` for anything else, so that the general loader
    builds it or reports its problem."""
    loader = _Loader(text)
    try:
        get = loader.get_event
        resolve = loader.resolve
        constructors = loader.yaml_constructors
        str_tag = "tag:yaml.org,2002:str"
        resolved: dict = {}
        if type(get()) is not yaml.StreamStartEvent:
            raise _Slow
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return None
        if type(event) is not yaml.DocumentStartEvent:
            raise _Slow
        stack: list = []  # [container, key or _NO_KEY (mappings) / None (sequences)]
        count = 0
        root = None
        while True:
            event = get()
            kind = type(event)
            count += 1
            if count > MAX_NODES:
                raise _Slow
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or len(event.value) > MAX_SCALAR:
                    raise _Slow
                tag = event.tag
                if tag is not None and tag != "!":
                    raise _Slow
                value = event.value
                implicit = event.implicit
                tag = resolved.get((value, implicit))
                if tag is None:
                    tag = resolved[(value, implicit)] = resolve(ScalarNode, value, implicit)
                if tag == str_tag:
                    done = value
                elif tag in _PLAIN_TAGS:
                    node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
                    done = constructors[tag](loader, node)
                else:
                    raise _Slow  # merge (<<) or value (=) keys, anything unusual
                line = event.start_mark.line + 1
                if stack:
                    top = stack[-1]
                    if top[1] is _NO_KEY:  # a mapping key
                        if type(done) is not str or done in top[0]:
                            raise _Slow
                        top[1] = done
                        continue
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                tag = event.tag
                if event.anchor is not None or (tag is not None and tag != "!") or len(stack) >= MAX_DEPTH:
                    raise _Slow
                if stack and stack[-1][1] is _NO_KEY:
                    raise _Slow  # a list or mapping as a key
                line = event.start_mark.line + 1
                if kind is yaml.MappingStartEvent:
                    item = LineDict()
                    item.key_lines = {}
                    item.line = line
                    stack.append([item, _NO_KEY, line])
                else:
                    item = LineList()
                    item.item_lines = []
                    item.line = line
                    stack.append([item, None, line])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                item, key, line = stack.pop()
                if key is not _NO_KEY and key is not None:
                    raise _Slow  # cannot happen: a key without value
                done = item
            else:
                raise _Slow
            if not stack:
                root = done
                break
            top = stack[-1]
            container, key = top[0], top[1]
            if key is None:
                container.append(done)
                container.item_lines.append(line)
            else:
                container[key] = done
                container.key_lines[key] = line
                top[1] = _NO_KEY
        if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
            raise _Slow
        return root
    finally:
        loader.dispose()


_NO_KEY = object()


def parse_yaml(text: str, shown: str):
    """Parse YAML ``text`` (file shown as ``shown``) into :class:`LineDict` / :class:`LineList` /
    scalars, within the limits of this module. Raises :class:`PlansiteError` ``shown:line: …``
    (one line) for invalid YAML or input past a limit.

    Plain documents (:func:`_parse_plain`) are built straight from the parser's events; any
    other, and any document with a problem, by the general loader, which reports it."""
    if _ParserBase is not None:
        try:
            return _parse_plain(text)
        except Exception:  # noqa: BLE001 - anything unusual: the general loader builds or reports it
            pass
    return _parse_general(text, shown)


def _parse_general(text: str, shown: str):
    """:func:`parse_yaml` by composing nodes within the limits, then PyYAML's safe constructor."""
    loader = None
    try:
        loader = _Loader(text)  # PyYAML's reader checks the characters here
        node = loader.compose_limited()
        return None if node is None else loader.construct_document(node)
    except _Refused as exc:
        raise PlansiteError.at(shown, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark and exc.context_mark and mark.line >= len(text.splitlines()):
            mark = exc.context_mark  # an error at end of file is reported where the open construct began
        line = mark.line + 1 if mark else 0
        what = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise PlansiteError.at(shown, line, f"YAML syntax error: {what}") from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts bytes of the UTF-8 text, PyYAML's reader characters
        head = text.encode("utf-8")[: exc.position].decode("utf-8", "replace") if _ParserBase else text[: exc.position]
        line = head.count("\n") + 1 if isinstance(exc.position, int) else 0
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise PlansiteError.at(shown, line, f"YAML syntax error: character {char!r} "
                                            f"(U+{ord(char):04X}) is not allowed") from None
    except yaml.YAMLError as exc:
        raise PlansiteError.at(shown, 0, f"YAML syntax error: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a tag that cannot convert its value: !!int x, !!float abc, a 5,000-digit integer
        raise PlansiteError.at(shown, 0, f"value cannot be converted: {exc}") from None
    except RecursionError:
        raise PlansiteError.at(shown, 0, "nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _scalar_constructor(original):
    """Wrap a scalar constructor so that a conversion failure names the node's line."""

    def construct(loader, node):
        try:
            return original(loader, node)
        except (ValueError, TypeError, OverflowError) as exc:
            raw = node.value if isinstance(node.value, str) else ""
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            why = "too many digits" if "digits" in str(exc) else "not a valid value"
            raise _Refused(node.start_mark.line + 1, f"{tag} {shown!r}: {why}") from None

    return construct


for _tag in ("int", "float", "bool", "null", "binary", "timestamp"):
    _full = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_full, _scalar_constructor(SafeConstructor.yaml_constructors[_full]))


def load_yaml(path: Path, display: str | None = None, root: Path | None = None):
    """Read and parse the YAML file at ``path`` (see :func:`parse_yaml`).

    ``display`` is the path used in messages (default ``str(path)``). With ``root``, the file
    (after symlinks) must lie inside ``root`` (:func:`plansite.paths.readable_file`). Raises
    :class:`PlansiteError` ``path:line: message`` when the file is missing, outside the project,
    too large, not UTF-8 or not valid YAML.
    """
    shown = display or str(path)
    if root is not None:
        try:
            path = paths.readable_file(root, path, shown)
        except PlansiteError as exc:
            if "does not exist" in exc.problems[0].message:
                raise PlansiteError.at(shown, 0, "cannot read file: No such file or directory") from None
            raise
    data = paths.read_limited(Path(path), MAX_BYTES, shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlansiteError.at(shown, line, f"not UTF-8 text ({exc.reason})") from None
    return parse_yaml(text, shown)
