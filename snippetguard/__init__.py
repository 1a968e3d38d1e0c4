"""snippetguard: parse and lint documentation snippets for insecure patterns.

Knows nothing of MkDocs: the site's hook and macros, the command line and the
tests are thin adapters over `check_snippet` / `check_paths`.
"""

from snippetguard.engine import Result, check_snippet, check_snippets
from snippetguard.kinds import compose, documents  # noqa: F401  (registers kinds)
from snippetguard.model import Finding, Origin, Severity, Snippet
from snippetguard.registry import KINDS, RULES, Example, Rule
from snippetguard import rules  # noqa: F401,E402  (registers rules)

__all__ = [
    "KINDS",
    "RULES",
    "Example",
    "Finding",
    "Origin",
    "Result",
    "Rule",
    "Severity",
    "Snippet",
    "check_snippet",
    "check_snippets",
]
