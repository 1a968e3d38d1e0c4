"""Proofs for the remote-access page: a login in front (nginx auth_request, Caddy forward_auth,
with an Authelia stand-in), and the LAN-only entrance for phones and TVs (nginx).

Same lab as test_proxy.py (the API double behind Docker-style publishing on
127.0.0.1:3001); the Authelia stand-in (authdouble.py) listens on the host's
127.0.0.1:9091 as the page says Authelia does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from proofs.components import (
    DB_PASSWORD,
    DOMAIN,
    HOSTILE_HTTP_LEVEL,
    Proxy,
    caddy_test_globals,
    caddy_version,
    clean_dir,
    ensure_node_modules,
    make_certs,
    nginx_version,
    published,
    start_api_double,
    start_caddy,
    start_nginx,
    substitute,
)
from proofs.netlab import (
    GATEWAY,
    LAN_CLIENT,
    LAN_HOST,
    WAN_CLIENT,
    WAN_HOST,
    Lab,
    docker_host,
    fresh_lab,
    wait_for,
)

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NGINX_LOGIN = "nginx/desterlib-login.conf"
CADDY_LOGIN = "caddy/Caddyfile.login"
NGINX_LAN = "nginx/desterlib-lan.conf"
NGINX_SITE = "nginx/desterlib.conf"
SIGNED_IN = {"Cookie": "authelia_session=signed-in"}
PORTAL = "https://auth.example.com/"


@pytest.fixture(scope="module")
def node_modules() -> None:
    ensure_node_modules()


def start_auth_double(lab: Lab, workdir: Path) -> Path:
    log = workdir / "authdouble.log"
    lab.start("host", [sys.executable, str(Path(__file__).with_name("authdouble.py")), "9091"], log=log)
    wait_for(lambda: log.is_file() and "listening" in log.read_text(), "the Authelia stand-in")
    return log


def nginx_login(lab: Lab, workdir: Path, text: str) -> Proxy:
    docker_host(lab)
    double = start_api_double(lab, workdir)
    start_auth_double(lab, workdir)
    certs = make_certs(workdir, names=(DOMAIN, "auth.example.com"))
    site = substitute(text, {
        f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem": str(certs.cert),
        f"/etc/letsencrypt/live/{DOMAIN}/privkey.pem": str(certs.key),
        "/var/log/nginx/desterlib.access.log": str(workdir / "access.log"),
        "/var/log/nginx/desterlib.error.log": str(workdir / "error-site.log"),
        "root /var/www/html;": f"root {workdir};",
    }, NGINX_LOGIN)
    start_nginx(lab, workdir, [HOSTILE_HTTP_LEVEL, site])
    return Proxy(lab, certs, double, workdir, workdir / "access.log")


def caddy_login(lab: Lab, workdir: Path, text: str) -> Proxy:
    docker_host(lab)
    double = start_api_double(lab, workdir)
    start_auth_double(lab, workdir)
    certs = make_certs(workdir, names=(DOMAIN, "auth.example.com"))
    site = substitute(text, {
        "/var/log/caddy/desterlib-access.log": str(workdir / "access.log"),
        f"{DOMAIN} {{\n": f"{DOMAIN} {{\n\ttls {certs.cert} {certs.key}\n",
        "auth.example.com {\n": f"auth.example.com {{\n\ttls {certs.cert} {certs.key}\n",
    }, CADDY_LOGIN)
    start_caddy(lab, workdir, caddy_test_globals(workdir) + site)
    return Proxy(lab, certs, double, workdir, workdir / "access.log")


def check_login_required(px: Proxy) -> str:
    before = len(px.double.requests())
    for path in ("/api/v1/movies", "/health"):
        got = px.one("a", path=path)
        assert got.get("status") == 302, f"{path} without signing in was not sent to the portal: {got}"
        assert got["headers"].get("location", "").startswith(PORTAL), f"{path}: redirect elsewhere: {got}"
    ws = px.probe("a", "ws")
    assert ws.get("status") == 302, f"/ws without signing in was not sent to the portal: {ws}"
    assert px.double.requests()[before:] == [], "requests without a login reached the API"
    return "not signed in: /api/v1/movies, /health and /ws get a 302 to the portal; nothing reaches the API"


def check_signed_in(px: Proxy) -> str:
    got = px.one("a", path="/api/v1/movies", headers=SIGNED_IN)
    assert got.get("status") == 200, f"a signed-in request did not reach the API: {got}"
    ws = px.probe("a", "ws", headers=SIGNED_IN)
    assert ws.get("status") == 101, f"a signed-in /ws did not upgrade: {ws}"
    logs = px.one("a", path="/api/v1/logs", headers=SIGNED_IN)
    assert logs.get("status") == 403 and DB_PASSWORD not in logs.get("body", ""), f"logs open after login: {logs}"
    return "signed in: the API answers, /ws upgrades, /api/v1/logs is still refused (403)"


def check_portal(px: Proxy) -> str:
    got = px.one("a", path="/", host_header="auth.example.com", sni="auth.example.com")
    assert got.get("status") == 200 and "Authelia login portal" in got.get("body", ""), f"portal: {got}"
    return "https://auth.example.com/ reaches the login portal"


def check_portal_limit(px: Proxy) -> str:
    """nginx only: the portal is rate-limited, and its refusals reach the site's error log, the file
    the monitoring page's fail2ban jail reads (its stock nginx-limit-req expression, <HOST> filled in)."""
    flood = px.ask("a", path="/", host_header="auth.example.com", sni="auth.example.com", count=40)
    statuses = [r.get("status") for r in flood]
    assert 429 in statuses, f"the portal was never rate-limited: {statuses}"
    stock = re.compile(r'\[[a-z]+\] \d+#\d+: \*\d+ limiting requests, excess: [\d\.]+ by zone "(?:[^"]+)", client: '
                       + re.escape(WAN_CLIENT["a"]) + r", server: auth\.example\.com,")
    error_log = (px.workdir / "error-site.log").read_text(encoding="utf-8", errors="replace")
    assert stock.search(error_log), f"the portal's refusals are not in the site's error log:\n{error_log[-800:]}"
    return "the portal answers 429 to a flood, and the refusals are in the site's error log for fail2ban"


