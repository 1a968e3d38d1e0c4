"""Normalising commands (`sudo -E env X=1 /usr/bin/curl` is `curl`) and telling how programs run code."""

from __future__ import annotations

import posixpath
import re

from snippetguard.containers import DOCKER_LIKE
from snippetguard.kinds.shell.model import Command, Word

SUDO_VALUE_SHORT = frozenset("CDghprtTUu")
SUDO_VALUE_LONG = frozenset({"--user", "--group", "--host", "--prompt", "--close-from", "--chdir", "--role",
                             "--type", "--command-timeout", "--other-user", "--chroot"})
DOAS_VALUE_SHORT = frozenset("uC")
ENV_VALUE_SHORT = frozenset("uCS")
ENV_VALUE_LONG = frozenset({"--unset", "--chdir", "--split-string"})
TIME_VALUE_SHORT = frozenset("fo")
TIME_VALUE_LONG = frozenset({"--format", "--output"})
TIMEOUT_VALUE_SHORT = frozenset("sk")
TIMEOUT_VALUE_LONG = frozenset({"--signal", "--kill-after"})
NICE_VALUE_SHORT = frozenset("n")
NICE_VALUE_LONG = frozenset({"--adjustment"})
STDBUF_VALUE_SHORT = frozenset("ioe")
STDBUF_VALUE_LONG = frozenset({"--input", "--output", "--error"})
EXEC_VALUE_SHORT = frozenset("a")
ASSIGNMENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
XARGS_VALUE_SHORT = frozenset("adEILnPs")
XARGS_VALUE_LONG = frozenset({"--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args",
                              "--max-procs", "--max-chars", "--process-slot-var"})
WRAPPERS = frozenset({"sudo", "doas", "env", "command", "builtin", "exec", "nohup", "time", "nice", "timeout", "stdbuf"})


def program_name(text: str) -> str:
    """`/usr/bin/curl` -> `curl`; a relative path (`./install.sh`) stays as written."""
    if text.startswith("/"):
        return posixpath.basename(text.rstrip("/")) or text
    return text


def _skip_options(words: list[Word], i: int, value_short: frozenset[str], value_long: frozenset[str]) -> int:
    """Index of the first word after the options at `i` (`--` ends them)."""
    while i < len(words):
        text = words[i].text
        if text == "--":
            return i + 1
        if text.startswith("--") and len(text) > 2:
            i += 1 if "=" in text or text not in value_long else 2
            continue
        if text.startswith("-") and len(text) > 1 and not text[1:].isdigit():
            takes = next((k for k, ch in enumerate(text[1:], 1) if ch in value_short), None)
            i += 2 if takes is not None and takes == len(text) - 1 else 1
            continue
        if text.startswith("-") and text[1:].isdigit():  # `nice -10 cmd`
            i += 1
            continue
        return i
    return i


def normalise(words: list[Word], assignments: list[Word]) -> tuple[int, list[Word], list[str], bool]:
    """(index of the real program, assignments, wrappers, executed) for `words`."""
    i = 0
    wrappers: list[str] = []
    executed = True
    while i < len(words):
        name = program_name(words[i].text)
        if name not in WRAPPERS:
            break
        start = i
        if name == "sudo":
            i = _skip_options(words, i + 1, SUDO_VALUE_SHORT, SUDO_VALUE_LONG)
            while i < len(words) and ASSIGNMENT_RE.match(words[i].text):
                assignments.append(words[i])
                i += 1
        elif name == "doas":
            i = _skip_options(words, i + 1, DOAS_VALUE_SHORT, frozenset())
        elif name == "env":
            i += 1
            while i < len(words) and words[i].text == "-":  # `env - cmd`: an empty environment
                i += 1
            i = _skip_options(words, i, ENV_VALUE_SHORT, ENV_VALUE_LONG)
            while i < len(words) and ASSIGNMENT_RE.match(words[i].text):
                assignments.append(words[i])
                i += 1
        elif name in ("command", "builtin"):
            if i + 1 < len(words) and words[i + 1].text in ("-v", "-V"):
                executed = False  # `command -v curl` only asks where curl is
                wrappers.append(name)
                return start, assignments, wrappers, executed
            i = _skip_options(words, i + 1, frozenset(), frozenset())
        elif name == "exec":
            i = _skip_options(words, i + 1, EXEC_VALUE_SHORT, frozenset())
        elif name == "nohup":
            i = _skip_options(words, i + 1, frozenset(), frozenset())
        elif name == "time":
            i = _skip_options(words, i + 1, TIME_VALUE_SHORT, TIME_VALUE_LONG)
        elif name == "nice":
            i = _skip_options(words, i + 1, NICE_VALUE_SHORT, NICE_VALUE_LONG)
        elif name == "timeout":
            i = _skip_options(words, i + 1, TIMEOUT_VALUE_SHORT, TIMEOUT_VALUE_LONG) + 1  # and the duration
        elif name == "stdbuf":
            i = _skip_options(words, i + 1, STDBUF_VALUE_SHORT, STDBUF_VALUE_LONG)
        if i >= len(words):  # a wrapper alone (`sudo -i`, `env`): the wrapper is the command
            return start, assignments, wrappers, executed
        wrappers.append(name)
    return i, assignments, wrappers, executed


