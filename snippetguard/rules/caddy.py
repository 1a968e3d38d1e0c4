"""SG5xx: Caddyfile snippets (Caddy as the reverse proxy in front of DesterLib)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from snippetguard.containers import DATABASE_PORTS, is_loopback, port_numbers
from snippetguard.kinds.caddy import Caddyfile, Directive, Site, Token, is_matcher
from snippetguard.model import Hit, Severity
from snippetguard.registry import Example, rule

GUIDE = "security/https.md#caddy-hardening"
CADDY_PITFALLS = "security/https.md#caddy-pitfalls"  # settings the guide's Caddyfile avoids, explained
KINDS = ("caddy",)
PRIVATE_SUFFIXES = (".localhost", ".local", ".lan", ".home.arpa", ".internal")
BCRYPT_RE = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
# What `caddy hash-password --algorithm argon2id` prints (Caddy 2.11+): PHC string, unpadded base64.
ARGON2ID_RE = re.compile(r"^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")


@dataclass(frozen=True)
class Address:
    scheme: str
    host: str
    port: str
    token: Token


def parse_address(token: Token) -> Address:
    """A site address `[scheme://][host][:port][/path]` as Caddy splits it."""
    rest = token.text
    scheme = ""
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
    rest = rest.split("/", 1)[0]
    if rest.startswith("["):  # IPv6 literal
        close = rest.find("]")
        host, port = rest[: close + 1], rest[close + 2 :] if close >= 0 else ""
    elif rest.count(":") == 1:
        host, port = rest.split(":", 1)
    else:
        host, port = rest, ""
    return Address(scheme.lower(), host, port, token)


def is_public_name(host: str) -> bool:
    """Whether a site's host is a name or address on the public internet.

    Not public: no host (catch-all), localhost and loopback, private and other
    non-global addresses (RFC 1918, CGNAT/Tailscale, link-local, ULA), the
    private-use suffixes .local/.lan/.home.arpa/.internal, and single-label names
    (container names, intranet hosts), which no public CA can certify.
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name.startswith("*."):
        name = name[2:]
    if not name or name == "*":
        return False
    if "{" in name:
        return True  # decided by the reader's environment: assume their public domain
    if name == "localhost" or name.endswith(PRIVATE_SUFFIXES) or name == "home.arpa":
        return False
    try:
        return ipaddress.ip_address(name).is_global
    except ValueError:
        return "." in name


def _origin(token: Token) -> str:
    return f" (from ${{{token.env[0]}}}, assumed to be your public domain)" if token.env else ""


def _site_tokens(site: Site) -> list[Address]:
    return [parse_address(token) for token in site.addresses]


def _only_redirects_to_https(caddyfile: Caddyfile, site: Site) -> bool:
    directives = [d for d in caddyfile.site_directives(site) if d.parent is None]
    return bool(directives) and all(
        d.value == "redir" and any(a.text.lower().startswith("https://") for a in d.args) for d in directives
    )


@rule(
    code="SG501", title="Public site served over plain HTTP",
    kinds=KINDS,
    why="An `http://` address (or port 80) turns off Caddy's automatic HTTPS for that site: every request, "
        "including the media you stream and anything a login would send, crosses the internet readable and "
        "changeable by anyone on the path.",
    fix="Write the bare domain (`media.example.com {`): Caddy then obtains a certificate and redirects http:// to "
        "https:// itself. Plain HTTP is fine only for localhost, private addresses and names such as *.lan.",
    guide=GUIDE,
    insecure=Example("http://media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy", 1),
    secure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy"),
)
def public_http(caddyfile: Caddyfile) -> Iterator[Hit]:
    for site in caddyfile.sites:
        if _only_redirects_to_https(caddyfile, site):
            continue
        for address in _site_tokens(site):
            plain = address.scheme == "http" or (not address.scheme and address.port == "80")
            if plain and is_public_name(address.host):
                token = address.token
                yield Hit(token.line, token.column,
                          f"site '{token.text}' is served over plain HTTP{_origin(token)}")


