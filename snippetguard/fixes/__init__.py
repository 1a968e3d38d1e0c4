"""Autofixes, like `ruff --fix`: one module per family, one fixer per rule code.

A fixer rewrites the findings of its rule that have one safe, mechanical fix
and leaves the others as they are (they stay reported). It receives the text of
one snippet and the places its rule fired there, and returns the new text. It
never has to know about directives: `snippetguard.autofix` hands it only
findings that are reported (not ignored) in snippets that are not
counter-examples, and re-checks the result.

Rules do not import fixers: a fixer registers itself here under its rule's
code, and `Rule.fixable` is derived from that registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from snippetguard.registry import FIXERS


@dataclass(frozen=True)
class Spot:
    """Where a finding is, in the snippet's own line/column numbers (1-based)."""

    line: int
    column: int
    message: str


class CannotFix(Exception):
    """This finding (or this snippet) has no safe mechanical fix: it stays as it is, and reported."""


FixFunction = Callable[[str, list[Spot]], str]


@dataclass
class Fixer:
    """A rule's autofix: one function per snippet kind it can rewrite (a Compose file, a `docker run` line)."""

    code: str
    summary: str  # what it does, for the rules reference
    by_kind: dict[str, FixFunction]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.by_kind)

    def apply(self, kind: str, text: str, spots: list[Spot]) -> str:
        return self.by_kind[kind](text, spots)


def fixer(code: str, *, kinds: tuple[str, ...], summary: str) -> Callable[[FixFunction], FixFunction]:
    def register(function: FixFunction) -> FixFunction:
        found = FIXERS.setdefault(code, Fixer(code, summary, {}))
        if found.summary != summary:
            found.summary = f"{found.summary}; {summary}"
        for kind in kinds:
            if kind in found.by_kind:
                raise ValueError(f"a fixer for {code} in {kind} snippets is registered twice")
            found.by_kind[kind] = function
        return function

    return register


def fixer_for(code: str, kind: str) -> Fixer | None:
    found = FIXERS.get(code)
    return found if isinstance(found, Fixer) and kind in found.kinds else None


# -- line edits -------------------------------------------------------------------------------------
TOKEN_RE = re.compile(r"\S+")


def edit_lines(text: str, spots: list[Spot], edit: Callable[[str, Spot], str]) -> str:
    """Apply `edit` to the line of each spot (one edit per line); CannotFix on one spot skips only that spot."""
    lines = text.split("\n")
    done: set[int] = set()
    for spot in sorted(spots, key=lambda s: (s.line, s.column)):
        if spot.line in done or not 1 <= spot.line <= len(lines):
            continue
        try:
            lines[spot.line - 1] = edit(lines[spot.line - 1], spot)
        except CannotFix:
            continue
        done.add(spot.line)
    return "\n".join(lines)


def token_at(line: str, column: int) -> tuple[int, int, str]:
    """The whitespace-delimited word starting at `column` (1-based): start, end, text."""
    match = TOKEN_RE.match(line, column - 1)
    if match is None:
        raise CannotFix("nothing at the finding's column")
    return match.start(), match.end(), match.group(0)


def replace_span(line: str, start: int, end: int, new: str) -> str:
    return line[:start] + new + line[end:]
