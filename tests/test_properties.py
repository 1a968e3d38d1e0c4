"""Property tests: any input, as any kind, gives findings or a clean result, quickly, and never a crash.

Every parser and every rule is driven by Hypothesis with

* any text and any bytes (decoded as `snippetguard.sources.decode` does, and given as files to the CLI),
  checked as every kind in `snippetguard.KINDS`;
* structured generators that write what a documentation snippet really looks like: Compose documents
  (short and long syntax, anchors and merge keys, flow style, quoted keys, `extends`), shell command
  lines (sudo/env prefixes, pipes, chains, continuations, subshells, heredocs, transcripts), nginx
  blocks, Caddyfiles, .env files, and Markdown pages holding any of them.

The invariants: no exception and no SG000 (a parser or rule that crashed or overran the watchdog),
a bounded time per check, and for the structured generators also "never lets anything through":
every insecure piece the generator put in must still be reported (at the right line where the
generator knows it), and the same content written another way (flow vs block style, anchors,
CRLF/CR line endings, a BOM, indented inside a Markdown fence) gives the same findings.

Profiles (applied to this module's tests only, so other modules keep their own settings):

* ``snippetguard-ci``: chosen when ``CI=true``; derandomized (a fixed seed), bounded examples, no
  example database; the whole module stays well under 60 s on 2 cores.
* ``snippetguard-default``: local runs; the same, with fewer examples.
* ``snippetguard-long``: ``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py``;
  20x the CI examples, random seeds and Hypothesis' example database (failures are replayed), for
  hunting bugs before a release (about 11 minutes on 2 cores).

``HYPOTHESIS_PROFILE`` may also name ``ci`` or ``default``. The profiles are not registered as plain
``ci``/``default``: Hypothesis 6.x loads its own built-in ``ci`` profile under ``CI=true``, and
re-registering that name would change the settings of every other module's Hypothesis tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import snippetguard
from snippetguard import KINDS
from snippetguard.cli import main
from snippetguard.model import Finding, Snippet
from snippetguard.sources import Unreadable, decode

# --------------------------------------------------------------------------- profiles

_SHARED: dict[str, Any] = {"suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
                           "print_blob": True}
settings.register_profile("snippetguard-ci", max_examples=250, derandomize=True, database=None,
                          deadline=timedelta(seconds=5), **_SHARED)
settings.register_profile("snippetguard-default", max_examples=100, derandomize=True, database=None,
                          deadline=timedelta(seconds=5), **_SHARED)
settings.register_profile("snippetguard-long", max_examples=5000, derandomize=False,
                          deadline=timedelta(seconds=10), **_SHARED)


def _profile_name() -> str:
    wanted = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if wanted:
        return wanted if wanted.startswith("snippetguard-") else f"snippetguard-{wanted}"
    return "snippetguard-ci" if os.environ.get("CI", "").strip().lower() == "true" else "snippetguard-default"


PROFILE = settings.get_profile(_profile_name())


def scaled(factor: float) -> settings:
    """The profile with `factor` times its examples (cheap tests get more, costly ones fewer)."""
    return settings(PROFILE, max_examples=max(10, int(PROFILE.max_examples * factor)))


BOUND_SECONDS = 5.0  # one check of one small snippet; typical is a few milliseconds
KIND_NAMES = sorted(KINDS)


# --------------------------------------------------------------------------- the invariants


def check(text: str, kind: str, path: str = "snippet") -> list[Finding]:
    """Check one snippet and assert the universal invariants; return every finding."""
    start = time.monotonic()
    result = snippetguard.check_snippet(Snippet(text, kind, path))
    elapsed = time.monotonic() - start
    found = result.all_findings()
    crashed = [f"{f.rule} {f.message}" for f in found if f.rule == "SG000"]
    assert not crashed, (kind, text, crashed)
    assert elapsed < BOUND_SECONDS, (kind, text, f"{elapsed:.1f} s")
    for finding in found:
        assert finding.line >= 1 and finding.column >= 1, finding
    return found


def rules_of(found: list[Finding]) -> set[str]:
    return {f.rule for f in found}


def at(found: list[Finding]) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in found}


def must_fire(found: list[Finding], expected: set[str], text: str) -> None:
    got = rules_of(found)
    assert "SG001" not in got, ("a generated snippet must parse", text, found)
    assert expected <= got, (f"missing {sorted(expected - got)}", text, sorted(at(found)))


# --------------------------------------------------------------------------- Compose documents


@dataclass(frozen=True)
class Raw:
    """A YAML scalar written exactly so (`yes`, `"true"`, `5432`)."""

    text: str


@dataclass(frozen=True)
class Anchored:
    name: str
    node: Any


@dataclass(frozen=True)
class Alias:
    name: str


SPECIALS_START = tuple("-?:,[]{}#&*!|>'\"%@` ")


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value.startswith(SPECIALS_START) or value != value.strip() or value.endswith(":"):
        return False
    if ": " in value or " #" in value or value.lower() in ("null", "~", "true", "false", "yes", "no", "on", "off"):
        return False
    return not flow or re.fullmatch(r"[A-Za-z0-9_./=+-]+", value) is not None


@st.composite
def yaml_scalar(draw: st.DrawFn, value: str, flow: bool) -> str:
    style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
    if style == "plain" and _plain_ok(value, flow):
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value)


@st.composite
def yaml_key(draw: st.DrawFn, key: str, flow: bool) -> str:
    if key == "<<":
        return key
    return draw(yaml_scalar(key, flow))


def _is_scalar(node: Any) -> bool:
    return isinstance(node, (str, Raw, Alias))


@st.composite
def emit_flow(draw: st.DrawFn, node: Any) -> str:
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Alias):
        return f"*{node.name}"
    if isinstance(node, Anchored):
        return f"&{node.name} " + draw(emit_flow(node.node))
    if isinstance(node, str):
        return draw(yaml_scalar(node, True))
    if isinstance(node, list):
        return "[" + ", ".join(draw(emit_flow(item)) for item in node) + "]"
    parts = [f"{draw(yaml_key(k, True))}: {draw(emit_flow(v))}" for k, v in node.items()]
    return "{" + ", ".join(parts) + "}"


@st.composite
def emit_block(draw: st.DrawFn, node: Any, indent: int, flow_chance: bool) -> list[str]:
    """Lines for a mapping or a list at `indent`; nested values may switch to flow style."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            head = f"{pad}{draw(yaml_key(key, False))}:"
            anchor = ""
            if isinstance(value, Anchored):
                anchor, value = f" &{value.name}", value.node
            if _is_scalar(value):
                text = value.text if isinstance(value, Raw) else (
                    f"*{value.name}" if isinstance(value, Alias) else draw(yaml_scalar(value, False)))
                lines.append(f"{head}{anchor} {text}")
            elif not value or (flow_chance and draw(st.integers(0, 3)) == 0):
                lines.append(f"{head}{anchor} {draw(emit_flow(value))}")
            else:
                lines.append(head + anchor)
                # Lists under a key may be indented or not ("indentless" sequences are valid YAML).
                step = 0 if isinstance(value, list) and draw(st.booleans()) else 2
                lines.extend(draw(emit_block(value, indent + step, flow_chance)))
    else:
        for item in node:
            if _is_scalar(item):
                text = item.text if isinstance(item, Raw) else draw(yaml_scalar(item, False))
                lines.append(f"{pad}- {text}")
            elif isinstance(item, dict) and item:
                inner = draw(emit_block(item, indent + 2, flow_chance))
                lines.append(f"{pad}- {inner[0][indent + 2:]}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {draw(emit_flow(item))}")
    return lines


