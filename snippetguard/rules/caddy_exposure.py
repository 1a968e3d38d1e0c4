"""SG507-SG508: what a Caddy site lists to visitors, and whose word it takes for the client's address."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from snippetguard.containers import is_loopback
from snippetguard.kinds.caddy import Caddyfile, Directive, Site, Token, is_matcher
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules.caddy import CADDY_PITFALLS, KINDS, parse_address

# --------------------------------------------------------------------------- SG507 file listings

LOCAL_SUFFIX = ".localhost"


def _loopback_host(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    return bool(name) and (is_loopback(name) or name.endswith(LOCAL_SUFFIX))


def _bound_to_loopback(caddyfile: Caddyfile, site: Site) -> bool:
    """Every address the site listens on is loopback: its `bind`, else the global `default_bind`."""
    binds = [d for d in site.directives if d.value == "bind" and d.args]
    if not binds:
        binds = caddyfile.global_option("default_bind")
    addresses = [a.text for d in binds for a in d.args]
    return bool(addresses) and all(_loopback_host(_bind_host(a)) for a in addresses)


def _bind_host(address: str) -> str:
    text = address.split("/", 1)[-1] if address.startswith(("tcp/", "tcp4/", "tcp6/", "udp/")) else address
    if text.startswith("["):
        return text[1 : text.find("]")]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def reachable_beyond_host(caddyfile: Caddyfile, site: Site) -> bool:
    """Whether other machines can reach the site: any address but localhost/loopback, unless bound to loopback."""
    if _bound_to_loopback(caddyfile, site):
        return False
    return not all(_loopback_host(parse_address(token).host) for token in site.addresses)


def _browses(directive: Directive) -> Token | None:
    """The `browse` token of a `file_server` directive (inline or as a subdirective), if any."""
    args = directive.args[1:] if directive.args and is_matcher(directive.args[0]) else directive.args
    inline = next((a for a in args if a.text == "browse" and not a.quoted), None)
    if inline is not None:
        return inline
    return next((d.name for d in directive.children() if d.value == "browse"), None)


@rule(
    code="SG507", title="Directory listing on a site reachable from the network",
    kinds=KINDS,
    why="`file_server browse` shows every file in the folder to anyone who can reach the site, including "
        "backups, exports, `.env` files and everything added later that nobody meant to publish. On a LAN or "
        "public address that is every device on the network, or everyone.",
    fix="Remove `browse` and link to the files you mean to share; if you need a listing, put `basic_auth` "
        "(`basicauth` on Caddy 2.6 and 2.7) in front of it or serve it on `localhost` only.",
    guide=CADDY_PITFALLS,
    insecure=Example("files.example.com {\n\troot * /srv/share\n\tfile_server browse\n}\n", "caddy", 3),
    secure=Example("files.example.com {\n\troot * /srv/share\n\tfile_server\n}\n", "caddy"),
)
def public_browse(caddyfile: Caddyfile) -> Iterator[Hit]:
    seen: set[int] = set()
    for site in caddyfile.sites:
        if not reachable_beyond_host(caddyfile, site):
            continue
        for directive in caddyfile.site_directives(site):
            if directive.value != "file_server" or id(directive) in seen:
                continue
            token = _browses(directive)
            if token is not None and not _behind_auth(caddyfile, site):
                seen.add(id(directive))
                yield Hit(directive.line, directive.name.column,
                          f"file_server browse lists the folder to everyone who reaches '{site.addresses[0].text}'")


def _behind_auth(caddyfile: Caddyfile, site: Site) -> bool:
    """A site-wide `basic_auth` (no matcher) or `forward_auth` in front of everything."""
    for directive in site.directives:
        if directive.value in ("basicauth", "basic_auth", "forward_auth"):
            first = directive.args[0] if directive.args else None
            if first is None or not is_matcher(first) or first.text == "*":
                return True
    return False


# --------------------------------------------------------------------------- SG508 forwarded client address

EVERY_ADDRESS = ("0.0.0.0/0", "::/0")
CLIENT_HEADER_RE = re.compile(r"\{(?:http\.request\.header\.|header\.|>)(X-Forwarded-\w+|X-Real-IP|Forwarded)\}", re.I)
# `header_up` in reverse_proxy (Caddy 1's `header_upstream`, which Caddy 2 refuses, still appears in copied
# configurations), and `request_header`, which rewrites the request before any handler sees it.
HEADER_SETTERS = frozenset({"header_up", "header_upstream", "request_header"})
FORWARDED_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto", "forwarded"})


def _trusts_everyone(tokens: list[Token]) -> Token | None:
    for token in tokens:
        try:
            network = ipaddress.ip_network(token.text, strict=False)
        except ValueError:
            continue
        if network.prefixlen == 0:
            return token
    return None


@rule(
    code="SG508", title="Client address taken from headers anyone can send",
    kinds=KINDS,
    why="Caddy ignores a client's own `X-Forwarded-For` unless the request comes from a trusted proxy. "
        "`trusted_proxies 0.0.0.0/0` (or `::/0`) trusts every address on the internet, and `header_up X-Real-IP "
        "{http.request.header.X-Forwarded-For}` copies the client's claim to the backend: either way anyone "
        "chooses the address the backend logs, rate-limits or allow-lists.",
    fix="Name only the proxies in front of Caddy: inside `reverse_proxy`, `trusted_proxies 192.168.1.2/32` (or "
        "`private_ranges` when they are on your LAN); the server-wide `servers { trusted_proxies static … }` "
        "needs Caddy 2.6.3 or later (Debian 12 has 2.6.2). With nothing in front, leave `trusted_proxies` out. Let "
        "`reverse_proxy` set `X-Forwarded-For` itself, or use `header_up X-Real-IP {remote_host}`.",
    guide="security/https.md#what-changes",
    # reverse_proxy's own trusted_proxies (Caddy 2.5+): the server-wide option needs 2.6.3, newer than Debian 12's.
    insecure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:3001 {\n\t\ttrusted_proxies 0.0.0.0/0\n\t}\n}\n",
                     "caddy", 3),
    secure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:3001 {\n\t\t# the one proxy in front of this Caddy\n"
                   "\t\ttrusted_proxies 192.168.1.2/32\n\t}\n}\n", "caddy"),
)
def forwarded_from_anyone(caddyfile: Caddyfile) -> Iterator[Hit]:
    for directive in caddyfile.walk():
        if directive.value == "trusted_proxies" and directive.parent is not None:
            args = directive.args[1:] if directive.args and directive.args[0].text == "static" else directive.args
            token = _trusts_everyone(args)
            if token is not None:
                yield Hit(directive.line, directive.name.column,
                          f"trusted_proxies {token.text} trusts every address: any client can set its own address")
        elif directive.value in HEADER_SETTERS and len(directive.args) >= 2:
            args = directive.args[1:] if directive.value == "request_header" and is_matcher(directive.args[0]) \
                else directive.args
            if len(args) < 2:
                continue
            name = args[0].text.lstrip("+").lower()
            value = " ".join(a.text for a in args[1:])
            match = CLIENT_HEADER_RE.search(value)
            if name in FORWARDED_HEADERS and match:
                yield Hit(directive.line, directive.name.column,
                          f"{directive.value} {args[0].text} copies the client's own {match.group(1)} header")
