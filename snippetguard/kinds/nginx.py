"""nginx configuration snippets, parsed by crossplane with the snippet's own line numbers.

A documentation snippet is rarely a whole nginx.conf: it may be a bare `server {}`
block, a `location`, or a few directives meant for one. The parser finds the
context the snippet's top-level directives belong to and wraps the text in it
*on line 1* (``http { server { `` + text + ``\\n} }``), so every line number
crossplane, gixy or nginx reports is already the snippet's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# The `crossplane` module comes from ngxparse, the maintained fork gixy-ng itself parses with.
from crossplane import analyzer as _analyzer
from crossplane import parse_string as _crossplane_parse_string

from snippetguard.model import Origin
from snippetguard.registry import Kind, ParseError, register_kind
from snippetguard.sources import Nested

# The first nginx version that has a directive (or a parameter or value of one: the key says which).
# For the lead's "newer than the supported floor" rule; Debian 12 ships 1.22.1, Ubuntu 24.04 1.24.0.
# Every entry is from nginx's own change log, docs/xml/nginx/changes.xml in github.com/nginx/nginx
# ("feature" entries of that version).
DIRECTIVE_SINCE: dict[str, tuple[int, ...]] = {
    "http2 on": (1, 25, 1),  # 1.25.1: the "http2" directive; the listen parameter is deprecated
    "http3": (1, 25, 0),  # 1.25.0: experimental HTTP/3 support
    "listen quic": (1, 25, 0),  # 1.25.0: same entry (the "quic" parameter of listen)
    "upstream server resolve": (1, 27, 3),  # 1.27.3: "server" in "upstream" supports "resolve"
    "upstream resolver": (1, 27, 3),  # 1.27.3: "resolver" and "resolver_timeout" in "upstream"
    "proxy_pass_trailers": (1, 27, 2),  # 1.27.2
    "ssl_certificate_cache": (1, 27, 4),  # 1.27.4 (with proxy_/grpc_/uwsgi_ variants)
    "ssl_object_cache_inheritable": (1, 27, 4),  # 1.27.4
    "early_hints": (1, 29, 0),  # 1.29.0
    "sticky": (1, 29, 6),  # 1.29.6: session affinity in "upstream"
    "max_headers": (1, 29, 8),  # 1.29.8
    "listen multipath": (1, 29, 7),  # 1.29.7
    "keepalive_time": (1, 19, 10),  # 1.19.10
    "ssl_reject_handshake": (1, 19, 4),  # 1.19.4
    "ssl_conf_command": (1, 19, 4),  # 1.19.4 (with proxy_/grpc_/uwsgi_ variants)
    "proxy_ssl_conf_command": (1, 19, 4),  # 1.19.4
    "auth_delay": (1, 17, 10),  # 1.17.10
    "limit_req_dry_run": (1, 17, 1),  # 1.17.1
    "ssl_certificate $variable": (1, 15, 9),  # 1.15.9: variables in ssl_certificate(_key)
    "ssl_early_data": (1, 15, 4),  # 1.15.4 with OpenSSL (1.15.3 with BoringSSL)
    "ssl_protocols TLSv1.3": (1, 13, 0),  # 1.13.0: the "TLSv1.3" parameter
    "server_tokens build": (1, 11, 10),  # 1.11.10
    "ssl_stapling": (1, 3, 7),  # 1.3.7: OCSP stapling
}
# Directives nginx no longer accepts, from the same change log ("change" entries).
DIRECTIVE_REMOVED: dict[str, tuple[int, ...]] = {
    "ssl": (1, 25, 1),  # 1.25.1: "the deprecated "ssl" directive is not supported anymore" (deprecated in 1.15.0)
}
# `nginx -T` prints every file it read after a line `# configuration file PATH:`.
DUMP_HEADER_RE = re.compile(r"^# configuration file (\S+):[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Context:
    """Where a snippet's top-level directives live, and the text that opens it."""

    name: str  # "main", "http", "server", "location", "events", "stream", "stream-server"
    prefix: str  # written before the snippet on its first line
    ctx: tuple[str, ...]  # crossplane's context tuple after the prefix

    @property
    def depth(self) -> int:
        return self.prefix.count("{")

    @property
    def suffix(self) -> str:
        return "\n" + "}" * self.depth + "\n" if self.depth else "\n"

    def wrap(self, text: str) -> str:
        return self.prefix + text + self.suffix


MAX_DEPTH = 100  # nested blocks; real configurations nest a handful

