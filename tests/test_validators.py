"""Validation by the real programs: docker compose config, nginx -t, caddy adapt, shellcheck (SG601-SG604)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from snippetguard import RULES, Snippet, check_snippet, programs
from snippetguard.engine import Result
from snippetguard.validators import ProgramMissing, checks_for, validate
from snippetguard.validators import nginx as nginx_validator
from snippetguard.validators.base import Cache, Counters, Job
from snippetguard.validators.caddy import CaddyAdapt
from snippetguard.validators.compose import ComposeConfig, error_line
from snippetguard.validators.nginx import NginxTest
from snippetguard.validators.shell import ShellCheck, console_commands, is_console

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parent.parent / "docs" / "snippets"
PROGRAMS = {"compose": ComposeConfig, "nginx": NginxTest, "caddy": CaddyAdapt, "shell": ShellCheck}
CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require(kind: str) -> list[str]:
    """The program for `kind`; without it, skip locally but fail under CI=true (never a silent skip there)."""
    validator = PROGRAMS[kind]()
    command = validator.locate()
    if command is None:
        message = f"{validator.program} is not installed ({validator.install_hint})"
        if CI:
            pytest.fail(f"{message}; CI=true requires the real programs")
        pytest.skip(f"{message}; CI=true makes this a failure")
    return command


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SNIPPETGUARD_CACHE_DIR", str(cache))
    monkeypatch.delenv("SNIPPETGUARD_PROGRAMS", raising=False)
    return cache


def results_for(*snippets: Snippet) -> list[Result]:
    """Parsed results; shell snippets bypass the shell kind (another module) so these tests stand alone."""
    out = []
    for snippet in snippets:
        out.append(Result(snippet, parsed=True) if snippet.kind == "shell" else check_snippet(snippet))
    return out


def program_findings(result: Result) -> list[tuple[str, int]]:
    return sorted((f.rule, f.line) for f in result.findings if f.rule in ("SG601", "SG602", "SG603", "SG604"))


def run_for(report: object, name: str) -> object:
    return next(r for r in report.runs if r.validator == name)  # type: ignore[attr-defined]


# --- every program rule: the snippet its program rejects, and the one it accepts -------------------------------


@pytest.mark.parametrize("code", ["SG601", "SG602", "SG603", "SG604"])
def test_rule_examples(code: str) -> None:
    rule = RULES[code]
    assert rule.check is None and rule.why and rule.fix
    kind = rule.kinds[0]
    require(kind)
    (insecure,), (secure,) = rule.insecure, rule.secure
    bad, good = results_for(Snippet(insecure.text, kind, "bad"), Snippet(secure.text, kind, "good"))
    validate([bad, good])
    assert program_findings(bad) == [(code, insecure.line)]
    assert program_findings(good) == []


# --- docker compose config -------------------------------------------------------------------------------------


def test_compose_required_variables_env_file_and_no_stray_dotenv(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    require("compose")
    # A .env in the directory the build runs from must not leak in: it would make the port invalid.
    (tmp_path / ".env").write_text("API_PORT=not-a-port\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    text = (
        "services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set a password in .env}\n  api:\n    image: desterlib/api\n"
        "    env_file: .env\n    ports:\n      - \"${API_PORT:-3001}:3001\"\n    volumes:\n"
        "      - ${HOST_MEDIA_PATH}:/media:ro\n    depends_on:\n      postgres:\n        condition: service_healthy\n"
    )
    (result,) = results_for(Snippet(text, "compose", "stack.yml"))
    report = validate([result])
    assert program_findings(result) == []
    assert report.programs_for(result.snippet) == ["docker compose config"]


def test_compose_error_lines() -> None:
    require("compose")
    text = "services:\n  api:\n    image: desterlib/api\n    ports:\n      - \"3001:3001\"\n      - \"abc:3002\"\n"
    (result,) = results_for(Snippet(text, "compose", "ports.yml"))
    validate([result])
    assert program_findings(result) == [("SG601", 6)]
    assert "abc" in result.findings[0].message


def test_compose_messages_map_to_lines() -> None:
    text = ("services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${PW:?x}\n"
            "  api:\n    image: a\n    depends_on: [nope]\n")
    assert error_line(text, "error while interpolating services.db.environment.POSTGRES_PASSWORD: required") == 5
    assert error_line(text, 'service "api" depends on undefined service "nope": invalid compose project') == 8
    assert error_line(text, "validating x: services.api additional properties 'imagex' not allowed") == 7
    assert error_line(text, "failed to parse x: yaml: line 3: did not find expected key") == 3
    assert error_line(text, "something else entirely") == 1


# --- nginx -t --------------------------------------------------------------------------------------------------


def _server(n: int, body: str = "return 204;") -> str:
    return f"server {{\n    listen 80;\n    server_name s{n}.example.com;\n    location / {{\n        {body}\n    }}\n}}\n"


def test_nginx_batch_attributes_every_error_to_its_snippet() -> None:
    require("nginx")
    texts = [_server(n) for n in range(12)]
    texts[3] = _server(3, "proxy_set_headers Host $host;")  # line 5: unknown directive
    texts[7] = "server {\n    listen 80;\n    server_name s7.example.com;\n    root /srv;\n    expires maybe;\n}\n"
    texts[9] = _server(9, "client_max_body_size 10Q;").replace("listen 80;", "listen 80 default_server;")
    texts[10] = _server(10).replace("listen 80;", "listen 80 default_server;")  # alone fine; clashes with 9
    results = results_for(*(Snippet(t, "nginx", f"s{n}.conf") for n, t in enumerate(texts)))
    assert all(r.parsed for r in results)
    report = validate(results)
    found = {n: program_findings(r) for n, r in enumerate(results) if program_findings(r)}
    assert found == {3: [("SG602", 5)], 7: [("SG602", 5)], 9: [("SG602", 5)]}
    assert 'unknown directive "proxy_set_headers"' in results[3].findings[0].message
    assert '"client_max_body_size" directive invalid value' in results[9].findings[0].message
    run = run_for(report, "nginx -t")
    assert run.snippets == 12
    assert run.processes <= 1 + 2 * 3 + 2  # one batch, then at most two runs per error or clash
    assert run.processes < 12


def test_nginx_batch_never_lends_one_snippets_definitions_to_another() -> None:
    """A snippet using $connection_upgrade without its map fails even when a neighbour defines the map."""
    require("nginx")
    definer = ("map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n}\n"
               + _server(1, "proxy_pass http://127.0.0.1:3001;"))
    user = _server(2, "proxy_set_header Connection $connection_upgrade;")
    other = _server(3)
    results = results_for(*(Snippet(t, "nginx", f"{n}.conf") for n, t in enumerate([definer, user, other])))
    validate(results)
    assert [program_findings(r) for r in results] == [[], [("SG602", 5)], []]
    assert 'unknown "connection_upgrade" variable' in results[1].findings[0].message


@pytest.mark.parametrize("path", sorted((FIXTURES / "nginx" / "sound").glob("*.conf")), ids=lambda p: p.name)
def test_nginx_accepts_what_only_a_readers_machine_has(path: Path) -> None:
    """Docker upstream names, Let's Encrypt certificates, system includes and log paths do not fail the test."""
    require("nginx")
    (result,) = results_for(Snippet(path.read_text(encoding="utf-8"), "nginx", path.name))
    validate([result])
    assert program_findings(result) == []


