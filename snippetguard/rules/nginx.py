"""SG4xx: nginx reverse-proxy snippets.

Most checks are gixy-ng plugins run through its Python API on the snippet as the
nginx kind parsed it (wrapped on line 1, so gixy's line numbers are the
snippet's). gixy runs once per snippet, with only the plugins mapped here, and
never on a snippet crossplane rejected: rules only ever see parsed snippets, and
gixy reports "no issues" on a config it cannot parse.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from snippetguard.kinds.nginx import Directive, NginxConf
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

GUIDE = "security/https.md#nginx-hardening"
NGINX_PITFALLS = "security/https.md#nginx-pitfalls"  # settings the guide's file avoids, explained
KINDS = ("nginx",)

# gixy plugin -> the rule that reports it. Only these plugins are loaded and run.
GIXY_PLUGINS: dict[str, str] = {
    "alias_traversal": "SG401",
    "http_splitting": "SG402",
    "ssrf": "SG403",
    "host_spoofing": "SG404",
    "add_header_redefinition": "SG405",
    "weak_ssl_tls": "SG406",
    "version_disclosure": "SG407",
    "status_page_exposed": "SG409",
    "allow_without_deny": "SG410",
    "ssl_stapling_letsencrypt": "SG411",
    "return_bypasses_allow_deny": "SG416",  # rules/nginx_access.py
}

_GIXY_LOCK = threading.Lock()  # gixy keeps its variable context in module globals


@dataclass(frozen=True)
class GixyIssue:
    plugin: str
    severity: str
    summary: str
    reason: str
    directives: tuple[Any, ...]  # gixy directive objects; `.line` is the snippet's line


@cache
def _gixy_config() -> Any:
    """Import gixy and build its configuration once per process."""
    from gixy.core.config import Config

    logging.getLogger("gixy").setLevel(logging.ERROR)  # its INFO/WARNING chatter is not a finding
    # No system variable policies (/etc/gixy/vars.d): a verdict must not depend on the machine.
    return Config(plugins=sorted(GIXY_PLUGINS), allow_includes=False, load_default_vars=False)


_PARSED: dict[str, Any] = {}  # scratch path -> crossplane payload the audit must use (under _GIXY_LOCK)


@cache
def _gixy_manager() -> Any:
    """One gixy Manager per process, auditing the snippet's own crossplane parse.

    Building a Manager imports and instantiates every plugin (a third of gixy's time per snippet
    when done each time); plugins are re-created per audit below, so no finding carries over.
    gixy reads configurations from files and lexes them again; it is handed the parse the nginx
    kind already made (same crossplane, same options as gixy's own call) instead.
    """
    import gixy.core.manager as gixy_manager
    from gixy.core.variable_catalog import load_variable_catalog
    from gixy.parser.raw_parser import RawParser

    # gixy rebuilds its (read-only) catalog of nginx variables for every audit: a quarter of its
    # time per snippet. One per process gives the same answers.
    catalog = load_variable_catalog(None, False)
    gixy_manager.load_variable_catalog = lambda paths=None, load_default_vars=False: catalog
    read_file = RawParser.parse_path

    def parse_path(self: Any, path: str) -> Any:
        payload = _PARSED.get(path)
        return self._normalize_crossplane(payload) if payload is not None else read_file(self, path)

    RawParser.parse_path = parse_path
    return gixy_manager.Manager(config=_gixy_config())


def _run_gixy(conf: NginxConf) -> list[GixyIssue]:
    from gixy.core.context import purge_context

    path = "/snippetguard/snippet.conf"  # never read: the audit takes `conf.payload`
    with _GIXY_LOCK:
        manager = _gixy_manager()
        _PARSED[path] = conf.payload
        manager.auditor._plugins = []  # fresh plugin instances: issues never leak between snippets
        try:
            manager.audit(path, None)
            return [
                GixyIssue(
                    plugin.name,
                    str(issue.severity or plugin.severity),
                    issue.summary or plugin.summary,
                    issue.reason or "",
                    tuple(issue.directives),
                )
                for plugin in manager.results
                for issue in plugin.issues
            ]
        finally:
            _PARSED.clear()
            manager.auditor._plugins = []
            purge_context()  # what leaving `with Manager()` did: gixy's variable contexts are global


def gixy_issues(conf: NginxConf, plugin: str) -> list[GixyIssue]:
    """gixy's issues for one plugin; gixy itself runs once per snippet.

    If gixy crashes, the first rule to ask re-raises (the engine turns that into
    an SG000 naming the rule); the others stay quiet instead of repeating it.
    """
    if not conf.directives:
        return []  # an nginx -T dump: gixy audits each of its files, as its own snippet
    if "gixy" not in conf.memo:
        try:
            conf.memo["gixy"] = _run_gixy(conf)
        except Exception as exc:
            conf.memo["gixy"] = []
            raise RuntimeError(f"gixy-ng failed on this snippet: {exc!r}") from exc
    return [issue for issue in conf.memo["gixy"] if issue.plugin == plugin]


def _hit(conf: NginxConf, directive: Any, message: str) -> Hit:
    return Hit(conf.clamp(getattr(directive, "line", 1)), 1, message)


def _args(directive: Any) -> str:
    return " ".join(getattr(directive, "args", []) or [])


def _gixy_rule(
    plugin: str,
    message: Callable[[GixyIssue], str],
    *,
    accept: Callable[[GixyIssue], bool] = lambda issue: True,
    where: Callable[[GixyIssue], Any] = lambda issue: issue.directives[0],
) -> Callable[[Any], Iterator[Hit]]:
    def check(conf: Any) -> Iterator[Hit]:
        seen: set[tuple[int, str]] = set()
        for issue in gixy_issues(conf, plugin):
            if not issue.directives or not accept(issue):
                continue
            hit = _hit(conf, where(issue), message(issue))
            if (hit.line, hit.message) not in seen:
                seen.add((hit.line, hit.message))
                yield hit

    return check


def _issue_block(issue: GixyIssue) -> Any:
    """The nested block an add_header redefinition issue is about (the last directive's parent)."""
    return getattr(issue.directives[-1], "parent", None)


def _first_in_nested_block(issue: GixyIssue) -> Any:
    block = _issue_block(issue)
    return next((d for d in issue.directives if getattr(d, "parent", None) is block), issue.directives[-1])


rule(
    code="SG401", title="alias allows path traversal",
    kinds=KINDS,
    why="In a prefix `location` that does not end with `/`, nginx appends the rest of the URL to the `alias` "
        "path as is: `/files../secret` maps to `/srv/files/../secret`, so any file the nginx user can read in the "
        "parent directory is served.",
    fix="End the location with `/` like its alias (`location /files/ { alias /srv/files/; }`), or use `root` "
        "instead of `alias` when the location and the directory share a name.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    location /files {\n        alias /srv/files/;\n    }\n}\n",
                     "nginx", 4),
    secure=Example("server {\n    listen 80;\n    location /files/ {\n        alias /srv/files/;\n    }\n}\n",
                   "nginx"),
)(_gixy_rule(
    "alias_traversal",
    lambda issue: f"alias '{_args(issue.directives[0])}' under location '{_args(issue.directives[-1])}' lets "
                  "'..' in the URL escape the aliased directory",
))

rule(
    code="SG402", title="HTTP response splitting",
    kinds=KINDS,
    why="A variable that can hold a decoded newline (such as `$uri` or a regex capture) written into a header, "
        "redirect or upstream request lets a visitor inject headers of their own — cookies, redirects, cache "
        "poisoning.",
    fix="Use `$request_uri` (still URL-encoded, so it cannot contain a newline) instead of `$uri` or "
        "`$document_uri`, and match captures with a class that excludes newlines (`[^\\r\\n]*`, or `[^/]+`).",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    return 301 https://$host$uri;\n}\n", "nginx", 3),
    secure=Example("server {\n    listen 80;\n    return 301 https://$host$request_uri;\n}\n", "nginx"),
)(_gixy_rule(
    "http_splitting",
    lambda issue: f"{issue.directives[0].name}: {issue.reason or issue.summary}",
))

rule(
    code="SG403", title="Server-side request forgery through proxy_pass",
    kinds=KINDS,
    why="A `proxy_pass` whose host or scheme comes from the request (a regex capture or `$arg_…`) turns the "
        "proxy into an open relay: anyone can make it fetch internal addresses such as the database or the "
        "router's admin page.",
    fix="Proxy to a fixed upstream (`proxy_pass http://127.0.0.1:3001;`); if the target must vary, choose it "
        "from a `map` of allowed values, or mark the location `internal`.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    location ~ ^/proxy/(.*)$ {\n        proxy_pass http://$1;\n"
                     "    }\n}\n", "nginx", 4),
    secure=Example("server {\n    listen 80;\n    location /api/ {\n        proxy_pass http://127.0.0.1:3001;\n"
                   "    }\n}\n", "nginx"),
)(_gixy_rule(
    "ssrf",
    lambda issue: f"proxy_pass {_args(issue.directives[0])}: {issue.reason or issue.summary}",
))