DB_IMAGES = ["postgres:15-alpine", "redis:7", "mysql:8", "docker.io/library/postgres:16"]
OTHER_IMAGES = ["desterlib/api:latest", "nginx:1.25", "caddy:2", "${API_IMAGE:-desterlib/api}"]
DB_PORTS = {"5432", "5433", "6379", "3306", "27017"}
LOOPBACK_HOSTS = ["127.0.0.1:", "[::1]:", "${BIND:-127.0.0.1}:", "localhost:"]
OPEN_HOSTS = ["", "0.0.0.0:", "[::]:", "${BIND:-0.0.0.0}:", "${BIND}:", "192.168.1.20:"]


def _db_target(target: str) -> bool:
    spec = target.split("/")[0].replace("${PORT:-5432}", "5432")
    if "-" in spec:
        low, high = (int(p) for p in spec.split("-"))
        return any(str(p) in DB_PORTS for p in range(low, high + 1))
    return spec in DB_PORTS


@st.composite
def compose_port(draw: st.DrawFn, db_image: bool) -> tuple[Any, set[str]]:
    target = draw(st.sampled_from(["5432", "6379", "3001", "80", "5430-5435", "${PORT:-5432}"]))
    host = draw(st.sampled_from(LOOPBACK_HOSTS + OPEN_HOSTS))
    fires = (db_image or _db_target(target)) and host not in LOOPBACK_HOSTS
    form = draw(st.sampled_from(["short", "short", "number", "long"]))
    if form == "number" and target.isdigit():
        return Raw(target), ({"SG101"} if db_image or _db_target(target) else set())
    if form == "long" and target.isdigit():
        entry: dict[str, Any] = {"target": Raw(target)}
        if draw(st.booleans()):
            entry["published"] = draw(st.sampled_from([Raw(target), "8080", "${DB_PORT:-5432}"]))
        ip = host.rstrip(":").strip("[]")
        if ip:
            entry["host_ip"] = ip
        if draw(st.booleans()):
            entry["protocol"] = "tcp"
        return entry, ({"SG101"} if fires else set())
    published = draw(st.sampled_from(["", target.split("-")[0] + ":" if "-" not in target else target + ":",
                                      "${DB_PORT:-15432}:"]))
    if host and not published:
        published = ":"  # HOST::TARGET, a random host port on that address
    proto = draw(st.sampled_from(["", "/tcp"]))
    text = f"{host}{published}{target}{proto}".replace(":::", "::")
    return text, ({"SG101"} if fires else set())


VOLUME_SOURCES = ["/srv/media", "./config", "data", "/var/run/docker.sock", "/etc", "/etc/localtime",
                  "${MEDIA_PATH:-/srv/media}", "/srv/app"]
VOLUME_TARGETS = ["/media", "/config", "/data", "/var/run/docker.sock", "/host-etc", "/etc/localtime"]


def _volume_rules(source: str, target: str, read_only: bool, bind: bool) -> set[str]:
    out: set[str] = set()
    if source.endswith("docker.sock"):
        out.add("SG103")
    if source == "/etc" and bind:
        out.add("SG108")
    if not read_only and (target == "/media" or (bind and "media" in source)):
        out.add("SG102")
    return out


@st.composite
def compose_volume(draw: st.DrawFn) -> tuple[Any, set[str]]:
    source = draw(st.sampled_from(VOLUME_SOURCES))
    target = draw(st.sampled_from(VOLUME_TARGETS))
    if draw(st.integers(0, 3)) == 0:
        read_only = draw(st.sampled_from([None, "true", "false"]))
        entry: dict[str, Any] = {"type": "bind", "source": source, "target": target}
        if read_only is not None:
            entry["read_only"] = Raw(read_only)
        return entry, _volume_rules(source, target, read_only == "true", True)
    mode = draw(st.sampled_from(["", ":ro", ":rw", ":ro,z"]))
    bind = source.startswith(("/", ".", "$"))
    return f"{source}:{target}{mode}", _volume_rules(source, target, "ro" in mode.split(":")[-1].split(","), bind)