def test_nginx_leaves_the_host_alone() -> None:
    require("nginx")
    logs = [Path("/var/log/nginx/desterlib.access.log"), Path("/var/log/nginx/desterlib.error.log")]
    before = [p.exists() for p in logs]
    results = results_for(*(Snippet(p.read_text(encoding="utf-8"), "nginx", p.name)
                            for p in sorted((DOCS / "nginx").glob("*.conf"))))
    validate(results)
    assert [program_findings(r) for r in results] == [[] for _ in results]
    assert [p.exists() for p in logs] == before


def test_nginx_full_configuration_runs_alone_with_its_own_lines() -> None:
    require("nginx")
    text = "worker_processes 1;\nevents {}\nhttp {\n    server {\n        listen 80;\n        bogus_directive on;\n    }\n}\n"
    (result,) = results_for(Snippet(text, "nginx", "nginx.conf"))
    validate([result])
    assert program_findings(result) == [("SG602", 6)]


def test_nginx_error_parsing() -> None:
    workdir = Path("/tmp/run-x")
    placed = nginx_validator._outcome(
        1, '2026/01/01 [emerg] 1#1: unknown directive "x" in /tmp/run-x/snippet-00003.conf:5\n', workdir)
    assert (placed.ok, placed.file.endswith("snippet-00003.conf"), placed.line) == (False, True, 5)
    unplaced = nginx_validator._outcome(1, "nginx: [emerg] could not build server_names_hash\n", workdir)
    assert (unplaced.ok, unplaced.file, unplaced.line) == (False, "", 0)
    assert nginx_validator._outcome(0, "nginx: [warn] something\n", workdir).ok


