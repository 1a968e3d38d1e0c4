"""SG414-SG416: what nginx tells the backend about the client, what it serves, and who it serves it to."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from snippetguard.kinds.nginx import Directive, NginxConf
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules.nginx import KINDS, NGINX_PITFALLS, gixy_issues

PROXY = "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"


# --------------------------------------------------------------------------- SG414 forwarded headers

SET_HEADER = frozenset({"proxy_set_header", "grpc_set_header"})
ADDRESS_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "forwarded", "x-client-ip", "true-client-ip"})
FORWARDED_HEADERS = ADDRESS_HEADERS | {"x-forwarded-host", "x-forwarded-proto", "x-forwarded-scheme",
                                       "x-forwarded-port", "x-forwarded-protocol", "x-forwarded-server"}
# Request headers the client writes itself, as nginx variables: passing them on forwards its claims.
CLIENT_VARIABLES = re.compile(r"\$\{?(http_x_forwarded_\w+|http_x_real_ip|http_forwarded|http_x_client_ip"
                              r"|http_true_client_ip)\b", re.I)
RAW_HOST = re.compile(r"\$\{?http_host\b", re.I)


def _realip_in_scope(directive: Directive, conf: NginxConf) -> bool:
    """`set_real_ip_from` around the directive: nginx sits behind a proxy it trusts, which wrote those headers."""
    scopes = [a.children() for a in directive.ancestors()] + [conf.directives]
    return any(d.name == "set_real_ip_from" for scope in scopes for d in scope)


@rule(
    code="SG414", title="Forwarded header copied from the client",
    kinds=KINDS,
    why="`X-Forwarded-For`, `X-Real-IP`, `X-Forwarded-Host` and `X-Forwarded-Proto` tell the backend who the "
        "client is and how it connected. Filled from `$http_x_forwarded_for`, `$http_x_real_ip` or `$http_host`, "
        "they carry whatever the client wrote: anyone can pick the address a backend logs, rate-limits or "
        "allow-lists, the host it builds links for, or claim HTTPS. (`$proxy_add_x_forwarded_for` appends the "
        "real address to the client's list; a backend that trusts only its own proxy and reads the list from the "
        "right, as Express's `trust proxy` does, gets the real address, so it is not reported. `$remote_addr` at "
        "the edge is stricter). DesterLib v0.2.0 itself uses none of these headers behind a proxy: it trusts them "
        "only from 127.0.0.1, and a proxy reaches its container from Docker's gateway address.",
    fix="Use nginx's own values: `proxy_set_header X-Real-IP $remote_addr;`, `proxy_set_header X-Forwarded-For "
        "$proxy_add_x_forwarded_for;` (or `$remote_addr`), `proxy_set_header X-Forwarded-Host $server_name;`, "
        "`proxy_set_header X-Forwarded-Proto $scheme;`. Behind another proxy, trust it with `set_real_ip_from` "
        "and `real_ip_header` instead of forwarding raw headers.",
    guide="security/https.md#what-changes",
    insecure=Example(PROXY + "        proxy_set_header X-Forwarded-For $http_x_forwarded_for;\n    }\n}\n", "nginx", 5),
    secure=Example(PROXY + "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }\n}\n", "nginx"),
)
def forwarded_from_client(conf: NginxConf) -> Iterator[Hit]:
    for directive in conf.walk():
        if directive.name not in SET_HEADER or len(directive.args) < 2:
            continue
        header, value = directive.args[0].lower(), directive.args[1]
        if header not in FORWARDED_HEADERS:
            continue
        match = CLIENT_VARIABLES.search(value)
        if match is None and header == "x-forwarded-host":
            match = RAW_HOST.search(value)
        if match is None or _realip_in_scope(directive, conf):
            continue
        yield Hit(directive.line, 1, f"{directive.args[0]} is set from ${match.group(0).lstrip('${')}, which the "
                                     "client writes itself")


# --------------------------------------------------------------------------- SG415 document roots

SYSTEM_TREES = ("/etc", "/root", "/proc", "/sys", "/boot", "/dev", "/run", "/var/run", "/var/log", "/var/lib/docker")
SYSTEM_FOLDERS = frozenset({"/", "/home", "/Users", "/var", "/var/lib", "/usr", "/opt", "/srv", "/mnt", "/media"})
HOME_RE = re.compile(r"^/(home|Users)/[^/]+(/\.[^/]+(/.*)?)?$")  # a home folder itself, or a dot-folder in it


def served_folder(directive: Directive) -> str | None:
    """The folder a `root` or `alias` hands out: an alias as written; a root inside a prefix location
    joined with that prefix (`location /etc/ { root /; }` serves /etc/). None when a variable decides."""
    path = directive.args[0] if directive.args else ""
    if not path or "$" in path:
        return None
    if directive.name == "root" and directive.parent is not None and directive.parent.name == "location":
        args = directive.parent.args
        prefix = args[-1] if args and (len(args) == 1 or args[0] in ("=", "^~")) else ""
        if prefix.startswith("/"):
            path = path.rstrip("/") + "/" + prefix.lstrip("/")
    normal = posixpath.normpath(path)
    return normal if normal.startswith("/") else None


def sensitive_folder(folder: str) -> str | None:
    if folder in SYSTEM_FOLDERS:
        return "the file system's root" if folder == "/" else f"the system folder {folder}"
    if any(folder == tree or folder.startswith(tree + "/") for tree in SYSTEM_TREES):
        return f"the system folder {folder}"
    if HOME_RE.match(folder):
        return f"the home folder {folder}"
    return None


@rule(
    code="SG415", title="Document root is a system or home folder",
    kinds=KINDS,
    why="nginx serves every file under `root` (or `alias`) that a URL names. Pointed at `/`, a home folder, `/etc`, "
        "`/var` or `/var/log`, it hands out SSH keys, `.env` files with database passwords, password hashes and "
        "logs to anyone who guesses a path.",
    fix="Serve a folder that holds only public files, such as `/var/www/media.example.com` or `/srv/www`; "
        "for a user's site, their `public_html` folder.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    root /home/alice;\n}\n", "nginx", 3),
    secure=Example("server {\n    listen 80;\n    root /home/alice/public_html;\n}\n", "nginx"),
)
def system_root(conf: NginxConf) -> Iterator[Hit]:
    for directive in conf.walk():
        if directive.name not in ("root", "alias"):
            continue
        folder = served_folder(directive)
        what = sensitive_folder(folder) if folder else None
        if what:
            yield Hit(directive.line, 1, f"{directive.name} {directive.args[0]} serves {what}")


# --------------------------------------------------------------------------- SG416 return before access

HARMLESS_RETURN_CODES = frozenset({301, 302, 303, 307, 308}) | set(range(400, 600))


def _serves_content(directive: Any) -> bool:
    """A `return` that answers with a page: a 1xx/2xx status (with or without text); redirects and errors serve
    nothing the access list was protecting."""
    args = list(getattr(directive, "args", []) or [])
    if not args:
        return False
    code = args[0]
    if not code.isdigit():
        return False  # `return URL`: a 302 redirect
    return int(code) not in HARMLESS_RETURN_CODES


@rule(
    code="SG416", title="return answers before allow/deny are checked",
    kinds=KINDS,
    why="nginx runs `return` in its rewrite phase, before the access phase where `allow` and `deny` apply: in a "
        "block that has both, everyone gets the returned answer, and the access list only looks as if it "
        "protected it.",
    fix="Move the response into a location the access list protects without `return` (a file, or "
        "`proxy_pass`), or check access first with a `map` or `geo` on `$remote_addr` and return 403 yourself.",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 80;\n    location = /health {\n        allow 192.168.1.0/24;\n"
                     "        deny all;\n        return 200 \"ok\";\n    }\n}\n", "nginx", 6),
    secure=Example("server {\n    listen 80;\n    location = /health {\n        allow 192.168.1.0/24;\n"
                   "        deny all;\n        proxy_pass http://127.0.0.1:3001/health;\n    }\n}\n", "nginx"),
)
def return_bypasses_access(conf: NginxConf) -> Iterator[Hit]:
    reported: set[int] = set()
    for issue in gixy_issues(conf, "return_bypasses_allow_deny"):
        access = [d for d in issue.directives if getattr(d, "name", "") in ("allow", "deny")]
        for directive in issue.directives:
            if getattr(directive, "name", "") != "return" or not _serves_content(directive):
                continue
            line = conf.clamp(getattr(directive, "line", 1))
            if line in reported:
                continue
            reported.add(line)
            lines = ", ".join(str(conf.clamp(getattr(a, "line", 1))) for a in access)
            yield Hit(line, 1, f"return {' '.join(directive.args)} answers everyone: the allow/deny on line "
                               f"{lines} are checked after it")
