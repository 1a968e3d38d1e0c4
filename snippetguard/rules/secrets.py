"""SG204–SG205: secrets written into scripts, and passwords inside URLs in every kind.

Names and values are judged by `snippetguard.secrets`, the same judgement the
`.env` and Compose rules use. Token shapes (`ghp_…`, `AKIA…`) and private keys
are SG203's; these rules leave those values to it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from snippetguard import secrets
from snippetguard.kinds.powershell import Group, Item, PowerShellScript, Token
from snippetguard.kinds.shell import ShellScript
from snippetguard.kinds.shell.values import assignments
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

SECRETS_GUIDE = "security/data-protection.md#secrets"


def _message(name: str, verdict: secrets.Verdict) -> str:
    if verdict.weak:
        return f"{name} {verdict.reason}, and the script writes it down for everyone who reads it"
    return f"{name} is a literal secret written into the script"


def _judged(name: str, value: str) -> secrets.Verdict | None:
    """The verdict on a value assigned to `name` (None: no secret, or another rule's)."""
    if not secrets.is_secret_name(name) or any(True for _ in secrets.url_passwords(value)):
        return None  # a password inside a URL is SG205's
    if secrets.value_shape(value) is not None:
        return None  # a recognised token format is SG203's
    return secrets.judge(value)


@rule(
    code="SG204", title="Literal secret assigned in a script",
    kinds=("shell", "powershell"),
    why="A password, token or key typed into a script (`export API_KEY=…`, `$env:DB_PASSWORD = …`) is saved in "
        "the script, in shell history and in every copy of the documentation; one printed in a guide is known to "
        "everyone who read it. Short names count too: `*_PW`, `*_PWD`, `*_PASS`, `PASSWD`, `*_CREDENTIALS`, "
        "`*_AUTH`.",
    fix="Generate the value where it is used (`DB_PASSWORD=\"$(openssl rand -hex 32)\"`), read it without echo "
        "(`read -rs DB_PASSWORD`, `Read-Host -AsSecureString`), or keep it in a private `.env` file that Compose reads.",
    guide=SECRETS_GUIDE,
    insecure=(Example("export POSTGRES_USER=desterlib\nexport POSTGRES_PASSWORD='N0t-In-Docs-Please-9f2c1e7a'\n",
                      "shell", 2),
              Example("MYSQL_PW=nextcloud docker compose up -d\n", "shell", 1),
              Example("read -rs DB_PASSWORD\nDB_PASSWORD=${DB_PASSWORD:-postgres}\n", "shell", 2),
              Example("$env:TMDB_API_KEY = \"3f2c9a7b1e5d4c6a8b0e2f4d6c8a0b1e\"\n", "powershell", 1)),
    secure=(Example("export POSTGRES_USER=desterlib\nexport POSTGRES_PASSWORD=\"$(openssl rand -hex 32)\"\n",
                    "shell"),
            Example("read -r -s -p 'TMDB API key: ' TMDB_API_KEY\nexport TMDB_API_KEY\n", "shell"),
            # Windows PowerShell 5.1 has no -MaskInput: read a SecureString, then take its text for the variable.
            Example("$key = Read-Host -Prompt 'TMDB API key' -AsSecureString\n"
                    "$env:TMDB_API_KEY = [Net.NetworkCredential]::new('', $key).Password\n", "powershell")),
)
def literal_secret_in_script(parsed: ShellScript | PowerShellScript) -> Iterator[Hit]:
    if isinstance(parsed, PowerShellScript):
        yield from _powershell_secrets(parsed)
        return
    for item in assignments(parsed):
        default = secrets.fallback(item.value)
        if item.computed and default is None:
            continue
        verdict = _judged(item.name, item.value if default is None else default)
        if verdict is not None:
            line, column = item.position
            if default is not None:  # `DB_PASSWORD=${DB_PASSWORD:-postgres}`: what an empty answer gives
                yield Hit(line, column, f"{item.name} falls back to '{default}' when it is not set: that value "
                                        f"{verdict.reason if verdict.weak else 'is written into the script'}")
            else:
                yield Hit(line, column, _message(item.name, verdict))


# -- PowerShell: `$env:X = "…"`, `$x = "…"`, SetEnvironmentVariable, setx, ConvertTo-SecureString -AsPlainText

def _is_string(item: Item | None) -> bool:
    return isinstance(item, Token) and item.kind in ("string", "xstring")


def _powershell_secrets(script: PowerShellScript) -> Iterator[Hit]:
    for pipeline in script.pipelines():
        for element in pipeline:
            items = element.items
            command, args = element.command, element.args
            if len(items) >= 3 and _is_op_word(items[1], "=") and isinstance(items[2], Token) and items[2].kind == "word":
                command, args = items[2], items[3:]  # `$x = ConvertTo-SecureString '…' -AsPlainText`
            found = (_ps_assignment(items) or _ps_set_environment(items) or _ps_command(command, args)
                     or _ps_conditional(items))
            if found is None:
                continue
            name, value = found
            verdict = _judged(name, value.text) if name else secrets.judge(value.text)
            if verdict is None:
                continue
            if len(items) > 2 and isinstance(items[2], Token) and items[2].lower == "if":
                yield Hit(value.line, value.column, f"{name} falls back to '{value.text}' in one branch: that value "
                                                    f"{verdict.reason if verdict.weak else 'is written into the script'}")
            else:
                yield Hit(value.line, value.column, _message(name or "ConvertTo-SecureString -AsPlainText", verdict))


def _is_op_word(item: Item, text: str) -> bool:
    return isinstance(item, Token) and item.kind == "word" and item.text == text


def _ps_assignment(items: list[Item]) -> tuple[str, Token] | None:
    """`$env:NAME = "value"`, `$name = 'value'`, `$name='value'`."""
    first = items[0] if items else None
    if not isinstance(first, Token) or first.kind != "word" or not first.text.startswith("$"):
        return None
    if first.text.endswith("=") and len(items) >= 2 and _is_string(items[1]):
        return first.text[:-1], items[1]  # type: ignore[return-value]
    if len(items) >= 3 and isinstance(items[1], Token) and items[1].text == "=" and _is_string(items[2]):
        return first.text, items[2]  # type: ignore[return-value]
    return None


def _ps_conditional(items: list[Item]) -> tuple[str, Token] | None:
    """`$pw = if ($answer.Length -eq 0) { "postgres" } else { … }`: a literal fallback in one branch."""
    first = items[0] if items else None
    if not (isinstance(first, Token) and first.text.startswith("$") and len(items) > 3 and _is_op_word(items[1], "=")
            and isinstance(items[2], Token) and items[2].lower == "if"):
        return None
    for branch in items[3:]:
        if isinstance(branch, Group) and branch.open.text == "{":
            inner = [i for i in branch.items if not (isinstance(i, Token) and i.kind == "newline")]
            if len(inner) == 1 and _is_string(inner[0]):
                return first.text, inner[0]  # type: ignore[return-value]
    return None


def _ps_set_environment(items: list[Item]) -> tuple[str, Token] | None:
    """`[Environment]::SetEnvironmentVariable("NAME", "value", "User")`."""
    for k, item in enumerate(items[:-1]):
        if isinstance(item, Token) and item.lower == "::setenvironmentvariable" and isinstance(items[k + 1], Group):
            args = [a for a in items[k + 1].items if _is_string(a)]  # type: ignore[union-attr]
            if len(args) >= 2:
                return args[0].text, args[1]  # type: ignore[union-attr,return-value]
    return None


def _ps_command(command: Token | None, args: list[Item]) -> tuple[str, Token] | None:
    """`setx NAME value`; `ConvertTo-SecureString 'value' -AsPlainText` ("" as the name: a password by use)."""
    if command is None:
        return None
    name = command.lower
    values = [a for a in args if isinstance(a, Token) and a.kind in ("word", "string", "xstring")]
    if name in ("setx", "setx.exe") and len(values) >= 2 and not values[0].text.startswith("/"):
        return values[0].text, values[1]
    if name == "convertto-securestring" and any(isinstance(a, Token) and a.lower.startswith("-asplain") for a in args):
        literal = next((a for a in args if _is_string(a)), None)
        if literal is not None:
            return "", literal  # type: ignore[return-value]
    return None


# -- passwords inside URLs, in every kind

# Every kind but Markdown pages: a page's own text includes its output blocks (`text`), which show what
# programs print, and its code blocks are checked as their own kinds.
URL_KINDS = ("env", "compose", "shell", "powershell", "nginx", "caddy", "yaml", "json", "daemon", "systemd")


@rule(
    code="SG205", title="Password inside a URL",
    kinds=URL_KINDS, reads="text",
    why="`scheme://user:password@host` puts the password wherever the URL goes: shell history, process lists "
        "(`ps` shows every argument), logs, backups of the script, and every copy of the documentation. A "
        "password printed in a guide is known to everyone who read it.",
    fix="Build the URL from a variable set privately (`postgresql://desterlib:${POSTGRES_PASSWORD}@postgres:5432/"
        "desterlib_prod`), or give the tool its password another way (`PGPASSFILE`, `~/.netrc`, a credential "
        "helper). In documentation, write a placeholder: `postgresql://USER:PASSWORD@HOST/DB`.",
    guide=SECRETS_GUIDE,
    insecure=(Example("pg_dump \"postgresql://desterlib:Zq8vR3nT6yW1kP4s@127.0.0.1:5432/desterlib_prod\" > db.sql\n",
                      "shell", 1),
              Example("DATABASE_URL=postgresql://postgres:postgres@postgres:5432/desterlib_prod?schema=public\n",
                      "env", 1),
              Example("services:\n  api:\n    image: desterlib/api:0.2.0\n    environment:\n"
                      "      REDIS_URL: redis://:hunter2@redis:6379/0\n", "compose", 5)),
    secure=(Example("pg_dump \"postgresql://desterlib:${POSTGRES_PASSWORD}@127.0.0.1:5432/desterlib_prod\" > db.sql\n",
                    "shell"),
            Example("DATABASE_URL=postgresql://desterlib:${POSTGRES_PASSWORD}@postgres:5432/desterlib_prod"
                    "?schema=public\n", "env")),
)
def url_password(text: str) -> Iterator[Hit]:
    if "://" not in text or "@" not in text:
        return
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    seen: set[int] = set()
    for url in secrets.url_passwords(text):
        line = bisect.bisect_right(starts, url.start)
        if line in seen:
            continue
        verdict = secrets.judge(url.password, url.user)
        if verdict is None:
            continue
        seen.add(line)
        what = "the default password in this URL" if url.default else "the password in this URL"
        reason = verdict.reason if verdict.weak else "is written out in full"
        yield Hit(line, url.start - starts[line - 1] + 1, f"{what} {reason}")