rule(
    code="SG404", title="Host header passed through unchecked ($http_host)",
    kinds=KINDS,
    why="`$http_host` is the Host header exactly as the client sent it, even when the request line named "
        "another host and nginx routed the request by that one; the API then builds links and redirects for the "
        "attacker's host (password-reset and cache-poisoning attacks). `$host` is the name nginx used: from the "
        "request line, else the Host header, else the matched `server_name`, lower-cased and without the port. "
        "DesterLib v0.2.0 also switches its rate limit off for a request whose Host is `localhost`.",
    fix="Send your own name: `proxy_set_header Host $server_name;`, with a catch-all server that refuses every "
        "other name, as the guide's site file does. `$host` is better than `$http_host`, but on a server that "
        "also answers unknown names it is still whatever the visitor wrote, `localhost` included.",
    guide=GUIDE,
    insecure=Example("server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"
                     "        proxy_set_header Host $http_host;\n    }\n}\n", "nginx", 5),
    secure=Example("server {\n    listen 80;\n    server_name media.example.com;\n    location / {\n"
                   "        proxy_pass http://127.0.0.1:3001;\n        proxy_set_header Host $server_name;\n    }\n}\n",
                   "nginx"),
)(_gixy_rule(
    "host_spoofing",
    lambda issue: f"proxy_set_header {_args(issue.directives[0])}: the client chooses this Host header",
))

