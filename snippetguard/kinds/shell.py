"""Shell snippets (bash, sh, console transcripts): bashlex's syntax tree -> commands with positions.

bashlex does the parsing. Around it sit a few position-preserving steps, each
because bashlex alone would get a documentation snippet wrong:

* console transcripts: only prompt lines are commands; output lines are blanked;
* here-documents: bashlex reads them poorly, so bodies are cut out beforehand
  (and kept: a body fed to `sh`/`bash` is parsed as shell in its own right);
* `time`, `[[ … ]]`, `$(( … ))`, arrays and `case` are valid bash that bashlex
  0.18 refuses; they are rewritten, same length, into something it accepts
  (unless they hold a command substitution: then bashlex's refusal stands and
  the snippet fails closed).

Every rewrite keeps line numbers, so each word keeps its line and column in
the snippet as written. Rules read the normalised commands (`sudo`, `env`,
`/usr/bin/…` stripped) and the container model built from `docker run`.

Speed: bashlex is pure Python (tens of microseconds a word). Lines that are
"plain" (words, simple quotes, `$NAME`, `&&` `||` `;` `|`, simple redirections)
are split directly, which for those lines gives exactly bashlex's result
(tests/test_shell.py compares the two on generated input); every other line
goes to bashlex, and bashlex's trees are cached by text.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from snippetguard.containers import EnvVar, Mount, Port, Service, Setting, parse_port_short
from snippetguard.registry import Kind, ParseError, register_kind


class _LazyBashlex:
    """bashlex builds its LALR tables on import (about 150 ms): pay that only when a line needs it."""

    def __getattr__(self, name: str) -> Any:
        import bashlex as real
        import bashlex.ast
        import bashlex.errors
        import bashlex.parser

        globals()["bashlex"] = real
        return getattr(real, name)


bashlex: Any = _LazyBashlex()

MAX_NESTING = 6  # heredoc in `sh -c` in heredoc …: deeper than this is not followed


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word. `text` has its quotes removed; `$x` and `$(…)` are left as written."""

    text: str
    raw: str  # the word as written in the snippet
    line: int
    column: int
    offset: int = -1  # into the prepared text of the script that holds it
    has_substitution: bool = False  # holds `$(…)`, backticks or `<(…)`

    def at(self, skip: int) -> tuple[int, int]:
        """Line and column of `text[skip:]` (e.g. the value in `--mode=777`), as near as the quoting allows."""
        if self.raw.startswith(self.text[:skip]):
            return self.line, self.column + skip
        if self.raw[:1] in "\"'" and self.raw[1:].startswith(self.text[:skip]):
            return self.line, self.column + 1 + skip
        return self.line, self.column


@dataclass(frozen=True, slots=True)
class Heredoc:
    delimiter: str
    quoted: bool  # `<<'EOF'`: the body is taken literally (no `$…` expansion)
    body: str
    line: int  # snippet line of the body's first line
    op_line: int
    op_column: int
    offset: int  # of the `<<` in the prepared text


@dataclass(frozen=True, slots=True)
class Redirect:
    op: str  # "<", ">", ">>", "<<" (here-document), "<<<", "&>", …
    target: Word | None
    line: int
    column: int
    heredoc: Heredoc | None = None


@dataclass(eq=False)
class Command:
    """A simple command after normalisation: `sudo -E env X=1 /usr/bin/curl -k URL` is `curl` with `-k URL`."""

    name: str  # program name without wrappers or directory; "" for a bare assignment
    program: Word | None
    args: tuple[Word, ...]
    words: tuple[Word, ...]  # every word as written, wrappers included
    assignments: tuple[Word, ...] = ()  # `X=y` before the command, after `env` or after `sudo`
    wrappers: tuple[str, ...] = ()  # e.g. ("sudo", "env")
    redirects: tuple[Redirect, ...] = ()
    pipeline: int = 0  # commands with the same number are one pipeline …
    position: int = 0  # … in this order
    pipeline_size: int = 1
    host: Command | None = None  # the command whose word holds this one (`$(…)`, `<(…)`, `-c '…'`, heredoc)
    host_word: Word | None = None
    via: str = ""  # "$(", "`", "<(", ">(", "-c" or "heredoc"
    executed: bool = True  # False for `command -v curl`: the program is only looked up
    line: int = 1  # of the program word (else the first word, assignment or redirect)
    column: int = 1

    @property
    def raw_program(self) -> str:
        return self.program.text if self.program else ""

    def arg_texts(self) -> list[str]:
        return [w.text for w in self.args]

    def __repr__(self) -> str:  # short, for test failures
        return f"Command({self.name!r}, {self.arg_texts()!r}, line={self.line}, pipeline={self.pipeline}:{self.position})"


@dataclass
class ShellScript:
    text: str
    commands: list[Command] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)  # from `docker run` & co., for the SG1xx rules
    heredocs: list[Heredoc] = field(default_factory=list)
    transcript: bool = False  # a console transcript: only prompt lines were read as commands


# --------------------------------------------------------------------------- console transcripts

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


def _bashlex_once(text: str) -> list[Any]:
    return list(bashlex.parse(text))


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


# --------------------------------------------------------------------------- preparation for bashlex

