"""bashlex's syntax tree (or a direct split of plain lines) -> normalised commands with positions."""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from snippetguard.kinds.shell import _bashlex as _bl
from snippetguard.kinds.shell._bashlex import (
    COMPOUND_RE,
    UNSUPPORTED,
    _bashlex_parts,
    _BashlexFailure,
    _unclosed_compound,
)
from snippetguard.kinds.shell.commands import ASSIGNMENT_RE, normalise, program_name
from snippetguard.kinds.shell.model import Command, Heredoc, Redirect, ShellScript, Word
from snippetguard.kinds.shell.nested import NestedScripts
from snippetguard.kinds.shell.prepare import SHIM_TRIGGERS_RE, _Preparer, _Unclosed
from snippetguard.registry import ParseError


class _Locator:
    """Offsets of the prepared text -> 1-based (line, column) in the snippet as written."""

    def __init__(self, prepared: str, shifts: list[int] | None,
                 outer: Callable[[int, int], tuple[int, int]] | None = None) -> None:
        self.starts = [0]
        find = prepared.find
        k = find("\n")
        while k >= 0:
            self.starts.append(k + 1)
            k = find("\n", k + 1)
        self.shifts = shifts
        self.outer = outer

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        line, column = index + 1, offset - self.starts[index] + 1
        if self.shifts is not None and index < len(self.shifts):
            column += self.shifts[index]
        if self.outer is not None:
            return self.outer(line, column)
        return line, column



# "Plain" lines: words of safe characters, `'…'`, `"…"` holding at most `$NAME`/`${NAME}`, the operators
# `&&` `||` `;` `|` and simple redirections. For these, splitting is unambiguous and gives exactly what
# bashlex gives (tests/test_shell.py checks that on generated input); everything else goes to bashlex.
_NAME_REF = r"\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}"
PLAIN_TOKEN_RE = re.compile(
    r"(?P<space>[ \t]+)"
    r"|(?P<op>&&|\|\||\||;)"
    r"|(?P<dup>[0-9]?[<>]&(?:[0-9]|-)(?![^ \t;&|]))"
    r"|(?P<redir>(?:[0-9]?(?:>>|>|<)|&>)(?![<>&|(]))"
    rf"|(?P<word>(?:[A-Za-z0-9_./:=@%+,~^-]|{_NAME_REF}|'[^'\n]*'|\"(?:[^\"\\`$!\n]|{_NAME_REF})*\")+)"
    r"|(?P<comment>#.*)"
)
PLAIN_WORD_RE = re.compile(rf"(?:[A-Za-z0-9_./:=@%+,~^-]|{_NAME_REF}|'[^'\n]*'|\"(?:[^\"\\`$!\n]|{_NAME_REF})*\")+")
PLAIN_QUOTES_RE = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def unquote(raw: str) -> str:
    """Quote removal for a plain word, as bash does it (bashlex slips when quotes follow a `$NAME`)."""
    return PLAIN_QUOTES_RE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), raw)
RESERVED = frozenset({"if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
                      "done", "in", "function", "time", "coproc", "{", "}", "!", "[[", "]]"})
OPENERS_RE = re.compile(r"(?<![\w$./-])(?:if|for|while|until|case|select|function)(?![\w./-])|[{(]")
CLOSERS_RE = re.compile(r"(?<![\w$./-])(?:fi|done|esac)(?![\w./-])|[})]")
CONTINUED_RE = re.compile(r"(?:\\|\|\||&&|\|)[ \t]*$")

