"""YAML through PyYAML's node API: every value keeps its line and column.

Also the defences plain `yaml.safe_load` lacks: duplicate keys are an error
(PyYAML silently keeps the later one), several documents are an error, and a
document whose aliases expand past a budget ("billion laughs") is refused
before anything walks it.
"""

from __future__ import annotations

import bisect
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
MAX_DEPTH = 100  # levels of nesting (aliases expanded); real files nest a dozen at most
SAFE_COMPOSE_DEPTH = 2_000  # below this bound libyaml's composer is safe without counting (it dies past ~20,000)
MERGE_TAG = "tag:yaml.org,2002:merge"
TRUE_WORDS = frozenset({"true", "yes", "on", "y", "1"})


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def col_of(node: Node) -> int:
    return node.start_mark.column + 1


# Line breaks to YAML 1.1 (PyYAML; Compose's parser agrees) but not to the snippet's own numbering,
# which counts "\n" only: marks are renumbered from their character index when the text holds one.
YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def _renumbered(mark: Any, starts: list[int]) -> yaml.Mark:
    line = bisect.bisect_right(starts, mark.index)
    return yaml.Mark(mark.name, mark.index, line - 1, mark.index - starts[line - 1], None, None)


def _renumber_nodes(root: Node, starts: list[int]) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.start_mark = _renumbered(node.start_mark, starts)
        node.end_mark = _renumbered(node.end_mark, starts)
        if isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _error_position(err: yaml.MarkedYAMLError, starts: list[int] | None = None) -> tuple[int, int]:
    mark = err.problem_mark or err.context_mark
    if mark and starts is not None:
        mark = _renumbered(mark, starts)
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _nesting_bound(text: str) -> int:
    """An upper bound on the nesting libyaml's composer recurses into (it recurses in C: far too
    deep, e.g. `[` 60,000 times or `- ` as often on one line, and the process dies of a segfault).

    A flow collection needs a `[` or `{` (twice: `[a: [b: …]]` nests an implicit mapping); a block
    collection needs a deeper column than its parent (twice: indentless sequences).
    """
    longest = max(map(len, text.split("\n")), default=0)
    return 2 * (text.count("[") + text.count("{") + longest + 1)


def _check_event_depth(text: str, starts: list[int] | None) -> None:
    """The real nesting, from libyaml's event stream (a state machine, no recursion), stopped early."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = _renumbered(event.start_mark, starts) if starts is not None else event.start_mark
                raise ParseError(f"YAML nests deeper than {MAX_DEPTH} levels; no configuration needs that",
                                 mark.line + 1, mark.column + 1)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def compose_document(text: str) -> Node | None:
    """The single YAML document in `text` as a node tree, or None when empty."""
    starts = _line_starts(text) if any(ch in text for ch in YAML_ONLY_BREAKS) else None
    try:
        if _nesting_bound(text) > SAFE_COMPOSE_DEPTH:
            _check_event_depth(text, starts)
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as err:
        line, col = _error_position(err, starts)
        problem = err.problem or str(err)
        lines = text.split("\n")
        if line <= len(lines) and "\t" in lines[line - 1][: col + 1]:
            problem += " (a tab: YAML indentation must use spaces)"
        raise ParseError(f"YAML does not parse: {problem}", line, col) from None
    except yaml.reader.ReaderError as err:  # a character YAML refuses: say which, and on which line
        line = text.count("\n", 0, err.position) + 1
        column = err.position - text.rfind("\n", 0, err.position)
        problem = f"unacceptable character U+{err.character:04X} ({err.reason})"
        raise ParseError(f"YAML does not parse: {problem}", line, column) from None
    except yaml.YAMLError as err:
        raise ParseError(f"YAML does not parse: {err}") from None
    if starts is not None:
        for document in documents:
            if document is not None:
                _renumber_nodes(document, starts)
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
    """Refuse alias bombs: count nodes as a full expansion would, memoised per node.

    Also refuses an alias inside the node it names (`a: &a [*a]`, infinite when expanded) and
    nesting deeper than MAX_DEPTH once aliases are expanded.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    open_nodes: set[int] = set()  # visited, not finished: the path from the root to the current node
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
            depths[key] = 1 + max((depths.get(id(c), 0) for c in children), default=0)
            if depths[key] > MAX_DEPTH:
                raise _too_deep(node)
            open_nodes.discard(key)
            continue
        open_nodes.add(key)
        if any(id(c) in open_nodes for c in children):
            raise ParseError("a YAML alias refers to a node that contains it (a structure without end)",
                             line_of(node), col_of(node))
        sizes.setdefault(key, 0)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _too_deep(node: Node) -> ParseError:
    return ParseError(f"YAML nests deeper than {MAX_DEPTH} levels; no configuration needs that", line_of(node),
                      col_of(node))


def _check_duplicates(root: Node) -> None:
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:  # rules walk the tree recursively (and so would any YAML loader)
            raise _too_deep(node)
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
                stack.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


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
