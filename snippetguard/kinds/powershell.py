"""PowerShell snippets: a small tokenizer, enough to see pipelines, groups and commands.

Not a PowerShell parser: it knows comments (`#`, `<# … #>`), strings ('…',
"…", here-strings), the backtick line continuation, `|`, `;`, and the
brackets that group expressions (`( )`, `$( )`, `@( )`, `{ }`, `[ ]`). That
is what SG308 needs to tell `irm URL | iex` from `irm URL -OutFile x.ps1`.
Console transcripts (`PS C:\\> …`) keep only the prompt lines.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from snippetguard.model import Origin
from snippetguard.registry import Kind, ParseError, register_kind
from snippetguard.sources import Nested, kind_for_written_path

OPENERS = {"(": ")", "$(": ")", "@(": ")", "{": "}", "@{": "}", "[": "]"}
CLOSERS = frozenset(")}]")
WORD_STOP = frozenset(" \t\r\n|;(){}[],'\"`")  # `#` inside a word (a URL fragment) is no comment
PROMPT_RE = re.compile(r"PS(?: [^>\n]*)?> ")
CONTINUATION_PROMPT = ">> "


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word", "string", "xstring" (double-quoted), "op", "newline"
    text: str  # the source text (for strings: the value, quotes removed)
    line: int
    column: int
    here: bool = False  # a here-string (`@'…'@`): its text starts on the line after the token

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class Group:
    """A bracketed part: `( … )`, `$( … )`, `@( … )`, `{ … }`, `[ … ]`."""

    open: Token
    items: list[Token | Group] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.open.line

    @property
    def column(self) -> int:
        return self.open.column


Item = Token | Group


@dataclass
class Element:
    """One stage of a pipeline: its items, and the command it runs (if it starts with a name)."""

    items: list[Item]

    @property
    def command(self) -> Token | None:
        items = self.items
        k = 0
        while k < len(items) and _is_op(items[k], "&", "."):
            k += 1
        first = items[k] if k < len(items) else None
        return first if isinstance(first, Token) and first.kind == "word" else None

    @property
    def args(self) -> list[Item]:
        command = self.command
        if command is None:
            return self.items
        return self.items[self.items.index(command) + 1 :]


@dataclass
class PowerShellScript:
    text: str
    items: list[Item]
    transcript: bool = False
    nested: list[PowerShellScript] = field(default_factory=list)  # `powershell -Command "…"` strings
    children: list[Nested] = field(default_factory=list)  # files it writes (`@'…'@ | Set-Content f`): their kind

    _own: list[list[Element]] | None = field(default=None, repr=False)  # this level's pipelines, computed once

    def own_pipelines(self) -> list[list[Element]]:
        """The pipelines of this script (groups included, `-Command` strings not), computed once: every rule
        reads them."""
        if self._own is None:
            self._own = list(pipelines_of(self.items))
        return self._own

    def pipelines(self) -> Iterator[list[Element]]:
        """Every pipeline, at every nesting level (inside groups and `-Command` strings too)."""
        yield from self.own_pipelines()
        for inner in self.nested:
            yield from inner.pipelines()


def _split(items: list[Item]) -> list[list[Item]]:
    """Statements of one level: split at `;`, `&&`, `||` and newlines (not after or before a `|`)."""
    statements: list[list[Item]] = [[]]
    following: list[Item | None] = [None] * (len(items) + 1)  # the next item that is not a newline, in one pass
    for k in range(len(items) - 1, -1, -1):
        item = items[k]
        following[k] = following[k + 1] if isinstance(item, Token) and item.kind == "newline" else item
    for k, item in enumerate(items):
        if isinstance(item, Token) and (item.kind == "newline" or (item.kind == "op" and item.text in (";", "&&", "||"))):
            if item.kind == "newline":
                before = statements[-1][-1] if statements[-1] else None
                after = following[k + 1]
                if _is_pipe(before) or _is_pipe(after):
                    continue
            statements.append([])
        else:
            statements[-1].append(item)
    return [s for s in statements if s]


def _is_op(item: Item | None, *texts: str) -> bool:
    return isinstance(item, Token) and item.kind in ("op", "word") and item.text in texts


def _is_pipe(item: Item | None) -> bool:
    return isinstance(item, Token) and item.kind == "op" and item.text == "|"


def pipelines_of(items: list[Item]) -> Iterator[list[Element]]:
    for statement in _split(items):
        elements: list[Element] = [Element([])]
        for item in statement:
            if _is_pipe(item):
                elements.append(Element([]))
            else:
                elements[-1].items.append(item)
        yield [e for e in elements if e.items]
        for item in statement:
            if isinstance(item, Group):
                yield from pipelines_of(item.items)


_Locate = Callable[[int], tuple[int, int]]


class _Lexer:
    def __init__(self, text: str, locate: _Locate) -> None:
        self.s = text
        self.locate = locate
        self.tokens: list[Token] = []

    def token(self, kind: str, text: str, offset: int) -> None:
        line, column = self.locate(offset)
        self.tokens.append(Token(kind, text, line, column))

    def error(self, message: str, offset: int) -> ParseError:
        line, column = self.locate(offset)
        return ParseError(f"PowerShell does not parse: {message}", line, column)

    def run(self) -> list[Token]:
        s, n = self.s, len(self.s)
        i = 0
        while i < n:
            c = s[i]
            if c == "\n":
                self.token("newline", "\n", i)
                i += 1
            elif c in " \t\r\f\v\ufeff":
                i += 1
            elif c == "`" and s.startswith("`\n", i):
                i += 2  # line continuation
            elif s.startswith("<#", i):
                end = s.find("#>", i + 2)
                if end < 0:
                    raise self.error("block comment '<#' is never closed with '#>'", i)
                i = end + 2
            elif c == "#":
                end = s.find("\n", i)
                i = n if end < 0 else end
            elif s.startswith(("@'\n", '@"\n', "@'\r\n", '@"\r\n'), i):
                i = self.here_string(i)
            elif c == "'":
                i = self.single(i)
            elif c == '"':
                i = self.double(i)
            elif s.startswith(("$(", "@(", "@{", "&&", "||"), i):
                self.token("op", s[i : i + 2], i)
                i += 2
            elif c in "|;(){}[],&":
                self.token("op", c, i)
                i += 1
            elif c == "`":
                i += 2  # an escaped character: neither a separator nor anything a rule reads
            else:
                start = i
                while i < n and s[i] not in WORD_STOP:
                    i += 1
                self.token("word", s[start:i], start)
        return self.tokens

    def single(self, i: int) -> int:
        s = self.s
        k = i + 1
        value: list[str] = []
        while True:
            end = s.find("'", k)
            if end < 0:
                raise self.error("string opened here is never closed", i)
            value.append(s[k:end])
            if s.startswith("''", end):
                value.append("'")
                k = end + 2
                continue
            self.token("string", "".join(value), i)
            return end + 1

    def double(self, i: int) -> int:
        s, n = self.s, len(self.s)
        k = i + 1
        value: list[str] = []
        while k < n:
            ch = s[k]
            if ch == "`" and k + 1 < n:
                value.append(s[k + 1])
                k += 2
            elif ch == '"' and s.startswith('""', k):
                value.append('"')
                k += 2
            elif ch == '"':
                self.token("xstring", "".join(value), i)  # expandable: `$( … )` inside runs
                return k + 1
            else:
                value.append(ch)
                k += 1
        raise self.error("string opened here is never closed", i)

    def here_string(self, i: int) -> int:
        quote = self.s[i + 1]
        match = re.compile(rf"^{quote}@", re.MULTILINE).search(self.s, i + 3)
        if match is None:
            raise self.error(f"here-string @{quote} is never closed with a line starting {quote}@", i)
        body_start = self.s.index("\n", i) + 1
        self.token("string" if quote == "'" else "xstring", self.s[body_start : max(body_start, match.start() - 1)], i)
        line, column = self.locate(i)
        self.tokens[-1] = Token(self.tokens[-1].kind, self.tokens[-1].text, line, column, here=True)
        return match.end()


def _group(tokens: list[Token]) -> list[Item]:
    root: list[Item] = []
    stack: list[tuple[Group, str]] = []
    for token in tokens:
        target = stack[-1][0].items if stack else root
        if token.kind == "op" and token.text in OPENERS:
            group = Group(token)
            target.append(group)
            stack.append((group, OPENERS[token.text]))
        elif token.kind == "op" and token.text in CLOSERS:
            if not stack or stack[-1][1] != token.text:
                expected = f"'{stack[-1][1]}'" if stack else "nothing to close"
                raise ParseError(f"PowerShell does not parse: '{token.text}' here, expected {expected}", token.line,
                            token.column)
            stack.pop()
        else:
            target.append(token)
    if stack:
        opener = stack[-1][0].open
        raise ParseError(f"PowerShell does not parse: '{opener.text}' is never closed", opener.line, opener.column)
    return root


def _transcript(text: str) -> tuple[str, list[int]] | None:
    lines = text.split("\n")
    if not any(PROMPT_RE.match(line) for line in lines):
        return None
    out: list[str] = []
    shifts: list[int] = []
    continuing = False
    for line in lines:
        match = PROMPT_RE.match(line)
        if match:
            cut = match.end()
        elif continuing and line.startswith(CONTINUATION_PROMPT):
            cut = len(CONTINUATION_PROMPT)
        else:
            out.append("")
            shifts.append(0)
            continuing = False
            continue
        out.append(line[cut:])
        shifts.append(cut)
        continuing = True
    return "\n".join(out), shifts


def _locator(text: str, shifts: list[int] | None, base: tuple[int, int] | None = None,
             fixed: bool = False) -> _Locate:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, offset) - 1
        line, column = index + 1, offset - starts[index] + 1
        if shifts is not None and index < len(shifts):
            column += shifts[index]
        if base is not None:
            if fixed:
                return base
            # a string on one line: its text starts right after the opening quote
            return base[0] + line - 1, (base[1] + column if line == 1 else column)
        return line, column

    return locate


SHELL_HOSTS = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe"})
MAX_NESTING = 4


def _nested(pipelines: list[list[Element]], depth: int) -> list[PowerShellScript]:
    """Scripts passed as strings: `powershell -Command "irm … | iex"`."""
    found: list[PowerShellScript] = []
    if depth >= MAX_NESTING:
        return found
    for pipeline in pipelines:
        for element in pipeline:
            command = element.command
            if command is None or command.lower not in SHELL_HOSTS:
                continue
            args = element.args
            for k, arg in enumerate(args[:-1]):
                nxt = args[k + 1]
                if isinstance(arg, Token) and arg.kind == "word" and "-command".startswith(arg.lower) and \
                        len(arg.text) >= 2 and isinstance(nxt, Token) and nxt.kind in ("string", "xstring"):
                    one_line = "\n" not in nxt.text
                    locate = _locator(nxt.text, None, (nxt.line, nxt.column), fixed=not one_line)
                    try:
                        found.append(_parse(nxt.text, locate, None, depth + 1))
                    except ParseError:
                        continue  # a string PowerShell would reject when run; the outer command still counts
    return found


def _expand_strings(items: list[Item], depth: int) -> None:
    """`"$(irm URL)"`: a subexpression in a double-quoted string runs; read it as a group."""
    for k, item in enumerate(items):
        if isinstance(item, Group):
            _expand_strings(item.items, depth)
        elif item.kind == "xstring" and "$(" in item.text:
            one_line = "\n" not in item.text
            locate = _locator(item.text, None, (item.line, item.column), fixed=not one_line)
            try:
                inner = _parse(item.text, locate, None, depth + 1)
            except ParseError:
                continue
            items[k] = Group(Token("op", "$(", item.line, item.column), inner.items)


def _parse(text: str, locate: _Locate, shifts: list[int] | None, depth: int = 0) -> PowerShellScript:
    tokens = _Lexer(text, locate).run()
    items = _group(tokens)
    if depth < MAX_NESTING:
        _expand_strings(items, depth)
    script = PowerShellScript(text, items)
    script.nested = _nested(script.own_pipelines(), depth)
    return script


# -- files the script writes: `@'…'@ | Set-Content f`, `Set-Content f -Value '…'`, `'…' > f`, `$t | Out-File f`

WRITERS = frozenset({"set-content", "sc", "add-content", "ac", "out-file", "tee-object", "tee"})
PATH_PARAMETERS = ("-path", "-filepath", "-literalpath", "-pspath")
REDIRECTS = frozenset({">", ">>"})


def _is_text(item: Item | None) -> bool:
    return isinstance(item, Token) and item.kind in ("string", "xstring")


def _writer(element: Element) -> tuple[str | None, Token | None]:
    """(path, -Value text) of a Set-Content/Out-File/Add-Content stage; (None, None) for anything else."""
    command = element.command
    if command is None or command.lower not in WRITERS:
        return None, None
    path: str | None = None
    value: Token | None = None
    positional: list[Token] = []
    args = element.args
    k = 0
    while k < len(args):
        arg, nxt = args[k], args[k + 1] if k + 1 < len(args) else None
        if isinstance(arg, Token) and arg.kind == "word" and arg.text.startswith("-") and len(arg.text) > 2:
            name = arg.lower
            if any(p.startswith(name) for p in PATH_PARAMETERS) and isinstance(nxt, Token):
                path, k = nxt.text, k + 2
                continue
            if "-value".startswith(name) and _is_text(nxt):
                value, k = nxt, k + 2  # type: ignore[assignment]
                continue
        elif isinstance(arg, Token) and arg.kind in ("word", "string", "xstring"):
            positional.append(arg)
        k += 1
    if path is None and positional:
        path = positional.pop(0).text
    if value is None and positional and _is_text(positional[0]):
        value = positional[0]
    return path, value


def _file(token: Token, path: str) -> Nested | None:
    kind = kind_for_written_path(path)
    if kind is None:
        return None  # unknown or plain text: nothing to check it as
    suffix = path.rsplit(".", 1)[-1]
    if token.here:
        return Nested(token.text, token.line + 1, 1, suffix, kind, Origin.WRITTEN)
    return Nested(token.text, token.line, token.column + 1, suffix, kind, Origin.WRITTEN)


def _written(pipelines: list[list[Element]]) -> list[Nested]:
    texts: dict[str, Token] = {}  # `$t = @"…"@`: variables holding text, in script order
    found: list[Nested] = []
    for pipeline in pipelines:
        first = pipeline[0].items if pipeline else []
        if (len(pipeline) == 1 and len(first) == 3 and isinstance(first[0], Token) and first[0].text.startswith("$")
                and isinstance(first[1], Token) and first[1].text == "=" and _is_text(first[2])):
            texts[first[0].lower] = first[2]  # type: ignore[assignment]
            continue
        source = first[0] if len(first) >= 1 else None
        text = texts.get(source.lower) if isinstance(source, Token) and source.kind == "word" else None
        text = text or (source if _is_text(source) else None)  # type: ignore[assignment]
        for position, element in enumerate(pipeline):
            path, value = _writer(element)
            if path is not None:
                payload = value if value is not None else (text if position > 0 else None)
                if payload is not None and (nested := _file(payload, path)) is not None:
                    found.append(nested)
        # `'text' > file`, `$t >> file`
        if text is not None and len(first) >= 3 and isinstance(first[1], Token) and first[1].text in REDIRECTS \
                and isinstance(first[2], Token) and (nested := _file(text, first[2].text)) is not None:
            found.append(nested)
    return found


def parse_powershell(text: str) -> PowerShellScript:
    transcript = _transcript(text) if "PS" in text else None
    shifts: list[int] | None = None
    body = text
    if transcript is not None:
        body, shifts = transcript
    try:
        script = _parse(body, _locator(body, shifts), shifts)
    except RecursionError:
        raise ParseError("PowerShell: the script nests too deeply to check") from None
    script.text = text
    script.transcript = transcript is not None
    script.children = _written(script.own_pipelines())
    return script


POWERSHELL = register_kind(Kind("powershell", "PowerShell", parse_powershell, checks=("tokenizer",)))
