"""Turn files, Markdown pages and nested blocks into `Snippet`s (never raising on bad input)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from snippetguard.classify import kind_for_lang, kind_for_path
from snippetguard.model import Origin, Snippet


@dataclass(frozen=True)
class Nested:
    """A block inside a parsed snippet: a fence in Markdown, a `run:` script in a workflow."""

    text: str
    line: int  # line in the parent where the nested text's first line sits
    column: int = 1
    lang: str = ""
    kind: str | None = None  # known kind; otherwise decided from `lang`
    origin: Origin = Origin.FENCE


def normalise(text: str) -> str:
    """One text form for every input: no BOM, LF line endings (line numbers are kept)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def kind_for_written_path(path: str) -> str | None:
    """The kind of a file a script writes (`cat > PATH <<EOF`), or None when it should not be checked as one.

    `classify.kind_for_path` reads a bare `.conf` as nginx, which is right for this site's snippet files
    but not for a host's `/etc/sysctl.d/99-x.conf` or `/etc/wireguard/wg0.conf`: a written `.conf` counts as
    nginx only when its path names nginx. Plain text ("") is not checked either.
    """
    path = path.strip("'\"").replace("\\", "/")
    if not path or path in ("-", "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty") or path.startswith("&"):
        return None
    kind = kind_for_path(path)
    if kind == "nginx" and "nginx" not in path.lower():
        return None
    return kind or None


UNKNOWN = "?"  # the kind of a block nothing recognised; the engine reports it as SG002


def nested_snippets(parent: Snippet, items: list[Nested]) -> list[Snippet]:
    out: list[Snippet] = []
    for item in items:
        kind = item.kind if item.kind is not None else kind_for_lang(item.lang, item.text)
        if kind == "":
            continue  # declared plain output
        out.append(
            Snippet(
                text=item.text,
                kind=kind if kind is not None else f"{UNKNOWN}{item.lang}",
                path=parent.path,
                line_offset=parent.line_offset + item.line - 1,
                col_offset=parent.col_offset + item.column - 1,
                origin=item.origin,
                lang=item.lang,
            )
        )
    return out


class Unreadable(Exception):
    """A file that is not UTF-8 text; carries the 1-based line of the first bad byte."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def decode(data: bytes) -> str:
    if b"\0" in data[:8192] or b"\0" in data:
        raise Unreadable("binary file (contains NUL bytes); a snippet must be UTF-8 text")
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise Unreadable(f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})", line) from None


def read_snippet(path: Path, display: str, kind: str | None = None) -> Snippet:
    """A snippet for a file; raises Unreadable for binary or non-UTF-8 files."""
    text = decode(path.read_bytes())
    chosen = kind if kind is not None else kind_for_path(path, text)
    if chosen is None:
        chosen = f"{UNKNOWN}{path.suffix or path.name}"
    return Snippet(text=text, kind=chosen, path=display, origin=Origin.FILE, lang=path.suffix.lstrip("."))