@rule(
    code="SG502", title="Automatic HTTPS turned off",
    kinds=KINDS,
    why="`auto_https off` stops Caddy from obtaining certificates and from redirecting HTTP to HTTPS for every "
        "site in the file, so a public site silently falls back to plain HTTP.",
    fix="Remove `auto_https off`. To keep only the redirect off, use `auto_https disable_redirects`; for a "
        "LAN-only site, give it an `http://` address instead.",
    guide=GUIDE,
    insecure=Example("{\n\tauto_https off\n}\n\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy", 2),
    secure=Example("{\n\temail admin@example.com\n}\n\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n",
                   "caddy"),
)
def auto_https_off(caddyfile: Caddyfile) -> Iterator[Hit]:
    for directive in caddyfile.global_option("auto_https"):
        if directive.args and directive.args[0].text.lower() == "off":
            yield Hit(directive.line, directive.name.column, "auto_https off disables HTTPS for every site")


def _admin_host(value: str) -> str | None:
    """The host part of an admin listen address; None for sockets and placeholders."""
    text = value.strip()
    if text.lower().startswith(("unix/", "unix+h2c/")) or "{" in text:
        return None
    text = text.split("://", 1)[-1]
    if text.startswith("["):
        return text[1 : text.find("]")]
    return text.rsplit(":", 1)[0] if ":" in text else text


@rule(
    code="SG503", title="Caddy's admin API reachable from the network",
    kinds=KINDS,
    why="The admin endpoint (port 2019) accepts a new configuration from anyone who can reach it, with no "
        "password: bound beyond loopback, anyone on the network can turn the proxy into whatever they like.",
    fix="Leave the default (`localhost:2019`), bind it to a Unix socket (`admin unix//run/caddy/admin.sock`), or "
        "turn it off (`admin off`).",
    guide=CADDY_PITFALLS,
    insecure=Example("{\n\tadmin 0.0.0.0:2019\n}\n\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n",
                     "caddy", 2),
    secure=Example("{\n\tadmin localhost:2019\n}\n\nmedia.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n",
                   "caddy"),
)
def admin_exposed(caddyfile: Caddyfile) -> Iterator[Hit]:
    for directive in caddyfile.global_option("admin"):
        if not directive.args or directive.args[0].text.lower() == "off":
            continue
        host = _admin_host(directive.args[0].text)
        if host is None or (host and is_loopback(host)):
            continue
        where = "every interface" if host in ("", "0.0.0.0", "::", "*") else host
        token = directive.args[0]
        yield Hit(token.line, token.column, f"admin API listens on {where} ('{token.text}'), not loopback")


def _is_bcrypt(value: str) -> bool:
    if BCRYPT_RE.match(value):
        return True
    try:  # Caddy before 2.8 also accepts the hash base64-encoded
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return bool(BCRYPT_RE.match(decoded))


@rule(
    code="SG504", title="basic_auth password is not a password hash",
    kinds=KINDS,
    why="Caddy compares the password against a hash: a plain-text password in the Caddyfile does not work, and "
        "copying one into a file that ends up in backups, repositories and screenshots leaks it. Only a hash "
        "belongs there: bcrypt (every Caddy 2; `basicauth` on Caddy 2.6, `basic_auth` from 2.8), or argon2id "
        "with `basic_auth argon2id` (Caddy 2.11 and later).",
    fix="Generate the hash with `caddy hash-password` and paste its output (`$2a$14$…`); with Caddy 2.11 or later "
        "`caddy hash-password --algorithm argon2id` and `basic_auth argon2id { … }` work too. Keep the password "
        "itself in your password manager.",
    guide="security/remote-access.md#login",
    insecure=Example("media.example.com {\n\tbasicauth {\n\t\talice hunter2\n\t}\n\treverse_proxy 127.0.0.1:3001\n}\n",
                     "caddy", 3),
    secure=Example("media.example.com {\n\tbasicauth {\n"
                   "\t\talice $2a$14$wgluwEFr2nfjlLSLT5rcNegHtHa7y14wpRROITeRdq7QwK6.rU2.W\n"
                   "\t}\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy"),
)
def basicauth_plain(caddyfile: Caddyfile) -> Iterator[Hit]:
    for directive in caddyfile.walk():
        if directive.value not in ("basicauth", "basic_auth"):
            continue
        args = directive.args[1:] if directive.args and is_matcher(directive.args[0]) else directive.args
        algorithm = args[0].text.lower() if args else "bcrypt"
        for account in directive.children():
            if not account.args or account.args[0].has_placeholder:
                continue  # no password here (Caddy reports it), or one from the environment
            secret = account.args[0]
            if algorithm == "scrypt":
                yield Hit(secret.line, secret.column, f"user '{account.value}': scrypt was deprecated in Caddy 2.6 "
                                                      "and removed in 2.8; use a bcrypt hash from `caddy hash-password`")
            elif _is_bcrypt(secret.text) or ARGON2ID_RE.match(secret.text):
                continue  # a hash (whether it matches the algorithm named is Caddy's to check)
            else:
                yield Hit(secret.line, secret.column,
                          f"user '{account.value}': the password is not a bcrypt or argon2id hash (plain text?)")


