"""systemd unit files and drop-ins (`docker.service.d/override.conf`), as systemd reads them.

What the reader knows (systemd.syntax(7)): `[Section]` headers; `Key=value` lines; lines starting
with `#` or `;` are comments (only at the start of a line: a `#` later in a value is part of it);
a line ending in a backslash continues on the next (the backslash becomes a space, and comment
lines inside the continuation are skipped). An empty assignment (`ExecStart=`) resets a list
option, which is how a drop-in replaces the packaged command. Command lines are split into words
the way systemd does it: whitespace separates, `"…"` and `'…'` quote, a backslash escapes; every
word keeps its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from snippetguard.registry import Kind, ParseError, register_kind

SECTION_RE = re.compile(r"^\[([^\]\n]+)\]\s*$")
KEY_RE = re.compile(r"^([A-Za-z0-9_-]+)\s*=\s*")
EXEC_PREFIXES = "-@:+!"


@dataclass(frozen=True)
class Word:
    text: str  # unquoted, escapes applied
    line: int
    column: int


@dataclass(eq=False)
class Setting:
    section: str
    key: str
    value: str  # continuation lines joined with a space
    line: int  # of the key
    column: int  # of the value's first character
    places: list[tuple[int, int]] = field(default_factory=list, repr=False)  # (line, column) of each value char

    def place(self, offset: int) -> tuple[int, int]:
        if not self.places:
            return self.line, self.column
        return self.places[min(max(0, offset), len(self.places) - 1)]

    def words(self) -> list[Word]:
        """The value split as systemd splits command lines and list options."""
        return split_words(self.value, self.place)


@dataclass(eq=False)
class Unit:
    text: str
    settings: list[Setting]

    def effective(self, section: str, key: str) -> list[Setting]:
        """The assignments of a list option that survive the last empty reset (`ExecStart=`)."""
        found: list[Setting] = []
        for setting in self.settings:
            if setting.section == section and setting.key == key:
                found = [] if not setting.value.strip() else [*found, setting]
        return found

    def all(self, section: str, key: str) -> list[Setting]:
        return [s for s in self.settings if s.section == section and s.key == key and s.value.strip()]


def split_words(value: str, place: object) -> list[Word]:
    """systemd's word splitting (`extract_first_word` with quotes and C escapes), with places."""
    locate = place if callable(place) else (lambda offset: (1, offset + 1))
    words: list[Word] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t":
            i += 1
        if i >= n:
            break
        start, buf, quote = i, [], ""
        while i < n:
            ch = value[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    buf.append(value[i])
                else:
                    buf.append(ch)
            elif ch in "\"'":
                quote = ch
            elif ch == "\\" and i + 1 < n:
                i += 1
                buf.append(value[i])
            elif ch in " \t":
                break
            else:
                buf.append(ch)
            i += 1
        if quote:
            line, column = locate(start)
            raise ParseError(f"quote {quote} opened here is never closed", line, column)
        line, column = locate(start)
        words.append(Word("".join(buf), line, column))
    return words


def parse_systemd(text: str) -> Unit:
    lines = text.split("\n")
    settings: list[Setting] = []
    section = ""
    index = 0
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        header = SECTION_RE.match(stripped)
        if header:
            section = header.group(1).strip()
            continue
        key_match = KEY_RE.match(stripped)
        if key_match is None:
            raise ParseError(f"not a 'Key=value' line or a [Section] header: {stripped[:60]!r}", number,
                             raw.find(stripped) + 1)
        if not section:
            raise ParseError(f"'{key_match.group(1)}=' comes before any [Section] header", number)
        lead = len(raw) - len(raw.lstrip())
        value_start = lead + key_match.end()
        chars: list[str] = []
        places: list[tuple[int, int]] = []
        row, row_number, start = raw, number, value_start
        while True:
            body = row.rstrip()
            continued = body.endswith("\\")
            if continued:
                body = body[:-1]
            for offset in range(start, len(body)):
                chars.append(body[offset])
                places.append((row_number, offset + 1))
            if not continued:
                break
            chars.append(" ")
            places.append((row_number, len(body) + 1))
            while index < len(lines) and lines[index].strip()[:1] in ("#", ";"):
                index += 1  # comment lines inside a continuation are skipped
            if index >= len(lines):
                break
            row, row_number, start = lines[index], index + 1, 0
            index += 1
        value = "".join(chars).strip()
        trimmed = len("".join(chars)) - len("".join(chars).lstrip())
        places = places[trimmed:]
        column = places[0][1] if places else value_start + 1
        setting = Setting(section, key_match.group(1), value, number, column, places)
        if setting.key.startswith("Exec") or setting.key == "Environment":
            setting.words()  # systemd refuses a command line with an unclosed quote: so do we, at its line
        settings.append(setting)
    if not settings and not section:
        raise ParseError("empty unit file: expected a [Section] header and Key=value lines")
    return Unit(text, settings)


def exec_words(setting: Setting) -> list[Word]:
    """A command line (ExecStart=…) without systemd's prefixes (`-`, `@`, `+`, …) on the program."""
    words = setting.words()
    if words:
        first = words[0]
        program = first.text.lstrip(EXEC_PREFIXES)
        words[0] = Word(program, first.line, first.column + len(first.text) - len(program))
    return words


SYSTEMD = register_kind(Kind("systemd", "systemd unit", parse_systemd, checks=("unit file syntax",)))
