"""SG1xx: container settings, from Compose files and `docker run` alike."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from snippetguard import directives, secrets
from snippetguard.containers import (
    AMBIGUOUS_PORTS,
    MEDIA_RE,
    URL_PASSWORD_RE,
    EnvVar,
    Service,
    apply_run_extras,
    database_port,
    is_database_image,
    is_desterlib,
    is_loopback,
    is_secret_name,
    port_numbers,
    run_arguments,
    weakness,
)
from snippetguard.interpolation import default_of, has_reference, resolve
from snippetguard.kinds import yamlnodes as y
from snippetguard.model import Hit
from snippetguard.registry import Example, rule

CONTAINER_KINDS = ("compose", "shell")
DB = "security/database.md"
DOCKER = "security/docker.md"


def _services(parsed: Any) -> list[Service]:
    services = list(getattr(parsed, "services", ()))
    commands = getattr(parsed, "commands", None)
    if commands is not None and services and not getattr(parsed, "_sg_run_extras", False):
        _add_run_extras(services, commands)
        parsed._sg_run_extras = True
    return services


def _add_run_extras(services: list[Service], commands: Any) -> None:
    """The shell kind builds each `docker run` container without the options the newer rules read
    (devices, uts/cgroup namespaces, user, read-only, cap-drop): add them from the command's words."""
    by_place = {(s.line, s.column): s for s in services}
    for command in commands:
        program = getattr(command, "program", None)
        if program is None or (program.line, program.column) not in by_place:
            continue
        args = run_arguments(getattr(command, "name", ""), list(command.args))
        if args is not None:
            apply_run_extras(by_place[(program.line, program.column)], args)


def _profiles(parsed: Any) -> frozenset[str]:
    found = getattr(parsed, "profiles", None)
    if found is not None:
        return frozenset(found)
    text = getattr(parsed, "text", "")
    return directives.metadata(text).profiles if "snippetguard" in text else frozenset()


@rule(
    code="SG003", title="Compose file breaks the Compose Specification",
    kinds=("compose",),
    why="Docker Compose refuses a file that breaks its specification (or, worse, reads a misspelt key as "
        "something else), so the example fails for every reader who copies it.",
    fix="Correct the key or value named in the message; the Compose Specification lists what each key accepts.",
    guide="deployment/docker.md#the-stack",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    enviroment:\n      NODE_ENV: production\n",
                     "compose", 4),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    environment:\n      NODE_ENV: production\n",
                   "compose"),
)
def compose_schema(doc: Any) -> Iterator[Hit]:
    validator = _compose_validator()
    if validator.is_valid(doc.data):
        return
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.instance_path])
    for error in errors[:5]:
        path = list(error.instance_path)
        unexpected = UNEXPECTED_RE.search(error.message)
        node = y.node_at(doc.root, path)
        if unexpected:  # point at the misspelt key itself, not at its parent
            node = y.key_node(node, unexpected.group(1)) or node
        where = "/".join(map(str, path)) or "top level"
        line, col = (y.line_of(node), y.col_of(node)) if node is not None else (1, 1)
        yield Hit(line, col, f"Compose schema: {where}: {_short(error.message)}")


UNEXPECTED_RE = re.compile(r"\('([^']+)'(?:, '[^']+')* (?:was|were) unexpected\)")


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


