"""Broken and hostile input: a clear finding at the right line, never a traceback, a crash or a hang.

Every file case goes through both doors: the CLI (`snippetguard.cli.main` with a real file) and
`check_snippet` (the text, as the MkDocs hook hands over page blocks). The fixture files live in
tests/fixtures/hostile/ (byte-exact: see its .gitattributes); EXPECTED below says what the guard
answers for each, and reads as the table of what it says.

Compose already has BOM+CRLF, CR, tabs, duplicate keys, several documents, an alias bomb, the size
limit, an empty file, invalid UTF-8 and a binary file in tests/test_engine.py; here are the other
kinds and the traps found since (recursive aliases, nesting deep enough to crash C code, YAML-only
line breaks, forged report lines). The second half builds the site: hostile snippet files and page
text, a rule that raises or hangs injected into a real build, and `make build` keeping the last
good site/ and the caches when a build fails or is killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import snippetguard
from snippetguard import KINDS
from snippetguard.classify import kind_for_path
from snippetguard.cli import main
from snippetguard.engine import MAX_SNIPPET_BYTES
from snippetguard.model import Finding, Snippet
from snippetguard.sources import Unreadable, decode
from snippetguard.validators.nginx import NginxTest
from snippetguard.validators.shell import ShellCheck

from conftest import ROOT, build, copy_proof_records, copy_site

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
GITHUB_TOKEN = "ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123"  # a well-formed fake, as in the rule's own example

# file -> (rule, line, column, the message or its start); None: the snippet is clean and passes.
EXPECTED: dict[str, tuple[str, int, int, str] | None] = {
    # not UTF-8 text
    "compose-invalid-utf8.yml": ("SG008", 3, 1, "not valid UTF-8 (byte 0xff at offset 41)"),
    "env-latin1.env": ("SG008", 3, 1, "not valid UTF-8 (byte 0xe9 at offset 52)"),
    "shell-truncated-utf8.sh": ("SG008", 3, 1, "not valid UTF-8 (byte 0xe2 at offset 20)"),
    "nginx-overlong-utf8.conf": ("SG008", 3, 1, "not valid UTF-8 (byte 0xc0 at offset 38)"),
    "json-cesu-surrogate.json": ("SG008", 3, 1, "not valid UTF-8 (byte 0xed at offset 20)"),
    "caddy-utf16.Caddyfile": ("SG008", 1, 1, "binary file (contains NUL bytes); a snippet must be UTF-8 text"),
    "powershell-png.ps1": ("SG008", 1, 1, "binary file (contains NUL bytes); a snippet must be UTF-8 text"),
    "markdown-gzip.md": ("SG008", 1, 1, "binary file (contains NUL bytes); a snippet must be UTF-8 text"),
    "yaml-nul-late.yaml": ("SG008", 1, 1, "binary file (contains NUL bytes); a snippet must be UTF-8 text"),
    # CR, CRLF, BOM: the finding stays on its line
    "compose-cr-only.yml": ("SG101", 5, 9, "service 'db' publishes PostgreSQL port 5432 on every interface"),
    "env-cr-only.env": ("SG202", 2, 19, "POSTGRES_PASSWORD 'postgres' is a default or well-known password"),
    "env-bom-crlf.env": ("SG202", 2, 19, "POSTGRES_PASSWORD 'changeme' is a default or well-known password"),
    "shell-crlf.sh": ("SG301", 3, 7, "chmod 777 makes /srv/media world-writable"),
    "nginx-cr-only.conf": ("SG408", 3, 1, "autoindex on publishes a listing of the directory"),
    "caddy-bom.Caddyfile": ("SG502", 2, 2, "auto_https off disables HTTPS for every site"),
    "powershell-bom-crlf.ps1": ("SG308", 3, 33, "irm output is piped into iex"),
    "yaml-bom-crlf.yaml": ("SG203", 3, 17, "looks like a GitHub Token"),
    "json-bom.json": ("SG203", 3, 13, "looks like a GitHub Token"),
    "markdown-cr-only.md": ("SG301", 4, 7, "chmod 777 makes /srv world-writable"),
    # empty, or only comments
    "compose-comments-only.yml": ("SG001", 1, 1, "empty Compose file: expected a top-level 'services:' mapping"),
    "env-empty.env": None,
    "shell-comments-only.sh": None,
    "nginx-empty.conf": ("SG001", 1, 1, "empty nginx snippet: expected at least one directive"),
    "caddy-comments-only.Caddyfile": ("SG001", 1, 1, "empty Caddyfile: expected a site block"),
    "powershell-comments-only.ps1": None,
    "yaml-empty.yaml": None,
    "json-comments-only.json": ("SG001", 1, 1, "JSON does not parse: Expecting value"),
    "markdown-comments-only.md": None,
    # YAML's traps, in plain YAML and in a page's yaml fence (page lines)
    "yaml-tabs.yaml": ("SG001", 3, 1, "YAML does not parse: found character that cannot start any token "
                                      "(a tab: YAML indentation must use spaces)"),
    "markdown-yaml-tabs.md": ("SG001", 8, 1, "YAML does not parse: found character that cannot start any token "
                                             "(a tab: YAML indentation must use spaces)"),
    "yaml-duplicate-keys.yaml": ("SG001", 6, 5, "duplicate key 'runs-on' (first at line 5)"),
    "yaml-documents.yaml": ("SG001", 3, 1, "2 YAML documents in one snippet; keep one per file"),
    "yaml-alias-bomb.yaml": ("SG001", 5, 5, "YAML aliases expand to more than 100000 nodes (an alias bomb?)"),
    "markdown-alias-bomb.md": ("SG001", 8, 5, "YAML aliases expand to more than 100000 nodes (an alias bomb?)"),
    "yaml-recursive-alias.yaml": ("SG001", 2, 7, "a YAML alias refers to a node that contains it"),
    "compose-recursive-merge.yml": ("SG001", 2, 8, "a YAML alias refers to a node that contains it"),
    "yaml-control-char.yaml": ("SG001", 3, 7, "YAML does not parse: unacceptable character U+0007"),
    # U+2028 ends a line for YAML (and for Compose): `privileged: true` hides after a comment
    "compose-line-separator.yml": ("SG104", 4, 28, "'db' runs privileged"),
    # daemon.json and systemd units: BOM, CRLF and a continuation keep their lines; JSON's and systemd's traps
    "daemon-bom-crlf.json": ("SG702", 3, 3, '"iptables": false stops Docker'),
    "daemon-duplicate-key.json": ("SG001", 3, 3, 'duplicate key "hosts" (first at line 2)'),
    "daemon-nan.json": ("SG001", 3, 10, "JSON does not parse: NaN is not a JSON value"),
    "systemd-crlf.conf": ("SG701", 4, 6, "the Docker API listens on every interface"),
    "systemd-comments-only.service": ("SG001", 1, 1, "empty unit file"),
    "systemd-unclosed-quote.service": ("SG001", 2, 28, 'quote " opened here is never closed'),
}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def cli_findings(path: Path, *extra: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run_cli("check", "--no-programs", "--format", "json", *extra, str(path))
    assert "Traceback" not in out + err and "internal error" not in err, out + err
    return code, json.loads(out)["findings"], err


def summary(found: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.rule, f.line, f.column, f.message) for f in found]


def matches(got: list[tuple[str, int, int, str]], expected: tuple[str, int, int, str] | None) -> bool:
    if expected is None:
        return got == []
    return len(got) == 1 and got[0][:3] == expected[:3] and got[0][3].startswith(expected[3])


# --------------------------------------------------------------------------- the fixture files


def test_every_fixture_has_its_expectation() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.is_file() and p.name != ".gitattributes"}
    assert files == set(EXPECTED)
    assert {name.split("-")[0] for name in EXPECTED} == set(KINDS)  # every kind has hostile files


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_through_the_cli(name: str) -> None:
    code, found, _ = cli_findings(FIXTURES / name)
    got = [(f["rule"], f["line"], f["column"], f["message"]) for f in found]
    assert matches(got, EXPECTED[name]), got
    assert code == (0 if EXPECTED[name] is None else 1)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_through_check_snippet(name: str) -> None:
    """The same answer from the API, for the text exactly as read (CR, CRLF and BOM left in)."""
    data = (FIXTURES / name).read_bytes()
    expected = EXPECTED[name]
    try:
        decode(data)
    except Unreadable as err:  # bytes that are no text never reach a parser: the line of the first bad byte
        assert expected is not None and expected[0] == "SG008"
        assert (err.line, str(err)) == (expected[1], expected[3])
        return
    text = data.decode("utf-8")  # no normalising here: check_snippet itself must cope
    kind = kind_for_path(name, text)
    assert kind in KINDS
    got = summary(snippetguard.check_snippet(Snippet(text, kind, name)).all_findings())
    assert matches(got, expected), got


def test_the_cli_over_the_whole_folder(tmp_path: Path) -> None:
    """One run over every hostile file: each reported, nothing else, exit 1, and a readable text report."""
    code, found, _ = cli_findings(FIXTURES)
    assert code == 1
    assert sorted((Path(f["path"]).name, f["rule"], f["line"]) for f in found) == sorted(
        (name, e[0], e[1]) for name, e in EXPECTED.items() if e is not None)
    code, out, err = run_cli("check", "--no-programs", str(FIXTURES))
    assert code == 1 and "Traceback" not in out + err
    assert f"Checked {len(EXPECTED) + 3} snippets in {len(EXPECTED)} files." in out  # + three pages' fences
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out), "control characters from a snippet reached the report"


EMPTY_NAMES = {"compose": "docker-compose.yml", "env": ".env", "shell": "run.sh", "nginx": "site.conf",
               "caddy": "Caddyfile", "powershell": "run.ps1", "yaml": "ci.yaml", "json": "data.json", "markdown": "p.md",
               "daemon": "daemon.json", "systemd": "docker.service"}
COMMENT = {"powershell": "<# nothing #>\n# yet\n", "json": "// nothing yet\n", "markdown": "<!-- nothing yet -->\n",
           "daemon": "// nothing yet\n"}
EMPTY_SAYS = {  # kind -> what an empty or comment-only file gets (None: it passes)
    "compose": ("SG001", "empty Compose file: expected a top-level 'services:' mapping"),
    "nginx": ("SG001", "empty nginx snippet: expected at least one directive"),
    "caddy": ("SG001", "empty Caddyfile: expected a site block such as `media.example.com {`"),
    "json": ("SG001", "JSON does not parse: Expecting value"),
    "daemon": ("SG001", 'empty daemon.json: expected one JSON object of options, such as {"ip": "127.0.0.1"}'),
    "systemd": ("SG001", "empty unit file: expected a [Section] header and Key=value lines"),
}


@pytest.mark.parametrize("content", ["empty", "comments"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_empty_and_comment_only_files_of_every_kind(tmp_path: Path, kind: str, content: str) -> None:
    """The whole matrix through the CLI, and check_snippet agreeing: a clear SG001 at line 1, or a pass."""
    text = "" if content == "empty" else COMMENT.get(kind, "# nothing here yet\n# really\n")
    path = tmp_path / EMPTY_NAMES[kind]
    path.write_text(text, encoding="utf-8")
    code, found, _ = cli_findings(path)
    expected = EMPTY_SAYS.get(kind)
    got = [(f["rule"], f["line"], f["message"]) for f in found]
    assert got == ([] if expected is None else [(expected[0], 1, expected[1])])
    assert code == (0 if expected is None else 1)
    direct = snippetguard.check_snippet(Snippet(text, kind, str(path))).all_findings()
    assert [(f.rule, f.line, f.message) for f in direct] == got


# --------------------------------------------------------------------------- text given to the API directly

SAMPLES: dict[str, tuple[str, str, int]] = {  # kind -> (insecure text, rule, line)
    "compose": ('services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n', "SG101", 5),
    "env": ("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=postgres\n", "SG202", 2),
    "shell": ("#!/bin/sh\nset -e\nchmod 777 /srv/media\n", "SG301", 3),
    "nginx": ("server {\n    listen 80;\n    autoindex on;\n}\n", "SG408", 3),
    "caddy": ("{\n\tauto_https off\n}\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "SG502", 2),
    "powershell": ("# install\n$u = 'x'\nirm https://example.com/i.ps1 | iex\n", "SG308", 3),
    "yaml": (f"# settings\nnotify:\n  github_token: {GITHUB_TOKEN}\n", "SG203", 3),
    "json": (f'{{\n  "a": 1,\n  "token": "{GITHUB_TOKEN}"\n}}\n', "SG203", 3),
    "markdown": ("# T\n\n```bash\nchmod 777 /srv\n```\n", "SG301", 4),
    "daemon": ('{\n  "log-driver": "local",\n  "iptables": false\n}\n', "SG702", 3),
    "systemd": ("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  -H tcp://0.0.0.0:2375\n", "SG701", 4),
}
VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr": lambda t: t.replace("\n", "\r"),
    "bom": lambda t: "\ufeff" + t,
    "bom-crlf": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_line_endings_and_bom_given_as_text(kind: str, variant: str) -> None:
    """check_snippet with CR (it found nothing at all in .env, shell, PowerShell and Markdown) or a BOM
    (SG001 in .env, Caddy and JSON) answers as for the plain text."""
    text, rule, line = SAMPLES[kind]
    plain = summary(snippetguard.check_snippet(Snippet(text, kind, "x")).all_findings())
    assert (rule, line) in {(r, ln) for r, ln, _, _ in plain}
    got = summary(snippetguard.check_snippet(Snippet(VARIANTS[variant](text), kind, "x")).all_findings())
    assert got == plain


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lone_surrogate_is_not_text(kind: str) -> None:
    """No file can hold it (decode refuses it), but an API caller can: SG008, not a parser crash."""
    got = summary(snippetguard.check_snippet(Snippet("ok\nline \ud800 two\n", kind, "x")).all_findings())
    assert got == [("SG008", 2, 1, "not valid Unicode text (lone surrogate U+D800)")]


# --------------------------------------------------------------------------- size


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"compose"}))
def test_over_the_size_limit(tmp_path: Path, kind: str) -> None:
    path = tmp_path / {"env": "big.env", "shell": "big.sh", "nginx": "big.conf", "caddy": "Caddyfile",
                       "powershell": "big.ps1", "yaml": "big.yaml", "json": "big.json", "markdown": "big.md",
                       "daemon": "daemon.json", "systemd": "big.service"}[kind]
    data = (b"# " if kind != "json" else b"") + b"x" * MAX_SNIPPET_BYTES + b"\n"
    path.write_bytes(data)
    code, found, _ = cli_findings(path)
    message = f"snippet is {len(data)} bytes; the limit is {MAX_SNIPPET_BYTES} bytes"
    assert code == 1 and [(f["rule"], f["line"], f["message"]) for f in found] == [("SG008", 1, message)]


def test_the_limit_is_in_bytes_and_inclusive() -> None:
    at_limit = "#" + "x" * (MAX_SNIPPET_BYTES - 2) + "\n"
    assert len(at_limit.encode()) == MAX_SNIPPET_BYTES
    assert summary(snippetguard.check_snippet(Snippet(at_limit, "shell", "x")).findings) == []
    wide = "#" + "é" * (MAX_SNIPPET_BYTES // 2)  # fewer characters than the limit, more bytes
    assert [f.rule for f in snippetguard.check_snippet(Snippet(wide, "shell", "x")).findings] == ["SG008"]


NEAR_LIMIT: dict[str, tuple[str, str, str]] = {  # kind -> (head, repeated line, tail): ordinary text, just under
    "compose": ("services:\n  db:\n    image: postgres\n    ports:\n", '      - "127.0.0.1:1:5432"\n', ""),
    "env": ("", "A_B=c\n", ""),
    "shell": ("", "echo hello world && ls -la /srv\n", ""),
    "nginx": ("server {\n", "    location /a { return 200; }\n", "}\n"),
    "caddy": ("example.com {\n", "\trespond /a 200\n", "}\n"),
    "powershell": ("", "ls\n", ""),  # 175,000 short lines: 10 s and SG000 before the lookahead fix
    "yaml": ("", "- a: b\n", ""),
    "json": ("[", "1,\n", "1]"),
    "markdown": ("", "```bash\nls\n```\n", ""),
    "daemon": ('{"dns": [', '"192.168.1.1",\n', '"1.1.1.1"]}\n'),
    "systemd": ("[Service]\n", "Environment=A=b\n", "ExecStart=/usr/bin/dockerd -H fd://\n"),
}


@pytest.mark.parametrize("kind", sorted(NEAR_LIMIT))
def test_a_file_just_under_the_limit_is_checked_in_time(kind: str) -> None:
    """Checked, not cut off by the watchdog (its SG000) nor refused as too large; how fast is `make bench`'s."""
    head, line, tail = NEAR_LIMIT[kind]
    text = head + line * ((MAX_SNIPPET_BYTES - len(head) - len(tail)) // len(line)) + tail
    found = snippetguard.check_snippet(Snippet(text, kind, "x")).all_findings()
    assert not [f for f in found if f.rule in ("SG000", "SG008")], summary(found)[:3]


# --------------------------------------------------------------------------- nesting and other traps

# kind, text, rule, line, message start. Run in a child process: before the fix the YAML cases killed
# the interpreter (libyaml's composer recurses in C), which would take this test run down with them.
DEEP: list[tuple[str, str, str, str, int, str]] = [
    ("yaml-flow", "yaml", "a: " + "[" * 60000, "SG001", 1, "YAML nests deeper than 100 levels"),
    ("compose-flow", "compose", "services: " + "{a: " * 30000, "SG001", 1, "YAML nests deeper than 100 levels"),
    ("compose-dashes", "compose", "services:\n  a:\n    ports:\n    " + "- " * 60000 + "x", "SG001", 4,
     "YAML nests deeper than 100 levels"),
    ("yaml-complex-keys", "yaml", "? " * 60000 + "x", "SG001", 1, "YAML nests deeper than 100 levels"),
    ("markdown-yaml-fence", "markdown", "# P\n\n```yaml\n" + "[" * 60000 + "\n```\n", "SG001", 4,
     "YAML nests deeper than 100 levels"),
    ("compose-block", "compose", "services:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 150)) + " " * 150 + "v\n",
     "SG001", 101, "YAML nests deeper than 100 levels"),
    ("nginx-blocks", "nginx", "server {\n" + "location / {\n" * 600 + "}\n" * 601, "SG001", 101,
     "nginx config does not parse: blocks nest deeper than 100 levels"),  # SG000 from gixy before
    ("json", "json", "[" * 100000 + "]" * 100000, "SG001", 1, "JSON parser gave up: nesting too deep"),
    ("caddy", "caddy", "example.com {\n" + "handle {\n" * 600 + "}\n" * 601, "SG001", 1,
     "Caddyfile parser gave up: nesting too deep"),
    ("powershell", "powershell", "(" * 50000 + ")" * 50000, "SG001", 1,
     "PowerShell: the script nests too deeply to check"),
    ("shell", "shell", "(" * 5000 + "ls" + ")" * 5000, "SG001", 1, "shell: the command nests too deeply to check"),
]

_CHILD = """
import json, sys
import snippetguard
from snippetguard.model import Snippet
kind, text = json.loads(sys.stdin.read())
found = snippetguard.check_snippet(Snippet(text, kind, "x")).all_findings()
print(json.dumps([[f.rule, f.line, f.message] for f in found]))
"""


@pytest.mark.parametrize(("kind", "text", "rule", "line", "message"), [d[1:] for d in DEEP], ids=[d[0] for d in DEEP])
def test_deep_nesting_is_refused_without_a_crash(kind: str, text: str, rule: str, line: int, message: str) -> None:
    proc = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps([kind, text]), capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, f"the checker died ({proc.returncode}): {proc.stderr[-500:]}"
    got = json.loads(proc.stdout)
    assert len(got) == 1 and got[0][:2] == [rule, line] and got[0][2].startswith(message), got


@pytest.mark.parametrize(("text", "rule", "line", "column"), [
    ("services:\n  db:\n    image: postgres:15-alpine\n    # note\u2028    privileged: true\n", "SG104", 4, 28),
    ('services:\n  db:\n    image: "postgres:15\x85-alpine"\n    environment:\n      POSTGRES_PASSWORD: postgres\n',
     "SG110", 5, 26),
    ("services:\n  db:  # a\u2029b\n    image: x\n", "SG001", 3, 10),
], ids=["line-separator-in-comment", "next-line-in-quotes", "paragraph-separator"])
def test_yaml_only_line_breaks_keep_the_snippets_line_numbers(text: str, rule: str, line: int, column: int) -> None:
    """YAML reads U+0085, U+2028 and U+2029 as line breaks; the snippet's lines are still counted at \\n."""
    got = summary(snippetguard.check_snippet(Snippet(text, "compose", "x")).findings)
    assert [(r, ln, col) for r, ln, col, _ in got] == [(rule, line, column)], got


def test_a_long_message_is_cut() -> None:
    got = summary(snippetguard.check_snippet(Snippet('A="x"' + '"' * 100_000 + "\n", "env", "x")).findings)
    assert [(r, ln) for r, ln, _, _ in got] == [("SG001", 1)] and len(got[0][3]) < 120


def test_a_snippet_cannot_forge_or_hide_report_lines(tmp_path: Path) -> None:
    """Newlines and terminal escapes that a snippet puts into a message or its source line are shown escaped."""
    path = tmp_path / "forge.sh"
    path.write_text('chmod 777 "/srv/a\nAll checked: no findings."\necho \x1b[1A\x1b[2K; chmod 666 /srv/b\n')
    code, out, _ = run_cli("check", "--no-programs", str(path))
    assert code == 1
    assert "\x1b" not in out and "\\x1b[1A\\x1b[2K" in out
    assert "/srv/a\\nAll checked: no findings." in out
    assert not any(line.startswith("All checked") for line in out.split("\n"))
    assert out.count("  SG301  ") == 2


# --------------------------------------------------------------------------- the site: rendering and refusals


def _fresh_site(dest: Path) -> Path:
    dest.mkdir(parents=True)
    return copy_site(dest)


HOSTILE_TEXTS = {
    "shell/zz-script.sh": "echo '</code></pre><script>alert(\"sg-xss-1\")</script>'\n",
    "shell/zz-comment.sh": "# <!-- sg-comment --> --> <img src=x onerror=alert(2)>\necho done\n",
    "shell/zz-fences.sh": "cat <<'EOF'\n```\n~~~\n````yaml\nsg-fence-inside: true\n````\nEOF\necho after-the-fence\n",
    "shell/zz-jinja.sh": "echo '{{ config.site_name }} {% raw %}{{ x }}{% endraw %} {# c #}' sg-jinja\n",
    "env/zz-html.env": "GREETING=\"<b>sg-bold</b> & </code>\"\n",
}


@pytest.mark.slow
def test_hostile_snippet_text_renders_as_inert_text(tmp_path: Path) -> None:
    """One build: every hostile snippet is shown character for character, nothing in it becomes markup."""
    site = copy_site(tmp_path)
    calls = []
    for rel, text in HOSTILE_TEXTS.items():
        (site / "docs" / "snippets" / rel).write_text(text, encoding="utf-8")
        calls.append(f'{{{{ snippet("{rel}") }}}}')
    page = site / "docs" / "contributing.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(calls) + "\n", encoding="utf-8")
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (site / "site" / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "sg-xss-1" in html and '<script>alert("sg-xss-1")' not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<!-- sg-comment -->" not in html and "&lt;!-- sg-comment --&gt;" in html
    assert "<b>sg-bold</b>" not in html and "&lt;b&gt;sg-bold&lt;/b&gt;" in html
    # The fences inside the snippet stay inside its block: the text after them is still code, not a new block.
    block = re.search(r"sg-fence-inside.*?after-the-fence", html, re.S)
    assert block is not None and "</code>" not in block.group(0)
    assert "{{ config.site_name }}" in html and "{% raw %}{{ x }}{% endraw %}" in html and "{# c #}" in html
    text = re.sub(r"<[^>]+>", "", html)
    for rel, raw in HOSTILE_TEXTS.items():  # every line shown, verbatim once the markup is gone
        for line in raw.strip("\n").split("\n"):
            visible = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert visible in text or visible.replace('"', "&quot;") in text, (rel, line)


@pytest.mark.slow
def test_a_symlink_leaving_the_snippets_folder_is_refused_by_the_build(tmp_path: Path) -> None:
    """Embedding it is refused (SG007) and the build fails, at the page line of the call."""
    site = _fresh_site(tmp_path / "site")
    secret = tmp_path / "outside.yml"
    secret.write_text("services: {}  # sg-outside-secret\n", encoding="utf-8")
    os.symlink(secret, site / "docs" / "snippets" / "compose" / "zz-escape.yml")
    page = site / "docs" / "contributing.md"
    lines = page.read_text(encoding="utf-8").split("\n")
    page.write_text("\n".join([*lines, "", '{{ snippet("compose/zz-escape.yml") }}', ""]), encoding="utf-8")
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out, out
    assert f"docs/contributing.md:{len(lines) + 2}:1  SG007" in out
    assert "leads outside docs/snippets/ (through a symlink)" in out


@pytest.mark.slow
def test_a_symlink_leaving_the_snippets_folder_is_never_published(tmp_path: Path) -> None:
    site = _fresh_site(tmp_path / "site")
    secret = tmp_path / "outside.yml"
    secret.write_text("services: {}  # sg-outside-secret\n", encoding="utf-8")
    os.symlink(secret, site / "docs" / "snippets" / "compose" / "zz-escape.yml")
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"})
    published = [p for p in (site / "site").rglob("*") if p.is_file() and b"sg-outside-secret" in p.read_bytes()]
    assert proc.returncode != 0 and not published, f"published: {published}"
    assert "docs/snippets/compose/zz-escape.yml:1:1  SG007  symlink leads outside docs/snippets/" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_hostile_snippet_files_fail_the_build_by_name(tmp_path: Path) -> None:
    """Binary, non-UTF-8, deeply nested and alias-bomb snippet files: one strict build names each, then fails."""
    site = copy_site(tmp_path)
    snippets = site / "docs" / "snippets"
    files = {
        "compose/zz-binary.yml": (b"\x89PNG\r\n\x1a\n\x00\x00", "SG008", 1),
        "shell/zz-latin1.sh": (b"echo ok\necho caf\xe9\n", "SG008", 2),
        "compose/zz-deep.yml": (b"services: " + b"[" * 60000 + b"\n", "SG001", 1),  # killed the build before
        "compose/zz-bomb.yml": ((FIXTURES / "yaml-alias-bomb.yaml").read_bytes().replace(b"a0:", b"services: {}\na0:"),
                                "SG001", 6),
        "nginx/zz-deep.conf": (("server {\n" + "location / {\n" * 600 + "}\n" * 601).encode(), "SG001", 101),
    }
    for rel, (data, _, _) in files.items():
        (snippets / rel).write_bytes(data)
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"}, timeout=180)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert "Traceback" not in out and "SG000" not in out, out[-3000:]
    for rel, (_, rule, line) in files.items():
        where = f"docs/snippets/{rel}:{line}:"
        assert re.search(rf"{re.escape(where)}\d*:?\d*  {rule}  ", out), (rel, out[-3000:])
    assert not (site / "site" / "index.html").exists()


@pytest.mark.slow
def test_the_build_names_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    (site / "docs" / "snippets" / "shell" / "zz-latin1.sh").write_bytes(b"echo ok\necho caf\xe9\n")
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"})
    assert "docs/snippets/shell/zz-latin1.sh:2:1  SG008  not valid UTF-8 (byte 0xe9" in proc.stdout + proc.stderr


# --------------------------------------------------------------------------- fail closed in a real build

PLUGIN = '''
"""Rules that break on purpose, injected into a real build through SNIPPETGUARD_PLUGINS."""
import time

from snippetguard.registry import rule


@rule(code="SG990", title="Injected rule that raises", kinds=("compose",), why="Test.", fix="None.",
      guide="contributing.md#reading-a-failure", insecure=(), secure=())
def raises(doc):
    if any(s.name == "sg-injected-raise" for s in doc.services):
        raise ValueError("injected failure")
    return iter(())


@rule(code="SG991", title="Injected rule that hangs", kinds=("compose",), why="Test.", fix="None.",
      guide="contributing.md#reading-a-failure", insecure=(), secure=())
def hangs(doc):
    if any(s.name == "sg-injected-hang" for s in doc.services):
        while True:  # a pure-Python loop: what the watchdog can interrupt
            time.sleep(0)
    return iter(())
'''


@pytest.mark.slow
@pytest.mark.parametrize(("service", "code", "says"), [
    ("sg-injected-raise", "SG990", "rule SG990 crashed on this snippet: ValueError('injected failure')"),
    ("sg-injected-hang", "SG991", "rule SG991 did not finish within 1 s on this snippet"),
], ids=["raises", "hangs"])
def test_a_broken_rule_fails_the_build_naming_rule_and_file(tmp_path: Path, service: str, code: str,
                                                             says: str) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sg_injected_rules.py").write_text(PLUGIN, encoding="utf-8")
    site = _fresh_site(tmp_path / "site")
    target = site / "docs" / "snippets" / "compose" / "zz-injected.yml"
    target.write_text(f"services:\n  {service}:\n    image: desterlib/api:latest\n", encoding="utf-8")
    env = {"SNIPPETGUARD_PLUGINS": "sg_injected_rules", "SNIPPETGUARD_CHECK_TIMEOUT": "1",
           "SNIPPETGUARD_PROGRAMS": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(plugins), os.environ.get("PYTHONPATH", "")]))}
    start = time.monotonic()
    proc = build(site, env=env, timeout=120)
    elapsed = time.monotonic() - start
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert elapsed < 60, f"{elapsed:.0f} s"
    assert f"docs/snippets/compose/zz-injected.yml:1:1  SG000  {says}" in out, out[-3000:]
    assert "Traceback" not in out
    assert out.count("  SG000  ") == 1, "only the snippet that broke the rule is failed"
    assert not (site / "site" / "index.html").exists()


