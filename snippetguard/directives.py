"""Comments that talk to snippetguard: regions, suppressions, counter-example declarations.

All snippet kinds we support use `#` comments, so one syntax serves them all:

    # --8<-- [start:name]                      region markers (pymdownx.snippets style)
    # snippetguard: ignore[SG203] reason       silence SG203 on this line (or, alone on a line, the next)
    # snippetguard: expect[SG101] reason       this whole snippet is a declared counter-example

Metadata about the whole snippet (a comment on a line of its own; hidden from readers):

    # snippetguard: requires[nginx>=1.25.1] reason   needs a newer program than the site's supported floor
    # snippetguard: proof[db-password-rotation]      a test proves it does what the page says
    # snippetguard: profile[hardened]                opt into a stricter rule profile
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGION_RE = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):([A-Za-z0-9_.-]+)\]\s*$")
DIRECTIVE_RE = re.compile(r"#\s*snippetguard\s*:\s*([a-z-]+)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$")
CODE_RE = re.compile(r"^SG\d{3}$")
RULE_VERBS = ("ignore", "expect")  # take rule codes and a reason
META_VERBS = ("requires", "proof", "profile")  # describe the whole snippet; take values, reason optional
VERBS = RULE_VERBS + META_VERBS
PROGRAMS = ("nginx", "caddy", "docker", "compose", "postgresql")  # what `requires[...]` may name
REQUIREMENT_RE = re.compile(r"^(?P<program>[a-z]+)\s*>=\s*(?P<version>\d+(?:\.\d+){0,2})$")
PROOF_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PROFILES = ("hardened",)


@dataclass(frozen=True)
class Directive:
    verb: str  # one of VERBS
    codes: tuple[str, ...]  # rule codes (ignore, expect)
    reason: str
    line: int  # line of the comment itself
    column: int
    target: int  # line the directive applies to (ignore); same as line for the others
    problem: str = ""  # why the directive itself is malformed, if it is
    values: tuple[str, ...] = ()  # the bracketed values of a metadata verb, as written


@dataclass(frozen=True)
class Requirement:
    program: str  # one of PROGRAMS
    version: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.program} ≥ {'.'.join(map(str, self.version))}"


@dataclass(frozen=True)
class Metadata:
    """What a snippet says about itself (valid metadata directives only)."""

    requires: tuple[Requirement, ...] = ()
    proofs: tuple[str, ...] = ()
    profiles: frozenset[str] = frozenset()

    def minimum(self, program: str) -> tuple[int, ...] | None:
        """The newest version of `program` the snippet declares it needs, if any."""
        found = [r.version for r in self.requires if r.program == program]
        return max(found) if found else None


def parse_requirement(value: str) -> Requirement | None:
    match = REQUIREMENT_RE.match(value.strip().lower())
    if not match or match.group("program") not in PROGRAMS:
        return None
    return Requirement(match.group("program"), tuple(int(p) for p in match.group("version").split(".")))


def _meta_problem(verb: str, values: tuple[str, ...]) -> str:
    if not values:
        example = {"requires": "requires[nginx>=1.25.1]", "proof": "proof[db-password-rotation]",
                   "profile": "profile[hardened]"}[verb]
        return f"'snippetguard: {verb}' needs a value in brackets, e.g. {example}"
    if verb == "requires":
        bad = [v for v in values if parse_requirement(v) is None]
        if bad:
            return (f"cannot read requirement {', '.join(bad)}: write PROGRAM>=VERSION with PROGRAM one of "
                    f"{', '.join(PROGRAMS)}, e.g. requires[nginx>=1.25.1]")
    elif verb == "proof":
        bad = [v for v in values if not PROOF_RE.match(v)]
        if bad:
            return f"not a proof name: {', '.join(bad)} (lower-case letters, digits and dashes)"
    elif verb == "profile":
        bad = [v for v in values if v not in PROFILES]
        if bad:
            return f"unknown profile {', '.join(bad)} (known: {', '.join(PROFILES)})"
    return ""


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
        lineno = index + 1
        if verb in META_VERBS:
            values = tuple(v.strip() for v in raw_codes.split(",") if v.strip())
            problem = _meta_problem(verb, values)
            if not problem and line[: match.start()].strip():
                problem = f"'snippetguard: {verb}' describes the whole snippet: put it on a line of its own"
            found.append(Directive(verb, (), reason, lineno, match.start() + 1, lineno, problem, values))
            continue
        codes = tuple(c.strip().upper() for c in raw_codes.split(",") if c.strip())
        problem = ""
        if verb not in RULE_VERBS:
            problem = f"unknown directive 'snippetguard: {verb}' (use one of: {', '.join(VERBS)})"
        elif not codes:
            problem = f"'snippetguard: {verb}' must name rule codes, e.g. {verb}[SG101]"
        elif bad := [c for c in codes if not CODE_RE.match(c)]:
            problem = f"not a rule code: {', '.join(bad)}"
        elif not reason:
            problem = f"'snippetguard: {verb}[{','.join(codes)}]' needs a reason after the brackets"
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


def metadata(text: str) -> Metadata:
    """The snippet's valid metadata directives (malformed ones are SG004 findings, not metadata)."""
    requires: list[Requirement] = []
    proofs: list[str] = []
    profiles: set[str] = set()
    for d in parse_directives(text):
        if d.problem:
            continue
        if d.verb == "requires":
            requires.extend(r for r in map(parse_requirement, d.values) if r is not None)
        elif d.verb == "proof":
            proofs.extend(d.values)
        elif d.verb == "profile":
            profiles.update(d.values)
    return Metadata(tuple(requires), tuple(dict.fromkeys(proofs)), frozenset(profiles))


HIDDEN_VERBS = ("expect", *META_VERBS)  # whole-line declarations readers do not copy


def strip_for_display(text: str) -> str:
    """Text as readers see it: no region markers, no declarations about the snippet itself."""
    kept = []
    for line in text.split("\n"):
        if REGION_RE.match(line):
            continue
        match = DIRECTIVE_RE.search(line) if "snippetguard" in line else None
        if match and match.group(1) in HIDDEN_VERBS and not line[: match.start()].strip():
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
