"""Load a snippet file (or a named region of it) and render it as a Markdown fence.

Used by the site's macros; knows Markdown, not MkDocs. Everything a macro call
can get wrong raises `EmbedError` with a message for the page's author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from snippetguard.classify import kind_for_path
from snippetguard.directives import (
    Metadata,
    RegionError,
    extract_region,
    metadata,
    parse_directives,
    region_names,
    strip_for_display,
)
from snippetguard.sources import Unreadable, decode

FENCE_LANG = {
    "compose": "yaml",
    "yaml": "yaml",
    "env": "dotenv",
    "shell": "bash",
    "nginx": "nginx",
    "caddy": "caddy",
    "powershell": "powershell",
    "json": "json",
    "daemon": "json",
    "systemd": "systemd",
    "markdown": "markdown",
}


class EmbedError(Exception):
    pass


@dataclass(frozen=True)
class Loaded:
    rel: str  # path relative to the snippets folder, with forward slashes
    path: Path
    kind: str
    text: str  # as shown to readers: no region markers, no expect declarations
    first_line: int  # line in the file of the shown text's first line
    expect: tuple[str, ...]  # declared counter-example rules (empty for normal snippets)
    region: str | None
    meta: Metadata = field(default_factory=Metadata)  # the whole file's requires[...], proof[...], profile[...]


def safe_path(snippets_dir: Path, rel: str) -> Path:
    """The file for `rel`, refusing anything that would leave the snippets folder."""
    if not isinstance(rel, str) or not rel.strip():
        raise EmbedError("snippet path is empty")
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        raise EmbedError(f"snippet path '{rel}' is absolute; give it relative to docs/snippets/")
    if ".." in re.split(r"[\\/]", rel):
        raise EmbedError(f"snippet path '{rel}' contains '..'; snippets must stay inside docs/snippets/")
    root = snippets_dir.resolve()
    candidate = snippets_dir / rel
    try:
        resolved = candidate.resolve(strict=True)
    except FileNotFoundError:
        raise EmbedError(f"snippet file '{rel}' does not exist in docs/snippets/") from None
    except (OSError, RuntimeError) as err:  # RuntimeError: symlink loop
        raise EmbedError(f"snippet file '{rel}' cannot be opened: {err}") from None
    if not resolved.is_relative_to(root):
        raise EmbedError(f"snippet path '{rel}' leads outside docs/snippets/ (through a symlink)")
    if not resolved.is_file():
        raise EmbedError(f"snippet path '{rel}' is not a file")
    return resolved


def load(snippets_dir: Path, rel: str, region: str | None = None) -> Loaded:
    path = safe_path(snippets_dir, rel)
    try:
        raw = decode(path.read_bytes())
    except Unreadable as err:
        raise EmbedError(f"snippet file '{rel}': {err}") from None
    kind = kind_for_path(path, raw)
    if not kind:
        raise EmbedError(f"snippet file '{rel}' has a name snippetguard cannot classify (see Snippet kinds)")
    expect = tuple(sorted({c for d in parse_directives(raw) if d.verb == "expect" for c in d.codes}))
    try:
        text, first = shown(raw, region)
    except RegionError as err:
        raise EmbedError(f"snippet file '{rel}': {err}") from None
    return Loaded(rel.replace("\\", "/"), path, kind, text, first, expect, region, metadata(raw))


def shown(raw: str, region: str | None = None) -> tuple[str, int]:
    """What readers see of a file (or of one region): text without markers, and its first line."""
    if region is None:
        return strip_for_display(raw).rstrip("\n"), 1
    part = extract_region(raw, region)
    return strip_for_display(part.text).rstrip("\n"), part.first_line


def fence(text: str, lang: str, *, title: str | None = None, hl_lines: str | None = None, indent: str = "") -> str:
    """A fence that holds `text` verbatim, however many backticks the text itself contains."""
    longest = max((len(m.group(0)) for m in re.finditer(r"`{3,}", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    attrs = []
    if title:
        attrs.append(f'title="{_attr(title)}"')
    if hl_lines:
        attrs.append(f'hl_lines="{_attr(str(hl_lines))}"')
    head = f"{ticks}{lang}" + (" " + " ".join(attrs) if attrs else "")
    body = "\n".join((indent + line) if line else "" for line in text.split("\n"))
    return f"{indent}{head}\n{body}\n{indent}{ticks}"


def _attr(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "'")


def known_regions(snippets_dir: Path, rel: str) -> list[str]:
    try:
        return region_names(decode(safe_path(snippets_dir, rel).read_bytes()))
    except (EmbedError, Unreadable):
        return []
