"""Compose files: YAML nodes (with lines) -> the shared container model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from snippetguard import directives
from snippetguard.containers import EnvVar, Mount, Port, Service, Setting, parse_port_short, split_outside_braces
from snippetguard.interpolation import resolve
from snippetguard.kinds import yamlnodes as y
from snippetguard.registry import Kind, ParseError, register_kind

NAMESPACE_KEYS = ("network_mode", "pid", "ipc", "userns_mode", "uts", "cgroup")
# Volume plugins whose driver option names a host folder (local-persist and its forks).
HOST_PATH_DRIVER_OPTS = {"local-persist": "mountpoint", "cwspear/local-persist": "mountpoint"}


@dataclass
class ComposeDoc:
    root: Node
    services: list[Service]
    service_nodes: dict[str, Node] = field(default_factory=dict)
    _data: Any = None
    profiles: frozenset[str] = frozenset()  # `# snippetguard: profile[...]` the snippet opts into

    @property
    def data(self) -> Any:
        if self._data is None:
            self._data = y.to_python(self.root)
        return self._data


def _setting(node: Node | None) -> Setting | None:
    if isinstance(node, ScalarNode):
        return Setting(node.value, y.line_of(node), y.col_of(node))
    return None


def _ports(node: Node | None) -> list[Port]:
    ports: list[Port] = []
    for item in y.items(node):
        if isinstance(item, ScalarNode):
            ports.append(parse_port_short(item.value, y.line_of(item), y.col_of(item)))
        elif isinstance(item, MappingNode):
            target = y.scalar(y.get(item, "target")) or ""
            published = y.scalar(y.get(item, "published"))
            host_ip = y.scalar(y.get(item, "host_ip"))
            if host_ip is not None:
                host_ip, unresolved = resolve(host_ip)
                unresolved_t = tuple(unresolved) if not host_ip else ()
                host_ip = host_ip or None
            else:
                unresolved_t = ()
            raw = f"target {target}" + (f", published {published}" if published else "")
            ports.append(Port(raw, host_ip, published or None, target, y.line_of(item), y.col_of(item), unresolved_t))
    return ports


def _is_bind_source(source: str) -> bool:
    return source.startswith(("/", ".", "~", "$")) or (len(source) > 2 and source[1] == ":" and source[2] in "\\/")


def volume_host_paths(root: Node) -> dict[str, str]:
    """Top-level named volumes that are host folders in disguise: the `local` driver with
    `o: bind` (and `type: none`) and a `device` path, or a plugin that maps a `mountpoint`."""
    found: dict[str, str] = {}
    for key, volume in y.pairs(y.get(root, "volumes")):
        driver = (y.scalar(y.get(volume, "driver")) or "local").strip()
        opts = y.get(volume, "driver_opts")
        if driver in HOST_PATH_DRIVER_OPTS:
            path = y.scalar(y.get(opts, HOST_PATH_DRIVER_OPTS[driver]))
        elif driver == "local":
            o_value = (y.scalar(y.get(opts, "o")) or "").replace(" ", "")
            path = y.scalar(y.get(opts, "device")) if "bind" in o_value.split(",") else None
        else:
            path = None
        if path and _is_bind_source(resolve(path)[0] or path):
            found[key.value] = path
    return found


def _mounts(node: Node | None, host_volumes: dict[str, str]) -> list[Mount]:
    mounts: list[Mount] = []
    for item in y.items(node):
        line, col = y.line_of(item), y.col_of(item)
        if isinstance(item, ScalarNode):
            raw = item.value
            parts = split_outside_braces(raw)
            if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1][:1] in "\\/":  # C:\...
                parts = [parts[0] + ":" + parts[1], *parts[2:]]
            if len(parts) == 1:
                mounts.append(Mount(raw, None, parts[0], False, False, line, col))
                continue
            source, target = parts[0], parts[1]
            options = parts[2].split(",") if len(parts) > 2 else []
            mounts.append(_through_volume(Mount(raw, source, target, "ro" in options, _is_bind_source(source),
                                                line, col), host_volumes))
        elif isinstance(item, MappingNode):
            kind = y.scalar(y.get(item, "type")) or "volume"
            source = y.scalar(y.get(item, "source"))
            target = y.scalar(y.get(item, "target")) or ""
            read_only = y.truthy(y.get(item, "read_only"))
            ro_node = y.get(item, "read_only")
            if ro_node is not None:
                line, col = y.line_of(ro_node), y.col_of(ro_node)
            raw = f"{kind} {source or ''} -> {target}"
            mount = Mount(raw, source, target, read_only, kind == "bind", line, col)
            mounts.append(_through_volume(mount, host_volumes) if kind == "volume" else mount)
    return mounts


def _through_volume(mount: Mount, host_volumes: dict[str, str]) -> Mount:
    """A named volume bound to a host folder is a bind mount of that folder."""
    if mount.bind or not mount.source or mount.source not in host_volumes:
        return mount
    path = host_volumes[mount.source]
    return Mount(f"{mount.raw} (volume '{mount.source}' is the host folder {path})", path, mount.target,
                 mount.read_only, True, mount.line, mount.column, volume=mount.source)


def _environment(node: Node | None) -> list[EnvVar]:
    env: list[EnvVar] = []
    if isinstance(node, MappingNode):
        for key, value in y.pairs(node):
            text = y.scalar(value)
            where = value if isinstance(value, ScalarNode) and text not in (None, "") else key
            env.append(EnvVar(key.value, None if value.tag.endswith(":null") else text, y.line_of(where), y.col_of(where)))
    else:
        for item in y.items(node):
            text = y.scalar(item)
            if text is None:
                continue
            name, sep, value = text.partition("=")
            env.append(EnvVar(name.strip(), value if sep else None, y.line_of(item), y.col_of(item)))
    return env


def _settings(node: Node | None) -> list[Setting]:
    """Each entry of a list of strings; a single string counts as a one-item list."""
    entries = [node] if isinstance(node, ScalarNode) else y.items(node)
    return [s for s in map(_setting, entries) if s]


def _devices(node: Node | None) -> list[Setting]:
    found = _settings(node)
    for item in y.items(node):  # long syntax: {source, target, permissions}
        source = y.get(item, "source")
        if isinstance(source, ScalarNode):
            found.append(Setting(source.value, y.line_of(item), y.col_of(item)))
    return found


def _service(name: str, key: Node, node: Node, host_volumes: dict[str, str]) -> Service:
    service = Service(name, y.line_of(key), y.col_of(key))
    service.image = y.scalar(y.get(node, "image")) or ""
    service.container_name = y.scalar(y.get(node, "container_name")) or ""
    service.built = y.get(node, "build") is not None
    service.ports = _ports(y.get(node, "ports"))
    service.mounts = _mounts(y.get(node, "volumes"), host_volumes)
    service.privileged = _setting(y.get(node, "privileged")) if y.truthy(y.get(node, "privileged")) else None
    for ns in NAMESPACE_KEYS:
        setting = _setting(y.get(node, ns))
        if setting is not None:
            service.namespaces[ns] = setting
    service.cap_add = [s for s in map(_setting, y.items(y.get(node, "cap_add"))) if s]
    service.security_opt = [s for s in map(_setting, y.items(y.get(node, "security_opt"))) if s]
    service.environment = _environment(y.get(node, "environment"))
    service.devices = _devices(y.get(node, "devices"))
    service.cap_drop = _settings(y.get(node, "cap_drop"))
    service.user = _setting(y.get(node, "user"))
    service.read_only = _setting(y.get(node, "read_only"))
    return service


def _apply_extends(services: dict[str, Service], nodes: dict[str, Node]) -> None:
    """`extends:` within the same file: the child inherits what the base sets."""
    for name, node in nodes.items():
        ext = y.get(node, "extends")
        base_name = y.scalar(ext) if isinstance(ext, ScalarNode) else y.scalar(y.get(ext, "service"))
        if ext is None or y.get(ext, "file") is not None or base_name not in services or base_name == name:
            continue
        child, base = services[name], services[base_name]
        child.image = child.image or base.image
        child.container_name = child.container_name or base.container_name
        child.built = child.built or base.built
        child.devices = base.devices + child.devices
        child.cap_drop = base.cap_drop + child.cap_drop
        child.user = child.user or base.user
        child.read_only = child.read_only or base.read_only
        child.ports = base.ports + child.ports
        child.mounts = base.mounts + child.mounts
        child.privileged = child.privileged or base.privileged
        child.namespaces = {**base.namespaces, **child.namespaces}
        child.cap_add = base.cap_add + child.cap_add
        child.security_opt = base.security_opt + child.security_opt
        child.environment = base.environment + child.environment


def parse_compose(text: str) -> ComposeDoc:
    root = y.compose_document(text)
    if root is None:
        raise ParseError("empty Compose file: expected a top-level 'services:' mapping")
    if not isinstance(root, MappingNode):
        raise ParseError("a Compose file must be a mapping with a top-level 'services:' key", y.line_of(root))
    services_node = y.get(root, "services")
    services: dict[str, Service] = {}
    nodes: dict[str, Node] = {}
    host_volumes = volume_host_paths(root)
    if isinstance(services_node, MappingNode):
        for key, value in y.pairs(services_node):
            if isinstance(value, MappingNode):
                services[key.value] = _service(key.value, key, value, host_volumes)
                nodes[key.value] = value
    _apply_extends(services, nodes)
    profiles = directives.metadata(text).profiles if "snippetguard" in text else frozenset()
    return ComposeDoc(root, list(services.values()), nodes, profiles=profiles)


COMPOSE = register_kind(Kind("compose", "Compose", parse_compose, checks=("YAML with line marks",)))
