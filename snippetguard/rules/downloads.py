"""SG303: a downloaded script run before anyone reads it, in every disguise the shell allows."""

from __future__ import annotations

from collections.abc import Iterator

from snippetguard.kinds.shell import Command, ShellScript, Word, is_interpreter, script_operand
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules._shellopts import (
    CURL_VALUE_SHORT,
    DOWNLOADERS,
    WGET_VALUE_SHORT,
    _commands,
    scan_options,
)

KINDS = ("shell",)

# --------------------------------------------------------------------------- download piped into a shell

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


