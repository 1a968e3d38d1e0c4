"""Container and data kinds: Markdown (its fences), plain YAML (workflow `run:` scripts), JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from yaml.nodes import Node, ScalarNode

from snippetguard.kinds import yamlnodes as y
from snippetguard.markdown import find_fences
from snippetguard.model import Origin
from snippetguard.registry import Kind, ParseError, register_kind
from snippetguard.sources import Nested


@dataclass
class Container:
    children: list[Nested] = field(default_factory=list)
    root: Node | None = None


def parse_markdown(text: str) -> Container:
    children: list[Nested] = []
    for fence in find_fences(text):
        if not fence.closed:
            raise ParseError(f"code fence opened here is never closed ({fence.info or 'no language'})", fence.line)
        children.append(Nested(fence.text, fence.first_body_line, fence.indent + 1, fence.lang))
    return Container(children)


def _block_scalar_offset(node: ScalarNode) -> int:
    """Lines between a `run:` key's value start and its text (1 for `|` block scalars)."""
    return 1 if node.style in ("|", ">") else 0


def parse_yaml(text: str) -> Container:
    """Generic YAML; GitHub Actions steps' `run:` scripts are checked as shell."""
    root = y.compose_document(text)
    children: list[Nested] = []
    jobs = y.get(root, "jobs") if root is not None else None
    for _, job in y.pairs(jobs) if jobs is not None else []:
        for step in y.items(y.get(job, "steps")):
            run = y.get(step, "run")
            if isinstance(run, ScalarNode):
                offset = _block_scalar_offset(run)
                column = (run.start_mark.column + 1) if offset == 0 else _indent_of(text, y.line_of(run) + 1)
                children.append(Nested(run.value, y.line_of(run) + offset, column, "bash", "shell", Origin.FENCE))
    return Container(children, root)


def _indent_of(text: str, line: int) -> int:
    lines = text.split("\n")
    if 0 < line <= len(lines):
        row = lines[line - 1]
        return len(row) - len(row.lstrip(" ")) + 1
    return 1


def parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(f"JSON does not parse: {err.msg}", err.lineno, err.colno) from None


register_kind(Kind("markdown", "Markdown", parse_markdown))
register_kind(Kind("yaml", "YAML", parse_yaml, checks=("duplicate keys",)))
register_kind(Kind("json", "JSON", parse_json))
