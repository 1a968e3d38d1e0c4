"""The shell kind's data: words, here-documents, redirections, normalised commands, the script."""

from __future__ import annotations

from dataclasses import dataclass, field

from snippetguard.containers import Service
from snippetguard.sources import Nested


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word. `text` has its quotes removed; `$x` and `$(…)` are left as written."""

    text: str
    raw: str  # the word as written in the snippet
    line: int
    column: int
    offset: int = -1  # into the prepared text of the script that holds it
    has_substitution: bool = False  # holds `$(…)`, backticks or `<(…)`

    def at(self, skip: int) -> tuple[int, int]:
        """Line and column of `text[skip:]` (e.g. the value in `--mode=777`), as near as the quoting allows."""
        if self.raw.startswith(self.text[:skip]):
            return self.line, self.column + skip
        if self.raw[:1] in "\"'" and self.raw[1:].startswith(self.text[:skip]):
            return self.line, self.column + 1 + skip
        return self.line, self.column


@dataclass(frozen=True, slots=True)
class Heredoc:
    delimiter: str
    quoted: bool  # `<<'EOF'`: the body is taken literally (no `$…` expansion)
    body: str
    line: int  # snippet line of the body's first line
    op_line: int
    op_column: int
    offset: int  # of the `<<` in the prepared text
    dash: bool = False  # `<<-EOF`: bash strips leading tabs from the body's lines
    column: int = 1  # snippet column of the body's first character (3 after a transcript's `> ` prompt)


@dataclass(frozen=True, slots=True)
class Redirect:
    op: str  # "<", ">", ">>", "<<" (here-document), "<<<", "&>", …
    target: Word | None
    line: int
    column: int
    heredoc: Heredoc | None = None


@dataclass(eq=False)
class Command:
    """A simple command after normalisation: `sudo -E env X=1 /usr/bin/curl -k URL` is `curl` with `-k URL`."""

    name: str  # program name without wrappers or directory; "" for a bare assignment
    program: Word | None
    args: tuple[Word, ...]
    words: tuple[Word, ...]  # every word as written, wrappers included
    assignments: tuple[Word, ...] = ()  # `X=y` before the command, after `env` or after `sudo`
    wrappers: tuple[str, ...] = ()  # e.g. ("sudo", "env")
    redirects: tuple[Redirect, ...] = ()
    pipeline: int = 0  # commands with the same number are one pipeline …
    position: int = 0  # … in this order
    pipeline_size: int = 1
    host: Command | None = None  # the command whose word holds this one (`$(…)`, `<(…)`, `-c '…'`, heredoc)
    host_word: Word | None = None
    via: str = ""  # "$(", "`", "<(", ">(", "-c" or "heredoc"
    executed: bool = True  # False for `command -v curl`: the program is only looked up
    line: int = 1  # of the program word (else the first word, assignment or redirect)
    column: int = 1

    @property
    def raw_program(self) -> str:
        return self.program.text if self.program else ""

    def arg_texts(self) -> list[str]:
        return [w.text for w in self.args]

    def __repr__(self) -> str:  # short, for test failures
        return f"Command({self.name!r}, {self.arg_texts()!r}, line={self.line}, pipeline={self.pipeline}:{self.position})"


@dataclass
class ShellScript:
    text: str
    commands: list[Command] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)  # from `docker run` & co., for the SG1xx rules
    heredocs: list[Heredoc] = field(default_factory=list)
    transcript: bool = False  # a console transcript: only prompt lines were read as commands
    children: list[Nested] = field(default_factory=list)  # files the script writes (heredocs, tee, >): checked as their kind

