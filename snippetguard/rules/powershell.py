"""SG308: PowerShell's `irm URL | iex`, the Windows twin of `curl URL | sh`, in its disguises.

Aliases (`irm`, `iwr`, `iex`, and `curl`/`wget` in Windows PowerShell 5.1), `iex (irm …)`,
`[scriptblock]::Create(…)`, `$ExecutionContext.InvokeCommand.InvokeScript(…)`, `… | powershell -`,
and downloads kept in a variable first (`$s = irm …; iex $s`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from snippetguard.kinds.powershell import SHELL_HOSTS, Element, Group, Item, PowerShellScript, Token, pipelines_of
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

INVOKE_EXPRESSION = frozenset({"iex", "invoke-expression"})
# In Windows PowerShell 5.1 `curl` and `wget` are aliases of Invoke-WebRequest.
DOWNLOADERS = frozenset({"iwr", "invoke-webrequest", "irm", "invoke-restmethod", "curl", "wget", "curl.exe",
                         "wget.exe"})
DOWNLOAD_METHODS = ("downloadstring", "downloaddata")  # System.Net.WebClient: returns the content


def _saves_to_file(element: Element) -> bool:
    """`iwr URL -OutFile x.ps1` prints nothing (unless -PassThru): nothing reaches the pipe."""
    words = [i.lower for i in element.args if isinstance(i, Token) and i.kind == "word"]
    return any(w.startswith("-outf") for w in words) and not any(w.startswith("-passt") for w in words)


def _downloader(items: list[Item]) -> Token | None:
    """The command or method in `items` (at any depth) that fetches something and hands it on."""
    for pipeline in pipelines_of(items):
        for element in pipeline:
            command = element.command
            if command is not None and command.lower in DOWNLOADERS and not _saves_to_file(element):
                return command
            for item in element.items:
                if isinstance(item, Token) and item.kind == "word" and any(m in item.lower for m in DOWNLOAD_METHODS):
                    return item
    return None


def _method(items: list[Item]) -> Token | None:
    """`(New-Object Net.WebClient).DownloadString(URL)` written straight after `iex`."""
    for item in items:
        if isinstance(item, Token) and item.kind == "word" and any(m in item.lower for m in DOWNLOAD_METHODS):
            return item
    return None


def _element_downloader(element: Element) -> Token | None:
    return _downloader(element.items)


def _scriptblock_create(element: Element, held: dict[str, Token]) -> tuple[Token, str] | None:
    """`[scriptblock]::Create(<download>)` or `…::Create($s)`: (the `[` token, what downloads)."""
    items = element.items
    for k, item in enumerate(items[:-2]):
        if isinstance(item, Group) and item.open.text == "[" and any(
                isinstance(t, Token) and t.lower in ("scriptblock", "system.management.automation.scriptblock")
                for t in item.items):
            method, argument = items[k + 1], items[k + 2]
            if isinstance(method, Token) and method.lower == "::create" and isinstance(argument, Group):
                found = _downloader(argument.items) or _method(argument.items)
                if found is not None:
                    return item.open, found.text.lstrip(".")
                through = _held_in(argument.items, held)
                if through is not None:
                    return item.open, f"{through[1].text.lstrip('.')} (through {through[0]})"
    return None


INVOKE_METHODS = (".invokescript", ".newscriptblock")


@rule(
    code="SG308", title="Downloaded PowerShell script run without reading it",
    kinds=("powershell",),
    why="`irm URL | iex` (Invoke-RestMethod piped into Invoke-Expression) runs whatever the server sends, at "
        "that moment, with your rights; nobody sees it first. A compromised repository or a hijacked domain runs "
        "straight away on your PC.",
    fix="Save it, read it, then run it: `Invoke-WebRequest -Uri URL -OutFile install.ps1`, "
        "`notepad .\\install.ps1` (run these one at a time: pasted together, the script runs before you have "
        "read it), then `Set-ExecutionPolicy -Scope Process -ExecutionPolicy RemoteSigned -Force`, "
        "`Unblock-File .\\install.ps1` and `.\\install.ps1`. Pin a release tag rather than a branch.",
    guide="getting-started/installation.md#download-read-run",
    insecure=(Example("irm https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/windows.ps1 | iex\n",
                      "powershell", 1),
              Example("iex ((New-Object Net.WebClient).DownloadString('https://example.com/install.ps1'))\n",
                      "powershell", 1),
              Example("$script = irm https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/windows.ps1\n"
                      "& ([scriptblock]::Create($script))\n", "powershell", 2)),
    secure=(Example("Invoke-WebRequest -Uri https://raw.githubusercontent.com/DesterLib/desterlib/v0.2.0/packages/cli/install.ps1 "
                    "-OutFile install.ps1\nnotepad .\\install.ps1\n"
                    "Set-ExecutionPolicy -Scope Process -ExecutionPolicy RemoteSigned -Force\nUnblock-File .\\install.ps1\n"
                    ".\\install.ps1\n", "powershell"),
            Example("$release = Invoke-RestMethod https://api.github.com/repos/DesterLib/desterlib/releases/latest\n"
                    "Write-Output $release.tag_name\n", "powershell")),
)
def download_invoke(parsed: PowerShellScript) -> Iterator[Hit]:
    seen: set[tuple[int, int]] = set()
    held: dict[str, Token] = {}  # `$s = irm URL`, `$t = $s`: variables holding a download, in script order
    for pipeline in parsed.pipelines():
        _track(pipeline, held)
        for position, element in enumerate(pipeline):
            hit = _invocation(pipeline, position, element, held)
            if hit is not None and (hit.line, hit.column) not in seen:
                seen.add((hit.line, hit.column))
                yield hit


def _held_in(items: list[Item], held: dict[str, Token]) -> tuple[str, Token] | None:
    """A variable in `items` (at any depth, or inside a "…$s…" string) that holds a download."""
    for item in items:
        if isinstance(item, Group):
            found = _held_in(item.items, held)
            if found is not None:
                return found
        elif item.kind in ("word", "xstring"):
            for name, source in held.items():
                if (item.lower.split(".")[0] == name if item.kind == "word"
                        else re.search(re.escape(name) + r"(?!\w)", item.lower)):
                    return name, source
    return None


def _track(pipeline: list[Element], held: dict[str, Token]) -> None:
    if len(pipeline) != 1:
        return
    items = pipeline[0].items
    first = items[0] if items else None
    if not (isinstance(first, Token) and first.kind == "word" and first.text.startswith("$")):
        return
    if len(items) >= 3 and isinstance(items[1], Token) and items[1].text == "=":
        rest = items[2:]
    elif first.text.endswith("=") and len(items) >= 2:
        first, rest = Token("word", first.text[:-1], first.line, first.column), items[1:]
    else:
        return
    source = _downloader(rest) or _method(rest)
    copied = _held_in(rest, held) if len(rest) == 1 else None
    if source is not None:
        held[first.lower] = source
    elif copied is not None:
        held[first.lower] = copied[1]
    else:
        held.pop(first.lower, None)


HOST_SCRIPT_FLAGS = ("-file", "-command", "-encodedcommand", "-c", "-f", "-e", "-ec")


def _reads_stdin(element: Element) -> bool:
    """`… | powershell -`, `… | pwsh -Command -`, `… | powershell -NoProfile`: the piped text is the script."""
    command = element.command
    if command is None or command.lower not in SHELL_HOSTS:
        return False
    words = [a for a in element.args if isinstance(a, Token)]
    for k, word in enumerate(words):
        if word.text == "-":
            return True
        if word.lower in HOST_SCRIPT_FLAGS:
            return k + 1 < len(words) and words[k + 1].text == "-"
        if not word.text.startswith("-"):
            return False  # a script file or a command string of its own
    return True


def _invocation(pipeline: list[Element], position: int, element: Element, held: dict[str, Token]) -> Hit | None:
    command = element.command
    items = element.items
    if command is not None and (command.lower in INVOKE_EXPRESSION or _reads_stdin(element)):
        # `irm URL | iex`, `irm URL | powershell -`, `$s | iex`: an earlier stage downloads or holds a download
        for earlier in pipeline[:position]:
            source = _element_downloader(earlier)
            through = None if source is not None else _held_in(earlier.items, held)
            if source is not None or through is not None:
                what = source.text if source is not None else f"{through[1].text.lstrip('.')} (through {through[0]})"
                return Hit(command.line, command.column, f"{what} output is piped into {command.text}: the "
                                                         "downloaded script runs before anyone reads it")
        if command.lower in INVOKE_EXPRESSION:
            # `iex (irm URL)`, `iex ((New-Object Net.WebClient).DownloadString(URL))`, `iex $s`
            inline = _downloader([i for i in element.args if isinstance(i, Group)]) or _method(element.args)
            if inline is not None:
                return Hit(command.line, command.column, f"{command.text} runs what {inline.text.lstrip('.')} "
                                                         "downloads before anyone reads it")
            through = _held_in(element.args, held)
            if through is not None:
                return Hit(command.line, command.column, f"{command.text} runs {through[0]}, which holds what "
                                                         f"{through[1].text.lstrip('.')} downloaded")
    created = _scriptblock_create(element, held)
    if created is not None:
        opener, what = created
        return Hit(opener.line, opener.column, f"[scriptblock]::Create runs what {what} downloads before anyone "
                                               "reads it")
    for k, item in enumerate(items[:-1]):  # `$ExecutionContext.InvokeCommand.InvokeScript((irm URL))`
        argument = items[k + 1]
        if isinstance(item, Token) and item.lower.endswith(INVOKE_METHODS) and isinstance(argument, Group):
            found = _downloader(argument.items) or _method(argument.items)
            through = None if found is not None else _held_in(argument.items, held)
            if found is not None or through is not None:
                what = found.text.lstrip(".") if found is not None else f"{through[1].text} (through {through[0]})"
                return Hit(item.line, item.column, f"{item.text.rsplit('.', 1)[-1]} runs what {what} downloads "
                                                   "before anyone reads it")
    return None
