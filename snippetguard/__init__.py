"""snippetguard: parse and lint documentation snippets for insecure patterns.

Knows nothing of MkDocs: the site's hook and macros, the command line and the
tests are thin adapters over this package's API.
"""

from importlib import metadata as _metadata

from snippetguard.engine import Result, check_snippet, check_snippets
from snippetguard.model import Finding, Origin, Severity, Snippet
from snippetguard.plugins import load_all
from snippetguard.registry import KINDS, RULES, Example, Rule

try:
    __version__ = _metadata.version("snippetguard")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

load_all()

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
    "__version__",
    "check_snippet",
    "check_snippets",
]