ENV_ENTRIES: list[tuple[str, str, set[str]]] = [
    ("POSTGRES_PASSWORD", "postgres", {"SG110"}),
    ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:?set it in .env}", set()),
    ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-changeme}", {"SG110"}),
    ("API_KEY", "Xk3-long-Random-but-public-7Qz9", {"SG109"}),
    ("POSTGRES_HOST_AUTH_METHOD", "trust", {"SG110"}),
    ("DATABASE_URL", "postgresql://app:postgres@db:5432/app", {"SG205"}),
    ("NODE_ENV", "production", set()),
    ("TZ", "Europe/Paris", set()),
]
TRUE_SPELLINGS = ["true", '"true"', "yes", "True", "'on'", "on"]
FALSE_SPELLINGS = ["false", "no", '"false"']


@st.composite
def compose_service(draw: st.DrawFn) -> tuple[dict[str, Any], set[str]]:
    db_image = draw(st.booleans())
    body: dict[str, Any] = {"image": draw(st.sampled_from(DB_IMAGES if db_image else OTHER_IMAGES))}
    expected: set[str] = set()
    if draw(st.booleans()):
        ports = draw(st.lists(compose_port(db_image), min_size=1, max_size=3))
        body["ports"] = [p for p, _ in ports]
        expected |= set().union(*(r for _, r in ports))
    if draw(st.booleans()):
        volumes = draw(st.lists(compose_volume(), min_size=1, max_size=3))
        body["volumes"] = [v for v, _ in volumes]
        expected |= set().union(*(r for _, r in volumes))
        if "desterlib" not in body["image"]:
            expected.discard("SG102")  # a media mount is DesterLib's library only in DesterLib's API
    if draw(st.booleans()):
        entries = draw(st.lists(st.sampled_from(ENV_ENTRIES), min_size=1, max_size=3, unique_by=lambda e: e[0]))
        if draw(st.booleans()):
            body["environment"] = {name: value for name, value, _ in entries}
        else:
            body["environment"] = [f"{name}={value}" for name, value, _ in entries]
        expected |= set().union(*(r for _, _, r in entries))
    if draw(st.integers(0, 3)) == 0:
        spelling = draw(st.sampled_from(TRUE_SPELLINGS + FALSE_SPELLINGS))
        body["privileged"] = Raw(spelling)
        expected |= {"SG104"} if spelling in TRUE_SPELLINGS else set()
    if draw(st.integers(0, 3)) == 0:
        key = draw(st.sampled_from(["network_mode", "pid", "ipc"]))
        value = draw(st.sampled_from(["host", "bridge"] if key == "network_mode" else ["host", "service:db"]))
        body[key] = value
        expected |= {"SG105"} if value == "host" else set()
    if draw(st.integers(0, 3)) == 0:
        caps = draw(st.lists(st.sampled_from(["SYS_ADMIN", "CAP_NET_ADMIN", "ALL", "CHOWN", "NET_BIND_SERVICE"]),
                             min_size=1, max_size=2, unique=True))
        body["cap_add"] = caps
        expected |= {"SG106"} if set(caps) & {"SYS_ADMIN", "CAP_NET_ADMIN", "ALL"} else set()
    if draw(st.integers(0, 3)) == 0:
        opts = draw(st.lists(st.sampled_from(["seccomp:unconfined", "apparmor=unconfined", "no-new-privileges:true"]),
                             min_size=1, max_size=2, unique=True))
        body["security_opt"] = opts
        expected |= {"SG107"} if any("unconfined" in o for o in opts) else set()
    if draw(st.booleans()):
        body["restart"] = "unless-stopped"
    return body, expected


SERVICE_NAMES = ["api", "db", "web", "cache", "worker", "proxy"]


@dataclass(frozen=True)
class ComposeCase:
    services: dict[str, dict[str, Any]]
    expected: set[str]
    extends: tuple[tuple[str, str], ...]  # (child, base): the child is written with `extends: base`


@st.composite
def compose_case(draw: st.DrawFn) -> ComposeCase:
    names = draw(st.lists(st.sampled_from(SERVICE_NAMES), min_size=1, max_size=3, unique=True))
    services: dict[str, dict[str, Any]] = {}
    expected: set[str] = set()
    for name in names:
        body, rules = draw(compose_service())
        services[name] = body
        expected |= rules
    extends: list[tuple[str, str]] = []
    if len(names) >= 2 and draw(st.booleans()):
        extends.append((names[-1], names[0]))
    return ComposeCase(services, expected, tuple(extends))


@st.composite
def render_compose(draw: st.DrawFn, case: ComposeCase, style: str) -> str:
    """The document in `style`: block, flow, mixed or anchors (bodies behind `&anchor` and `<<:` merges)."""
    services: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for name, body in case.services.items():
        value: dict[str, Any] = dict(body)
        for child, base in case.extends:
            if child == name:
                value["extends"] = draw(st.sampled_from([base, {"service": base}]))
        if style == "anchors":
            anchor = f"{name}_base"
            own = {k: v for k, v in value.items() if k != "restart"}
            top[f"x-{name}"] = Anchored(anchor, own)
            value = {"<<": Alias(anchor), **({"restart": value["restart"]} if "restart" in value else {})}
        services[name] = value
    doc = {**top, "services": services}
    if style == "flow":
        return "\n".join(f"{draw(yaml_key(k, True))}: {draw(emit_flow(v))}" for k, v in doc.items()) + "\n"
    return "\n".join(draw(emit_block(doc, 0, style == "mixed"))) + "\n"


