"""The characters a `tr` set names (`A-Za-z0-9`, `[:alnum:]`, `'/+='`, `\n`), as GNU tr reads it."""

from __future__ import annotations

import string

CLASSES = {
    "alnum": string.ascii_letters + string.digits, "alpha": string.ascii_letters, "digit": string.digits,
    "lower": string.ascii_lowercase, "upper": string.ascii_uppercase, "xdigit": string.hexdigits,
    "punct": string.punctuation, "space": " \t\n\r\x0b\x0c", "blank": " \t",
    "graph": string.ascii_letters + string.digits + string.punctuation,
    "print": string.ascii_letters + string.digits + string.punctuation + " ",
    "cntrl": "".join(chr(i) for i in range(32)) + "\x7f",
}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def tr_set(spec: str) -> frozenset[str]:
    chars: list[str] = []
    i = 0
    while i < len(spec):
        if spec.startswith("[:", i) and (end := spec.find(":]", i + 2)) > 0 and spec[i + 2 : end] in CLASSES:
            chars.extend(CLASSES[spec[i + 2 : end]])
            i = end + 2
            continue
        ch = spec[i]
        if ch == "\\" and i + 1 < len(spec):
            ch = ESCAPES.get(spec[i + 1], spec[i + 1])
            i += 1
        if i + 2 < len(spec) and spec[i + 1] == "-" and spec[i + 2] != "\\":
            low, high = ord(ch), ord(spec[i + 2])
            chars.extend(chr(c) for c in range(low, high + 1))
            i += 3
            continue
        chars.append(ch)
        i += 1
    return frozenset(chars)
