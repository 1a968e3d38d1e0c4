"""SG2xx: secrets in `.env` files and anywhere else a key format is recognisable."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from snippetguard import secretformats, secrets
from snippetguard.kinds.env import EnvFile
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

MIN_SECRET_LENGTH = secrets.MIN_SECRET_LENGTH
DB = "security/database.md"
is_placeholder = secrets.is_placeholder  # kept importable: other rule modules used it from here


def _user(env: EnvFile) -> str | None:
    return next((e.value for e in env.entries if e.key.upper().endswith("_USER") and e.value), None)


def _verdicts(env: EnvFile) -> Iterator[tuple[int, int, str, secrets.Verdict]]:
    """(line, column, what, verdict) for every literal secret the file assigns to a secret's name."""
    user = _user(env)
    for entry in env.entries:
        if not secrets.is_secret_name(entry.key) or secrets.URL_PASSWORD_RE.search(entry.value):
            continue  # a password inside a URL is SG205's, in every kind
        default = secrets.fallback(entry.value)  # Compose interpolates .env values: `${X:-postgres}` is postgres
        verdict = secrets.judge(entry.value if default is None else default, user, min_length=MIN_SECRET_LENGTH)
        if verdict is not None:
            yield entry.line, entry.column, entry.key if default is None else f"{entry.key}'s fallback", verdict


@rule(
    code="SG201", title="Concrete secret in an example .env file",
    kinds=("env",),
    why="A password printed in documentation is known to everyone who read it, however random it looks; a reader "
        "who copies the file runs with a public password.",
    fix="Leave a placeholder (`<paste the output of: openssl rand -hex 32>` or `CHANGE_ME…`) and show the "
        "command that generates the real value.",
    guide=f"{DB}#keep-secrets-out-of-compose",
    insecure=Example("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=q7Vd0JmZr8s1Xn4LwE2pYk9TcA6hUf3B\n", "env", 2),
    secure=Example("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=<paste the output of: openssl rand -hex 32>\n", "env"),
)
def concrete_secret(env: EnvFile) -> Iterator[Hit]:
    for line, column, what, verdict in _verdicts(env):
        if not verdict.weak:
            yield Hit(line, column, f"{what} is a concrete value; documentation must show a placeholder")


@rule(
    code="SG202", title="Weak, default or short secret in a .env file",
    kinds=("env",),
    why="Default and short passwords (DesterLib's setup scripts use `postgres` when you just press Enter) are "
        "guessed in seconds by anyone who can reach the service. Settings such as `MYSQL_ALLOW_EMPTY_PASSWORD=yes` "
        "or `POSTGRES_HOST_AUTH_METHOD=trust` are worse: the database then takes no password at all. An empty value "
        "is different: it is a blank the reader fills in, and the database images refuse to create a new database "
        "without it.",
    fix="Generate the value with `openssl rand -hex 32` (64 characters, 256 bits, nothing that needs escaping in a "
        "URL), show a placeholder or an empty value in docs, and remove settings that allow an empty password or "
        "`trust`. A database that already exists keeps its old password whatever the file says: change it inside "
        "PostgreSQL first (`ALTER ROLE`).",
    guide=f"{DB}#strong-passwords",
    insecure=(Example("POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgres\n", "env", 2),
              Example("MYSQL_ROOT_PASSWORD=\nMYSQL_ALLOW_EMPTY_PASSWORD=yes\n", "env", 2),
              Example("MYSQL_USER=nextcloud\nMYSQL_PW=nextcloud\n", "env", 2)),
    secure=(Example("POSTGRES_USER=desterlib\n# paste the output of: openssl rand -hex 32\nPOSTGRES_PASSWORD=\n", "env"),
            Example("MYSQL_ROOT_PASSWORD=\nMYSQL_ALLOW_EMPTY_PASSWORD=no\n"
                    "ADMIN_TOKEN='$argon2id$v=19$m=65540,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'\n", "env")),
)
def weak_secret(env: EnvFile) -> Iterator[Hit]:
    for entry in env.entries:
        if secrets.disables_password(entry.key, entry.value):
            yield Hit(entry.line, entry.column, f"{entry.key}={entry.value} lets the database accept no password")
    for line, column, what, verdict in _verdicts(env):
        if verdict.weak:
            yield Hit(line, column, f"{what} {verdict.reason}")


# -- key formats, in every kind (detect-secrets' detectors, PEM private keys) ----------------------
FAKE_KEY_BODY = "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIc2FtcGxla2V5AgIIADAMBggqhkiG9w0CCQUA\n"


@rule(
    code="SG203", title="Real-looking key or token",
    kinds=("*",), reads="text",
    why="A private key or API token in an example is either a real credential that has just leaked, or a fake one "
        "that readers will not replace; both teach the wrong habit. Every PEM private key counts, encrypted or "
        "not (`ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY`): an encrypted key is one weak passphrase from use.",
    fix="Replace it with a placeholder such as `<your TMDB API key>` and say where the real one comes from; for a "
        "key, show the command that creates it (`ssh-keygen -t ed25519`) instead of its content.",
    guide="security/data-protection.md#secrets",
    insecure=(Example("# settings for the release workflow\nnotify:\n"
                      "  github_token: ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123\n", "yaml", 3),
              Example("cat > /etc/ssl/private/api.key <<'EOF'\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                      f"{FAKE_KEY_BODY}-----END ENCRYPTED PRIVATE KEY-----\nEOF\n", "shell", 2)),
    secure=(Example("# settings for the release workflow\nnotify:\n  github_token_file: /run/secrets/github_token\n",
                    "yaml"),
            Example("cat > /etc/ssl/private/api.key <<'EOF'\n-----BEGIN PRIVATE KEY-----\n<your key>\n"
                    "-----END PRIVATE KEY-----\nEOF\n", "shell")),
)
def key_formats(text: str) -> Iterator[Hit]:
    if not text:
        return
    starts: list[int] | None = None
    seen: set[int] = set()
    for key in secrets.private_keys(text):
        starts = starts or _line_starts(text)
        line = bisect.bisect_right(starts, key.start)
        if line not in seen:
            seen.add(line)
            yield Hit(line, key.start - starts[line - 1] + 1, f"a PEM private key ({key.label}) is written here")
    for fmt in secretformats.formats():
        for pattern in fmt.patterns:
            for match in pattern.finditer(text):
                starts = starts or _line_starts(text)
                line = bisect.bisect_right(starts, match.start())
                if line in seen:
                    continue
                row = text[starts[line - 1] : (starts[line] - 1) if line < len(starts) else len(text)]
                if fmt.confirms(row):
                    seen.add(line)
                    yield Hit(line, match.start() - starts[line - 1] + 1, f"looks like a {fmt.secret_type}")


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
