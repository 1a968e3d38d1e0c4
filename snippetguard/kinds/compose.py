"""Compose files: YAML nodes (with lines) -> the shared container model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from snippetguard.containers import EnvVar, Mount, Port, Service, Setting, parse_port_short, split_outside_braces
from snippetguard.kinds import yamlnodes as y
from snippetguard.registry import Kind, ParseError, register_kind

NAMESPACE_KEYS = ("network_mode", "pid", "ipc", "userns_mode")


@dataclass
class ComposeDoc:
    root: Node
    services: list[Service]
    service_nodes: dict[str, Node] = field(default_factory=dict)
    _data: Any = None

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
                from snippetguard.interpolation import resolve

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


def _mounts(node: Node | None) -> list[Mount]:
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
            mounts.append(Mount(raw, source, target, "ro" in options, _is_bind_source(source), line, col))
        elif isinstance(item, MappingNode):
            kind = y.scalar(y.get(item, "type")) or "volume"
            source = y.scalar(y.get(item, "source"))
            target = y.scalar(y.get(item, "target")) or ""
            read_only = y.truthy(y.get(item, "read_only"))
            ro_node = y.get(item, "read_only")
            if ro_node is not None:
                line, col = y.line_of(ro_node), y.col_of(ro_node)
            raw = f"{kind} {source or ''} -> {target}"
            mounts.append(Mount(raw, source, target, read_only, kind == "bind", line, col))
    return mounts


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


def _service(name: str, key: Node, node: Node) -> Service:
    service = Service(name, y.line_of(key), y.col_of(key))
    service.image = y.scalar(y.get(node, "image")) or ""
    service.ports = _ports(y.get(node, "ports"))
    service.mounts = _mounts(y.get(node, "volumes"))
    service.privileged = _setting(y.get(node, "privileged")) if y.truthy(y.get(node, "privileged")) else None
    for ns in NAMESPACE_KEYS:
        setting = _setting(y.get(node, ns))
        if setting is not None:
            service.namespaces[ns] = setting
    service.cap_add = [s for s in map(_setting, y.items(y.get(node, "cap_add"))) if s]
    service.security_opt = [s for s in map(_setting, y.items(y.get(node, "security_opt"))) if s]
    service.environment = _environment(y.get(node, "environment"))
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
    if isinstance(services_node, MappingNode):
        for key, value in y.pairs(services_node):
            if isinstance(value, MappingNode):
                services[key.value] = _service(key.value, key, value)
                nodes[key.value] = value
    _apply_extends(services, nodes)
    return ComposeDoc(root, list(services.values()), nodes)


COMPOSE = register_kind(Kind("compose", "Compose", parse_compose, checks=("YAML with line marks",)))
