"""Fixes for nginx: one directive's value, edited on the line the rule points at."""

from __future__ import annotations

import re

from snippetguard.fixes import CannotFix, Spot, edit_lines, fixer

KINDS = ("nginx",)


def _directive(line: str, pattern: re.Pattern[str], replacement: str) -> str:
    """Replace the one directive on this line that `pattern` matches; anything else is no mechanical fix."""
    code = line.split("#", 1)[0]
    matches = list(pattern.finditer(code))
    if len(matches) != 1:
        raise CannotFix("the directive is not alone and whole on its line")
    match = matches[0]
    return line[: match.start()] + match.expand(replacement) + line[match.end():]


SERVER_TOKENS_RE = re.compile(r"\bserver_tokens(\s+)\S+?(\s*);")
AUTOINDEX_RE = re.compile(r"\bautoindex(\s+)on(\s*);", re.IGNORECASE)
SSL_PROTOCOLS_RE = re.compile(r"\bssl_protocols(\s+)[^;{}]+?(\s*);")
HOST_HEADER_RE = re.compile(r"\bproxy_set_header(\s+)(Host\s+)\$http_host(\s*);", re.IGNORECASE)


@fixer("SG407", kinds=KINDS, summary="`server_tokens off;`")
def server_tokens(text: str, spots: list[Spot]) -> str:
    return edit_lines(text, spots, lambda line, _: _directive(line, SERVER_TOKENS_RE, r"server_tokens\1off\2;"))


@fixer("SG408", kinds=KINDS, summary="`autoindex off;`")
def autoindex(text: str, spots: list[Spot]) -> str:
    return edit_lines(text, spots, lambda line, _: _directive(line, AUTOINDEX_RE, r"autoindex\1off\2;"))


@fixer("SG406", kinds=KINDS, summary="`ssl_protocols TLSv1.2 TLSv1.3;`")
def ssl_protocols(text: str, spots: list[Spot]) -> str:
    return edit_lines(text, spots,
                      lambda line, _: _directive(line, SSL_PROTOCOLS_RE, r"ssl_protocols\1TLSv1.2 TLSv1.3\2;"))


@fixer("SG404", kinds=KINDS, summary="`proxy_set_header Host $host;` instead of `$http_host`")
def host_header(text: str, spots: list[Spot]) -> str:
    return edit_lines(text, spots,
                      lambda line, _: _directive(line, HOST_HEADER_RE, r"proxy_set_header\1\2$host\3;"))


ALLOW_RE = re.compile(r"^(\s*)allow\s+[^;]+;\s*(?:#.*)?$")
ALLOW_WORD_RE = re.compile(r"(?:^|[;{}\s])allow\s")


def _more_allows_in_block(lines: list[str], start: int) -> bool:
    """An `allow` further down the same block would be cut off by `deny all;` placed before it."""
    depth = 0
    for line in lines[start:]:
        code = line.split("#", 1)[0]
        if depth == 0 and ALLOW_WORD_RE.search(code):
            return True
        depth += code.count("{") - code.count("}")
        if depth < 0:
            return False
    return False


@fixer("SG410", kinds=KINDS, summary="ends the `allow` list with `deny all;` in the same block")
def deny_all(text: str, spots: list[Spot]) -> str:
    lines = text.split("\n")
    inserts: dict[int, str] = {}  # index after which `deny all;` goes -> indentation
    for spot in spots:
        index = spot.line - 1
        match = ALLOW_RE.match(lines[index]) if 0 <= index < len(lines) else None
        if match is None:
            continue  # several directives on the line, or not an allow: no mechanical fix
        while index + 1 < len(lines) and ALLOW_RE.match(lines[index + 1]):
            index += 1  # after the whole list of allows
        if not _more_allows_in_block(lines, index + 1):
            inserts[index] = match.group(1)
    for index in sorted(inserts, reverse=True):
        lines.insert(index + 1, f"{inserts[index]}deny all;")
    return "\n".join(lines)