def test_nginx_rewrites_keep_line_numbers(tmp_path: Path) -> None:
    from snippetguard.kinds.nginx import parse_nginx

    text = (FIXTURES / "nginx" / "sound" / "docker-upstream.conf").read_text(encoding="utf-8")
    rewritten = nginx_validator.rewrite(parse_nginx(text), tmp_path, None)
    assert len(rewritten.split("\n")) == len(text.split("\n"))
    assert "server 127.0.0.1:3001;" in rewritten and "proxy_pass http://desterlib;" in rewritten
    assert "proxy_pass http://127.0.0.1:3001/health;" in rewritten


# --- caddy adapt -----------------------------------------------------------------------------------------------


def test_caddy_program_agrees_about_the_one_line_form() -> None:
    """Our parser stops the one-line form as SG001; caddy adapt (Debian's 2.6) rejects it too, at the same line."""
    command = require("caddy")
    text = "media.example.com { reverse_proxy 127.0.0.1:3001 }\n"
    verdicts = CaddyAdapt().check(command, [Job(0, Snippet(text, "caddy", "C"), text)], 1, Counters())
    (problem,) = verdicts[0].problems
    assert problem.line == 1 and "no matching opening brace" in problem.message


def test_caddy_environment_placeholders_get_values() -> None:
    require("caddy")
    text = "{$DOMAIN} {\n\treverse_proxy {$UPSTREAM}\n}\n"
    (result,) = results_for(Snippet(text, "caddy", "Caddyfile"))
    validate([result])
    assert program_findings(result) == []


def test_caddy_error_line_inside_a_directive() -> None:
    require("caddy")
    text = "media.example.com {\n\tencode gzip\n\treverse_proxy 127.0.0.1:3001 {\n\t\tlb_policy sideways\n\t}\n}\n"
    (result,) = results_for(Snippet(text, "caddy", "Caddyfile"))
    validate([result])
    assert program_findings(result) == [("SG603", 4)]


# --- shellcheck ------------------------------------------------------------------------------------------------


def test_console_commands_keep_lines_and_columns() -> None:
    text = ("$ docker compose ps\nNAME   STATUS\napi    Up\n$ docker exec -i desterlib-postgres \\\n"
            "    psql -U postgres desterlib_prod < backup.sql\n$ cat <<'EOF' > note.txt\nhello\nEOF\nok\n")
    assert console_commands(text) == (
        "  docker compose ps\n\n\n  docker exec -i desterlib-postgres \\\n"
        "    psql -U postgres desterlib_prod < backup.sql\n  cat <<'EOF' > note.txt\nhello\nEOF\n\n"
    )
    assert console_commands("total 0\nnothing here\n") is None
    assert is_console(Snippet("$ ls\n", "shell", "x", lang="bash"))
    assert is_console(Snippet("ls\n", "shell", "x", lang="console"))
    assert not is_console(Snippet("ls\n", "shell", "x", lang="bash"))


def test_shellcheck_reads_commands_of_a_transcript_and_reports_only_errors() -> None:
    require("shell")
    transcript = Snippet("$ ls $HOME\nfile [1]\n$ if [ $n > 3 ]; then echo big; fi\n", "shell", "t.md",
                         lang="console")
    script = Snippet("#!/bin/bash\necho $UNQUOTED\ncd /srv\nread line\n", "shell", "s.sh", lang="bash")
    results = results_for(transcript, script)
    report = validate(results)
    # `file [1]` is output (not a command); SC2086, SC2164, SC2162 are info and warnings, not findings.
    assert [program_findings(r) for r in results] == [[("SG604", 3)], []]
    assert "SC2071" in results[0].findings[0].message
    assert run_for(report, "shellcheck").processes == 1  # many files, one process


