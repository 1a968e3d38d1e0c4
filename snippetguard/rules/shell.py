"""SG30x: shell commands a self-hoster copies: permissions, downloads, TLS, firewalls, secrets.

Every rule reads the parsed `ShellScript` (see snippetguard.kinds.shell): commands
are already stripped of `sudo`, `env`, `X=y` and `/usr/bin/`, console output is
gone, and scripts fed to `bash <<EOF` or `sh -c '…'` are commands like the rest.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from snippetguard.containers import DATABASE_PORTS, is_loopback
from snippetguard.kinds.shell import Command, ShellScript, Word, is_interpreter, script_operand
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

KINDS = ("shell",)
PERMS = "security/file-permissions.md"
FIREWALL = "security/firewall.md"


# --------------------------------------------------------------------------- option scanning


@dataclass(frozen=True)
class Opt:
    name: str  # "-k" or "--insecure"
    value: str | None
    word: Word
    index: int = 0  # where the option letter sits in its word (`-fsSLk`: 5)

    @property
    def position(self) -> tuple[int, int]:
        """The option's letter inside a cluster (`-fsSLk`), else the word itself."""
        if self.index and len(self.word.text) > 2:
            return self.word.at(self.index)
        return self.word.line, self.word.column


def scan_options(args: Iterable[Word], value_short: str = "",
                 value_long: Iterable[str] = ()) -> tuple[list[Opt], list[Word]]:
    """Options and operands, as getopt would split them: `-fsSLo file` is -f -s -S -L and -o file."""
    opts: list[Opt] = []
    operands: list[Word] = []
    words = list(args)
    longs = frozenset(value_long)
    i = 0
    while i < len(words):
        word = words[i]
        text = word.text
        if text == "--":
            operands.extend(words[i + 1 :])
            break
        if text.startswith("--"):
            name, sep, value = text.partition("=")
            if not sep and name in longs and i + 1 < len(words):
                i += 1
                value = words[i].text
                opts.append(Opt(name, value, word))
            else:
                opts.append(Opt(name, value if sep else None, word))
        elif text.startswith("-") and len(text) > 1:
            for k in range(1, len(text)):
                letter = text[k]
                if letter in value_short:
                    if k + 1 < len(text):
                        opts.append(Opt("-" + letter, text[k + 1 :], word, k))
                    elif i + 1 < len(words):
                        i += 1
                        opts.append(Opt("-" + letter, words[i].text, word, k))
                    else:
                        opts.append(Opt("-" + letter, None, word, k))
                    break
                opts.append(Opt("-" + letter, None, word, k))
        else:
            operands.append(word)
        i += 1
    return opts, operands


def _commands(parsed: object) -> list[Command]:
    return list(getattr(parsed, "commands", ()))


def _executed(parsed: object, *names: str) -> Iterator[Command]:
    for command in _commands(parsed):
        if command.executed and command.name in names:
            yield command


def _quote(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words) or "the files"


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
    fix="Make it readable by its owner only: `chmod 600 ~/.desterlib/.env` (or 400 if nothing rewrites it).",
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


# --------------------------------------------------------------------------- download piped into a shell

DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "https", "xh", "xhs", "curlie", "lwp-request", "GET"})
CURL_VALUE_SHORT = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
WGET_VALUE_SHORT = "OoaeitTwQPUBlARDIX"
STDOUT_PATHS = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
STDIN_PATHS = ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def downloads_to_stdout(command: Command) -> bool:
    """Does this command print something it downloads (so a pipe passes it on)?"""
    name = command.name
    if name not in DOWNLOADERS or not command.executed:
        return False
    if name == "curl":
        opts, _ = scan_options(command.args, CURL_VALUE_SHORT, ("--output", "--config", "--header", "--data",
                                                                "--user", "--request", "--url"))
        for opt in opts:
            if opt.name in ("-o", "--output") and opt.value not in STDOUT_PATHS:
                return False
            if opt.name in ("-O", "--remote-name", "--remote-name-all"):
                return False
        return True
    if name == "wget":
        opts, _ = scan_options(command.args, WGET_VALUE_SHORT, ("--output-document", "--output-file"))
        return any(o.name in ("-O", "--output-document") and o.value in STDOUT_PATHS for o in opts)
    if name == "fetch":
        opts, _ = scan_options(command.args, "oNST", ("--output",))
        return any(o.name in ("-o", "--output") and o.value in STDOUT_PATHS for o in opts)
    return True


