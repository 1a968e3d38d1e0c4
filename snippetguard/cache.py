"""Content-addressed memo of check results: the same text and kind is checked once per process."""

from __future__ import annotations

from snippetguard.engine import Result, check_snippet
from snippetguard.model import Snippet

_MEMO: dict[tuple[str, str, str, int, int, str], Result] = {}


def check(snippet: Snippet) -> Result:
    key = (snippet.text, snippet.kind, snippet.path, snippet.line_offset, snippet.col_offset, snippet.origin.value)
    result = _MEMO.get(key)
    if result is None:
        result = _MEMO[key] = check_snippet(snippet)
    return result


def clear() -> None:
    _MEMO.clear()
