"""The data the engine passes around: snippets in, findings out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Origin(StrEnum):
    FILE = "file"  # a whole snippet file
    REGION = "region"  # a named region of a snippet file
    FENCE = "fence"  # a fenced code block written in a Markdown page
    EXAMPLE = "example"  # a rule's own insecure/secure example
    WRITTEN = "written"  # a file a script writes (`cat > f <<EOF`, `tee`, `Set-Content`): part of the script


@dataclass(frozen=True)
class Snippet:
    """One piece of text to check, and where it came from.

    `line_offset`/`col_offset` turn a 1-based line/column inside `text`
    into a line/column of `path`, so findings point at what a person edits.
    """

    text: str
    kind: str
    path: str
    line_offset: int = 0
    col_offset: int = 0
    origin: Origin = Origin.FILE
    lang: str = ""  # the fence's language or the file's suffix, for messages


@dataclass(frozen=True)
class Hit:
    """What a rule reports: a place inside the snippet and a message."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    severity: Severity
    title: str
    message: str
    why: str = ""
    fix: str = ""
    url: str = ""
    source_line: str = ""  # the offending line, for the caret display
    related: tuple[str, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)