@st.composite
def compose_text(draw: st.DrawFn) -> str:
    case = draw(compose_case())
    return draw(render_compose(case, draw(st.sampled_from(["block", "flow", "mixed", "anchors"]))))


# --------------------------------------------------------------------------- shell command lines

URL = "https://example.com/install.sh"


@dataclass(frozen=True)
class Atom:
    words: tuple[str, ...]  # the first word is where a prefix goes
    rules: frozenset[str]
    prefixable: bool = True


def _atom(text: str, *rules: str, prefixable: bool = True) -> Atom:
    return Atom(tuple(text.split(" ")), frozenset(rules), prefixable)


@st.composite
def chmod_atom(draw: st.DrawFn) -> Atom:
    mode, bad = draw(st.sampled_from([("777", True), ("0777", True), ("a+w", True), ("o+w", True), ("ugo+rwx", True),
                                      ("o=rwx", True), ("750", False), ("u=rwX,go=rX", False), ("644", False),
                                      ("o-w", False)]))
    if draw(st.booleans()):
        mode = draw(st.sampled_from(["'{}'", '"{}"'])).format(mode)
    options = draw(st.lists(st.sampled_from(["-R", "-v", "--recursive", "-c"]), max_size=2, unique=True))
    target = draw(st.sampled_from(["/srv/media", '"/srv/my-media"', "'/srv/x'", "$DIR", "./data"]))
    dashdash = ["--"] if draw(st.booleans()) else []
    return Atom(("chmod", *options, mode, *dashdash, target), frozenset({"SG301"} if bad else set()))


@st.composite
def mode_atom(draw: st.DrawFn) -> Atom:
    mode, bad = draw(st.sampled_from([("777", True), ("0777", True), ("0666", True), ("750", False), ("755", False)]))
    form = draw(st.sampled_from(["install -m {} -d /srv/x", "install --mode={} app.conf /etc/app.conf",
                                 "mkdir -m {} /srv/x", "mkdir --mode={} /srv/x", "mkdir -p -m {} /srv/x",
                                 "find /srv -type d -exec chmod {} {{}} +", "ls | xargs -n 1 chmod {}"]))
    return _atom(form.format(mode), *(["SG301"] if bad else []))


@st.composite
def download_atom(draw: st.DrawFn) -> Atom:
    get = draw(st.sampled_from([f"curl -fsSL {URL}", f"curl -sSL {URL}", f"wget -qO- {URL}", f"wget -O - {URL}"]))
    form = draw(st.sampled_from(["pipe", "pipe", "procsub", "cmdsub", "safe"]))
    if form == "pipe":
        runner = draw(st.sampled_from(["sh", "bash", "sudo bash", "sudo -E bash -", "/bin/bash", "bash -s -- --yes",
                                       "sudo sh"]))
        return _atom(f"{get} | {runner}", "SG303")
    if form == "procsub":
        return _atom(f"bash <({get})", "SG303", prefixable=False)
    if form == "cmdsub":
        return _atom(f'sh -c "$({get})"', "SG303", prefixable=False)
    return _atom(draw(st.sampled_from([f"curl -fsSL -o install.sh {URL}", f"curl -fsSL {URL} | tee install.sh",
                                       "curl -fsS http://127.0.0.1:3001/api | jq ."])))


TLS_ATOMS = [_atom(f"curl -k {URL}", "SG304"), _atom(f"curl --insecure {URL} -o f", "SG304"),
             _atom(f"wget --no-check-certificate {URL}", "SG304"), _atom(f"curl --cacert ca.pem {URL}")]
FIREWALL_ATOMS = [_atom("ufw allow 5432", "SG305"), _atom("ufw allow 5432/tcp", "SG305"),
                  _atom("ufw allow from 192.168.1.0/24 to any port 5432 proto tcp", "SG305"),
                  _atom("firewall-cmd --permanent --add-port=5432/tcp", "SG305"),
                  _atom("ufw disable", "SG306"), _atom("ufw --force disable", "SG306"), _atom("ufw reset", "SG306"),
                  _atom("ufw allow 3001/tcp"), _atom("ufw enable"), _atom("ufw deny 5432"),
                  _atom("ufw status verbose")]
SECRET_ATOMS = [_atom("openssl rand -hex 8", "SG307"), _atom("openssl rand -base64 12", "SG307"),
                _atom("openssl rand -base64 32"), _atom("openssl rand -hex 16")]
SAFE_ATOMS = [_atom("echo hello"), _atom("ls -la /srv"), _atom("cd /srv"), _atom("docker compose up -d"),
              _atom("systemctl restart caddy"), _atom("cat notes.txt")]

DOCKER_OPTIONS: list[tuple[str, str | None]] = [
    ("-d", None), ("--rm", None), ("--name app", None), ("-p 5432:5432", "port"), ("-p 127.0.0.1:5432:5432", None),
    ("-p 3001:3001", "port"), ("--publish=6379:6379", "port"), ("--privileged", "SG104"),
    ("-v /var/run/docker.sock:/var/run/docker.sock", "SG103"), ("-v /srv/media:/media", "SG102"),
    ("-v /srv/media:/media:ro", None), ("--network host", "SG105"), ("--net=host", "SG105"),
    ("--cap-add SYS_ADMIN", "SG106"), ("--security-opt seccomp=unconfined", "SG107"),
    ("-e POSTGRES_PASSWORD=postgres", "SG110"), ("-e TZ=UTC", None), ("-P", "all-ports"),
]