rule(
    code="SG405", title="add_header in a nested block drops the security headers",
    kinds=KINDS,
    why="nginx inherits `add_header` only when a block has none of its own: one `add_header` in a `location` "
        "silently removes every header the `server` set, such as Strict-Transport-Security or "
        "X-Content-Type-Options.",
    fix="Repeat the security headers in the nested block (an `include` file keeps them in one place), or move the "
        "nested `add_header` to the server block.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    add_header X-Content-Type-Options nosniff;\n    location / {\n"
                     "        add_header Cache-Control no-cache;\n        proxy_pass http://127.0.0.1:3001;\n"
                     "    }\n}\n", "nginx", 5),
    secure=Example("server {\n    listen 80;\n    add_header X-Content-Type-Options nosniff;\n    location / {\n"
                   "        add_header X-Content-Type-Options nosniff;\n        add_header Cache-Control no-cache;\n"
                   "        proxy_pass http://127.0.0.1:3001;\n    }\n}\n", "nginx"),
)(_gixy_rule(
    "add_header_redefinition",
    lambda issue: f"add_header here replaces the enclosing block's headers: {issue.reason.lower() or issue.summary}",
    accept=lambda issue: issue.severity.upper() in ("MEDIUM", "HIGH"),  # LOW: no security header is lost
    where=_first_in_nested_block,
))

