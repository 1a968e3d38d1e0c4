"""One judgement of secrets, shared by every kind: which names hold secrets, which values are real ones.

`.env` files, Compose `environment:`, `docker run -e`, shell and PowerShell
assignments all ask the same two questions, so they are answered here once:

* is this *name* a secret's (`DB_PASSWORD`, `MYSQL_PW`, `$dbPwd`, `BASIC_AUTH`)?
* is this *value* a literal secret, a weak one, or no secret at all (a blank to
  fill, a placeholder, a reference to a variable, a password hash)?

Value shapes (cloud and API tokens) come from detect-secrets' format detectors;
PEM private keys are found here, since detect-secrets misses PKCS#8 `ENCRYPTED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from snippetguard import secretformats

# -- names ------------------------------------------------------------------------------------

SECRET_NAME_RE = re.compile(
    r"(?i)(passw(or)?d|passwd|passphrase|secret|token|api_?key|apikey|private_?key|access_?key|credential"
    r"|auth_?key|(^|_)key$|jwt|salt"
    r"|(^|_|db|admin|root|user|smtp|mail|ldap|bind|pg|sql|redis|mongo)(pass|pw|pwd)($|_)"
    r"|(^|_)auth$)"
)
# Names that mention a secret but hold something else: where it is, how long, how it is used.
NOT_SECRET_SUFFIX_RE = re.compile(
    r"(?i)_(file|path|dir|length|len|id|method|mode|type|algorithm|alg|enabled|expiry|expires|expires_in"
    r"|expiration|ttl|lifetime|timeout|interval|hash|header|name|url|uri|host|port|user|username|email|issuer"
    r"|audience|command|cmd|provider|required|rotation|policy|scopes?|realm|min|max|count|limit|size|tokens"
    r"|version|retries|attempts|days|seconds|secs|minutes|hours|ms|prompt|message|label|text|field|param"
    r"|parameter|placeholder|hint|regex|pattern|format|prefix|suffix|location|store|vault|env|var|variable)$"
)
NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD", "PASSWORD_RESET", "GPG_TTY"})
CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")


def snake(name: str) -> str:
    """`dbPassword` -> `db_Password`; `$env:X` and `$script:x` lose their scope."""
    name = name.lstrip("$")
    if ":" in name:
        name = name.split(":", 1)[1]
    return CAMEL_RE.sub(r"\1_\2", name)


def is_secret_name(name: str) -> bool:
    name = snake(name)
    if name.upper() in NOT_SECRET_NAMES or NOT_SECRET_SUFFIX_RE.search(name):
        return False
    return bool(SECRET_NAME_RE.search(name))


# -- values -----------------------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(
    r"^(<[^<>\n]+>|\{\{[^{}]*\}\}|\[[^\[\]\n]*\]|%s|\.\.\.+|…|x{3,}|X{3,}|\*{3,}"
    r"|(CHANGE_?ME|REPLACE_?ME|YOUR_[A-Z0-9_]+)([_-][A-Za-z0-9_-]*)?)$"
)
REFERENCE_RE = re.compile(r"(?<!\$)\$(\{|\(|[A-Za-z_])|`|%[A-Za-z_][A-Za-z0-9_]*%")
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "none", "null", "disabled"})
HASH_RE = re.compile(
    r"^(?:[^:\s]+:)?(?:"  # an htpasswd line carries `user:` first
    r"\$\$?(?:2[abxy]?|argon2(?:id|i|d)|[1356]|apr1|md5|sha1|y|gy|7|scrypt|pbkdf2[-_\w]*)\$\S+"  # crypt(3) forms
    r"|\{(?:SHA512-CRYPT|SHA256-CRYPT|BLF-CRYPT|MD5-CRYPT|CRYPT|SSHA\d*|SHA\d*|ARGON2I|ARGON2ID|PBKDF2|PLAIN-MD5"
    r"|SMD5|CRAM-MD5)\}\S+"  # Dovecot/LDAP scheme prefixes
    r"|pbkdf2_sha\d+\$\d+\$\S+|sha\d+\$\S+\$\S+"  # Django-style
    r")$"
)
WEAK_SECRETS = frozenset(
    {
        "postgres", "password", "passw0rd", "changeme", "change_me", "change-me", "admin", "administrator",
        "root", "toor", "secret", "123456", "12345678", "123456789", "qwerty", "letmein", "desterlib", "test",
        "example", "default", "mysql", "redis", "guest", "pass", "user", "mongo", "mariadb", "db", "database",
        "welcome", "password123", "postgrespassword", "yourpassword", "your_password", "mypassword",
        "supersecret", "s3cr3t", "nextcloud", "gitea", "immich", "jellyfin", "paperless", "minio123", "minioadmin",
        "p@ssw0rd", "p@ssword", "hunter2",
    }
)
MIN_SECRET_LENGTH = 32
# Settings that tell an image to accept no password at all.
NO_PASSWORD_SETTINGS = {
    "POSTGRES_HOST_AUTH_METHOD": ("trust",),
    "MYSQL_ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),
    "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": ("yes", "true", "1"),
    "MARIADB_ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),
    "ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),
}


def is_placeholder(value: str) -> bool:
    """A blank, a `<placeholder>`, `CHANGE_ME…`, or a value taken from somewhere else (`$VAR`, `$(cmd)`)."""
    value = value.strip()
    return not value or bool(PLACEHOLDER_RE.match(value)) or is_reference(value)


def is_reference(value: str) -> bool:
    """The value comes (at least partly) from a variable or a command: `${X}`, `$X`, `$(cmd)`, `%X%`."""
    return bool(REFERENCE_RE.search(value.replace("$$", "")))


FALLBACK_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]([^{}$`]*)\}")


def fallback(value: str) -> str | None:
    """`${DB_PASSWORD:-postgres}` (also `-`, `:=`, `=`): the value used when nothing is set, else None."""
    match = FALLBACK_RE.fullmatch(value.strip().strip("'\""))
    return match.group(1) if match else None


def is_hash(value: str) -> bool:
    """A password hash (bcrypt, argon2, sha-crypt, Dovecot `{SCHEME}`, htpasswd lines): not the password."""
    return bool(HASH_RE.match(value.strip().strip("'\"")))


def disables_password(name: str, value: str) -> bool:
    """`MYSQL_ALLOW_EMPTY_PASSWORD=yes`, `POSTGRES_HOST_AUTH_METHOD=trust`: the image then takes no password."""
    accepted = NO_PASSWORD_SETTINGS.get(name.upper())
    return accepted is not None and value.strip().strip("'\"").lower() in accepted


def weakness(value: str, user: str | None = None) -> str | None:
    """Why a secret value is weak, or None."""
    lowered = value.strip().lower()
    if not lowered:
        return "is empty"
    if lowered in WEAK_SECRETS:
        return f"'{value}' is a default or well-known password"
    if user and lowered == user.strip().lower():
        return "is the same as the user name"
    if len(set(lowered)) <= 2:
        return f"'{value}' is trivially guessable"
    return None


@dataclass(frozen=True)
class Verdict:
    weak: bool  # weak (guessable) rather than merely written down
    reason: str  # e.g. "'postgres' is a default or well-known password"


PATH_OR_URL_RE = re.compile(
    r"^(?:~/|\.\.?/|[A-Za-z]:\\|/(?:etc|home|root|run|var|srv|opt|usr|tmp|mnt|media|data|config|secrets?|certs?"
    r"|keys?|app|vw-data)(?:/|$)|[a-z][a-z0-9+.-]*://[^:@/\s]+(?:[/:?#]|$))"
)


def judge(value: str, user: str | None = None, *, min_length: int = 0) -> Verdict | None:
    """What is wrong with a literal secret value, or None when it is no secret (blank, placeholder, hash…).

    A path or a URL without credentials names where a secret is (`SSH_KEY=~/.ssh/id_ed25519`), not the
    secret. `min_length`: shorter values count as weak (the .env rules ask for 32 characters).
    """
    stripped = value.strip()
    if is_placeholder(stripped) or is_hash(stripped) or stripped.lower() in BOOLEAN_WORDS:
        return None
    if PATH_OR_URL_RE.match(stripped) and not URL_PASSWORD_RE.search(stripped):
        return None
    reason = weakness(stripped, user)
    if reason is None and len(stripped) < min_length:
        reason = f"is only {len(stripped)} characters (use at least {min_length})"
    if reason is not None:
        return Verdict(True, reason)
    return Verdict(False, "is written literally")


# -- credentials inside URLs ------------------------------------------------------------------

URL_PASSWORD_RE = re.compile(r"[a-z][a-z0-9+.-]*://(?P<user>[^:/@\s'\"]*):(?P<password>[^@\s'\"]*)@", re.IGNORECASE)
UPPER_WORD_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")  # `USER:PASSWORD@`: a placeholder in prose and docs
# `user:password@`, `username:pass@`: the URL's format, spelt out in a comment or a doc, not credentials
GENERIC_USERS = frozenset({"user", "username", "login", "name", "usr"})
GENERIC_PASSWORDS = frozenset({"password", "pass", "passwd", "pwd", "pw", "secret", "token"})


DEFAULT_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}")


@dataclass(frozen=True)
class UrlPassword:
    password: str
    start: int  # offset of the password in the text searched
    user: str
    default: bool = False  # `${DB_PASSWORD:-postgres}`: the password a reader who sets nothing gets


def url_passwords(text: str) -> Iterator[UrlPassword]:
    """Every `scheme://user:password@` whose password is written out (placeholders and references skipped)."""
    if "://" not in text:
        return
    for match in URL_PASSWORD_RE.finditer(text):
        password, default = match.group("password"), False
        if (fallback := DEFAULT_RE.fullmatch(password)) is not None:
            password, default = fallback.group(1), True
        if not password or UPPER_WORD_RE.match(password) or is_placeholder(password):
            continue
        if match.group("user").lower() in GENERIC_USERS and password.lower() in GENERIC_PASSWORDS:
            continue
        yield UrlPassword(password, match.start("password"), match.group("user"), default)


# -- value shapes (detect-secrets) and PEM private keys --------------------------------------


def value_shape(value: str) -> str | None:
    """The kind of token a value looks like (`GitHub Token`, `AWS Access Key`…), or None."""
    for fmt in secretformats.formats():
        if any(pattern.search(value) for pattern in fmt.patterns) and fmt.confirms(value):
            return fmt.secret_type
    return None


PEM_BEGIN_RE = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----|PuTTY-User-Key-File-\d+:")
BASE64_RUN_RE = re.compile(r"[A-Za-z0-9+/=]{16,}")
MIN_KEY_BODY = 40  # base64 characters: less is `...` or `<your key>`, a placeholder


@dataclass(frozen=True)
class PemKey:
    label: str
    start: int  # offset of `-----BEGIN`


def private_keys(text: str) -> Iterator[PemKey]:
    """PEM private key blocks with a real body (or no END line: a key cut short is still a key)."""
    if "PRIVATE KEY" not in text and "PuTTY-User-Key-File" not in text:
        return
    for match in PEM_BEGIN_RE.finditer(text):
        label = match.group(1) or "PuTTY private key"
        if match.group(1):
            end = text.find(f"-----END {match.group(1)}-----", match.end())
            if end >= 0:
                body = text[match.end() : end]
                if sum(len(run) for run in BASE64_RUN_RE.findall(body)) < MIN_KEY_BODY:
                    continue  # `-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----`: a placeholder
        yield PemKey(label, match.start())