def reads_program_from_stdin(command: Command) -> bool:
    if not command.executed:
        return False
    if command.name in ("source", "."):
        return bool(command.args) and command.args[0].text in STDIN_PATHS
    kind, word = script_operand(command)
    return kind == "stdin" or (kind == "file" and word is not None and word.text in STDIN_PATHS)


def _runs_word_as_program(host: Command, word: Word | None) -> str | None:
    """How `host` runs `word` as code: "file", "string", "stdin" or None."""
    if word is None or not host.executed:
        return None
    if host.name in ("source", "."):
        return "file" if host.args and host.args[0] is word else None
    if host.name == "eval":
        return "string" if any(a is word for a in host.args) else None
    if not is_interpreter(host.name):
        return None
    kind, operand = script_operand(host)
    if operand is word and kind in ("file", "string"):
        return kind
    for redirect in host.redirects:
        if redirect.target is word and redirect.op in ("<", "<<<") and reads_program_from_stdin(host):
            return "stdin"
    return None


@rule(
    code="SG303", title="Downloaded script run without reading it",
    kinds=KINDS,
    why="`curl … | sh` runs whatever the server sends, at that moment, usually as root; nobody sees it first. "
        "A compromised repository, a hijacked domain, or a download cut off halfway (a truncated script can run "
        "a half-written `rm -rf` line) all execute straight away on your machine.",
    fix="Download to a file, read it, then run it: `curl -fsSLo install.sh URL`, `less install.sh`, "
        "`bash install.sh`. Pin a release tag rather than a branch, and check a published checksum when there "
        "is one.",
    guide="getting-started/installation.md#download-read-run",
    insecure=(Example("curl -fsSL https://raw.githubusercontent.com/desterlib/desterlib/main/install.sh | bash\n",
                      "shell", 1),
              Example("bash <(curl -fsSL https://raw.githubusercontent.com/desterlib/desterlib/main/install.sh)\n",
                      "shell", 1)),
    secure=Example("curl -fsSLo install.sh https://raw.githubusercontent.com/desterlib/desterlib/v0.2.0/install.sh\n"
                   "less install.sh\nbash install.sh\n", "shell"),
)
def download_run(parsed: ShellScript) -> Iterator[Hit]:
    commands = _commands(parsed)
    by_pipeline: dict[int, list[Command]] = {}
    for command in commands:
        by_pipeline.setdefault(command.pipeline, []).append(command)
    seen: set[int] = set()
    for command in commands:
        if not downloads_to_stdout(command):
            continue
        # `curl … | sh`: an interpreter further down the same pipeline reads the download as its program
        for later in by_pipeline.get(command.pipeline, ()):
            if later.position > command.position and reads_program_from_stdin(later) and id(later) not in seen:
                seen.add(id(later))
                yield Hit(later.line, later.column, f"{command.name} output is piped into {_runner(later)}: the "
                                                    "downloaded script runs before anyone reads it")
        # `bash <(curl …)`, `sh -c "$(curl …)"`, `source <(curl …)`, `bash <<< "$(curl …)"`
        host = command.host
        if host is not None and command.via in ("<(", "$(", "`") and id(host) not in seen:
            how = _runs_word_as_program(host, command.host_word)
            if how is not None:
                seen.add(id(host))
                form = {"<(": "<(…)", "$(": "$(…)", "`": "`…`"}[command.via]
                yield Hit(host.line, host.column, f"{_runner(host)} runs what {command.name} downloads ({form}) "
                                                  "before anyone reads it")


def _runner(command: Command) -> str:
    prefix = "sudo " if "sudo" in command.wrappers else ""
    return f"{prefix}{command.name}"


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
    insecure=(Example("curl -fsSLk https://docs.dester.in/install.sh -o install.sh\n", "shell", 1),
              Example("export NODE_TLS_REJECT_UNAUTHORIZED=0\nnpm start\n", "shell", 1)),
    secure=Example("curl -fsSL https://docs.dester.in/install.sh -o install.sh\n"
                   "curl -K curl.conf https://docs.dester.in/\n", "shell"),
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


# --------------------------------------------------------------------------- firewalls