class _Parser(NestedScripts):
    def __init__(self, script: ShellScript, depth: int = 0, counter: list[int] | None = None) -> None:
        self.script = script
        self.depth = depth
        self.counter = counter if counter is not None else [0]
        self.prepared = ""
        self.locate: _Locator
        self.heredocs: dict[int, Heredoc] = {}

    def next_pipeline(self) -> int:
        self.counter[0] += 1
        return self.counter[0]

    # -- entry
    def parse(self, text: str, shifts: list[int] | None, outer: Callable[[int, int], tuple[int, int]] | None,
              fast: bool = True) -> list[Command]:
        prepared = text
        self.locate = _Locator(text, shifts, outer=outer)
        if SHIM_TRIGGERS_RE.search(text):
            preparer = _Preparer(text)
            try:
                prepared = preparer.run()
            except _Unclosed as err:
                line, column = self.locate(err.offset)
                raise ParseError(f"shell: {err.message}", line, column) from None
            for op, start, delim, quoted, end, _dash in preparer.heredocs:
                op_line, op_column = self.locate(op)
                body_line, body_column = self.locate(start)
                heredoc = Heredoc(delim, quoted, text[start:end], body_line, op_line, op_column, op, bool(_dash),
                                  body_column)
                self.heredocs[op] = heredoc
                self.script.heredocs.append(heredoc)
        self.prepared = prepared
        commands: list[Command] = []
        try:
            if fast:
                try:
                    commands = self.parse_lines()
                except _BashlexFailure:  # a chunk cut inside a construct: bashlex reads it all
                    commands = self.parse_range(0, len(prepared))
            else:
                commands = self.parse_range(0, len(prepared))
        except _BashlexFailure as err:
            raise self.error(err) from None
        except RecursionError:
            raise ParseError("shell: the command nests too deeply to check", 1, 1) from None
        commands.extend(self.nested(commands))
        return commands

    def error(self, err: _BashlexFailure) -> ParseError:
        offset = min(err.offset, max(0, len(self.prepared) - 1))
        message = err.message
        if err.unsupported:
            what = next((w for key, w, _ in UNSUPPORTED if key in message), "a construct here")
            pattern = next((p for key, _, p in UNSUPPORTED if key in message), None)
            found = pattern.search(self.prepared, err.offset) if pattern else None
            if found:
                offset = found.start()
            line, column = self.locate(offset)
            return ParseError(f"shell: snippetguard's shell parser (bashlex) cannot read {what}; "
                              "simplify the snippet so it can be checked", line, column)
        if "unexpected EOF while looking for matching" in message or message.startswith("unexpected EOF"):
            scan = _Preparer(self.prepared)
            with contextlib.suppress(_Unclosed):
                scan.run()
            opened = scan.unclosed()
            if opened is None:
                opened = _unclosed_compound(self.prepared)
                if opened is not None:
                    keyword = COMPOUND_RE.match(self.prepared, opened)
                    message += f": the '{keyword.group(0) if keyword else '?'}' that starts here is never closed"
            if opened is not None:
                offset = opened
        line, column = self.locate(offset)
        return ParseError(f"shell does not parse: {message}", line, column)

    # -- fast path: plain lines are split here, every other line goes to bashlex
    def parse_lines(self) -> list[Command]:
        """Plain lines one by one; runs of other lines as chunks for bashlex.

        A chunk ends before a plain line unless it is visibly unfinished
        (trailing `\\`, `|`, `&&`, `||`, or an `if`/`{`/`(` not yet closed).
        Guessing wrong is safe: a chunk cut inside a construct fails to parse,
        and the caller then parses the whole text with bashlex instead.
        """
        commands: list[Command] = []
        offset = 0
        chunk_start: int | None = None
        chunk_end = 0
        depth = 0
        continued = False
        for line in self.prepared.split("\n"):
            end = offset + len(line)
            stripped = line.strip()
            plain = None
            if not continued and depth <= 0 and (not stripped or stripped.startswith("#")):
                plain = []
            elif not continued and depth <= 0:
                plain = self.plain(line, offset)
            if plain is None:
                if chunk_start is None:
                    chunk_start = offset
                chunk_end = end
                continued = bool(CONTINUED_RE.search(line))
                depth += len(OPENERS_RE.findall(line)) - len(CLOSERS_RE.findall(line))
            else:
                if chunk_start is not None:
                    commands.extend(self.parse_range(chunk_start, chunk_end))
                    chunk_start = None
                depth = 0
                commands.extend(plain)
            offset = end + 1
        if chunk_start is not None:
            commands.extend(self.parse_range(chunk_start, chunk_end))
        return commands

    def plain(self, line: str, offset: int) -> list[Command] | None:
        """The commands of a plain line, or None when the line needs bashlex."""
        pos, n = 0, len(line)
        lists: list[list[tuple[list[Word], list[Redirect]]]] = [[([], [])]]  # pipelines of commands
        last_op = ""
        while pos < n:
            match = PLAIN_TOKEN_RE.match(line, pos)
            if match is None:
                return None
            kind = match.lastgroup
            words, redirects = lists[-1][-1]
            if kind == "space":
                pass
            elif kind == "comment":
                if pos > 0 and line[pos - 1] not in " \t":
                    return None  # `a;#b`: bashlex does not read that `#` as a comment
                break
            elif kind == "op":
                if not words and not redirects:
                    return None  # `&& x`, `;;`: leave the error (or the case clause) to bashlex
                last_op = match.group(0)
                if line[match.end() : match.end() + 1] in (";", "&") and last_op in (";", "|"):
                    return None  # `;;`, `;&`, `|&`: case terminators and stderr pipes are bashlex's
                if last_op == "|":
                    lists[-1].append(([], []))
                else:
                    lists.append([([], [])])
            elif kind in ("dup", "redir"):
                if kind == "redir":
                    target = PLAIN_TOKEN_RE.match(line, match.end())
                    if target is not None and target.lastgroup == "space":
                        target = PLAIN_TOKEN_RE.match(line, target.end())
                    if target is None or target.lastgroup != "word" or (
                            target.group(0).isdigit() and line[target.end() : target.end() + 1] in ("<", ">")):
                        return None
                    op = match.group(0).lstrip("0123456789")
                    where = offset + match.start()
                    heredoc = self.heredocs.get(where) if op == "<" else None
                    ln, col = self.locate(where)
                    redirects.append(Redirect("<<" if heredoc else op, self.plain_word(target, offset), ln, col,
                                              heredoc))
                    match = target
                else:
                    ln, col = self.locate(offset + match.start())
                    redirects.append(Redirect(">&" if ">" in match.group(0) else "<&", None, ln, col))
            else:  # a word
                text = match.group(0)
                if text.isdigit() and match.end() < n and line[match.end()] in "<>":
                    return None  # `12>file`: a file descriptor bashlex and bash read differently
                words.append(self.plain_word(match, offset))
            pos = match.end()
        commands: list[Command] = []
        for pipeline in lists:
            if not pipeline[-1][0] and not pipeline[-1][1]:
                if len(pipeline) > 1 or len(lists) == 1 or pipeline is not lists[-1]:
                    return None  # `a |` at the end, or an empty command: bashlex decides
                if last_op != ";":
                    return None  # `a &&` continues on the next line
                continue  # `a;` at the end of the line
            number = self.next_pipeline()
            for position, (words, redirects) in enumerate(pipeline):
                k = 0
                while k < len(words) and ASSIGNMENT_RE.match(words[k].raw):
                    k += 1
                if k < len(words) and words[k].text in RESERVED:
                    return None  # `if`, `do`, `{` …: compound commands are bashlex's
                commands.append(self.command(words[k:], words[:k], redirects, number, position, len(pipeline), None))
        return commands

    def plain_word(self, match: re.Match[str], offset: int) -> Word:
        raw = match.group(0)
        text = unquote(raw) if ("'" in raw or '"' in raw) else raw
        start = offset + match.start()
        ln, col = self.locate(start)
        return Word(text, raw, ln, col, start)

    # -- bashlex
    def parse_range(self, start: int, end: int) -> list[Command]:
        parts = _bashlex_parts(self.prepared[start:end])
        if isinstance(parts, _BashlexFailure):
            raise _BashlexFailure(parts.message, start + parts.offset, parts.unsupported)
        commands: list[Command] = []
        for tree, index in parts:
            self.walk(tree, start + index, commands, None)
        return commands

    def word(self, node: Any, base: int) -> Word:
        start, end = node.pos
        line, column = self.locate(base + start)
        parts = getattr(node, "parts", ())
        raw = self.prepared[base + start : base + end]
        text = node.word
        if ("'" in raw or '"' in raw) and PLAIN_WORD_RE.fullmatch(raw):
            text = unquote(raw)
        live = any(self.live(sub, base, base + start, raw) for p in parts for sub in _substitution_nodes(p))
        return Word(text, raw, line, column, base + start, live)

    @staticmethod
    def live(sub: Any, base: int, word_start: int, raw: str) -> bool:
        """False for a `$(…)` bashlex found inside single quotes (`a'$(b)'`), where nothing runs."""
        if "'" not in raw:
            return True
        at = base + sub.pos[0] - word_start
        return not any(a <= at < b for a, b in _single_quoted(raw))

    def walk(self, node: Any, base: int, out: list[Command], place: tuple[int, int, int] | None,
             host: tuple[Command | None, Word | None, str] | None = None) -> None:
        kind = node.kind
        if kind == "command":
            self.simple(node, base, out, place or (self.next_pipeline(), 0, 1), host)
        elif kind == "pipeline":
            members = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
            pipeline = self.next_pipeline()
            for position, part in enumerate(members):
                self.walk(part, base, out, (pipeline, position, len(members)), host)
        elif kind == "list":
            for part in node.parts:
                if part.kind not in ("operator", "reservedword"):
                    self.walk(part, base, out, place, host)
        elif kind == "compound":
            # `curl … | (cd /tmp && sh)`: what is inside a group reads the pipe the group reads
            for part in node.list:
                if part.kind not in ("reservedword", "operator"):
                    self.walk(part, base, out, place, host)
            for redirect in getattr(node, "redirects", ()):
                target = getattr(redirect, "output", None)
                if isinstance(target, _bl.bashlex.ast.node) and target.kind == "word":
                    self.substitutions(target, base, out, None, self.word(target, base), host)
        elif kind in ("if", "for", "while", "until"):
            for part in node.parts:
                if part.kind == "word":
                    self.substitutions(part, base, out, None, self.word(part, base), host)
                elif part.kind not in ("reservedword", "operator"):
                    self.walk(part, base, out, None, host)
        elif kind == "function":
            self.walk(node.body, base, out, None, host)

    def simple(self, node: Any, base: int, out: list[Command], place: tuple[int, int, int],
               host: tuple[Command | None, Word | None, str] | None) -> None:
        words: list[Word] = []
        nodes: list[tuple[Any, Word]] = []
        assignments: list[Word] = []
        redirects: list[tuple[Any, Redirect, Word | None]] = []
        for part in node.parts:
            if part.kind == "word":
                word = self.word(part, base)
                words.append(word)
                nodes.append((part, word))
            elif part.kind == "assignment":
                word = self.word(part, base)
                (words if words else assignments).append(word)
                nodes.append((part, word))
            elif part.kind == "redirect":
                line, column = self.locate(base + part.pos[0])
                target_node = part.output if isinstance(part.output, _bl.bashlex.ast.node) else None
                target = self.word(target_node, base) if target_node is not None else None
                heredoc = self.heredocs.get(base + part.pos[0]) if part.type == "<" else None
                op = "<<" if heredoc else str(part.type)
                redirect = Redirect(op, target, line, column, heredoc)
                redirects.append((target_node, redirect, target))
        while words and ASSIGNMENT_RE.match(words[0].raw):
            assignments.append(words.pop(0))  # `>f X=1 cmd`: bash still reads X=1 as an assignment
        command = self.command(words, assignments, [r for _, r, _ in redirects], *place, host)
        out.append(command)
        for part, word in nodes:
            self.substitutions(part, base, out, command, word, None)
        for target_node, _, target in redirects:
            if target_node is not None and target is not None:
                self.substitutions(target_node, base, out, command, target, None)

    def substitutions(self, node: Any, base: int, out: list[Command], command: Command | None, word: Word,
                      host: tuple[Command | None, Word | None, str] | None) -> None:
        for part in getattr(node, "parts", ()) or ():
            if part.kind in ("commandsubstitution", "processsubstitution"):
                if word.offset >= 0 and not self.live(part, base, word.offset, word.raw):
                    continue
                opener = self.prepared[base + part.pos[0] : base + part.pos[0] + 2]
                via = "`" if opener.startswith("`") else ("$(" if part.kind == "commandsubstitution" else opener)
                inner_host = (command, word, via) if command is not None else (host or (None, word, via))
                self.walk(part.command, base, out, None, inner_host)
            elif getattr(part, "parts", None):
                self.substitutions(part, base, out, command, word, host)

    def command(self, words: list[Word], assignments: list[Word], redirects: list[Redirect], pipeline: int,
                position: int, size: int, host: tuple[Command | None, Word | None, str] | None) -> Command:
        index, assignments, wrappers, executed = normalise(words, list(assignments))
        program = words[index] if index < len(words) else None
        name = program_name(program.text) if program else ""
        if program is not None and not executed:
            name = program.text  # `command -v x`: the command is `command`
        anchor = program or (words[0] if words else assignments[0] if assignments else None)
        line, column = (anchor.line, anchor.column) if anchor else (
            (redirects[0].line, redirects[0].column) if redirects else (1, 1))
        command = Command(name, program, tuple(words[index + 1 :]), tuple(words), tuple(assignments),
                          tuple(wrappers), tuple(redirects), pipeline, position, size, executed=executed,
                          line=line, column=column)
        if host is not None:
            command.host, command.host_word, command.via = host
        return command

    # -- scripts inside the script: `bash <<EOF … EOF`, `sh -c '…'`

def _substitution_nodes(node: Any) -> Iterator[Any]:
    if node.kind in ("commandsubstitution", "processsubstitution"):
        yield node
        return
    for part in getattr(node, "parts", ()) or ():
        yield from _substitution_nodes(part)


@functools.lru_cache(maxsize=1024)
def _single_quoted(raw: str) -> tuple[tuple[int, int], ...]:
    """Spans of `raw` inside single quotes (outside double quotes, honouring backslashes)."""
    spans: list[tuple[int, int]] = []
    i, n, double = 0, len(raw), False
    while i < n:
        ch = raw[i]
        if ch == "\\":  # an escaped character, inside double quotes or out
            i += 2
            continue
        if ch == '"':
            double = not double
        elif ch == "'" and not double:
            end = raw.find("'", i + 1)
            end = n if end < 0 else end
            spans.append((i, end + 1))
            i = end
        i += 1
    return tuple(spans)

