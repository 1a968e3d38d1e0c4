"""SG7xx: the Docker daemon itself — its API on the network, its firewall rules, its socket.

The same settings reach dockerd three ways, and each is read here: `/etc/docker/daemon.json`
(`hosts`, `tlsverify`, `iptables`), a systemd drop-in for `docker.service` or `docker.socket`
(`ExecStart=/usr/bin/dockerd -H …`, `ListenStream=`, `SocketMode=`), and shell (`dockerd -H …`,
`DOCKER_OPTS="…"` for `/etc/default/docker`, `chmod 666 /var/run/docker.sock`).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from snippetguard.containers import DOCKER_SOCKET_RE, is_loopback
from snippetguard.kinds.daemon import DaemonConfig
from snippetguard.kinds.systemd import Setting as UnitSetting
from snippetguard.kinds.systemd import Unit, exec_words
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

KINDS = ("daemon", "systemd", "shell")
DAEMON_GUIDE = "security/docker.md#docker-daemon"
DAEMON_PROGRAMS = frozenset({"dockerd", "docker-daemon"})
OPTS_VARIABLES = ("DOCKER_OPTS", "OPTIONS", "DOCKERD_OPTS")  # /etc/default/docker, /etc/sysconfig/docker
NON_TCP_SCHEMES = ("unix://", "fd://", "npipe://", "ssh://")


@dataclass(frozen=True)
class Token:
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Listener:
    address: str
    line: int
    column: int


@dataclass
class DaemonFlags:
    """What one dockerd command line (or DOCKER_OPTS value) says about the API and the firewall."""

    listeners: list[Listener]
    tlsverify: bool
    firewall_off: list[Token]  # --iptables=false / --ip6tables=false


BOOL_FALSE = ("false", "0", "no")


def read_flags(tokens: Iterable[Token]) -> DaemonFlags:
    """dockerd's options as pflag reads them: `-H x`, `-H=x`, `-Hx`, `--host x`, `--host=x`."""
    items = list(tokens)
    flags = DaemonFlags([], False, [])
    i = 0
    while i < len(items):
        token = items[i]
        text = token.text
        name, sep, value = text.partition("=")
        if name in ("-H", "--host"):
            if sep:
                flags.listeners.append(Listener(value, token.line, token.column + len(name) + 1))
            elif i + 1 < len(items):
                i += 1
                flags.listeners.append(Listener(items[i].text, items[i].line, items[i].column))
        elif text.startswith("-H") and not text.startswith("--") and len(text) > 2:
            flags.listeners.append(Listener(text[2:], token.line, token.column + 2))
        elif name == "--tlsverify":
            flags.tlsverify = not (sep and value.lower() in BOOL_FALSE)
        elif name in ("--iptables", "--ip6tables") and sep and value.lower() in BOOL_FALSE:
            flags.firewall_off.append(token)
        i += 1
    return flags


def exposed(address: str) -> str | None:
    """Where a daemon listener accepts connections, when that is beyond this machine; None otherwise.

    `tcp://0.0.0.0:2375`, `tcp://:2375`, `0.0.0.0:2375` and `tcp://192.168.1.10:2375` are exposed;
    `tcp://127.0.0.1:2375`, `tcp://localhost:2375`, `unix://…` and `fd://` are not.
    """
    text = address.strip().strip("\"'")
    lowered = text.lower()
    if not text or lowered.startswith(NON_TCP_SCHEMES) or lowered.startswith("/"):
        return None
    if "://" in lowered and not lowered.startswith("tcp://"):
        return None
    rest = text.split("://", 1)[1] if "://" in text else text
    rest = rest.split("/", 1)[0]
    if rest.startswith("["):
        host = rest[1 : rest.find("]")]
    elif rest.count(":") == 1:
        host = rest.split(":", 1)[0]
    elif rest.count(":") > 1:  # a bare IPv6 address without a port
        host = rest
    else:
        host = rest
    if "$" in host or "{" in host:
        return None  # chosen by the reader's environment
    if host and is_loopback(host):
        return None
    return "every interface" if host in ("", "0.0.0.0", "::", "*") else host


def _word_tokens(words: Iterable[Any]) -> list[Token]:
    return [Token(w.text, w.line, w.column) for w in words]


def _split_value(value: str, line: int, column: int) -> list[Token]:
    """The words of an options string (DOCKER_OPTS="…"), each placed on the string's line."""
    try:
        parts = shlex.split(value)
    except ValueError:
        parts = value.split()
    tokens: list[Token] = []
    offset = 0
    for part in parts:
        found = value.find(part, offset)
        offset = found + len(part) if found >= 0 else offset
        tokens.append(Token(part, line, column + max(found, 0)))
    return tokens


# --------------------------------------------------------------------------- where the options live

def _daemon_json_flags(config: DaemonConfig) -> tuple[list[Listener], bool]:
    hosts = config.option("hosts")
    listeners = [Listener(n.value, n.line, n.column) for n in (hosts.strings() if hosts else [])]
    return listeners, config.flag("tlsverify") is True


