"""Import every kind and rule module once, so adding a plugin is adding a file."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for package_name in ("snippetguard.kinds", "snippetguard.rules"):
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{package_name}.{info.name}")
    importlib.import_module("snippetguard.validators")  # registers the real programs' rules (SG6xx)