@st.composite
def docker_atom(draw: st.DrawFn) -> Atom:
    image = draw(st.sampled_from(["postgres:15-alpine", "desterlib/api", "redis:7"]))
    db_image = image != "desterlib/api"
    options = draw(st.lists(st.sampled_from(DOCKER_OPTIONS), max_size=4, unique=True))
    rules: set[str] = set()
    for option, rule in options:
        if rule == "port":
            target = option.rsplit(":", 1)[1]
            if db_image or target in DB_PORTS:
                rules.add("SG101")
        elif rule == "all-ports":
            if db_image:
                rules.add("SG101")
        elif rule == "SG102" and image != "desterlib/api":
            continue  # another program's media mount is its own business
        elif rule:
            rules.add(rule)
    run = draw(st.sampled_from(["docker run", "docker container run", "podman run"]))
    words = [*run.split(" "), *(w for option, _ in options for w in option.split(" ")), image]
    return Atom(tuple(words), frozenset(rules))


def atoms() -> st.SearchStrategy[Atom]:
    return st.one_of(chmod_atom(), mode_atom(), download_atom(), st.sampled_from(TLS_ATOMS),
                     st.sampled_from(FIREWALL_ATOMS), st.sampled_from(SECRET_ATOMS), st.sampled_from(SAFE_ATOMS),
                     docker_atom())


PREFIXES = ["", "", "sudo ", "sudo -E ", "sudo -u root ", "env X=1 ", "LC_ALL=C ", "command ", "exec ", "time ",
            "nohup ", "doas ", "/usr/bin/"]


@st.composite
def atom_text(draw: st.DrawFn, atom: Atom) -> str:
    words = list(atom.words)
    if atom.prefixable:
        prefix = draw(st.sampled_from(PREFIXES))
        if prefix == "/usr/bin/" and words[0] in ("docker", "podman"):
            prefix = "sudo "
        words[0] = prefix + words[0]
    out = words[0]
    for word in words[1:]:
        # A line continuation between two words now and then.
        out += draw(st.sampled_from([" ", " ", " ", " \\\n    "])) + word
    return out


SEPARATORS = [" && ", " ; ", " || ", "\n", " &&\n", " \\\n  && ", "\n\n# next step\n"]


@st.composite
def shell_case(draw: st.DrawFn) -> tuple[str, set[str]]:
    chosen = draw(st.lists(atoms(), min_size=1, max_size=4))
    parts = [draw(atom_text(a)) for a in chosen]
    expected = set().union(*(a.rules for a in chosen))
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + part
    wrapper = draw(st.sampled_from(["none", "none", "subshell", "brace", "if", "for", "function", "heredoc",
                                    "heredoc-quoted", "heredoc-dash", "sh-c", "transcript"]))
    if wrapper == "subshell":
        text = f"({text})"
    elif wrapper == "brace":
        text = f"{{ {text}; }}"
    elif wrapper == "if":
        text = f"if [ -d /srv ]; then\n  {text}\nfi"
    elif wrapper == "for":
        text = f"for d in a b; do\n  {text}\ndone"
    elif wrapper == "function":
        text = f"setup() {{\n  {text}\n}}\nsetup"
    elif wrapper == "heredoc":
        text = f"sudo bash <<EOF\n{text}\nEOF"
    elif wrapper == "heredoc-quoted":
        text = f"bash <<'EOF'\n{text}\nEOF"
    elif wrapper == "heredoc-dash":
        body = "\n".join("\t" + line for line in text.split("\n"))
        text = f"sh <<-EOF\n{body}\n\tEOF"
    elif wrapper == "sh-c" and "'" not in text:
        text = f"sudo sh -c '{text}'"
    elif wrapper == "transcript":
        lines, previous = [], ""
        for line in text.split("\n"):
            if not line.strip():
                lines.append("")
            elif previous.endswith("\\") or previous.rstrip().endswith("&&"):
                lines.append("> " + line)
            else:
                lines.append("$ " + line)
            previous = line
        lines.append("output line: done")
        text = "\n".join(lines)
    if draw(st.booleans()):
        text = "#!/usr/bin/env bash\nset -euo pipefail\n\n" + text
    return text + "\n", expected


# --------------------------------------------------------------------------- nginx blocks

NGINX_SERVER = [("listen 80;", None), ("listen 443 ssl;", None), ("server_name example.com www.example.com;", None),
                ("root /var/www/html;", None), ("index index.html;", None), ("server_tokens on;", "SG407"),
                ("server_tokens off;", None), ("autoindex on;", "SG408"), ("ssl_protocols TLSv1 TLSv1.2;", "SG406"),
                ("ssl_protocols TLSv1.2 TLSv1.3;", None), ("add_header X-Frame-Options DENY always;", None),
                ("client_max_body_size 10m;", None), ("include /etc/nginx/snippets/ssl.conf;", None)]
NGINX_LOCATION = [("proxy_pass http://127.0.0.1:3001;", None), ("proxy_set_header Host $host;", None),
                  ("proxy_set_header X-Real-IP $remote_addr;", None), ("try_files $uri $uri/ =404;", None),
                  ("autoindex on;", "SG408"), ("server_tokens on;", "SG407"), ("allow 127.0.0.1;", None),
                  ("deny all;", None), ("expires 1h;", None)]
LOCATION_ARGS = ["/", "/api/", "= /health", "~ \\.php$", "^~ /static/"]


@st.composite
def nginx_directive(draw: st.DrawFn, pool: list[tuple[str, str | None]]) -> tuple[str, set[str]]:
    text, rule = draw(st.sampled_from(pool))
    name, _, rest = text[:-1].partition(" ")
    args = rest.split(" ")
    quoted = [draw(st.sampled_from(["{}", "{}", "'{}'", '"{}"'])).format(a) if "'" not in a and '"' not in a else a
              for a in args]
    gaps = [draw(st.sampled_from([" ", "  ", "\t", "\n        "])) for _ in quoted]
    body = name + "".join(g + a for g, a in zip(gaps, quoted, strict=True))
    tail = draw(st.sampled_from([";", ";", " ;", ";  # why", ";\t"]))
    return body + tail, ({rule} if rule else set())