def _unit_commands(unit: Unit) -> Iterator[tuple[UnitSetting, DaemonFlags]]:
    """dockerd command lines of a unit, with `$VAR`/`${VAR}` from its `Environment=` lines expanded."""
    env = _unit_environment(unit)
    for setting in unit.effective("Service", "ExecStart"):
        words = exec_words(setting)
        if not words or posixpath.basename(words[0].text) not in DAEMON_PROGRAMS:
            continue
        tokens: list[Token] = []
        for word in words[1:]:
            name = word.text[2:-1] if word.text.startswith("${") and word.text.endswith("}") else word.text[1:]
            if word.text.startswith("$") and name in env:
                tokens.extend(env[name])
            else:
                tokens.append(Token(word.text, word.line, word.column))
        yield setting, read_flags(tokens)


def _unit_environment(unit: Unit) -> dict[str, list[Token]]:
    """`Environment="DOCKER_OPTS=-H tcp://…"` assignments, split into placed words."""
    env: dict[str, list[Token]] = {}
    for setting in unit.all("Service", "Environment"):
        for word in setting.words():
            name, sep, value = word.text.partition("=")
            if sep:
                env[name] = _split_value(value, word.line, word.column + len(name) + 1)
    return env


def _shell_flags(script: Any) -> Iterator[DaemonFlags]:
    """dockerd command lines in a shell snippet, and DOCKER_OPTS strings anywhere in it."""
    for command in getattr(script, "commands", ()):
        name = getattr(command, "name", "")
        args = list(getattr(command, "args", ()))
        if name in DAEMON_PROGRAMS or (name == "docker" and args and args[0].text == "daemon"):
            yield read_flags(_word_tokens(args))
        for word in [*getattr(command, "assignments", ()), *args]:
            for variable in OPTS_VARIABLES:
                start = word.text.find(variable + "=")
                if start < 0 or (start and (word.text[start - 1].isalnum() or word.text[start - 1] == "_")):
                    continue
                value = word.text[start + len(variable) + 1 :]
                line, column = word.at(start + len(variable) + 1)
                yield read_flags(_split_value(value, line, column))


def _listeners(parsed: Any) -> Iterator[tuple[Listener, bool]]:
    """Every API listener the snippet configures, and whether client certificates are verified."""
    if isinstance(parsed, DaemonConfig):
        listeners, verified = _daemon_json_flags(parsed)
        for listener in listeners:
            yield listener, verified
    elif isinstance(parsed, Unit):
        for _, flags in _unit_commands(parsed):
            for listener in flags.listeners:
                yield listener, flags.tlsverify
        for setting in parsed.effective("Socket", "ListenStream"):
            value = setting.value.strip()
            address = value if ":" in value or value.startswith("/") else f":{value}"  # a bare port: all interfaces
            if not value.startswith(("/", "@")):
                yield Listener("tcp://" + address, setting.line, setting.column), False
    else:
        for flags in _shell_flags(parsed):
            for listener in flags.listeners:
                yield listener, flags.tlsverify


@rule(
    code="SG701", title="Docker API on the network without TLS client verification",
    kinds=KINDS,
    why="The Docker API is root on the host: whoever can reach it can start a container that mounts the host's "
        "disk. On `tcp://0.0.0.0:2375` (or any address beyond loopback) without `tlsverify`, anyone on the network "
        "can, with no password; scanners find exposed Docker APIs within hours and use them for cryptominers. "
        "TLS without `tlsverify` encrypts the traffic but still lets every client in.",
    fix="Remove the `tcp://` listener and use `ssh://user@host` from the client (`docker context create … "
        "--docker host=ssh://…`). If you need TCP, require client certificates: `\"tlsverify\": true` with "
        "`tlscacert`, `tlscert` and `tlskey` (dockerd `--tlsverify …`), on port 2376. A listener on 127.0.0.1 is "
        "not reported, but it is no safer than a socket every local account may open (SG703), and Docker itself "
        "warns that scripts in a browser can reach it: prefer `ssh://`.",
    guide=DAEMON_GUIDE,
    insecure=(Example('{\n  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]\n}\n', "daemon", 2),
              Example("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n",
                      "systemd", 3)),
    secure=(Example('{\n  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],\n  "tlsverify": true,\n'
                    '  "tlscacert": "/etc/docker/ca.pem",\n  "tlscert": "/etc/docker/server-cert.pem",\n'
                    '  "tlskey": "/etc/docker/server-key.pem"\n}\n', "daemon"),
            Example("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2376 --tlsverify "
                    "--tlscacert=/etc/docker/ca.pem --tlscert=/etc/docker/server-cert.pem "
                    "--tlskey=/etc/docker/server-key.pem\n", "systemd")),
)
def api_exposed(parsed: Any) -> Iterator[Hit]:
    for listener, verified in _listeners(parsed):
        where = exposed(listener.address)
        if where is None or verified:
            continue
        yield Hit(listener.line, listener.column,
                  f"the Docker API listens on {where} ('{listener.address}') without TLS client verification: "
                  "anyone who can reach it is root on this machine")