WORD_RE = re.compile(r"[^\s;&|()<>'\"`$\\]+")
SEPARATORS = frozenset(";&|(){}!\n")
KEEPS_COMMAND_POSITION = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"})
WORD_DELIMITERS = frozenset(" \t\n;&|()<>")
ARRAY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\s]*\])?\+?=\(")
SUBSTITUTION_RE = re.compile(r"\$\(|`|<\(|>\(")
SHIM_TRIGGERS_RE = re.compile(r"<<|\btime\b|\[\[|\$\(\(|\bcase\b|=\(")


class _Unclosed(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Preparer:
    """One pass over the text, aware of quotes and comments, making same-length edits for bashlex.

    Finds here-documents (cuts their bodies out, keeps them), and rewrites the
    bash constructs bashlex 0.18 refuses. It never raises on odd input except
    for an unterminated here-document, which bash itself rejects.
    """

    def __init__(self, text: str) -> None:
        self.s = text
        self.buf = list(text)
        self.heredocs: list[tuple[int, int, str, bool, int, int]] = []  # (op, body start, delim, quoted, end, dash)
        self.pending: list[tuple[int, str, bool, bool]] = []  # (op offset, delimiter, quoted, dash)
        self.stack: list[str] = []
        self.cases: list[dict[str, Any]] = []  # open `case` statements: {"state": "pattern"|"body", "last": …}
        self.opener: list[int] = []  # offset of each stack entry's opening character

    # -- small helpers
    def blank(self, start: int, end: int) -> None:
        for k in range(start, end):
            if self.buf[k] != "\n":
                self.buf[k] = " "

    def put(self, start: int, text: str) -> None:
        for k, ch in enumerate(text[: len(self.buf) - start]):
            self.buf[start + k] = ch

    def fill(self, start: int, end: int, ch: str) -> None:
        """Overwrite with `ch`; a newline inside becomes a backslash-newline, so lines stay lines."""
        for k in range(start, end):
            if self.s[k] == "\n":
                if k > start:
                    self.buf[k - 1] = "\\"
            else:
                self.buf[k] = ch

    def word_start(self, i: int) -> bool:
        return i == 0 or self.s[i - 1] in WORD_DELIMITERS

    def line_start(self, i: int) -> int:
        return self.s.rfind("\n", 0, i) + 1

    def first_on_line(self, i: int) -> bool:
        return not self.s[self.line_start(i) : i].strip()

    def rest_of_line_empty(self, i: int) -> bool:
        end = self.s.find("\n", i)
        rest = self.s[i : end if end >= 0 else len(self.s)]
        return not rest.strip() or rest.lstrip().startswith("#")

    # -- the scan
    def run(self) -> str:
        s, n = self.s, len(self.s)
        i = 0
        command_position = True
        while i < n:
            c = s[i]
            top = self.stack[-1] if self.stack else ""
            if top == "'":
                if c == "'":
                    self.pop()
                i += 1
                continue
            if c == "\\":
                i += 2
                continue
            if top == '"':
                if c == '"':
                    self.pop()
                elif c == "`":
                    self.push("`", i)
                elif s.startswith("$((", i):
                    i = self.arithmetic(i)
                    continue
                elif s.startswith("$(", i):
                    self.push("(", i)
                    i += 2
                    command_position = True
                    continue
                elif s.startswith("${", i):
                    self.push("{", i)
                    i += 2
                    continue
                i += 1
                continue
            if top == "{":  # inside ${…}
                if c == "}":
                    self.pop()
                elif c in "'\"":
                    self.push(c, i)
                elif s.startswith("$(", i) and not s.startswith("$((", i):
                    self.push("(", i)
                    i += 2
                    continue
                i += 1
                continue
            # normal context: top level, `$(…)`, `(…)`, backticks
            if c == "\n":
                command_position = True
                if self.pending:
                    i = self.read_heredocs(i + 1)
                    continue
                i += 1
                continue
            if c in " \t":
                i += 1
                continue
            if c == "#" and self.word_start(i):
                end = s.find("\n", i)
                i = n if end < 0 else end
                continue
            if self.cases and self.cases[-1]["state"] == "pattern" and len(self.stack) == self.cases[-1]["depth"]:
                if s.startswith("esac", i) and (i + 4 >= n or s[i + 4] in WORD_DELIMITERS):
                    self.case_end(i)
                    i += 4
                    command_position = False
                else:
                    i = self.case_pattern(i)
                    command_position = True
                continue
            if self.cases and c == ";" and self.case_terminator(i):
                i = self.cases[-1]["after_term"]
                command_position = True
                continue
            if c == "'":
                self.push("'", i)
                command_position = False
                i += 1
                continue
            if c == "$" and s.startswith("$'", i):
                self.push("'", i)
                i += 2
                continue
            if c == '"':
                self.push('"', i)
                command_position = False
                i += 1
                continue
            if c == "`":
                if top == "`":
                    self.pop()
                    command_position = False
                else:
                    self.push("`", i)
                    command_position = True
                i += 1
                continue
            if s.startswith("$((", i):
                i = self.arithmetic(i)
                command_position = False
                continue
            if s.startswith("$(", i) or (c in "<>" and s.startswith("(", i + 1)):
                self.push("(", i)
                i += 2
                command_position = True
                continue
            if s.startswith("${", i):
                self.push("{", i)
                i += 2
                continue
            if c == "(":
                self.push("(", i)
                i += 1
                command_position = True
                continue
            if c == ")":
                if top == "(":
                    self.pop()
                i += 1
                command_position = False
                continue
            if s.startswith("<<<", i):  # a here-string: one word, no body lines
                i += 3
                continue
            if s.startswith("<<", i):
                i = self.heredoc_operator(i)
                continue
            if c in SEPARATORS:
                command_position = True
                i += 1
                continue
            if c in "<>":
                i += 1
                continue
            match = WORD_RE.match(s, i)
            if not match:
                i += 1
                continue
            word, end = match.group(0), match.end()
            complete = end >= n or s[end] in WORD_DELIMITERS
            if self.word_start(i) and ARRAY_RE.match(s, i):
                i = self.array(i, ARRAY_RE.match(s, i).end() - 1)  # type: ignore[union-attr]
                command_position = False
                continue
            if command_position and complete and self.word_start(i):
                if word == "time":
                    i = self.time(i)
                    continue
                if word == "[[":
                    i = self.double_bracket(i)
                    command_position = False
                    continue
                if word == "case":
                    i = self.case_header(i)
                    command_position = True
                    continue
                if word == "esac" and self.cases and len(self.stack) == self.cases[-1]["depth"]:
                    self.case_end(i)
                    i = end
                    command_position = False
                    continue
            command_position = command_position and (word in KEEPS_COMMAND_POSITION or "=" in word) and complete
            i = end
        if self.pending:
            op = self.pending[0][0]
            raise _Unclosed(f"here-document is never closed: no line '{self.pending[0][1]}' ends it", op)
        return "".join(self.buf)

    def push(self, kind: str, at: int) -> None:
        self.stack.append(kind)
        self.opener.append(at)

    def pop(self) -> None:
        self.stack.pop()
        self.opener.pop()

    def unclosed(self) -> int | None:
        """Where the innermost construct still open at the end was opened (after `run`)."""
        return self.opener[-1] if self.opener else None

    # -- here-documents
    def heredoc_operator(self, i: int) -> int:
        s, n = self.s, len(self.s)
        j = i + 2
        dash = j < n and s[j] == "-"
        if dash:
            j += 1
        while j < n and s[j] in " \t":
            j += 1
        k, quoted, delim = j, False, []
        quote = ""
        while k < n:
            ch = s[k]
            if quote:
                if ch == quote:
                    quote = ""
                else:
                    delim.append(ch)
            elif ch in "'\"":
                quote, quoted = ch, True
            elif ch == "\\" and k + 1 < n:
                quoted = True
                delim.append(s[k + 1])
                k += 1
            elif ch in WORD_DELIMITERS:
                break
            else:
                delim.append(ch)
            k += 1
        if not delim:
            return i + 2  # `<<` with nothing after it: leave it for bashlex to reject
        self.put(i, "< " + (" " if dash else ""))  # bashlex now sees `cmd < EOF`: one input redirect
        self.pending.append((i, "".join(delim), quoted, dash))
        return k

    def read_heredocs(self, j: int) -> int:
        """Bodies start on the line after their operator; cut them out, keep them."""
        s, n = self.s, len(self.s)
        while self.pending:
            op, delim, quoted, dash = self.pending[0]
            start = j
            while True:
                if j >= n:
                    raise _Unclosed(f"here-document is never closed: no line '{delim}' ends it", op)
                end = s.find("\n", j)
                end = n if end < 0 else end
                line = s[j:end]
                if (line.lstrip("\t") if dash else line) == delim:
                    self.heredocs.append((op, start, delim, quoted, j, int(dash)))
                    self.blank(start, end)
                    j = end + 1
                    break
                j = end + 1
            self.pending.pop(0)
        return min(j, n)

    # -- bash constructs bashlex refuses, rewritten same-length
    def time(self, i: int) -> int:
        """`time [-p] cmd`: bashlex has no `time`; rules strip it anyway."""
        self.blank(i, i + 4)
        match = re.compile(r"[ \t]+-p(?=[ \t])").match(self.s, i + 4)
        if match:
            self.blank(match.start(), match.end())
            return match.end()
        return i + 4

    def matching(self, i: int, close: str, opens: str = "") -> int | None:
        """End offset of the text from `i` up to and including `close` at depth 0, skipping quotes."""
        s, n = self.s, len(self.s)
        depth, quote, k = 0, "", i
        while k < n:
            ch = s[k]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"':
                    k += 1
            elif ch == "\\":
                k += 1
            elif ch in "'\"":
                quote = ch
            elif depth == 0 and s.startswith(close, k):
                return k + len(close)
            elif opens and ch == opens:
                depth += 1
            elif opens and ch == close[0] and depth:
                depth -= 1
            k += 1
        return None

    def arithmetic(self, i: int) -> int:
        """`$(( … ))` -> `0000…`: a number, one word; only when it runs no command."""
        end = self.matching(i + 3, "))", "(")
        if end is None or SUBSTITUTION_RE.search(self.s, i + 3, end - 2):
            return i + 3
        self.fill(i, end, "0")
        return end

    def double_bracket(self, i: int) -> int:
        """`[[ … ]]` -> `: …`: a no-op command; only when it runs no command."""
        match = re.compile(r"(?<=\s)\]\](?=[\s;&|)]|$)").search(self.s, i + 2)
        if match is None or SUBSTITUTION_RE.search(self.s, i + 2, match.start()):
            return i + 2
        self.fill(i, match.end(), " ")
        self.buf[i] = ":"
        return match.end()

    def array(self, i: int, paren: int) -> int:
        """`name=(a b c)` -> `name=_______`: one word; only when it runs no command."""
        end = self.matching(paren + 1, ")", "(")
        if end is None or SUBSTITUTION_RE.search(self.s, paren + 1, end - 1):
            return paren
        self.fill(paren, end, "_")
        return end

    def case_header(self, i: int) -> int:
        """`case WORD in` -> `{ `: the clauses become commands inside a group."""
        match = re.compile(r"case[ \t]+(\S+)[ \t\n]+in(?=[\s;]|$)").match(self.s, i)
        if match is None or SUBSTITUTION_RE.search(match.group(1)):
            return i + 4  # left as is: bashlex refuses it and the snippet fails closed
        self.fill(i, match.end(), " ")
        self.buf[i] = "{"
        self.cases.append({"state": "pattern", "last": "header", "depth": len(self.stack), "colon_term": False})
        return match.end()

    def case_pattern(self, i: int) -> int:
        """`pat|pat)` -> `:;` (body on the same line) or `: ` (body on the next line)."""
        s = self.s
        start = i + 1 if s[i] == "(" else i
        end = self.matching(start, ")")
        if end is None or end - i < 2 or "\n" in s[i:end]:  # not a pattern: leave the `case` to bashlex
            self.cases.pop()
            return i + 1
        same_line_body = not self.rest_of_line_empty(end)
        next_is_term = s[end:].lstrip(" \t").startswith(";")
        self.fill(i, end, " ")
        self.put(i, ":;" if same_line_body and not next_is_term else ": ")
        case = self.cases[-1]
        case["state"], case["last"] = "body", "pattern"
        return end

    def case_terminator(self, i: int) -> bool:
        """`;;`, `;&`, `;;&` ending a clause."""
        case = self.cases[-1]
        if case["state"] != "body" or len(self.stack) != case["depth"]:
            return False
        s = self.s
        match = re.compile(r";;&|;;|;&").match(s, i)
        if match is None:
            return False
        width = match.end() - i
        colon = self.first_on_line(i)  # `;;` alone on its line: a `;` there would be a syntax error
        self.put(i, (":" if colon else ";") + " " * (width - 1))
        case.update(state="pattern", last="term", after_term=match.end(), colon_term=colon, term_line=self.line_start(i))
        return True

    def case_end(self, i: int) -> None:
        """`esac` -> `}`, with a `;` first when nothing else ends the command before it."""
        case = self.cases.pop()
        if case["last"] == "header":
            self.put(i, ":;} ")
        elif case["last"] == "term" and case["colon_term"] and case["term_line"] == self.line_start(i):
            self.put(i, ";}  ")
        else:
            self.put(i, "}   ")


# --------------------------------------------------------------------------- positions


class _Locator:
    """Offsets of the prepared text -> 1-based (line, column) in the snippet as written."""

    def __init__(self, prepared: str, shifts: list[int] | None,
                 outer: Callable[[int, int], tuple[int, int]] | None = None) -> None:
        self.starts = [0]
        find = prepared.find
        k = find("\n")
        while k >= 0:
            self.starts.append(k + 1)
            k = find("\n", k + 1)
        self.shifts = shifts
        self.outer = outer

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        line, column = index + 1, offset - self.starts[index] + 1
        if self.shifts is not None and index < len(self.shifts):
            column += self.shifts[index]
        if self.outer is not None:
            return self.outer(line, column)
        return line, column


# --------------------------------------------------------------------------- normalising commands

SUDO_VALUE_SHORT = frozenset("CDghprtTUu")
SUDO_VALUE_LONG = frozenset({"--user", "--group", "--host", "--prompt", "--close-from", "--chdir", "--role",
                             "--type", "--command-timeout", "--other-user", "--chroot"})
DOAS_VALUE_SHORT = frozenset("uC")
ENV_VALUE_SHORT = frozenset("uCS")
ENV_VALUE_LONG = frozenset({"--unset", "--chdir", "--split-string"})
TIME_VALUE_SHORT = frozenset("fo")
TIME_VALUE_LONG = frozenset({"--format", "--output"})
TIMEOUT_VALUE_SHORT = frozenset("sk")
TIMEOUT_VALUE_LONG = frozenset({"--signal", "--kill-after"})
NICE_VALUE_SHORT = frozenset("n")
NICE_VALUE_LONG = frozenset({"--adjustment"})
STDBUF_VALUE_SHORT = frozenset("ioe")
STDBUF_VALUE_LONG = frozenset({"--input", "--output", "--error"})
EXEC_VALUE_SHORT = frozenset("a")
ASSIGNMENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
XARGS_VALUE_SHORT = frozenset("adEILnPs")
XARGS_VALUE_LONG = frozenset({"--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args",
                              "--max-procs", "--max-chars", "--process-slot-var"})
WRAPPERS = frozenset({"sudo", "doas", "env", "command", "builtin", "exec", "nohup", "time", "nice", "timeout", "stdbuf"})


def program_name(text: str) -> str:
    """`/usr/bin/curl` -> `curl`; a relative path (`./install.sh`) stays as written."""
    if text.startswith("/"):
        return posixpath.basename(text.rstrip("/")) or text
    return text


def _skip_options(words: list[Word], i: int, value_short: frozenset[str], value_long: frozenset[str]) -> int:
    """Index of the first word after the options at `i` (`--` ends them)."""
    while i < len(words):
        text = words[i].text
        if text == "--":
            return i + 1
        if text.startswith("--") and len(text) > 2:
            i += 1 if "=" in text or text not in value_long else 2
            continue
        if text.startswith("-") and len(text) > 1 and not text[1:].isdigit():
            takes = next((k for k, ch in enumerate(text[1:], 1) if ch in value_short), None)
            i += 2 if takes is not None and takes == len(text) - 1 else 1
            continue
        if text.startswith("-") and text[1:].isdigit():  # `nice -10 cmd`
            i += 1
            continue
        return i
    return i


def normalise(words: list[Word], assignments: list[Word]) -> tuple[int, list[Word], list[str], bool]:
    """(index of the real program, assignments, wrappers, executed) for `words`."""
    i = 0
    wrappers: list[str] = []
    executed = True
    while i < len(words):
        name = program_name(words[i].text)
        if name not in WRAPPERS:
            break
        start = i
        if name == "sudo":
            i = _skip_options(words, i + 1, SUDO_VALUE_SHORT, SUDO_VALUE_LONG)
            while i < len(words) and ASSIGNMENT_RE.match(words[i].text):
                assignments.append(words[i])
                i += 1
        elif name == "doas":
            i = _skip_options(words, i + 1, DOAS_VALUE_SHORT, frozenset())
        elif name == "env":
            i += 1
            while i < len(words) and words[i].text == "-":  # `env - cmd`: an empty environment
                i += 1
            i = _skip_options(words, i, ENV_VALUE_SHORT, ENV_VALUE_LONG)
            while i < len(words) and ASSIGNMENT_RE.match(words[i].text):
                assignments.append(words[i])
                i += 1
        elif name in ("command", "builtin"):
            if i + 1 < len(words) and words[i + 1].text in ("-v", "-V"):
                executed = False  # `command -v curl` only asks where curl is
                wrappers.append(name)
                return start, assignments, wrappers, executed
            i = _skip_options(words, i + 1, frozenset(), frozenset())
        elif name == "exec":
            i = _skip_options(words, i + 1, EXEC_VALUE_SHORT, frozenset())
        elif name == "nohup":
            i = _skip_options(words, i + 1, frozenset(), frozenset())
        elif name == "time":
            i = _skip_options(words, i + 1, TIME_VALUE_SHORT, TIME_VALUE_LONG)
        elif name == "nice":
            i = _skip_options(words, i + 1, NICE_VALUE_SHORT, NICE_VALUE_LONG)
        elif name == "timeout":
            i = _skip_options(words, i + 1, TIMEOUT_VALUE_SHORT, TIMEOUT_VALUE_LONG) + 1  # and the duration
        elif name == "stdbuf":
            i = _skip_options(words, i + 1, STDBUF_VALUE_SHORT, STDBUF_VALUE_LONG)
        if i >= len(words):  # a wrapper alone (`sudo -i`, `env`): the wrapper is the command
            return start, assignments, wrappers, executed
        wrappers.append(name)
    return i, assignments, wrappers, executed


# --------------------------------------------------------------------------- interpreters

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "fish", "busybox"})
INTERPRETER_RE = re.compile(r"(python[0-9.]*|pypy3?|perl|ruby|node|nodejs|php[0-9.]*|lua[0-9.]*|tclsh|pwsh|powershell)$")
SHELL_VALUE_OPTS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
STRING_FLAGS = {"shell": ("-c",), "python": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",), "node": ("-e", "--eval", "-p", "--print"),
                "php": ("-r",), "pwsh": ("-c", "-Command", "-command")}
