"""Find fenced code blocks in Markdown (the "parser" half, in Sybil's terms).

Fences may be indented (inside admonitions, content tabs, lists), use backticks
or tildes, and carry an info string in either `yaml title="x"` or
`{ .yaml title="x" }` form, as pymdownx.superfences accepts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
LANG_CLASS_RE = re.compile(r"(?:^|\s)\.([\w+#.-]+)")


@dataclass(frozen=True)
class Fence:
    lang: str
    info: str
    text: str  # content, with the fence's indentation removed
    line: int  # 1-based line of the opening fence
    indent: int
    closed: bool = True

    @property
    def first_body_line(self) -> int:
        return self.line + 1


def fence_lang(info: str) -> str:
    info = info.strip()
    if info.startswith("{"):
        match = LANG_CLASS_RE.search(info.strip("{}"))
        return match.group(1).lower() if match else ""
    return info.split(None, 1)[0].lower() if info else ""


def _dedent(line: str, indent: int) -> str:
    cut = 0
    while cut < indent and cut < len(line) and line[cut] in " \t":
        cut += 1
    return line[cut:]


def find_fences(markdown: str) -> list[Fence]:
    if "```" not in markdown and "~~~" not in markdown:
        return []
    lines = markdown.split("\n")
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        match = OPEN_RE.match(lines[index])
        if not match or (match.group("fence")[0] == "`" and "`" in match.group("info")):
            index += 1
            continue
        indent = len(match.group("indent"))
        fence = match.group("fence")
        close_re = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        body: list[str] = []
        end = index + 1
        closed = False
        while end < len(lines):
            if close_re.match(lines[end]):
                closed = True
                break
            body.append(_dedent(lines[end], indent))
            end += 1
        info = match.group("info")
        fences.append(Fence(fence_lang(info), info.strip(), "\n".join(body), index + 1, indent, closed))
        index = end + 1
    return fences
