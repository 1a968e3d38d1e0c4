"""One model of a container's settings, whether it came from Compose or `docker run`.

The container rules (SG1xx) read only this model, so a risk is caught the same
way in a Compose file and in a shell command.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from snippetguard.interpolation import resolve

# Secrets are judged in one place; these names stay importable from here for the container rules.
from snippetguard.secrets import URL_PASSWORD_RE, WEAK_SECRETS, is_secret_name, weakness  # noqa: F401


@dataclass(frozen=True)
class Setting:
    value: str
    line: int
    column: int


@dataclass(frozen=True)
class Port:
    raw: str
    host_ip: str | None  # None: not given, so Docker binds every interface
    published: str | None  # None: a random host port
    target: str
    line: int
    column: int
    unresolved: tuple[str, ...] = ()  # variables without default in the host address


@dataclass(frozen=True)
class Mount:
    raw: str
    source: str | None
    target: str
    read_only: bool
    bind: bool
    line: int
    column: int
    volume: str = ""  # a named volume whose driver options bind `source`, a host path


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None  # None: passed through from the host environment
    line: int
    column: int


@dataclass
class Service:
    name: str
    line: int
    column: int
    image: str = ""
    ports: list[Port] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    privileged: Setting | None = None
    namespaces: dict[str, Setting] = field(default_factory=dict)  # network_mode, pid, ipc, userns_mode, uts, cgroup
    cap_add: list[Setting] = field(default_factory=list)
    security_opt: list[Setting] = field(default_factory=list)
    environment: list[EnvVar] = field(default_factory=list)
    container_name: str = ""
    built: bool = False  # `build:` instead of (or besides) an image
    devices: list[Setting] = field(default_factory=list)
    cap_drop: list[Setting] = field(default_factory=list)
    user: Setting | None = None
    read_only: Setting | None = None  # the setting as written (true or false)


DESTERLIB_NAMES = frozenset({"api", "desterlib", "desterlib-api", "desterlib_api"})


def is_desterlib(service: Service) -> bool:
    """Whether the service is DesterLib's API: its image, its container name, or (built from the
    repository, as the setup scripts do) its service name says so."""
    image = resolve(service.image)[0].lower()
    if "desterlib" in image or "desterlib" in service.container_name.lower():
        return True
    return not image and service.name.lower() in DESTERLIB_NAMES


HARDENED = "hardened"  # the profile a snippet opts into with `# snippetguard: profile[hardened]`


DATABASE_IMAGE_RE = re.compile(
    r"(?:^|/)(postgres|postgis|timescaledb|mysql|mariadb|percona|redis|valkey|keydb|dragonfly|mongo|mongodb"
    r"|memcached|cassandra|scylla|couchdb|couchbase|elasticsearch|opensearch|influxdb|clickhouse"
    r"|cockroach|neo4j|etcd|mssql|oracle|arangodb|rethinkdb)[\w.-]*(?::|@|$)",
    re.IGNORECASE,
)
DATABASE_PORTS = {
    5432: "PostgreSQL",
    5433: "PostgreSQL",
    3306: "MySQL/MariaDB",
    33060: "MySQL X",
    6379: "Redis",
    6380: "Redis",
    27017: "MongoDB",
    27018: "MongoDB",
    11211: "Memcached",
    9042: "Cassandra",
    5984: "CouchDB",
    7687: "Neo4j",
    8086: "InfluxDB",
    9200: "Elasticsearch",
    26257: "CockroachDB",
    1433: "SQL Server",
    1521: "Oracle",
    2379: "etcd",
}
# Ports several programs use (9000: ClickHouse, MinIO, Portainer, PHP-FPM, SonarQube; 8123: ClickHouse,
# Home Assistant): a database only when the image says so, never by the number alone.
AMBIGUOUS_PORTS = {9000: "ClickHouse", 8123: "ClickHouse"}


def is_database_image(image: str) -> bool:
    return bool(DATABASE_IMAGE_RE.search(resolve(image)[0]))


def port_numbers(spec: str) -> list[int]:
    """Container ports in `5432`, `5432/tcp` or a range `5430-5435`."""
    spec = spec.split("/", 1)[0].strip()
    try:
        if "-" in spec:
            low, high = (int(p) for p in spec.split("-", 1))
            return list(range(low, min(high, low + 1000) + 1))
        return [int(spec)]
    except ValueError:
        return []


def database_port(port: Port) -> str | None:
    for number in port_numbers(port.target):
        if number in DATABASE_PORTS:
            return f"{DATABASE_PORTS[number]} port {number}"
    return None


DOCKER_SOCKET_RE = re.compile(r"(^|/)docker\.sock$")  # the daemon's socket: whoever may write to it is root


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_outside_braces(text: str, sep: str = ":") -> list[str]:
    """Split on `sep`, but not inside `${...}` (whose `:-`/`:?` forms contain colons)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for index, ch in enumerate(text):
        if ch == "{" and index and text[index - 1] == "$":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == sep and not depth:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_port_short(raw: str, line: int, column: int) -> Port:
    """Docker's `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, IPv6 in brackets or bare."""
    text, unresolved = resolve(raw.strip())
    host_ip: str | None = None
    if text.startswith("["):
        close = text.find("]")
        host_ip, text = text[1:close], text[close + 2 :]
        parts = text.split(":")
    else:
        parts = text.split(":")
        if len(parts) > 3:  # a bare IPv6 address
            host_ip, parts = ":".join(parts[:-2]), parts[-2:]
        elif len(parts) == 3:
            host_ip, parts = parts[0], parts[1:]
    target = parts[-1]
    published = parts[0] if len(parts) == 2 and parts[0] else None
    ip_vars = tuple(unresolved) if host_ip is not None and not host_ip else ()
    if host_ip == "":
        host_ip = None
    return Port(raw, host_ip, published, target, line, column, ip_vars)