SERVICE_PORTS = {  # names ufw (from /etc/services) and firewalld accept for database ports
    "postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379, "mongodb": 27017,
    "mongo": 27017, "memcache": 11211, "memcached": 11211, "elasticsearch": 9200, "influxdb": 8086,
    "mssql": 1433, "ms-sql-s": 1433, "couchdb": 5984, "etcd-client": 2379, "cassandra": 9042, "neo4j": 7687,
}
PORT_RANGE_RE = re.compile(r"(\d{1,5})(?:[:-](\d{1,5}))?")


def _database_in(spec: str) -> tuple[int, str] | None:
    """The first database port a port spec (`5432`, `5432/tcp`, `5000:6000`, `80,5432`, `postgresql`) opens."""
    body = spec.strip().strip("'\"{}").split("/", 1)[0]
    for item in re.split(r"[,\s]+", body):
        item = item.strip("{}")
        if not item:
            continue
        if item.lower() in SERVICE_PORTS:
            port = SERVICE_PORTS[item.lower()]
            return port, DATABASE_PORTS.get(port, item)
        match = PORT_RANGE_RE.fullmatch(item)
        if match is None:
            continue
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        for port in sorted(DATABASE_PORTS):
            if low <= port <= high:
                return port, DATABASE_PORTS[port]
    return None


def _opened(what: tuple[int, str], spec: str) -> str:
    port, name = what
    base = spec.strip().split("/")[0]
    if base == str(port):
        return f"{name} port {port}"
    if base.lower() in SERVICE_PORTS:
        return f"the {base} service ({name} port {port})"
    return f"{spec} ({name} port {port})"


def _ufw_rule(command: Command) -> tuple[list[Word], str] | None:
    """The words of a `ufw allow|limit …` rule (after options, `insert N`, `route`), and its action."""
    words = [w for w in command.args if w.text not in ("--dry-run", "--force", "-f")]
    texts = [w.text for w in words]
    i = 0
    if texts[:1] == ["route"]:
        i = 1
    if texts[i : i + 1] == ["insert"]:
        i += 2
    elif texts[i : i + 1] == ["prepend"]:
        i += 1
    if i < len(texts) and texts[i] in ("allow", "limit"):
        return words[i + 1 :], texts[i]
    return None


def _ufw_database(command: Command) -> Iterator[Hit]:
    found = _ufw_rule(command)
    if found is None:
        return
    words, action = found
    if "comment" in [w.text for w in words]:  # `… comment 'why'`: the comment is no part of the rule
        words = words[: [w.text for w in words].index("comment")]
    texts = [w.text for w in words]
    if not texts or texts[0] == "out":
        return
    if len(texts) == 1 or (len(texts) == 2 and texts[0] == "in"):  # simple syntax: `ufw allow 5432/tcp`
        word = words[-1]
        what = _database_in(word.text)
        if what:
            yield Hit(word.line, word.column, f"ufw {action} {word.text} opens {_opened(what, word.text)} "
                                              "to every address")
        return
    if "on" in texts and texts[texts.index("on") + 1 : texts.index("on") + 2] == ["lo"]:
        return  # loopback interface only
    source = "any"
    target: Word | None = None
    section = ""
    k = 0
    while k < len(texts) - 1:
        token = texts[k]
        if token in ("from", "to"):
            section = token
            if token == "from":
                source = texts[k + 1]
            k += 2
        elif token in ("port", "app"):
            if section != "from":  # `from X port P` is the source port
                target = words[k + 1]
            k += 2
        else:
            k += 1
    if source != "any" and is_loopback(source.split("/")[0]):
        return
    where = "every address" if source in ("any", "0.0.0.0/0", "::/0") else source
    if target is not None:
        what = _database_in(target.text)
        if what:
            yield Hit(target.line, target.column, f"ufw {action} opens {_opened(what, target.text)} to {where}")
    else:  # full syntax without a port: every port, database ports included
        yield Hit(words[0].line, words[0].column, f"ufw {action} without a port opens every port, database "
                                                  f"ports included, to {where}")


