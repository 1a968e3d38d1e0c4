"""bashlex, loaded lazily, and its trees cached by text; what it cannot read, named for people."""

from __future__ import annotations

import functools
import re
from typing import Any


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


def _bashlex_once(text: str) -> list[Any]:
    return list(bashlex.parse(text))


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

