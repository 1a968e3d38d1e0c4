"""Same-length rewrites that let bashlex 0.18 read valid bash, and here-document bodies cut out.

One pass over the text, aware of quotes and comments. Every edit keeps the
text's length and line breaks, so each word keeps its line and column.
"""

from __future__ import annotations

import re
from typing import Any

WORD_RE = re.compile(r"[^\s;&|()<>'\"`$\\]+")
SEPARATORS = frozenset(";&|(){}!\n")
KEEPS_COMMAND_POSITION = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"})
WORD_DELIMITERS = frozenset(" \t\n;&|()<>")
ARRAY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\s]*\])?\+?=\(")
SUBSTITUTION_RE = re.compile(r"\$\(|`|<\(|>\(")
CASE_HEADER_RE = re.compile(r"case[ \t]+((?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"';&|()<>])+)[ \t\n]+in(?=[\s;]|$)")
SHIM_TRIGGERS_RE = re.compile(r"<<|\btime\b|\[\[|\$\(\(|\bcase\b|=\(|[$<>]\([^)]*(?:&&|\|\|)")


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
            if (s.startswith("&&", i) or s.startswith("||", i)) and self.in_substitution():
                self.put(i, "; ")  # bashlex 0.18 rejects `$(a && b)`; for the rules a list is a list
                command_position = True
                i += 2
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

    def in_substitution(self) -> bool:
        """Inside `$( … )`, `<( … )` or `>( … )` (not a plain `( … )` subshell, which bashlex reads)."""
        return bool(self.stack) and self.stack[-1] == "(" and self.s[self.opener[-1]] in "$<>"

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
        """`case WORD in` -> `{ `: the clauses become commands inside a group.

        A WORD that runs a command (`case "$(uname -r)" in`) is kept as the argument of a no-op,
        `:    "$(uname -r)" ;{`, so the command inside is still read.
        """
        match = CASE_HEADER_RE.match(self.s, i)
        if match is None:
            return i + 4  # left as is: bashlex refuses it and the snippet fails closed
        if SUBSTITUTION_RE.search(match.group(1)):
            if "\n" in self.s[match.end(1) : match.end()] or "\n" in match.group(1):
                return i + 4
            self.fill(i, match.start(1), " ")
            self.buf[i] = ":"
            self.put(match.end() - 2, ";{")
        else:
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


