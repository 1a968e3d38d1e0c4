"""Comments that talk to snippetguard: regions, suppressions, counter-example declarations.

All snippet kinds we support use `#` comments, so one syntax serves them all:

    # --8<-- [start:name]                      region markers (pymdownx.snippets style)
    # snippetguard: ignore[SG203] reason       silence SG203 on this line (or, alone on a line, the next)
    # snippetguard: expect[SG101] reason       this whole snippet is a declared counter-example
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGION_RE = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):([A-Za-z0-9_.-]+)\]\s*$")
DIRECTIVE_RE = re.compile(r"#\s*snippetguard\s*:\s*([a-z-]+)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$")
CODE_RE = re.compile(r"^SG\d{3}$")


@dataclass(frozen=True)
class Directive:
    verb: str  # "ignore" or "expect"
    codes: tuple[str, ...]
    reason: str
    line: int  # line of the comment itself
    column: int
    target: int  # line the directive applies to (ignore); same as line for expect
    problem: str = ""  # why the directive itself is malformed, if it is


def is_region_marker(line: str) -> bool:
    return bool(REGION_RE.match(line))


def parse_directives(text: str) -> list[Directive]:
    if "snippetguard" not in text:
        return []
    lines = text.split("\n")
    found: list[Directive] = []
    for index, line in enumerate(lines):
        if "snippetguard" not in line:
            continue
        match = DIRECTIVE_RE.search(line)
        if not match:
            continue
        verb, raw_codes, reason = match.group(1), match.group(2) or "", match.group(3)
        codes = tuple(c.strip().upper() for c in raw_codes.split(",") if c.strip())
        problem = ""
        if verb not in ("ignore", "expect"):
            problem = f"unknown directive 'snippetguard: {verb}' (use ignore[...] or expect[...])"
        elif not codes:
            problem = f"'snippetguard: {verb}' must name rule codes, e.g. {verb}[SG101]"
        elif bad := [c for c in codes if not CODE_RE.match(c)]:
            problem = f"not a rule code: {', '.join(bad)}"
        elif not reason:
            problem = f"'snippetguard: {verb}[{','.join(codes)}]' needs a reason after the brackets"
        lineno = index + 1
        target = lineno
        if verb == "ignore" and not line[: match.start()].strip():
            # A comment on a line of its own covers the next line with content.
            for later in range(index + 1, len(lines)):
                stripped = lines[later].strip()
                if stripped and not stripped.startswith("#"):
                    target = later + 1
                    break
        found.append(Directive(verb, codes, reason, lineno, match.start() + 1, target, problem))
    return found


def strip_for_display(text: str) -> str:
    """Text as readers see it: no region markers, no expect declarations."""
    kept = []
    for line in text.split("\n"):
        if REGION_RE.match(line):
            continue
        match = DIRECTIVE_RE.search(line) if "snippetguard" in line else None
        if match and match.group(1) == "expect" and not line[: match.start()].strip():
            continue
        kept.append(line)
    return "\n".join(kept)


@dataclass(frozen=True)
class Region:
    name: str
    text: str  # without markers
    first_line: int  # line in the file of the region's first line of text
    line_map: tuple[int, ...]  # file line for each line of `text`


class RegionError(Exception):
    pass


def extract_region(text: str, name: str) -> Region:
    lines = text.split("\n")
    start = end = None
    for index, line in enumerate(lines):
        match = REGION_RE.match(line)
        if match and match.group(2) == name:
            if match.group(1) == "start" and start is None:
                start = index
            elif match.group(1) == "end" and start is not None:
                end = index
                break
    if start is None:
        known = sorted({m.group(2) for m in map(REGION_RE.match, lines) if m})
        hint = f" (regions in this file: {', '.join(known)})" if known else " (this file has no regions)"
        raise RegionError(f"region '{name}' not found{hint}")
    if end is None:
        raise RegionError(f"region '{name}' starts at line {start + 1} but has no '[end:{name}]' marker")
    body: list[str] = []
    line_map: list[int] = []
    for index in range(start + 1, end):
        if REGION_RE.match(lines[index]):
            continue  # nested regions' markers vanish too
        body.append(lines[index])
        line_map.append(index + 1)
    return Region(name, "\n".join(body), start + 2, tuple(line_map))


def region_names(text: str) -> list[str]:
    return [m.group(2) for m in map(REGION_RE.match, text.split("\n")) if m and m.group(1) == "start"]
