"""Fixes for shell commands: file modes (SG301, SG302). Line edits at the mode word the rule points at."""

from __future__ import annotations

import re

from snippetguard.fixes import CannotFix, Spot, edit_lines, fixer, replace_span
from snippetguard.fixes.compose import loopback_port
from snippetguard.kinds.shell import Command, ShellScript, Word, parse_shell
from snippetguard.rules.shell import is_env_file

OCTAL_MODE_RE = re.compile(r"0?[0-7]{3,4}")
MODE_AT_RE = re.compile(r"[0-7]+|[ugoa]*[-+=][rwxXst]*(?:,[ugoa]*[-+=][rwxXst]*)*")


def _mode_at(line: str, spot: Spot) -> tuple[int, int, str]:
    match = MODE_AT_RE.match(line, spot.column - 1)
    if match is None or not match.group(0):
        raise CannotFix("no file mode at the finding's column")
    return match.start(), match.end(), match.group(0)


def _word_at(script: ShellScript, spot: Spot) -> tuple[Command, Word]:
    """The command word holding the spot (the mode, or `--mode=777`)."""
    for command in script.commands:
        for word in command.args:
            if word.line == spot.line and word.column <= spot.column < word.column + max(1, len(word.raw)):
                return command, word
    raise CannotFix("no command at the finding's place")


@fixer("SG301", kinds=("shell",), summary="takes write access away from group and others in an octal mode "
                                         "(`chmod 777` → `755`, `umask 000` → `022`)")
def world_writable(text: str, spots: list[Spot]) -> str:
    def edit(line: str, spot: Spot) -> str:
        start, end, mode = _mode_at(line, spot)
        if not OCTAL_MODE_RE.fullmatch(mode):
            raise CannotFix("symbolic modes have more than one right answer")
        value = int(mode, 8)
        fixed = value | 0o022 if spot.message.startswith("umask") else value & ~0o022
        return replace_span(line, start, end, format(fixed, f"0{len(mode)}o"))

    return edit_lines(text, spots, edit)


def _recursive(command: Command) -> bool:
    return any(w.text == "--recursive" or (w.text.startswith("-") and not w.text.startswith("--") and "R" in w.text)
               for w in command.args)


@fixer("SG302", kinds=("shell",), summary="makes a .env file owner-only: the mode becomes `600` "
                                         "(`u=rwX,go=` with `-R`)")
def env_file_mode(text: str, spots: list[Spot]) -> str:
    script = parse_shell(text)

    def edit(line: str, spot: Spot) -> str:
        start, end, _ = _mode_at(line, spot)
        command, mode_word = _word_at(script, spot)
        files = [w for w in command.args
                 if (w.line, w.column) > (mode_word.line, mode_word.column) and not w.text.startswith("-")]
        if not files or not all(is_env_file(w.text) for w in files):
            raise CannotFix("the command also changes files that are not .env files")
        return replace_span(line, start, end, "u=rwX,go=" if _recursive(command) else "600")

    return edit_lines(text, spots, edit)


PUBLISH_AT_RE = re.compile(r"""(?P<quote>["']?)(?P<spec>[0-9A-Za-z.:\[\]/-]+)(?P=quote)(?=\s|$|;|&|\|)""")


@fixer("SG101", kinds=("shell",), summary="in `docker run`: `-p 127.0.0.1:5432:5432`")
def published_port(text: str, spots: list[Spot]) -> str:
    def edit(line: str, spot: Spot) -> str:
        match = PUBLISH_AT_RE.match(line, spot.column - 1)
        if match is None:
            raise CannotFix("no port mapping at the finding's column")
        return replace_span(line, match.start("spec"), match.end("spec"), loopback_port(match.group("spec")))

    return edit_lines(text, spots, edit)
