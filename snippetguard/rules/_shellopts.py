"""Helpers the shell rule modules share: getopt-style option scanning and command selection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from snippetguard.kinds.shell import Command, Word

DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "https", "xh", "xhs", "curlie", "lwp-request", "GET"})
CURL_VALUE_SHORT = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
WGET_VALUE_SHORT = "OoaeitTwQPUBlARDIX"

@dataclass(frozen=True)
class Opt:
    name: str  # "-k" or "--insecure"
    value: str | None
    word: Word
    index: int = 0  # where the option letter sits in its word (`-fsSLk`: 5)

    @property
    def position(self) -> tuple[int, int]:
        """The option's letter inside a cluster (`-fsSLk`), else the word itself."""
        if self.index and len(self.word.text) > 2:
            return self.word.at(self.index)
        return self.word.line, self.word.column


def scan_options(args: Iterable[Word], value_short: str = "",
                 value_long: Iterable[str] = ()) -> tuple[list[Opt], list[Word]]:
    """Options and operands, as getopt would split them: `-fsSLo file` is -f -s -S -L and -o file."""
    opts: list[Opt] = []
    operands: list[Word] = []
    words = list(args)
    longs = frozenset(value_long)
    i = 0
    while i < len(words):
        word = words[i]
        text = word.text
        if text == "--":
            operands.extend(words[i + 1 :])
            break
        if text.startswith("--"):
            name, sep, value = text.partition("=")
            if not sep and name in longs and i + 1 < len(words):
                i += 1
                value = words[i].text
                opts.append(Opt(name, value, word))
            else:
                opts.append(Opt(name, value if sep else None, word))
        elif text.startswith("-") and len(text) > 1:
            for k in range(1, len(text)):
                letter = text[k]
                if letter in value_short:
                    if k + 1 < len(text):
                        opts.append(Opt("-" + letter, text[k + 1 :], word, k))
                    elif i + 1 < len(words):
                        i += 1
                        opts.append(Opt("-" + letter, words[i].text, word, k))
                    else:
                        opts.append(Opt("-" + letter, None, word, k))
                    break
                opts.append(Opt("-" + letter, None, word, k))
        else:
            operands.append(word)
        i += 1
    return opts, operands


def _commands(parsed: object) -> list[Command]:
    return list(getattr(parsed, "commands", ()))


def _executed(parsed: object, *names: str) -> Iterator[Command]:
    for command in _commands(parsed):
        if command.executed and command.name in names:
            yield command


def _quote(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words) or "the files"