def test_shellcheck_caller_can_supply_the_script() -> None:
    require("shell")
    snippet = Snippet("PS> Get-Item .\n", "shell", "x", lang="bash")
    (result,) = results_for(snippet)
    report = validate([result], script_of=lambda s: None)
    assert program_findings(result) == [] and report.programs_for(snippet) == []


# --- cache -----------------------------------------------------------------------------------------------------


def _mixed() -> list[Snippet]:
    return [
        Snippet(RULES["SG602"].insecure[0].text, "nginx", "a.conf"),
        Snippet(RULES["SG602"].secure[0].text, "nginx", "b.conf"),
        Snippet(RULES["SG604"].insecure[0].text, "shell", "c.sh"),
        Snippet(RULES["SG601"].secure[0].text, "compose", "d.yml"),
    ]


def test_cache_cold_then_warm(isolated_cache: Path) -> None:
    for kind in ("nginx", "shell", "compose"):
        require(kind)
    cold_results = results_for(*_mixed())
    cold = validate(cold_results)
    assert sum(r.cached for r in cold.runs) == 0 and sum(r.processes for r in cold.runs) > 0
    warm_results = results_for(*_mixed())
    warm = validate(warm_results)
    assert sum(r.processes for r in warm.runs) == 0
    assert len(warm.timings()) == 3 and all("0 process(es)" in line for line in warm.timings())
    assert sum(r.cached for r in warm.runs) == 4
    assert [program_findings(r) for r in warm_results] == [program_findings(r) for r in cold_results]
    assert [f.message for r in warm_results for f in r.findings] == [f.message for r in cold_results for f in r.findings]
    files = list(isolated_cache.rglob("*"))
    assert not [f for f in files if f.name.startswith(".tmp-")], "atomic writes leave no temporary files"
    entries = [f for f in files if f.suffix == ".json"]
    assert len(entries) == 4 and all("problems" in json.loads(f.read_text()) for f in entries)


def test_cache_key_depends_on_text_kind_validator_and_version() -> None:
    nginx, caddy = NginxTest(), CaddyAdapt()
    job = Job(0, Snippet("server {}\n", "nginx", "a"), "server {}\n")
    other_text = Job(0, Snippet("server { }\n", "nginx", "a"), "server { }\n")
    moved = Job(5, Snippet("server {}\n", "nginx", "elsewhere.md", line_offset=40), "server {}\n")
    key = Cache.key(nginx, "1.22.1", job)
    assert key == Cache.key(nginx, "1.22.1", moved), "where a snippet sits does not matter, only what it says"
    assert len({key, Cache.key(nginx, "1.22.1", other_text), Cache.key(nginx, "1.24.0", job),
                Cache.key(caddy, "1.22.1", job)}) == 4


def test_corrupt_cache_entry_is_a_miss(isolated_cache: Path) -> None:
    require("nginx")
    snippet = Snippet(RULES["SG602"].insecure[0].text, "nginx", "a.conf")
    validate(results_for(snippet))
    (entry,) = isolated_cache.rglob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    (result,) = results_for(snippet)
    report = validate([result])
    assert run_for(report, "nginx -t").processes >= 1 and program_findings(result) == [("SG602", 5)]
    assert json.loads(entry.read_text())["problems"]


def test_two_builds_at_once_share_the_cache() -> None:
    require("nginx")
    texts = [_server(n) for n in range(6)] + [_server(9, "proxy_set_headers Host $host;")]
    outcomes: list[list[list[tuple[str, int]]]] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results = results_for(*(Snippet(t, "nginx", f"{n}.conf") for n, t in enumerate(texts)))
            validate(results)
            outcomes.append([program_findings(r) for r in results])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(outcomes) == 3 and all(o == outcomes[0] for o in outcomes)
    assert outcomes[0][-1] == [("SG602", 5)]


