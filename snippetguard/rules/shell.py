"""SG301, SG302, SG304: shell commands a self-hoster copies: file permissions and TLS checks.

Every rule reads the parsed `ShellScript` (see snippetguard.kinds.shell): commands
are already stripped of `sudo`, `env`, `X=y` and `/usr/bin/`, console output is
gone, and scripts fed to `bash <<EOF` or `sh -c '…'` are commands like the rest.
Downloads run unread are in `downloads.py`, firewalls in `firewall.py`, secret
generators in `generators.py`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from snippetguard.containers import DOCKER_SOCKET_RE
from snippetguard.kinds.shell import Command, ShellScript, Word
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules._shellopts import CURL_VALUE_SHORT, _commands, _executed, _quote, scan_options

KINDS = ("shell",)
PERMS = "security/file-permissions.md"

# --------------------------------------------------------------------------- file modes

OCTAL_RE = re.compile(r"[0-7]{1,5}")
CLAUSE_RE = re.compile(r"([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)")
ACTION_RE = re.compile(r"([-+=])([ugo]|[rwxXst]*)")  # `o=u` copies the owner's bits
DASH_MODE_RE = re.compile(r"-[rwxXst]+")
UMASK = {"u": set(), "g": {"w"}, "o": {"w"}}  # the usual 022: what `chmod +w` (no who) leaves alone


def mode_result(mode: str) -> dict[str, set[str]] | None:
    """Permission letters each class holds after `mode` (None: not a mode).

    Symbolic modes start from a file only its owner can touch (u=rw), so the
    result is what the command itself grants. A mode without u/g/o/a respects
    the umask (assumed 022): `chmod +w` does not make a file world-writable.
    """
    if OCTAL_RE.fullmatch(mode):
        value = int(mode, 8) & 0o777
        return {cls: {p for p, bit in zip("rwx", (4, 2, 1), strict=True) if value >> shift & bit}
                for cls, shift in (("u", 6), ("g", 3), ("o", 0))}
    state: dict[str, set[str]] = {"u": {"r", "w"}, "g": set(), "o": set()}
    for clause in mode.split(","):
        match = CLAUSE_RE.fullmatch(clause)
        if match is None:
            return None
        who = match.group(1).replace("a", "ugo") or ""
        classes = set(who) if who else {"u", "g", "o"}
        for op, perms in ACTION_RE.findall(match.group(2)):
            bits = set(state[perms]) if perms in ("u", "g", "o") else set(perms) & {"r", "w", "x"}
            for cls in classes:
                granted = bits - UMASK[cls] if not who else bits
                if op == "+":
                    state[cls] |= granted
                elif op == "-":
                    state[cls] -= bits
                else:
                    state[cls] = granted
    return state


def _chmod_parts(command: Command) -> tuple[Word, list[Word], bool] | None:
    """(mode word, files, recursive) of a chmod command."""
    mode: Word | None = None
    files: list[Word] = []
    recursive = False
    options_done = False
    for word in command.args:
        text = word.text
        if not options_done and text == "--":
            options_done = True
        elif not options_done and mode is None and DASH_MODE_RE.fullmatch(text):
            mode = word  # `chmod -w file`: a mode that looks like an option
        elif not options_done and text.startswith("--reference"):
            return None  # copies another file's mode: nothing to judge
        elif not options_done and text.startswith("-") and len(text) > 1:
            recursive = recursive or "R" in text or text == "--recursive"
        elif mode is None:
            mode = word
        else:
            files.append(word)
    return (mode, files, recursive) if mode is not None else None


def _mode_option(command: Command) -> tuple[str, tuple[int, int], list[Word]] | None:
    """`install -m 777 …`, `mkdir --mode=777 …`: (mode, position, files)."""
    value_short = "gmoSt" if command.name == "install" else "m"  # options that take a value
    opts, operands = scan_options(command.args, value_short,
                                  ("--mode", "--owner", "--group", "--suffix", "--target-directory"))
    for opt in opts:
        if opt.name in ("-m", "--mode") and opt.value:
            word = opt.word
            if opt.name == "-m":
                attached = opt.index + 1 < len(word.text)
                where = word.at(opt.index + 1) if attached else _next_word_position(command, word)
            elif "=" in word.text:
                where = word.at(len("--mode="))
            else:
                where = _next_word_position(command, word)
            files = operands[-1:] if command.name == "install" else operands
            return opt.value, where, files
    return None


def _next_word_position(command: Command, word: Word) -> tuple[int, int]:
    args = list(command.args)
    for k, arg in enumerate(args):
        if arg is word and k + 1 < len(args):
            return args[k + 1].line, args[k + 1].column
    return word.line, word.column


def _modes(parsed: object) -> Iterator[tuple[Command, str, tuple[int, int], list[Word], bool]]:
    """Every mode a command sets: (command, mode, position, files, recursive)."""
    for command in _executed(parsed, "chmod", "install", "mkdir"):
        if command.name == "chmod":
            parts = _chmod_parts(command)
            if parts is not None:
                mode, files, recursive = parts
                yield command, mode.text, (mode.line, mode.column), files, recursive
        else:
            found = _mode_option(command)
            if found is not None:
                yield command, found[0], found[1], found[2], False


def _label(command: Command, mode: str) -> str:
    return f"chmod {mode}" if command.name == "chmod" else f"{command.name} -m {mode}"


@rule(
    code="SG301", title="World-writable file mode",
    kinds=KINDS,
    why="A world-writable file or folder (mode 777, 666, `o+w`) can be changed by every account and every "
        "service on the machine. Anything that gets a foothold, even an unprivileged one, can then replace your "
        "configuration, your scripts or your media.",
    fix="Give write access to the owner only: `chmod 644` for files, `chmod 755` (or 750) for folders, "
        "`chmod -R u=rwX,go=rX` for a tree. If a container needs to write, change the owner (`chown`) to the "
        "user the container runs as instead of opening the mode to everyone.",
    guide=f"{PERMS}#permissions",
    insecure=(Example("mkdir -p /srv/media\nsudo chmod -R 777 /srv/media\n", "shell", 2),
              Example("install -d -m 0777 /srv/desterlib\n", "shell", 1)),
    secure=(Example("mkdir -p /srv/media\nsudo chmod -R u=rwX,go=rX /srv/media\n", "shell"),
            Example("chmod 750 /srv/desterlib\nchmod o-w /srv/media\n", "shell")),
)
def world_writable(parsed: ShellScript) -> Iterator[Hit]:
    for command, mode, (line, column), files, recursive in _modes(parsed):
        if command.name == "chmod":  # the Docker socket has its own rule, SG703, which says why it matters more
            files = [f for f in files if not DOCKER_SOCKET_RE.search(f.text.rstrip("/"))]
            if not files:
                continue
        result = mode_result(mode)
        if result is not None and "w" in result["o"]:
            how = " (recursively)" if recursive else ""
            yield Hit(line, column, f"{_label(command, mode)} makes {_quote(files)} world-writable{how}")
    for command in _executed(parsed, "umask"):
        operands = [w for w in command.args if not w.text.startswith("-")]
        if operands and OCTAL_RE.fullmatch(operands[0].text) and not int(operands[0].text, 8) & 0o002:
            word = operands[0]
            yield Hit(word.line, word.column, f"umask {word.text} makes every file created afterwards world-writable")


# --------------------------------------------------------------------------- env files

ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def is_env_file(path: str) -> bool:
    """`.env`, `prod.env`, `.env.production`; not templates such as `.env.example` (they hold no secrets)."""
    name = posixpath.basename(path.rstrip("/").strip("\"'"))
    if name.lower().endswith(ENV_TEMPLATE_SUFFIXES):
        return False
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and len(name) > 4)


@rule(
    code="SG302", title="Env file readable by others",
    kinds=KINDS,
    why="The `.env` file holds the database password. Any mode other than owner-only (600, or 400) lets other "
        "accounts and services on the machine read it, and one leaked backup user or web process is then "
        "enough to take the database.",
    fix="Make it readable by its owner only: `chmod 600 .env` in the folder that holds it (`~/.desterlib/` for "
        "the v0.2.0 npm installer, `~/.desterlib/apps/api/` for the setup scripts), or 400 if nothing rewrites it. "
        "Both installers also write the password into `docker-compose.yml`: make it 600 too, and the install "
        "folder 700.",
    guide=f"{PERMS}#env-file",
    insecure=(Example("cd ~/.desterlib\nchmod 644 .env\n", "shell", 2),
              Example("chmod a+r ~/.desterlib/.env\n", "shell", 1)),
    secure=(Example("cd ~/.desterlib\nchmod 600 .env\n", "shell"),
            Example("chmod 400 ~/.desterlib/.env\n", "shell")),
)
def env_file_mode(parsed: ShellScript) -> Iterator[Hit]:
    for command, mode, (line, column), files, _ in _modes(parsed):
        env_files = [f for f in files if is_env_file(f.text)]
        result = mode_result(mode) if env_files else None
        if result is None:
            continue
        group, other = result["g"] & {"r", "w"}, result["o"] & {"r", "w"}  # execute alone reveals nothing
        who = " and ".join(part for part, bits in (("its group", group), ("every other user", other)) if bits)
        if who:
            access = "/".join(sorted(group | other))
            yield Hit(line, column, f"{_label(command, mode)} gives {who} access ({access}) to "
                                    f"{_quote(env_files)}, which holds the database password")



# --------------------------------------------------------------------------- TLS verification

FALSE_WORDS = frozenset({"false", "0", "no", "off"})
SSL_VERIFY_KEY_RE = re.compile(r"http\.(?:.+\.)?sslverify", re.IGNORECASE)
TLS_ENV = {
    "NODE_TLS_REJECT_UNAUTHORIZED": lambda v: v.strip() == "0",
    "GIT_SSL_NO_VERIFY": lambda v: True,  # git turns verification off when it is set at all
    "PYTHONHTTPSVERIFY": lambda v: v.strip() == "0",
}
ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


def _tls_assignments(parsed: ShellScript) -> Iterator[tuple[Word, str, str]]:
    """Every `NAME=value` the script sets: prefixes, `env`, `export`, `declare -x`, bare assignments."""
    for command in _commands(parsed):
        words = list(command.assignments)
        if command.name in ("export", "declare", "typeset", "readonly", "local") and command.executed:
            words.extend(w for w in command.args if not w.text.startswith("-"))
        for word in words:
            match = ASSIGN_RE.fullmatch(word.text)
            if match:
                yield word, match.group(1), match.group(2)


@rule(
    code="SG304", title="TLS certificate checks turned off",
    kinds=KINDS,
    why="Certificate checks are what prove a download or an API call really comes from the server you named. "
        "With them off (`curl -k`, `--no-check-certificate`, `NODE_TLS_REJECT_UNAUTHORIZED=0`), anyone on the "
        "network path, such as a hostile Wi-Fi or a compromised router, can swap the file or read the traffic.",
    fix="Remove the flag or variable. If a certificate is self-signed, give the tool its CA instead "
        "(`curl --cacert ca.pem`, `NODE_EXTRA_CA_CERTS=ca.pem`, `git config http.sslCAInfo ca.pem`).",
    guide="security/https.md#verify-certificates",
    insecure=(Example("curl -fsSLk https://raw.githubusercontent.com/DesterLib/desterlib/v0.2.0/packages/cli/install.sh -o install.sh\n", "shell", 1),
              Example("export NODE_TLS_REJECT_UNAUTHORIZED=0\nnpm start\n", "shell", 1)),
    secure=Example("curl -fsSL https://raw.githubusercontent.com/DesterLib/desterlib/v0.2.0/packages/cli/install.sh -o install.sh\n"
                   "curl -fsS --cacert ca.pem https://media.home.arpa/health\n", "shell"),
)
def tls_verification_off(parsed: ShellScript) -> Iterator[Hit]:
    for command in _commands(parsed):
        if not command.executed:
            continue
        name = command.name
        if name == "curl":
            opts, _ = scan_options(command.args, CURL_VALUE_SHORT, ("--output", "--config", "--header", "--data",
                                                                    "--user", "--request", "--url"))
            for opt in opts:
                if opt.name in ("-k", "--insecure", "--proxy-insecure"):
                    line, column = opt.position
                    yield Hit(line, column, f"curl {opt.name} turns off certificate checks")
        elif name == "wget":
            for word in command.args:
                if word.text == "--no-check-certificate":
                    yield Hit(word.line, word.column, "wget --no-check-certificate turns off certificate checks")
        elif name == "git":
            yield from _git_ssl(command)
        elif name in ("npm", "pnpm", "yarn"):
            texts = [w.text.lower() for w in command.args]
            for k, word in enumerate(command.args):
                if texts[k] == "--strict-ssl=false" or (texts[k] == "strict-ssl" and k + 1 < len(texts)
                                                        and texts[k + 1] in FALSE_WORDS):
                    yield Hit(word.line, word.column, f"{name} strict-ssl false turns off certificate checks")
        elif name in ("kubectl", "helm"):
            for word in command.args:
                if word.text in ("--insecure-skip-tls-verify", "--insecure-skip-tls-verify=true"):
                    yield Hit(word.line, word.column, f"{name} {word.text} turns off certificate checks")
        elif name in ("podman", "buildah", "skopeo"):
            for word in command.args:
                if word.text.lower() in ("--tls-verify=false", "--tls-verify=0"):
                    yield Hit(word.line, word.column, f"{name} {word.text} turns off certificate checks")
    for word, variable, value in _tls_assignments(parsed):
        judge = TLS_ENV.get(variable)
        if judge is not None and judge(value):
            yield Hit(word.line, word.column, f"{variable}={value} turns off certificate checks")


def _git_ssl(command: Command) -> Iterator[Hit]:
    args = list(command.args)
    for k, word in enumerate(args):
        text = word.text
        if text == "-c" and k + 1 < len(args):
            key, sep, value = args[k + 1].text.partition("=")
            if sep and SSL_VERIFY_KEY_RE.fullmatch(key) and value.strip().lower() in FALSE_WORDS:
                target = args[k + 1]
                yield Hit(target.line, target.column, f"git -c {target.text} turns off certificate checks")
        if (text == "config" and SSL_VERIFY_KEY_RE.fullmatch(_next_operand(args, k) or "")):
            rest = [a.text for a in args[k + 1 :] if not a.text.startswith("-")]
            if len(rest) >= 2 and rest[1].lower() in FALSE_WORDS:
                yield Hit(word.line, word.column, f"git config {rest[0]} {rest[1]} turns off certificate checks")


def _next_operand(args: list[Word], k: int) -> str | None:
    for word in args[k + 1 :]:
        if not word.text.startswith("-"):
            return word.text
    return None


