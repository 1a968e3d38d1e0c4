"""Proof 3: the guide's reverse proxies (nginx and Caddy) do what the HTTPS page says.

Set-up (netlab.docker_host): the proxy runs in a "host" namespace; the API double
(DesterLib v0.2.0's middleware) runs in a "container" namespace behind Docker's
published-port NAT on 127.0.0.1:3001, so it sees the bridge gateway as its peer, as
the real API does; two visitors come from two "internet" namespaces. The guide's
files run as published, rewritten only for the declared substitutions below.

Each proof has mutation checks: a broken variant of the file (catch-all dropped,
Host line removed, limit keyed on a header, blocks made case-sensitive, TLS line
removed, Origin check removed) must make the same verification fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from proofs.components import (
    DB_PASSWORD,
    DOMAIN,
    HOSTILE_HTTP_LEVEL,
    TMDB_KEY,
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
from proofs.netlab import GATEWAY, WAN_CLIENT, WAN_HOST, Lab, docker_host, fresh_lab

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NGINX_SITE = "nginx/desterlib.conf"
CADDYFILE = "caddy/Caddyfile"
MONITOR = "shell/monitor-429.sh"
SNIPPETS_DIR = Path(__file__).resolve().parents[2] / "docs" / "snippets"
API_LIMIT = 20  # RATE_LIMIT_MAX of the double: small, so a bounded loop can exhaust it
# Every spelling DesterLib v0.2.0's Express 4 router sends to these routes (any case, trailing slashes,
# one doubled slash after a mount point), plus %-encoded ones that only a proxy decodes.
PRIVATE_PATHS = [("GET", "/api/v1/logs"), ("DELETE", "/api/v1/logs"), ("GET", "/API/V1/LOGS"),
                 ("GET", "/api/v1//logs"), ("GET", "/api/v1/%6cogs"), ("GET", "/api/v1/logs/"),
                 ("GET", "/api/v1/logs//"), ("GET", "/api/v1%2Flogs"),
                 ("GET", "/api/v1/settings"), ("PUT", "/api/v1/settings"), ("GET", "/Api/V1/Settings"),
                 ("POST", "/api/v1/settings/first-run-complete"), ("POST", "/api/v1//settings/first-run-complete"),
                 ("GET", "/api/docs"), ("GET", "/api/docs/swagger.json"), ("GET", "/api/docs//swagger.json")]



@pytest.fixture(scope="module")
def node_modules() -> None:
    ensure_node_modules()


def nginx_proxy(lab: Lab, workdir: Path, site: str, build: str = "pinned") -> Proxy:
    docker_host(lab)
    double = start_api_double(lab, workdir, rate_limit_max=API_LIMIT)
    certs = make_certs(workdir)
    webroot = clean_dir(workdir / "webroot")
    (webroot / ".well-known" / "acme-challenge").mkdir(parents=True)
    (webroot / ".well-known" / "acme-challenge" / "token-1").write_text("acme-token-1")
    access_log = workdir / "desterlib.access.log"
    text = substitute(site, {
        f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem": str(certs.cert),
        f"/etc/letsencrypt/live/{DOMAIN}/privkey.pem": str(certs.key),
        "/var/log/nginx/desterlib.access.log": str(access_log),
        "/var/log/nginx/desterlib.error.log": str(workdir / "desterlib.error.log"),
        "root /var/www/html;": f"root {webroot};",
    }, NGINX_SITE)
    start_nginx(lab, workdir, [HOSTILE_HTTP_LEVEL, text], build=build)
    return Proxy(lab, certs, double, workdir, access_log)


def caddy_proxy(lab: Lab, workdir: Path, caddyfile: str, build: str = "pinned") -> Proxy:
    docker_host(lab)
    double = start_api_double(lab, workdir, rate_limit_max=API_LIMIT)
    certs = make_certs(workdir)
    access_log = workdir / "desterlib-access.log"
    text = substitute(caddyfile, {
        "/var/log/caddy/desterlib-access.log": str(access_log),
        f"{DOMAIN} {{\n": f"{DOMAIN} {{\n\ttls {certs.cert} {certs.key}\n",
    }, CADDYFILE)
    start_caddy(lab, workdir, caddy_test_globals(workdir) + text, build=build)
    return Proxy(lab, certs, double, workdir, access_log)


# --- what the HTTPS page promises, checked one by one -------------------------------------------

def check_redirect(px: Proxy, codes: tuple[int, ...]) -> str:
    got = px.one("a", tls=False, path="/health")
    assert got.get("status") in codes, f"http:// did not redirect: {got}"
    assert got["headers"].get("location") == f"https://{DOMAIN}/health", f"redirect target wrong: {got}"
    return f"http:// answers {got['status']} to https://{DOMAIN}/…"


def check_tls_versions(px: Proxy) -> str:
    for old in ("1.0", "1.1"):
        got = px.probe("a", "tls", min=old, max=old)
        assert not got["ok"], f"TLS {old} was accepted: {got}"
    for new, name in (("1.2", "TLSv1.2"), ("1.3", "TLSv1.3")):
        got = px.probe("a", "tls", min=new, max=new)
        assert got["ok"] and got["version"] == name, f"TLS {new} refused: {got}"
    return "TLS 1.0 and 1.1 refused (client offering them at OpenSSL security level 0), 1.2 and 1.3 accepted"


def check_websocket(px: Proxy) -> str:
    plain = px.probe("a", "ws")
    assert plain.get("status") == 101 and "connection:established" in plain.get("frame", ""), \
        f"/ws did not upgrade through the proxy: {plain}"
    own = px.probe("a", "ws", headers={"Origin": f"https://{DOMAIN}"})
    assert own.get("status") == 101, f"/ws refused the site's own origin: {own}"
    foreign = px.probe("a", "ws", headers={"Origin": "https://evil.example"})
    assert foreign.get("status") == 403, f"/ws accepted a foreign web page's Origin: {foreign}"
    return "/ws upgrades (101, welcome frame) without Origin and from the site's origin; another origin gets 403"


def check_headers(px: Proxy, server: str | None) -> str:
    got = px.one("a", path="/health")
    assert got.get("status") == 200, f"/health through the proxy: {got}"
    headers = got["headers"]
    assert headers.get("strict-transport-security", "").startswith("max-age="), f"no HSTS: {headers}"
    assert headers.get("x-content-type-options") == "nosniff", f"no nosniff: {headers}"
    assert headers.get("x-frame-options") == "SAMEORIGIN", f"no X-Frame-Options: {headers}"
    assert headers.get("server") == server, f"Server header is {headers.get('server')!r}, expected {server!r}"
    return f"API's HSTS, nosniff and X-Frame-Options pass through; Server header {server!r}"


def check_private_routes(px: Proxy) -> str:
    before = len(px.double.requests())
    for method, path in PRIVATE_PATHS:
        got = px.one("a", method=method, path=path, body="{}" if method in ("PUT", "POST") else None,
                     headers={"Content-Type": "application/json"})
        assert got.get("status") == 403, f"{method} {path} was not blocked: {got}"
        assert DB_PASSWORD not in got.get("body", "") and TMDB_KEY not in got.get("body", "")
    reached = [r for r in px.double.requests()[before:]]
    assert not reached, f"blocked routes still reached the API: {reached}"
    return f"{len(PRIVATE_PATHS)} requests for logs/settings/docs (case, slash and %-encoding variants) get 403, none reaches the API"


def check_unknown_host(px: Proxy, *, http_answer: Callable[[dict], bool]) -> str:
    before = len(px.double.requests())
    plain = px.one("a", tls=False, host_header="localhost", path="/api/v1/movies")
    assert http_answer(plain), f"http:// with Host: localhost was not refused: {plain}"
    inside = px.one("a", host_header="localhost", sni=DOMAIN, path="/api/v1/movies")
    assert "error" in inside or inside.get("status") in (400, 421, 444) or (inside.get("status") == 200 and
                                                                          inside.get("body") == ""), \
        f"https:// with SNI {DOMAIN} and Host: localhost was answered: {inside}"
    unknown_sni = px.probe("a", "tls", sni="localhost", min="1.2")
    assert not unknown_sni["ok"], f"TLS handshake for an unknown name succeeded: {unknown_sni}"
    reached = px.double.requests()[before:]
    assert not reached, f"requests with Host: localhost reached the API: {reached}"
    return "Host: localhost (http and https) never reaches the API; an unknown TLS name is refused at the handshake"


def check_api_view(px: Proxy) -> str:
    seen = [r for r in px.double.requests() if r["method"] != "UPGRADE"]
    assert seen, "the API double saw no request"
    peers = {r["peer"] for r in seen}
    assert peers == {f"::ffff:{GATEWAY}"} or peers == {GATEWAY}, f"the API saw peers {peers}, not the gateway"
    assert {r["ip"] for r in seen} <= {GATEWAY, f"::ffff:{GATEWAY}"}, "req.ip was not the gateway"
    assert all(r["hostname"] == DOMAIN for r in seen), f"the API saw other Host names: {[r['hostname'] for r in seen]}"
    assert all(r["limiterSkipped"] in ("", "path") for r in seen), "the API's limiter skipped requests"
    return f"the API sees every visitor as the bridge gateway {GATEWAY} (X-Forwarded-For ignored), Host {DOMAIN}, limiter on"


def check_buckets(px: Proxy, *, proxy_limits: bool) -> str:
    """Visitor A floods; visitor B asks once. Where is each one limited?"""
    first_b = px.one("b", path="/api/v1/movies")
    assert first_b.get("status") == 200, f"visitor B's first request failed: {first_b}"
    counted = len([r for r in px.double.requests() if r.get("limiterSkipped") == ""])
    seen_before = len(px.double.requests())
    flood = px.ask("a", path="/api/v1/movies", count=70)
    statuses = [r.get("status") for r in flood]
    api_refusals = [r for r in flood if r.get("status") == 429 and "Too many requests from this IP" in r.get("body", "")]
    proxy_refusals = [r for r in flood if r.get("status") == 429 and "Too many requests from this IP" not in r.get("body", "")]
    assert statuses.count(200) == API_LIMIT - counted, \
        f"the API's bucket did not allow {API_LIMIT - counted} more requests: {statuses}"
    assert api_refusals, "the API never refused visitor A"
    reached_from_a = [r for r in px.double.requests()[seen_before:]
                      if r.get("xForwardedFor", "").startswith(WAN_CLIENT["a"])]
    if proxy_limits:
        assert proxy_refusals, f"the proxy never limited visitor A: {statuses}"
        assert len(reached_from_a) < len(flood), "every one of A's requests reached the API"
    else:
        assert not proxy_refusals, "a proxy documented without a rate limit refused requests itself"
    before = len(px.double.requests())
    later_b = px.one("b", path="/api/v1/movies")
    arrived = px.double.requests()[before:]
    assert arrived and arrived[0]["xForwardedFor"].startswith(WAN_CLIENT["b"]), \
        f"visitor B's request did not reach the API: {later_b} {arrived}"
    assert later_b.get("status") == 429 and "Too many requests from this IP" in later_b.get("body", ""), \
        f"visitor B was not refused by the API's shared bucket: {later_b}"
    where = "the proxy keeps one bucket per visitor (A refused by nginx, B passed), " if proxy_limits else \
        "the proxy has no limit of its own; "
    return where + f"the API keeps one bucket for everyone (B refused after A used the {API_LIMIT} requests)"


def check_monitor_nginx(px: Proxy) -> str:
    """The monitoring page's awk line, as published, on the access log the proof produced."""
    command = published(MONITOR)
    line = next(x for x in command.splitlines() if "awk" in x and "nginx" in x)
    line = line.replace("/var/log/nginx/desterlib.access.log", str(px.access_log)).replace("sudo ", "")
    out = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=30).stdout
    top = out.split()
    assert len(top) >= 2 and top[1] == WAN_CLIENT["a"] and int(top[0]) > 0, f"monitor-429 counted {out!r}"
    # fail2ban's stock nginx-limit-req filter reads the site's error log; its expression, with <HOST> filled in.
    stock = re.compile(r'\[[a-z]+\] \d+#\d+: \*\d+ limiting requests, excess: [\d\.]+ by zone "(?:[^"]+)", client: '
                       + re.escape(WAN_CLIENT["a"]) + ",")
    error_log = (px.workdir / "desterlib.error.log").read_text(encoding="utf-8", errors="replace")
    assert stock.search(error_log), f"no line for fail2ban's nginx-limit-req filter in the error log:\n{error_log[-800:]}"
    return (f"monitor-429.sh (nginx) counts visitor A's 429s from the access log: {out.strip().splitlines()[0]}; "
            "the error log has the lines fail2ban's stock nginx-limit-req filter matches")


