"""SG113-SG116: the hardened profile, for snippets that opt into it with `# snippetguard: profile[hardened]`.

Outside the profile a container with Docker's defaults is fine; inside it, each service must say
`no-new-privileges:true`, drop every capability, run with a read-only root file system and as a
user other than root. A service that cannot (DesterLib v0.2.0's API image has no USER and its files
belong to root) says so on its own line: `api:  # snippetguard: ignore[SG116] reason`. That is why
a missing setting is reported on the service's name line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from snippetguard.containers import HARDENED, Service
from snippetguard.interpolation import resolve
from snippetguard.kinds import yamlnodes as y
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules.containers import CONTAINER_KINDS, DOCKER, _profiles, _services

GUIDE = f"{DOCKER}#hardening"
PROFILE = "# snippetguard: profile[hardened]\n"
NNP_ON_RE = re.compile(r"^no-new-privileges(\s*[:=]\s*(true|1|yes))?$", re.I)
ROOT_USER_RE = re.compile(r"^(root|0)(:.*)?$", re.I)
# A generic service, not DesterLib's API: v0.2.0's API image cannot run as another user (docker.md#hardening-limits).
BASE = "services:\n  app:\n    image: example/app:1.0\n"
HARDENED_API = ("    user: \"1000:1000\"\n    read_only: true\n    tmpfs:\n      - /tmp\n    cap_drop:\n      - ALL\n"
                "    security_opt:\n      - no-new-privileges:true\n")


def _hardened(parsed: Any) -> list[Service]:
    return _services(parsed) if HARDENED in _profiles(parsed) else []


def _example(without: str) -> str:
    lines = [ln for ln in HARDENED_API.split("\n") if ln and not any(w in ln for w in without.split("|"))]
    return PROFILE + BASE + "\n".join(lines) + "\n"


@rule(
    code="SG113", title="Hardened profile: no-new-privileges not set",
    kinds=CONTAINER_KINDS,
    why="In the hardened profile every service sets `no-new-privileges:true`, so that no process in it can gain "
        "privileges through a setuid program, even if an attacker finds one in the image.",
    fix="Add `security_opt: [\"no-new-privileges:true\"]` to the service (docker run: "
        "`--security-opt no-new-privileges`).",
    guide=GUIDE,
    insecure=Example(_example("security_opt|no-new-privileges"), "compose", 3),
    secure=Example(PROFILE + BASE + HARDENED_API, "compose"),
)
def hardened_no_new_privileges(parsed: Any) -> Iterator[Hit]:
    for service in _hardened(parsed):
        if not any(NNP_ON_RE.match(resolve(o.value)[0].strip()) for o in service.security_opt):
            yield Hit(service.line, service.column, f"'{service.name}' does not set no-new-privileges:true")


@rule(
    code="SG114", title="Hardened profile: capabilities not dropped",
    kinds=CONTAINER_KINDS,
    why="Docker gives every container a default set of capabilities (changing file owners, binding low ports, "
        "raw sockets, …) that most services never use. The hardened profile drops them all and adds back only "
        "what a service proves it needs.",
    fix="Add `cap_drop: [ALL]`, then `cap_add:` only the capabilities the service fails without (docker run: "
        "`--cap-drop ALL`).",
    guide=GUIDE,
    insecure=Example(_example("cap_drop|- ALL"), "compose", 3),
    secure=Example(PROFILE + BASE + HARDENED_API, "compose"),
)
def hardened_cap_drop(parsed: Any) -> Iterator[Hit]:
    for service in _hardened(parsed):
        if not any(resolve(c.value)[0].strip().upper() in ("ALL", "CAP_ALL") for c in service.cap_drop):
            yield Hit(service.line, service.column, f"'{service.name}' does not drop all capabilities")


@rule(
    code="SG115", title="Hardened profile: root file system writable",
    kinds=CONTAINER_KINDS,
    why="With a read-only root file system an attacker who gets into the container cannot replace its programs "
        "or leave tools behind; only the volumes and `tmpfs` folders the service needs stay writable.",
    fix="Add `read_only: true` and a `tmpfs:` entry for each folder the service writes to (docker run: "
        "`--read-only --tmpfs /tmp`). If the program cannot run that way, say so with "
        "`# snippetguard: ignore[SG115] reason` on the service's line.",
    guide=GUIDE,
    insecure=Example(_example("read_only"), "compose", 3),
    secure=Example(PROFILE + BASE + HARDENED_API, "compose"),
)
def hardened_read_only(parsed: Any) -> Iterator[Hit]:
    for service in _hardened(parsed):
        setting = service.read_only
        if setting is None:
            yield Hit(service.line, service.column, f"'{service.name}' has a writable root file system")
        elif resolve(setting.value)[0].strip().lower() not in y.TRUE_WORDS:
            yield Hit(setting.line, setting.column, f"'{service.name}' sets read_only: {setting.value}")


@rule(
    code="SG116", title="Hardened profile: runs as root",
    kinds=CONTAINER_KINDS,
    why="A process running as root in the container is root on the host's files it can reach, and one kernel bug "
        "away from root on the host. The hardened profile runs every service as an unprivileged user.",
    fix="Set `user: \"1000:1000\"` (or the image's own unprivileged user) and give that user the folders it "
        "writes. If the image cannot run that way, say so with `# snippetguard: ignore[SG116] reason` on the "
        "service's line: DesterLib v0.2.0's API image cannot (its files belong to root), so the guide's override "
        "keeps it as root without any capability, and PostgreSQL's image starts as root to switch to its own user.",
    guide=GUIDE,
    insecure=Example(_example("user:"), "compose", 3),
    secure=Example(PROFILE + BASE + HARDENED_API, "compose"),
)
def hardened_user(parsed: Any) -> Iterator[Hit]:
    for service in _hardened(parsed):
        setting = service.user
        if setting is None:
            yield Hit(service.line, service.column, f"'{service.name}' sets no user: it runs as the image's default, "
                                                    "usually root")
            continue
        value, unresolved = resolve(setting.value)
        if not unresolved and ROOT_USER_RE.match(value.strip()):
            yield Hit(setting.line, setting.column, f"'{service.name}' runs as root (user: {setting.value})")