LOGIN_CHECKS: dict[str, Callable[[Proxy], str]] = {
    "login-required": check_login_required,
    "signed-in": check_signed_in,
    "portal": check_portal,
}


def login_proof(make: Callable[[Lab, Path, str], Proxy], text: str, broken: str, workdir: Path) -> list[str]:
    with fresh_lab() as lab:
        px = make(lab, clean_dir(workdir / "published"), text)
        checks = [check(px) for check in LOGIN_CHECKS.values()]
    assert broken != text, "the mutation changed nothing: the file moved on"
    with fresh_lab() as lab:
        px = make(lab, clean_dir(workdir / "mutation"), broken)
        with pytest.raises(AssertionError, match="without signing in was not sent to the portal"):
            check_login_required(px)
    return [*checks, "mutation 'login line removed' makes the login-required check fail"]


def test_nginx_login(tmp_path: Path, node_modules: None, proof) -> None:
    text = published(NGINX_LOGIN)
    broken = text.replace("    auth_request /internal/authelia/authz;\n", "")
    checks = login_proof(nginx_login, text, broken, tmp_path)
    with fresh_lab() as lab:
        checks.append(check_portal_limit(nginx_login(lab, clean_dir(tmp_path / "portal"), text)))
    # The portal server's own error_log line is what sends its refusals to fail2ban's file.
    portal_log = "    access_log /var/log/nginx/desterlib.access.log;\n    error_log /var/log/nginx/desterlib.error.log;\n\n" \
                 "    location / {\n        limit_req zone=desterlib burst=20"
    no_log = text.replace(portal_log, portal_log.replace("    error_log /var/log/nginx/desterlib.error.log;\n", ""))
    assert no_log != text, "mutation 'portal error_log removed' changed nothing: the file moved on"
    with fresh_lab() as lab, pytest.raises(AssertionError, match="not in the site's error log"):
        check_portal_limit(nginx_login(lab, clean_dir(tmp_path / "portal-mutation"), no_log))
    checks.append("mutation 'portal error_log removed' makes the portal-limit check fail")
    proof.record("login-nginx", snippets=[NGINX_LOGIN], components={"nginx": nginx_version()},
                 summary="nginx auth_request with Authelia's endpoint (stand-in): everything behind the login, /ws too; "
                         "the portal's rate-limit refusals reach the site's error log",
                 checks=checks)


def test_caddy_login(tmp_path: Path, node_modules: None, proof) -> None:
    text = published(CADDY_LOGIN)
    broken = re.sub(r"\tforward_auth 127\.0\.0\.1:9091 \{.*?\n\t\}\n", "", text, flags=re.S)
    checks = login_proof(caddy_login, text, broken, tmp_path)
    proof.record("login-caddy", snippets=[CADDY_LOGIN], components={"caddy": caddy_version()},
                 summary="Caddy forward_auth with Authelia's endpoint (stand-in): everything behind the login, /ws too",
                 checks=checks)


# --- the LAN-only entrance ------------------------------------------------------------------------