# --------------------------------------------------------------------------- interpreters

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "fish", "busybox"})
INTERPRETER_RE = re.compile(r"(python[0-9.]*|pypy3?|perl|ruby|node|nodejs|php[0-9.]*|lua[0-9.]*|tclsh|pwsh|powershell)$")
SHELL_VALUE_OPTS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
STRING_FLAGS = {"shell": ("-c",), "python": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",), "node": ("-e", "--eval", "-p", "--print"),
                "php": ("-r",), "pwsh": ("-c", "-Command", "-command")}
NOT_STDIN_FLAGS = {"python": ("-m",)}


def is_shell(name: str) -> bool:
    return name in SHELLS


def is_interpreter(name: str) -> bool:
    return name in SHELLS or bool(INTERPRETER_RE.match(name))


def _family(name: str) -> str:
    if name in SHELLS:
        return "shell"
    for family in ("python", "perl", "ruby", "node", "php", "pwsh"):
        if name.startswith(family) or (family == "python" and name.startswith("pypy")) or (
                family == "pwsh" and name == "powershell") or (family == "node" and name == "nodejs"):
            return family
    return "other"


def script_operand(command: Command) -> tuple[str, Word | None]:
    """How an interpreter gets its program: ("stdin", None), ("string", word), ("file", word) or ("none", None)."""
    if not is_interpreter(command.name):
        return "none", None
    family = _family(command.name)
    string_flags = STRING_FLAGS.get(family, ())
    args = list(command.args)
    if command.name == "busybox":
        if not args or args[0].text not in SHELLS:
            return "none", None
        args = args[1:]
    i = 0
    while i < len(args):
        text = args[i].text
        if text in string_flags or (family == "shell" and text.startswith("-") and not text.startswith("--")
                                    and "c" in text[1:] and text[1:].isalpha()):
            # `bash -c 'cmd'`, `bash -ec 'cmd'`: the first operand after the options is the program
            j = i + 1
            while j < len(args) and args[j].text.startswith(("-", "+")) and family == "shell":
                j += 1
            return ("string", args[j]) if j < len(args) else ("none", None)
        if text in NOT_STDIN_FLAGS.get(family, ()):
            return "none", None
        if text == "-s" and family == "shell":
            return "stdin", None
        if text in ("-", "--"):
            if text == "-" or i + 1 >= len(args):
                return "stdin", None
            return "file", args[i + 1]
        if family == "shell" and text in SHELL_VALUE_OPTS:
            i += 2
            continue
        if text.startswith(("-", "+")) and len(text) > 1:
            i += 1
            continue
        return "file", args[i]
    return "stdin", None



def _runs_stdin_as_shell(command: Command) -> bool:
    """`bash <<EOF`, `sudo sh -s <<EOF`, `docker exec -i c sh <<EOF`, `ssh host <<EOF`."""
    if is_shell(command.name):
        return script_operand(command)[0] == "stdin"
    inner = exec_target(command)
    if inner is not None:
        return inner in SHELLS
    if command.name == "ssh":
        return ssh_remote_command(command) is None
    return False


DOCKER_EXEC_VALUE_SHORT = frozenset("euw")
DOCKER_EXEC_VALUE_LONG = frozenset({"--env", "--user", "--workdir", "--env-file", "--detach-keys", "-c", "--container"})
SSH_VALUE_SHORT = frozenset("bcDEeFIiJLlmOopQRSWwB")


def exec_target(command: Command) -> str | None:
    """Program run by `docker exec [opts] CONTAINER program …` (also podman, kubectl), if any."""
    args = command.arg_texts()
    if command.name in DOCKER_LIKE:
        if args[:2] == ["container", "exec"]:
            args = args[2:]
        elif args[:1] == ["exec"]:
            args = args[1:]
        else:
            return None
        i = 0
        while i < len(args) and args[i].startswith("-"):
            value = args[i] in DOCKER_EXEC_VALUE_LONG or (
                not args[i].startswith("--") and args[i][-1] in DOCKER_EXEC_VALUE_SHORT)
            i += 2 if value and "=" not in args[i] else 1
        return program_name(args[i + 1]) if i + 1 < len(args) else None
    if command.name == "kubectl" and "exec" in args and "--" in args:
        rest = args[args.index("--") + 1 :]
        return program_name(rest[0]) if rest else None
    return None


def ssh_remote_command(command: Command) -> list[Word] | None:
    """The words after `ssh [options] host`: a command the remote shell runs."""
    args = list(command.args)
    i = 0
    while i < len(args) and args[i].text.startswith("-"):
        i += 2 if args[i].text[-1] in SSH_VALUE_SHORT and len(args[i].text) == 2 else 1
    rest = args[i + 1 :]
    return rest or None


def _shell_string(command: Command) -> Word | None:
    """A word a shell runs as a script: `sh -c '…'`, `su -c '…'`, `ssh host '…'`."""
    if is_shell(command.name):
        kind, word = script_operand(command)
        return word if kind == "string" else None
    if command.name == "su":
        args = list(command.args)
        for k, arg in enumerate(args[:-1]):
            if arg.text in ("-c", "--command"):
                return args[k + 1]
            if arg.text.startswith("--command="):
                return None  # rare; its position would be approximate
        return None
    if command.name == "ssh":
        remote = ssh_remote_command(command)
        return remote[0] if remote is not None and len(remote) == 1 else None
    return None

