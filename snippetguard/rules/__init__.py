"""Rule plugins: importing this package registers every rule (one module per family)."""

from snippetguard.rules import containers, meta  # noqa: F401