rule(
    code="SG406", title="Obsolete TLS or SSL protocol allowed",
    kinds=KINDS,
    why="SSLv2 and SSLv3 are broken (POODLE), TLS 1.0 is open to BEAST, and TLS 1.0 and 1.1 rest on MD5 and "
        "SHA-1; every current browser dropped them in 2020, so offering them serves only old, unpatched clients "
        "and keeps weak handshakes available to an attacker.",
    fix="`ssl_protocols TLSv1.2 TLSv1.3;`",
    guide="security/https.md#tls-versions",
    insecure=Example("server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/certs/media.pem;\n"
                     "    ssl_certificate_key /etc/ssl/private/media.key;\n    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
                     "}\n", "nginx", 5),
    secure=Example("server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/certs/media.pem;\n"
                   "    ssl_certificate_key /etc/ssl/private/media.key;\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
                   "}\n", "nginx"),
)(_gixy_rule(
    "weak_ssl_tls",
    lambda issue: issue.reason.split(". ")[0] or issue.summary,
    # Only explicit protocol lists: a missing ssl_ciphers means nginx's defaults, which are fine.
    accept=lambda issue: getattr(issue.directives[0], "name", "") == "ssl_protocols",
))

rule(
    code="SG407", title="nginx version advertised (server_tokens on)",
    kinds=KINDS,
    why="`server_tokens on` prints the exact nginx version in every error page and `Server` header, telling "
        "scanners which known vulnerabilities to try.",
    fix="`server_tokens off;`",
    guide=GUIDE,
    insecure=Example("server {\n    listen 80;\n    server_tokens on;\n}\n", "nginx", 3),
    secure=Example("server {\n    listen 80;\n    server_tokens off;\n}\n", "nginx"),
)(_gixy_rule(
    "version_disclosure",
    lambda issue: f"server_tokens {_args(issue.directives[0])} advertises the nginx version",
    # gixy also reports a *missing* server_tokens; snippets are excerpts, so only an explicit `on` counts.
    accept=lambda issue: getattr(issue.directives[0], "name", "") == "server_tokens",
))


@rule(
    code="SG408", title="Directory listing enabled (autoindex on)",
    kinds=KINDS,
    why="`autoindex on` lists every file in the directory to anyone who asks, including backups, exports and "
        "files nobody meant to publish.",
    fix="Remove `autoindex on;` (the default is off) and link to the files you mean to share.",
    guide=GUIDE,
    insecure=Example("server {\n    listen 80;\n    location /media/ {\n        root /srv;\n        autoindex on;\n"
                     "    }\n}\n", "nginx", 5),
    secure=Example("server {\n    listen 80;\n    location /media/ {\n        root /srv;\n        autoindex off;\n"
                   "    }\n}\n", "nginx"),
)
def autoindex_on(conf: NginxConf) -> Iterator[Hit]:
    for directive in conf.walk():
        if directive.name == "autoindex" and directive.args and directive.args[0].lower() == "on":
            yield Hit(directive.line, 1, "autoindex on publishes a listing of the directory")


rule(
    code="SG409", title="stub_status reachable by anyone",
    kinds=KINDS,
    why="The status page shows live connection and request counts; left open it helps an attacker time and "
        "measure an attack, and it is one more page for scanners to find.",
    fix="Restrict it in its location: `allow 127.0.0.1; deny all;` (or listen on a loopback-only server).",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    location = /nginx_status {\n        stub_status;\n    }\n}\n",
                     "nginx", 4),
    secure=Example("server {\n    listen 80;\n    location = /nginx_status {\n        stub_status;\n"
                   "        allow 127.0.0.1;\n        deny all;\n    }\n}\n", "nginx"),
)(_gixy_rule(
    "status_page_exposed",
    lambda issue: issue.reason or issue.summary,
))

