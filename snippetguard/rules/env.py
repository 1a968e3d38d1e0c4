"""SG2xx: secrets in `.env` files and anywhere else a key format is recognisable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from snippetguard.containers import URL_PASSWORD_RE, is_secret_name, weakness
from snippetguard.interpolation import has_reference
from snippetguard.kinds.env import EnvFile
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

MIN_SECRET_LENGTH = 32
PLACEHOLDER_RE = re.compile(r"^(<[^<>\n]+>|(CHANGE_?ME|REPLACE_?ME|YOUR_[A-Z0-9_]+)([_-][A-Za-z0-9_-]*)?)$")
DB = "security/database.md"


def is_placeholder(value: str) -> bool:
    return not value or bool(PLACEHOLDER_RE.match(value.strip())) or has_reference(value)


def _user(env: EnvFile) -> str | None:
    return next((e.value for e in env.entries if e.key.upper().endswith("_USER") and e.value), None)


def _secrets(env: EnvFile) -> Iterator[tuple[Any, str, str, int]]:
    """(entry, what, value, column) for every secret-bearing value in the file."""
    for entry in env.entries:
        match = URL_PASSWORD_RE.search(entry.value)
        if match and match.group("password"):
            yield entry, f"the password inside {entry.key}", match.group("password"), entry.column + match.start("password")
        elif is_secret_name(entry.key):
            yield entry, entry.key, entry.value, entry.column


@rule(
    code="SG201", title="Concrete secret in an example .env file",
    kinds=("env",),
    why="A password printed in documentation is known to everyone who read it, however random it looks; a reader "
        "who copies the file runs with a public password.",
    fix="Leave a placeholder (`<paste the output of openssl rand -base64 32>` or `CHANGE_ME…`) and show the "
        "command that generates the real value.",
    guide=f"{DB}#keep-secrets-out-of-compose",
    insecure=Example("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=q7Vd0JmZr8s1Xn4LwE2pYk9TcA6hUf3B\n", "env", 2),
    secure=Example("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=<paste the output of: openssl rand -base64 32>\n", "env"),
)
def concrete_secret(env: EnvFile) -> Iterator[Hit]:
    user = _user(env)
    for entry, what, value, column in _secrets(env):
        if not is_placeholder(value) and weakness(value, user) is None and len(value) >= MIN_SECRET_LENGTH:
            yield Hit(entry.line, column, f"{what} is a concrete value; documentation must show a placeholder")


@rule(
    code="SG202", title="Weak, default or short secret in a .env file",
    kinds=("env",),
    why="Default and short passwords (DesterLib v0.2.0's installer suggested `postgres`) are guessed in seconds by "
        "anyone who can reach the service.",
    fix="Generate the value: `openssl rand -base64 32` (at least 32 characters), and show a placeholder in docs.",
    guide=f"{DB}#strong-passwords",
    insecure=Example("POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgres\n", "env", 2),
    secure=Example("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=CHANGE_ME_run_openssl_rand_base64_32\n", "env"),
)
def weak_secret(env: EnvFile) -> Iterator[Hit]:
    user = _user(env)
    for entry, what, value, column in _secrets(env):
        if is_placeholder(value):
            continue
        reason = weakness(value, user)
        if reason is None and len(value) < MIN_SECRET_LENGTH:
            reason = f"is only {len(value)} characters (use at least {MIN_SECRET_LENGTH})"
        if reason is not None:
            yield Hit(entry.line, column, f"{what} {reason}")


# -- key formats, in every kind (detect-secrets' detectors) --------------------------------------
# Format detectors only. Entropy and keyword heuristics (including the vendor "keyword = value"
# detectors for IBM, Cloudant and SoftLayer) are left out: secret *names* are SG109/SG201's job,
# and those heuristics cost 60 % of the scan while flagging bcrypt hashes and placeholders.
SKIPPED_DETECTORS = {"KeywordDetector", "HighEntropyString", "Base64HighEntropyString", "HexHighEntropyString",
                     "BasicAuthDetector", "IPPublicDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
                     "CloudantDetector", "SoftlayerDetector"}


@cache
def _detectors() -> list[Any]:
    """detect-secrets' format detectors (private keys, cloud and API tokens), loaded once."""
    import importlib
    import pkgutil

    import detect_secrets.plugins as plugins
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[Any] = []
    for info in pkgutil.iter_modules(plugins.__path__):
        module = importlib.import_module(f"detect_secrets.plugins.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, RegexBasedDetector) and value is not RegexBasedDetector
                    and value.__name__ not in SKIPPED_DETECTORS and value.__module__ == module.__name__):
                found.append(value())
    return found


@rule(
    code="SG203", title="Real-looking key or token",
    kinds=("*",), reads="text",
    why="A private key or API token in an example is either a real credential that has just leaked, or a fake one "
        "that readers will not replace; both teach the wrong habit.",
    fix="Replace it with a placeholder such as `<your TMDB API key>` and say where the real one comes from.",
    guide="security/data-protection.md#secrets",
    insecure=Example("# settings for the release workflow\nnotify:\n  github_token: ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123\n",
                     "yaml", 3),
    secure=Example("# settings for the release workflow\nnotify:\n  github_token_file: /run/secrets/github_token\n",
                   "yaml"),
)
def key_formats(text: str) -> Iterator[Hit]:
    if not text:
        return
    starts: list[int] | None = None
    seen: set[int] = set()
    for detector in _detectors():
        for pattern in detector.denylist:
            for match in pattern.finditer(text):
                if starts is None:
                    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
                line = _line_of(starts, match.start())
                if line in seen:
                    continue
                row = text[starts[line - 1] : (starts[line] - 1) if line < len(starts) else len(text)]
                if any(True for _ in detector.analyze_string(row)):
                    seen.add(line)
                    yield Hit(line, match.start() - starts[line - 1] + 1, f"looks like a {detector.secret_type}")


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)
