"""Caddyfiles, tokenised and grouped the way Caddy 2.6 (Debian's) reads them, with lines and columns.

What the lexer knows (caddyconfig/caddyfile/lexer.go): tokens are separated by
whitespace only (`{` and `}` are ordinary tokens that happen to be braces);
`"…"` strings may span lines and escape only `\\"`; backtick strings are raw; a
`#` starts a comment only at the start of a token; a backslash before a newline
continues the line. `{$VAR}` / `{$VAR:default}` are environment placeholders
(Caddy substitutes them before parsing: we apply defaults and remember the rest);
`{env.VAR}` and other `{…}` placeholders are runtime values and stay as written.

What the parser knows (caddyfile/parse.go, 2.6): an optional global options block
first; site blocks with one or more addresses (a trailing comma continues the list
on the next line); snippets `(name) { … }` and `import`; a directive runs to the
end of its line, and a `{` opens its block only when nothing follows it on that
line. A `}` on a directive's own line at site level is the one-line form
`site { reverse_proxy … }`, which Caddy 2.6 rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snippetguard.registry import Kind, ParseError, register_kind

ENV_RE = re.compile(r"\{\$([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")

# The first Caddy release that has a directive (or a subdirective or argument: the key says which), for the
# lead's "newer than the supported floor" rule; Debian 12 ships Caddy 2.6.2. Each version is the first
# v2.x.y tag that contains the commit registering it, found in github.com/caddyserver/caddy with
# `git log -S'Directive("NAME"'` and `git tag --contains` (commit and PR noted).
DIRECTIVE_SINCE: dict[str, tuple[int, ...]] = {
    "basic_auth": (2, 8, 0),  # f9e11158 "caddyauth: Rename `basicauth` to `basic_auth`" (#6092)
    "basic_auth argon2id": (2, 11, 0),  # 13a4ec75 "basicauth: Implement argon2id" (#7186)
    "log_skip": (2, 8, 0),  # renamed from skip_log (2.6.0), caddyconfig/httpcaddyfile/builtins.go
    "log_append": (2, 8, 0),
    "log_name": (2, 8, 0),
    "fs": (2, 8, 0),
    "intercept": (2, 8, 0),
    "invoke": (2, 7, 0),
    "skip_log": (2, 6, 0),
    "forward_auth": (2, 5, 1),
    "copy_response": (2, 5, 0),
    "copy_response_headers": (2, 5, 0),
    "method": (2, 5, 0),
    "tracing": (2, 5, 0),
    "vars": (2, 5, 0),
    "reverse_proxy trusted_proxies": (2, 5, 0),  # "reverseproxy: Implement trusted proxies" (#4507)
    "servers trusted_proxies": (2, 6, 3),  # "caddyhttp: Add server-level `trusted_proxies` config" (#5103)
    "servers client_ip_headers": (2, 7, 0),  # #5104
    "servers trusted_proxies_strict": (2, 8, 0),  # #5805
    "abort": (2, 4, 0),
    "error": (2, 4, 0),
    "request_body": (2, 3, 0),
    "metrics": (2, 2, 0),
    "push": (2, 2, 0),
    "map": (2, 1, 1),
    "handle_path": (2, 1, 0),
    "acme_server": (2, 1, 0),
}
MATCHER_RE = re.compile(r"^(\*|/.*|@.+)$")


@dataclass(frozen=True)
class Token:
    text: str  # with `{$VAR:default}` defaults applied; unset `{$VAR}` kept as written
    line: int
    column: int
    quoted: str = ""  # '"' or '`' when the token was quoted
    newline: bool = True  # a real line break separates it from the previous token
    env: tuple[str, ...] = ()  # `{$VAR}` without default: the value is the reader's

    @property
    def is_open(self) -> bool:
        return self.text == "{" and not self.quoted

    @property
    def is_close(self) -> bool:
        return self.text == "}" and not self.quoted

    @property
    def has_placeholder(self) -> bool:
        """A value decided at run time or by the environment, not by the text."""
        return bool(self.env) or ("{" in self.text and "}" in self.text)


@dataclass(eq=False)
class Directive:
    name: Token
    args: list[Token]
    block: list[Directive] | None = None
    parent: Directive | None = field(default=None, repr=False)

    @property
    def line(self) -> int:
        return self.name.line

    @property
    def value(self) -> str:
        return self.name.text

    def children(self) -> list[Directive]:
        return self.block or []

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.children() if d.value == name]


@dataclass(eq=False)
class Site:
    addresses: list[Token]
    directives: list[Directive]
    braces: bool = True

    @property
    def line(self) -> int:
        return self.addresses[0].line if self.addresses else 1


@dataclass(eq=False)
class Caddyfile:
    text: str
    global_options: list[Directive] | None
    sites: list[Site]
    snippets: dict[str, Site]  # `(name) { … }`, keyed by name
    imports: list[Directive] = field(default_factory=list)  # top-level `import <file or glob>`

    def walk(self) -> Iterator[Directive]:
        """Every directive and block line once: global options, sites, snippets."""
        roots: list[Directive] = list(self.global_options or [])
        for site in [*self.sites, *self.snippets.values()]:
            roots.extend(site.directives)
        stack = list(reversed(roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def global_option(self, name: str) -> list[Directive]:
        return [d for d in self.global_options or [] if d.value == name]

    def site_directives(self, site: Site) -> Iterator[Directive]:
        """A site's directives (nested ones too), with `import <snippet>` expanded."""
        yield from self._expand(site.directives, frozenset())

    def _expand(self, directives: list[Directive], seen: frozenset[str]) -> Iterator[Directive]:
        for directive in directives:
            if directive.value == "import" and directive.args:
                name = directive.args[0].text
                if name in self.snippets and name not in seen:
                    yield from self._expand(self.snippets[name].directives, seen | {name})
                    continue
            yield directive
            yield from self._expand(directive.children(), seen)