rule(
    code="SG410", title="allow without deny",
    kinds=KINDS,
    why="`allow` alone restricts nothing: nginx's default is to allow everyone, so without a final `deny all;` "
        "the list admits every address, not just the ones named.",
    fix="End the list with `deny all;` in the same block.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    location /admin/ {\n        allow 192.168.1.0/24;\n"
                     "        proxy_pass http://127.0.0.1:3001;\n    }\n}\n", "nginx", 4),
    secure=Example("server {\n    listen 80;\n    location /admin/ {\n        allow 192.168.1.0/24;\n        deny all;\n"
                   "        proxy_pass http://127.0.0.1:3001;\n    }\n}\n", "nginx"),
)(_gixy_rule(
    "allow_without_deny",
    lambda issue: f"allow {_args(issue.directives[0])} without a 'deny all' in the same block admits everyone",
))

LETSENCRYPT = "/etc/letsencrypt/"
_stapling_gixy = _gixy_rule(
    "ssl_stapling_letsencrypt",
    lambda issue: "ssl_stapling on with a Let's Encrypt certificate: Let's Encrypt no longer runs OCSP "
                  "responders, so there is nothing to staple",
)


def _le_certificate_in_scope(directive: Directive, conf: NginxConf) -> bool:
    scopes: list[list[Directive]] = [directive.parent.children() if directive.parent else conf.directives]
    scopes += [a.parent.children() if a.parent else conf.directives for a in directive.ancestors()]
    return any(
        d.name in ("ssl_certificate", "ssl_trusted_certificate") and any(a.startswith(LETSENCRYPT) for a in d.args)
        for scope in scopes
        for d in scope
    )


def _has_listen(directive: Directive, conf: NginxConf) -> bool:
    """Whether the server around `directive` says how it listens (then gixy's judgement stands)."""
    server = next((a for a in directive.ancestors() if a.name == "server"), None)
    if server is not None:
        return bool(server.find("listen"))
    # A server-level snippet sits in the server the parser wrapped it in: its own top level.
    return conf.context.name == "server" and any(d.name == "listen" for d in conf.directives)


@rule(
    code="SG411", title="OCSP stapling with a Let's Encrypt certificate",
    kinds=KINDS,
    why="Let's Encrypt stopped putting OCSP URLs in its certificates and shut its OCSP responders down in 2025: "
        "`ssl_stapling on` staples nothing and only adds startup warnings, and readers copying it believe they "
        "have revocation checking they do not have.",
    fix="Remove `ssl_stapling`, `ssl_stapling_verify` and any `ssl_trusted_certificate` kept only for stapling; "
        "keep stapling only for certificates from a CA that still runs OCSP.",
    guide=GUIDE,
    insecure=Example("server {\n    listen 443 ssl;\n    server_name media.example.com;\n"
                     "    ssl_certificate /etc/letsencrypt/live/media.example.com/fullchain.pem;\n"
                     "    ssl_certificate_key /etc/letsencrypt/live/media.example.com/privkey.pem;\n"
                     "    ssl_stapling on;\n    ssl_stapling_verify on;\n}\n", "nginx", 6),
    secure=Example("server {\n    listen 443 ssl;\n    server_name media.example.com;\n"
                   "    ssl_certificate /etc/letsencrypt/live/media.example.com/fullchain.pem;\n"
                   "    ssl_certificate_key /etc/letsencrypt/live/media.example.com/privkey.pem;\n}\n", "nginx"),
)
def stapling_letsencrypt(conf: NginxConf) -> Iterator[Hit]:
    hits = list(_stapling_gixy(conf))
    yield from hits
    # gixy judges only servers with a `listen … ssl`; an excerpt of TLS directives has none, so check it here.
    for directive in conf.walk():
        if directive.name != "ssl_stapling" or not directive.args or directive.args[0].lower() != "on":
            continue
        if any(hit.line == directive.line for hit in hits) or _has_listen(directive, conf):
            continue
        if _le_certificate_in_scope(directive, conf):
            yield Hit(directive.line, 1, "ssl_stapling on with a Let's Encrypt certificate: Let's Encrypt no longer "
                                         "runs OCSP responders, so there is nothing to staple")
