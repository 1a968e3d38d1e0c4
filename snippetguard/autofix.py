"""Apply the registered fixes (snippetguard/fixes/) to a snippet file or to the code blocks of a page.

`snippetguard check --fix` calls `fix_snippet` per file. Only reported findings
are fixed: a line's `ignore[...]` keeps its finding out of reach, and a
counter-example (a file or block declaring `expect[...]`) is never touched. A
fix that would make anything else fire, or the file stop parsing, is undone
whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from snippetguard.engine import Result, check_snippet
from snippetguard.fixes import CannotFix, Spot, fixer_for
from snippetguard.model import Finding, Snippet

MAX_ROUNDS = 4  # a fix can reveal another (a mode fixed by SG301, then by SG302): re-check a few times


@dataclass(frozen=True)
class FixOutcome:
    text: str  # the new text (the old one when nothing could be fixed)
    fixed: int  # findings that are gone
    note: str = ""  # why nothing was written, when a fix was undone


def _fixable(result: Result) -> list[Finding]:
    """The result's own reported findings that a fixer can rewrite (not its children's)."""
    if result.expected:
        return []  # a counter-example: it is meant to be insecure
    return [f for f in result.findings if fixer_for(f.rule, result.snippet.kind) is not None]


def _fix_text(result: Result) -> str:
    snippet = result.snippet
    text = snippet.text
    by_code: dict[str, list[Spot]] = {}
    for finding in _fixable(result):
        spot = Spot(finding.line - snippet.line_offset, finding.column - snippet.col_offset, finding.message)
        by_code.setdefault(finding.rule, []).append(spot)
    for code in sorted(by_code):
        fixer = fixer_for(code, snippet.kind)
        assert fixer is not None
        try:
            text = fixer.apply(snippet.kind, text, by_code[code])
        except CannotFix:
            continue
    return text


def _splice(page: str, child: Snippet, new: str) -> str:
    """Put a block's fixed text back into its page, with the block's indentation."""
    lines = page.split("\n")
    old = child.text.split("\n")
    start, indent = child.line_offset, child.col_offset
    block = lines[start:start + len(old)]
    if len(block) != len(old) or any(line[indent:] != want or (line[:indent].strip() and want)
                                     for line, want in zip(block, old, strict=True)):
        raise CannotFix("the block is not laid out in the page as it was read")
    prefix = next((line[:indent] for line in block if line.strip()), " " * indent)
    lines[start:start + len(old)] = [prefix + line if line else "" for line in new.split("\n")]
    return "\n".join(lines)


def _apply_once(result: Result, text: str) -> str:
    if result.snippet.kind != "markdown":
        return _fix_text(result)
    for child in sorted(result.children, key=lambda c: c.snippet.line_offset, reverse=True):
        new = _fix_text(child)
        if new != child.snippet.text:
            try:
                text = _splice(text, child.snippet, new)
            except CannotFix:
                continue
    return text


def _fixable_count(result: Result) -> int:
    return len(_fixable(result)) + sum(len(_fixable(child)) for child in result.children)


def _by_rule(result: Result) -> Counter[str]:
    return Counter(f.rule for f in result.all_findings())


def fix_snippet(snippet: Snippet) -> FixOutcome:
    """The snippet's text with every safe fix applied, and how many findings that removed."""
    before = check_snippet(snippet)
    start = _fixable_count(before)
    if start == 0:
        return FixOutcome(snippet.text, 0)
    text, result = snippet.text, before
    for _ in range(MAX_ROUNDS):
        new = _apply_once(result, text)
        if new == text:
            break
        text = new
        result = check_snippet(replace(snippet, text=text))
        if _fixable_count(result) == 0:
            break
    if text == snippet.text:
        return FixOutcome(text, 0)
    added = _by_rule(result) - _by_rule(before)  # a fix only ever removes findings
    if added or (before.parsed and not result.parsed):
        return FixOutcome(snippet.text, 0, f"fix undone: it would add {', '.join(sorted(added)) or 'a parse error'}")
    return FixOutcome(text, start - _fixable_count(result))