# Tried in this order; the first whose full parse succeeds wins.
CONTEXTS: tuple[Context, ...] = (
    Context("main", "", ()),
    Context("http", "http { ", ("http",)),
    Context("server", "http { server { ", ("http", "server")),
    Context("location", "http { server { location / { ", ("http", "location")),
    Context("events", "events { ", ("events",)),
    Context("stream", "stream { ", ("stream",)),
    Context("stream-server", "stream { server { ", ("stream", "server")),
)
CONTEXT_BY_NAME = {c.name: c for c in CONTEXTS}


@dataclass(eq=False)
class Directive:
    name: str
    args: list[str]
    line: int
    block: list[Directive] | None = None
    parent: Directive | None = field(default=None, repr=False)

    @property
    def is_block(self) -> bool:
        return self.block is not None

    def children(self) -> list[Directive]:
        return self.block or []

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.children() if d.name == name]

    def ancestors(self) -> Iterator[Directive]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(eq=False)
class NginxConf:
    """A parsed snippet: its directives (lines are the snippet's) and the context it was read in."""

    text: str
    context: Context
    directives: list[Directive]
    memo: dict[str, Any] = field(default_factory=dict)  # per-snippet results shared by rules (gixy)
    payload: dict[str, Any] = field(default_factory=dict)  # crossplane's parse of `wrapped`, reused by gixy
    children: list[Nested] = field(default_factory=list)  # the files of an `nginx -T` dump, checked one by one
    files: list[str] = field(default_factory=list)  # their paths, in the same order

    @property
    def is_dump(self) -> bool:
        return bool(self.children)

    @property
    def wrapped(self) -> str:
        return self.context.wrap(self.text)

    @property
    def line_count(self) -> int:
        return max(1, len(self.text.split("\n")))

    def walk(self) -> Iterator[Directive]:
        stack = list(reversed(self.directives))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def clamp(self, line: int | None) -> int:
        return min(max(1, line or 1), self.line_count)


def _scan(text: str, top: list[str] | None = None) -> tuple[str, int] | None:
    """Syntax errors crossplane reports badly (at EOF, or without a line), as nginx lexes.

    Quotes open only at the start of a word; `#` starts a comment only there too.
    The names of the top-level directives are appended to `top` on the way.
    """
    stack: list[int] = []
    line, i, n = 1, 0, len(text)
    word_start = True
    pending: int | None = None  # line of a directive still waiting for `;` or `{`
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            word_start = True
        elif ch in " \t\r\f\v":
            word_start = True
        elif ch == "#" and word_start:
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif ch == "\\":
            pending = pending or line
            if i + 1 < n and text[i + 1] == "\n":
                line += 1
            i += 2
            word_start = False
            continue
        elif ch in "\"'" and word_start:
            start, j = line, i + 1
            while j < n and text[j] != ch:
                if text[j] == "\\":
                    j += 1
                if j < n and text[j] == "\n":
                    line += 1
                j += 1
            if j >= n:
                return "quoted string opened here is never closed", start
            pending = pending or start
            i = j + 1
            word_start = True
            continue
        elif ch == "{":
            stack.append(line)
            if len(stack) > MAX_DEPTH:  # crossplane and gixy recurse per block: stop before they break
                return f"blocks nest deeper than {MAX_DEPTH} levels; no configuration needs that", line
            pending, word_start = None, True
        elif ch == "}":
            if not stack:
                return 'unexpected "}": no block is open here', line
            stack.pop()
            pending, word_start = None, True
        elif ch == ";":
            pending, word_start = None, True
        else:
            if pending is None and not stack and top is not None:
                end = i
                while end < n and text[end] not in " \t\r\n\f\v;{}\"'":
                    end += 1
                top.append(text[i:end])
            pending = pending or line
            word_start = False
        i += 1
    if stack:
        return 'block opened here is never closed (missing "}")', stack[-1]
    if pending is not None:
        return 'directive is not terminated by ";"', pending
    return None


def crossplane_parse(text: str, *, check_ctx: bool, check_args: bool) -> tuple[list[dict[str, Any]], Any]:
    """crossplane's statements for `text` and its first error (an exception) or None."""
    parsed, err, _ = crossplane_payload(text, check_ctx=check_ctx, check_args=check_args)
    return parsed, err


def crossplane_payload(text: str, *, check_ctx: bool, check_args: bool) -> tuple[list[dict[str, Any]], Any, Any]:
    """Statements, first error, and the whole payload: parsed with comments, as gixy-ng asks crossplane,
    so that gixy can audit this very parse instead of lexing the text again."""
    payload = _crossplane_parse_string(
        text,
        filename="snippet.conf",
        onerror=lambda exc: exc,
        catch_errors=False,
        single=True,
        comments=True,
        strict=False,  # third-party modules' directives are for `nginx -t` to judge
        check_ctx=check_ctx,
        check_args=check_args,
    )
    errors = payload.get("errors") or []
    parsed = payload["config"][0]["parsed"] if payload.get("config") else []
    return parsed, (errors[0].get("callback") if errors else None), payload