@st.composite
def nginx_block(draw: st.DrawFn, kind: str, depth: int, indent: int) -> tuple[list[str], set[str]]:
    pad = " " * indent
    pool = NGINX_SERVER if kind == "server" else NGINX_LOCATION
    lines: list[str] = []
    expected: set[str] = set()
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            lines.append(pad + draw(st.sampled_from(["# a comment", "#", "", "   "])))
        elif choice == 1 and depth < 2:
            args = draw(st.sampled_from(LOCATION_ARGS))
            inner, rules = draw(nginx_block("location", depth + 1, indent + 4))
            lines.append(f"{pad}location {args} {{")
            lines.extend(inner)
            lines.append(pad + "}")
            expected |= rules
        else:
            text, rules = draw(nginx_directive(pool))
            lines.append(pad + text)
            expected |= rules
    return lines, expected


@st.composite
def nginx_case(draw: st.DrawFn) -> tuple[str, set[str]]:
    form = draw(st.sampled_from(["server", "server", "two-servers", "location-directives", "http"]))
    if form == "location-directives":
        lines, expected = [], set()
        for _ in range(draw(st.integers(1, 4))):
            text, rules = draw(nginx_directive([d for d in NGINX_LOCATION if not d[0].startswith("server_tokens")]))
            lines.append(text)
            expected |= rules
        return "\n".join(lines) + "\n", expected
    blocks: list[str] = []
    expected = set()
    for _ in range(2 if form == "two-servers" else 1):
        inner, rules = draw(nginx_block("server", 0, 4))
        blocks.append("server {\n    listen 80;\n" + "".join(line + "\n" for line in inner) + "}\n")
        expected |= rules
    text = "\n".join(blocks)
    if form == "http":
        text = "http {\n" + text + "}\n"
    return text, expected


# --------------------------------------------------------------------------- Caddyfiles

CADDY_GLOBAL = [("email admin@example.com", None), ("admin off", None), ("admin localhost:2019", None),
                ("admin 0.0.0.0:2019", "SG503"), ("admin :2019", "SG503"), ("auto_https off", "SG502"),
                ("auto_https disable_redirects", None), ("debug", None)]
CADDY_ADDRESSES = [("media.example.com", None), ("example.com", None), ("localhost", None), (":8080", None),
                   ("http://media.example.com", "SG501"), ("https://media.example.com", None),
                   ("192.168.1.10", None), ("{$DOMAIN:media.example.com}", None)]
CADDY_DIRECTIVES = [("reverse_proxy 127.0.0.1:3001", None), ("reverse_proxy localhost:5432", "SG506"),
                    ('reverse_proxy "127.0.0.1:6379"', "SG506"), ("reverse_proxy /api/* 127.0.0.1:3001", None),
                    ("encode gzip zstd", None), ("file_server", None), ("log", None), ('respond "hi" 200', None),
                    ("# a comment", None), ("header {\n\t\t-Server\n\t\tX-Frame-Options DENY\n\t}", None),
                    ("reverse_proxy {\n\t\tto 127.0.0.1:6379\n\t}", "SG506")]


@st.composite
def caddy_case(draw: st.DrawFn) -> tuple[str, set[str]]:
    expected: set[str] = set()
    parts: list[str] = []
    tab = draw(st.sampled_from(["\t", "    ", "  "]))
    options = draw(st.lists(st.sampled_from(CADDY_GLOBAL), max_size=3, unique_by=lambda o: o[0].split()[0]))
    if options:
        parts.append("{\n" + "".join(f"{tab}{text}\n" for text, _ in options) + "}\n")
        expected |= {r for _, r in options if r}
    snippet = draw(st.booleans())
    if snippet:
        body = draw(st.lists(st.sampled_from(CADDY_DIRECTIVES[:6]), min_size=1, max_size=2))
        parts.append("(common) {\n" + "".join(f"{tab}{text}\n" for text, _ in body) + "}\n")
        expected |= {r for _, r in body if r}
    count = draw(st.integers(1, 3))
    braceless = count == 1 and not snippet and draw(st.booleans())
    used: set[str] = set()
    for _ in range(count):
        taken = frozenset(used)
        addresses = draw(st.lists(st.sampled_from(CADDY_ADDRESSES), min_size=1, max_size=2, unique_by=lambda a: a[0])
                         .filter(lambda a, taken=taken: not taken & {x for x, _ in a}))
        used |= {a for a, _ in addresses}
        expected |= {r for _, r in addresses if r}
        joiner = draw(st.sampled_from([" ", ", ", ",\n"]))
        head = joiner.join(a for a, _ in addresses) if joiner != " " else " ".join(a for a, _ in addresses)
        directives = draw(st.lists(st.sampled_from(CADDY_DIRECTIVES), min_size=1, max_size=4))
        if snippet and draw(st.booleans()):
            directives.append(("import common", None))
        expected |= {r for _, r in directives if r}
        body = "".join(f"{tab}{text}\n" for text, _ in directives)
        if braceless:
            parts.append(f"{head}\n\n{body.replace(chr(9) + chr(9), chr(9))}")
        else:
            parts.append(f"{head} {{\n{body}}}\n")
    return "\n".join(parts), expected


# --------------------------------------------------------------------------- .env files