def _apply_env(text: str) -> tuple[str, tuple[str, ...]]:
    unresolved: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return match.group(2)
        unresolved.append(match.group(1))
        return match.group(0)

    return ENV_RE.sub(substitute, text), tuple(unresolved)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n, line, line_start = 0, len(text), 1, 0
    newline = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            i, line, line_start, newline = i + 1, line + 1, i + 1, True
            continue
        if ch.isspace():
            i += 1
            continue
        if ch == "\\" and text.startswith("\n", i + 1):  # line continuation: not a new line for the parser
            i, line, line_start = i + 2, line + 1, i + 2
            continue
        if ch == "#":  # a comment starts only at the start of a token
            while i < n and text[i] != "\n":
                i += 1
            continue
        start_line, start_col = line, i - line_start + 1
        if ch in "\"`":
            quote, i, buf = ch, i + 1, []
            while True:
                if i >= n:
                    raise ParseError(f"{'quoted' if quote == chr(34) else 'backtick'} string opened here is never "
                                     f"closed", start_line, start_col)
                c = text[i]
                if quote == '"' and c == "\\" and text.startswith('"', i + 1):
                    buf.append('"')
                    i += 2
                    continue
                if c == quote:
                    i += 1
                    break
                if c == "\n":
                    line, line_start = line + 1, i + 1
                buf.append(c)
                i += 1
            value, env = _apply_env("".join(buf)) if quote == '"' else ("".join(buf), ())
            tokens.append(Token(value, start_line, start_col, quote, newline, env))
        else:
            start = i
            while i < n and not text[i].isspace() and not (text[i] == "\\" and text.startswith("\n", i + 1)):
                i += 1
            value, env = _apply_env(text[start:i])
            tokens.append(Token(value, start_line, start_col, "", newline, env))
        newline = False
    return tokens