def _allowed(name: str, ctx: tuple[str, ...]) -> bool:
    masks = _analyzer.DIRECTIVES.get(name)
    if masks is None:
        return True  # unknown to crossplane: it does not constrain the context
    return any(mask & _analyzer.CONTEXTS[ctx] for mask in masks)


def candidate_contexts(top_level: list[str]) -> list[Context]:
    """Contexts where every top-level directive may appear, most general first."""
    if "http" in top_level or "events" in top_level:
        return [CONTEXT_BY_NAME["main"]]
    found = [c for c in CONTEXTS if all(_allowed(name, c.ctx) for name in top_level)]
    if found:
        return found
    # Nothing fits them all: read it where most of them belong, so the error names the odd one out.
    return [max(CONTEXTS[1:], key=lambda c: sum(_allowed(name, c.ctx) for name in top_level))]


def _build(stmts: list[dict[str, Any]], parent: Directive | None) -> list[Directive]:
    out: list[Directive] = []
    for stmt in stmts:
        if stmt["directive"] == "#":
            continue  # a comment (kept in the parse for gixy)
        node = Directive(stmt["directive"], list(stmt.get("args") or []), int(stmt.get("line") or 1), parent=parent)
        if "block" in stmt:
            node.block = _build(stmt["block"], node)
        out.append(node)
    return out


def _error_line(err: Any, text: str) -> int:
    line = getattr(err, "lineno", None) or 1
    return min(max(1, int(line)), max(1, len(text.split("\n"))))


def _message(err: Any) -> str:
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def dump_files(text: str) -> list[tuple[str, int, str]] | None:
    """The files of an `nginx -T` dump as (path, first line, text), or None when `text` is not one.

    A dump starts with a `# configuration file …:` header (after nginx's own "syntax is ok" lines,
    when they were copied too); each file runs to the next header.
    """
    headers = list(DUMP_HEADER_RE.finditer(text))
    if not headers:
        return None
    before = text[: headers[0].start()]
    if any(ln.strip() and not ln.startswith(("nginx: ", "#")) for ln in before.split("\n")):
        return None  # a header-like comment inside an ordinary file
    files: list[tuple[str, int, str]] = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        first_line = text.count("\n", 0, header.end()) + 2  # the line after the header
        body = text[header.end() + 1 : end] if header.end() < len(text) else ""
        files.append((header.group(1), first_line, body))
    return files


def _has_directives(text: str) -> bool:
    return any(ln.strip() and not ln.lstrip().startswith("#") for ln in text.split("\n"))


def parse_dump(text: str, files: list[tuple[str, int, str]]) -> NginxConf:
    """A dump: no directives of its own; each file with a directive becomes a child checked as nginx."""
    kept = [(path, line, body) for path, line, body in files if _has_directives(body)]
    if not kept:
        raise ParseError("this nginx -T dump holds no directives")
    children = [Nested(body, line, 1, "nginx", "nginx", Origin.REGION) for _, line, body in kept]
    return NginxConf(text, CONTEXT_BY_NAME["main"], [], children=children, files=[p for p, _, _ in kept])


def parse_nginx(text: str) -> NginxConf:
    files = dump_files(text) if "# configuration file " in text else None
    if files is not None:
        return parse_dump(text, files)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.split("\n")):
        raise ParseError("empty nginx snippet: expected at least one directive")
    top: list[str] = []
    problem = _scan(text, top)  # one pass finds the syntax errors and the top-level names
    if problem is not None:
        raise ParseError(f"nginx config does not parse: {problem[0]}", problem[1])
    first_error: tuple[str, int] | None = None
    for context in candidate_contexts(top):
        stmts, err, payload = crossplane_payload(context.wrap(text), check_ctx=True, check_args=True)
        if err is not None:
            first_error = first_error or (_message(err), _error_line(err, text))
            continue
        for _ in range(context.depth):  # unwrap the blocks the prefix opened
            stmts = stmts[0].get("block", []) if stmts else []
        return NginxConf(text, context, _build(stmts, None), payload=payload)
    assert first_error is not None
    raise ParseError(f"nginx rejects this: {first_error[0]}", first_error[1])


NGINX = register_kind(Kind("nginx", "nginx", parse_nginx, checks=("crossplane", "gixy-ng")))