def test_program_failure_fails_the_snippet_and_is_not_cached(isolated_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    require("caddy")
    from snippetguard.validators import caddy as caddy_validator

    def hang(*args: object, **kwargs: object) -> object:
        raise subprocess.TimeoutExpired(cmd="caddy", timeout=60)

    monkeypatch.setattr(caddy_validator, "run", hang)
    (result,) = results_for(Snippet(RULES["SG603"].secure[0].text, "caddy", "Caddyfile"))
    report = validate([result])
    assert program_findings(result) == [("SG603", 1)] and "did not finish" in result.findings[0].message
    assert run_for(report, "caddy adapt").failed == 1
    assert not list(isolated_cache.rglob("*.json"))
    assert report.programs_for(result.snippet) == []


# --- turning programs off, missing programs --------------------------------------------------------------------


def test_programs_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checks_for("nginx") == ["nginx -t"]
    assert checks_for("compose") == ["docker compose config"]
    assert checks_for("caddy") == ["caddy adapt"] and checks_for("shell") == ["shellcheck"]
    assert checks_for("markdown") == []
    monkeypatch.setenv("SNIPPETGUARD_PROGRAMS", "0")
    assert checks_for("nginx") == []
    (result,) = results_for(Snippet(RULES["SG602"].insecure[0].text, "nginx", "a.conf"))
    report = validate([result])
    assert report.disabled and report.runs == [] and program_findings(result) == []
    assert "SNIPPETGUARD_PROGRAMS=0" in report.notes()[0]


def _hide_programs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    monkeypatch.setattr(programs, "SBIN", ())
    monkeypatch.setattr(programs, "pinned", lambda program: None)


def _two_nginx_one_caddy() -> list[Result]:
    return results_for(
        Snippet(_server(1), "nginx", "a.conf"),
        Snippet(_server(2), "nginx", "b.conf"),
        Snippet(RULES["SG603"].secure[0].text, "caddy", "Caddyfile"),
    )


def test_missing_program_under_ci_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _hide_programs(monkeypatch, tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(ProgramMissing) as caught:
        validate(_two_nginx_one_caddy())
    message = str(caught.value)
    assert "nginx not found: 2 snippet(s) not checked by `nginx -t`" in message
    assert "caddy not found: 1 snippet(s) not checked by `caddy adapt`" in message and "install: pip install" in message
    assert [m.program for m in caught.value.missing] == ["nginx", "caddy"]


def test_missing_program_locally_is_reported_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _hide_programs(monkeypatch, tmp_path)
    monkeypatch.delenv("CI", raising=False)
    results = _two_nginx_one_caddy()
    report = validate(results)
    assert [(m.program, m.snippets) for m in report.missing] == [("nginx", 2), ("caddy", 1)]
    lines = report.notes()
    assert sum("nginx not found" in line for line in lines) == 1
    assert sum("caddy not found" in line for line in lines) == 1
    assert all(program_findings(r) == [] for r in results) and report.checked_by == {}


# --- directives: ignore[...] and expect[...] now that programs speak -------------------------------------------


def test_ignore_directive_silences_a_program_finding() -> None:
    require("nginx")
    text = ("server {\n    listen 80;\n    location / {\n"
            "        client_max_body_size 10X;  # snippetguard: ignore[SG602] shows a unit nginx does not know\n"
            "    }\n}\n")
    (result,) = results_for(Snippet(text, "nginx", "a.conf"))
    assert result.findings == []  # before the programs ran, SG602 is unjudged: not "silences nothing"
    validate([result])
    assert result.findings == []


def test_counter_example_expecting_a_program_rule() -> None:
    require("nginx")
    text = "# snippetguard: expect[SG602] a typo nginx rejects\n" + RULES["SG602"].insecure[0].text
    (result,) = results_for(Snippet(text, "nginx", "typo.conf"))
    assert result.findings == []  # the engine alone cannot judge SG602: neither confirmed nor refuted yet
    validate([result])
    assert result.findings == []
    fixed = "# snippetguard: expect[SG602] a typo nginx rejects\n" + RULES["SG602"].secure[0].text
    (result,) = results_for(Snippet(fixed, "nginx", "fixed.conf"))
    validate([result])
    assert [f.rule for f in result.findings] == ["SG006"]
    assert "no longer triggers SG602" in result.findings[0].message


def test_counter_example_is_not_failed_when_programs_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNIPPETGUARD_PROGRAMS", "0")
    text = "# snippetguard: expect[SG602] a typo nginx rejects\n" + RULES["SG602"].insecure[0].text
    (result,) = results_for(Snippet(text, "nginx", "typo.conf"))
    validate([result])
    assert result.findings == []


def test_children_of_a_markdown_page_are_validated() -> None:
    require("nginx")
    page = "# Proxy\n\n```nginx\n" + RULES["SG602"].insecure[0].text + "```\n"
    result = check_snippet(Snippet(page, "markdown", "docs/proxy.md"))
    validate([result])
    assert [(f.rule, f.line) for f in result.all_findings()] == [("SG602", 3 + 5)]


def test_validating_the_same_results_again_adds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook memoises results across `mkdocs serve` rebuilds and may hand the same ones in again."""
    require("nginx")
    results = results_for(Snippet(RULES["SG602"].insecure[0].text, "nginx", "a.conf"),
                          Snippet(RULES["SG602"].secure[0].text, "nginx", "b.conf"))
    validate(results)
    first = [list(r.findings) for r in results]
    again = validate(results)
    assert [list(r.findings) for r in results] == first
    assert again.runs == [] and again.programs_for(results[1].snippet) == ["nginx -t"]


def test_a_failed_program_is_tried_again_without_repeating_its_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    require("caddy")
    from snippetguard.validators import caddy as caddy_validator

    real = caddy_validator.run

    def hang(*args: object, **kwargs: object) -> object:
        raise subprocess.TimeoutExpired(cmd="caddy", timeout=60)

    (result,) = results_for(Snippet(RULES["SG603"].insecure[0].text, "caddy", "Caddyfile"))
    monkeypatch.setattr(caddy_validator, "run", hang)
    validate([result])
    assert program_findings(result) == [("SG603", 1)]
    monkeypatch.setattr(caddy_validator, "run", real)
    validate([result])
    assert program_findings(result) == [("SG603", 2)]
    assert "reverse_proxi" in result.findings[0].message


@pytest.mark.parametrize("with_shell_kind", [True, False])
def test_default_script_reads_transcripts_with_or_without_the_shell_kind(with_shell_kind: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from snippetguard.validators.shell import default_script

    if not with_shell_kind:  # the shell kind's transcript reader is optional; ours stands in for it
        monkeypatch.setitem(sys.modules, "snippetguard.kinds.shell", None)
    transcript = Snippet("$ docker compose ps\nNAME  STATUS\n$ docker compose logs api\n", "shell", "x",
                         lang="console")
    assert default_script(transcript) == "  docker compose ps\n\n  docker compose logs api\n"
    assert default_script(Snippet("total 0\n", "shell", "x", lang="console")) is None
    assert default_script(Snippet("echo hi\n", "shell", "x", lang="bash")) == "echo hi\n"


def test_nginx_test_binds_no_port_or_socket_of_the_snippet(tmp_path: Path) -> None:
    """nginx -t binds its listening sockets: a port in use (or port 80 as a user) must not fail a snippet."""
    require("nginx")
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        unix = tmp_path / "desterlib.sock"
        text = (f"server {{\n    listen 127.0.0.1:{port} default_server;\n    listen 80;\n"
                f"    listen unix:{unix};\n    return 204;\n}}\nserver {{\n    server_name other.example.com;\n}}\n")
        clash = f"server {{\n    listen {port} default_server;\n}}\nserver {{\n    listen {port} default_server;\n}}\n"
        results = results_for(Snippet(text, "nginx", "a.conf"), Snippet(clash, "nginx", "b.conf"))
        validate(results)
    assert program_findings(results[0]) == [] and not unix.exists()
    assert program_findings(results[1]) == [("SG602", 5)]
    assert f"a duplicate default server for {port}" in results[1].findings[0].message  # the snippet's own address
