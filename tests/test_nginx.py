"""nginx snippets: the crossplane-based kind, the SG4xx rules (gixy-ng and our own), and their fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import snippetguard
from snippetguard import RULES, Snippet, check_snippet
from snippetguard.kinds.nginx import parse_nginx
from snippetguard.registry import ParseError
from snippetguard.rules import nginx as nginx_rules

from conftest import marked

FIXTURES = Path(__file__).parent / "fixtures" / "nginx"
NGINX_RULES = sorted(code for code in RULES if code.startswith("SG4"))


def check(text: str) -> list[tuple[str, int]]:
    result = check_snippet(Snippet(text, "nginx", "test.conf"))
    return sorted((f.rule, f.line) for f in result.findings)



def test_rules_are_registered_for_nginx() -> None:
    assert [f"SG4{n:02d}" for n in range(1, 17)] == NGINX_RULES
    for code in NGINX_RULES:
        rule = RULES[code]
        assert rule.kinds == ("nginx",)
        assert rule.why and rule.fix and rule.guide.startswith("security/https.md#")
        assert rule.insecure and rule.secure


# Every rule's own insecure and secure examples run in tests/test_rule_examples.py.


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("SG4*/*.conf")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    """gixy-ng style: each check has its own fixtures; bad ones mark every expected finding, good ones none."""
    text = path.read_text(encoding="utf-8")
    expected = marked(text)
    if path.name.startswith("bad-"):
        assert any(code == path.parent.name for code, _ in expected), "a bad fixture marks its own rule"
    else:
        assert expected == []
    assert check(text) == expected


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("sound/*.conf")), ids=lambda p: p.name)
def test_sound_home_server_proxy_is_quiet(path: Path) -> None:
    """WebSocket upgrades, the map idiom, $host, default ciphers, an HTTPS redirect, a pre-Certbot block."""
    assert check(path.read_text(encoding="utf-8")) == []


def test_documentation_snippets_are_quiet() -> None:
    docs = Path(__file__).parent.parent / "docs" / "snippets" / "nginx"
    for path in sorted(docs.glob("*.conf")):
        assert check(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("server {\n    listen 80;\n}\n", "http"),
        ("location / {\n    return 204;\n}\n", "server"),
        ("proxy_pass http://127.0.0.1:3001;\nproxy_set_header Host $host;\n", "location"),
        ("listen 80;\nserver_name media.example.com;\n", "server"),
        ("map $http_upgrade $connection_upgrade {\n    default upgrade;\n}\n", "http"),
        ("events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n", "main"),
        ("server {\n    listen 5432;\n    proxy_pass 127.0.0.1:15432;\n}\n", "stream"),
    ],
)
def test_snippet_is_read_in_its_own_context(text: str, context: str) -> None:
    assert parse_nginx(text).context.name == context


def test_line_numbers_are_the_snippets_own() -> None:
    conf = parse_nginx("# a comment\nlocation / {\n\n    proxy_pass http://127.0.0.1:3001;\n}\n")
    assert [(d.name, d.line) for d in conf.walk()] == [("location", 2), ("proxy_pass", 4)]
    assert conf.wrapped.split("\n")[3].strip() == "proxy_pass http://127.0.0.1:3001;"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("server {\n    listen 80;\n    location / {\n        return 204;\n\n}\n", 1, "never closed"),
        ("server {\n    listen 80;\n}\n}\n", 4, 'unexpected "}"'),
        ("server {\n    listen 80;\n    root /srv\n}\n", 3, 'not terminated by ";"'),
        ("server {\n    add_header X-A \"abc;\n}\n", 2, "quoted string"),
        ("server {\n    listen;\n}\n", 2, "invalid number of arguments"),
        ("server {\n    location / {\n        listen 80;\n    }\n}\n", 3, "not allowed here"),
        ("server_name x;\nlisten 80;\nproxy_pass http://127.0.0.1:3001;\n", 3, "not allowed here"),
        ("listen 80", 1, 'not terminated by ";"'),
        ("# only a comment\n", 1, "empty"),
    ],
)
def test_parse_error_is_sg001_at_its_line(text: str, line: int, words: str) -> None:
    result = check_snippet(Snippet(text, "nginx", "broken.conf"))
    assert [(f.rule, f.line) for f in result.findings] == [("SG001", line)]
    assert words in result.findings[0].message
    assert not result.parsed


def test_invalid_listen_parameter_is_left_to_nginx() -> None:
    """crossplane does not know listen's parameters: `listen 80 server_name x;` parses; nginx -t rejects it."""
    conf = parse_nginx("server {\n    listen 80\n    server_name x;\n}\n")
    assert conf.directives[0].children()[0].args == ["80", "server_name", "x"]


