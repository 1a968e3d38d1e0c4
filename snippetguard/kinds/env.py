"""`.env` files as Docker Compose reads them: KEY=value lines, optional `export`, quotes, comments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from snippetguard.registry import Kind, ParseError, register_kind

LINE_RE = re.compile(r"^(?P<lead>\s*)(?P<export>export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class Entry:
    key: str
    value: str
    line: int
    column: int  # of the value (the key's column when the value is empty)
    quoted: str = ""  # the quote character, if any


@dataclass
class EnvFile:
    entries: list[Entry]


def _value(rest: str, lines: list[str], index: int) -> tuple[str, str, int]:
    """(value, quote, lines consumed) for the text after `=`; double quotes may span lines."""
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        body = rest[1:]
        consumed = 0
        while True:
            end = body.find(quote)
            while quote == '"' and end > 0 and body[end - 1] == "\\":
                end = body.find(quote, end + 1)
            if end >= 0:
                tail = body[end + 1 :].strip()
                if tail and not tail.startswith("#"):
                    raise ParseError(f"unexpected text after the closing quote: {tail[:60]!r}", index + 1 + consumed)
                return body[:end], quote, consumed
            if quote == "'" or index + consumed + 1 >= len(lines):
                raise ParseError(f"the {quote} quote opened here is never closed", index + 1)
            consumed += 1
            body += "\n" + lines[index + consumed]
    value = re.split(r"\s+#", rest, maxsplit=1)[0].strip()
    return value, "", 0


def parse_env(text: str) -> EnvFile:
    lines = text.split("\n")
    entries: list[Entry] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        match = LINE_RE.match(line)
        if not match:
            raise ParseError(f"not a KEY=value line: {stripped[:60]!r}", index + 1, len(line) - len(line.lstrip()) + 1)
        value, quote, consumed = _value(match.group("rest"), lines, index)
        column = match.start("rest") + 1 if match.group("rest") else match.start("key") + 1
        entries.append(Entry(match.group("key"), value, index + 1, column, quote))
        index += 1 + consumed
    return EnvFile(entries)


register_kind(Kind("env", ".env file", parse_env))