NOT_STDIN_FLAGS = {"python": ("-m",)}


def is_shell(name: str) -> bool:
    return name in SHELLS


def is_interpreter(name: str) -> bool:
    return name in SHELLS or bool(INTERPRETER_RE.match(name))


def _family(name: str) -> str:
    if name in SHELLS:
        return "shell"
    for family in ("python", "perl", "ruby", "node", "php", "pwsh"):
        if name.startswith(family) or (family == "python" and name.startswith("pypy")) or (
                family == "pwsh" and name == "powershell") or (family == "node" and name == "nodejs"):
            return family
    return "other"


def script_operand(command: Command) -> tuple[str, Word | None]:
    """How an interpreter gets its program: ("stdin", None), ("string", word), ("file", word) or ("none", None)."""
    if not is_interpreter(command.name):
        return "none", None
    family = _family(command.name)
    string_flags = STRING_FLAGS.get(family, ())
    args = list(command.args)
    if command.name == "busybox":
        if not args or args[0].text not in SHELLS:
            return "none", None
        args = args[1:]
    i = 0
    while i < len(args):
        text = args[i].text
        if text in string_flags or (family == "shell" and text.startswith("-") and not text.startswith("--")
                                    and "c" in text[1:] and text[1:].isalpha()):
            # `bash -c 'cmd'`, `bash -ec 'cmd'`: the first operand after the options is the program
            j = i + 1
            while j < len(args) and args[j].text.startswith(("-", "+")) and family == "shell":
                j += 1
            return ("string", args[j]) if j < len(args) else ("none", None)
        if text in NOT_STDIN_FLAGS.get(family, ()):
            return "none", None
        if text == "-s" and family == "shell":
            return "stdin", None
        if text in ("-", "--"):
            if text == "-" or i + 1 >= len(args):
                return "stdin", None
            return "file", args[i + 1]
        if family == "shell" and text in SHELL_VALUE_OPTS:
            i += 2
            continue
        if text.startswith(("-", "+")) and len(text) > 1:
            i += 1
            continue
        return "file", args[i]
    return "stdin", None


