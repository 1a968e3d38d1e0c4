"""The `powershell` kind (a small tokenizer) and SG308, end to end."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snippetguard import check_snippet
from snippetguard.kinds.powershell import parse_powershell
from snippetguard.model import Finding, Snippet
from snippetguard.registry import RULES


def findings(text: str) -> list[Finding]:
    return check_snippet(Snippet(text, "powershell", "x.ps1")).findings


def fired(text: str) -> list[tuple[int, int]]:
    return [(f.line, f.column) for f in findings(text) if f.rule == "SG308"]


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def test_rule_examples() -> None:
    rule = RULES["SG308"]
    assert rule.kinds == ("powershell",) and rule.guide == "getting-started/installation.md#download-read-run"
    for example in rule.insecure:
        assert [f.line for f in findings(example.text) if f.rule == "SG308"][:1] == [example.line]
    for example in rule.secure:
        assert findings(example.text) == []


URL = "https://raw.githubusercontent.com/desterlib/desterlib/main/install.ps1"
INSECURE = [
    ("pipe-iwr-iex", f"iwr {URL} | iex", "iex"),
    ("pipe-iwr-useb", f"iwr -useb {URL} | iex", "iex"),
    ("pipe-long-names", f"Invoke-WebRequest -Uri {URL} -UseBasicParsing | Invoke-Expression", "Invoke-Expression"),
    ("pipe-irm", f"irm {URL} | iex", "iex"),
    ("pipe-invoke-restmethod", f"Invoke-RestMethod {URL} | Invoke-Expression", "Invoke-Expression"),
    ("case-insensitive", f"IRM {URL} | IEX", "IEX"),
    ("mixed-case", f"InVoKe-WeBrEqUeSt {URL} | iNvOkE-eXpReSsIoN", "iNvOkE"),
    ("content-property", f"(iwr {URL}).Content | iex", "iex"),
    ("through-foreach", f"iwr {URL} | % Content | iex", "| iex"),
    ("iex-of-iwr", f"iex (iwr {URL})", "iex"),
    ("iex-of-iwr-content", f"Invoke-Expression (Invoke-WebRequest {URL}).Content", "Invoke-Expression"),
    ("iex-of-irm", f"iex (irm {URL})", "iex"),
    ("iex-subexpression", f"iex $(irm {URL})", "iex"),
    ("iex-in-string", f'iex "$(irm {URL})"', "iex"),
    ("webclient", f"iex ((New-Object Net.WebClient).DownloadString('{URL}'))", "iex"),
    ("webclient-system", f"IEX (New-Object System.Net.WebClient).DownloadString(\"{URL}\")", "IEX"),
    ("scriptblock-create", f"& ([scriptblock]::Create((irm {URL})))", "[scriptblock]"),
    ("curl-alias", f"curl {URL} -UseBasicParsing | iex", "iex"),
    ("second-line", f"Set-ExecutionPolicy Bypass -Scope Process\nirm {URL} | iex", "iex"),
    ("multi-line-pipe", f"irm {URL} |\n  iex", "iex"),
    ("backtick-continuation", f"Invoke-RestMethod `\n  -Uri {URL} `\n  | Invoke-Expression", "Invoke-Expression"),
    ("semicolon", f"$ProgressPreference = 'SilentlyContinue'; irm {URL} | iex", "iex"),
    ("powershell-command-string", f'powershell -ExecutionPolicy Bypass -Command "irm {URL} | iex"', "iex"),
    ("pwsh-c-string", f"pwsh -c 'irm {URL} | iex'", "iex"),
    ("transcript", f"PS C:\\Users\\me> irm {URL} | iex\nInstalling DesterLib...\n", "iex"),
    ("comment-after", f"irm {URL} | iex  # installs DesterLib", "iex"),
]


@pytest.mark.parametrize(("text", "anchor"), [c[1:] for c in INSECURE], ids=[c[0] for c in INSECURE])
def test_sg308_fires_at_the_invocation(text: str, anchor: str) -> None:
    expected = pos(text, anchor)
    if anchor.startswith("| "):
        expected = (expected[0], expected[1] + 2)
    assert fired(text) == [expected], findings(text)


SECURE = [
    ("download-read-run", f"Invoke-WebRequest -Uri {URL} -OutFile install.ps1\nGet-Content install.ps1\n.\\install.ps1"),
    ("iwr-outfile-pipe", f"iwr {URL} -OutFile install.ps1 | iex"),
    ("iex-of-local-text", "iex (Get-Content .\\config.ps1 -Raw)"),
    ("download-to-variable", f"$script = irm {URL}\nWrite-Host $script"),
    ("iwr-alone", f"iwr {URL}"),
    ("iex-alone", "iex 'Get-Date'"),
    ("mention-in-string", f"Write-Host 'do not run: irm {URL} | iex'"),
    ("mention-in-comment", f"# irm {URL} | iex\nGet-Date"),
    ("block-comment", f"<#\nirm {URL} | iex\n#>\nGet-Date"),
    ("here-string", f"$doc = @'\nirm {URL} | iex\n'@\nWrite-Host $doc"),
    ("download-file-method", f"(New-Object Net.WebClient).DownloadFile('{URL}', 'install.ps1')"),
    ("transcript-output", "PS C:\\> Get-History\n  1 irm https://x | iex\n"),
]


@pytest.mark.parametrize("text", [c[1] for c in SECURE], ids=[c[0] for c in SECURE])
def test_sg308_near_misses(text: str) -> None:
    assert findings(text) == [], findings(text)


def test_message_names_both_commands() -> None:
    (finding,) = findings(f"irm {URL} | iex")
    assert finding.message == "irm output is piped into iex: the downloaded script runs before anyone reads it"
    (finding,) = findings(f"iex ((New-Object Net.WebClient).DownloadString('{URL}'))")
    assert "DownloadString" in finding.message


@pytest.mark.parametrize(("text", "line", "column"), [
    ("Write-Host 'unterminated\nGet-Date", 1, 12),
    ('Get-Date\nWrite-Host "unterminated', 2, 12),
    ("Get-Item (Get-Date", 1, 10),
    ("Get-Date\n)", 2, 1),
    ("<# never closed\nGet-Date", 1, 1),
    ("$x = @'\nnever closed", 1, 6),
])
def test_parse_failure_is_sg001(text: str, line: int, column: int) -> None:
    assert [(f.rule, f.line, f.column) for f in findings(text)] == [("SG001", line, column)]


def test_tokens_keep_positions() -> None:
    script = parse_powershell("PS C:\\> Get-Date ;  iwr `\n>> https://x\n")
    assert script.transcript
    pipelines = list(script.pipelines())
    commands = [(e.command.text, e.command.line, e.command.column) for p in pipelines for e in p if e.command]
    assert commands == [("Get-Date", 1, 9), ("iwr", 1, 21)]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment", "<# block #>"])
def test_empty(text: str) -> None:
    assert findings(text) == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*"ab iex irm $()@{}[]|;&'\"`#<>\n\t-.,:=PS", "@'\n", "\n'@", '@"\n', "<#", "#>",
                                 "PS C:\\> ", ">> ", "-Command "]), max_size=60).map("".join))
def test_garbage_never_crashes(text: str) -> None:
    result = check_snippet(Snippet(text, "powershell", "x.ps1"))
    assert not any(f.rule == "SG000" for f in result.all_findings()), result.findings