def nginx_lan(lab: Lab, workdir: Path, lan_text: str) -> Proxy:
    docker_host(lab, lan=True)
    double = start_api_double(lab, workdir)
    certs = make_certs(workdir)
    site = substitute(published(NGINX_SITE), {
        f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem": str(certs.cert),
        f"/etc/letsencrypt/live/{DOMAIN}/privkey.pem": str(certs.key),
        "/var/log/nginx/desterlib.access.log": str(workdir / "access.log"),
        "/var/log/nginx/desterlib.error.log": str(workdir / "error-site.log"),
        "root /var/www/html;": f"root {workdir};",
    }, NGINX_SITE)
    lan = substitute(lan_text, {"/var/log/nginx/desterlib-lan.access.log": str(workdir / "lan.log")}, NGINX_LAN)
    start_nginx(lab, workdir, [HOSTILE_HTTP_LEVEL, site, lan])
    return Proxy(lab, certs, double, workdir, workdir / "lan.log")


def lan_ask(px: Proxy, role: str = "lan", **spec) -> dict:
    base = {"op": "http", "address": LAN_HOST, "port": 3001, "tls": False, "host_header": f"{LAN_HOST}:3001"}
    return px.lab.probe(role, {**base, **spec})[0]


def check_lan_devices(px: Proxy) -> str:
    got = lan_ask(px, path="/api/v1/movies")
    assert got.get("status") == 200, f"a LAN device could not use the API: {got}"
    settings = lan_ask(px, path="/api/v1/settings")
    assert settings.get("status") == 200, f"a LAN device could not reach the settings: {settings}"
    for path in ("/api/v1/logs", "/API/V1/LOGS", "/api/docs"):
        blocked = lan_ask(px, path=path)
        assert blocked.get("status") == 403, f"{path} was not blocked for LAN devices: {blocked}"
    seen = px.double.requests()[-1]
    assert seen["hostname"] == LAN_HOST and seen["peer"] in (GATEWAY, f"::ffff:{GATEWAY}"), f"API saw {seen}"
    return "a LAN device uses http://192.168.1.10:3001 (settings included); logs and docs get 403"


def check_lan_names(px: Proxy) -> str:
    before = len(px.double.requests())
    for name in ("evil.example", "localhost"):
        got = lan_ask(px, path="/api/v1/movies", host_header=name)
        assert "error" in got, f"Host: {name} on the LAN entrance was answered: {got}"
    assert px.double.requests()[before:] == [], "another name reached the API"
    return "other names (a DNS-rebinding page, localhost) get no answer"


def check_lan_origin(px: Proxy) -> str:
    address = {"address": LAN_HOST, "port": 3001, "tls": False, "host_header": f"{LAN_HOST}:3001"}
    plain = px.lab.probe("lan", {"op": "ws", **address})
    own = px.lab.probe("lan", {"op": "ws", **address, "headers": {"Origin": f"http://{LAN_HOST}:3001"}})
    foreign = px.lab.probe("lan", {"op": "ws", **address, "headers": {"Origin": "https://evil.example"}})
    assert plain.get("status") == 101 and own.get("status") == 101, f"/ws refused the apps: {plain} {own}"
    assert foreign.get("status") == 403, f"/ws accepted a foreign page: {foreign}"
    return "/ws upgrades for the apps and the server's own page, 403 for another site's page"


def check_lan_only(px: Proxy) -> str:
    got = lan_ask(px, role="ineta", path="/api/v1/movies")
    assert got.get("status") == 403, f"a visitor from outside the LAN used the LAN entrance: {got}"
    return f"a visitor from {WAN_HOST['a']}'s side is refused (403) on the LAN entrance"


LAN_CHECKS: dict[str, Callable[[Proxy], str]] = {
    "devices": check_lan_devices,
    "names": check_lan_names,
    "origin": check_lan_origin,
    "lan-only": check_lan_only,
}


def test_lan_entrance(tmp_path: Path, node_modules: None, proof) -> None:
    text = published(NGINX_LAN)
    with fresh_lab() as lab:
        px = nginx_lan(lab, clean_dir(tmp_path / "published"), text)
        checks = [check(px) for check in LAN_CHECKS.values()]
    for index, (mutation, (mutate, check, expected)) in enumerate(LAN_MUTATIONS.items()):
        broken = mutate(text)
        assert broken != text, f"mutation {mutation!r} changed nothing"
        with fresh_lab() as lab:
            px = nginx_lan(lab, clean_dir(tmp_path / f"mutation{index}"), broken)
            with pytest.raises(AssertionError, match=expected):
                LAN_CHECKS[check](px)
        checks.append(f"mutation '{mutation}' makes the '{check}' check fail")
    proof.record("lan-entrance", snippets=[NGINX_LAN], components={"nginx": nginx_version()},
                 summary=f"LAN entrance on {LAN_HOST}:3001 with the API on 127.0.0.1:3001 ({LAN_CLIENT} as a phone)",
                 checks=checks)


LAN_MUTATIONS = {
    "deny all removed": (lambda t: t.replace("    deny all;\n", ""), "lan-only", "used the LAN entrance"),
    "catch-all removed": (lambda t: re.sub(r"server \{\n    listen 192\.168\.1\.10:3001 default_server;.*?\n\}\n", "",
                                           t, flags=re.S), "names", "was answered"),
}