def test_gixy_never_runs_on_a_config_crossplane_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    """gixy reports "no issues" on a config it cannot parse; the rules never hand it one."""
    import gixy.core.manager

    from snippetguard.rules import nginx as nginx_rules

    calls: list[str] = []
    real = gixy.core.manager.Manager.audit

    def spy(self: object, file_path: str, *args: object, **kwargs: object) -> object:
        # gixy audits the nginx kind's own crossplane parse of the wrapped text (no second lexing)
        payload = nginx_rules._PARSED[file_path]
        calls.append(payload["config"][0]["file"] and _wrapped_text(payload))
        return real(self, file_path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gixy.core.manager.Manager, "audit", spy)
    broken = "server {\n    location /files {\n        alias /srv/files/;\n    }\n"  # unclosed server
    result = check_snippet(Snippet(broken, "nginx", "broken.conf"))
    assert [f.rule for f in result.findings] == ["SG001"]
    assert calls == []
    fixed = broken + "}\n"
    result = check_snippet(Snippet(fixed, "nginx", "fixed.conf"))
    assert [(f.rule, f.line) for f in result.findings] == [("SG401", 3)]
    assert len(calls) == 1, "gixy runs once per snippet, however many rules read its issues"
    assert calls[0] == "http > server > location /files > alias /srv/files/; (line 3)"


def _wrapped_text(payload: dict[str, object]) -> str:
    """The innermost directive of a crossplane payload, with its path of blocks and its line."""
    stmts = payload["config"][0]["parsed"]  # type: ignore[index]
    path: list[str] = []
    while stmts:
        stmt = next(s for s in stmts if s["directive"] != "#")
        label = " ".join([stmt["directive"], *stmt.get("args", [])])
        if "block" not in stmt:
            return " > ".join([*path, label + ";"]) + f" (line {stmt['line']})"
        path.append(label)
        stmts = stmt["block"]
    return " > ".join(path)


def test_gixy_is_configured_once_with_only_the_mapped_plugins() -> None:
    config = nginx_rules._gixy_config()
    assert nginx_rules._gixy_config() is config
    assert sorted(config.plugins) == sorted(nginx_rules.GIXY_PLUGINS)
    assert set(nginx_rules.GIXY_PLUGINS.values()) <= set(NGINX_RULES)
    assert config.allow_includes is False  # a snippet's includes are the reader's files, not ours


def test_gixy_crash_fails_closed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(conf: object) -> list[object]:
        raise RuntimeError("gixy exploded")

    monkeypatch.setattr(nginx_rules, "_run_gixy", boom)
    result = check_snippet(Snippet("server {\n    listen 80;\n}\n", "nginx", "x.conf"))
    assert [f.rule for f in result.findings] == ["SG000"]
    assert "gixy exploded" in result.findings[0].message


def test_add_header_redefinition_reports_the_nested_block_not_the_parent() -> None:
    text = ("server {\n    listen 80;\n    add_header X-Frame-Options DENY;\n    location / {\n"
            "        proxy_pass http://127.0.0.1:3001;\n        add_header X-Request-Id $request_id;\n    }\n}\n")
    assert check(text) == [("SG405", 6)]


def test_low_severity_header_redefinition_is_not_a_finding() -> None:
    """Dropping a non-security header (Cache-Control: public) is nginx semantics, not a risk."""
    text = ("server {\n    listen 80;\n    add_header Cache-Control public;\n    location / {\n"
            "        add_header X-Served-By desterlib;\n        proxy_pass http://127.0.0.1:3001;\n    }\n}\n")
    assert check(text) == []


def test_missing_server_tokens_and_ciphers_are_not_findings() -> None:
    """gixy also reports settings that are merely absent; a snippet is an excerpt, so only explicit ones count."""
    text = ("server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/certs/x.pem;\n"
            "    ssl_certificate_key /etc/ssl/private/x.key;\n}\n")
    assert check(text) == []


def test_nginx_kind_is_registered() -> None:
    kind = snippetguard.KINDS["nginx"]
    assert kind.title == "nginx" and "gixy-ng" in kind.checks
    with pytest.raises(ParseError):
        kind.parse("server {")
