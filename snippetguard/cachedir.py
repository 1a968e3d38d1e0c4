"""Where snippetguard keeps its caches: the user's cache folder, never the project being checked.

A pre-commit hook or a docs build in someone else's repository must leave that
repository as it found it, so the default is the platform's user cache
(`~/.cache/snippetguard` on Linux, `~/Library/Caches/snippetguard` on macOS).
SNIPPETGUARD_CACHE_DIR overrides it (tests and benchmarks use private folders).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    configured = os.environ.get("SNIPPETGUARD_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("snippetguard", appauthor=False))
