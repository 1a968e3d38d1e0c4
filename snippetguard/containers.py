"""One model of a container's settings, whether it came from Compose or `docker run`.

The container rules (SG1xx) read only this model, so a risk is caught the same
way in a Compose file and in a shell command.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

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
    namespaces: dict[str, Setting] = field(default_factory=dict)  # network_mode, pid, ipc, userns_mode
    cap_add: list[Setting] = field(default_factory=list)
    security_opt: list[Setting] = field(default_factory=list)
    environment: list[EnvVar] = field(default_factory=list)


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
    8123: "ClickHouse",
    9000: "ClickHouse",
}


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