ENV_LINES: list[tuple[str, str, str | None]] = [
    ("POSTGRES_USER", "desterlib", None), ("POSTGRES_DB", "desterlib_prod", None), ("NODE_ENV", "production", None),
    ("TZ", "Europe/Paris", None), ("API_PORT", "3001", None),
    ("POSTGRES_PASSWORD", "postgres", "SG202"), ("POSTGRES_PASSWORD", "changeme", "SG202"),
    ("JWT_SECRET", "abc123", "SG202"), ("JWT_SECRET", "q7Vd0JmZr8s1Xn4LwE2pYk9TcA6hUf3B", "SG201"),
    ("POSTGRES_PASSWORD", "<paste the output of: openssl rand -hex 32>", None),
    ("POSTGRES_PASSWORD", "${DB_PASSWORD}", None), ("DATABASE_URL", "postgresql://app:postgres@db:5432/app", "SG205"),
]


@st.composite
def env_case(draw: st.DrawFn) -> tuple[str, set[tuple[str, int]]]:
    lines: list[str] = []
    expected: set[tuple[str, int]] = set()
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", "   ", "#POSTGRES_PASSWORD=postgres"])))
            continue
        if kind == 1:
            lines.extend(['NOTE="first line', 'second line"'])
            continue
        key, value, rule = draw(st.sampled_from(ENV_LINES))
        export = draw(st.sampled_from(["", "", "export "]))
        eq = draw(st.sampled_from(["=", "=", " = ", "= "]))
        quote = draw(st.sampled_from(["", "'", '"']))
        if quote == "'" and "'" in value:
            quote = '"'
        comment = draw(st.sampled_from(["", "", "  # why"])) if quote or " " not in value else ""
        lines.append(f"{draw(st.sampled_from(['', '  ']))}{export}{key}{eq}{quote}{value}{quote}{comment}")
        if rule:
            expected.add((rule, len(lines)))
    return "\n".join(lines) + "\n", expected


# --------------------------------------------------------------------------- any snippet of any kind

STRUCTURED: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "compose": compose_text,
    "shell": lambda: shell_case().map(lambda c: c[0]),
    "nginx": lambda: nginx_case().map(lambda c: c[0]),
    "caddy": lambda: caddy_case().map(lambda c: c[0]),
    "env": lambda: env_case().map(lambda c: c[0]),
}
HOSTILE_ALPHABET = [
    *"ab $`'\"\\()[]{}<>|&;#\n\t=-*~!%:,.@/0123456789",
    "\r", "\x00", "\x0b", "\x1b", "é", "\u2028", "\x85", "\ufeff", "\u202e", "𝕏", "{$", "${", "$(", "<<", "<<-",
    "---", "- ", ": ", "&a ", "*a", "<<: ", "!!python/object ", "%YAML 1.2\n", "? ", "|\n", ">-\n", "server {",
    "location / {", "}\n", "listen 80;", "import ", "(s) {", "PS C:\\> ", "$ ", "> ", "iex", "irm ", "```", "~~~",
    "    ", "\\\n", "EOF\n", "<#", "#>", "@'\n", "'@", "--8<-- [start:a]", "snippetguard: ignore[SG101] x",
    "snippetguard: expect[SG101] x", "http://", "{{ ", " }}", "{%", "<script>",
]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(HOSTILE_ALPHABET), max_size=80).map("".join),
        st.sampled_from(sorted(STRUCTURED)).flatmap(lambda k: STRUCTURED[k]()),
    )


@scaled(2)
@given(hostile_text(), st.sampled_from(KIND_NAMES))
def test_any_text_as_any_kind(text: str, kind: str) -> None:
    check(text, kind)


@scaled(1)
@given(st.binary(max_size=400), st.sampled_from(KIND_NAMES))
def test_any_bytes_as_any_kind(data: bytes, kind: str) -> None:
    try:
        text = decode(data)
    except Unreadable as err:
        assert err.line >= 1 and str(err)
        return
    assert "\r" not in text and not text.startswith("\ufeff")
    check(text, kind)


@scaled(1)
@given(st.lists(st.sampled_from(HOSTILE_ALPHABET), max_size=60).map("".join), st.sampled_from(KIND_NAMES))
def test_any_line_endings_and_bom_give_the_same_findings(text: str, kind: str) -> None:
    """The same text with LF, CRLF or CR line endings, with or without a BOM: the same findings."""
    text = text.replace("\r", "").lstrip("\ufeff")
    plain = [(f.rule, f.line, f.column, f.message) for f in check(text, kind)]
    for variant in (text.replace("\n", "\r\n"), text.replace("\n", "\r"), "\ufeff" + text):
        got = [(f.rule, f.line, f.column, f.message) for f in check(variant, kind)]
        assert got == plain, (kind, variant)


# --------------------------------------------------------------------------- the CLI, with files

SUFFIX = {"compose": "docker-compose.yml", "env": "app.env", "shell": "run.sh", "nginx": "site.conf",
          "caddy": "Caddyfile", "powershell": "install.ps1", "yaml": "settings.yaml", "json": "data.json",
          "markdown": "page.md", "daemon": "daemon.json", "systemd": "docker.service"}


def run_cli(data: bytes, name: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    with tempfile.TemporaryDirectory(prefix="sg-prop-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--no-programs", "--format", "json", *extra, str(path)])
    report = json.loads(out.getvalue()) if out.getvalue().strip() else {}
    return code, report, err.getvalue()


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    base = draw(st.one_of(st.binary(max_size=300), hostile_text().map(lambda t: t.encode("utf-8", "replace"))))
    mangle = draw(st.sampled_from(["none", "bom", "crlf", "cr", "bad-byte", "nul"]))
    if mangle == "bom":
        return b"\xef\xbb\xbf" + base
    if mangle == "crlf":
        return base.replace(b"\n", b"\r\n")
    if mangle == "cr":
        return base.replace(b"\n", b"\r")
    if mangle == "bad-byte":
        cut = draw(st.integers(0, len(base)))
        return base[:cut] + b"\xff" + base[cut:]
    if mangle == "nul":
        return base + b"\x00"
    return base


