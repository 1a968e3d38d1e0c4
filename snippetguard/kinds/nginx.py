"""nginx configuration snippets, parsed by crossplane with the snippet's own line numbers.

A documentation snippet is rarely a whole nginx.conf: it may be a bare `server {}`
block, a `location`, or a few directives meant for one. The parser finds the
context the snippet's top-level directives belong to and wraps the text in it
*on line 1* (``http { server { `` + text + ``\\n} }``), so every line number
crossplane, gixy or nginx reports is already the snippet's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# The `crossplane` module comes from ngxparse, the maintained fork gixy-ng itself parses with.
from crossplane import analyzer as _analyzer
from crossplane import parse_string as _crossplane_parse_string

from snippetguard.registry import Kind, ParseError, register_kind


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


def parse_nginx(text: str) -> NginxConf:
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
