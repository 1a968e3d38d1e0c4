"""Autofix: every fixer removes its finding, adds none, and leaves a file its real program accepts.

`--fix` never touches counter-examples or ignored lines, keeps comments and
layout, and gives up (changing nothing) where there is no single safe fix.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import snippetguard
from snippetguard import RULES, validators
from snippetguard.autofix import fix_snippet
from snippetguard.cli import main
from snippetguard.engine import Result, check_snippet
from snippetguard.fixes import CannotFix, Fixer
from snippetguard.model import Snippet
from snippetguard.registry import FIXERS

# (rule, kind, insecure text, the text --fix must make of it)
CASES = [
    ("SG101", "compose",
     "# the database\nservices:\n  db:\n    image: postgres:15-alpine  # pinned major\n    ports:\n"
     "      - \"5432:5432\"   # for backups\n      - '0.0.0.0:5433:5432'\n      - target: 5432\n        published: 5434\n",
     "# the database\nservices:\n  db:\n    image: postgres:15-alpine  # pinned major\n    ports:\n"
     "      - \"127.0.0.1:5432:5432\"   # for backups\n      - '127.0.0.1:5433:5432'\n      - target: 5432\n"
     "        published: 5434\n        host_ip: 127.0.0.1\n"),
    ("SG101", "compose",
     "services:\n  db:\n    image: postgres:15-alpine\n    ports:\n    - 5432:5432\n",
     "services:\n  db:\n    image: postgres:15-alpine\n    ports:\n    - 127.0.0.1:5432:5432\n"),
    ("SG101", "shell",
     "docker run -d -p 5432:5432 postgres:15\ndocker run -d --publish=5433:5432 postgres:15\n"
     "docker run -d -p \"0.0.0.0:5434:5432\" postgres:15  # backups\n",
     "docker run -d -p 127.0.0.1:5432:5432 postgres:15\ndocker run -d --publish=127.0.0.1:5433:5432 postgres:15\n"
     "docker run -d -p \"127.0.0.1:5434:5432\" postgres:15  # backups\n"),
    ("SG102", "compose",
     "services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /srv/media:/media\n"
     "      - /srv/movies:/movies:rw  # films\n      - type: bind\n        source: /srv/music\n        target: /music\n",
     "services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /srv/media:/media:ro\n"
     "      - /srv/movies:/movies:ro  # films\n      - type: bind\n        source: /srv/music\n        target: /music\n"
     "        read_only: true\n"),
    ("SG301", "shell",
     "mkdir -p /srv/media\nsudo chmod -R 777 /srv/media  # let the container write\ninstall -d -m 0777 /srv/x\n"
     "umask 000\n",
     "mkdir -p /srv/media\nsudo chmod -R 755 /srv/media  # let the container write\ninstall -d -m 0755 /srv/x\n"
     "umask 022\n"),
    ("SG302", "shell",
     "cd ~/.desterlib\nchmod 644 .env\nchmod a+r ~/.desterlib/.env\nchmod -R 755 .env.production\n",
     "cd ~/.desterlib\nchmod 600 .env\nchmod 600 ~/.desterlib/.env\nchmod -R u=rwX,go= .env.production\n"),
    ("SG404", "nginx",
     "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"
     "        proxy_set_header Host $http_host;  # keep the port\n    }\n}\n",
     "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"
     "        proxy_set_header Host $host;  # keep the port\n    }\n}\n"),
    ("SG406", "nginx",
     "server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/certs/media.pem;\n"
     "    ssl_certificate_key /etc/ssl/private/media.key;\n    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n}\n",
     "server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/certs/media.pem;\n"
     "    ssl_certificate_key /etc/ssl/private/media.key;\n    ssl_protocols TLSv1.2 TLSv1.3;\n}\n"),
    ("SG407", "nginx", "server {\n    listen 80;\n    server_tokens   on ;\n}\n",
     "server {\n    listen 80;\n    server_tokens   off ;\n}\n"),
    ("SG408", "nginx",
     "server {\n    listen 80;\n    location /media/ {\n        root /srv;\n        autoindex on;  # browse\n    }\n}\n",
     "server {\n    listen 80;\n    location /media/ {\n        root /srv;\n        autoindex off;  # browse\n    }\n}\n"),
    ("SG410", "nginx",
     "server {\n    listen 80;\n    location /admin/ {\n        allow 192.168.1.0/24;\n        allow 10.0.0.0/8;\n"
     "        proxy_pass http://127.0.0.1:3001;\n    }\n}\n",
     "server {\n    listen 80;\n    location /admin/ {\n        allow 192.168.1.0/24;\n        allow 10.0.0.0/8;\n"
     "        deny all;\n        proxy_pass http://127.0.0.1:3001;\n    }\n}\n"),
    # `deny all;` goes after the last allow of the block, never between two
    ("SG410", "nginx",
     "server {\n    listen 80;\n    location / {\n        allow 10.0.0.0/8;\n        proxy_pass http://127.0.0.1:3001;\n"
     "        allow 192.168.0.0/16;\n    }\n}\n",
     "server {\n    listen 80;\n    location / {\n        allow 10.0.0.0/8;\n        proxy_pass http://127.0.0.1:3001;\n"
     "        allow 192.168.0.0/16;\n        deny all;\n    }\n}\n"),
]

# Findings with no single safe fix: --fix leaves the text as it is.
UNFIXABLE = [
    ("SG101", "compose", "services:\n  db:\n    image: postgres:15\n    ports:\n      - \"${DB_BIND:-0.0.0.0}:5432:5432\"\n"),
    ("SG301", "shell", "chmod o+w /srv/media\n"),
    ("SG302", "shell", "chmod 644 .env README.md\n"),  # also changes a file that is not .env
    ("SG410", "nginx", "server {\n    listen 80;\n"
     "    location / {\n        allow 10.0.0.0/8; proxy_pass http://127.0.0.1:3001;\n    }\n}\n"),
]


def _judged(text: str, kind: str) -> Result:
    """Everything the build would say: the pure-Python rules, then the real programs."""
    result = snippetguard.check_snippet(Snippet(text, kind, "snippet"))
    report = validators.validate([result], use_cache=False)
    assert not report.missing or not validators.in_ci(), report.notes()
    return result


def _counts(result: Result) -> Counter[str]:
    return Counter(f.rule for f in result.all_findings())


def test_every_fixer_is_tested() -> None:
    assert {(code, kind) for code, kind, *_ in CASES} == {(c, k) for c, f in FIXERS.items() for k in f.kinds}
    for code, fixer in FIXERS.items():
        assert isinstance(fixer, Fixer) and RULES[code].fixable and fixer.summary and fixer.kinds


@pytest.mark.parametrize(("code", "kind", "text", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_fix_removes_the_finding_and_adds_nothing(code: str, kind: str, text: str, expected: str) -> None:
    before = _judged(text, kind)
    assert code in _counts(before), "the case must start insecure"
    outcome = fix_snippet(Snippet(text, kind, "snippet"))
    assert outcome.text == expected
    assert outcome.fixed == _counts(check_snippet(Snippet(text, kind, "s")))[code] and outcome.fixed > 0
    after = _judged(outcome.text, kind)
    assert after.parsed, "the fixed file must still parse"
    assert code not in _counts(after)
    assert not (_counts(after) - _counts(before)), f"the fix made something new fire: {after.all_findings()}"
    assert not any(f.rule.startswith("SG6") for f in after.all_findings()), "the real program must accept it"


@pytest.mark.parametrize("code", sorted(FIXERS))
def test_fix_repairs_the_rules_own_insecure_examples(code: str) -> None:
    fixer = FIXERS[code]
    examples = [e for e in RULES[code].insecure if e.kind in fixer.kinds]
    assert examples, f"{code}: no insecure example of a kind its fixer handles"
    for example in examples:
        outcome = fix_snippet(Snippet(example.text, example.kind, "example"))
        assert code not in _counts(_judged(outcome.text, example.kind)), (example.text, outcome.text)


@pytest.mark.parametrize(("code", "kind", "text"), UNFIXABLE, ids=[c[0] for c in UNFIXABLE])
def test_no_single_safe_fix_changes_nothing(code: str, kind: str, text: str) -> None:
    assert code in _counts(check_snippet(Snippet(text, kind, "s")))
    assert fix_snippet(Snippet(text, kind, "s")).text == text


def test_counter_examples_are_never_touched() -> None:
    text = ("# snippetguard: expect[SG101] the v0.2.0 default, shown as the mistake\nservices:\n  db:\n"
            "    image: postgres:15\n    ports:\n      - \"5432:5432\"\n")
    outcome = fix_snippet(Snippet(text, "compose", "s"))
    assert (outcome.text, outcome.fixed) == (text, 0)


def test_ignored_lines_are_never_touched() -> None:
    text = ("server {\n    listen 80;\n    # snippetguard: ignore[SG407] a lab machine, never published\n"
            "    server_tokens on;\n    location / {\n        server_tokens on;\n    }\n}\n")
    outcome = fix_snippet(Snippet(text, "nginx", "s"))
    assert outcome.text == text.replace("        server_tokens on;", "        server_tokens off;")
    assert outcome.fixed == 1


def test_blocks_in_a_page_are_fixed_in_place() -> None:
    page = ("# Set-up\n\n!!! note\n\n    ```yaml\n    services:\n      db:\n        image: postgres:15\n"
            "        ports:\n          - \"5432:5432\"\n    ```\n\n```nginx\n# snippetguard: expect[SG407] shown as the mistake\n"
            "server {\n    listen 80;\n    server_tokens on;\n}\n```\n")
    outcome = fix_snippet(Snippet(page, "markdown", "page.md"))
    assert outcome.text == page.replace('- "5432:5432"', '- "127.0.0.1:5432:5432"')  # the counter-example stays


def test_a_fix_that_adds_a_finding_is_undone(monkeypatch: pytest.MonkeyPatch) -> None:
    def harmful(text: str, spots: object) -> str:
        return text.replace("server_tokens on;", "server_tokens off;\n    return 301 https://$host$uri;")

    monkeypatch.setitem(FIXERS, "SG407", Fixer("SG407", "test", {"nginx": harmful}))
    text = "server {\n    listen 80;\n    server_tokens on;\n}\n"
    outcome = fix_snippet(Snippet(text, "nginx", "s"))
    assert outcome.text == text and outcome.fixed == 0 and "SG402" in outcome.note


def test_cannot_fix_is_a_quiet_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, spots: object) -> str:
        raise CannotFix("no")

    monkeypatch.setitem(FIXERS, "SG408", Fixer("SG408", "test", {"nginx": refuse}))
    text = "server {\n    listen 80;\n    autoindex on;\n}\n"
    assert fix_snippet(Snippet(text, "nginx", "s")).text == text


# -- the command line ---------------------------------------------------------------------------
def test_diff_previews_and_fix_rewrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "compose.yaml"
    insecure = 'services:\r\n  db:\r\n    image: postgres:15\r\n    ports:\r\n      - "5432:5432"\r\n'
    target.write_bytes(insecure.encode())
    assert main(["check", "--no-programs", "--diff", str(target)]) == 1
    out = capsys.readouterr()
    assert '-      - "5432:5432"' in out.out and '+      - "127.0.0.1:5432:5432"' in out.out
    assert target.read_bytes() == insecure.encode(), "--diff changes nothing"
    assert main(["check", "--no-programs", "--fix", str(target)]) == 0
    assert "fixed 1 finding(s) in 1 file(s)" in capsys.readouterr().err
    assert target.read_bytes() == insecure.replace('"5432:5432"', '"127.0.0.1:5432:5432"').encode()  # CRLF kept
    assert main(["check", "--no-programs", "--diff", str(target)]) == 0


def test_fix_reports_what_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "setup.sh"
    target.write_text("chmod 777 /srv/media\nchmod o+w /srv/films\n", encoding="utf-8")
    assert main(["check", "--no-programs", "--fix", str(target)]) == 1
    out = capsys.readouterr().out
    assert f"{target}:2:7  SG301" in out and f"{target}:1:" not in out
    assert target.read_text(encoding="utf-8") == "chmod 755 /srv/media\nchmod o+w /srv/films\n"