@scaled(0.5)
@given(file_bytes(), st.sampled_from(KIND_NAMES), st.booleans())
def test_any_file_through_the_cli(data: bytes, kind: str, forced: bool) -> None:
    code, report, err = run_cli(data, SUFFIX[kind], *(["--kind", kind] if forced else []))
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    findings = report["findings"]
    assert (code == 1) == bool(findings)
    assert not [f for f in findings if f["rule"] == "SG000"], findings
    if b"\x00" in data:
        assert [f["rule"] for f in findings] == ["SG008"]


# --------------------------------------------------------------------------- structured: nothing slips through


@scaled(1.5)
@given(compose_case(), st.sampled_from(["block", "flow", "mixed", "anchors"]), st.data())
def test_compose_documents(case: ComposeCase, style: str, data: st.DataObject) -> None:
    text = data.draw(render_compose(case, style), label="text")
    found = check(text, "compose")
    must_fire(found, case.expected, text)


@scaled(0.75)
@given(compose_case(), st.data())
def test_compose_style_does_not_change_the_verdict(case: ComposeCase, data: st.DataObject) -> None:
    """Block, flow and anchored spellings of one document raise the same rules."""
    verdicts = {}
    for style in ("block", "flow", "anchors"):
        text = data.draw(render_compose(case, style), label=style)
        verdicts[style] = (rules_of(check(text, "compose")) - {"SG003"}, text)
    assert verdicts["block"][0] == verdicts["flow"][0] == verdicts["anchors"][0], verdicts


@scaled(2)
@given(shell_case())
def test_shell_command_lines(case: tuple[str, set[str]]) -> None:
    text, expected = case
    must_fire(check(text, "shell"), expected, text)


@scaled(1)
@given(nginx_case())
def test_nginx_blocks(case: tuple[str, set[str]]) -> None:
    text, expected = case
    must_fire(check(text, "nginx"), expected, text)


@scaled(1.5)
@given(caddy_case())
def test_caddyfiles(case: tuple[str, set[str]]) -> None:
    text, expected = case
    must_fire(check(text, "caddy"), expected, text)


@scaled(1.5)
@given(env_case())
def test_env_files(case: tuple[str, set[tuple[str, int]]]) -> None:
    text, expected = case
    found = check(text, "env")
    assert "SG001" not in rules_of(found), (text, found)
    assert expected <= at(found), (text, sorted(at(found)), sorted(expected))


FENCE_LANG = {"compose": "yaml", "shell": "bash", "nginx": "nginx", "caddy": "caddy", "env": "dotenv"}


@scaled(1)
@given(st.sampled_from(sorted(STRUCTURED)).flatmap(lambda k: st.tuples(st.just(k), STRUCTURED[k]())),
       st.sampled_from(["plain", "admonition", "tab", "tilde", "long-fence", "braces"]), st.integers(0, 3))
def test_a_snippet_in_a_markdown_page_reports_the_same_at_the_page_line(
        item: tuple[str, str], wrapper: str, lead: int) -> None:
    """A fence moves a snippet's findings by its offset in the page; it hides none of them."""
    kind, text = item
    alone = [(f.rule, f.line, f.column) for f in check(text, kind) if f.rule not in ("SG004", "SG005")]
    indent = 4 if wrapper in ("admonition", "tab") else 0
    lang = FENCE_LANG[kind]
    opener = {"tilde": f"~~~{lang}", "long-fence": f"````{lang} title=\"x\"", "braces": f"``` {{ .{lang} }}"}.get(
        wrapper, f"```{lang}")
    closer = {"tilde": "~~~", "long-fence": "````"}.get(wrapper, "```")
    head = ["# Page", "", *(["Some prose."] * lead)]
    if wrapper == "admonition":
        head += ['!!! note "Try it"', ""]
    elif wrapper == "tab":
        head += ['=== "Linux"', ""]
    pad = " " * indent
    body = [pad + line if line else "" for line in text.rstrip("\n").split("\n")]
    page = "\n".join([*head, pad + opener, *body, pad + closer, "", "The end."]) + "\n"
    offset = len(head) + 1
    got = [(f.rule, f.line, f.column) for f in check(page, "markdown") if f.rule not in ("SG004", "SG005")]
    assert sorted(got) == sorted((r, line + offset, col + indent) for r, line, col in alone), page


@scaled(0.5)
@given(st.sampled_from(sorted(STRUCTURED)).flatmap(lambda k: st.tuples(st.just(k), STRUCTURED[k]())),
       st.sampled_from(["bom", "crlf", "cr"]))
def test_structured_files_through_the_cli_keep_their_lines(item: tuple[str, str], mangle: str) -> None:
    kind, text = item
    lf = text.encode()
    variant = {"bom": b"\xef\xbb\xbf" + lf, "crlf": lf.replace(b"\n", b"\r\n"), "cr": lf.replace(b"\n", b"\r")}[mangle]
    expected = run_cli(lf, SUFFIX[kind], "--kind", kind)
    got = run_cli(variant, SUFFIX[kind], "--kind", kind)
    key = [(f["rule"], f["line"], f["column"]) for f in expected[1]["findings"]]
    assert [(f["rule"], f["line"], f["column"]) for f in got[1]["findings"]] == key, (mangle, text)
    assert got[0] == expected[0]


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_every_kind_is_driven_here(kind: str) -> None:
    """A new kind must be added to the generators' file names (and, ideally, get a structured generator)."""
    assert kind in SUFFIX