@cache
def _compose_validator() -> Any:
    """The Compose Specification schema as vendored by check-jsonschema (never copied here),
    compiled by jsonschema-rs: 8 µs a document where the pure-Python validator took 1.7 ms."""
    import json

    import jsonschema_rs

    schema = json.loads(_vendored_schema("compose-spec.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _vendored_schema(name: str) -> Path:
    """A schema file check-jsonschema ships, found without importing check-jsonschema (0.17 s: click and more)."""
    import importlib.util

    spec = importlib.util.find_spec("check_jsonschema")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("check-jsonschema is not installed; it provides the Compose schema")
    return Path(next(iter(spec.submodule_search_locations))) / "builtin_schemas" / "vendor" / name


@rule(
    code="SG101", title="Database port published beyond loopback",
    kinds=CONTAINER_KINDS,
    why="A published port is reachable from every network the host is on, and Docker's rules bypass ufw and "
        "firewalld. A database reachable from the LAN or the internet is one weak password away from being "
        "copied or wiped.",
    fix="Remove the port: the API reaches the database over the Compose network. If a tool on the host needs it, "
        "bind it to loopback: `\"127.0.0.1:5432:5432\"`, with Docker Engine 28.0 or later (28.3.3 or later where "
        "firewalld runs): older engines let hosts on the same LAN segment reach ports published on 127.0.0.1.",
    guide=f"{DB}#database-port",
    insecure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    ports:\n      - \"5432:5432\"\n",
                     "compose", 5),
    secure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    ports:\n"
                   "      - \"127.0.0.1:5432:5432\"\n", "compose"),
)
def database_port_published(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        db_image = is_database_image(service.image)
        for port in service.ports:
            # 9000 or 8123 alone say nothing: MinIO, Portainer, PHP-FPM and Home Assistant use them too.
            shared = next((n for n in port_numbers(port.target) if n in AMBIGUOUS_PORTS), None)
            what = database_port(port) or (f"port {port.target} of database image {service.image}" if db_image else None)
            if shared is not None and db_image:
                what = f"{AMBIGUOUS_PORTS[shared]} port {shared}"
            if what is None:
                continue
            if port.host_ip is not None and is_loopback(port.host_ip):
                continue
            if port.unresolved:
                where = f"on the address in ${{{port.unresolved[0]}}}, which has no loopback default"
            elif port.host_ip is None:
                where = "on every interface (no host address given)"
            else:
                where = f"on {port.host_ip}, which is not loopback"
            yield Hit(port.line, port.column, f"service '{service.name}' publishes {what} {where}")


@rule(
    code="SG102", title="Media library mounted writable",
    kinds=CONTAINER_KINDS,
    why="DesterLib only reads your media. A writable mount lets a bug or an attacker in the container delete or "
        "encrypt the whole library. Other programs' media mounts, such as Sonarr's or Jellyfin's, are theirs to "
        "decide: the rule looks only at DesterLib's API, by its image, container name or service name.",
    fix="Mount it read-only: `/srv/media:/media:ro` (long syntax: `read_only: true`).",
    guide=f"{DOCKER}#read-only-media",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /srv/media:/media\n",
                     "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /srv/media:/media:ro\n",
                   "compose"),
)
def media_writable(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        if not is_desterlib(service):
            continue  # a volume called "media" is DesterLib's library only when DesterLib's API mounts it
        for mount in service.mounts:
            if mount.read_only or not mount.target:
                continue
            target = resolve(mount.target)[0]
            source = mount.source or ""
            if MEDIA_RE.search(target) or (mount.bind and MEDIA_RE.search(source)):
                yield Hit(mount.line, mount.column, f"media mount '{mount.raw}' in '{service.name}' is writable")


SOCKET_RE = re.compile(r"(docker|podman|containerd)\.sock$|^/(var/)?run(/docker)?/?$")


@rule(
    code="SG103", title="Docker socket mounted into a container",
    kinds=CONTAINER_KINDS,
    why="The Docker socket is root on the host: any process that can talk to it can start a privileged "
        "container and take over the machine. Read-only does not help; `:ro` only stops deleting the socket file.",
    fix="Do not mount the socket. If a tool truly needs the Docker API, put a filtering socket proxy in front "
        "of it and grant only the calls it needs.",
    guide=f"{DOCKER}#docker-socket",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n"
                     "      - /var/run/docker.sock:/var/run/docker.sock:ro\n", "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /srv/media:/media:ro\n",
                   "compose"),
)
def docker_socket(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for mount in service.mounts:
            source = posixpath.normpath(resolve(mount.source or "")[0]) if mount.source else ""
            if source and SOCKET_RE.search(source):
                what = "the container engine socket" if source.endswith(".sock") else "the folder holding the Docker socket,"
                via = f" through volume '{mount.volume}'" if mount.volume else ""
                yield Hit(mount.line, mount.column, f"'{service.name}' mounts {what} {source}{via}")


@rule(
    code="SG104", title="Privileged container",
    kinds=CONTAINER_KINDS,
    why="`privileged` gives the container every capability and every host device; escaping to the host is then "
        "trivial.",
    fix="Remove `privileged`. DesterLib needs no extra privileges.",
    guide=f"{DOCKER}#container-isolation",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    privileged: true\n", "compose", 4),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    privileged: false\n", "compose"),
)
def privileged(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        if service.privileged is not None:
            yield Hit(service.privileged.line, service.privileged.column, f"'{service.name}' runs privileged")


@rule(
    code="SG105", title="Container shares a host namespace",
    kinds=CONTAINER_KINDS,
    why="`network_mode: host` puts every port the container opens on the host's interfaces (bypassing the "
        "Compose network and published-port choices); host `pid`, `ipc`, `userns_mode`, `uts` or `cgroup` let it "
        "see or signal host processes, read their shared memory, rename the host or see its control groups, and "
        "weaken isolation.",
    fix="Remove the setting; publish only the ports you need with `ports:`.",
    guide=f"{DOCKER}#container-isolation",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    network_mode: host\n", "compose", 4),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    ports:\n      - \"3001:3001\"\n", "compose"),
)
def host_namespace(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for key, setting in service.namespaces.items():
            if resolve(setting.value)[0].strip().lower() == "host":
                name = {"network_mode": "network", "userns_mode": "user"}.get(key, key)
                yield Hit(setting.line, setting.column, f"'{service.name}' uses the host's {name} namespace")


DANGEROUS_CAPS = {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "BPF"}


@rule(
    code="SG106", title="Dangerous capability added",
    kinds=CONTAINER_KINDS,
    why="SYS_ADMIN, SYS_MODULE, DAC_READ_SEARCH, SYS_PTRACE, SYS_RAWIO, BPF or ALL hand the container powers "
        "close to root on the host; NET_ADMIN lets it reconfigure networking and reach kernel code (netfilter) that "
        "several container escapes went through. They are the usual first step of an escape.",
    fix="Remove the `cap_add` entry; DesterLib runs with Docker's default capabilities.",
    guide=f"{DOCKER}#container-isolation",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    cap_add:\n      - SYS_ADMIN\n", "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    cap_drop:\n      - ALL\n", "compose"),
)
def dangerous_capability(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for cap in service.cap_add:
            name = cap.value.strip().upper().removeprefix("CAP_")
            if name in DANGEROUS_CAPS:
                yield Hit(cap.line, cap.column, f"'{service.name}' adds capability {name}")


UNCONFINED_RE = re.compile(
    r"^(seccomp\s*[:=]\s*unconfined|apparmor\s*[:=]\s*unconfined|label\s*[:=]\s*disable"
    r"|systempaths\s*[:=]\s*unconfined)$", re.I)


@rule(
    code="SG107", title="Security profile disabled",
    kinds=CONTAINER_KINDS,
    why="seccomp, AppArmor, SELinux labels and the masked /proc and /sys paths are what stop a compromised "
        "container from calling dangerous kernel interfaces; turning them off (`seccomp:unconfined`, "
        "`apparmor:unconfined`, `label:disable`, `systempaths=unconfined`) removes a layer that costs nothing to "
        "keep.",
    fix="Remove the `security_opt` entry (or use `no-new-privileges:true`, which tightens instead). If one "
        "system call is missing, allow that call in a custom seccomp profile (`seccomp=./profile.json`).",
    guide=f"{DOCKER}#container-isolation",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    security_opt:\n      - seccomp:unconfined\n",
                     "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    security_opt:\n      - no-new-privileges:true\n",
                   "compose"),
)
def unconfined(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for opt in service.security_opt:
            if UNCONFINED_RE.match(opt.value.strip()):
                yield Hit(opt.line, opt.column, f"'{service.name}' sets security_opt {opt.value.strip()}")


SENSITIVE_EXACT = {"/", "/etc", "/root", "/proc", "/sys", "/var/run", "/run", "/boot", "/dev", "/var/lib/docker", "/home"}
SENSITIVE_PREFIX = ("/etc/", "/root/", "/proc/", "/sys/", "/boot/", "/var/lib/docker/", "/dev/")
HARMLESS = {"/etc/localtime", "/etc/timezone"}


@rule(
    code="SG108", title="Sensitive host path mounted",
    kinds=CONTAINER_KINDS,
    why="Mounting the host's root, /etc, /root, /home, /proc, /sys, /boot, /dev or /var/lib/docker into a "
        "container lets anything in it read secrets or change the host's configuration. (/run and /var/run hold "
        "the Docker socket: SG103 reports them).",
    fix="Mount only the folder the service needs (for DesterLib: the media folder, read-only). `/etc/localtime` "
        "and `/etc/timezone` are fine.",
    guide=f"{DOCKER}#host-paths",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n      - /etc:/host-etc:ro\n",
                     "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    volumes:\n"
                   "      - /etc/localtime:/etc/localtime:ro\n", "compose"),
)
def sensitive_path(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for mount in service.mounts:
            if not mount.bind or not mount.source:
                continue
            source = posixpath.normpath(resolve(mount.source)[0].replace("//", "/"))
            if source in HARMLESS or SOCKET_RE.search(source):
                continue  # the socket and the folders holding it are SG103's
            if source in SENSITIVE_EXACT or source.startswith(SENSITIVE_PREFIX):
                via = f" through volume '{mount.volume}'" if mount.volume else ""
                yield Hit(mount.line, mount.column, f"'{service.name}' mounts the host path {source}{via}")


def _user_for(service: Service) -> str | None:
    for var in service.environment:
        if var.name.upper().endswith("_USER") and var.value and not has_reference(var.value):
            return var.value
    return None


def _secret_values(var: EnvVar) -> Iterator[tuple[str, str]]:
    """(what, literal value) pairs a rule must judge in one environment entry.

    A blank (`POSTGRES_PASSWORD: ""`), a placeholder or a password hash is no literal secret."""
    for what, value in _candidate_values(var):
        if secrets.judge(value) is not None:
            yield what, value


def _candidate_values(var: EnvVar) -> Iterator[tuple[str, str]]:
    if var.value is None:
        return
    value = var.value
    if URL_PASSWORD_RE.search(value):
        return  # a password inside a URL is SG205's, in every kind
    if not is_secret_name(var.name):
        return
    if not has_reference(value):
        yield var.name, value
    elif (default := default_of(value)) is not None and default:
        yield f"the default of {var.name}", default


@rule(
    code="SG109", title="Literal secret in a container's environment",
    kinds=CONTAINER_KINDS,
    why="A password written into a Compose file or a command line ends up in shell history, backups, screenshots "
        "and Git; and one printed in documentation is known to everyone who read it.",
    fix="Reference a variable set in a private `.env` file: `POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in "
        ".env}`, or use `env_file:`.",
    guide=f"{DB}#keep-secrets-out-of-compose",
    insecure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n"
                     "      POSTGRES_PASSWORD: \"N0t-In-Docs-Please-9f2c1e7a\"\n", "compose", 5),
    secure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n"
                   "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}\n", "compose"),
)
def literal_secret(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        user = _user_for(service)
        for var in service.environment:
            for what, value in _secret_values(var):
                if weakness(value, user) is None:
                    yield Hit(var.line, var.column, f"{what} is written literally in '{service.name}'")


@rule(
    code="SG110", title="Weak or default credentials",
    kinds=CONTAINER_KINDS,
    why="Default passwords such as `postgres` are the first thing scanners try; DesterLib v0.2.0 shipped with "
        "exactly that. Passwordless or `trust` authentication is the same as no password.",
    fix="Generate a long random password (`openssl rand -hex 32`: hexadecimal, so it is also safe inside "
        "`DATABASE_URL`), keep it in `.env`, and reference it with `${POSTGRES_PASSWORD:?}`. A database that "
        "already exists keeps its old password whatever the file says: change it inside PostgreSQL first "
        "(`ALTER ROLE`), as the guide's password change does.",
    guide=f"{DB}#strong-passwords",
    insecure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n"
                     "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n", "compose", 5),
    secure=Example("services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n"
                   "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}\n", "compose"),
)
def weak_credentials(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        user = _user_for(service)
        for var in service.environment:
            if var.value and secrets.disables_password(var.name, resolve(var.value)[0]):
                yield Hit(var.line, var.column, f"{var.name}={var.value} in '{service.name}' disables the password")
                continue
            for what, value in _secret_values(var):
                if (reason := weakness(value, user)) is not None:
                    yield Hit(var.line, var.column, f"{what} {reason}")


NNP_OFF_RE = re.compile(r"^no-new-privileges\s*[:=]\s*(false|0|no)$", re.I)


@rule(
    code="SG111", title="no-new-privileges turned off",
    kinds=CONTAINER_KINDS,
    why="`no-new-privileges` stops a process in the container from gaining privileges through setuid programs "
        "such as `su` or `sudo`. Writing `no-new-privileges:false` switches it off explicitly, overriding a "
        "daemon-wide `\"no-new-privileges\": true`, and teaches readers that the protection is optional.",
    fix="Remove the entry, or write `no-new-privileges:true`.",
    guide=f"{DOCKER}#container-isolation",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    security_opt:\n"
                     "      - no-new-privileges:false\n", "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    security_opt:\n"
                   "      - no-new-privileges:true\n", "compose"),
)
def no_new_privileges_off(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for opt in service.security_opt:
            if NNP_OFF_RE.match(resolve(opt.value)[0].strip()):
                yield Hit(opt.line, opt.column, f"'{service.name}' turns no-new-privileges off ({opt.value.strip()})")


# Device nodes that are the host's memory, its disks or its CPUs' registers: with one of them a container reads
# or rewrites anything on the host. GPU render nodes, /dev/fuse, /dev/net/tun and serial adapters are not here.
SENSITIVE_DEVICE_RE = re.compile(
    r"^/dev(/|$)(?:$|mem$|kmem$|port$|sd[a-z]+\d*$|hd[a-z]+\d*$|vd[a-z]+\d*$|xvd[a-z]+\d*$|nvme\d+(n\d+(p\d+)?)?$"
    r"|mmcblk\d+(p\d+)?$|md\d+$|dm-\d+$|sg\d+$|loop\d+$|mapper(/|$)|disk(/|$)|cpu(/|$)|block(/|$))"
)


def _device_path(value: str) -> str:
    host = resolve(value)[0].strip().split(":", 1)[0]
    return posixpath.normpath(host) if host.startswith("/") else host


@rule(
    code="SG112", title="Host memory or disk device passed into a container",
    kinds=CONTAINER_KINDS,
    why="A device such as `/dev/sda`, `/dev/nvme0n1`, `/dev/mem` or the whole `/dev` gives the container the raw "
        "disk or the host's memory: it can read every file (SSH keys, `.env` files, the database) and rewrite the "
        "host's system, whatever the mounts say. A GPU render node (`/dev/dri`), `/dev/fuse` or `/dev/net/tun` "
        "hands over one peripheral only and is not reported.",
    fix="Remove the device. Give the container the folder it needs as a bind mount instead; for SMART monitoring, "
        "run the tool on the host.",
    guide=f"{DOCKER}#host-paths",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    devices:\n      - /dev/sda:/dev/sda\n",
                     "compose", 5),
    secure=Example("services:\n  jellyfin:\n    image: jellyfin/jellyfin\n    devices:\n      - /dev/dri:/dev/dri\n",
                   "compose"),
)
def sensitive_device(parsed: Any) -> Iterator[Hit]:
    for service in _services(parsed):
        for device in service.devices:
            path = _device_path(device.value)
            if SENSITIVE_DEVICE_RE.match(path):
                yield Hit(device.line, device.column, f"'{service.name}' is given the host device {path}")