# --------------------------------------------------------------------------- docker run -> Service

DOCKER_LIKE = frozenset({"docker", "podman", "nerdctl"})
DOCKER_GLOBAL_VALUE = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
                                 "--tlscert", "--tlskey", "--url", "--connection", "--root", "--runroot",
                                 "--namespace", "-n", "--address", "-a", "--storage-driver", "--cgroup-manager"})
RUN_VALUE_SHORT = frozenset("acehlmpuvw")
RUN_BOOL_LONG = frozenset({"--detach", "--interactive", "--tty", "--rm", "--privileged", "--init", "--publish-all",
                           "--read-only", "--no-healthcheck", "--oom-kill-disable", "--disable-content-trust",
                           "--quiet", "--sig-proxy", "--help", "--use-api-socket", "--replace", "--rmi",
                           "--env-host", "--http-proxy", "--read-only-tmpfs", "--no-hosts", "--tls-verify"})
NAMESPACE_OPTS = {"--network": "network_mode", "--net": "network_mode", "--pid": "pid", "--ipc": "ipc",
                  "--userns": "userns_mode"}


def _is_bind_source(source: str) -> bool:
    return source.startswith(("/", ".", "~", "$")) or (len(source) > 2 and source[1] == ":" and source[2] in "\\/")


def _short_volume(raw: str, line: int, column: int) -> Mount:
    """Docker's `-v SOURCE:TARGET[:OPTIONS]` (also `C:\\path:/target`)."""
    parts = raw.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1][:1] in "\\/":  # not `/:/host`
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return Mount(raw, None, parts[0], False, False, line, column)
    options = parts[2].split(",") if len(parts) > 2 else []
    return Mount(raw, parts[0], parts[1], "ro" in options or "readonly" in options, _is_bind_source(parts[0]), line,
                 column)


def _long_mount(raw: str, line: int, column: int) -> Mount:
    """`--mount type=bind,source=/srv,target=/media,readonly`."""
    fields: dict[str, str] = {}
    for item in raw.split(","):
        key, sep, value = item.partition("=")
        fields[key.strip().lower()] = value.strip() if sep else "true"
    kind = fields.get("type", "volume")
    source = fields.get("source") or fields.get("src")
    target = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
    ro_value = fields.get("readonly", fields.get("ro", "false")).lower()
    return Mount(raw, source, target, ro_value in ("true", "1", "yes"), kind == "bind", line, column)