# --------------------------------------------------------------------------- no lost work

REPO_FILES = ("Makefile", "requirements.txt", "pyproject.toml", "mkdocs.yml", "macros", "hooks", "docs")
VENV = ROOT / ".venv"


def _copy_repo(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in REPO_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    copy_proof_records(dest)
    return dest


def _make_build(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # The venv's install stamp may be missing or older than requirements.txt: `-o` tells make not to remake it
    # (nothing is installed); the build recipe itself runs unchanged.
    env = {**os.environ, "SNIPPETGUARD_PROGRAMS": "0", "SNIPPETGUARD_CACHE_DIR": str(cache)}
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "-o", f"{VENV}/.installed", "build", f"VENV={VENV}"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None or not (VENV / "bin" / "mkdocs").exists(), reason="needs make and .venv")
def test_make_build_with_a_broken_snippet_keeps_the_last_good_site(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path / "repo")
    first = _make_build(repo, tmp_path / "cache")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "pip install" not in first.stdout, "make must not reinstall the virtual environment"
    (repo / "site" / "sg-marker.txt").write_text("built before the broken snippet\n")
    before = _tree(repo / "site")
    assert "index.html" in before and len(before) > 50
    (repo / "docs" / "snippets" / "compose" / "zz-broken.yml").write_text(
        'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n', encoding="utf-8")
    second = _make_build(repo, tmp_path / "cache")
    out = second.stdout + second.stderr
    assert second.returncode != 0, out[-3000:]
    assert "docs/snippets/compose/zz-broken.yml:5:9  SG101" in out
    assert _tree(repo / "site") == before, "a failed build must leave site/ exactly as it was"


SLOW_SHELLCHECK = """#!/bin/sh
# shellcheck, made to take its time (not for --version): the build can be killed while it waits
case "$*" in *--version*) ;; *) sleep 60 ;; esac
exec {real} "$@"
"""
CACHE_LINE_RE = re.compile(r"snippetguard: (?P<name>[^(]+?) \([^)]*\): (?P<n>\d+) snippet\(s\), (?P<hits>\d+) from cache")


def _entries(cache: Path) -> list[Path]:
    """Whole verdict files: a kill can also leave `.tmp-*.json` files that were never renamed into place."""
    return sorted(p for p in (cache / "programs").rglob("*.json")
                  if p.parent.name != "programs" and not p.name.startswith(".tmp-"))


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_build_leaves_a_cache_the_next_build_reads(tmp_path: Path, sig: signal.Signals) -> None:
    real, nginx_found = ShellCheck().locate(), NginxTest().locate()
    assert real and nginx_found, "the pinned shellcheck and nginx come with the requirements"
    slow = tmp_path / "slow-bin"
    slow.mkdir()
    (slow / "shellcheck").write_text(SLOW_SHELLCHECK.format(real=real[0]))
    (slow / "shellcheck").chmod(0o755)
    # A plugin module (SNIPPETGUARD_PLUGINS) points the build at the slow shellcheck.
    (slow / "slow_shellcheck.py").write_text(
        "from snippetguard.validators.shell import ShellCheck\n"
        f"ShellCheck.locate = lambda self: [{str(slow / 'shellcheck')!r}]\n")
    site = _fresh_site(tmp_path / "site")
    cache = tmp_path / "cache"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SNIPPETGUARD_CACHE_DIR": str(cache), "CI": "false",
           "SNIPPETGUARD_PLUGINS": "slow_shellcheck",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(slow), os.environ.get("PYTHONPATH", "")]))}
    env.pop("SNIPPETGUARD_PROGRAMS", None)
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site / "site")],
                            cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(p.parent.parent.name == "nginx-t" for p in _entries(cache)):
            assert proc.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
            time.sleep(0.05)
        assert any(p.parent.parent.name == "nginx-t" for p in _entries(cache)), "no verdict was cached in time"
        os.killpg(proc.pid, sig)  # the build, its worker and the sleeping shellcheck
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    assert proc.returncode != 0 and not (site / "site" / "index.html").exists(), "the build was not interrupted"
    nginx = [p for p in _entries(cache) if p.parent.parent.name == "nginx-t"]
    assert nginx
    # What a crash can leave behind, and worse: a half-written entry, garbage, a stray temporary file.
    damaged = nginx[:2]
    damaged[0].write_bytes(damaged[0].read_bytes()[: damaged[0].stat().st_size // 2])
    if len(damaged) > 1:
        damaged[1].write_bytes(b"\x00\xff not json")
    (nginx[0].parent / ".tmp-interrupted.json").write_text('{"problems": [')
    results = cache / "results.sqlite"  # the pure-Python checks' cache: a damaged database is skipped
    if results.exists():
        results.write_bytes(b"not a database " * 64)
    env.pop("SNIPPETGUARD_PLUGINS")
    again = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site / "site")],
                           cwd=site, env=env, capture_output=True, text=True, timeout=300)
    out = again.stdout + again.stderr
    assert again.returncode == 0, out[-3000:]
    assert "Traceback" not in out
    hits: dict[str, tuple[int, int]] = {}
    for m in CACHE_LINE_RE.finditer(out):  # one line per build of a program (pinned, oldest supported): add up
        n, h = hits.get(m.group("name"), (0, 0))
        hits[m.group("name")] = (n + int(m.group("n")), h + int(m.group("hits")))
    assert "nginx -t" in hits, out[-3000:]
    # Every whole entry the killed build left is read; the damaged ones are misses, and whole again now.
    assert hits["nginx -t"][1] == len(nginx) - len(damaged), (hits, len(nginx))
    for path in damaged:
        assert isinstance(json.loads(path.read_text(encoding="utf-8"))["problems"], list)
    assert (site / "site" / "index.html").is_file()