def check_monitor_caddy(px: Proxy) -> str:
    command = published(MONITOR)
    line = next(x for x in command.splitlines() if "caddy" in x and "status" in x and not x.startswith("#"))
    line = line.replace("/var/log/caddy/desterlib-access.log", str(px.access_log)).replace("sudo ", "")
    time.sleep(0.3)  # Caddy's log writer is buffered a moment
    out = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=30).stdout
    assert out.strip() and re.search(r"\d", out), f"monitor-429 (Caddy) printed {out!r}"
    assert WAN_CLIENT["a"] in out, f"monitor-429 (Caddy) did not name visitor A: {out!r}"
    return f"monitor-429.sh (Caddy) counts 429s per visitor from Caddy's JSON log: {out.strip().splitlines()[0]}"


NGINX_CHECKS: dict[str, Callable[[Proxy], str]] = {
    "redirect": lambda px: check_redirect(px, (301,)),
    "tls": check_tls_versions,
    "headers": lambda px: check_headers(px, "nginx"),
    "private-routes": check_private_routes,
    "unknown-host": lambda px: check_unknown_host(px, http_answer=lambda r: "error" in r),
    "websocket": check_websocket,
    "buckets": lambda px: check_buckets(px, proxy_limits=True),
    "api-view": check_api_view,
    "monitor": check_monitor_nginx,
}
CADDY_CHECKS: dict[str, Callable[[Proxy], str]] = {
    "redirect": lambda px: check_redirect(px, (301, 308)),
    "tls": check_tls_versions,
    "headers": lambda px: check_headers(px, None),
    "private-routes": check_private_routes,
    "unknown-host": lambda px: check_unknown_host(px, http_answer=caddy_refused),
    "websocket": check_websocket,
    "buckets": lambda px: check_buckets(px, proxy_limits=False),
    "api-view": check_api_view,
    "monitor": check_monitor_caddy,
}


