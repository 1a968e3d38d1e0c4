"""Fixes for Compose files (SG101, SG102), through ruamel.yaml's round trip: comments, quotes and layout stay.

A file is rewritten only when ruamel.yaml reproduces it byte for byte before the
change, so the diff a fix makes is the fix and nothing else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from snippetguard.containers import parse_port_short
from snippetguard.fixes import CannotFix, Spot, fixer

KINDS = ("compose",)
LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1))  # mapping, sequence, offset


def _yaml(layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML  # imported only when a fix runs: the checks never need it

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-wrap a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def round_trip(text: str, change: Callable[[Any], None]) -> str:
    """Load `text`, apply `change` to the document, write it back in the file's own layout."""
    ending = "" if text.endswith("\n") else "\n"  # a block in a page has no final line break; YAML writes one
    for layout in LAYOUTS:
        yaml = _yaml(layout)
        try:
            data = yaml.load(text + ending)
        except Exception as exc:  # the checks already reported why it does not parse
            raise CannotFix(f"ruamel.yaml cannot read it: {exc}") from None
        if _dump(yaml, data) == text + ending:
            change(data)
            written = _dump(yaml, data)
            return written.removesuffix("\n") if ending else written
    raise CannotFix("ruamel.yaml cannot write this file back unchanged; fix it by hand")


def _items(data: Any, key: str) -> Iterator[tuple[Any, int, int, int]]:
    """(sequence, index, first line, last line) of every item under `services.*.<key>` (1-based lines)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    services = data.get("services") if isinstance(data, CommentedMap) else None
    if not isinstance(services, CommentedMap):
        return
    for service in services.values():
        seq = service.get(key) if isinstance(service, CommentedMap) else None
        if not isinstance(seq, CommentedSeq):
            continue
        starts = [seq.lc.item(i)[0] + 1 for i in range(len(seq))]
        for index, first in enumerate(starts):
            last = starts[index + 1] - 1 if index + 1 < len(starts) else _last_line(seq[index], first)
            yield seq, index, first, last


def _last_line(value: Any, first: int) -> int:
    from ruamel.yaml.comments import CommentedMap

    if isinstance(value, CommentedMap) and len(value):
        return max(value.lc.value(k)[0] + 1 for k in value)
    return first


def _same_style(old: Any, new: str) -> Any:
    """The new scalar written as the old one was (plain, 'single' or "double" quoted)."""
    from ruamel.yaml.scalarstring import ScalarString

    return type(old)(new) if isinstance(old, ScalarString) else new


def _replace(container: Any, key: Any, new: str) -> None:
    """Set a scalar, keeping the gap before its end-of-line comment (ruamel keeps the comment's column)."""
    from ruamel.yaml.comments import CommentedSeq

    old = container[key]
    container[key] = _same_style(old, new)
    slot = 0 if isinstance(container, CommentedSeq) else 2
    tokens = container.ca.items.get(key) or []
    token = tokens[slot] if len(tokens) > slot else None
    if token is not None and hasattr(token, "column"):
        token.column = max(0, token.column + len(new) - len(str(old)))


def _at(spots: list[Spot], first: int, last: int) -> bool:
    return any(first <= spot.line <= last for spot in spots)


# -- SG101 ------------------------------------------------------------------------------------------
PORT_RE = re.compile(r"[0-9]+(?:-[0-9]+)?")
TARGET_RE = re.compile(r"[0-9]+(?:-[0-9]+)?(?:/(?:tcp|udp|sctp))?")


def loopback_port(spec: str) -> str:
    """`5432:5432` -> `127.0.0.1:5432:5432`; `0.0.0.0:5432:5432` too; `5432` -> `127.0.0.1::5432`."""
    if "$" in spec:
        raise CannotFix("the address comes from a variable")
    port = parse_port_short(spec, 1, 1)
    published = port.published or ""
    if not TARGET_RE.fullmatch(port.target) or (published and not PORT_RE.fullmatch(published)):
        raise CannotFix(f"'{spec}' is not a port mapping this fix understands")
    return f"127.0.0.1:{published}:{port.target}"


@fixer("SG101", kinds=KINDS, summary="binds the published database port to loopback "
                                    "(`\"127.0.0.1:5432:5432\"`, or `host_ip: 127.0.0.1`)")
def database_port(text: str, spots: list[Spot]) -> str:
    from ruamel.yaml.comments import CommentedMap

    def change(data: Any) -> None:
        for seq, index, first, last in list(_items(data, "ports")):
            if not _at(spots, first, last):
                continue
            item = seq[index]
            if isinstance(item, CommentedMap):
                if "$" in str(item.get("host_ip", "")):
                    continue
                if "host_ip" in item:
                    _replace(item, "host_ip", "127.0.0.1")
                else:
                    item.insert(len(item), "host_ip", "127.0.0.1")
            elif isinstance(item, str | int):
                try:
                    _replace(seq, index, loopback_port(str(item)))
                except CannotFix:
                    continue

    return round_trip(text, change)


# -- SG102 ------------------------------------------------------------------------------------------
MOUNT_OPTIONS = frozenset({"rw", "ro", "z", "Z", "cached", "delegated", "consistent", "nocopy", "shared", "rshared",
                           "slave", "rslave", "private", "rprivate"})


def read_only_mount(spec: str) -> str:
    """`/srv/media:/media` -> `/srv/media:/media:ro`; `:rw` becomes `:ro`; other options are kept."""
    head, sep, last = spec.rpartition(":")
    options = last.split(",")
    if sep and head.count(":") >= 1 and all(o in MOUNT_OPTIONS for o in options):
        kept = [o for o in options if o not in ("rw", "ro")]
        return f"{head}:{','.join(['ro', *kept])}"
    return f"{spec}:ro"


@fixer("SG102", kinds=KINDS, summary="mounts the media library read-only (`:ro`, or `read_only: true`)")
def media_read_only(text: str, spots: list[Spot]) -> str:
    from ruamel.yaml.comments import CommentedMap

    def change(data: Any) -> None:
        for seq, index, first, last in list(_items(data, "volumes")):
            if not _at(spots, first, last):
                continue
            item = seq[index]
            if isinstance(item, CommentedMap):
                if "read_only" in item:
                    item["read_only"] = True
                else:
                    item.insert(len(item), "read_only", True)
            elif isinstance(item, str):
                _replace(seq, index, read_only_mount(item))

    return round_trip(text, change)
