"""YAML through PyYAML's node API: every value keeps its line and column.

Also the defences plain `yaml.safe_load` lacks: duplicate keys are an error
(PyYAML silently keeps the later one), several documents are an error, and a
document whose aliases expand past a budget ("billion laughs") is refused
before anything walks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from snippetguard.registry import ParseError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in the pinned wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 100_000
MERGE_TAG = "tag:yaml.org,2002:merge"
TRUE_WORDS = frozenset({"true", "yes", "on", "y", "1"})


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def col_of(node: Node) -> int:
    return node.start_mark.column + 1


def _error_position(err: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = err.problem_mark or err.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def compose_document(text: str) -> Node | None:
    """The single YAML document in `text` as a node tree, or None when empty."""
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as err:
        line, col = _error_position(err)
        problem = err.problem or str(err)
        lines = text.split("\n")
        if line <= len(lines) and "\t" in lines[line - 1][: col + 1]:
            problem += " (a tab: YAML indentation must use spaces)"
        raise ParseError(f"YAML does not parse: {problem}", line, col) from None
    except yaml.YAMLError as err:
        raise ParseError(f"YAML does not parse: {err}") from None
    if len(documents) > 1:
        second = documents[1]
        raise ParseError(
            f"{len(documents)} YAML documents in one snippet; keep one per file",
            line_of(second) if second is not None else 1,
        )
    root = documents[0] if documents else None
    if root is not None:
        if "*" in text:  # only aliases can expand; most snippets have none
            _check_expansion(root)
        _check_duplicates(root)
    return root


def _check_expansion(root: Node) -> None:
    """Refuse alias bombs: count nodes as a full expansion would, memoised per node."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            sizes[key] = total
            if total > MAX_EXPANDED_NODES:
                raise ParseError(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)",
                    line_of(node),
                    col_of(node),
                )
            continue
        sizes.setdefault(key, 0)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _check_duplicates(root: Node) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            keys: dict[str, Node] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag != MERGE_TAG:
                    if key.value in keys:
                        first = line_of(keys[key.value])
                        raise ParseError(
                            f"duplicate key '{key.value}' (first at line {first}); "
                            "YAML loaders silently keep only one of them",
                            line_of(key),
                            col_of(key),
                        )
                    keys[key.value] = key
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def pairs(node: Node) -> list[tuple[ScalarNode, Node]]:
    """Key/value pairs of a mapping with `<<` merge keys applied (explicit keys win)."""
    if not isinstance(node, MappingNode):
        return []
    cached = node.__dict__.get("_sg_pairs")  # rules ask the same mapping many times
    if cached is None:
        cached = node.__dict__["_sg_pairs"] = _pairs(node)
    return cached


def _pairs(node: MappingNode) -> list[tuple[ScalarNode, Node]]:
    own: list[tuple[ScalarNode, Node]] = []
    merged: list[tuple[ScalarNode, Node]] = []
    for key, value in node.value:
        if isinstance(key, ScalarNode) and (key.tag == MERGE_TAG or key.value == "<<"):
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                merged.extend(pairs(source))
        elif isinstance(key, ScalarNode):
            own.append((key, value))
    names = {k.value for k, _ in own}
    result = list(own)
    for key, value in merged:
        if key.value not in names:
            names.add(key.value)
            result.append((key, value))
    return result


def get(node: Node | None, name: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    index = node.__dict__.get("_sg_index")
    if index is None:
        index = node.__dict__["_sg_index"] = {k.value: v for k, v in reversed(pairs(node))}
    return index.get(name)


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def truthy(node: Node | None) -> bool:
    value = scalar(node)
    return value is not None and value.strip().lower() in TRUE_WORDS


def walk_scalars(node: Node | None) -> Iterator[ScalarNode]:
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, MappingNode):
            for key, value in reversed(current.value):
                stack.extend((value, key))


_RESOLVE = {
    "tag:yaml.org,2002:null": lambda v: None,
    "tag:yaml.org,2002:bool": lambda v: v.lower() in TRUE_WORDS,
    "tag:yaml.org,2002:int": lambda v: int(v.replace("_", ""), 0) if v.lstrip("+-").isdigit() else v,
    "tag:yaml.org,2002:float": lambda v: _float(v),
}


def _float(value: str) -> Any:
    try:
        return float(value.replace("_", ""))
    except ValueError:
        return value


def to_python(node: Node | None) -> Any:
    """Plain Python data (for JSON-schema validation); merge keys applied, aliases shared."""
    memo: dict[int, Any] = {}

    def convert(current: Node | None) -> Any:
        if current is None:
            return None
        key = id(current)
        if key in memo:
            return memo[key]
        if isinstance(current, ScalarNode):
            resolver = _RESOLVE.get(current.tag)
            try:
                value = resolver(current.value) if resolver else current.value
            except ValueError:
                value = current.value
        elif isinstance(current, SequenceNode):
            value = [convert(n) for n in current.value]
        else:
            value = {str(convert(k)): convert(v) for k, v in pairs(current)}
        memo[key] = value
        return value

    return convert(node)


def node_at(root: Node | None, path: list[Any]) -> Node | None:
    """The node at a JSON path (as jsonschema reports it), or the deepest one found."""
    current = root
    for part in path:
        if isinstance(current, MappingNode):
            match = next(((k, v) for k, v in pairs(current) if k.value == str(part)), None)
            if match is None:
                return current
            current = match[1]
        elif isinstance(current, SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            return current
    return current


def key_node(mapping: Node | None, name: str) -> Node | None:
    for key, _ in pairs(mapping) if mapping is not None else []:
        if key.value == name:
            return key
    return None