def caddy_refused(answer: dict) -> bool:
    """For a name it does not serve, Caddy redirects plain HTTP to https:// (where the handshake then
    fails) or, over HTTPS, has no route: an empty answer. Never the API's."""
    if "error" in answer:
        return True
    if answer.get("status") in (301, 308):
        return answer["headers"].get("location", "").startswith("https://") and answer.get("body") == ""
    return answer.get("status") == 200 and answer.get("body") == ""


# --- the proofs ---------------------------------------------------------------------------------
# One test per proof: every build and every mutation check must pass before the record is written.

def builds() -> list[str]:
    """The pinned current release, and the distribution's (Debian 12: nginx 1.22.1, Caddy 2.6.2) if installed."""
    from snippetguard import programs

    found = ["pinned"]
    if programs.system("nginx") and programs.system("caddy"):
        found.append("system")
    elif os.environ.get("CI") == "true":
        pytest.fail("the system's nginx and Caddy are missing under CI (.ci/run installs them)")
    return found


def run_mutations(make: Callable[[Lab, Path, str], Proxy], original: str, table: dict, checks: dict,
                  workdir: Path) -> list[str]:
    done = []
    for index, (mutation, (mutate, check, expected)) in enumerate(table.items()):
        broken = mutate(original)
        assert broken != original, f"mutation {mutation!r} changed nothing: the file moved on"
        with fresh_lab() as lab:
            px = make(lab, clean_dir(workdir / f"mutation{index}"), broken)
            with pytest.raises(AssertionError, match=re.escape(expected)):
                checks[check](px)
        done.append(f"mutation '{mutation}' makes the '{check}' check fail")
    return done