def docker_service(command: Command) -> Service | None:
    """The container a `docker run` / `docker container run` / `podman run` command starts, or None."""
    if command.name not in DOCKER_LIKE or not command.executed:
        return None
    args = list(command.args)
    i = 0
    while i < len(args) and args[i].text.startswith("-"):  # global options: `docker --context x run …`
        text = args[i].text
        i += 2 if text in DOCKER_GLOBAL_VALUE and "=" not in text else 1
    if i < len(args) and args[i].text == "container":
        i += 1
    if i >= len(args) or args[i].text not in ("run", "create"):
        return None
    program = command.program
    assert program is not None
    service = Service(name="", line=program.line, column=program.column)
    name = ""
    i += 1
    while i < len(args):
        word = args[i]
        text = word.text
        if text == "--":
            i += 1
            break
        if not text.startswith("-") or text == "-":
            break
        if text.startswith("--"):
            option, sep, value = text.partition("=")
            if sep:
                value_word: Word | None = word
                skip = len(option) + 1
            elif option in RUN_BOOL_LONG:
                value_word, value, skip = word, "true", -1
            else:
                value_word = args[i + 1] if i + 1 < len(args) else None
                value = value_word.text if value_word else ""
                skip = 0
                i += 1
            i += 1
            if value_word is not None:
                line, column = (word.line, word.column) if skip < 0 else value_word.at(skip)
                name = _apply_run_option(service, option, value, line, column) or name
            continue
        # short options, possibly clustered: `-dit`, `-p5432:5432`, `-itp 80:80`
        k = 1
        while k < len(text):
            ch = text[k]
            if ch == "P":  # --publish-all, clustered or not
                _apply_run_option(service, "--publish-all", "true", *word.at(k))
            if ch in RUN_VALUE_SHORT:
                if k + 1 < len(text):
                    value, (line, column) = text[k + 1 :], word.at(k + 1)
                elif i + 1 < len(args):
                    i += 1
                    value, (line, column) = args[i].text, (args[i].line, args[i].column)
                else:
                    value, line, column = "", word.line, word.column
                name = _apply_run_option(service, "-" + ch, value, line, column) or name
                break
            k += 1
        i += 1
    if i < len(args):
        service.image = args[i].text
    service.name = name or service.image or f"{command.name} run"
    return service


def _apply_run_option(service: Service, option: str, value: str, line: int, column: int) -> str | None:
    """Record one `docker run` option on `service`; returns the container name for `--name`."""
    if option in ("-p", "--publish"):
        service.ports.append(parse_port_short(value, line, column))
    elif option == "--publish-all":  # every port the image exposes, on every interface
        if value.lower() not in ("false", "0"):
            service.ports.append(Port("--publish-all", None, None, "(every exposed port)", line, column))
    elif option in ("-v", "--volume"):
        service.mounts.append(_short_volume(value, line, column))
    elif option == "--mount":
        service.mounts.append(_long_mount(value, line, column))
    elif option == "--privileged":
        if value.lower() not in ("false", "0"):
            service.privileged = Setting("true", line, column)
    elif option in NAMESPACE_OPTS:
        service.namespaces[NAMESPACE_OPTS[option]] = Setting(value, line, column)
    elif option == "--cap-add":
        service.cap_add.append(Setting(value, line, column))
    elif option == "--security-opt":
        service.security_opt.append(Setting(value, line, column))
    elif option in ("-e", "--env"):
        env_name, sep, env_value = value.partition("=")
        service.environment.append(EnvVar(env_name, env_value if sep else None, line, column))
    elif option == "--name":
        return value
    return None


# --------------------------------------------------------------------------- the parser

# "Plain" lines: words of safe characters, `'…'`, `"…"` holding at most `$NAME`/`${NAME}`, the operators
# `&&` `||` `;` `|` and simple redirections. For these, splitting is unambiguous and gives exactly what
# bashlex gives (tests/test_shell.py checks that on generated input); everything else goes to bashlex.
_NAME_REF = r"\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}"
PLAIN_TOKEN_RE = re.compile(
    r"(?P<space>[ \t]+)"
    r"|(?P<op>&&|\|\||\||;)"
    r"|(?P<dup>[0-9]?[<>]&(?:[0-9]|-)(?![^ \t;&|]))"
    r"|(?P<redir>(?:[0-9]?(?:>>|>|<)|&>)(?![<>&|(]))"
    rf"|(?P<word>(?:[A-Za-z0-9_./:=@%+,~^-]|{_NAME_REF}|'[^'\n]*'|\"(?:[^\"\\`$!\n]|{_NAME_REF})*\")+)"
    r"|(?P<comment>#.*)"
)
PLAIN_WORD_RE = re.compile(rf"(?:[A-Za-z0-9_./:=@%+,~^-]|{_NAME_REF}|'[^'\n]*'|\"(?:[^\"\\`$!\n]|{_NAME_REF})*\")+")
PLAIN_QUOTES_RE = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def unquote(raw: str) -> str:
    """Quote removal for a plain word, as bash does it (bashlex slips when quotes follow a `$NAME`)."""
    return PLAIN_QUOTES_RE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), raw)
RESERVED = frozenset({"if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
                      "done", "in", "function", "time", "coproc", "{", "}", "!", "[[", "]]"})
OPENERS_RE = re.compile(r"(?<![\w$./-])(?:if|for|while|until|case|select|function)(?![\w./-])|[{(]")
CLOSERS_RE = re.compile(r"(?<![\w$./-])(?:fi|done|esac)(?![\w./-])|[})]")
CONTINUED_RE = re.compile(r"(?:\\|\|\||&&|\|)[ \t]*$")
UNSUPPORTED = (  # bashlex's NotImplementedError text -> (what, pattern to find it in the snippet)
    ("arithmetic", "arithmetic expansion `$(( … ))` holding a command", re.compile(r"\$\(\(")),
    ("case", "this `case` statement", re.compile(r"\bcase\b")),
    ("pattern", "this `case` statement", re.compile(r"\bcase\b")),
    ("select", "`select` loops", re.compile(r"\bselect\b")),
    ("coproc", "`coproc`", re.compile(r"\bcoproc\b")),
    ("time", "`time` here", re.compile(r"\btime\b")),
)


