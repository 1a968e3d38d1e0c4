"""Snippet kinds: one module each, registering its parser (and nested-snippet finder)."""
