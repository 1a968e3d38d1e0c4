"""Examples that need a newer program than the versions a site supports (SG605).

A site names the oldest nginx and Caddy it supports (its floor, e.g. Debian 12's
nginx 1.22.1 and Caddy 2.6.2). A snippet using syntax that first appeared later
must say so with `# snippetguard: requires[nginx>=1.25.1] reason`: readers then see
"needs nginx ≥ 1.25.1" beside it, and the old program is not asked. Used without
that declaration, the syntax is an SG605 finding.

The check depends on the caller's floor, not only on the snippet, so it runs as a
pass after the engine (like the real programs): cached results stay valid for
every floor. With no floor (the command line's default: the current versions)
nothing is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from snippetguard.directives import PROGRAMS, metadata, parse_requirement
from snippetguard.engine import Result, make_finding, settle
from snippetguard.kinds import caddy as caddy_kind
from snippetguard.kinds import nginx as nginx_kind
from snippetguard.kinds.caddy import Caddyfile, parse_caddy
from snippetguard.kinds.caddy import Directive as CaddyDirective
from snippetguard.kinds.nginx import Directive as NginxDirective
from snippetguard.kinds.nginx import NginxConf, parse_nginx
from snippetguard.model import Finding
from snippetguard.registry import RULES, ParseError, program_rules_for

Version = tuple[int, ...]
RULE = "SG605"
DONE = "_snippetguard_floor"  # set on a Result once checked against a floor
# What the site's rule examples are judged against when a site names no floor: Debian 12 stable.
EXAMPLE_FLOORS: dict[str, Version] = {"nginx": (1, 22, 1), "caddy": (2, 6, 2)}


@dataclass(frozen=True)
class Feature:
    """Syntax that first appeared in `since` (cite the release notes where it is defined)."""

    program: str
    since: Version
    label: str  # how the message names it, e.g. "`http2 on`"
    line: int
    column: int = 1


def _nginx_matches(key: str, d: NginxDirective) -> bool:
    """Whether directive `d` is what a `DIRECTIVE_SINCE` key names: `name`, `name argument`,
    `name $variable` (any variable), `upstream name [argument]` (inside an upstream block)."""
    words = key.split()
    if words[0] == "upstream":
        if d.parent is None or d.parent.name != "upstream":
            return False
        words = words[1:]
    name, *argument = words
    variants = (name, *(f"{prefix}_{name}" for prefix in VARIANT_PREFIXES)) if name in WITH_VARIANTS else (name,)
    if d.name not in variants:
        return False
    if not argument or argument[0] in ("on", "off"):  # `http2 on`: the directive itself is new
        return True
    if argument[0] == "$variable":
        return any("$" in a for a in d.args)
    return argument[0] in d.args


def _nginx(conf: NginxConf) -> Iterator[Feature]:
    lines = conf.text.split("\n")
    for d in conf.walk():
        for key, since in nginx_kind.DIRECTIVE_SINCE.items():
            if _nginx_matches(key, d):
                column = lines[d.line - 1].find(d.name) + 1 if 0 < d.line <= len(lines) else 1
                yield Feature("nginx", since, f"`{key}`", d.line, max(1, column))


def _walk_caddy(directives: Iterable[CaddyDirective]) -> Iterator[CaddyDirective]:
    for d in directives:
        yield d
        yield from _walk_caddy(d.block or [])


def _caddy_matches(key: str, d: CaddyDirective) -> bool:
    """`name`, `name argument`, or `parent name` (a subdirective: `servers trusted_proxies`)."""
    first, *rest = key.split()
    if not rest:
        return d.name.text == first
    if d.name.text == first:
        return rest[0] in {a.text for a in d.args}
    return d.name.text == rest[0] and d.parent is not None and d.parent.name.text == first


def _caddy(caddyfile: Caddyfile) -> Iterator[Feature]:
    blocks = [caddyfile.global_options or []] + [site.directives for site in caddyfile.sites]
    blocks += [s.directives for s in caddyfile.snippets.values()]
    for directives in blocks:
        for d in _walk_caddy(directives):
            for key, since in caddy_kind.DIRECTIVE_SINCE.items():
                if _caddy_matches(key, d):
                    yield Feature("caddy", since, f"`{key}`", d.name.line, d.name.column)


# The first versions come from the kinds' own tables (nginx's change log, Caddy's tags; cited there).
WITH_VARIANTS = frozenset({"ssl_certificate_cache", "ssl_conf_command"})  # also proxy_…, grpc_…, uwsgi_…
VARIANT_PREFIXES = ("proxy", "grpc", "uwsgi")


def features(kind: str, text: str) -> list[Feature]:
    """The dated syntax a snippet uses (empty when it does not parse: SG001 already says so)."""
    try:
        if kind == "nginx":
            return list(_nginx(parse_nginx(text)))
        if kind == "caddy":
            return list(_caddy(parse_caddy(text)))
    except ParseError:
        return []
    return []


def shown(version: Version) -> str:
    return ".".join(map(str, version))


def parse_floors(values: Iterable[str]) -> dict[str, Version]:
    """`["nginx=1.22.1", "caddy=2.6.2"]` (the command line's --floor) -> floors; ValueError names a bad one."""
    out: dict[str, Version] = {}
    for value in values:
        requirement = parse_requirement(value.replace("=", ">=", 1) if ">=" not in value else value)
        if requirement is None:
            raise ValueError(f"cannot read floor '{value}': write PROGRAM=VERSION, PROGRAM one of {', '.join(PROGRAMS)}")
        out[requirement.program] = requirement.version
    return out


def _parsed(results: Iterable[Result]) -> Iterator[Result]:
    for result in results:
        if result.parsed:
            yield result
        yield from _parsed(result.children)


def apply(results: list[Result], floors: Mapping[str, Version]) -> int:
    """Add SG605 findings for syntax newer than `floors` that a snippet does not declare; returns how many.

    Re-running replaces earlier SG605 findings (a rebuild under `mkdocs serve`).
    """
    rule = RULES[RULE]
    added = 0
    for result in _parsed(results):
        snippet = result.snippet
        if snippet.kind not in ("nginx", "caddy"):
            continue
        floor = floors.get(snippet.kind)
        if getattr(result, DONE, False) == (floor,):
            continue  # already checked against this floor (a result checked early, or memoised by `serve`)
        setattr(result, DONE, (floor,))
        found: list[Finding] = []
        if floor is not None:
            declared = metadata(snippet.text).minimum(snippet.kind) if "snippetguard" in snippet.text else None
            for feature in features(snippet.kind, snippet.text):
                if feature.since <= floor or (declared is not None and declared >= feature.since):
                    continue
                message = (f"{feature.label} needs {feature.program} ≥ {shown(feature.since)}, and the oldest supported "
                           f"{feature.program} is {shown(floor)}: declare `# snippetguard: requires[{feature.program}>="
                           f"{shown(feature.since)}] <reason>` so readers see it")
                found.append(make_finding(snippet, rule, feature.line, feature.column, message))
        before = [f for f in result.raw if f.rule == RULE]
        if not found and not before:
            continue
        result.raw = [f for f in result.raw if f.rule != RULE] + found
        settle(result, unjudged=program_rules_for(snippet.kind) - {RULE})
        added += len(found)
    return added