def test_nginx_reverse_proxy(tmp_path: Path, node_modules: None, proof) -> None:
    checks, versions = [], []
    for build in builds():
        with fresh_lab() as lab:
            px = nginx_proxy(lab, clean_dir(tmp_path / build), published(NGINX_SITE), build)
            checks += [f"nginx {nginx_version(build)}: {check(px)}" for check in NGINX_CHECKS.values()]
        versions.append(nginx_version(build))
    original = (SNIPPETS_DIR / NGINX_SITE).read_text(encoding="utf-8")
    checks += run_mutations(nginx_proxy, original, NGINX_MUTATIONS, NGINX_CHECKS, tmp_path)
    proof.record("reverse-proxy-nginx", snippets=[NGINX_SITE, MONITOR],
                 components={"nginx": " and ".join(versions), "node": node_version(), **npm_versions()},
                 summary="nginx site file: redirect, TLS 1.2+, catch-all, blocked private routes, /ws, per-visitor limits",
                 checks=checks)


def test_caddy_reverse_proxy(tmp_path: Path, node_modules: None, proof) -> None:
    checks, versions = [], []
    for build in builds():
        with fresh_lab() as lab:
            px = caddy_proxy(lab, clean_dir(tmp_path / build), published(CADDYFILE), build)
            checks += [f"Caddy {caddy_version(build)}: {check(px)}" for check in CADDY_CHECKS.values()]
        versions.append(caddy_version(build))
    checks += run_mutations(caddy_proxy, published(CADDYFILE), CADDY_MUTATIONS, CADDY_CHECKS, tmp_path)
    proof.record("reverse-proxy-caddy", snippets=[CADDYFILE, MONITOR],
                 components={"caddy": " and ".join(versions), "node": node_version(), **npm_versions()},
                 summary="Caddyfile: redirect, TLS 1.2+, only its own name, blocked private routes, /ws, one shared API bucket",
                 checks=checks)


