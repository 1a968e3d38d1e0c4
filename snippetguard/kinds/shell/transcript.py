"""Console transcripts: only prompt lines are commands; output lines are blanked (line numbers kept)."""

from __future__ import annotations

import re

from snippetguard.kinds.shell._bashlex import _bashlex_once

PROMPT_RE = re.compile(r"(?:\$ |[\w.-]+@[\w.-]+:[^\s$#]*[$#] )")
CONTINUATION_PROMPT = "> "
COMMENT_OR_ROOT_RE = re.compile(r"# (?=\S)")
PROGRAM_NAME_RE = re.compile(r"[a-z0-9_./~-][\w./+-]*$")


def _ends_with_backslash(line: str) -> bool:
    stripped = line.rstrip("\r")
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


def _looks_like_root_command(rest: str) -> bool:
    """`# apt update` in a transcript is a root prompt; `# Install the stack` is a comment."""
    first = rest.split(None, 1)[0] if rest.strip() else ""
    if not first or "snippetguard" in rest or not PROGRAM_NAME_RE.match(first) or first.endswith(":"):
        return False
    try:
        _bashlex_once(rest)
    except Exception:  # output or prose that happens to start with "# "
        return False
    return True


def extract_transcript(text: str) -> tuple[str, list[int]] | None:
    """Commands of a console transcript, or None when `text` is a plain script.

    Returns the text with prompts removed and output lines emptied (line numbers
    kept), and per line how many characters were removed from its start.
    """
    lines = text.split("\n")
    if not any(PROMPT_RE.match(line) for line in lines):
        return None
    out: list[str] = []
    shifts: list[int] = []
    continuing = False  # the previous command line ended with a backslash
    operator = False  # … or with `&&`, `||` or `|`: bash prompts `> ` for the rest of the command
    heredoc_delims: list[str] = []  # here-documents opened by command lines, still open
    for line in lines:
        if heredoc_delims:  # body lines of a here-document typed at the `> ` prompt
            cut = len(CONTINUATION_PROMPT) if line.startswith(CONTINUATION_PROMPT) else 0
            body = line[cut:]
            if body.lstrip("\t") == heredoc_delims[0]:
                heredoc_delims.pop(0)
            out.append(body)
            shifts.append(cut)
            continue
        if continuing or (operator and line.startswith(CONTINUATION_PROMPT)):
            cut = len(CONTINUATION_PROMPT) if line.startswith(CONTINUATION_PROMPT) else 0
        elif match := PROMPT_RE.match(line):
            cut = match.end()
        elif COMMENT_OR_ROOT_RE.match(line) and _looks_like_root_command(line[2:]):
            cut = 2
        else:
            out.append("")  # program output
            shifts.append(0)
            continuing = operator = False
            continue
        command = line[cut:]
        out.append(command)
        shifts.append(cut)
        continuing = _ends_with_backslash(command)
        operator = command.rstrip().endswith(("&&", "||", "|"))
        heredoc_delims.extend(m.group(2) for m in TRANSCRIPT_HEREDOC_RE.finditer(command))
    return "\n".join(out), shifts


TRANSCRIPT_HEREDOC_RE = re.compile(r"(?<!<)<<(?!<)-?\s*(['\"]?)([A-Za-z_][\w.-]*)\1")

