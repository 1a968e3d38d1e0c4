"""SG307: secrets generated with too little randomness."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snippetguard.kinds.shell import ShellScript
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules._shellopts import _executed

KINDS = ("shell",)

# --------------------------------------------------------------------------- secrets

RAND_VALUE_OPTS = ("-out", "-rand", "-writerand", "-engine", "-provider", "-provider-path", "-propquery")
RAND_SIZE_RE = re.compile(r"(\d+)([KMGT]?)")
MIN_SECRET_BYTES = 32


@rule(
    code="SG307", title="Secret generated too short",
    kinds=KINDS,
    why="`openssl rand` makes exactly as many random bytes as you ask for. A password or key from fewer than 32 "
        "bytes has a smaller safety margin than the guide asks for, and short secrets are the ones that end up "
        "reused or guessed.",
    fix="Ask for at least 32 bytes: `openssl rand -base64 32` (or `-hex 32`).",
    guide="security/database.md#strong-passwords",
    insecure=(Example("POSTGRES_PASSWORD=$(openssl rand -base64 16)\n", "shell", 1),
              Example("openssl rand -hex 8\n", "shell", 1)),
    secure=(Example("POSTGRES_PASSWORD=$(openssl rand -base64 32)\n", "shell"),
            Example("openssl rand -hex 32\nopenssl rand -base64 48\n", "shell")),
)
def short_secret(parsed: ShellScript) -> Iterator[Hit]:
    for command in _executed(parsed, "openssl"):
        args = list(command.args)
        if not args or args[0].text != "rand":
            continue
        encoding = ""
        k = 1
        while k < len(args):
            text = args[k].text
            if text in RAND_VALUE_OPTS:
                k += 2
                continue
            if text.startswith("-"):
                encoding = encoding or (text if text in ("-base64", "-hex") else "")
                k += 1
                continue
            match = RAND_SIZE_RE.fullmatch(text)
            if match:
                size = int(match.group(1)) * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}[
                    match.group(2)]
                if size < MIN_SECRET_BYTES:
                    label = f"openssl rand {encoding + ' ' if encoding else ''}{text}"
                    yield Hit(args[k].line, args[k].column, f"{label} makes only {size} random bytes; use at least "
                                                            f"{MIN_SECRET_BYTES} for a password or secret")
            break