def _firewalld_database(command: Command) -> Iterator[Hit]:
    opts, _ = scan_options(command.args, "", ("--add-port", "--add-service", "--add-rich-rule", "--zone"))
    for opt in opts:
        value = opt.value or ""
        if opt.name in ("--add-port", "--add-service"):
            what = _database_in(value)
            if what:
                line, column = opt.word.at(len(opt.name) + 1) if "=" in opt.word.text else (opt.word.line,
                                                                                         opt.word.column)
                yield Hit(line, column, f"firewall-cmd {opt.name}={value} opens {_opened(what, value)} to every "
                                        "address")
        elif opt.name == "--add-rich-rule" and re.search(r"\baccept\b", value):
            source = re.search(r"source\s+address=[\"']?([^\"'\s]+)", value)
            if source and is_loopback(source.group(1).split("/")[0]):
                continue
            port = re.search(r"port\s+port=[\"']?([\d:-]+)", value) or re.search(
                r"service\s+name=[\"']?([\w-]+)", value)
            what = _database_in(port.group(1)) if port else None
            if what:
                where = source.group(1) if source else "every address"
                yield Hit(opt.word.line, opt.word.column, f"firewall-cmd rich rule opens {_opened(what, port.group(1))}"
                                                          f" to {where}")


IPTABLES_CHAINS = frozenset({"INPUT", "FORWARD", "DOCKER-USER"})


def _iptables_database(command: Command) -> Iterator[Hit]:
    opts, _ = scan_options(command.args, "AIDpsdijtmR",
                           ("--append", "--insert", "--delete", "--protocol", "--source", "--destination",
                            "--dport", "--destination-port", "--dports", "--destination-ports", "--in-interface",
                            "--jump", "--table", "--match", "--sport", "--source-port", "--ports"))
    chain = target = source = interface = None
    port: Opt | None = None
    for opt in opts:
        if opt.name in ("-A", "--append", "-I", "--insert"):
            chain = opt.value
        elif opt.name in ("-D", "--delete"):
            return
        elif opt.name in ("-j", "--jump"):
            target = opt.value
        elif opt.name in ("-s", "--source"):
            source = opt.value
        elif opt.name in ("-i", "--in-interface"):
            interface = opt.value
        elif opt.name in ("--dport", "--destination-port", "--dports", "--destination-ports", "--ports"):
            port = opt
    if chain not in IPTABLES_CHAINS or target != "ACCEPT" or port is None or interface == "lo":
        return
    if source and is_loopback(source.split("/")[0]):
        return
    what = _database_in(port.value or "")
    if what:
        where = source or "every address"
        yield Hit(port.word.line, port.word.column, f"{command.name} accepts {_opened(what, port.value or '')} "
                                                    f"from {where}")


def _nft_database(command: Command) -> Iterator[Hit]:
    texts = " ".join(w.text for w in command.args).split()
    if len(texts) < 2 or texts[0] not in ("add", "insert") or texts[1] != "rule" or "accept" not in texts:
        return
    if "dport" not in texts:
        return
    joined = " ".join(texts)
    saddr = re.search(r"saddr\s+(\S+)", joined)
    if (saddr and is_loopback(saddr.group(1).split("/")[0])) or re.search(r"\biifn?a?m?e?\s+\"?lo\"?\b", joined):
        return
    spec = re.search(r"dport\s+(\{[^}]*\}|\S+)", joined)
    what = _database_in(spec.group(1)) if spec else None
    if what and spec:
        first = command.args[0]
        yield Hit(first.line, first.column, f"nft rule accepts {_opened(what, spec.group(1))} from "
                                            f"{saddr.group(1) if saddr else 'every address'}")


@rule(
    code="SG305", title="Firewall opened for a database port",
    kinds=KINDS,
    why="The database only needs to be reached by the DesterLib API, which talks to it over Docker's internal "
        "network. Opening its port in the firewall, even to your LAN, puts the database one weak password away "
        "from anyone who can reach the machine, including every device on the network.",
    fix="Do not open database ports at all. Open only the API port, and only to your LAN, e.g. "
        "`sudo ufw allow from 192.168.1.0/24 to any port 3001 proto tcp`; keep the database published on "
        "127.0.0.1 (or not at all).",
    guide=f"{FIREWALL}#database-ports",
    insecure=(Example("sudo ufw allow 5432/tcp\n", "shell", 1),
              Example("sudo firewall-cmd --permanent --add-port=5432/tcp\nsudo firewall-cmd --reload\n", "shell", 1)),
    secure=(Example("sudo ufw allow from 192.168.1.0/24 to any port 3001 proto tcp\n", "shell"),
            Example("sudo ufw deny 5432/tcp\n", "shell")),
)
def database_port_opened(parsed: ShellScript) -> Iterator[Hit]:
    for command in _commands(parsed):
        if not command.executed:
            continue
        if command.name == "ufw":
            yield from _ufw_database(command)
        elif command.name == "firewall-cmd":
            yield from _firewalld_database(command)
        elif command.name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
            yield from _iptables_database(command)
        elif command.name == "nft":
            yield from _nft_database(command)


