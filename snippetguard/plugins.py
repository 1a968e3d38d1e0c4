"""Import every kind, rule and fixer module once, so adding a plugin is adding a file.

Extra rule modules outside the package (a project's own rules, or a test that
injects a broken rule) are named in SNIPPETGUARD_PLUGINS, comma-separated.
"""

from __future__ import annotations

import importlib
import os
import pkgutil


def load_all() -> None:
    for package_name in ("snippetguard.kinds", "snippetguard.rules", "snippetguard.fixes"):
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{package_name}.{info.name}")
    importlib.import_module("snippetguard.validators")  # registers the real programs' rules (SG6xx)
    for name in filter(None, (n.strip() for n in os.environ.get("SNIPPETGUARD_PLUGINS", "").split(","))):
        importlib.import_module(name)
