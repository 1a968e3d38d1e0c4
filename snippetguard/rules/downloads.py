"""SG303: a downloaded script run before anyone reads it, in every disguise the shell allows."""

from __future__ import annotations

from collections.abc import Iterator

from snippetguard.kinds.shell import Command, ShellScript, Word, is_interpreter, script_operand
from snippetguard.kinds.shell.commands import XARGS_VALUE_LONG, XARGS_VALUE_SHORT, _skip_options
from snippetguard.kinds.shell.values import REF_RE, follow, variable_of
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
    insecure=(Example("curl -fsSL https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh | bash\n",
                      "shell", 1),
              Example("bash <(curl -fsSL https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh)\n",
                      "shell", 1),
              Example("script=$(curl -fsSL https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh)\n"
                      "eval \"$script\"\n", "shell", 2),
              Example("wget -qO- https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh | sudo -E bash -\n",
                      "shell", 1)),
    secure=(Example("curl -fsSLo install.sh https://raw.githubusercontent.com/DesterLib/desterlib/v0.2.0/packages/cli/install.sh\n"
                    "less install.sh\nbash install.sh\n", "shell"),
            Example("tag=$(curl -fsSL https://api.github.com/repos/DesterLib/desterlib/releases/latest | jq -r .tag_name)\n"
                    "echo \"latest release: $tag\"\n", "shell")),
)
def download_run(parsed: ShellScript) -> Iterator[Hit]:
    commands = _commands(parsed)
    by_pipeline: dict[int, list[Command]] = {}
    for command in commands:
        by_pipeline.setdefault(command.pipeline, []).append(command)
    # `s=$(curl …)`, `t=$s`: variables that hold a download
    held = follow(parsed, downloads_to_stdout)
    seen: set[int] = set()

    def hit(at: Command, message: str) -> Iterator[Hit]:
        if id(at) not in seen:
            seen.add(id(at))
            yield Hit(at.line, at.column, message)

    for command in commands:
        source = _emits_download(command, held)
        if source is not None:
            # `curl … | sh`, `echo "$s" | bash`: an interpreter further down the pipeline reads it as its program
            for later in by_pipeline.get(command.pipeline, ()):
                if later.position <= command.position:
                    continue
                if reads_program_from_stdin(later):
                    yield from hit(later, f"{source} output is piped into {_runner(later)}: the downloaded script "
                                          "runs before anyone reads it")
                elif later.name == "xargs" and _xargs_runs_input(later):
                    yield from hit(later, f"{source} output is piped into xargs, whose shell runs it as a script "
                                          "before anyone reads it")
            # `bash <(curl …)`, `sh -c "$(curl …)"`, `source <(curl …)`, `bash <<< "$(curl …)"`
            host = command.host
            if host is not None and command.via in ("<(", "$(", "`"):
                how = _runs_word_as_program(host, command.host_word)
                if how is not None:
                    form = {"<(": "<(…)", "$(": "$(…)", "`": "`…`"}[command.via]
                    yield from hit(host, f"{_runner(host)} runs what {source} downloads ({form}) before anyone "
                                         "reads it")
        # `eval "$s"`, `bash -c "$s"`, `bash <<< "$s"`, `$s` as a command, where `s` holds a download
        if held:
            for word in _code_words(command):
                name = next((n for n in _references(word.text) if n in held), None)
                if name is not None:
                    yield from hit(command, f"{_runner(command) or '$' + name} runs ${name}, which holds what "
                                            f"{held[name].name} downloaded, before anyone reads it")


def _references(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in REF_RE.finditer(text)]


def _emits_download(command: Command, held: dict[str, Command]) -> str | None:
    """The downloader whose output this command prints: itself, or `echo "$s"` of a variable holding one."""
    if downloads_to_stdout(command):
        return command.name
    if held and command.executed and command.name in ("echo", "printf"):
        for word in command.args:
            name = next((n for n in _references(word.text) if n in held), None)
            if name is not None:
                return f"{held[name].name} (through ${name})"
    return None


def _code_words(command: Command) -> list[Word]:
    """Words this command runs as code: `eval`'s arguments, `sh -c`'s string, `sh <<< word`, a `$prog` name."""
    words: list[Word] = []
    if not command.executed:
        return words
    if command.name == "eval":
        words.extend(command.args)
    elif is_interpreter(command.name):
        kind, operand = script_operand(command)
        if kind == "string" and operand is not None:
            words.append(operand)
        if reads_program_from_stdin(command):
            words.extend(r.target for r in command.redirects if r.op == "<<<" and r.target is not None)
    if command.program is not None and variable_of(command.program.text) is not None:
        words.append(command.program)
    return words


def _xargs_runs_input(xargs: Command) -> bool:
    """`xargs sh -c` (the input is the script) or `xargs -I{} sh -c '{}'` (the input is pasted into it)."""
    args = list(xargs.args)
    start = _skip_options(args, 0, XARGS_VALUE_SHORT, XARGS_VALUE_LONG)  # getopt stops at the program
    opts, _ = scan_options(args[:start], "adEILnPs", XARGS_VALUE_LONG)
    operands = args[start:]
    replace = next((o.value or "{}" for o in opts if o.name in ("-I", "--replace", "-i")), None)
    if not operands or not is_interpreter(operands[0].text.rsplit("/", 1)[-1]):
        return False
    rest = [w.text for w in operands[1:]]
    if "-c" not in rest:
        return False
    script = rest[rest.index("-c") + 1] if rest.index("-c") + 1 < len(rest) else None
    return script is None or (replace is not None and replace in script)


def _runner(command: Command) -> str:
    prefix = "sudo " if "sudo" in command.wrappers else ""
    return f"{prefix}{command.name}"
