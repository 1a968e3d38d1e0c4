"""SG308: PowerShell's `irm URL | iex`, the Windows twin of `curl URL | sh`."""

from __future__ import annotations

from collections.abc import Iterator

from snippetguard.kinds.powershell import Element, Group, Item, PowerShellScript, Token, pipelines_of
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


def _scriptblock_create(element: Element) -> tuple[Token, Token] | None:
    """`[scriptblock]::Create(<download>)`: (the `[` token, the downloader)."""
    items = element.items
    for k, item in enumerate(items[:-2]):
        if isinstance(item, Group) and item.open.text == "[" and any(
                isinstance(t, Token) and t.lower in ("scriptblock", "system.management.automation.scriptblock")
                for t in item.items):
            method, argument = items[k + 1], items[k + 2]
            if isinstance(method, Token) and method.lower == "::create" and isinstance(argument, Group):
                found = _downloader(argument.items)
                if found is not None:
                    return item.open, found
    return None


@rule(
    code="SG308", title="Downloaded PowerShell script run without reading it",
    kinds=("powershell",),
    why="`irm URL | iex` (Invoke-RestMethod piped into Invoke-Expression) runs whatever the server sends, at "
        "that moment, with your rights; nobody sees it first. A compromised repository or a hijacked domain runs "
        "straight away on your PC.",
    fix="Save it, read it, then run it: `Invoke-WebRequest -Uri URL -OutFile install.ps1`, "
        "`Get-Content install.ps1`, `.\\install.ps1`. Pin a release tag rather than a branch.",
    guide="getting-started/installation.md#download-read-run",
    insecure=(Example("irm https://raw.githubusercontent.com/desterlib/desterlib/main/install.ps1 | iex\n",
                      "powershell", 1),
              Example("iex ((New-Object Net.WebClient).DownloadString('https://example.com/install.ps1'))\n",
                      "powershell", 1)),
    secure=Example("Invoke-WebRequest -Uri https://raw.githubusercontent.com/desterlib/desterlib/v0.2.0/install.ps1 "
                   "-OutFile install.ps1\nGet-Content install.ps1\n.\\install.ps1\n", "powershell"),
)
def download_invoke(parsed: PowerShellScript) -> Iterator[Hit]:
    seen: set[tuple[int, int]] = set()
    for pipeline in parsed.pipelines():
        for position, element in enumerate(pipeline):
            command = element.command
            hit: Hit | None = None
            if command is not None and command.lower in INVOKE_EXPRESSION:
                # `irm URL | iex`: an earlier stage downloads
                earlier = next((d for e in pipeline[:position] if (d := _element_downloader(e)) is not None), None)
                # `iex (irm URL)`, `iex ((New-Object Net.WebClient).DownloadString(URL))`
                inline = None
                if earlier is None:
                    inline = _downloader([i for i in element.args if isinstance(i, Group)]) or _method(element.args)
                if earlier is not None:
                    hit = Hit(command.line, command.column, f"{earlier.text} output is piped into {command.text}: "
                                                            "the downloaded script runs before anyone reads it")
                elif inline is not None:
                    hit = Hit(command.line, command.column, f"{command.text} runs what {inline.text.lstrip('.')} "
                                                            "downloads before anyone reads it")
            elif (created := _scriptblock_create(element)) is not None:
                opener, found = created
                hit = Hit(opener.line, opener.column, f"[scriptblock]::Create runs what {found.text.lstrip('.')} "
                                                      "downloads before anyone reads it")
            if hit is not None and (hit.line, hit.column) not in seen:
                seen.add((hit.line, hit.column))
                yield hit