class _BashlexFailure(Exception):
    def __init__(self, message: str, offset: int, unsupported: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.unsupported = unsupported


COMPOUND_RE = re.compile(r"(?<![\w$./-])(if|for|while|until|case|select|fi|done|esac)(?![\w./-])|([{(])|([})])")
COMPOUND_CLOSERS = {"fi": ("if",), "done": ("for", "while", "until", "select"), "esac": ("case",)}


def _unclosed_compound(text: str) -> int | None:
    """Where the innermost `if`/`for`/`{`/`(` … left open at the end starts (for "unexpected EOF")."""
    stack: list[tuple[str, int]] = []
    for match in COMPOUND_RE.finditer(text):
        word, opener, closer = match.groups()
        if opener or (word and word not in COMPOUND_CLOSERS):
            stack.append((opener or word, match.start()))
        elif stack and (closer or word):
            stack.pop()
    return stack[-1][1] if stack else None


@functools.lru_cache(maxsize=4096)
def _bashlex_parts(text: str) -> tuple[tuple[Any, int], ...] | _BashlexFailure:
    """bashlex's trees for `text`, each with its start offset, or the failure.

    Cached by text: the same command lines recur across pages and every
    rebuild re-checks every snippet. The trees are only read, never changed.
    """
    parts: list[tuple[Any, int]] = []
    index = 0
    while index < len(text):
        try:
            # bashlex.parse() fails on a leading comment-only part; its own loop, done here, does not
            tree = bashlex.parser._parser(text[index:]).parse()
        except RecursionError:
            raise
        except bashlex.errors.ParsingError as err:
            return _BashlexFailure(err.message, index + err.position)
        except NotImplementedError as err:
            return _BashlexFailure(str(err), index, unsupported=True)
        except Exception as err:  # bashlex bugs on odd input: still "does not parse", never a crash
            return _BashlexFailure(f"{type(err).__name__}: {err}", index)
        if not isinstance(tree, bashlex.ast.node):
            break
        parts.append((tree, index))
        index += tree.pos[1] + 1
    return tuple(parts)


class _Parser:
    def __init__(self, script: ShellScript, depth: int = 0, counter: list[int] | None = None) -> None:
        self.script = script
        self.depth = depth
        self.counter = counter if counter is not None else [0]
        self.prepared = ""
        self.locate: _Locator
        self.heredocs: dict[int, Heredoc] = {}

    def next_pipeline(self) -> int:
        self.counter[0] += 1
        return self.counter[0]

    # -- entry
    def parse(self, text: str, shifts: list[int] | None, outer: Callable[[int, int], tuple[int, int]] | None,
              fast: bool = True) -> list[Command]:
        prepared = text
        self.locate = _Locator(text, shifts, outer=outer)
        if SHIM_TRIGGERS_RE.search(text):
            preparer = _Preparer(text)
            try:
                prepared = preparer.run()
            except _Unclosed as err:
                line, column = self.locate(err.offset)
                raise ParseError(f"shell: {err.message}", line, column) from None
            for op, start, delim, quoted, end, _dash in preparer.heredocs:
                op_line, op_column = self.locate(op)
                body_line, _ = self.locate(start)
                heredoc = Heredoc(delim, quoted, text[start:end], body_line, op_line, op_column, op)
                self.heredocs[op] = heredoc
                self.script.heredocs.append(heredoc)
        self.prepared = prepared
        commands: list[Command] = []
        try:
            if fast:
                try:
                    commands = self.parse_lines()
                except _BashlexFailure:  # a chunk cut inside a construct: bashlex reads it all
                    commands = self.parse_range(0, len(prepared))
            else:
                commands = self.parse_range(0, len(prepared))
        except _BashlexFailure as err:
            raise self.error(err) from None
        except RecursionError:
            raise ParseError("shell: the command nests too deeply to check", 1, 1) from None
        commands.extend(self.nested(commands))
        return commands

    def error(self, err: _BashlexFailure) -> ParseError:
        offset = min(err.offset, max(0, len(self.prepared) - 1))
        message = err.message
        if err.unsupported:
            what = next((w for key, w, _ in UNSUPPORTED if key in message), "a construct here")
            pattern = next((p for key, _, p in UNSUPPORTED if key in message), None)
            found = pattern.search(self.prepared, err.offset) if pattern else None
            if found:
                offset = found.start()
            line, column = self.locate(offset)
            return ParseError(f"shell: snippetguard's shell parser (bashlex) cannot read {what}; "
                              "simplify the snippet so it can be checked", line, column)
        if "unexpected EOF while looking for matching" in message or message.startswith("unexpected EOF"):
            scan = _Preparer(self.prepared)
            with contextlib.suppress(_Unclosed):
                scan.run()
            opened = scan.unclosed()
            if opened is None:
                opened = _unclosed_compound(self.prepared)
                if opened is not None:
                    keyword = COMPOUND_RE.match(self.prepared, opened)
                    message += f": the '{keyword.group(0) if keyword else '?'}' that starts here is never closed"
            if opened is not None:
                offset = opened
        line, column = self.locate(offset)
        return ParseError(f"shell does not parse: {message}", line, column)

    # -- fast path: plain lines are split here, every other line goes to bashlex
    def parse_lines(self) -> list[Command]:
        """Plain lines one by one; runs of other lines as chunks for bashlex.

        A chunk ends before a plain line unless it is visibly unfinished
        (trailing `\\`, `|`, `&&`, `||`, or an `if`/`{`/`(` not yet closed).
        Guessing wrong is safe: a chunk cut inside a construct fails to parse,
        and the caller then parses the whole text with bashlex instead.
        """
        commands: list[Command] = []
        offset = 0
        chunk_start: int | None = None
        chunk_end = 0
        depth = 0
        continued = False
        for line in self.prepared.split("\n"):
            end = offset + len(line)
            stripped = line.strip()
            plain = None
            if not continued and depth <= 0 and (not stripped or stripped.startswith("#")):
                plain = []
            elif not continued and depth <= 0:
                plain = self.plain(line, offset)
            if plain is None:
                if chunk_start is None:
                    chunk_start = offset
                chunk_end = end
                continued = bool(CONTINUED_RE.search(line))
                depth += len(OPENERS_RE.findall(line)) - len(CLOSERS_RE.findall(line))
            else:
                if chunk_start is not None:
                    commands.extend(self.parse_range(chunk_start, chunk_end))
                    chunk_start = None
                depth = 0
                commands.extend(plain)
            offset = end + 1
        if chunk_start is not None:
            commands.extend(self.parse_range(chunk_start, chunk_end))
        return commands

    def plain(self, line: str, offset: int) -> list[Command] | None:
        """The commands of a plain line, or None when the line needs bashlex."""
        pos, n = 0, len(line)
        lists: list[list[tuple[list[Word], list[Redirect]]]] = [[([], [])]]  # pipelines of commands
        last_op = ""
        while pos < n:
            match = PLAIN_TOKEN_RE.match(line, pos)
            if match is None:
                return None
            kind = match.lastgroup
            words, redirects = lists[-1][-1]
            if kind == "space":
                pass
            elif kind == "comment":
                if pos > 0 and line[pos - 1] not in " \t":
                    return None  # `a;#b`: bashlex does not read that `#` as a comment
                break
            elif kind == "op":
                if not words and not redirects:
                    return None  # `&& x`, `;;`: leave the error (or the case clause) to bashlex
                last_op = match.group(0)
                if line[match.end() : match.end() + 1] in (";", "&") and last_op in (";", "|"):
                    return None  # `;;`, `;&`, `|&`: case terminators and stderr pipes are bashlex's
                if last_op == "|":
                    lists[-1].append(([], []))
                else:
                    lists.append([([], [])])
            elif kind in ("dup", "redir"):
                if kind == "redir":
                    target = PLAIN_TOKEN_RE.match(line, match.end())
                    if target is not None and target.lastgroup == "space":
                        target = PLAIN_TOKEN_RE.match(line, target.end())
                    if target is None or target.lastgroup != "word" or (
                            target.group(0).isdigit() and line[target.end() : target.end() + 1] in ("<", ">")):
                        return None
                    op = match.group(0).lstrip("0123456789")
                    where = offset + match.start()
                    heredoc = self.heredocs.get(where) if op == "<" else None
                    ln, col = self.locate(where)
                    redirects.append(Redirect("<<" if heredoc else op, self.plain_word(target, offset), ln, col,
                                              heredoc))
                    match = target
                else:
                    ln, col = self.locate(offset + match.start())
                    redirects.append(Redirect(">&" if ">" in match.group(0) else "<&", None, ln, col))
            else:  # a word
                text = match.group(0)
                if text.isdigit() and match.end() < n and line[match.end()] in "<>":
                    return None  # `12>file`: a file descriptor bashlex and bash read differently
                words.append(self.plain_word(match, offset))
            pos = match.end()
        commands: list[Command] = []
        for pipeline in lists:
            if not pipeline[-1][0] and not pipeline[-1][1]:
                if len(pipeline) > 1 or len(lists) == 1 or pipeline is not lists[-1]:
                    return None  # `a |` at the end, or an empty command: bashlex decides
                if last_op != ";":
                    return None  # `a &&` continues on the next line
                continue  # `a;` at the end of the line
            number = self.next_pipeline()
            for position, (words, redirects) in enumerate(pipeline):
                k = 0
                while k < len(words) and ASSIGNMENT_RE.match(words[k].raw):
                    k += 1
                if k < len(words) and words[k].text in RESERVED:
                    return None  # `if`, `do`, `{` …: compound commands are bashlex's
                commands.append(self.command(words[k:], words[:k], redirects, number, position, len(pipeline), None))
        return commands

    def plain_word(self, match: re.Match[str], offset: int) -> Word:
        raw = match.group(0)
        text = unquote(raw) if ("'" in raw or '"' in raw) else raw
        start = offset + match.start()
        ln, col = self.locate(start)
        return Word(text, raw, ln, col, start)

    # -- bashlex
    def parse_range(self, start: int, end: int) -> list[Command]:
        parts = _bashlex_parts(self.prepared[start:end])
        if isinstance(parts, _BashlexFailure):
            raise _BashlexFailure(parts.message, start + parts.offset, parts.unsupported)
        commands: list[Command] = []
        for tree, index in parts:
            self.walk(tree, start + index, commands, None)
        return commands

    def word(self, node: Any, base: int) -> Word:
        start, end = node.pos
        line, column = self.locate(base + start)
        parts = getattr(node, "parts", ())
        raw = self.prepared[base + start : base + end]
        text = node.word
        if ("'" in raw or '"' in raw) and PLAIN_WORD_RE.fullmatch(raw):
            text = unquote(raw)
        live = any(self.live(sub, base, base + start, raw) for p in parts for sub in _substitution_nodes(p))
        return Word(text, raw, line, column, base + start, live)

    @staticmethod
    def live(sub: Any, base: int, word_start: int, raw: str) -> bool:
        """False for a `$(…)` bashlex found inside single quotes (`a'$(b)'`), where nothing runs."""
        if "'" not in raw:
            return True
        at = base + sub.pos[0] - word_start
        return not any(a <= at < b for a, b in _single_quoted(raw))

    def walk(self, node: Any, base: int, out: list[Command], place: tuple[int, int, int] | None,
             host: tuple[Command | None, Word | None, str] | None = None) -> None:
        kind = node.kind
        if kind == "command":
            self.simple(node, base, out, place or (self.next_pipeline(), 0, 1), host)
        elif kind == "pipeline":
            members = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
            pipeline = self.next_pipeline()
            for position, part in enumerate(members):
                self.walk(part, base, out, (pipeline, position, len(members)), host)
        elif kind == "list":
            for part in node.parts:
                if part.kind not in ("operator", "reservedword"):
                    self.walk(part, base, out, place, host)
        elif kind == "compound":
            # `curl … | (cd /tmp && sh)`: what is inside a group reads the pipe the group reads
            for part in node.list:
                if part.kind not in ("reservedword", "operator"):
                    self.walk(part, base, out, place, host)
            for redirect in getattr(node, "redirects", ()):
                target = getattr(redirect, "output", None)
                if isinstance(target, bashlex.ast.node) and target.kind == "word":
                    self.substitutions(target, base, out, None, self.word(target, base), host)
        elif kind in ("if", "for", "while", "until"):
            for part in node.parts:
                if part.kind == "word":
                    self.substitutions(part, base, out, None, self.word(part, base), host)
                elif part.kind not in ("reservedword", "operator"):
                    self.walk(part, base, out, None, host)
        elif kind == "function":
            self.walk(node.body, base, out, None, host)

    def simple(self, node: Any, base: int, out: list[Command], place: tuple[int, int, int],
               host: tuple[Command | None, Word | None, str] | None) -> None:
        words: list[Word] = []
        nodes: list[tuple[Any, Word]] = []
        assignments: list[Word] = []
        redirects: list[tuple[Any, Redirect, Word | None]] = []
        for part in node.parts:
            if part.kind == "word":
                word = self.word(part, base)
                words.append(word)
                nodes.append((part, word))
            elif part.kind == "assignment":
                word = self.word(part, base)
                (words if words else assignments).append(word)
                nodes.append((part, word))
            elif part.kind == "redirect":
                line, column = self.locate(base + part.pos[0])
                target_node = part.output if isinstance(part.output, bashlex.ast.node) else None
                target = self.word(target_node, base) if target_node is not None else None
                heredoc = self.heredocs.get(base + part.pos[0]) if part.type == "<" else None
                op = "<<" if heredoc else str(part.type)
                redirect = Redirect(op, target, line, column, heredoc)
                redirects.append((target_node, redirect, target))
        while words and ASSIGNMENT_RE.match(words[0].raw):
            assignments.append(words.pop(0))  # `>f X=1 cmd`: bash still reads X=1 as an assignment
        command = self.command(words, assignments, [r for _, r, _ in redirects], *place, host)
        out.append(command)
        for part, word in nodes:
            self.substitutions(part, base, out, command, word, None)
        for target_node, _, target in redirects:
            if target_node is not None and target is not None:
                self.substitutions(target_node, base, out, command, target, None)

    def substitutions(self, node: Any, base: int, out: list[Command], command: Command | None, word: Word,
                      host: tuple[Command | None, Word | None, str] | None) -> None:
        for part in getattr(node, "parts", ()) or ():
            if part.kind in ("commandsubstitution", "processsubstitution"):
                if word.offset >= 0 and not self.live(part, base, word.offset, word.raw):
                    continue
                opener = self.prepared[base + part.pos[0] : base + part.pos[0] + 2]
                via = "`" if opener.startswith("`") else ("$(" if part.kind == "commandsubstitution" else opener)
                inner_host = (command, word, via) if command is not None else (host or (None, word, via))
                self.walk(part.command, base, out, None, inner_host)
            elif getattr(part, "parts", None):
                self.substitutions(part, base, out, command, word, host)

    def command(self, words: list[Word], assignments: list[Word], redirects: list[Redirect], pipeline: int,
                position: int, size: int, host: tuple[Command | None, Word | None, str] | None) -> Command:
        index, assignments, wrappers, executed = normalise(words, list(assignments))
        program = words[index] if index < len(words) else None
        name = program_name(program.text) if program else ""
        if program is not None and not executed:
            name = program.text  # `command -v x`: the command is `command`
        anchor = program or (words[0] if words else assignments[0] if assignments else None)
        line, column = (anchor.line, anchor.column) if anchor else (
            (redirects[0].line, redirects[0].column) if redirects else (1, 1))
        command = Command(name, program, tuple(words[index + 1 :]), tuple(words), tuple(assignments),
                          tuple(wrappers), tuple(redirects), pipeline, position, size, executed=executed,
                          line=line, column=column)
        if host is not None:
            command.host, command.host_word, command.via = host
        return command

    # -- scripts inside the script: `bash <<EOF … EOF`, `sh -c '…'`
    def nested(self, commands: list[Command]) -> list[Command]:
        if self.depth >= MAX_NESTING:
            return []
        found: list[Command] = []
        for command in commands:
            for redirect in command.redirects:
                if redirect.heredoc is not None and _runs_stdin_as_shell(command):
                    found.extend(self.heredoc_script(command, redirect.heredoc))
            word = _shell_string(command)
            if word is not None and not word.has_substitution:
                found.extend(self.string_script(command, word))
            found.extend(self.run_by(command))
        return found

    def run_by(self, command: Command) -> list[Command]:
        """`find … -exec chmod 777 {} +`, `xargs chmod 777`: the command they run, as a command of its own."""
        args = list(command.args) if command.executed else []
        spans: list[tuple[int, int]] = []
        if command.name == "find":
            for i, word in enumerate(args):
                if word.text in FIND_EXEC:
                    end = next((k for k in range(i + 1, len(args)) if args[k].text in (";", "+")), len(args))
                    spans.append((i + 1, end))
        elif command.name == "xargs":
            spans.append((_skip_options(args, 0, XARGS_VALUE_SHORT, XARGS_VALUE_LONG), len(args)))
        found = [self.command(args[start:end], [], [], self.next_pipeline(), 0, 1, (command, args[start], command.name))
                 for start, end in spans if start < end]
        return found + self.nested(found) if found else found

    def heredoc_script(self, command: Command, heredoc: Heredoc) -> list[Command]:
        outer = self.locate
        first = heredoc.line

        def to_snippet(line: int, column: int) -> tuple[int, int]:
            real = first + line - 1
            shift = outer.shifts[real - 1] if outer.shifts is not None and real - 1 < len(outer.shifts) else 0
            if outer.outer is not None:
                return outer.outer(real, column + shift)
            return real, column + shift

        child = _Parser(self.script, self.depth + 1, self.counter)
        inner = child.parse(heredoc.body, None, to_snippet)
        for c in inner:
            if c.host is None:
                c.host, c.host_word, c.via = command, None, "heredoc"
        return inner

    def string_script(self, command: Command, word: Word) -> list[Command]:
        """`sh -c 'chmod 777 /x'`: the string is a script; positions exact when it is quoted plainly."""
        exact = word.offset >= 0 and (word.raw == word.text or (
            word.raw[:1] in "'\"" and word.raw[1:-1] == word.text and word.raw[-1:] == word.raw[:1]))
        skip = 0 if word.raw == word.text else 1
        outer = self.locate
        fixed = (word.line, word.column)
        # inner (line, column) -> snippet position: through the outer prepared text when exact
        inner_starts = [0] + [m.end() for m in re.finditer("\n", word.text)]

        def to_snippet(line: int, column: int) -> tuple[int, int]:
            if not exact:
                return fixed
            return outer(word.offset + skip + inner_starts[line - 1] + column - 1)

        child = _Parser(self.script, self.depth + 1, self.counter)
        try:
            inner = child.parse(word.text, None, to_snippet)
        except ParseError:
            return []  # a string bash would reject at run time; the outer command is still checked
        for c in inner:
            if c.host is None:
                c.host, c.host_word, c.via = command, word, "-c"
        return inner


def _substitution_nodes(node: Any) -> Iterator[Any]:
    if node.kind in ("commandsubstitution", "processsubstitution"):
        yield node
        return
    for part in getattr(node, "parts", ()) or ():
        yield from _substitution_nodes(part)


@functools.lru_cache(maxsize=1024)
def _single_quoted(raw: str) -> tuple[tuple[int, int], ...]:
    """Spans of `raw` inside single quotes (outside double quotes, honouring backslashes)."""
    spans: list[tuple[int, int]] = []
    i, n, double = 0, len(raw), False
    while i < n:
        ch = raw[i]
        if ch == "\\":  # an escaped character, inside double quotes or out
            i += 2
            continue
        if ch == '"':
            double = not double
        elif ch == "'" and not double:
            end = raw.find("'", i + 1)
            end = n if end < 0 else end
            spans.append((i, end + 1))
            i = end
        i += 1
    return tuple(spans)


def _runs_stdin_as_shell(command: Command) -> bool:
    """`bash <<EOF`, `sudo sh -s <<EOF`, `docker exec -i c sh <<EOF`, `ssh host <<EOF`."""
    if is_shell(command.name):
        return script_operand(command)[0] == "stdin"
    inner = exec_target(command)
    if inner is not None:
        return inner in SHELLS
    if command.name == "ssh":
        return ssh_remote_command(command) is None
    return False


DOCKER_EXEC_VALUE_SHORT = frozenset("euw")
DOCKER_EXEC_VALUE_LONG = frozenset({"--env", "--user", "--workdir", "--env-file", "--detach-keys", "-c", "--container"})
SSH_VALUE_SHORT = frozenset("bcDEeFIiJLlmOopQRSWwB")


def exec_target(command: Command) -> str | None:
    """Program run by `docker exec [opts] CONTAINER program …` (also podman, kubectl), if any."""
    args = command.arg_texts()
    if command.name in DOCKER_LIKE:
        if args[:2] == ["container", "exec"]:
            args = args[2:]
        elif args[:1] == ["exec"]:
            args = args[1:]
        else:
            return None
        i = 0
        while i < len(args) and args[i].startswith("-"):
            value = args[i] in DOCKER_EXEC_VALUE_LONG or (
                not args[i].startswith("--") and args[i][-1] in DOCKER_EXEC_VALUE_SHORT)
            i += 2 if value and "=" not in args[i] else 1
        return program_name(args[i + 1]) if i + 1 < len(args) else None
    if command.name == "kubectl" and "exec" in args and "--" in args:
        rest = args[args.index("--") + 1 :]
        return program_name(rest[0]) if rest else None
    return None


def ssh_remote_command(command: Command) -> list[Word] | None:
    """The words after `ssh [options] host`: a command the remote shell runs."""
    args = list(command.args)
    i = 0
    while i < len(args) and args[i].text.startswith("-"):
        i += 2 if args[i].text[-1] in SSH_VALUE_SHORT and len(args[i].text) == 2 else 1
    rest = args[i + 1 :]
    return rest or None


def _shell_string(command: Command) -> Word | None:
    """A word a shell runs as a script: `sh -c '…'`, `su -c '…'`, `ssh host '…'`."""
    if is_shell(command.name):
        kind, word = script_operand(command)
        return word if kind == "string" else None
    if command.name == "su":
        args = list(command.args)
        for k, arg in enumerate(args[:-1]):
            if arg.text in ("-c", "--command"):
                return args[k + 1]
            if arg.text.startswith("--command="):
                return None  # rare; its position would be approximate
        return None
    if command.name == "ssh":
        remote = ssh_remote_command(command)
        return remote[0] if remote is not None and len(remote) == 1 else None
    return None


def parse_shell(text: str, fast: bool = True) -> ShellScript:
    """Parse a shell snippet (script or console transcript) into normalised commands and containers."""
    script = ShellScript(text)
    transcript = extract_transcript(text) if "$ " in text or "# " in text else None
    shifts: list[int] | None = None
    body = text
    if transcript is not None:
        body, shifts = transcript
        script.transcript = True
    try:
        commands = _Parser(script).parse(body, shifts, None, fast=fast)
    except RecursionError:
        raise ParseError("shell: the command nests too deeply to check", 1, 1) from None
    commands.sort(key=lambda c: (c.line, c.column))
    # bare `:` no-ops (also what `case` and `[[ … ]]` were rewritten to) concern no rule
    script.commands = [c for c in commands if c.name != ":" or c.args or c.redirects]
    script.services = [s for s in map(docker_service, commands) if s is not None]
    return script


SHELL = register_kind(Kind("shell", "shell", parse_shell, checks=("bashlex syntax tree",)))
