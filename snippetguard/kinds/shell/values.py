"""What a script assigns to its variables, and where those values go (simple assignments only).

`X=1 cmd`, `X=1`, `export X=1`, `declare -x X=1`, `readonly X=1`, `local X=1`:
each is an `Assignment` with the value's position. `follow` answers "which
variables hold what these commands printed?" through copies such as
`b=$a` / `b="${a}"`, in script order: enough for `s=$(curl …); eval "$s"`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from snippetguard.kinds.shell.model import Command, ShellScript, Word

ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=(.*)", re.DOTALL)
REF_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
DECLARERS = frozenset({"export", "declare", "typeset", "readonly", "local"})


@dataclass(frozen=True)
class Assignment:
    name: str
    value: str  # quotes removed; `$(…)` and `$x` left as written
    word: Word
    command: Command

    @property
    def position(self) -> tuple[int, int]:
        """Line and column of the value (after `NAME=`)."""
        return self.word.at(len(self.name) + 1)

    @property
    def computed(self) -> bool:
        """The value comes from a command or a variable, not from the text."""
        return self.word.has_substitution or "$(" in self.value or "`" in self.value or bool(REF_RE.search(self.value))


def assignments(script: ShellScript) -> Iterator[Assignment]:
    """Every `NAME=value` the script sets: prefixes, bare assignments, `env`, `export`, `declare -x`…"""
    for command in script.commands:
        words = list(command.assignments)
        if command.name in DECLARERS and command.executed:
            words.extend(w for w in command.args if not w.text.startswith(("-", "+")))
        for word in words:
            match = ASSIGN_RE.fullmatch(word.text)
            if match:
                yield Assignment(match.group(1), match.group(2), word, command)


def variable_of(text: str) -> str | None:
    """`$x` or `${x}` alone (the text of `"$x"`): the variable's name."""
    match = REF_RE.fullmatch(text.strip())
    return (match.group(1) or match.group(2)) if match else None


def follow(script: ShellScript, source: Callable[[Command], bool]) -> dict[str, Command]:
    """Variables holding the output of a command for which `source` is true: {name: that command}.

    `s=$(curl …)` marks `s`; `t=$s`, `t="${s}"` pass the mark on; a later plain
    reassignment (`s=done`) clears it.
    """
    marked: dict[str, Command] = {}
    by_word: dict[int, Command] = {}
    for command in script.commands:
        if command.host_word is not None and command.via in ("$(", "`") and source(command):
            by_word.setdefault(id(command.host_word), command)
    for item in sorted(assignments(script), key=lambda a: (a.word.line, a.word.column)):
        origin = by_word.get(id(item.word))
        copied = variable_of(item.value)
        if origin is not None:
            marked[item.name] = origin
        elif copied is not None and copied in marked:
            marked[item.name] = marked[copied]
        else:
            marked.pop(item.name, None)
    return marked