ONE_LINE_HINT = (
    "Caddy 2.6 (Debian's) rejects the one-line form `site { directive … }`: put each directive on its own line "
    "after `{` and the closing `}` on a line of its own"
)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.i + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def parse(self, text: str) -> Caddyfile:
        global_options: list[Directive] | None = None
        sites: list[Site] = []
        snippets: dict[str, Site] = {}
        imports: list[Directive] = []
        while (tok := self.peek()) is not None:
            if tok.is_open:
                if sites or snippets or global_options is not None:
                    raise ParseError("a block without a site address is the global options block, and it must come "
                                     "first in the Caddyfile", tok.line, tok.column)
                self.i += 1
                global_options = self.block(tok, site_level=True)
                continue
            if tok.is_close:
                raise ParseError('unexpected "}": no block is open here', tok.line, tok.column)
            if tok.text == "import" and not tok.quoted:  # top-level import of other files: the reader's, not ours
                imports.append(self.directive(site_level=True))
                continue
            addresses = self.addresses()
            snippet = len(addresses) == 1 and addresses[0].text.startswith("(") and addresses[0].text.endswith(")")
            opener = self.peek()
            if opener is not None and opener.is_open:
                self.i += 1
                # A snippet's tokens are only replayed where it is imported: Caddy lets its `}` share a line.
                body, braces = self.block(opener, site_level=not snippet), True
            else:
                if sites or snippets:
                    raise ParseError(f"site '{addresses[0].text}' has no '{{': when a Caddyfile has more than one "
                                     "site, each needs its own { … } block", addresses[0].line, addresses[0].column)
                body, braces = self.until_eof(), False
            if snippet:
                if not braces:
                    raise ParseError(f"snippet {addresses[0].text} needs a {{ … }} block", addresses[0].line)
                snippets[addresses[0].text[1:-1]] = Site(addresses, body)
            else:
                sites.append(Site(addresses, body, braces))
        return Caddyfile(text, global_options, sites, snippets, imports)

    def addresses(self) -> list[Token]:
        keys: list[Token] = []
        expecting_another = False
        while (tok := self.peek()) is not None:
            if tok.is_open:
                if expecting_another:
                    raise ParseError("expected another site address after the trailing comma", tok.line, tok.column)
                break
            if tok.text == "{}" and not tok.quoted:
                raise ParseError("'{}' is not an empty block to Caddy: put '{' and '}' on separate lines",
                                 tok.line, tok.column)
            if tok.text.endswith("{") and not tok.quoted and not tok.has_placeholder:
                raise ParseError(f"'{tok.text}': put a space before '{{'", tok.line, tok.column)
            expecting_another = tok.text.endswith(",")
            text = tok.text[:-1] if expecting_another else tok.text
            if text:
                keys.append(Token(text, tok.line, tok.column, tok.quoted, tok.newline, tok.env))
            self.i += 1
            nxt = self.peek()
            if nxt is None:
                if expecting_another:
                    raise ParseError("the Caddyfile ends after a trailing comma in the site addresses",
                                     tok.line, tok.column)
                break
            if not expecting_another and nxt.newline:
                break
        if not keys:
            tok = self.peek() or self.tokens[-1]
            raise ParseError("expected a site address", tok.line, tok.column)
        return keys

    def block(self, opener: Token, *, site_level: bool) -> list[Directive]:
        """Directives up to the `}` that matches `opener` (already consumed)."""
        items: list[Directive] = []
        while True:
            tok = self.peek()
            if tok is None:
                raise ParseError("block opened here is never closed (missing '}')", opener.line, opener.column)
            if tok.is_close:
                self.i += 1
                return items
            items.append(self.directive(site_level=site_level))

    def until_eof(self) -> list[Directive]:
        items: list[Directive] = []
        while (tok := self.peek()) is not None:
            if tok.is_close:
                raise ParseError('unexpected "}": no block is open here', tok.line, tok.column)
            item = self.directive(site_level=True)
            name = item.name.text
            if item.block is not None and ("." in name or "://" in name or name.startswith(":")):
                # Directive names never look like addresses: this is a second site after a brace-less first one.
                raise ParseError(f"'{name}' looks like a second site: when a Caddyfile has more than one site, "
                                 "each needs its own { … } block", item.name.line, item.name.column)
            items.append(item)
        return items

    def directive(self, *, site_level: bool) -> Directive:
        name = self.tokens[self.i]
        self.i += 1
        node = Directive(name, [])
        while (tok := self.peek()) is not None and not tok.newline:
            if tok.is_close:
                if site_level:
                    raise ParseError(f"unexpected '}}' on the same line as '{name.text}'. {ONE_LINE_HINT}",
                                     tok.line, tok.column)
                break  # inside a directive's block, `}` may close it on the same line
            if tok.is_open:
                after = self.peek(1)
                if after is not None and not after.newline:
                    raise ParseError(f"unexpected '{after.text}' after '{{' on the same line. {ONE_LINE_HINT}",
                                     after.line, after.column)
                self.i += 1
                node.block = self.block(tok, site_level=False)
                for child in node.block:
                    child.parent = node
                break
            node.args.append(tok)
            self.i += 1
        return node


def parse_caddy(text: str) -> Caddyfile:
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty Caddyfile: expected a site block such as `media.example.com {`")
    return _Parser(tokens).parse(text)


def is_matcher(token: Token) -> bool:
    """A matcher token as the first argument of a directive: `*`, `/path`, `@name`."""
    return not token.quoted and bool(MATCHER_RE.match(token.text))


CADDY = register_kind(Kind("caddy", "Caddyfile", parse_caddy, checks=("Caddyfile tokens",)))
