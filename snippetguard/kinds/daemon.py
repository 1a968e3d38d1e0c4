"""Docker's `daemon.json` (`/etc/docker/daemon.json`): JSON with line marks, one object of options."""

from __future__ import annotations

from dataclasses import dataclass

from snippetguard.kinds import jsonnodes
from snippetguard.kinds.jsonnodes import JNode
from snippetguard.registry import Kind, ParseError, register_kind


@dataclass(eq=False)
class DaemonConfig:
    text: str
    root: JNode

    def option(self, name: str) -> JNode | None:
        return self.root.get(name)

    def flag(self, name: str) -> bool | None:
        """A boolean option's value; None when absent or not a boolean."""
        node = self.option(name)
        return node.value if node is not None and node.kind == "bool" else None


EMPTY = 'empty daemon.json: expected one JSON object of options, such as {"ip": "127.0.0.1"}'


def parse_daemon(text: str) -> DaemonConfig:
    if all(not ln.strip() or ln.lstrip().startswith(("//", "#")) for ln in text.split("\n")):
        raise ParseError(EMPTY)  # nothing but blank lines and the comments readers write (JSON has none)
    root = jsonnodes.parse(text)
    if root.kind != "object":
        raise ParseError(f"daemon.json must be one JSON object of options, not a{'n' if root.kind[0] in 'ao' else ''} "
                         f"{root.kind}", root.line, root.column)
    return DaemonConfig(text, root)


DAEMON = register_kind(Kind("daemon", "Docker daemon.json", parse_daemon, checks=("JSON with line marks",)))