def _firewall_off(parsed: Any) -> Iterator[tuple[int, int, str]]:
    if isinstance(parsed, DaemonConfig):
        for name in ("iptables", "ip6tables"):
            node = parsed.option(name)
            if node is not None and node.kind == "bool" and node.value is False:
                line, column = parsed.root.key_place(name) or (node.line, node.column)
                yield line, column, f'"{name}": false'
        return
    if isinstance(parsed, Unit):
        flag_sets: Iterable[DaemonFlags] = (flags for _, flags in _unit_commands(parsed))
    else:
        flag_sets = _shell_flags(parsed)
    for flags in flag_sets:
        for token in flags.firewall_off:
            yield token.line, token.column, token.text


@rule(
    code="SG702", title="Docker's firewall rules turned off (iptables: false)",
    kinds=KINDS,
    why="With `iptables` (or `ip6tables`) false, Docker stops writing the rules that isolate its networks and "
        "publish ports. Docker's documentation warns that all ports of all containers then become reachable from "
        "the network, with none mapped from the host's addresses; containers also lose their masquerading, so "
        "they often cannot reach the internet. It is often copied as the fix for \"Docker bypasses ufw\"; it "
        "trades that problem for broken container networking and networks that are no longer isolated.",
    fix="Remove the setting and keep Docker's rules. To keep a port private, publish it on loopback "
        "(`127.0.0.1:3001:3001`) or not at all; to filter published ports, add rules to the `DOCKER-USER` chain. "
        "Turn iptables off only if you write the NAT, forwarding and isolation rules yourself.",
    guide=DAEMON_GUIDE,
    insecure=(Example('{\n  "iptables": false\n}\n', "daemon", 2),
              Example("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n", "systemd", 3)),
    secure=(Example('{\n  "ip": "127.0.0.1"\n}\n', "daemon"),
            Example("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// "
                    "--containerd=/run/containerd/containerd.sock\n", "systemd")),
)
def firewall_rules_off(parsed: Any) -> Iterator[Hit]:
    for line, column, what in _firewall_off(parsed):
        yield Hit(line, column, f"{what} stops Docker from writing its isolation and port-publishing rules")


OCTAL_RE = re.compile(r"^0*[0-7]{3,4}$")
SYMBOLIC_RE = re.compile(r"^[ugoa]*[+=][rwxXst]*$")


def _others_may_write(mode: str) -> bool:
    """Whether a chmod mode (octal, or symbolic clauses) lets every user write: connect to a socket."""
    if OCTAL_RE.match(mode):
        return bool(int(mode, 8) & 0o002)
    allowed = False
    for clause in mode.split(","):
        match = re.match(r"^([ugoa]*)([+=-])([rwxXst]*)$", clause)
        if not match:
            return False
        who, op, perms = match.groups()
        if "o" in who or "a" in who:
            if op in "+=":
                allowed = "w" in perms or (op == "+" and allowed)
            elif "w" in perms:
                allowed = False
    return allowed


def _chmod_socket(script: Any) -> Iterator[tuple[Any, str, str]]:
    for command in getattr(script, "commands", ()):
        if getattr(command, "name", "") != "chmod":
            continue
        operands = [w for w in command.args if not w.text.startswith("-") or OCTAL_RE.match(w.text)]
        if len(operands) < 2:
            continue
        mode, files = operands[0], operands[1:]
        sockets = [f.text for f in files if DOCKER_SOCKET_RE.search(f.text.rstrip("/"))]
        if sockets and _others_may_write(mode.text):
            yield mode, mode.text, sockets[0]


@rule(
    code="SG703", title="Docker socket opened to every user",
    kinds=("systemd", "shell"),
    why="Connecting to `/var/run/docker.sock` is the same as being root. `chmod 666` (or `SocketMode=0666`) lets "
        "every account and every service on the machine connect — a web app, a compromised login, anything. "
        "Docker re-creates the socket at every start, so a `chmod` lasts until the next restart, and a check made "
        "after it no longer shows that the socket was open.",
    fix="Leave the socket `srw-rw---- root:docker` and add only trusted accounts to the `docker` group "
        "(`sudo usermod -aG docker alice`, then log in again), knowing each is then root-equivalent; or use "
        "rootless Docker.",
    guide=DAEMON_GUIDE,
    insecure=(Example("sudo chmod 666 /var/run/docker.sock\n", "shell", 1),
              Example("[Socket]\nSocketMode=0666\n", "systemd", 2)),
    secure=(Example("sudo usermod -aG docker \"$USER\"\n", "shell"),
            Example("[Socket]\nSocketMode=0660\nSocketGroup=docker\n", "systemd")),
)
def socket_for_everyone(parsed: Any) -> Iterator[Hit]:
    if isinstance(parsed, Unit):
        for setting in parsed.all("Socket", "SocketMode"):
            if OCTAL_RE.match(setting.value.strip()) and int(setting.value.strip(), 8) & 0o002:
                yield Hit(setting.line, setting.column, f"SocketMode={setting.value.strip()} lets every user on the "
                                                        "machine use the Docker socket, and so become root")
        return
    for word, mode, socket in _chmod_socket(parsed):
        yield Hit(word.line, word.column, f"chmod {mode} {socket} lets every user on the machine use the Docker "
                                          "socket, and so become root")
