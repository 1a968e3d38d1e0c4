"""SG412-SG413: what nginx offers on its HTTPS port — the cipher list, and whether TLS is on at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from snippetguard.kinds.nginx import Directive, NginxConf
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules.nginx import KINDS, NGINX_PITFALLS

SERVER = ("server {\n    listen 443 ssl;\n    server_name media.example.com;\n"
          "    ssl_certificate /etc/ssl/certs/media.pem;\n    ssl_certificate_key /etc/ssl/private/media.key;\n")


# --------------------------------------------------------------------------- SG412 cipher lists

@dataclass(frozen=True)
class Suite:
    """A representative OpenSSL cipher suite and the properties the cipher-list aliases select on."""

    name: str
    enc: str  # RC4, DES, 3DES, NULL, AES128, …
    mac: str  # MD5, SHA1, AEAD
    kx: str  # RSA, DHE, ECDHE
    au: str  # RSA, ECDSA, NULL (anonymous)
    strength: str  # HIGH, MEDIUM, LOW, EXPORT, NONE
    sslv3: bool = True  # defined for SSLv3/TLS 1.0 (the "SSLv3" and "TLSv1" aliases select these)


# One suite per weak family, as OpenSSL 1.1/3 classifies them (3DES is MEDIUM since 1.1.0).
SUITES = (
    Suite("RC4-SHA", "RC4", "SHA1", "RSA", "RSA", "MEDIUM"),
    Suite("RC4-MD5", "RC4", "MD5", "RSA", "RSA", "MEDIUM"),
    Suite("ECDHE-RSA-RC4-SHA", "RC4", "SHA1", "ECDHE", "RSA", "MEDIUM"),
    Suite("DES-CBC3-SHA", "3DES", "SHA1", "RSA", "RSA", "MEDIUM"),
    Suite("ECDHE-RSA-DES-CBC3-SHA", "3DES", "SHA1", "ECDHE", "RSA", "MEDIUM"),
    Suite("DES-CBC-SHA", "DES", "SHA1", "RSA", "RSA", "LOW"),
    Suite("EXP-RC4-MD5", "RC4", "MD5", "RSA", "RSA", "EXPORT"),
    Suite("EXP-DES-CBC-SHA", "DES", "SHA1", "RSA", "RSA", "EXPORT"),
    Suite("NULL-SHA", "NULL", "SHA1", "RSA", "RSA", "NONE"),
    Suite("NULL-MD5", "NULL", "MD5", "RSA", "RSA", "NONE"),
    Suite("ADH-AES128-SHA", "AES128", "SHA1", "DHE", "NULL", "HIGH"),
    Suite("AECDH-AES128-SHA", "AES128", "SHA1", "ECDHE", "NULL", "HIGH"),
)
ALIASES = {  # alias -> test on a suite (OpenSSL's ciphers(1) manual)
    "ALL": lambda s: s.enc != "NULL",
    "COMPLEMENTOFALL": lambda s: s.enc == "NULL",
    "HIGH": lambda s: s.strength == "HIGH",
    "MEDIUM": lambda s: s.strength == "MEDIUM",
    "LOW": lambda s: s.strength == "LOW",
    "EXP": lambda s: s.strength == "EXPORT", "EXPORT": lambda s: s.strength == "EXPORT",
    "EXPORT40": lambda s: s.strength == "EXPORT", "EXPORT56": lambda s: s.strength == "EXPORT",
    "ENULL": lambda s: s.enc == "NULL", "NULL": lambda s: s.enc == "NULL",
    "ANULL": lambda s: s.au == "NULL", "ADH": lambda s: s.au == "NULL" and s.kx == "DHE",
    "AECDH": lambda s: s.au == "NULL" and s.kx == "ECDHE",
    "RC4": lambda s: s.enc == "RC4", "DES": lambda s: s.enc == "DES", "3DES": lambda s: s.enc == "3DES",
    "MD5": lambda s: s.mac == "MD5", "SHA1": lambda s: s.mac == "SHA1", "SHA": lambda s: s.mac == "SHA1",
    "KRSA": lambda s: s.kx == "RSA", "RSA": lambda s: s.kx == "RSA" or s.au == "RSA", "ARSA": lambda s: s.au == "RSA",
    "KDHE": lambda s: s.kx == "DHE", "KEDH": lambda s: s.kx == "DHE", "DH": lambda s: s.kx == "DHE",
    "DHE": lambda s: s.kx == "DHE" and s.au != "NULL", "EDH": lambda s: s.kx == "DHE" and s.au != "NULL",
    "KECDHE": lambda s: s.kx == "ECDHE", "KEECDH": lambda s: s.kx == "ECDHE", "ECDH": lambda s: s.kx == "ECDHE",
    "ECDHE": lambda s: s.kx == "ECDHE" and s.au != "NULL", "EECDH": lambda s: s.kx == "ECDHE" and s.au != "NULL",
    "AES": lambda s: s.enc.startswith("AES"), "AES128": lambda s: s.enc == "AES128",
    "SSLV3": lambda s: s.sslv3, "TLSV1": lambda s: s.sslv3, "SSLV2": lambda s: s.strength in ("EXPORT", "LOW")
    or s.enc in ("RC4", "3DES"),
}
# Aliases that select only suites none of the weak ones belong to (AEAD ciphers, SHA-2 MACs, ECDSA, …).
STRONG_ONLY = frozenset({"AESGCM", "AESCCM", "AES256", "CHACHA20", "ARIA", "ARIAGCM", "CAMELLIA", "CAMELLIA128",
                         "CAMELLIA256", "SHA256", "SHA384", "ECDSA", "AECDSA", "ADSS", "DSS", "PSK", "KPSK",
                         "SRP", "KSRP", "SEED", "IDEA", "GOST", "TLSV1.2", "SUITEB128", "SUITEB192"})
WEAKNESS = (  # (test, how the message names it)
    (lambda s: s.enc == "NULL", "NULL encryption (eNULL)"),
    (lambda s: s.au == "NULL", "anonymous key exchange (aNULL: no server authentication)"),
    (lambda s: s.strength == "EXPORT", "export-grade ciphers"),
    (lambda s: s.enc == "RC4", "RC4"),
    (lambda s: s.enc == "DES", "single DES"),
    (lambda s: s.enc == "3DES", "3DES (SWEET32)"),
    (lambda s: s.mac == "MD5", "MD5"),
)
NAMED_WEAK_RE = re.compile(r"(^|-)(RC4|DES-CBC3|DES-CBC|EXP|NULL|ADH|AECDH)(-|$)|-MD5$", re.I)


def _concrete(name: str) -> Suite | None:
    """A suite named in the list (e.g. `DES-CBC3-SHA`), with its properties read from the name."""
    upper = name.upper()
    known = next((s for s in SUITES if s.name == upper), None)
    if known is not None or "-" not in upper:
        return known
    if not NAMED_WEAK_RE.search(upper):
        return None  # a strong suite (ECDHE-RSA-AES128-GCM-SHA256): never weak
    enc = ("RC4" if "RC4" in upper else "3DES" if "DES-CBC3" in upper else "DES" if "DES-CBC" in upper
           else "NULL" if "NULL" in upper else "AES128")
    au = "NULL" if upper.startswith(("ADH-", "AECDH-")) else "RSA"
    kx = "ECDHE" if "ECDH" in upper else "DHE" if "DH" in upper else "RSA"
    strength = "EXPORT" if upper.startswith("EXP") else "MEDIUM"
    return Suite(upper, enc, "MD5" if upper.endswith("-MD5") else "SHA1", kx, au, strength)


def _selects(selector: str, suite: Suite) -> bool | None:
    """Whether one selector (alias or suite name) picks `suite`; None when it is unknown here."""
    upper = selector.upper()
    if upper in ALIASES:
        return ALIASES[upper](suite)
    if upper in STRONG_ONLY:
        return False
    if "-" in upper:
        return upper == suite.name
    return None


def weak_enabled(cipher_list: str) -> dict[str, str]:
    """Weak families a cipher list leaves enabled -> the term that enabled them.

    OpenSSL reads the list left to right: a plain term adds suites, `A+B` adds the suites in both,
    `-X` removes, `!X` removes for good, `+X` only reorders, `@…` are options.
    """
    candidates = {s.name: s for s in SUITES}
    enabled: dict[str, str] = {}  # suite name -> term
    banned: set[str] = set()
    for term in filter(None, re.split(r"[:,\s]+", cipher_list.strip().strip("'\""))):
        if term.startswith("@"):
            continue
        op = term[0] if term[0] in "!-+" else ""
        parts = [p for p in (term[1:] if op else term).split("+") if p]
        if not parts:
            continue
        for part in parts:
            suite = _concrete(part)
            if suite is not None:
                candidates.setdefault(suite.name, suite)
        for name, suite in candidates.items():
            verdicts = [_selects(p, suite) for p in parts]
            if not all(v is True for v in verdicts):
                continue
            if op in ("!", "-"):
                enabled.pop(name, None)
                if op == "!":
                    banned.add(name)
            elif not op and name not in banned:
                enabled.setdefault(name, term)
    found: dict[str, str] = {}
    for name, term in enabled.items():
        for test, label in WEAKNESS:
            if test(candidates[name]):
                found.setdefault(label, term)
    return found


def _protocols(directive: Directive, conf: NginxConf) -> set[str] | None:
    """The ssl_protocols in force where `directive` is (its block, then the enclosing ones)."""
    scopes = [directive.parent, *directive.ancestors()] if directive.parent else [None]
    for scope in scopes:
        siblings = scope.children() if scope is not None else conf.directives
        found = [d for d in siblings if d.name == "ssl_protocols"]
        if found:
            return set(found[-1].args)
        if scope is None:
            break
    if directive.parent is not None and directive.parent.parent is None:
        top = [d for d in conf.directives if d.name == "ssl_protocols"]
        return set(top[-1].args) if top else None
    return None


@rule(
    code="SG412", title="Weak TLS cipher suites enabled",
    kinds=KINDS,
    why="RC4, single DES, 3DES (SWEET32), NULL and export-grade ciphers can be broken or read outright, MD5 MACs "
        "are obsolete, and anonymous suites (aNULL) skip the server's certificate, so anyone in the middle can "
        "pose as the server. A cipher list that enables any of them offers it to every client that asks, and an "
        "attacker can steer old clients to it. Excluding them (`!aNULL`, `!RC4`) is fine.",
    fix="Remove `ssl_ciphers` to keep nginx's default (`HIGH:!aNULL:!MD5`), or list only ECDHE suites with "
        "AES-GCM or ChaCha20 (`ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305`).",
    guide="security/https.md#tls-versions",
    insecure=Example(SERVER + "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers RC4:HIGH:!aNULL:!MD5;\n}\n",
                     "nginx", 7),
    secure=Example(SERVER + "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers HIGH:!aNULL:!MD5;\n}\n", "nginx"),
)
def weak_ciphers(conf: NginxConf) -> Iterator[Hit]:
    for directive in conf.walk():
        if directive.name != "ssl_ciphers" or not directive.args:
            continue
        protocols = _protocols(directive, conf)
        if protocols and protocols <= {"TLSv1.3"}:
            continue  # TLS 1.3 suites are not chosen by ssl_ciphers
        weak = weak_enabled(directive.args[0])
        if weak:
            listed = "; ".join(f"{label} (by '{term}')" for label, term in weak.items())
            yield Hit(directive.line, 1, f"ssl_ciphers enables {listed}")


# --------------------------------------------------------------------------- SG413 listen without ssl

PORT_RE = re.compile(r"(?::|^)(\d+)$")


def listen_port(address: str) -> int | None:
    """The port of a listen address: `443`, `*:443`, `127.0.0.1:443`, `[::]:443`; None for unix sockets."""
    if address.startswith("unix:"):
        return None
    match = PORT_RE.search(address)
    if match:
        return int(match.group(1))
    return 80  # an address without a port listens on 80


def _servers(conf: NginxConf) -> Iterator[tuple[list[Directive], list[Directive]]]:
    """Each http server as (its directives, the directives of the blocks around it)."""
    for directive in conf.walk():
        if directive.name == "server" and directive.is_block and not any(a.name == "stream" for a in directive.ancestors()):
            outer = [d for a in directive.ancestors() for d in a.children()]
            yield directive.children(), outer + ([] if directive.parent else conf.directives)
    if conf.context.name == "server":  # a server-level snippet: its top level is the server
        yield conf.directives, []


def _ssl_directive_on(directives: list[Directive]) -> bool:
    return any(d.name == "ssl" and d.args and d.args[0].lower() == "on" for d in directives)


@rule(
    code="SG413", title="HTTPS port served without TLS",
    kinds=KINDS,
    why="Without `ssl` on its `listen` line, nginx speaks plain HTTP on that port, even on 443 and even with a "
        "certificate configured: browsers fail with a protocol error, and clients that fall back send everything "
        "(logins, tokens, media) unencrypted. The certificate lines alone do not turn TLS on.",
    fix="Add `ssl` to the listen line: `listen 443 ssl;` (and `listen [::]:443 ssl;`). For HTTP/2 write "
        "`listen 443 ssl;` plus `http2 on;` (nginx 1.25.1 and later) or `listen 443 ssl http2;` (older).",
    guide=NGINX_PITFALLS,
    insecure=Example("server {\n    listen 443;\n    server_name media.example.com;\n"
                     "    ssl_certificate /etc/ssl/certs/media.pem;\n"
                     "    ssl_certificate_key /etc/ssl/private/media.key;\n}\n", "nginx", 2),
    secure=Example(SERVER + "}\n", "nginx"),
)
def listen_without_ssl(conf: NginxConf) -> Iterator[Hit]:
    for server, outer in _servers(conf):
        listens = [d for d in server if d.name == "listen" and d.args]
        if _ssl_directive_on(server) or _ssl_directive_on(outer):
            continue  # the removed `ssl on;` (nginx < 1.25.1) turns TLS on for every listen
        any_tls = any({"ssl", "quic"} & {a.lower() for a in d.args[1:]} for d in listens)
        certificate = any(d.name == "ssl_certificate" for d in [*server, *outer])
        for listen in listens:
            params = {a.lower() for a in listen.args[1:]}
            if params & {"ssl", "quic"}:
                continue
            port = listen_port(listen.args[0])
            if port == 443:
                yield Hit(listen.line, 1, f"listen {' '.join(listen.args)}: plain HTTP on the HTTPS port 443")
            elif certificate and not any_tls and port not in (None, 80):
                yield Hit(listen.line, 1, f"listen {' '.join(listen.args)}: the server has a certificate, but no "
                                          "listen turns TLS on, so this port serves plain HTTP")