MEDIA_RE = re.compile(
    r"(?:^|[/_\-{$])(media|movies|films|tv|tvshows|tv-shows|shows|series|music|videos?|photos|pictures|library)"
    r"(?:$|[/_\-}:])",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- docker run options

class RunWord(Protocol):
    """What the run-option reader needs of a shell word (`kinds.shell.Word` has it)."""

    text: str
    line: int
    column: int

    def at(self, skip: int) -> tuple[int, int]: ...


DOCKER_LIKE = frozenset({"docker", "podman", "nerdctl"})
DOCKER_GLOBAL_VALUE = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
                                 "--tlscert", "--tlskey", "--url", "--connection", "--root", "--runroot",
                                 "--namespace", "-n", "--address", "-a", "--storage-driver", "--cgroup-manager"})
RUN_VALUE_SHORT = frozenset("acehlmpuvw")
RUN_BOOL_LONG = frozenset({"--detach", "--interactive", "--tty", "--rm", "--privileged", "--init", "--publish-all",
                           "--read-only", "--no-healthcheck", "--oom-kill-disable", "--disable-content-trust",
                           "--quiet", "--sig-proxy", "--help", "--use-api-socket", "--replace", "--rmi",
                           "--env-host", "--http-proxy", "--read-only-tmpfs", "--no-hosts", "--tls-verify"})


def run_arguments(program: str, args: Sequence[RunWord]) -> Sequence[RunWord] | None:
    """The words after `run`/`create` in `docker [global options] [container] run …`, or None."""
    if program not in DOCKER_LIKE:
        return None
    i = 0
    while i < len(args) and args[i].text.startswith("-"):
        i += 2 if args[i].text in DOCKER_GLOBAL_VALUE and "=" not in args[i].text else 1
    if i < len(args) and args[i].text == "container":
        i += 1
    if i >= len(args) or args[i].text not in ("run", "create"):
        return None
    return args[i + 1 :]


def run_options(args: Sequence[RunWord]) -> Iterator[tuple[str, str, int, int]]:
    """(option, value, line, column) for each option of `docker run`, up to the image.

    Long options take `--opt=value` or `--opt value` (booleans take none); short ones may be
    clustered (`-dit`, `-p5432:5432`). The position is the value's, where the quoting allows.
    """
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        if text == "--" or not text.startswith("-") or text == "-":
            return
        if text.startswith("--"):
            option, sep, value = text.partition("=")
            if sep:
                yield option, value, *word.at(len(option) + 1)
            elif option in RUN_BOOL_LONG:
                yield option, "true", word.line, word.column
            else:
                following = args[i + 1] if i + 1 < len(args) else None
                yield option, following.text if following else "", *((following.line, following.column)
                                                                      if following else (word.line, word.column))
                i += 1
            i += 1
            continue
        k = 1
        while k < len(text):
            ch = text[k]
            if ch in RUN_VALUE_SHORT:
                if k + 1 < len(text):
                    yield "-" + ch, text[k + 1 :], *word.at(k + 1)
                elif i + 1 < len(args):
                    i += 1
                    yield "-" + ch, args[i].text, args[i].line, args[i].column
                else:
                    yield "-" + ch, "", word.line, word.column
                break
            yield "-" + ch, "true", *word.at(k)
            k += 1
        i += 1


RUN_NAMESPACES = {"--uts": "uts", "--cgroupns": "cgroup"}  # the shell kind records --network/--pid/--ipc/--userns


def apply_run_extras(service: Service, args: Sequence[RunWord]) -> None:
    """Record the `docker run` options the shell kind's container model leaves out."""
    for option, value, line, column in run_options(args):
        setting = Setting(value, line, column)
        if option == "--device":
            service.devices.append(setting)
        elif option in RUN_NAMESPACES:
            service.namespaces.setdefault(RUN_NAMESPACES[option], setting)
        elif option in ("-u", "--user"):
            service.user = setting
        elif option == "--read-only":
            service.read_only = setting
        elif option == "--cap-drop":
            service.cap_drop.append(setting)
        elif option == "--name":
            service.container_name = value
