"""Files a script writes (`cat > f <<EOF`, `tee f <<EOF`, `echo … > f`): checked as the file's kind.

A setup script that writes `docker-compose.yml`, `.env` or an nginx site is a
configuration example like any other, so its text becomes a nested snippet of
the kind its target's name says (`classify.kind_for_path`), placed at the
body's line and column in the script. A target whose kind is unknown (a key
file, `/etc/fstab`) is not checked as a file; the script's own rules still
read its text.

An unquoted here-document (`<<EOF`) is expanded by the shell: `$VAR` and
`$(cmd)` in it are values filled in at run time, not literal text. They stay
references for the nested check (`$(cmd)` is rewritten, same length, to
`${___}`), and the commands in `$(…)` are parsed as the script's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from snippetguard.kinds.shell.model import Command, Heredoc, ShellScript, Word
from snippetguard.model import Origin
from snippetguard.sources import Nested, kind_for_written_path

OUTPUT_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})
TEE_OPTIONS_WITH_VALUE = frozenset({"--output-error"})
PRINTF_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "r": ""}
SUBSTITUTION_RE = re.compile(r"\$\((?:[^()\n]|\([^()\n]*\))*\)|`[^`\n]*`")


def _kind(path: str) -> str | None:
    return kind_for_written_path(path)


def _output_targets(command: Command) -> list[str]:
    return [r.target.text for r in command.redirects if r.op in OUTPUT_OPS and r.target is not None]


def _tee_targets(command: Command) -> list[str]:
    if command.name != "tee" or not command.executed:
        return []
    targets: list[str] = []
    skip = False
    for word in command.args:
        if skip:
            skip = False
        elif word.text in TEE_OPTIONS_WITH_VALUE:
            skip = True
        elif not word.text.startswith("-") or word.text == "-":
            targets.append(word.text)
    return targets


def _systemctl_edit_target(command: Command) -> list[str]:
    """`systemctl edit [--stdin] [--full] [--drop-in=NAME] UNIT`: the file systemd writes."""
    texts = command.arg_texts()
    if command.name != "systemctl" or "edit" not in texts:
        return []
    rest = texts[texts.index("edit") + 1 :]
    units = [t for t in rest if not t.startswith("-")]
    if not units:
        return []
    unit = units[0] if "." in units[0] else f"{units[0]}.service"
    if "--full" in rest or "-f" in rest:
        return [f"/etc/systemd/system/{unit}"]
    drop_in = next((t.split("=", 1)[1] for t in rest if t.startswith("--drop-in=")), "override")
    return [f"/etc/systemd/system/{unit}.d/{drop_in.removesuffix('.conf')}.conf"]


def _downstream_targets(script: ShellScript, command: Command) -> list[str]:
    """Where what `command` prints ends up: its own `> f`, or a later `tee f` in its pipeline."""
    targets = _output_targets(command)
    if command.pipeline_size > 1:
        for later in script.commands:
            if later.pipeline == command.pipeline and later.position > command.position:
                targets.extend(_tee_targets(later))
                targets.extend(_output_targets(later))
    return targets


def _heredoc_text(heredoc: Heredoc) -> str:
    body = heredoc.body
    if heredoc.dash:
        body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
    if not heredoc.quoted:  # the shell fills these in: keep them references, same length
        body = SUBSTITUTION_RE.sub(lambda m: "${" + "_" * (len(m.group(0)) - 3) + "}", body)
    return body


def _echo_text(command: Command) -> tuple[str, Word] | None:
    """What `echo`/`printf` prints, and the word it starts in (None when it cannot be told)."""
    args = list(command.args)
    if command.name == "echo":
        escapes = False
        while args and args[0].text in ("-e", "-n", "-E", "-en", "-ne"):
            escapes = escapes or "e" in args[0].text
            args.pop(0)
        if not args:
            return None
        text = " ".join(w.text for w in args)
        return (_unescape(text) if escapes else text) + "\n", args[0]
    if command.name == "printf" and args:
        if args[0].text == "-v":
            return None  # prints into a variable
        fmt, values = args[0], [w.text for w in args[1:]]
        text = re.sub(r"%(?:-?\d*)s", lambda _m: values.pop(0) if values else "", fmt.text)
        return _unescape(text), fmt
    return None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: PRINTF_ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def _word_start(word: Word) -> tuple[int, int]:
    """Where the word's text begins: past an opening quote."""
    return (word.line, word.column + 1) if word.raw[:1] in "'\"" else (word.line, word.column)


def written_files(script: ShellScript) -> list[Nested]:
    return list(_written(script))


def _written(script: ShellScript) -> Iterator[Nested]:
    for command in script.commands:
        if not command.executed:
            continue
        for redirect in command.redirects:
            heredoc = redirect.heredoc
            if heredoc is None or command.name not in ("cat", "tee", "systemctl"):
                continue
            targets = (_tee_targets(command) + _output_targets(command) if command.name == "tee"
                       else _systemctl_edit_target(command) if command.name == "systemctl"
                       else _downstream_targets(script, command))
            for target in targets:
                kind = _kind(target)
                if kind is not None:
                    yield Nested(_heredoc_text(heredoc), heredoc.line, heredoc.column, target.rsplit(".", 1)[-1],
                                 kind, Origin.WRITTEN)
                    break  # `tee a b`: the same text, checked once
        if command.name in ("echo", "printf"):
            printed = _echo_text(command)
            if printed is None:
                continue
            for target in _downstream_targets(script, command):
                kind = _kind(target)
                if kind is not None:
                    line, column = _word_start(printed[1])
                    yield Nested(printed[0], line, column, target.rsplit(".", 1)[-1], kind, Origin.WRITTEN)
                    break
        if command.name == "tee":  # `tee f <<< "text"`
            for redirect in command.redirects:
                if redirect.op == "<<<" and redirect.target is not None:
                    for target in _tee_targets(command):
                        kind = _kind(target)
                        if kind is not None:
                            line, column = _word_start(redirect.target)
                            yield Nested(redirect.target.text + "\n", line, column, target, kind, Origin.WRITTEN)
                            break


def unquoted_heredoc_substitutions(script: ShellScript) -> Iterator[tuple[Heredoc, str, int, int]]:
    """`$(…)` in unquoted here-documents: (heredoc, inner script, line, column of the inner text)."""
    for heredoc in script.heredocs:
        if heredoc.quoted:
            continue
        for number, line in enumerate(heredoc.body.split("\n")):
            for match in SUBSTITUTION_RE.finditer(line):
                inner_start = match.start() + (1 if match.group(0).startswith("`") else 2)
                inner = match.group(0)[inner_start - match.start() : -1]
                column = heredoc.column + inner_start
                yield heredoc, inner, heredoc.line + number, column
