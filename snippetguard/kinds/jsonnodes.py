"""JSON with line and column marks: Python's own parser decides validity, this walk only adds places.

`json.loads` judges the text first (its error says where JSON breaks), so the walk below can
assume valid JSON; strings are decoded with the standard library's own `scanstring`. Duplicate
keys are refused: Go's decoder (dockerd's) silently keeps the last one, and a reader who edits the
first sees no effect.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

from snippetguard.registry import ParseError

MAX_DEPTH = 100
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(eq=False)
class JNode:
    """A JSON value and where it starts. Objects keep their members in order, with each key's place."""

    value: Any  # Python value for scalars; None for objects and arrays (see `members` / `items`)
    kind: str  # "object", "array", "string", "number", "bool", "null"
    line: int
    column: int
    members: list[tuple[str, int, int, JNode]] = field(default_factory=list)  # (key, line, column, value)
    items: list[JNode] = field(default_factory=list)

    def get(self, key: str) -> JNode | None:
        return next((value for name, _, _, value in self.members if name == key), None)

    def key_place(self, key: str) -> tuple[int, int] | None:
        return next(((line, column) for name, line, column, _ in self.members if name == key), None)

    def strings(self) -> list[JNode]:
        """A string, or the strings of an array (daemon.json accepts both for list options)."""
        if self.kind == "string":
            return [self]
        return [item for item in self.items if item.kind == "string"]


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def place(self, index: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:  # the last line start at or before index
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= index:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, index - self.starts[lo] + 1

    def skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def value(self, i: int, depth: int) -> tuple[JNode, int]:
        if depth > MAX_DEPTH:
            line, column = self.place(i)
            raise ParseError(f"JSON nests deeper than {MAX_DEPTH} levels; no configuration needs that", line, column)
        i = self.skip(i)
        line, column = self.place(i)
        ch = self.text[i]
        if ch == "{":
            node = JNode(None, "object", line, column)
            i = self.skip(i + 1)
            seen: dict[str, int] = {}
            if self.text[i] == "}":
                return node, i + 1
            while True:
                i = self.skip(i)
                key_line, key_column = self.place(i)
                key, i = scanstring(self.text, i + 1)
                if key in seen:
                    raise ParseError(f"duplicate key \"{key}\" (first at line {seen[key]}); dockerd and most JSON "
                                     "readers silently keep only the last one", key_line, key_column)
                seen[key] = key_line
                i = self.skip(i)
                child, i = self.value(i + 1, depth + 1)  # past the ':'
                node.members.append((key, key_line, key_column, child))
                i = self.skip(i)
                if self.text[i] == "}":
                    return node, i + 1
                i += 1  # ','
        if ch == "[":
            node = JNode(None, "array", line, column)
            i = self.skip(i + 1)
            if self.text[i] == "]":
                return node, i + 1
            while True:
                child, i = self.value(i, depth + 1)
                node.items.append(child)
                i = self.skip(i)
                if self.text[i] == "]":
                    return node, i + 1
                i += 1
        if ch == '"':
            text, end = scanstring(self.text, i + 1)
            return JNode(text, "string", line, column), end
        for word, value, kind in (("true", True, "bool"), ("false", False, "bool"), ("null", None, "null")):
            if self.text.startswith(word, i):
                return JNode(value, kind, line, column), i + len(word)
        match = _NUMBER.match(self.text, i)
        assert match is not None, "json.loads accepted what the walk cannot read"
        return JNode(json.loads(match.group(0)), "number", line, column), match.end()


def _refuse_constant(name: str) -> Any:
    """Python reads NaN and Infinity; JSON (and dockerd) do not."""
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def parse(text: str) -> JNode:
    """The JSON document in `text` with places; ParseError where it is not JSON."""
    if not text.strip():
        raise ParseError("empty JSON file")
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        if err.doc != text:  # raised by _refuse_constant, which cannot see where it is
            found = re.search(r'(?<!["\w])' + re.escape(err.doc) + r'(?!["\w])', text)
            index = found.start() if found else 0
            line = text.count("\n", 0, max(index, 0)) + 1
            raise ParseError(f"JSON does not parse: {err.msg}", line, index - text.rfind("\n", 0, index)) from None
        raise ParseError(f"JSON does not parse: {err.msg}", err.lineno, err.colno) from None
    except RecursionError:
        raise ParseError(f"JSON nests deeper than {MAX_DEPTH} levels; no configuration needs that") from None
    node, _ = _Walker(text).value(0, 0)
    return node