NGINX_MUTATIONS = {
    "catch-all dropped": (lambda t: re.sub(r"# --8<-- \[start:catch-all\].*?# --8<-- \[end:catch-all\]\n", "", t,
                                           flags=re.S), "unknown-host", "Host: localhost"),
    "Host line removed": (lambda t: t.replace("        proxy_set_header Host $server_name;\n", ""), "buckets",
                          "the API's bucket did not allow"),
    "limit keyed on a header": (lambda t: t.replace("limit_req_zone $binary_remote_addr",
                                                    "limit_req_zone $http_x_client"), "buckets",
                                "never limited visitor A"),
    "private routes case-sensitive": (lambda t: t.replace("location ~* ^/api/", "location ~ ^/api/"),
                                      "private-routes", "GET /API/V1/LOGS was not blocked"),
    "TLS versions left to nginx.conf": (lambda t: t.replace("    ssl_protocols TLSv1.2 TLSv1.3;\n", ""), "tls",
                                        "TLS 1.0 was accepted"),
    "Origin check removed": (lambda t: t.replace("        if ($desterlib_ws_origin_ok = 0) {\n            return 403;\n"
                                                 "        }\n", ""), "websocket", "foreign web page"),
}

CADDY_MUTATIONS = {
    "private routes not blocked": (lambda t: t.replace("\trespond @private 403\n", ""), "private-routes",
                                   "GET /api/v1/logs was not blocked"),
    "Host rewritten to the upstream's": (lambda t: t.replace("reverse_proxy 127.0.0.1:3001",
                                                             "reverse_proxy 127.0.0.1:3001 {\n\t\theader_up Host {upstream_hostport}\n\t}"),
                                         "buckets", "the API's bucket did not allow"),
    "catch-all site added": (lambda t: t + "\nhttp:// {\n\treverse_proxy 127.0.0.1:3001\n}\n", "unknown-host",
                             "Host: localhost"),
    "Origin check removed": (lambda t: t.replace("\trespond @foreign-origin 403\n", ""), "websocket", "foreign web page"),
}