def _internal_tls(directive: Directive) -> bool:
    if directive.value != "tls" or directive.parent is not None:
        return False
    if directive.args and directive.args[0].text.lower() == "internal":
        return True
    return any(d.value == "issuer" and d.args and d.args[0].text.lower() == "internal" for d in directive.children())


@rule(
    code="SG505", title="Internal CA certificate on a public name",
    kinds=KINDS, severity=Severity.WARNING,
    why="`tls internal` signs the site with Caddy's own local CA, which no browser or phone trusts: visitors get a "
        "certificate warning and learn to click through it, which is exactly what an attacker's certificate needs.",
    fix="Remove `tls internal` so Caddy obtains a publicly trusted certificate; keep it for LAN-only names "
        "(*.lan, *.home.arpa, localhost), where you install Caddy's root certificate on your own devices.",
    guide=CADDY_PITFALLS,
    insecure=Example("media.example.com {\n\ttls internal\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy", 2),
    secure=Example("media.home.arpa {\n\ttls internal\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy"),
)
def internal_tls_public(caddyfile: Caddyfile) -> Iterator[Hit]:
    reported: set[int] = set()
    for site in caddyfile.sites:
        public = [a for a in _site_tokens(site) if a.scheme != "http" and is_public_name(a.host)]
        if not public:
            continue
        for directive in caddyfile.site_directives(site):
            if _internal_tls(directive) and id(directive) not in reported:
                reported.add(id(directive))
                yield Hit(directive.line, directive.name.column,
                          f"tls internal on public site '{public[0].token.text}'{_origin(public[0].token)}: browsers "
                          "will not trust this certificate")
    for directive in caddyfile.global_option("local_certs"):
        if any(is_public_name(a.host) for site in caddyfile.sites for a in _site_tokens(site) if a.scheme != "http"):
            yield Hit(directive.line, directive.name.column,
                      "local_certs gives every site, public names included, a certificate no browser trusts")


def _upstreams(directive: Directive) -> list[Token]:
    args = directive.args[1:] if directive.args and is_matcher(directive.args[0]) else directive.args
    found = list(args)
    for sub in directive.find("to"):
        found.extend(sub.args)
    return found


def _upstream_port(token: Token) -> list[int]:
    text = token.text.split("://", 1)[-1]
    if text.lower().startswith("unix/") or token.has_placeholder:
        return []
    text = text.split("/", 1)[0]
    port = text.rsplit("]:", 1)[1] if text.startswith("[") and "]:" in text else text.rsplit(":", 1)[-1]
    return port_numbers(port) if ":" in text else []


@rule(
    code="SG506", title="reverse_proxy to a database port",
    kinds=KINDS,
    why="It is a mistake either way: `reverse_proxy` speaks HTTP, so it cannot make PostgreSQL usable over the "
        "web, yet it hands every visitor's request to a database port that nothing but the DesterLib API should "
        "reach, and some databases (Redis, for one) have been attacked with exactly such HTTP requests.",
    fix="Point reverse_proxy at the API (`reverse_proxy 127.0.0.1:3001`) and keep the database on the internal "
        "Docker network.",
    guide="security/database.md#database-port",
    insecure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:5432\n}\n", "caddy", 2),
    secure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy"),
)
def proxy_to_database(caddyfile: Caddyfile) -> Iterator[Hit]:
    for directive in caddyfile.walk():
        if directive.value != "reverse_proxy":
            continue
        for token in _upstreams(directive):
            database = next((DATABASE_PORTS[p] for p in _upstream_port(token) if p in DATABASE_PORTS), None)
            if database:
                yield Hit(token.line, token.column, f"reverse_proxy to '{token.text}', a {database} port")
