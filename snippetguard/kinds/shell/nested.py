"""Scripts inside the script: `bash <<EOF`, `sh -c '…'`, `find -exec`, `xargs`: parsed as commands too."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from snippetguard.kinds.shell.commands import (
    FIND_EXEC,
    XARGS_VALUE_LONG,
    XARGS_VALUE_SHORT,
    _runs_stdin_as_shell,
    _shell_string,
    _skip_options,
)
from snippetguard.kinds.shell.model import Command, Heredoc, ShellScript, Word
from snippetguard.registry import ParseError

MAX_NESTING = 6  # heredoc in `sh -c` in heredoc …: deeper than this is not followed


class NestedScripts:
    """The parser's part that follows code into the scripts a command runs (mixed into the parser)."""

    script: ShellScript
    depth: int
    counter: list[int]
    locate: Any  # the parser's _Locator

    def __init__(self, script: ShellScript, depth: int = 0, counter: list[int] | None = None) -> None:
        raise NotImplementedError  # the parser defines it

    def parse(self, text: str, shifts: list[int] | None, outer: Callable[[int, int], tuple[int, int]] | None,
              fast: bool = True) -> list[Command]:
        raise NotImplementedError

    def next_pipeline(self) -> int:
        raise NotImplementedError

    def command(self, words: list[Word], assignments: list[Word], redirects: list[Any], pipeline: int,
                position: int, size: int, host: tuple[Command | None, Word | None, str] | None) -> Command:
        raise NotImplementedError

    def nested(self, commands: list[Command]) -> list[Command]:
        if self.depth >= MAX_NESTING:
            return []
        found: list[Command] = []
        for command in commands:
            for redirect in command.redirects:
                if redirect.heredoc is not None and _runs_stdin_as_shell(command):
                    found.extend(self.heredoc_script(command, redirect.heredoc))
            word = _shell_string(command)
            if word is not None and not word.has_substitution:
                found.extend(self.string_script(command, word))
            found.extend(self.run_by(command))
        return found

    def run_by(self, command: Command) -> list[Command]:
        """`find … -exec chmod 777 {} +`, `xargs chmod 777`: the command they run, as a command of its own."""
        args = list(command.args) if command.executed else []
        spans: list[tuple[int, int]] = []
        if command.name == "find":
            for i, word in enumerate(args):
                if word.text in FIND_EXEC:
                    end = next((k for k in range(i + 1, len(args)) if args[k].text in (";", "+")), len(args))
                    spans.append((i + 1, end))
        elif command.name == "xargs":
            spans.append((_skip_options(args, 0, XARGS_VALUE_SHORT, XARGS_VALUE_LONG), len(args)))
        found = [self.command(args[start:end], [], [], self.next_pipeline(), 0, 1, (command, args[start], command.name))
                 for start, end in spans if start < end]
        return found + self.nested(found) if found else found

    def heredoc_script(self, command: Command, heredoc: Heredoc) -> list[Command]:
        outer = self.locate
        first = heredoc.line

        def to_snippet(line: int, column: int) -> tuple[int, int]:
            real = first + line - 1
            shift = outer.shifts[real - 1] if outer.shifts is not None and real - 1 < len(outer.shifts) else 0
            if outer.outer is not None:
                return outer.outer(real, column + shift)
            return real, column + shift

        child = type(self)(self.script, self.depth + 1, self.counter)
        inner = child.parse(heredoc.body, None, to_snippet)
        for c in inner:
            if c.host is None:
                c.host, c.host_word, c.via = command, None, "heredoc"
        return inner

    def string_script(self, command: Command, word: Word) -> list[Command]:
        """`sh -c 'chmod 777 /x'`: the string is a script; positions exact when it is quoted plainly."""
        exact = word.offset >= 0 and (word.raw == word.text or (
            word.raw[:1] in "'\"" and word.raw[1:-1] == word.text and word.raw[-1:] == word.raw[:1]))
        skip = 0 if word.raw == word.text else 1
        outer = self.locate
        fixed = (word.line, word.column)
        # inner (line, column) -> snippet position: through the outer prepared text when exact
        inner_starts = [0] + [m.end() for m in re.finditer("\n", word.text)]

        def to_snippet(line: int, column: int) -> tuple[int, int]:
            if not exact:
                return fixed
            return outer(word.offset + skip + inner_starts[line - 1] + column - 1)

        child = type(self)(self.script, self.depth + 1, self.counter)
        try:
            inner = child.parse(word.text, None, to_snippet)
        except ParseError:
            return []  # a string bash would reject at run time; the outer command is still checked
        for c in inner:
            if c.host is None:
                c.host, c.host_word, c.via = command, word, "-c"
        return inner