def node_version() -> str:
    from proofs.components import node_binary

    return subprocess.run([str(node_binary()), "--version"], capture_output=True, text=True).stdout.strip().lstrip("v")


def npm_versions() -> dict[str, str]:
    import json

    from proofs.components import APIDOUBLE

    lock = json.loads((APIDOUBLE / "package-lock.json").read_text())
    wanted = ("express", "express-rate-limit", "helmet", "cors", "ws")
    return {name: lock["packages"][f"node_modules/{name}"]["version"] for name in wanted}


CHECKS_SNIPPET = "shell/proxy-check.sh"


def run_check_commands(px: Proxy) -> list[str]:
    """The page's check commands, as published, from visitor A; curl told where media.example.com is."""
    import shutil

    from snippetguard.directives import extract_region

    if not shutil.which("curl"):
        if os.environ.get("CI") == "true":
            pytest.fail("curl is missing under CI")
        pytest.skip("curl is not installed")
    text = extract_region((SNIPPETS_DIR / CHECKS_SNIPPET).read_text(encoding="utf-8"), "outside").text
    commands = [line for line in text.splitlines() if line.startswith("curl ")]
    address = WAN_HOST["a"]
    outputs = []
    for command in commands:
        located = command.replace("curl ", f"curl --resolve {DOMAIN}:80:{address} --resolve {DOMAIN}:443:{address} "
                                           f"--cacert {px.certs.ca} ", 1)
        done = px.lab.run("ineta", "bash", "-c", located, check=False)
        outputs.append((done.stdout + done.stderr).strip())
    return outputs


def test_check_commands_print_what_the_page_says(tmp_path: Path, node_modules: None, proof) -> None:
    results = {}
    for name, make, text in (("nginx", nginx_proxy, published(NGINX_SITE)), ("caddy", caddy_proxy, published(CADDYFILE))):
        with fresh_lab() as lab:
            px = make(lab, clean_dir(tmp_path / name), text)
            redirect, health, logs, settings, upper, other = run_check_commands(px)
        code = "301" if name == "nginx" else "308"
        assert redirect == f"{code} https://{DOMAIN}/health", f"{name} 1: {redirect!r}"
        assert health.startswith('{"status":"OK"'), f"{name} 2: {health!r}"
        assert (logs, settings, upper) == ("403", "403", "403"), f"{name} 3: {(logs, settings, upper)}"
        if name == "nginx":
            assert "curl: (52) Empty reply from server" in other and "000 0 bytes" in other, f"nginx 4: {other!r}"
        else:
            assert other == "200 0 bytes", f"caddy 4: {other!r}"
        results[name] = [redirect, health[:30], logs, other.splitlines()[-1]]
    proof.record("proxy-checks", snippets=[CHECKS_SNIPPET],
                 components={"nginx": nginx_version(), "caddy": caddy_version(), "curl": curl_version()},
                 summary="the HTTPS page's check commands print what the page says, for nginx and Caddy",
                 checks=[f"{k}: {v}" for k, v in results.items()])


def curl_version() -> str:
    return subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
