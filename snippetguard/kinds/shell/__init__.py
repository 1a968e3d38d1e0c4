"""Shell snippets (bash, sh, console transcripts): bashlex's syntax tree -> commands with positions.

bashlex does the parsing. Around it sit a few position-preserving steps, each
because bashlex alone would get a documentation snippet wrong:

* console transcripts: only prompt lines are commands; output lines are blanked
  (`transcript`);
* here-documents: bashlex reads them poorly, so bodies are cut out beforehand
  and kept: a body fed to `sh`/`bash` is parsed as shell in its own right
  (`nested`), a body written to a file is checked as that file's kind
  (`written`);
* `time`, `[[ … ]]`, `$(( … ))`, arrays and `case` are valid bash that bashlex
  0.18 refuses; they are rewritten, same length, into something it accepts
  (`prepare`; unless they hold a command substitution: then bashlex's refusal
  stands and the snippet fails closed).

Every rewrite keeps line numbers, so each word keeps its line and column in
the snippet as written. Rules read the normalised commands (`sudo`, `env`,
`/usr/bin/…` stripped, `commands`) and the container model built from
`docker run` (`docker`).

Speed: bashlex is pure Python (tens of microseconds a word). Lines that are
"plain" (words, simple quotes, `$NAME`, `&&` `||` `;` `|`, simple redirections)
are split directly, which for those lines gives exactly bashlex's result
(tests/test_shell.py compares the two on generated input); every other line
goes to bashlex, and bashlex's trees are cached by text (`parser`).
"""

from __future__ import annotations

from snippetguard.kinds.shell.commands import (
    DOCKER_LIKE,
    SHELLS,
    _runs_stdin_as_shell,
    exec_target,
    is_interpreter,
    is_shell,
    program_name,
    script_operand,
    ssh_remote_command,
)
from snippetguard.kinds.shell.docker import docker_service
from snippetguard.kinds.shell.model import Command, Heredoc, Redirect, ShellScript, Word
from snippetguard.kinds.shell.parser import _Parser
from snippetguard.kinds.shell.transcript import extract_transcript
from snippetguard.kinds.shell.written import unquoted_heredoc_substitutions, written_files
from snippetguard.registry import Kind, ParseError, register_kind


def parse_shell(text: str, fast: bool = True) -> ShellScript:
    """Parse a shell snippet (script or console transcript) into normalised commands and containers."""
    script = ShellScript(text)
    transcript = extract_transcript(text) if "$ " in text or "# " in text else None
    shifts: list[int] | None = None
    body = text
    if transcript is not None:
        body, shifts = transcript
        script.transcript = True
    try:
        parser = _Parser(script)
        commands = parser.parse(body, shifts, None, fast=fast)
    except RecursionError:
        raise ParseError("shell: the command nests too deeply to check", 1, 1) from None
    commands.extend(_heredoc_substitutions(script, commands, parser.counter))
    commands.sort(key=lambda c: (c.line, c.column))
    # bare `:` no-ops (also what `case` and `[[ … ]]` were rewritten to) concern no rule
    script.commands = [c for c in commands if c.name != ":" or c.args or c.redirects]
    script.services = [s for s in map(docker_service, commands) if s is not None]
    script.children = written_files(script)
    return script


def _heredoc_substitutions(script: ShellScript, commands: list[Command], counter: list[int]) -> list[Command]:
    """The commands in `$(…)` inside unquoted here-documents that no shell reads as a script: they run too."""
    holder = {id(r.heredoc): c for c in commands for r in c.redirects if r.heredoc is not None}
    found: list[Command] = []
    for heredoc, inner, line, column in unquoted_heredoc_substitutions(script):
        command = holder.get(id(heredoc))
        if command is None or _runs_stdin_as_shell(command):
            continue  # a body a shell runs was parsed whole already

        def to_snippet(ln: int, col: int, line: int = line, column: int = column) -> tuple[int, int]:
            return line + ln - 1, column + col - 1

        try:
            inner_commands = _Parser(script, 1, counter).parse(inner, None, to_snippet)
        except ParseError:
            continue  # bash would fail on it when run; the file's text is still checked
        for inner_command in inner_commands:
            if inner_command.host is None:
                inner_command.host, inner_command.via = command, "$("
        found.extend(inner_commands)
    return found


SHELL = register_kind(Kind("shell", "shell", parse_shell, checks=("bashlex syntax tree",)))

__all__ = [
    "DOCKER_LIKE", "SHELL", "SHELLS", "Command", "Heredoc", "Redirect", "ShellScript", "Word", "docker_service",
    "exec_target", "extract_transcript", "is_interpreter", "is_shell", "parse_shell", "program_name",
    "script_operand", "ssh_remote_command",
]
