"""Rule and kind registries: each rule is one definition, ruff style.

A rule carries everything a person needs (title, why, fix, examples, the guide
section that explains it); the reference page, the checklist cross-checks, the
CLI's `explain` and the tests are all generated from these definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from snippetguard.model import Hit, Severity

SITE_URL = "https://docs.dester.in/"
RULES_PAGE = "reference/rules.md"


class ParseError(Exception):
    """A snippet that its kind's parser rejects; becomes an SG001 finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "SG001") -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)
        self.rule = rule


@dataclass(frozen=True)
class Example:
    """An example for a rule. `line` is where an insecure example must fire."""

    text: str
    kind: str
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    kinds: tuple[str, ...]
    why: str
    fix: str
    guide: str  # docs-relative page and anchor of the guide section on this topic
    insecure: tuple[Example, ...]
    secure: tuple[Example, ...]
    check: Callable[[Any], Iterable[Hit]] | None = None  # None: raised by the engine itself
    severity: Severity = Severity.ERROR
    reads: str = "parsed"  # "parsed": the kind's parse result; "text": the snippet's text

    @property
    def fixable(self) -> bool:
        """`snippetguard check --fix` can rewrite this rule's findings (a fixer is registered for it)."""
        return self.code in FIXERS

    @property
    def anchor(self) -> str:
        return self.code.lower()

    @property
    def url(self) -> str:
        return f"{SITE_URL}{RULES_PAGE.removesuffix('.md')}/#{self.anchor}"


@dataclass(frozen=True)
class Kind:
    """A kind of snippet: how to recognise it, parse it, and what checks it."""

    name: str
    title: str  # e.g. "Compose", shown in the trust mark
    parse: Callable[[str], Any]
    checks: tuple[str, ...] = field(default=())  # extra checks named in the trust mark


RULES: dict[str, Rule] = {}
KINDS: dict[str, Kind] = {}
FIXERS: dict[str, Any] = {}  # rule code -> its autofix; snippetguard/fixes/ registers them, one module per family


def _as_examples(value: Example | Iterable[Example]) -> tuple[Example, ...]:
    return (value,) if isinstance(value, Example) else tuple(value)


def rule(
    *,
    code: str,
    title: str,
    kinds: Iterable[str],
    why: str,
    fix: str,
    guide: str,
    insecure: Example | Iterable[Example],
    secure: Example | Iterable[Example],
    severity: Severity = Severity.ERROR,
    reads: str = "parsed",
) -> Callable[[Callable[[Any], Iterable[Hit]]], Callable[[Any], Iterable[Hit]]]:
    """Register a rule; the decorated function yields `Hit`s for a parsed snippet."""

    def register(check: Callable[[Any], Iterable[Hit]]) -> Callable[[Any], Iterable[Hit]]:
        define(
            Rule(
                code=code,
                title=title,
                kinds=tuple(kinds),
                why=why,
                fix=fix,
                guide=guide,
                insecure=_as_examples(insecure),
                secure=_as_examples(secure),
                check=check,
                severity=severity,
                reads=reads,
            )
        )
        return check

    return register


def define(new: Rule) -> Rule:
    # Accept a lone Example where a tuple is expected, as @rule does.
    object.__setattr__(new, "insecure", _as_examples(new.insecure))
    object.__setattr__(new, "secure", _as_examples(new.secure))
    object.__setattr__(new, "why", " ".join(new.why.split()))
    object.__setattr__(new, "fix", " ".join(new.fix.split()))
    if new.code in RULES:
        raise ValueError(f"rule code {new.code} is defined twice")
    RULES[new.code] = new
    _generation[0] += 1
    return new


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


_by_kind: dict[tuple[str, int, int], tuple[list[Rule], frozenset[str]]] = {}
_generation = [0]


def _for_kind(kind: str) -> tuple[list[Rule], frozenset[str]]:
    key = (kind, len(RULES), _generation[0])  # a rule defined or removed later makes a new entry
    found = _by_kind.get(key)
    if found is None:
        checks = [r for r in RULES.values() if r.check is not None and (kind in r.kinds or "*" in r.kinds)]
        programs = frozenset(r.code for r in RULES.values() if r.check is None and kind in r.kinds)
        found = _by_kind[key] = (checks, programs)
    return found


def rules_for(kind: str) -> list[Rule]:
    """The rules that check snippets of `kind` (computed once per kind)."""
    return _for_kind(kind)[0]


def program_rules_for(kind: str) -> frozenset[str]:
    """Rules only a real program raises for `kind` (no check of their own)."""
    return _for_kind(kind)[1]