FIREWALL_UNITS = frozenset({"firewalld", "ufw", "nftables", "iptables", "ip6tables", "netfilter-persistent"})


def _unit(name: str) -> str:
    return name.removesuffix(".service")


@rule(
    code="SG306", title="Firewall turned off",
    kinds=KINDS,
    why="With the firewall off, every service listening on the machine (SSH, databases, admin panels, anything "
        "installed later) is reachable from every network it is on. Turning it off to make one port work "
        "exposes all the others.",
    fix="Keep the firewall on and allow the one port you need: `sudo ufw allow from 192.168.1.0/24 to any port "
        "3001 proto tcp` (or `sudo firewall-cmd --permanent --add-port=3001/tcp` and `--reload`).",
    guide=f"{FIREWALL}#keep-firewall-on",
    insecure=(Example("sudo ufw disable\n", "shell", 1),
              Example("sudo systemctl disable --now firewalld\n", "shell", 1)),
    secure=(Example("sudo ufw enable\nsudo ufw status verbose\n", "shell"),
            Example("sudo systemctl enable --now firewalld\n", "shell")),
)
def firewall_off(parsed: ShellScript) -> Iterator[Hit]:
    for command in _commands(parsed):
        if not command.executed:
            continue
        name, texts = command.name, command.arg_texts()
        where = (command.line, command.column)
        message: str | None = None
        if command.raw_program.startswith("/etc/init.d/") and texts[:1] == ["stop"] and name in FIREWALL_UNITS:
            message = f"{command.raw_program} stop turns the firewall off"
        elif name == "ufw":
            rest = [t for t in texts if t not in ("--force", "-f", "--dry-run")]
            if rest[:1] == ["disable"]:
                message = "ufw disable turns the firewall off"
            elif rest[:1] == ["reset"]:
                message = "ufw reset turns the firewall off (and deletes its rules)"
            elif rest[:2] == ["default", "allow"] and (len(rest) < 3 or rest[2] in ("incoming", "routed")):
                message = "ufw default allow lets every incoming connection through"
        elif name == "systemctl":
            verbs = [t for t in texts if not t.startswith("-")]
            if verbs and verbs[0] in ("stop", "disable", "mask", "kill"):
                units = [u for u in verbs[1:] if _unit(u) in FIREWALL_UNITS]
                if units:
                    message = f"systemctl {verbs[0]} {' '.join(units)} turns the firewall off"
        elif name in ("service", "rc-service") and len(texts) >= 2 and _unit(texts[0]) in FIREWALL_UNITS \
                and texts[1] == "stop":
            message = f"{name} {texts[0]} stop turns the firewall off"
        elif name == "chkconfig" and len(texts) >= 2 and texts[0] in FIREWALL_UNITS and texts[1] == "off":
            message = f"chkconfig {texts[0]} off turns the firewall off"
        elif name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
            message, where = _iptables_off(command, where)
        elif name == "nft" and texts[:2] == ["flush", "ruleset"]:
            message = "nft flush ruleset removes every firewall rule"
        elif name == "pfctl" and "-d" in texts:
            message = "pfctl -d turns the macOS packet filter off"
        elif name == "firewall-cmd":
            for word in command.args:
                if word.text in ("--set-default-zone=trusted",) or (
                        word.text == "--set-default-zone" and "trusted" in texts):
                    message = "firewall-cmd --set-default-zone=trusted accepts every connection"
                    where = (word.line, word.column)
        if message:
            yield Hit(where[0], where[1], message)


def _iptables_off(command: Command, where: tuple[int, int]) -> tuple[str | None, tuple[int, int]]:
    opts, operands = scan_options(command.args, "tPFA", ("--table", "--policy", "--flush"))
    table = next((o.value for o in opts if o.name in ("-t", "--table")), "filter")
    if table != "filter":
        return None, where
    for opt in opts:
        if opt.name in ("-F", "--flush"):
            chain = opt.value or "every chain"
            return f"{command.name} -F flushes the firewall rules of {chain}", opt.position
        if opt.name in ("-P", "--policy"):
            chain = opt.value or ""
            target = operands[0].text if operands else ""
            if chain in ("INPUT", "FORWARD") and target == "ACCEPT":
                return f"{command.name} -P {chain} ACCEPT lets every connection through", opt.position
    return None, where


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
