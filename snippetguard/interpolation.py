"""Compose-style variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$VAR`, `$$`.

Rules look through interpolation at what a reader who sets nothing would get:
defaults are substituted; a variable with no default is reported as unresolved.
"""

from __future__ import annotations

import re

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def resolve(text: str) -> tuple[str, list[str]]:
    """(text with defaults applied, names of variables that have no default)."""
    if "$" not in text:
        return text, []
    out: list[str] = []
    unresolved: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end, depth = i + 2, 1
            while end < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            body = text[i + 2 : end - 1] if depth == 0 else text[i + 2 :]
            match = NAME_RE.match(body)
            name = match.group(0) if match else body
            rest = body[len(name) :]
            if rest.startswith((":-", "-")):
                default = rest[2:] if rest.startswith(":-") else rest[1:]
                value, inner = resolve(default)
                out.append(value)
                unresolved.extend(inner)
            else:
                unresolved.append(name)
            i = end
        else:
            match = NAME_RE.match(text, i + 1)
            if match:
                unresolved.append(match.group(0))
                i = match.end()
            else:
                out.append(ch)
                i += 1
    return "".join(out), unresolved


def has_reference(text: str) -> bool:
    """True when the value comes (at least partly) from a variable."""
    return "$" in text and bool(re.search(r"(?<!\$)\$(\{|[A-Za-z_])", text.replace("$$", "")))


def default_of(text: str) -> str | None:
    """The literal default in `${VAR:-default}`, if the whole value is one such reference."""
    match = re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}", text.strip(), re.DOTALL)
    return match.group(1) if match else None
